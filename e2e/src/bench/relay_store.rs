//! The benchmark relay's SQLite store, opened from this process through the
//! relay's own store API, to read the final state of every alert.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mock_overops::load::parse_sequence;
use relay::store::{
    AlertKind, AlertRecord, AlertState, SqliteStore, Store, StoreError, StoreOptions,
};

use super::accounting::StoredAlert;
use super::error::BenchError;

/// Wait between two reads of the store while alerts are pending or held.
/// Each read runs in its own write transaction of the store, so it briefly
/// keeps the relay's writer waiting.
const SETTLE_POLL: Duration = Duration::from_millis(200);

/// States in which an alert still waits for the relay to send it, on its
/// own or in a digest.
const UNSETTLED: [AlertState; 2] = [AlertState::Pending, AlertState::Held];

/// A listing limit that no store reaches. The store passes the limit to
/// SQLite as an `i64`, so `usize::MAX` would wrap.
const NO_LIMIT: usize = i64::MAX as usize;

/// A second connection to a relay's store.
#[derive(Debug)]
pub struct RelayStore {
    store: SqliteStore,
    path: PathBuf,
}

impl RelayStore {
    /// Opens the store at `path`, which the relay created.
    pub async fn open(path: &Path) -> Result<RelayStore, BenchError> {
        let owned = path.to_path_buf();
        let store = tokio::task::spawn_blocking(move || {
            SqliteStore::open(&owned, &StoreOptions::default())
        })
        .await
        .map_err(|error| BenchError::Io {
            action: format!("opening the relay store {}", path.display()),
            source: std::io::Error::other(error),
        })?
        .map_err(|source| BenchError::Store {
            action: format!("opening the relay store {}", path.display()),
            source,
        })?;
        Ok(RelayStore {
            store,
            path: path.to_path_buf(),
        })
    }

    /// Waits until no alert is pending or held, reading the store every
    /// [`SETTLE_POLL`]. Fails when `timeout` passes first, naming the
    /// relay's `log` in the error.
    pub async fn wait_settled(&self, timeout: Duration, log: &Path) -> Result<(), BenchError> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.count_unsettled(1).await? == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(BenchError::SettleTimeout {
                    unsettled: self.count_unsettled(NO_LIMIT).await?,
                    timeout,
                    log: log.to_path_buf(),
                });
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }

    /// Reads every stored alert and digest.
    pub async fn read_all(&self) -> Result<Vec<StoredAlert>, BenchError> {
        let summaries = self
            .store
            .list(None, NO_LIMIT)
            .await
            .map_err(|source| self.failed("listing the alerts", source))?;
        let mut alerts = Vec::with_capacity(summaries.len());
        for summary in summaries {
            let record =
                self.store.get(summary.id).await.map_err(|source| {
                    self.failed(&format!("reading alert {}", summary.id), source)
                })?;
            // An alert listed a moment ago cannot vanish: the relay never
            // deletes alerts.
            if let Some(record) = record {
                alerts.push(stored_alert(record));
            }
        }
        Ok(alerts)
    }

    /// Counts pending and held alerts, up to `limit` of each.
    async fn count_unsettled(&self, limit: usize) -> Result<u64, BenchError> {
        let mut count = 0;
        for state in UNSETTLED {
            let listed = self
                .store
                .list(Some(state), limit)
                .await
                .map_err(|source| self.failed(&format!("listing {state} alerts"), source))?;
            count += listed.len() as u64;
        }
        Ok(count)
    }

    fn failed(&self, action: &str, source: StoreError) -> BenchError {
        BenchError::Store {
            action: format!("{action} in {}", self.path.display()),
            source,
        }
    }
}

/// Keeps the fields of a stored alert that the accounting reads.
fn stored_alert(record: AlertRecord) -> StoredAlert {
    let seq = match record.kind {
        AlertKind::Alert => parse_sequence(&record.trigger.to_string()),
        AlertKind::Digest => None,
    };
    StoredAlert {
        id: record.id,
        kind: record.kind,
        state: record.state,
        seq,
        digest_id: record.storm.digest_id,
        members: record.storm.members,
        trigger: record.trigger,
    }
}
