//! The delivery loop: claims due alerts from the store, posts them with
//! bounded concurrency and records each attempt and its outcome.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::Rng;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::backoff::StoreBackoff;
use super::client::{SendOutcome, SendReport, XmattersClient};
use super::policy::{self, RetryDecision, RetryHint, RetryPolicy};
use crate::clock::Clock;
use crate::config::service::DeliveryConfig;
use crate::confirm::LookupSchedule;
use crate::metrics::Metrics;
use crate::store::{AlertKind, Attempt, AttemptOutcome, DueAlert, Store, StoreError};
use crate::storm::StormGuard;

/// Lets the intake wake the worker and the readiness probe see it running.
#[derive(Clone, Debug, Default)]
pub struct WorkerHandle {
    /// Signalled after each stored alert so delivery starts without waiting
    /// for the poll interval. A signal sent while the worker is busy is kept.
    wake: Arc<Notify>,
    /// True while the delivery loop runs.
    running: Arc<AtomicBool>,
}

impl WorkerHandle {
    /// Tells the worker that new alerts may be due.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Returns whether the delivery loop is running.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }
}

/// State shared by the delivery tasks.
struct Shared {
    store: Arc<dyn Store>,
    client: XmattersClient,
    policy: RetryPolicy,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    /// Plans the event lookup of each delivered alert; `None` without REST
    /// credentials, which leaves delivered alerts `delivered`.
    lookups: Option<LookupSchedule>,
}

/// Dependencies of the worker, gathered by the server at start.
pub struct WorkerSetup {
    /// Outbox to claim alerts from and record attempts in.
    pub store: Arc<dyn Store>,
    /// Client of the trigger endpoint.
    pub client: XmattersClient,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Lookup schedule when confirmation is configured.
    pub lookups: Option<LookupSchedule>,
    /// Storm protection, restored from the store.
    pub storm: StormGuard,
}

impl std::fmt::Debug for WorkerSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerSetup")
            .field("xmatters", &self.client.display_url())
            .field("confirms", &self.lookups.is_some())
            .finish_non_exhaustive()
    }
}

/// Delivery worker; see [`Worker::run`].
pub struct Worker {
    shared: Arc<Shared>,
    handle: WorkerHandle,
    /// Decides which claimed alerts go out and creates digests.
    storm: StormGuard,
    /// Deliveries in flight at once.
    concurrency: usize,
    /// Maximum sleep between looks at the store.
    poll_interval: Duration,
    /// Time in-flight deliveries get to finish at shutdown.
    shutdown_grace: Duration,
    /// How long a claimed alert stays reserved for this worker. It exceeds
    /// the request timeout, so a live delivery always records its attempt
    /// before the lease ends.
    lease: Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("concurrency", &self.concurrency)
            .field("xmatters", &self.shared.client.display_url())
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Creates a worker and the handle the intake uses to wake it.
    pub fn new(
        setup: WorkerSetup,
        config: &DeliveryConfig,
        request_timeout: Duration,
    ) -> (Self, WorkerHandle) {
        let handle = WorkerHandle::default();
        let worker = Self {
            shared: Arc::new(Shared {
                store: setup.store,
                client: setup.client,
                policy: RetryPolicy::new(config),
                metrics: setup.metrics,
                clock: setup.clock,
                lookups: setup.lookups,
            }),
            handle: handle.clone(),
            storm: setup.storm,
            concurrency: config.concurrency.max(1),
            poll_interval: config.poll_interval,
            shutdown_grace: config.shutdown_grace,
            lease: request_timeout.saturating_mul(2) + Duration::from_secs(1),
        };
        (worker, handle)
    }

    /// Delivers due alerts until `shutdown` becomes true, then gives
    /// in-flight deliveries `delivery.shutdown_grace` to finish. Alerts not
    /// finished by then stay pending in the store.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let running = Arc::clone(&self.handle.running);
        let _running = RunningFlag::raise(&running);
        tracing::info!(
            xmatters = %self.shared.client.display_url(),
            concurrency = self.concurrency,
            "delivery worker started"
        );

        let mut tasks = JoinSet::new();
        let mut backoff = StoreBackoff::default();
        while !*shutdown.borrow() {
            while let Some(result) = tasks.try_join_next() {
                log_task_failure(result);
            }

            let wait = match backoff.remaining() {
                Some(pause) => pause,
                None => match self.claim_and_plan(&mut tasks).await {
                    Ok(wait) => {
                        backoff.succeeded();
                        wait
                    }
                    Err((operation, error)) => backoff.failed(operation, &error),
                },
            };
            // New alerts do not end a pause after store failures.
            let paused = backoff.remaining().is_some();
            tokio::select! {
                _ = self.handle.wake.notified(), if !paused => {}
                _ = tokio::time::sleep(wait) => {}
                Some(result) = tasks.join_next(), if !tasks.is_empty() => log_task_failure(result),
                _ = shutdown.changed() => {}
            }
        }

        self.drain(tasks).await;
        tracing::info!("delivery worker stopped");
    }

    /// Claims due alerts into free slots and returns how long to wait before
    /// looking again, or the store operation that failed.
    async fn claim_and_plan(
        &mut self,
        tasks: &mut JoinSet<()>,
    ) -> Result<Duration, (&'static str, StoreError)> {
        self.storm.send_digests().await;
        self.claim_and_spawn(tasks)
            .await
            .map_err(|error| ("claiming due alerts", error))?;
        if tasks.len() >= self.concurrency {
            // Every slot is busy; a finishing task ends the wait.
            return Ok(self.poll_interval);
        }
        let due = self
            .time_until_next_due()
            .await
            .map_err(|error| ("reading the next due time", error))?;
        Ok(due.min(self.time_until_next_digest()))
    }

    async fn claim_and_spawn(&mut self, tasks: &mut JoinSet<()>) -> Result<(), StoreError> {
        let free = self.concurrency.saturating_sub(tasks.len());
        if free == 0 {
            return Ok(());
        }
        let now = self.shared.clock.now();
        let claimed = self
            .shared
            .store
            .claim_due(now, free, policy::add(now, self.lease))
            .await?;
        let alerts = self.storm.screen(claimed).await;
        for alert in alerts {
            let shared = Arc::clone(&self.shared);
            let span = tracing::info_span!(
                "delivery",
                alert_id = %alert.id,
                digest = alert.kind == AlertKind::Digest,
                attempt = alert.attempts + 1
            );
            tasks.spawn(deliver(shared, alert).instrument(span));
        }
        Ok(())
    }

    fn time_until_next_digest(&self) -> Duration {
        self.storm
            .next_digest_at()
            .map_or(self.poll_interval, |next| {
                let until = next.duration_since(self.shared.clock.now());
                Duration::try_from(until)
                    .unwrap_or_default()
                    .min(self.poll_interval)
            })
    }

    async fn time_until_next_due(&self) -> Result<Duration, StoreError> {
        let wait = match self.shared.store.next_due_at().await? {
            Some(next) => {
                let until = next.duration_since(self.shared.clock.now());
                Duration::try_from(until)
                    .unwrap_or_default()
                    .min(self.poll_interval)
            }
            None => self.poll_interval,
        };
        Ok(wait)
    }

    async fn drain(&self, mut tasks: JoinSet<()>) {
        if tasks.is_empty() {
            return;
        }
        tracing::info!(
            in_flight = tasks.len(),
            grace = ?self.shutdown_grace,
            "waiting for in-flight deliveries"
        );
        let deadline = tokio::time::sleep(self.shutdown_grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = tasks.join_next() => match next {
                    Some(result) => log_task_failure(result),
                    None => return,
                },
                _ = &mut deadline => {
                    tracing::warn!(
                        abandoned = tasks.len(),
                        "shutdown grace period ended; unfinished deliveries stay pending \
                         and are retried after the next start"
                    );
                    tasks.abort_all();
                    return;
                }
            }
        }
    }
}

/// Keeps [`WorkerHandle::is_running`] true while the loop runs, and clears
/// it when the loop ends in any way, including a panic or an abort.
struct RunningFlag<'a>(&'a AtomicBool);

impl<'a> RunningFlag<'a> {
    fn raise(flag: &'a AtomicBool) -> Self {
        flag.store(true, Ordering::SeqCst);
        Self(flag)
    }
}

impl Drop for RunningFlag<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

fn log_task_failure(result: Result<(), tokio::task::JoinError>) {
    if let Err(err) = result {
        if err.is_panic() {
            tracing::error!(error = %err, "a delivery task panicked; its alert is retried after its lease ends");
        }
    }
}

/// Makes one attempt for `alert` and records it.
async fn deliver(shared: Arc<Shared>, alert: DueAlert) {
    let now = shared.clock.now();
    if shared.policy.is_expired(alert.queued_at, now) {
        let reason = format!(
            "not delivered within the maximum age of {} (delivery.max_age) after {} attempts",
            policy::humanize(shared.policy.max_age()),
            alert.attempts
        );
        match shared.store.mark_dead(alert.id, reason.clone()).await {
            Ok(()) => {
                shared.metrics.dead();
                tracing::error!(%reason, "alert is dead");
            }
            Err(err) => tracing::error!(error = %err, "recording the expired alert failed"),
        }
        return;
    }

    let report = shared.client.send(&alert.trigger).await;
    let attempts = alert.attempts + 1;
    let (attempt, outcome) = judge(&shared, &alert, attempts, report);

    // NOTE: xMatters has no deduplication. If the process dies after
    // xMatters accepted the trigger but before this commit, the alert is
    // still pending and is sent again after its lease ends, so recipients
    // are notified twice, so delivery is at least once.
    if let Err(err) = shared
        .store
        .record_attempt(alert.id, attempt.clone(), outcome.clone())
        .await
    {
        tracing::error!(
            error = %err,
            "recording the delivery attempt failed; the alert is retried after its lease ends"
        );
        return;
    }

    report_outcome(&shared.metrics, &alert, &attempt, &outcome);
}

/// Turns a send report into the attempt to record and the alert's next state.
fn judge(
    shared: &Shared,
    alert: &DueAlert,
    attempts: u32,
    report: SendReport,
) -> (Attempt, AttemptOutcome) {
    let duration_ms = u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX);
    let mut attempt = Attempt {
        started_at: report.started_at,
        duration_ms,
        status: None,
        error: None,
        response_excerpt: None,
    };

    let outcome = match report.outcome {
        SendOutcome::Accepted {
            status,
            request_id,
            excerpt,
        } => {
            attempt.status = Some(status);
            attempt.response_excerpt = Some(excerpt);
            if request_id.is_none() {
                // Kept with the attempt so that `relay alerts show` explains
                // why the delivered alert has no request id.
                attempt.error = Some(format!(
                    "xMatters responded {status} without a requestId in the body, so the \
                     event cannot be looked up in xMatters by its request id"
                ));
            }
            let at = shared.clock.now();
            AttemptOutcome::Delivered {
                request_id,
                at,
                lookup: shared.lookups.as_ref().map(|lookups| lookups.plan(at)),
            }
        }
        SendOutcome::Retryable {
            status,
            error,
            rate_limited,
            retry_after,
            excerpt,
        } => {
            attempt.status = status;
            attempt.error = Some(error.clone());
            attempt.response_excerpt = excerpt;
            let hint = RetryHint {
                rate_limited,
                retry_after,
            };
            let spread = rand::thread_rng().gen_range(-1.0..=1.0);
            let now = shared.clock.now();
            match shared
                .policy
                .decide(alert.queued_at, now, attempts, hint, spread)
            {
                RetryDecision::RetryAt(at) => AttemptOutcome::RetryAt(at),
                RetryDecision::Expire { reason } => AttemptOutcome::Dead {
                    reason: format!("{reason}; last error: {error}"),
                },
            }
        }
        SendOutcome::Rejected {
            status,
            reason,
            excerpt,
        } => {
            attempt.status = Some(status);
            attempt.error = Some(reason.clone());
            attempt.response_excerpt = Some(excerpt);
            AttemptOutcome::Dead {
                reason: format!(
                    "{reason}. A retry would get the same response, so the relay does not \
                     retry it; fix the cause, then run `relay alerts retry {}`",
                    alert.id
                ),
            }
        }
    };
    (attempt, outcome)
}

fn report_outcome(
    metrics: &Metrics,
    alert: &DueAlert,
    attempt: &Attempt,
    outcome: &AttemptOutcome,
) {
    match outcome {
        AttemptOutcome::Delivered { request_id, at, .. } => {
            let latency =
                Duration::try_from(at.duration_since(alert.received_at)).unwrap_or_default();
            metrics.delivered(latency);
            match request_id {
                Some(request_id) => tracing::info!(
                    %request_id,
                    status = attempt.status,
                    latency = ?latency,
                    "alert delivered"
                ),
                None => tracing::warn!(
                    status = attempt.status,
                    latency = ?latency,
                    response = attempt.response_excerpt.as_deref().unwrap_or(""),
                    "alert delivered, but the response has no requestId; check the \
                     xMatters activity log that the event was created"
                ),
            }
        }
        AttemptOutcome::RetryAt(at) => {
            metrics.retry_scheduled();
            tracing::warn!(
                status = attempt.status,
                error = attempt.error.as_deref().unwrap_or(""),
                retry_at = %at,
                "delivery attempt failed; retrying later"
            );
        }
        AttemptOutcome::Dead { reason } => {
            metrics.dead();
            tracing::error!(
                status = attempt.status,
                %reason,
                response = attempt.response_excerpt.as_deref().unwrap_or(""),
                "alert is dead"
            );
        }
    }
}
