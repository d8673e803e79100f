//! Alert storms: many alerts at a chosen rate and concurrency, with a
//! summary of outcomes and latency.
//!
//! Every alert carries `load-seq=N` ([`SEQUENCE_MARKER`]) in its summary
//! and message, so a watcher on the receiving side can match what arrives
//! with [`SendRecord::sent_at`] and compute end-to-end latency.
//!
//! ```no_run
//! # async fn example() -> Result<(), mock_overops::load::LoadError> {
//! use mock_overops::load::{LoadOptions, Storm, run};
//!
//! let url = "http://127.0.0.1:8080/overops/webhook?token=t".parse().expect("valid URL");
//! let summary = run(
//!     LoadOptions {
//!         count: Some(1_000),
//!         rate: Some(200.0),
//!         shape: Storm::Distinct,
//!         record_sends: true,
//!         ..LoadOptions::new(url)
//!     },
//!     false,
//! )
//! .await?;
//! println!("p99 {:?} ms", summary.latency_ms.p99);
//! # Ok(())
//! # }
//! ```

mod source;
mod summary;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, sleep_until};
use url::Url;

use crate::generate::DEFAULT_STACK_DEPTH;
use crate::send::{self, DEFAULT_TIMEOUT, SendError};
use source::PayloadSource;
pub use source::{SEQUENCE_MARKER, Storm, parse_sequence};
use summary::{Collector, Outcome};
pub use summary::{Latency, LoadSummary, SendRecord};

/// Concurrency of [`LoadOptions::new`].
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Count of [`LoadOptions::new`].
pub const DEFAULT_COUNT: u64 = 100;

/// Redraw interval of the progress display.
const PROGRESS_TICK: Duration = Duration::from_millis(100);

/// Options of [`run`]. Start from [`LoadOptions::new`].
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Receiver URL.
    pub url: Url,
    /// Number of alerts to send, or `None` to send until `duration` ends.
    pub count: Option<u64>,
    /// Alerts started per second, or `None` to send as fast as `concurrency` allows.
    pub rate: Option<f64>,
    /// Maximum number of requests in flight.
    pub concurrency: usize,
    /// Time after which no new alert starts. Requests in flight still finish.
    /// `None` sends until `count` is reached.
    pub duration: Option<Duration>,
    /// Storm shape, the mix of alerts to send.
    pub shape: Storm,
    /// Seed of the generated payloads.
    pub seed: u64,
    /// Stack frames per event.
    pub stack_depth: usize,
    /// Timeout of each request.
    pub timeout: Duration,
    /// Keep a [`SendRecord`] per alert in [`LoadSummary::sends`].
    pub record_sends: bool,
}

impl LoadOptions {
    /// Returns options that send 100 repeated alerts to `url`, 8 at a time,
    /// as fast as the receiver responds.
    pub fn new(url: Url) -> Self {
        Self {
            url,
            count: Some(DEFAULT_COUNT),
            rate: None,
            concurrency: DEFAULT_CONCURRENCY,
            duration: None,
            shape: Storm::Repeated,
            seed: 0,
            stack_depth: DEFAULT_STACK_DEPTH,
            timeout: DEFAULT_TIMEOUT,
            record_sends: false,
        }
    }

    fn validate(&self) -> Result<(), LoadError> {
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(LoadError::InvalidRate(rate));
            }
        }
        if self.concurrency == 0 {
            return Err(LoadError::ZeroConcurrency);
        }
        if self.concurrency > Semaphore::MAX_PERMITS {
            return Err(LoadError::ConcurrencyTooHigh(self.concurrency));
        }
        if self.count.is_none() && self.duration.is_none() {
            return Err(LoadError::Unbounded);
        }

        let now = Instant::now();
        if let Some(duration) = self.duration {
            if now.checked_add(duration).is_none() {
                return Err(LoadError::DurationTooLong(duration));
            }
        }
        if let (Some(rate), Some(count)) = (self.rate, self.count) {
            let last_seq = count.saturating_sub(1);
            if due_time(now, last_seq, rate).is_none() {
                return Err(LoadError::RateTooLow { rate, count });
            }
        }
        Ok(())
    }
}

/// Returns the instant at which alert `seq` is due at `rate` alerts per
/// second from `started`, or `None` when that instant is beyond what the
/// clock can represent.
fn due_time(started: Instant, seq: u64, rate: f64) -> Option<Instant> {
    let offset = Duration::try_from_secs_f64(seq as f64 / rate).ok()?;
    started.checked_add(offset)
}

/// Invalid [`LoadOptions`], or a client that cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("rate {0} is invalid; give a positive number of alerts per second")]
    InvalidRate(f64),
    #[error("concurrency 0 is invalid; allow at least 1 request in flight")]
    ZeroConcurrency,
    #[error(
        "concurrency {0} is too high; allow at most {max} requests in flight",
        max = Semaphore::MAX_PERMITS
    )]
    ConcurrencyTooHigh(usize),
    #[error("duration {0:?} is too long for the clock; give a shorter duration")]
    DurationTooLong(Duration),
    #[error(
        "rate {rate} alerts per second is too low to send {count} alerts within the \
         clock's range; raise the rate or lower the count"
    )]
    RateTooLow { rate: f64, count: u64 },
    #[error("neither count nor duration is set; set at least one so that the storm ends")]
    Unbounded,
    #[error(transparent)]
    Client(#[from] SendError),
}

/// Sends a storm and returns its summary once every request has finished.
///
/// With `progress`, a progress bar is drawn on standard error, so callers
/// should pass `true` only when standard error is a terminal.
///
/// NOTE: latency is measured from the actual send. When the receiver falls
/// behind a fixed `rate`, later alerts start late and that wait is not
/// counted, so percentiles under overload look better than a user would see.
pub async fn run(options: LoadOptions, progress: bool) -> Result<LoadSummary, LoadError> {
    options.validate()?;
    let client = send::client(options.timeout, options.concurrency)?;
    let source = Arc::new(PayloadSource::new(
        options.shape,
        options.seed,
        options.stack_depth,
    ));

    let bar = progress_bar(&options, progress);
    let mut collector = Collector::new(options.shape, options.record_sends, bar);
    let (outcome_sender, mut outcome_receiver) = mpsc::unbounded_channel();
    let started = Instant::now();

    let dispatching = dispatch(&options, client, source, outcome_sender, started);
    let collecting = async {
        while let Some(outcome) = outcome_receiver.recv().await {
            collector.record(outcome);
        }
    };
    tokio::join!(dispatching, collecting);

    Ok(collector.finish(started.elapsed()))
}

/// Starts one task per alert, paced by the rate and bounded by the
/// concurrency, until the count or the duration is reached. Returns when
/// the last task has started. Each task reports on `outcomes`.
async fn dispatch(
    options: &LoadOptions,
    client: reqwest::Client,
    source: Arc<PayloadSource>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    started: Instant,
) {
    let slots = Arc::new(Semaphore::new(options.concurrency));
    // `LoadOptions::validate` checked that the deadline fits the clock.
    let deadline = options
        .duration
        .and_then(|duration| started.checked_add(duration));
    let url = Arc::new(options.url.clone());

    let mut seq = 0;
    while options.count.is_none_or(|count| seq < count) {
        if let Some(rate) = options.rate {
            // A due time beyond the clock's range is past any deadline, and
            // `LoadOptions::validate` rejected counts that would reach one.
            let Some(due) = due_time(started, seq, rate) else {
                break;
            };
            if deadline.is_some_and(|deadline| due >= deadline) {
                break;
            }
            sleep_until(due).await;
        }

        let acquire = slots.clone().acquire_owned();
        let slot = match deadline {
            Some(deadline) => tokio::select! {
                slot = acquire => slot,
                () = sleep_until(deadline) => break,
            },
            None => acquire.await,
        };
        let Ok(slot) = slot else {
            break;
        };
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            break;
        }

        let client = client.clone();
        let url = url.clone();
        let source = source.clone();
        let outcomes = outcomes.clone();
        tokio::spawn(async move {
            let sent_wall = SystemTime::now();
            let body = source.payload(seq, summary::unix_us(sent_wall) / 1000);
            let sent_at = std::time::Instant::now();
            let result = send::send(&client, &url, body).await;
            drop(slot);
            // `run` keeps the receiver until every sender is dropped, so an
            // error here would only mean the run was abandoned.
            let _ = outcomes.send(Outcome {
                seq,
                sent_at,
                sent_wall,
                result,
            });
        });
        seq += 1;
    }
}

fn progress_bar(options: &LoadOptions, progress: bool) -> ProgressBar {
    if !progress {
        return ProgressBar::hidden();
    }
    let (bar, template) = match options.count {
        Some(count) => (
            ProgressBar::new(count),
            "{bar:40} {pos}/{len} {per_sec} {elapsed} {msg}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{spinner} {pos} sent {per_sec} {elapsed} {msg}",
        ),
    };
    bar.enable_steady_tick(PROGRESS_TICK);
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
