//! The server: [`run`] serves a world on a listener until a shutdown
//! future completes, and [`MockXmatters`] runs it in the background for
//! in-process tests.

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::clock::{ClockMode, SimTime};
use crate::connection::{ConnectionControl, ResettableListener};
use crate::outbound::OutboundOptions;
use crate::state::{AppState, SharedState};
use crate::world::World;
use crate::{http, inbound, outbound};

/// How often the real clock catches the simulator up with wall time, so
/// that escalations fire without requests.
pub const REAL_CLOCK_TICK: Duration = Duration::from_secs(1);

/// Shutdown grace period of [`ServerOptions::default`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Settings that are not part of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// `Manual`: time moves only through `/mock/clock/advance` (tests).
    /// `Real`: time follows the wall clock, starting now.
    pub clock: ClockMode,
    /// Start time of a manual clock, and again after a reset.
    pub start: SimTime,
    pub outbound: OutboundOptions,
    /// Time that requests still open get to finish once the shutdown
    /// future completes. After it, [`run`] returns without waiting for
    /// them, so that a stalled client or a long injected delay cannot keep
    /// the server up.
    pub shutdown_grace: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            clock: ClockMode::Manual,
            start: SimTime::DEFAULT_START,
            outbound: OutboundOptions::default(),
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

/// Serves `world` on `listener` until `shutdown` completes, then stops the
/// trigger worker, the webhook sender and the clock task. Requests still
/// open get [`ServerOptions::shutdown_grace`] to finish. Queued triggers
/// and unsent webhooks are dropped.
///
/// NOTE: a connection still open after the grace period keeps its task
/// until the request ends or the runtime stops. The binary exits, which
/// ends it, but an in-process server leaves it running.
pub async fn run(
    listener: TcpListener,
    world: World,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let address = listener.local_addr()?;
    let grace = options.shutdown_grace;
    let (state, mut background) = start_background(world, options);
    tracing::info!(%address, clock = ?state.clock_mode, "mock-xmatters listening");

    let (stopping, mut stop_requested) = watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = stopping.send(true);
    };
    let grace_over = async move {
        if stop_requested.wait_for(|stopped| *stopped).await.is_err() {
            // The server stopped without a shutdown request.
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };

    let app = http::router(state).into_make_service_with_connect_info::<ConnectionControl>();
    let serving = axum::serve(ResettableListener::new(listener), app)
        .with_graceful_shutdown(shutdown)
        .into_future();
    let served = tokio::select! {
        served = serving => served,
        () = grace_over => {
            tracing::warn!(%address, ?grace, "requests still open after the shutdown grace period; stopping without them");
            Ok(())
        }
    };

    background.abort_all();
    tracing::info!(%address, "mock-xmatters stopped");
    served
}

fn start_background(world: World, options: ServerOptions) -> (SharedState, JoinSet<()>) {
    let (inbound_sender, inbound_queue) = mpsc::unbounded_channel();
    let (outbound_sender, outbound_queue) = mpsc::unbounded_channel();
    let state = Arc::new(AppState::new(
        world,
        options.clock,
        options.start,
        inbound_sender,
        outbound_sender,
    ));

    let mut background = JoinSet::new();
    background.spawn(inbound::run_worker(state.clone(), inbound_queue));
    background.spawn(outbound::run_dispatcher(
        state.clone(),
        options.outbound,
        outbound_queue,
    ));
    if options.clock == ClockMode::Real {
        background.spawn(run_real_clock(state.clone()));
    }
    (state, background)
}

async fn run_real_clock(state: SharedState) {
    let mut ticks = tokio::time::interval(REAL_CLOCK_TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        state.with_sim(|_| ());
    }
}

/// A simulator serving in the background of the current tokio runtime.
/// Dropping it signals the server to stop; [`MockXmatters::shutdown`] also
/// waits for it.
#[derive(Debug)]
pub struct MockXmatters {
    address: SocketAddr,
    world: World,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockXmatters {
    /// Starts a simulator of `world` on `127.0.0.1` with a free port.
    pub async fn start(world: World, options: ServerOptions) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        Self::serve(listener, world, options)
    }

    /// Starts a simulator of `world` on an already bound listener.
    pub fn serve(listener: TcpListener, world: World, options: ServerOptions) -> io::Result<Self> {
        let address = listener.local_addr()?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, world.clone(), options, async {
            let _ = stop.await;
        }));
        Ok(MockXmatters {
            address,
            world,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the URL of the server root, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the world the simulator was started with (and resets to).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Returns the inbound trigger URL of the named integration, with its
    /// `apiKey`, or `None` when the world has no such integration.
    pub fn trigger_url(&self, integration: &str) -> Option<String> {
        let integration = self.world.integration(integration)?;
        Some(format!(
            "{}/api/integration/1/functions/{}/triggers?apiKey={}",
            self.base_url(),
            integration.uuid,
            integration.api_key
        ))
    }

    /// Returns the legacy form trigger URL of the named form.
    pub fn form_trigger_url(&self, form: &str) -> Option<String> {
        let form = self.world.form(form)?;
        Some(format!(
            "{}/reapi/2015-04-01/forms/{}/triggers",
            self.base_url(),
            form.uuid
        ))
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockXmatters {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
