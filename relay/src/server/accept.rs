//! The accept loop: HTTP/1.1 connections with a header read timeout, a
//! connection limit and graceful close.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Maximum time open connections get to finish their current request once
/// the listener closes.
const CONNECTION_CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Limits that apply to every connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnectionLimits {
    /// Time a client has to send the request head. It also bounds how long
    /// an idle keep-alive connection stays open.
    pub(crate) header_read_timeout: Duration,
    /// Open connections at once; further clients wait in the listen backlog.
    pub(crate) max_connections: usize,
}

/// Serves `router` on `listener` until `stop` becomes true, then closes
/// idle connections and waits (bounded) for requests in progress.
///
/// Connection tasks belong to this future: dropping it (as an aborted task
/// does) drops every connection at once, like a killed process.
pub(crate) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);

    let mut connections = JoinSet::new();
    while !*stop.borrow() {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Errors such as "too many open files" pass; keep serving.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };

        let service = TowerToHyperService::new(router.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%peer, error = %err, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);

    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(CONNECTION_CLOSE_GRACE) => {
            tracing::warn!("connections still open after the close grace period; dropping them");
        }
    }
}
