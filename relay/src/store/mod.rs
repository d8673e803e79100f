//! Durable outbox: every accepted alert, its delivery attempts and its state.
//!
//! The [`Store`] trait is what the intake and the delivery worker use, so a
//! server database can replace the embedded SQLite implementation
//! ([`SqliteStore`]) without touching either of them.

mod schema;
mod sql;
mod sqlite;
#[cfg(test)]
mod tests;
mod types;

pub use sqlite::{SqliteStore, StoreOptions};
pub use types::{
    AlertId, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, DueAlert,
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
    /// The transaction holding the operation could not start or commit.
    #[error("store commit failed: {0}")]
    Commit(String),
    /// The writer thread is gone, so nothing can be committed.
    #[error("the store writer has stopped; restart the relay")]
    Unavailable,
    /// A stored value could not be decoded.
    #[error("the stored alert {id} is corrupt: {reason}")]
    Corrupt {
        /// Alert whose row could not be read back.
        id: String,
        /// Description of the problem.
        reason: String,
    },
}

/// Storage interface for the outbox.
///
/// Every method commits before its future resolves: a caller that sees
/// `Ok` may rely on the change surviving a crash.
pub trait Store: Send + Sync + 'static {
    /// Inserts an alert as pending, or records it as a duplicate of an
    /// earlier alert with the same dedup key received at or after
    /// `alert.dedup_since`. Fails with [`StoreError::BacklogFull`] when
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

    /// Checks that a write transaction can be opened and committed.
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
    /// maximum-age clock. Delivered alerts are left alone.
    fn requeue(
        &self,
        id: AlertId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<RequeueOutcome, StoreError>>;

    /// Requeues every dead alert and returns how many there were.
    fn requeue_all_dead(&self, now: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>>;
}
