//! The relay service: HTTP intake, operational endpoints and the delivery
//! worker, started together over one store.
//!
//! Start it in-process with [`Relay::start`] (tests and the end-to-end crate
//! do this on `127.0.0.1:0`), or run it until a shutdown future resolves
//! with [`run`].

mod accept;
mod admin;
mod callback;
mod intake;
mod ops;
mod prepare;
mod state;
mod tokens;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::config::OptionError;
use crate::config::service::ServiceSections;
use crate::confirm::{Confirmer, ConfirmerSetup, LookupSchedule, RestClient, RestClientError};
use crate::delivery::{ClientError, Worker, WorkerSetup, XmattersClient};
use crate::metrics::Metrics;
use crate::store::{SqliteStore, Store, StoreError, StoreOptions};
use crate::storm::StormGuard;
use state::AppState;

/// Errors that stop the relay from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A configuration value cannot be used.
    #[error("invalid option {0}")]
    Config(OptionError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The xMatters client could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The xMatters REST client could not be built.
    #[error(transparent)]
    Rest(#[from] RestClientError),
    /// The listener's address could not be read.
    #[error("cannot read the listening address: {0}")]
    Listener(#[source] std::io::Error),
    /// A service task panicked.
    #[error("the {task} task failed: {message}")]
    Task {
        /// Which task.
        task: &'static str,
        /// Panic or cancellation message.
        message: String,
    },
}

impl From<OptionError> for ServeError {
    fn from(error: OptionError) -> Self {
        // Not a `#[from]` field: the option error would print twice, once
        // as this error's message and once as its source.
        Self::Config(error)
    }
}

/// Store and clock for [`Relay::start_with`].
#[derive(Clone)]
pub struct RelayOptions {
    /// Store to use instead of opening `store.path`.
    pub store: Option<Arc<dyn Store>>,
    /// Time source; tests pass a [`crate::clock::ShiftedClock`] to move
    /// time forward.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for RelayOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayOptions")
            .field("own_store", &self.store.is_some())
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for RelayOptions {
    fn default() -> Self {
        Self {
            store: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A running relay. Dropping it without [`Relay::shutdown`] aborts it.
pub struct Relay {
    addr: SocketAddr,
    state: Arc<AppState>,
    /// Tells the delivery worker to stop taking new alerts.
    stop_worker: watch::Sender<bool>,
    /// Tells the event confirmation to stop looking events up.
    stop_confirmer: watch::Sender<bool>,
    /// Tells the accept loop to close the listener.
    stop_server: watch::Sender<bool>,
    worker: Option<JoinHandle<()>>,
    /// Runs only when `[xmatters.rest]` is configured.
    confirmer: Option<JoinHandle<()>>,
    server: Option<JoinHandle<()>>,
}

impl Relay {
    /// Opens the store from `config.store`, then starts the delivery worker
    /// and serves HTTP on `listener` in background tasks.
    pub async fn start(listener: TcpListener, config: Config) -> Result<Self, ServeError> {
        Self::start_with(listener, config, RelayOptions::default()).await
    }

    /// Starts the relay over a store that is already open, such as another
    /// [`Store`] implementation.
    pub async fn start_with_store(
        listener: TcpListener,
        config: Config,
        store: Arc<dyn Store>,
    ) -> Result<Self, ServeError> {
        let options = RelayOptions {
            store: Some(store),
            ..RelayOptions::default()
        };
        Self::start_with(listener, config, options).await
    }

    /// Starts the relay with the store and clock in `options`: the
    /// delivery worker, the event confirmation when `[xmatters.rest]` is
    /// configured, and HTTP on `listener`, in background tasks.
    pub async fn start_with(
        listener: TcpListener,
        config: Config,
        options: RelayOptions,
    ) -> Result<Self, ServeError> {
        sections(&config).validate()?;
        let store = match options.store {
            Some(store) => store,
            None => open_store(&config).await?,
        };
        let clock = options.clock;
        let addr = listener.local_addr().map_err(ServeError::Listener)?;
        let metrics = Arc::new(Metrics::default());
        metrics.set_backlog(store.backlog().await?);

        let (worker, worker_handle) = delivery_worker(&config, &store, &metrics, &clock).await?;
        let confirmer = match &config.xmatters.rest {
            Some(rest) => Some(Confirmer::new(ConfirmerSetup {
                store: Arc::clone(&store),
                client: RestClient::new(rest)?,
                schedule: LookupSchedule::new(&config.confirmation),
                metrics: Arc::clone(&metrics),
                clock: Arc::clone(&clock),
                concurrency: config.confirmation.concurrency,
                poll_interval: config.delivery.poll_interval,
                request_timeout: rest.request_timeout,
            })),
            None => {
                tracing::info!(
                    "xmatters.rest is not configured: delivered alerts are not confirmed and \
                     callbacks cannot be matched to alerts"
                );
                None
            }
        };
        let limits = accept::ConnectionLimits {
            header_read_timeout: config.server.header_read_timeout,
            max_connections: config.server.max_connections,
        };
        let state = Arc::new(AppState::new(
            Arc::new(config),
            store,
            metrics,
            worker_handle,
            clock,
        ));

        let (stop_worker, worker_stopped) = watch::channel(false);
        let (stop_confirmer, confirmer_stopped) = watch::channel(false);
        let (stop_server, server_stopped) = watch::channel(false);
        let worker = tokio::spawn(worker.run(worker_stopped));
        let confirmer = confirmer.map(|confirmer| tokio::spawn(confirmer.run(confirmer_stopped)));
        let server = tokio::spawn(accept::serve(
            listener,
            router(Arc::clone(&state)),
            limits,
            server_stopped,
        ));
        tracing::info!(%addr, "relay started");

        Ok(Self {
            addr,
            state,
            stop_worker,
            stop_confirmer,
            stop_server,
            worker: Some(worker),
            confirmer,
            server: Some(server),
        })
    }

    /// Address the intake listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Intake URL for `token`, in the path form.
    pub fn intake_url(&self, token: &str) -> String {
        format!("http://{}/overops/webhook/{token}", self.addr)
    }

    /// Store the relay commits to, for inspection.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.state.store)
    }

    /// Counters as `/metrics` renders them.
    pub fn metrics(&self) -> &Metrics {
        &self.state.metrics
    }

    /// Stops gracefully: the intake responds 503 from now on, in-flight
    /// deliveries get `delivery.shutdown_grace` to finish, then the listener
    /// closes. Undelivered alerts stay in the store.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        tracing::info!("shutting down; the intake now responds 503");
        self.state.start_draining();

        let _ = self.stop_worker.send(true);
        if let Some(worker) = self.worker.take() {
            join("delivery worker", worker).await?;
        }
        let _ = self.stop_confirmer.send(true);
        if let Some(confirmer) = self.confirmer.take() {
            join("event confirmation", confirmer).await?;
        }
        let _ = self.stop_server.send(true);
        if let Some(server) = self.server.take() {
            join("HTTP server", server).await?;
        }
        tracing::info!("relay stopped");
        Ok(())
    }

    /// Stops at once without any grace, as a crash would: connections drop
    /// and deliveries in flight are abandoned. Committed alerts stay in the
    /// store; claimed ones are retried after their lease ends.
    pub fn abort(mut self) {
        self.abort_tasks();
    }

    fn abort_tasks(&mut self) {
        for task in [
            self.worker.take(),
            self.confirmer.take(),
            self.server.take(),
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
    }

    /// Waits until a service task ends on its own, which only happens when
    /// it failed.
    async fn failed(&mut self) -> ServeError {
        let (Some(worker), Some(server)) = (self.worker.as_mut(), self.server.as_mut()) else {
            return ServeError::Task {
                task: "relay",
                message: "the relay was already stopped".to_owned(),
            };
        };
        let confirmer = async {
            match self.confirmer.as_mut() {
                Some(confirmer) => confirmer.await,
                None => std::future::pending().await,
            }
        };
        let (task, result) = tokio::select! {
            result = worker => ("delivery worker", result),
            result = confirmer => ("event confirmation", result),
            result = server => ("HTTP server", result),
        };
        let message = match result {
            Ok(()) => "it stopped unexpectedly".to_owned(),
            Err(err) => err.to_string(),
        };
        ServeError::Task { task, message }
    }
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.abort_tasks();
    }
}

/// Runs the relay on `listener` until `shutdown` resolves, then shuts down
/// gracefully (see [`Relay::shutdown`]).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let mut relay = Relay::start(listener, config).await?;
    tokio::select! {
        _ = shutdown => relay.shutdown().await,
        err = relay.failed() => Err(err),
    }
}

fn sections(config: &Config) -> ServiceSections<'_> {
    ServiceSections {
        server: &config.server,
        store: &config.store,
        xmatters: &config.xmatters,
        delivery: &config.delivery,
        dedup: &config.dedup,
        confirmation: &config.confirmation,
        callbacks: &config.callbacks,
        admin: &config.admin,
        storm: &config.storm,
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/overops/webhook/{token}", post(intake::with_path_token))
        .route("/overops/webhook", post(intake::with_query_token))
        .route("/xmatters/callback/{token}", post(callback::with_token))
        .route("/xmatters/callback", post(callback::with_basic))
        .route("/alerts/{id}", get(admin::alert))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .with_state(state)
}

async fn open_store(config: &Config) -> Result<Arc<dyn Store>, ServeError> {
    let options = StoreOptions {
        max_batch: config.store.max_batch,
        ..StoreOptions::default()
    };
    let path = config.store.path.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path, &options))
        .await
        .map_err(|err| ServeError::Task {
            task: "store open",
            message: err.to_string(),
        })??;
    Ok(Arc::new(store))
}

/// Builds the delivery worker with storm protection restored from the
/// store, and the handle that wakes it.
async fn delivery_worker(
    config: &Config,
    store: &Arc<dyn Store>,
    metrics: &Arc<Metrics>,
    clock: &Arc<dyn Clock>,
) -> Result<(Worker, crate::delivery::WorkerHandle), ServeError> {
    let storm = StormGuard::load(
        Arc::clone(store),
        config.storm.clone(),
        config.mapping.clone(),
        Arc::clone(metrics),
        Arc::clone(clock),
    )
    .await?;
    let setup = WorkerSetup {
        store: Arc::clone(store),
        client: XmattersClient::new(&config.xmatters, config.delivery.response_excerpt_bytes)?,
        metrics: Arc::clone(metrics),
        clock: Arc::clone(clock),
        lookups: config
            .xmatters
            .rest
            .as_ref()
            .map(|_| LookupSchedule::new(&config.confirmation)),
        storm,
    };
    Ok(Worker::new(
        setup,
        &config.delivery,
        config.xmatters.request_timeout,
    ))
}

async fn join(task: &'static str, handle: JoinHandle<()>) -> Result<(), ServeError> {
    handle.await.map_err(|err| ServeError::Task {
        task,
        message: err.to_string(),
    })
}
