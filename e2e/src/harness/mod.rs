//! The whole path in one process: mock-xmatters with a chosen world, the
//! relay over a temporary store, and the mock-overops sender, each on its
//! own `127.0.0.1:0` port.
//!
//! The relay confirms each delivered alert through the simulator's REST
//! API when the world has a REST user, and the world is changed to send
//! RESPONSE and STATUS webhooks to the relay's callback endpoint.
//!
//! ```no_run
//! # async fn demo() -> Result<(), e2e::HarnessError> {
//! use e2e::Harness;
//! use mock_overops::generate::GenOptions;
//! use mock_xmatters::World;
//!
//! let mut harness = Harness::start(World::default_world()).await?;
//! let event_id = harness.deliver_generated(&GenOptions::default()).await?;
//! harness.respond(event_id, "alice", "Acknowledge").await?;
//! let story = harness.story().await?;
//! # Ok(())
//! # }
//! ```

mod config;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use mock_overops::generate::{GenOptions, generate_bytes};
use mock_xmatters::server::{MockXmatters, ServerOptions};
use mock_xmatters::{ClockMode, World};
use relay::clock::ShiftedClock;
use relay::config::Config;
use relay::server::{Relay, RelayOptions, ServeError};
use relay::store::{AlertId, AlertRecord, AlertState, AlertSummary, StoreError};
use serde::Serialize;
use tempfile::TempDir;
use tokio::net::TcpListener;
use url::Url;

pub use config::{CALLBACK_TOKEN, INTAKE_TOKEN, confirm_through, relay_config};
pub use world::{RELAY_TARGET, with_callbacks_to};

use crate::poll::{DEFAULT_MAX_POLLS, PollError, eventually};
use crate::simulator::{SimulatorClient, SimulatorError};
use crate::story::Story;

/// The inbound integration of the built-in worlds that takes trigger
/// objects, as the relay sends them.
pub const RELAY_INTEGRATION: &str = "OverOps relay";

/// Time the harness's HTTP clients wait for one response.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Most alerts [`Harness::story`] and [`Harness::wait_idle`] read from the
/// store; far more than any scenario sends.
const MAX_LISTED_ALERTS: usize = 1_000;

/// A failure to run the harness or a step of a scenario.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A loopback port could not be bound, or the simulator failed to start.
    #[error("cannot start on 127.0.0.1: {0}")]
    Io(#[from] std::io::Error),
    /// The world has no integration of the kind the relay needs.
    #[error(
        "the world has no integration named {RELAY_INTEGRATION:?}; add one of kind \"trigger\""
    )]
    MissingIntegration,
    /// The relay failed to start or to stop.
    #[error("relay: {0}")]
    Relay(#[from] ServeError),
    /// The relay's store could not be read.
    #[error("relay store: {0}")]
    Store(#[from] StoreError),
    /// An HTTP client could not be built or a URL not parsed.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// Posting an alert to the relay failed before a response arrived.
    #[error("sending the alert failed: {0}")]
    Send(#[from] mock_overops::send::SendError),
    /// A `/mock` hook failed.
    #[error(transparent)]
    Simulator(#[from] SimulatorError),
    /// A condition did not hold within the polling bound.
    #[error(transparent)]
    Poll(#[from] PollError),
    /// A step needs the relay, but it is stopped.
    #[error("the relay is stopped; call restart_relay first")]
    RelayStopped,
    /// The relay delivered an alert but the simulator created no event
    /// from it.
    #[error("alert {alert} was delivered but created no event; activity log: {activity}")]
    NoEvent {
        /// The delivered alert.
        alert: AlertId,
        /// The simulator's activity entry for the trigger, which names the
        /// reason.
        activity: String,
    },
    /// The relay responded, but not as the step expects.
    #[error("unexpected intake response {reply:?}: {expected}")]
    Unexpected {
        /// The response.
        reply: IntakeReply,
        /// What the step needed.
        expected: String,
    },
}

/// The relay's response to one webhook request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntakeReply {
    /// HTTP status.
    pub status: u16,
    /// Alert id from a 202 body; for a duplicate, the original's id.
    pub id: Option<AlertId>,
    /// Whether the relay recognised a repeat and did not forward it.
    pub duplicate: Option<bool>,
    /// Error message from a 4xx or 5xx body.
    pub error: Option<String>,
}

impl IntakeReply {
    fn parse(status: u16, body: &[u8]) -> Self {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        Self {
            status,
            id: json["id"].as_str().and_then(|id| id.parse().ok()),
            duplicate: json["duplicate"].as_bool(),
            error: json["error"].as_str().map(str::to_owned),
        }
    }
}

/// A running simulator and relay, and every response the relay sent.
///
/// Dropping the harness stops both and deletes the store.
#[derive(Debug)]
pub struct Harness {
    xmatters: MockXmatters,
    simulator: SimulatorClient,
    /// `None` while the relay is stopped between [`Harness::stop_relay`]
    /// (or [`Harness::crash_relay`]) and [`Harness::restart_relay`].
    relay: Option<Relay>,
    /// Address the relay listens on. A restart binds it again, because the
    /// simulator's webhook target points at it.
    relay_addr: SocketAddr,
    /// Configuration every (re)start of the relay uses, so a restart opens
    /// the same store.
    config: Config,
    /// The relay's time source: the system clock until a test moves it
    /// ahead, such as past a storm window.
    relay_clock: Arc<ShiftedClock>,
    /// Client that plays OverOps.
    sender: reqwest::Client,
    /// Intake responses in the order the alerts were sent.
    replies: Vec<IntakeReply>,
    /// Directory of the relay's SQLite store; deleted on drop.
    _store_dir: TempDir,
}

impl Harness {
    /// Starts the simulator of `world` with a manual clock and a relay with
    /// the harness configuration ([`relay_config`]).
    pub async fn start(world: World) -> Result<Self, HarnessError> {
        Self::start_with(world, ClockMode::Manual, |_| {}).await
    }

    /// Starts the simulator of `world` with `clock`, and a relay whose
    /// configuration `configure` may change first.
    pub async fn start_with(
        world: World,
        clock: ClockMode,
        configure: impl FnOnce(&mut Config),
    ) -> Result<Self, HarnessError> {
        let integration = world
            .integration(RELAY_INTEGRATION)
            .cloned()
            .ok_or(HarnessError::MissingIntegration)?;
        let relay_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let relay_addr = relay_listener.local_addr()?;
        let callback_url = format!("http://{relay_addr}/xmatters/callback/{CALLBACK_TOKEN}");
        let rest_user = world.rest_users.first().cloned();
        let world = with_callbacks_to(world, callback_url);

        let options = ServerOptions {
            clock,
            ..ServerOptions::default()
        };
        let xmatters = MockXmatters::start(world, options).await?;
        let http = http_client()?;
        let simulator = SimulatorClient::new(xmatters.base_url(), http.clone());

        let store_dir = tempfile::tempdir()?;
        let trigger_url = format!(
            "{}/api/integration/1/functions/{}/triggers",
            xmatters.base_url(),
            integration.uuid
        );
        let mut config = relay_config(
            &store_dir.path().join("relay.db"),
            trigger_url,
            &integration.api_key,
        );
        if let Some(user) = rest_user {
            confirm_through(
                &mut config,
                xmatters.base_url(),
                &user.username,
                &user.password,
            );
        }
        configure(&mut config);
        let relay_clock = Arc::new(ShiftedClock::new());
        let relay = start_relay(relay_listener, config.clone(), &relay_clock).await?;

        Ok(Self {
            xmatters,
            simulator,
            relay: Some(relay),
            relay_addr,
            config,
            relay_clock,
            sender: http,
            replies: Vec::new(),
            _store_dir: store_dir,
        })
    }

    /// Returns the client for the simulator's `/mock` hooks.
    pub fn simulator(&self) -> &SimulatorClient {
        &self.simulator
    }

    /// Returns the running simulator.
    pub fn xmatters(&self) -> &MockXmatters {
        &self.xmatters
    }

    /// Returns the running relay.
    pub fn relay(&self) -> Result<&Relay, HarnessError> {
        self.relay.as_ref().ok_or(HarnessError::RelayStopped)
    }

    /// Returns the relay's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Returns the webhook URL OverOps would be given, token included.
    pub fn intake_url(&self) -> Result<String, HarnessError> {
        Ok(self.relay()?.intake_url(INTAKE_TOKEN))
    }

    /// Returns the relay's responses so far, oldest first.
    pub fn replies(&self) -> &[IntakeReply] {
        &self.replies
    }

    /// Posts `body` to the relay exactly as given, as OverOps would, and
    /// keeps the response for the story.
    pub async fn send(&mut self, body: impl Into<Bytes>) -> Result<IntakeReply, HarnessError> {
        let url = Url::parse(&self.intake_url()?)
            .map_err(|error| HarnessError::Client(error.to_string()))?;
        let outcome = mock_overops::send::send(&self.sender, &url, body.into()).await?;
        let reply = IntakeReply::parse(outcome.status, &outcome.body);
        self.replies.push(reply.clone());
        Ok(reply)
    }

    /// Sends `body`, waits until the relay delivered it and the simulator
    /// processed it, and returns the created event's numeric id.
    pub async fn deliver(&mut self, body: impl Into<Bytes>) -> Result<u64, HarnessError> {
        let reply = self.send(body).await?;
        let id = match reply {
            IntakeReply {
                status: 202,
                id: Some(id),
                duplicate: Some(false),
                ..
            } => id,
            reply => {
                return Err(HarnessError::Unexpected {
                    reply,
                    expected: "202 with a new alert id".to_owned(),
                });
            }
        };
        let record = self.wait_settled(id).await?;
        self.simulator.settle().await?;
        self.event_of(&record).await
    }

    /// Generates a payload with mock-overops and delivers it like
    /// [`Harness::deliver`].
    pub async fn deliver_generated(&mut self, options: &GenOptions) -> Result<u64, HarnessError> {
        self.deliver(generate_bytes(options)).await
    }

    /// Returns whether the relay looks events up, which makes `delivered`
    /// a passing state on the way to `confirmed` or `unconfirmed`.
    fn confirms(&self) -> bool {
        self.config.xmatters.rest.is_some()
    }

    /// Returns the states an alert passes through on its way to a final
    /// state.
    fn passing_states(&self) -> Vec<AlertState> {
        let mut states = vec![AlertState::Pending, AlertState::Held];
        if self.confirms() {
            states.push(AlertState::Delivered);
        }
        states
    }

    /// Waits until alert `id` reaches a final state (confirmed,
    /// unconfirmed, digested or dead, or delivered when the relay does not
    /// confirm) and returns its record.
    pub async fn wait_settled(&self, id: AlertId) -> Result<AlertRecord, HarnessError> {
        let store = self.relay()?.store();
        let passing = self.passing_states();
        let what = format!("alert {id} to reach a final state");
        let record = eventually(&what, DEFAULT_MAX_POLLS, || {
            let store = Arc::clone(&store);
            let passing = &passing;
            async move {
                match store.get(id).await {
                    Ok(Some(record)) if !passing.contains(&record.state) => Ok(record),
                    Ok(Some(record)) => Err(describe_pending(&record)),
                    Ok(None) => Err("no such alert in the store".to_owned()),
                    Err(error) => Err(format!("the store failed: {error}")),
                }
            }
        })
        .await?;
        Ok(record)
    }

    /// Waits until alert `id` has at least `count` recorded attempts.
    pub async fn wait_attempts(
        &self,
        id: AlertId,
        count: usize,
    ) -> Result<AlertRecord, HarnessError> {
        let store = self.relay()?.store();
        let what = format!("alert {id} to have {count} delivery attempts");
        let record = eventually(&what, DEFAULT_MAX_POLLS, || {
            let store = Arc::clone(&store);
            async move {
                match store.get(id).await {
                    Ok(Some(record)) if record.attempts.len() >= count => Ok(record),
                    Ok(Some(record)) => Err(describe_pending(&record)),
                    Ok(None) => Err("no such alert in the store".to_owned()),
                    Err(error) => Err(format!("the store failed: {error}")),
                }
            }
        })
        .await?;
        Ok(record)
    }

    /// Waits until `check` accepts the list of stored alerts, newest first.
    /// `check` returns what it saw instead when it rejects the list.
    pub async fn wait_for_alerts(
        &self,
        what: &str,
        check: impl Fn(&[AlertSummary]) -> Result<(), String>,
    ) -> Result<(), HarnessError> {
        let store = self.relay()?.store();
        let check = &check;
        eventually(what, DEFAULT_MAX_POLLS, || {
            let store = Arc::clone(&store);
            async move {
                let alerts = store
                    .list(None, MAX_LISTED_ALERTS)
                    .await
                    .map_err(|error| format!("the store failed: {error}"))?;
                check(&alerts)
            }
        })
        .await?;
        Ok(())
    }

    /// Waits until every stored alert is in a final state (see
    /// [`Harness::wait_settled`]) and the simulator has processed every
    /// trigger and sent every webhook it queued.
    ///
    /// NOTE: an alert that storm protection holds stays held until the
    /// relay's storm window has room, so move the relay's clock with
    /// [`Harness::advance_relay_clock`] first or this times out.
    pub async fn wait_idle(&self) -> Result<(), HarnessError> {
        let store = self.relay()?.store();
        let passing = self.passing_states();
        let what = "every stored alert to reach a final state";
        eventually(what, DEFAULT_MAX_POLLS, || {
            let store = Arc::clone(&store);
            let passing = &passing;
            async move {
                for state in passing {
                    let waiting = store
                        .list(Some(*state), MAX_LISTED_ALERTS)
                        .await
                        .map_err(|error| format!("the store failed: {error}"))?;
                    if let Some(first) = waiting.first() {
                        return Err(format!(
                            "{} {state}, such as alert {} after {} attempts (last error: {})",
                            waiting.len(),
                            first.id,
                            first.attempts,
                            first.last_error.as_deref().unwrap_or("none")
                        ));
                    }
                }
                Ok(())
            }
        })
        .await?;
        self.simulator.settle().await?;
        Ok(())
    }

    /// Moves the simulator's clock forward by `minutes` and waits until the
    /// webhooks this queued are sent, so that they are sent at the new
    /// simulated time and not after a later step. Returns the new time.
    pub async fn advance_minutes(&self, minutes: u64) -> Result<String, HarnessError> {
        let now = self
            .simulator
            .advance(Duration::from_secs(minutes * 60))
            .await?;
        self.simulator.settle().await?;
        Ok(now)
    }

    /// Moves the relay's clock forward by `by`. The relay notices the new
    /// time at its next look at the store (`delivery.poll_interval`).
    pub fn advance_relay_clock(&self, by: Duration) {
        self.relay_clock.advance(by);
    }

    /// Responds to event `event_id` as `recipient` (see
    /// [`SimulatorClient::respond`]) and waits until the webhooks this
    /// queued are sent. Returns what the response did.
    pub async fn respond(
        &self,
        event_id: u64,
        recipient: &str,
        response: &str,
    ) -> Result<serde_json::Value, HarnessError> {
        let outcome = self
            .simulator
            .respond(event_id, recipient, response)
            .await?;
        self.simulator.settle().await?;
        Ok(outcome)
    }

    /// Stops the relay gracefully: in-flight deliveries finish, undelivered
    /// alerts stay in the store.
    pub async fn stop_relay(&mut self) -> Result<(), HarnessError> {
        let relay = self.relay.take().ok_or(HarnessError::RelayStopped)?;
        relay.shutdown().await?;
        Ok(())
    }

    /// Stops the relay at once, as a crash would.
    pub fn crash_relay(&mut self) -> Result<(), HarnessError> {
        let relay = self.relay.take().ok_or(HarnessError::RelayStopped)?;
        relay.abort();
        Ok(())
    }

    /// Starts the relay again over the same store and on the same address.
    pub async fn restart_relay(&mut self) -> Result<(), HarnessError> {
        if self.relay.is_some() {
            self.stop_relay().await?;
        }
        // An aborted relay closes its listener only when its task is next
        // polled, so the address may still be taken for a moment.
        let address = self.relay_addr;
        let what = format!("{address} to be free for the restarted relay");
        let listener = eventually(&what, DEFAULT_MAX_POLLS, || async move {
            TcpListener::bind(address)
                .await
                .map_err(|error| error.to_string())
        })
        .await?;
        self.relay = Some(start_relay(listener, self.config.clone(), &self.relay_clock).await?);
        Ok(())
    }

    /// Collects the relay's responses to OverOps, what the relay recorded and what
    /// the simulator saw and did, for a snapshot.
    pub async fn story(&self) -> Result<Story, HarnessError> {
        // Webhooks still queued in the simulator would be missing from the
        // relay's records.
        self.simulator.settle().await?;
        let store = self.relay()?.store();
        let mut summaries = store.list(None, MAX_LISTED_ALERTS).await?;
        // Oldest first, as the alerts were sent.
        summaries.reverse();
        let mut records = Vec::with_capacity(summaries.len());
        for summary in summaries {
            if let Some(record) = store.get(summary.id).await? {
                records.push(record);
            }
        }

        let unmatched = store.list_callbacks(true, MAX_LISTED_ALERTS).await?;

        let journal = self.simulator.journal().await?;
        let activity = self.simulator.activity().await?;
        let mut timelines = Vec::new();
        for event_id in self.simulator.event_ids().await? {
            timelines.push((event_id, self.simulator.timeline(event_id).await?));
        }
        Ok(Story::build(
            &self.replies,
            &records,
            &unmatched,
            journal,
            activity,
            timelines,
        ))
    }

    /// Stops the relay (if running) and the simulator.
    pub async fn shutdown(mut self) -> Result<(), HarnessError> {
        if let Some(relay) = self.relay.take() {
            relay.shutdown().await?;
        }
        self.xmatters.shutdown().await?;
        Ok(())
    }

    /// Finds the event the simulator created from a delivered alert, by the
    /// `requestId` xMatters returned to the relay.
    async fn event_of(&self, record: &AlertRecord) -> Result<u64, HarnessError> {
        let activity = self.simulator.activity().await?;
        let request_id = record.request_id.as_deref().unwrap_or_default();
        let entry = activity
            .iter()
            .find(|entry| entry["requestId"].as_str() == Some(request_id));
        match entry.and_then(|entry| entry["event"]["eventId"].as_u64()) {
            Some(event_id) => Ok(event_id),
            None => Err(HarnessError::NoEvent {
                alert: record.id,
                activity: entry.map_or_else(|| "no entry".to_owned(), ToString::to_string),
            }),
        }
    }
}

async fn start_relay(
    listener: TcpListener,
    config: Config,
    clock: &Arc<ShiftedClock>,
) -> Result<Relay, HarnessError> {
    let options = RelayOptions {
        clock: Arc::clone(clock) as Arc<dyn relay::clock::Clock>,
        ..RelayOptions::default()
    };
    Ok(Relay::start_with(listener, config, options).await?)
}

fn http_client() -> Result<reqwest::Client, HarnessError> {
    mock_overops::send::client(HTTP_TIMEOUT, 4)
        .map_err(|error| HarnessError::Client(error.to_string()))
}

fn describe_pending(record: &AlertRecord) -> String {
    let last = record.attempts.last().map_or_else(
        || "none".to_owned(),
        |attempt| match (&attempt.status, &attempt.error) {
            (Some(status), _) => format!("status {status}"),
            (None, Some(error)) => error.clone(),
            (None, None) => "no status".to_owned(),
        },
    );
    format!(
        "state {} after {} attempts, last attempt: {last}",
        record.state,
        record.attempts.len()
    )
}
