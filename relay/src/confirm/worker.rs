//! The lookup loop: claims delivered alerts whose lookup is due, searches
//! for their events and records each result.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::client::RestClient;
use super::schedule::{LookupResult, LookupSchedule};
use crate::clock::Clock;
use crate::delivery::policy::add;
use crate::metrics::Metrics;
use crate::store::{DueLookup, LookupOutcome, Store};

/// State shared by the lookup tasks.
struct Shared {
    store: Arc<dyn Store>,
    client: RestClient,
    schedule: LookupSchedule,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
}

/// Confirms delivered alerts; see [`Confirmer::run`].
pub struct Confirmer {
    shared: Arc<Shared>,
    /// Lookups in flight at once.
    concurrency: usize,
    /// Maximum sleep between looks at the store.
    poll_interval: Duration,
    /// How long a claimed lookup stays reserved. It exceeds the request
    /// timeout, so a live lookup records its result before the lease ends.
    lease: Duration,
}

impl std::fmt::Debug for Confirmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Confirmer")
            .field("events_url", &self.shared.client.events_url())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// Dependencies of the confirmer, gathered by the server at start.
pub struct ConfirmerSetup {
    /// Store of delivered alerts and their lookups.
    pub store: Arc<dyn Store>,
    /// REST client for the event search.
    pub client: RestClient,
    /// Lookup schedule and timeout.
    pub schedule: LookupSchedule,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Lookups in flight at once.
    pub concurrency: usize,
    /// Maximum sleep between looks at the store.
    pub poll_interval: Duration,
    /// Time one lookup request may take.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for ConfirmerSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmerSetup")
            .field("events_url", &self.client.events_url())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Confirmer {
    /// Creates the confirmer.
    pub fn new(setup: ConfirmerSetup) -> Self {
        Self {
            shared: Arc::new(Shared {
                store: setup.store,
                client: setup.client,
                schedule: setup.schedule,
                metrics: setup.metrics,
                clock: setup.clock,
            }),
            concurrency: setup.concurrency.max(1),
            poll_interval: setup.poll_interval,
            lease: setup.request_timeout.saturating_mul(2) + Duration::from_secs(1),
        }
    }

    /// Looks events up until `shutdown` becomes true. Lookups in flight
    /// then are abandoned; their alerts are looked up again after the next
    /// start, once their lease ends.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(
            events_url = %self.shared.client.events_url(),
            "event confirmation started"
        );
        let mut tasks = JoinSet::new();
        while !*shutdown.borrow() {
            while let Some(result) = tasks.try_join_next() {
                log_task_failure(result);
            }
            self.claim_and_spawn(&mut tasks).await;

            let wait = if tasks.len() < self.concurrency {
                self.time_until_next_lookup().await
            } else {
                self.poll_interval
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                Some(result) = tasks.join_next(), if !tasks.is_empty() => log_task_failure(result),
                _ = shutdown.changed() => {}
            }
        }
        tasks.abort_all();
        tracing::info!("event confirmation stopped");
    }

    async fn claim_and_spawn(&self, tasks: &mut JoinSet<()>) {
        let free = self.concurrency.saturating_sub(tasks.len());
        if free == 0 {
            return;
        }
        let now = self.shared.clock.now();
        let claimed = self
            .shared
            .store
            .claim_lookups(now, free, add(now, self.lease))
            .await;
        match claimed {
            Ok(lookups) => {
                for lookup in lookups {
                    let span = tracing::info_span!(
                        "confirmation",
                        alert_id = %lookup.id,
                        request_id = lookup.request_id.as_deref().unwrap_or(""),
                    );
                    tasks.spawn(look_up(Arc::clone(&self.shared), lookup).instrument(span));
                }
            }
            Err(err) => tracing::error!(error = %err, "claiming due event lookups failed"),
        }
    }

    async fn time_until_next_lookup(&self) -> Duration {
        match self.shared.store.next_lookup_at().await {
            Ok(Some(next)) => {
                let until = next.duration_since(self.shared.clock.now());
                Duration::try_from(until)
                    .unwrap_or_default()
                    .min(self.poll_interval)
            }
            Ok(None) => self.poll_interval,
            Err(err) => {
                tracing::error!(error = %err, "reading the next lookup time failed");
                self.poll_interval
            }
        }
    }
}

fn log_task_failure(result: Result<(), tokio::task::JoinError>) {
    if let Err(err) = result {
        if err.is_panic() {
            tracing::error!(error = %err, "a lookup task panicked; its alert is looked up again after its lease ends");
        }
    }
}

/// Makes one lookup for `lookup` and records its outcome.
async fn look_up(shared: Arc<Shared>, lookup: DueLookup) {
    let outcome = match lookup.request_id.as_deref() {
        Some(request_id) => {
            let result = shared.client.find_event(request_id).await;
            if let LookupResult::Failed(error) = &result {
                shared.metrics.lookup_failed();
                tracing::warn!(%error, "event lookup failed");
            }
            shared.schedule.decide(&lookup, shared.clock.now(), result)
        }
        None => LookupSchedule::without_request_id(),
    };

    let at = shared.clock.now();
    if let Err(err) = shared
        .store
        .record_lookup(lookup.id, at, outcome.clone())
        .await
    {
        tracing::error!(
            error = %err,
            "recording the event lookup failed; the alert is looked up again after its lease ends"
        );
        return;
    }
    report(&shared.metrics, &lookup, &outcome, at);
}

fn report(metrics: &Metrics, lookup: &DueLookup, outcome: &LookupOutcome, at: jiff::Timestamp) {
    match outcome {
        LookupOutcome::Found(event) => {
            let latency =
                Duration::try_from(at.duration_since(lookup.delivered_at)).unwrap_or_default();
            metrics.confirmed();
            tracing::info!(
                event_id = %event.event_id,
                event_uuid = %event.uuid,
                status = event.status.as_deref().unwrap_or(""),
                latency = ?latency,
                "alert confirmed"
            );
            if event.status.as_deref() == Some("SUPPRESSED") {
                metrics.suppressed();
                tracing::error!(
                    event_id = %event.event_id,
                    "xMatters suppressed the event, so nobody was notified; xMatters' flood \
                     control suppresses alerts to the same recipients beyond its rate, see \
                     [storm] in the relay configuration"
                );
            }
        }
        LookupOutcome::RetryAt { next_at, .. } => {
            tracing::debug!(next_lookup_at = %next_at, "no event yet");
        }
        LookupOutcome::Unconfirmed { reason, .. } => {
            metrics.unconfirmed();
            tracing::error!(%reason, "alert is unconfirmed");
        }
    }
}
