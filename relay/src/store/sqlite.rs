//! Embedded SQLite implementation of [`Store`], with group commit.
//!
//! One writer thread owns the connection, and each operation is sent to it
//! as a job. The thread drains every job queued at that moment and runs
//! them in one transaction, each in its own savepoint so that one failure
//! does not undo the others. It commits once and only then replies to the
//! callers, so concurrent requests share one fsync instead of paying one
//! each.
//!
//! Only changes that must survive a power loss wait for the disk: accepted
//! alerts, callbacks and the operator's own changes. A batch of delivery
//! and lookup bookkeeping alone commits with `synchronous = NORMAL`, which
//! in WAL mode survives a crash of the process but may be lost with the
//! operating system. The next batch that waits for the disk makes it
//! durable too. Losing such a record only makes the relay send or look up
//! an alert again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::callback::Callback;
use super::confirmation::{DueLookup, LookupOutcome};
use super::storm::{Admission, DigestOutcome, HeldAlert, HeldGroup, NewDigest, StormDecision};
use super::types::{
    AlertId, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, DueAlert,
    InsertOutcome, NewAlert, RequeueOutcome,
};
use super::{Store, StoreError, schema, sql, sql_callbacks, sql_confirmation, sql_storm};

/// Tuning for [`SqliteStore::open`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Maximum number of operations committed in one transaction.
    pub max_batch: usize,
    /// Operations that may wait for the writer; senders wait when it is full.
    pub queue_capacity: usize,
    /// How long a statement waits for a lock held by another process, such
    /// as `relay alerts retry` running next to the service.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch: 256,
            queue_capacity: 4096,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Statements the writer connection keeps compiled. Every operation's
/// statements fit, so the hot path never compiles SQL again. rusqlite's
/// default of 16 would evict some of them on every batch.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Called once the batch holding a job has committed, with the commit error
/// message if it failed.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Whether a commit waits until the disk has the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Commit {
    /// `synchronous = FULL`: the change survives a power loss.
    Synced,
    /// `synchronous = NORMAL`: the change survives a crash of the process,
    /// and a power loss once a later synced commit has been made.
    Unsynced,
}

impl Commit {
    /// The `synchronous` setting a batch of jobs needs: FULL when any of
    /// them must survive a power loss.
    fn of_batch(batch: &[Box<dyn Job>]) -> Commit {
        if batch.iter().any(|job| job.commit() == Commit::Synced) {
            Commit::Synced
        } else {
            Commit::Unsynced
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            Commit::Synced => "PRAGMA synchronous = FULL",
            Commit::Unsynced => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// One operation queued for the writer thread.
trait Job: Send {
    /// Returns how its commit must reach the disk.
    fn commit(&self) -> Commit;

    /// Runs the statements and returns whether they succeeded, so the writer
    /// can roll back the job's savepoint, and the reply to send after the
    /// commit.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Reply);

    /// Replies with an error without running, when no transaction could start.
    fn fail(self: Box<Self>, message: String);
}

struct Operation<T, F> {
    op: F,
    commit: Commit,
    sender: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Operation<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    fn commit(&self) -> Commit {
        self.commit
    }

    fn run(self: Box<Self>, conn: &Connection) -> (bool, Reply) {
        let Operation { op, sender, .. } = *self;
        let result = op(conn);
        let succeeded = result.is_ok();
        let reply: Reply = Box::new(move |commit| {
            let outcome = match commit {
                Ok(()) => result,
                Err(message) => Err(StoreError::Commit(message)),
            };
            // The caller may have gone away; the change is committed anyway.
            let _ = sender.send(outcome);
        });
        (succeeded, reply)
    }

    fn fail(self: Box<Self>, message: String) {
        let _ = self.sender.send(Err(StoreError::Commit(message)));
    }
}

/// SQLite outbox in WAL mode with `synchronous=FULL`, so a committed alert
/// survives both a process crash and a power loss.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Queue to the writer thread; the thread stops when every clone is
    /// dropped.
    jobs: mpsc::Sender<Box<dyn Job>>,
    /// Database file, for messages.
    path: PathBuf,
    /// Transactions committed so far; with group commit this grows more
    /// slowly than the number of operations.
    commits: Arc<AtomicU64>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, migrates its
    /// schema and starts the writer thread.
    ///
    /// A file that is not an SQLite database, or that contains another
    /// program's tables, is rejected before anything is written to it.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Self, StoreError> {
        let open_error = |source: rusqlite::Error| {
            let path = path.display().to_string();
            if source.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                StoreError::NotADatabase { path }
            } else {
                StoreError::Open { path, source }
            }
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(open_error)?;
        if schema::is_foreign(&conn).map_err(open_error)? {
            return Err(StoreError::NotARelayStore {
                path: path.display().to_string(),
            });
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        schema::migrate(&mut conn)?;

        let (jobs, queue) = mpsc::channel(options.queue_capacity.max(1));
        let max_batch = options.max_batch.max(1);
        let commits = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&commits);
        std::thread::Builder::new()
            .name("relay-store-writer".to_owned())
            .spawn(move || run_writer(conn, queue, max_batch, &counter))
            .map_err(|err| StoreError::Commit(format!("cannot start the writer thread: {err}")))?;

        Ok(Self {
            jobs,
            path: path.to_path_buf(),
            commits,
        })
    }

    /// Returns the number of transactions committed since the store opened.
    pub fn commit_count(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Database file this store writes to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `op` on the writer thread and resolves once its batch committed
    /// and the disk has it.
    async fn call<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_with(Commit::Synced, op).await
    }

    /// Runs `op` on the writer thread and resolves once its batch committed,
    /// which waits for the disk only when another job of the batch needs it.
    async fn call_unsynced<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_with(Commit::Unsynced, op).await
    }

    /// Runs `op` on the writer thread with the given commit.
    pub(super) async fn call_with<T, F>(&self, commit: Commit, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Operation { op, commit, sender });

        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable)?;
        receiver.await.map_err(|_| StoreError::Unavailable)?
    }
}

fn run_writer(
    mut conn: Connection,
    mut queue: mpsc::Receiver<Box<dyn Job>>,
    max_batch: usize,
    commits: &AtomicU64,
) {
    // The connection opens with FULL.
    let mut synchronous = Commit::Synced;
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let needed = Commit::of_batch(&batch);
        if needed != synchronous {
            if let Err(err) = run_control(&conn, needed.pragma()) {
                // The setting is unchanged, and it may not be enough for the
                // batch, so the batch fails as a failed commit would.
                tracing::error!(error = %err, "changing the store's synchronous setting failed");
                for job in batch {
                    job.fail(err.to_string());
                }
                continue;
            }
            synchronous = needed;
        }
        if run_batch(&mut conn, batch) {
            commits.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Runs one batch in one transaction and returns whether it committed.
fn run_batch(conn: &mut Connection, batch: Vec<Box<dyn Job>>) -> bool {
    if let Err(err) = run_control(conn, "BEGIN IMMEDIATE") {
        tracing::error!(error = %err, "store transaction could not start");
        for job in batch {
            job.fail(err.to_string());
        }
        return false;
    }

    let mut replies = Vec::with_capacity(batch.len());
    for job in batch {
        replies.push(run_job(conn, job));
    }

    let commit = run_control(conn, "COMMIT").map_err(|err| {
        tracing::error!(error = %err, "store commit failed");
        // SQLite rolls back by itself after some failures, such as an I/O
        // error, and then has no transaction left to roll back.
        if !conn.is_autocommit() {
            if let Err(rollback) = run_control(conn, "ROLLBACK") {
                tracing::error!(error = %rollback, "store rollback after a failed commit failed");
            }
        }
        err.to_string()
    });
    let committed = commit.is_ok();
    for reply in replies {
        reply(commit.clone());
    }
    committed
}

fn run_job(conn: &Connection, job: Box<dyn Job>) -> Reply {
    if let Err(err) = run_control(conn, "SAVEPOINT job") {
        tracing::error!(error = %err, "store savepoint failed");
        job.fail(err.to_string());
        return Box::new(|_| {});
    }

    let (succeeded, reply) = job.run(conn);
    let undone = if succeeded {
        Ok(())
    } else {
        run_control(conn, "ROLLBACK TO job")
    };
    if let Err(err) = undone.and_then(|()| run_control(conn, "RELEASE job")) {
        tracing::error!(error = %err, "store savepoint release failed");
    }
    reply
}

/// Runs a transaction or savepoint statement from the statement cache,
/// so that it is compiled once per connection rather than once per batch.
fn run_control(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

impl Store for SqliteStore {
    fn insert(&self, alert: NewAlert) -> BoxFuture<'_, Result<InsertOutcome, StoreError>> {
        Box::pin(self.call(move |conn| sql::insert(conn, &alert)))
    }

    fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<DueAlert>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql::claim_due(conn, now, limit, lease_until)))
    }

    fn next_due_at(&self) -> BoxFuture<'_, Result<Option<Timestamp>, StoreError>> {
        Box::pin(self.call_unsynced(sql::next_due_at))
    }

    fn record_attempt(
        &self,
        id: AlertId,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql::record_attempt(conn, id, &attempt, &outcome)))
    }

    fn mark_dead(&self, id: AlertId, reason: String) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql::mark_dead(conn, id, &reason)))
    }

    fn backlog(&self) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.call_unsynced(sql::backlog))
    }

    fn check_writable(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        // An empty transaction commits without touching the disk, so the
        // check rewrites a row.
        // NOTE: in WAL mode the write may land in WAL space freed by an
        // earlier checkpoint, so it can succeed on a full disk until the WAL
        // has to grow.
        Box::pin(self.call(|conn| sql::heartbeat(conn, Timestamp::now())))
    }

    fn list(
        &self,
        state: Option<AlertState>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AlertSummary>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql::list(conn, state, limit)))
    }

    fn get(&self, id: AlertId) -> BoxFuture<'_, Result<Option<AlertRecord>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql::get(conn, id)))
    }

    fn requeue(
        &self,
        id: AlertId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<RequeueOutcome, StoreError>> {
        Box::pin(self.call(move |conn| sql::requeue(conn, id, now)))
    }

    fn requeue_all_dead(&self, now: Timestamp) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.call(move |conn| sql::requeue_all_dead(conn, now)))
    }

    fn record_storm_decisions(
        &self,
        decisions: Vec<StormDecision>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql_storm::record_decisions(conn, &decisions, at)))
    }

    fn admissions_since(
        &self,
        since: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<Admission>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql_storm::admissions_since(conn, since)))
    }

    fn held_groups(&self) -> BoxFuture<'_, Result<Vec<HeldGroup>, StoreError>> {
        Box::pin(self.call_unsynced(sql_storm::held_groups))
    }

    fn held_alerts(
        &self,
        key: String,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<HeldAlert>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql_storm::held_alerts(conn, &key, limit)))
    }

    fn create_digest(&self, digest: NewDigest) -> BoxFuture<'_, Result<DigestOutcome, StoreError>> {
        Box::pin(self.call(move |conn| sql_storm::create_digest(conn, &digest)))
    }

    fn claim_lookups(
        &self,
        now: Timestamp,
        limit: usize,
        lease_until: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<DueLookup>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| {
            sql_confirmation::claim_lookups(conn, now, limit, lease_until)
        }))
    }

    fn next_lookup_at(&self) -> BoxFuture<'_, Result<Option<Timestamp>, StoreError>> {
        Box::pin(self.call_unsynced(sql_confirmation::next_lookup_at))
    }

    fn record_lookup(
        &self,
        id: AlertId,
        at: Timestamp,
        outcome: LookupOutcome,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(
            self.call_unsynced(move |conn| sql_confirmation::record_lookup(conn, id, at, &outcome)),
        )
    }

    fn insert_callback(
        &self,
        callback: Callback,
    ) -> BoxFuture<'_, Result<Option<AlertId>, StoreError>> {
        Box::pin(self.call(move |conn| sql_callbacks::insert(conn, &callback)))
    }

    fn list_callbacks(
        &self,
        unmatched_only: bool,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<Callback>, StoreError>> {
        Box::pin(self.call_unsynced(move |conn| sql_callbacks::list(conn, unmatched_only, limit)))
    }
}
