//! Durable outbox: every accepted alert, its delivery attempts and its state.
//!
//! The [`Store`] trait is what the intake and the delivery worker use, so a
//! server database can replace the embedded SQLite implementation
//! ([`SqliteStore`]) without touching either of them.

mod callback;
mod confirmation;
#[cfg(test)]
mod plan_tests;
mod schema;
mod sql;
mod sql_callbacks;
mod sql_confirmation;
mod sql_storm;
mod sqlite;
mod storm;
#[cfg(test)]
mod tests;
mod types;

pub use callback::{Callback, CallbackKind};
pub use confirmation::{ConfirmationRecord, DueLookup, EventRef, LookupOutcome, LookupPlan};
pub use sqlite::{SqliteStore, StoreOptions};
pub use storm::{
    Admission, DigestOutcome, HeldAlert, HeldGroup, NewDigest, StormDecision, StormRecord,
};
pub use types::{
    AlertId, AlertKind, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, DueAlert,
    InsertOutcome, NewAlert, RequeueOutcome,
};

use futures::future::BoxFuture;
use jiff::Timestamp;

/// Errors from a [`Store`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or prepared at start-up.
    #[error(
        "cannot open the store at {path}: {source}; check that the directory exists and is writable"
    )]
    Open {
        /// File that was opened.
        path: String,
        /// Underlying database error.
        source: rusqlite::Error,
    },
    /// The file is not an SQLite database.
    #[error(
        "the file {path} is not an SQLite database; give the path of the relay's store \
         (store.path, or --store for relay alerts)"
    )]
    NotADatabase {
        /// File that was opened.
        path: String,
    },
    /// The file is an SQLite database of another program: it has tables,
    /// but not the relay's.
    #[error(
        "{path} is an SQLite database without the relay's tables, so the relay leaves it \
         alone; give the path of the relay's store (store.path, or --store for relay \
         alerts), or a new file"
    )]
    NotARelayStore {
        /// File that was opened.
        path: String,
    },
    /// The file contains a schema written by a newer relay.
    #[error(
        "the store schema version {found} is newer than this relay supports ({supported}); \
         run a relay version that supports it"
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Highest version this build supports.
        supported: i64,
    },
    /// A schema migration would leave the file inconsistent; nothing was
    /// changed.
    #[error(
        "the store schema migration failed: {0}; the file was left unchanged, \
         keep it and report the message"
    )]
    Migration(String),
    /// A query or commit failed.
    #[error("store operation failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The insert would take the backlog above its bound.
    #[error("{pending} alerts are waiting for delivery, the limit (server.max_backlog) is {limit}")]
    BacklogFull {
        /// Pending alerts at the time of the insert.
        pending: u64,
        /// The configured bound.
        limit: u64,
    },
    /// The rows an operation expected changed under it; nothing was
    /// changed.
    #[error("store conflict: {0}; the operation is tried again with fresh data")]
    Conflict(String),
    /// The transaction holding the operation could not start or commit.
    #[error("store commit failed: {0}")]
    Commit(String),
    /// The writer thread is gone, so nothing can be committed.
    #[error("the store writer has stopped; restart the relay")]
    Unavailable,
    /// A stored value could not be decoded.
    #[error("the stored record {id} is corrupt: {reason}")]
    Corrupt {
        /// Alert id, or the name of another record, that could not be read
        /// back.
        id: String,
        /// Description of the problem.
        reason: String,
    },
}

/// Storage interface for the outbox.
///
/// Every method commits before its future resolves: a caller that sees
/// `Ok` may rely on the change surviving a crash of the process. The
/// changes that must also survive a power loss wait for the disk: inserted
/// alerts and callbacks, requeues, digests and the writable check. The
/// delivery, storm and lookup bookkeeping may not: losing it only makes
/// the relay repeat a send or a lookup.
pub trait Store: Send + Sync + 'static {
    /// Inserts an alert as pending, or records it as a duplicate of an
    /// earlier pending or delivered alert with the same dedup key received
    /// at or after `alert.dedup_since`. A repeat of a dead alert is inserted
    /// as a new alert and names the dead one. Fails with [`StoreError::BacklogFull`] when
    /// `alert.max_backlog` alerts are already pending.
    fn insert(&self, alert: NewAlert) -> BoxFuture<'_, Result<InsertOutcome, StoreError>>;

    /// Claims up to `limit` pending alerts whose next attempt is due at
    /// `now`, oldest due first, by moving their next attempt to
    /// `lease_until`. If the claimer stops before recording an attempt, the
    /// alert becomes due again when the lease ends.
    fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<DueAlert>, StoreError>>;

    /// Returns the earliest next-attempt time among pending alerts.
    fn next_due_at(&self) -> BoxFuture<'_, Result<Option<Timestamp>, StoreError>>;

    /// Appends a delivery attempt and moves the alert to the state the
    /// outcome implies.
    fn record_attempt(
        &self,
        id: AlertId,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Moves a pending alert to dead without an attempt, such as one that
    /// was already past its maximum age when it came due.
    fn mark_dead(&self, id: AlertId, reason: String) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Counts pending alerts.
    fn backlog(&self) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Checks that the store can write by committing a change to a
    /// heartbeat record.
    fn check_writable(&self) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Lists alerts, newest first, optionally only those in `state`.
    fn list(
        &self,
        state: Option<AlertState>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AlertSummary>, StoreError>>;

    /// Loads one alert with its attempts.
    fn get(&self, id: AlertId) -> BoxFuture<'_, Result<Option<AlertRecord>, StoreError>>;

    /// Makes a dead or pending alert due again at `now` and restarts its
    /// maximum-age clock. Delivered alerts, and alerts claimed by a
    /// delivery worker whose lease has not ended at `now`, are left alone.
    fn requeue(
        &self,
        id: AlertId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<RequeueOutcome, StoreError>>;

    /// Requeues every dead alert, and no other, and returns how many there
    /// were.
    fn requeue_all_dead(&self, now: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// Records storm protection's decisions at `at`: admitted alerts keep
    /// their place in the queue, held ones become `held`. Alerts no longer
    /// pending are left alone.
    fn record_storm_decisions(
        &self,
        decisions: Vec<StormDecision>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Lists the events storm protection let through at or after `since`,
    /// oldest first, so a restarted relay counts them against the rate.
    fn admissions_since(
        &self,
        since: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Admission>, StoreError>>;

    /// Lists, per recipients key, the held alerts that no digest names yet.
    fn held_groups(&self) -> BoxFuture<'_, Result<Vec<HeldGroup>, StoreError>>;

    /// Loads up to `limit` held alerts of `key`, oldest first.
    fn held_alerts(
        &self,
        key: String,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<HeldAlert>, StoreError>>;

    /// Stores a digest as a pending alert and marks its members
    /// `digested`, all or nothing.
    fn create_digest(&self, digest: NewDigest) -> BoxFuture<'_, Result<DigestOutcome, StoreError>>;

    /// Claims up to `limit` delivered alerts whose event lookup is due at
    /// `now`, moving their next lookup to `lease_until` as
    /// [`Store::claim_due`] does for deliveries.
    fn claim_lookups(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<DueLookup>, StoreError>>;

    /// Returns the earliest planned lookup among delivered alerts.
    fn next_lookup_at(&self) -> BoxFuture<'_, Result<Option<Timestamp>, StoreError>>;

    /// Records a lookup made at `at` and moves the alert to the state its
    /// outcome implies. A found event also claims the callbacks about it
    /// that arrived first.
    fn record_lookup(
        &self,
        id: AlertId,
        at: Timestamp,
        outcome: LookupOutcome,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// Stores an xMatters callback, matched by its event id to an alert
    /// when one has that event, and returns the alert.
    fn insert_callback(
        &self,
        callback: Callback,
    ) -> BoxFuture<'_, Result<Option<AlertId>, StoreError>>;

    /// Lists callbacks, newest first, optionally only those that match no
    /// alert.
    fn list_callbacks(
        &self,
        unmatched_only: bool,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Callback>, StoreError>>;
}
