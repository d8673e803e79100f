//! The delivery worker over a store that cannot commit: it pauses between
//! tries, longer after each failure, instead of retrying at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use relay::clock::SystemClock;
use relay::config::MappingConfig;
use relay::config::service::{DeliveryConfig, Secret, StormConfig, XmattersConfig};
use relay::delivery::{Worker, WorkerSetup, XmattersClient};
use relay::metrics::Metrics;
use relay::store::{
    Admission, AlertId, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, Callback,
    DigestOutcome, DueAlert, DueLookup, HeldAlert, HeldGroup, InsertOutcome, LookupOutcome,
    NewAlert, NewDigest, RequeueOutcome, SqliteStore, Store, StoreError, StormDecision,
};
use relay::storm::StormGuard;
use tokio::sync::watch;

type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Claims beyond which the test stops the worker and fails, so a worker
/// that retries at once ends the test instead of spinning forever.
const RUNAWAY_CLAIMS: usize = 1000;

/// A store whose claims fail as on a full disk, while an alert is always
/// due. Everything else goes to a real store.
struct FullDisk {
    inner: SqliteStore,
    claims: AtomicUsize,
    stop: watch::Sender<bool>,
}

impl Store for FullDisk {
    fn insert(&self, alert: NewAlert) -> StoreFuture<'_, InsertOutcome> {
        self.inner.insert(alert)
    }

    fn claim_due(
        &self,
        _now: Timestamp,
        _limit: usize,
        _lease_until: Timestamp,
    ) -> StoreFuture<'_, Vec<DueAlert>> {
        if self.claims.fetch_add(1, Ordering::SeqCst) + 1 >= RUNAWAY_CLAIMS {
            let _ = self.stop.send(true);
        }
        Box::pin(async { Err(StoreError::Commit("disk I/O error".to_owned())) })
    }

    fn next_due_at(&self) -> StoreFuture<'_, Option<Timestamp>> {
        Box::pin(async { Ok(Some(Timestamp::UNIX_EPOCH)) })
    }

    fn record_attempt(
        &self,
        id: AlertId,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_attempt(id, attempt, outcome)
    }

    fn mark_dead(&self, id: AlertId, reason: String) -> StoreFuture<'_, ()> {
        self.inner.mark_dead(id, reason)
    }

    fn backlog(&self) -> StoreFuture<'_, u64> {
        self.inner.backlog()
    }

    fn check_writable(&self) -> StoreFuture<'_, ()> {
        self.inner.check_writable()
    }

    fn list(&self, state: Option<AlertState>, limit: usize) -> StoreFuture<'_, Vec<AlertSummary>> {
        self.inner.list(state, limit)
    }

    fn get(&self, id: AlertId) -> StoreFuture<'_, Option<AlertRecord>> {
        self.inner.get(id)
    }

    fn requeue(&self, id: AlertId, now: Timestamp) -> StoreFuture<'_, RequeueOutcome> {
        self.inner.requeue(id, now)
    }

    fn requeue_all_dead(&self, now: Timestamp) -> StoreFuture<'_, u64> {
        self.inner.requeue_all_dead(now)
    }

    fn record_storm_decisions(
        &self,
        decisions: Vec<StormDecision>,
        at: Timestamp,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_storm_decisions(decisions, at)
    }

    fn admissions_since(&self, since: Timestamp) -> StoreFuture<'_, Vec<Admission>> {
        self.inner.admissions_since(since)
    }

    fn held_groups(&self) -> StoreFuture<'_, Vec<HeldGroup>> {
        self.inner.held_groups()
    }

    fn held_alerts(&self, key: String, limit: usize) -> StoreFuture<'_, Vec<HeldAlert>> {
        self.inner.held_alerts(key, limit)
    }

    fn create_digest(&self, digest: NewDigest) -> StoreFuture<'_, DigestOutcome> {
        self.inner.create_digest(digest)
    }

    fn claim_lookups(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> StoreFuture<'_, Vec<DueLookup>> {
        self.inner.claim_lookups(now, limit, lease_until)
    }

    fn next_lookup_at(&self) -> StoreFuture<'_, Option<Timestamp>> {
        self.inner.next_lookup_at()
    }

    fn record_lookup(
        &self,
        id: AlertId,
        at: Timestamp,
        outcome: LookupOutcome,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_lookup(id, at, outcome)
    }

    fn insert_callback(&self, callback: Callback) -> StoreFuture<'_, Option<AlertId>> {
        self.inner.insert_callback(callback)
    }

    fn list_callbacks(&self, unmatched_only: bool, limit: usize) -> StoreFuture<'_, Vec<Callback>> {
        self.inner.list_callbacks(unmatched_only, limit)
    }
}

#[tokio::test(start_paused = true)]
async fn store_failures_slow_the_worker_down() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (stop, stopped) = watch::channel(false);
    let store = Arc::new(FullDisk {
        inner: SqliteStore::open(&dir.path().join("relay.db"), &Default::default())
            .expect("store opens"),
        claims: AtomicUsize::new(0),
        stop: stop.clone(),
    });
    let xmatters = XmattersConfig {
        // Never contacted: no alert is ever claimed.
        trigger_url: "http://127.0.0.1:9/triggers".to_owned(),
        api_key: Some(Secret::new("unused-key")),
        ..XmattersConfig::default()
    };
    let delivery = DeliveryConfig {
        poll_interval: Duration::from_millis(50),
        ..DeliveryConfig::default()
    };
    let metrics = Arc::new(Metrics::default());
    let storm = StormGuard::load(
        store.clone(),
        StormConfig::default(),
        MappingConfig::default(),
        Arc::clone(&metrics),
        Arc::new(SystemClock),
    )
    .await
    .expect("storm state loads");
    let setup = WorkerSetup {
        store: store.clone(),
        client: XmattersClient::new(&xmatters, 1024).expect("client builds"),
        metrics,
        clock: Arc::new(SystemClock),
        lookups: None,
        storm,
    };
    let (worker, _handle) = Worker::new(setup, &delivery, xmatters.request_timeout);

    let running = tokio::spawn(worker.run(stopped));
    // The clock is paused, so this advances virtual time by a minute as
    // soon as every task waits.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let _ = stop.send(true);
    running.await.expect("the worker stops");

    let claims = store.claims.load(Ordering::SeqCst);
    // Pauses of 0.1 s doubling to 30 s allow 10 claims in 60 s.
    assert!(claims >= 5, "the worker kept trying: {claims} claims");
    assert!(
        claims <= 12,
        "the worker retried too often: {claims} claims"
    );
}
