//! A TCP listener whose connections a request handler can reset, so that
//! fault injection can drop a connection without sending a response.
//!
//! Each accepted stream shares a flag with a [`ConnectionControl`] that
//! axum puts into every request's extensions as connect info. Once a
//! handler sets the flag, the stream fails every read and write, and its
//! socket is closed with `SO_LINGER` 0, which makes the kernel send a TCP
//! RST instead of a FIN.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A [`TcpListener`] that yields [`ResettableStream`]s.
#[derive(Debug)]
pub struct ResettableListener {
    inner: TcpListener,
}

impl ResettableListener {
    pub fn new(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl Listener for ResettableListener {
    type Io = ResettableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, address) = Listener::accept(&mut self.inner).await;
        let stream = ResettableStream {
            inner: stream,
            reset: Arc::new(AtomicBool::new(false)),
        };
        (stream, address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted TCP stream that stops working once its reset flag is set.
#[derive(Debug)]
pub struct ResettableStream {
    inner: TcpStream,
    /// Set by [`ConnectionControl::reset`] from a request handler.
    reset: Arc<AtomicBool>,
}

impl ResettableStream {
    /// Returns the reset error once the flag is set, after arming the RST.
    fn check_reset(&self) -> io::Result<()> {
        if !self.reset.load(Ordering::Acquire) {
            return Ok(());
        }
        if let Err(error) = self.inner.set_zero_linger() {
            tracing::warn!(%error, "setting SO_LINGER 0 failed; the connection closes with FIN, not RST");
        }
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection reset by fault injection",
        ))
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_reset()?;
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_reset()?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_reset()?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_reset()?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The handle a request handler uses to reset its own connection; axum
/// provides it as `ConnectInfo<ConnectionControl>`.
#[derive(Debug, Clone)]
pub struct ConnectionControl {
    reset: Arc<AtomicBool>,
    remote: SocketAddr,
}

impl ConnectionControl {
    /// Marks the connection for reset. The response that the handler
    /// returns is never written.
    pub fn reset(&self) {
        self.reset.store(true, Ordering::Release);
    }

    /// Returns the client's address.
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }
}

impl Connected<IncomingStream<'_, ResettableListener>> for ConnectionControl {
    fn connect_info(stream: IncomingStream<'_, ResettableListener>) -> Self {
        ConnectionControl {
            reset: stream.io().reset.clone(),
            remote: *stream.remote_addr(),
        }
    }
}
