//! Why a benchmark run failed.

use std::path::PathBuf;
use std::time::Duration;

/// A failure that stops the benchmark.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// `cargo build` of the relay binary failed or could not start.
    #[error(
        "building the relay binary with `{command}` failed: {reason}; build it with \
         `cargo build --release -p relay` or pass --relay-bin PATH"
    )]
    BuildRelay {
        /// The command that was run.
        command: String,
        /// Exit status or start error.
        reason: String,
    },
    /// The relay binary is not where it should be.
    #[error(
        "the relay binary {} does not exist; build it with `cargo build --release -p relay` \
         or pass --relay-bin PATH",
        path.display()
    )]
    RelayMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The relay process exited or never became ready.
    #[error("the relay did not become ready: {reason}; its log is {}", log.display())]
    RelayNotReady {
        /// What went wrong.
        reason: String,
        /// The relay's standard error, kept on disk.
        log: PathBuf,
    },
    /// The relay still had pending alerts when the drain time ran out.
    #[error(
        "the relay still had {pending} alerts pending after {timeout:?}; its log is {}",
        log.display()
    )]
    DrainTimeout {
        /// Pending alerts at the end.
        pending: u64,
        /// The time that ran out.
        timeout: Duration,
        /// The relay's standard error, kept on disk.
        log: PathBuf,
    },
    /// Alerts were still pending or held when the wait for the storm to be
    /// sent ran out.
    #[error(
        "the relay still had {unsettled} alerts pending or held after {timeout:?}; \
         its log is {}",
        log.display()
    )]
    SettleTimeout {
        /// Pending and held alerts at the end.
        unsettled: u64,
        /// The time that ran out.
        timeout: Duration,
        /// The relay's standard error, kept on disk.
        log: PathBuf,
    },
    /// Reading the relay's store from the benchmark failed.
    #[error("{action} failed: {source}")]
    Store {
        /// What was being done, naming the store file.
        action: String,
        #[source]
        source: relay::store::StoreError,
    },
    /// A file or process operation failed.
    #[error("{action} failed: {source}")]
    Io {
        /// What was being done.
        action: String,
        #[source]
        source: std::io::Error,
    },
    /// An HTTP request to the relay or to mock-xmatters failed.
    #[error("{action} failed: {source}")]
    Http {
        /// What was being done.
        action: String,
        #[source]
        source: reqwest::Error,
    },
    /// mock-xmatters was unusable or its journal incomplete.
    #[error("mock-xmatters: {0}")]
    Simulator(String),
    /// The load options were invalid.
    #[error(transparent)]
    Load(#[from] mock_overops::load::LoadError),
}
