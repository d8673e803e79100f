//! Counting outcomes of a storm and summarizing them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use indicatif::ProgressBar;
use serde::Serialize;

use super::Storm;
use crate::send::{SendError, SendOutcome};

/// Maximum latency the histogram tracks: one hour in µs. Longer latencies
/// are recorded as one hour.
const MAX_TRACKED_LATENCY_US: u64 = 3_600_000_000;

/// Number of request errors logged one by one. Later ones are only counted.
const MAX_LOGGED_ERRORS: u64 = 10;

/// Number of distinct error messages kept in [`LoadSummary::error_samples`].
const MAX_ERROR_SAMPLES: usize = 5;

/// Results of one storm. Serializes as the JSON that `load --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct LoadSummary {
    /// Storm shape that was sent.
    pub shape: Storm,
    /// Requests started.
    pub sent: u64,
    /// Responses with a 2xx status.
    pub accepted: u64,
    /// Responses with any other status.
    pub rejected: u64,
    /// Requests that got no response: connection failures and timeouts.
    pub errors: u64,
    /// Time from the first request until the last outcome, in seconds.
    pub elapsed_s: f64,
    /// Responses (accepted and rejected) per second of `elapsed_s`.
    pub throughput_per_s: f64,
    /// Latency percentiles of the responses, without the failed requests.
    pub latency_ms: Latency,
    /// Number of responses per HTTP status.
    pub status_counts: BTreeMap<u16, u64>,
    /// Up to 5 distinct error messages, in order of first occurrence.
    pub error_samples: Vec<String>,
    /// One record per request, ordered by sequence number, when
    /// `LoadOptions::record_sends` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sends: Option<Vec<SendRecord>>,
}

/// Latency percentiles in milliseconds, with microsecond resolution and
/// three significant digits, or `None` when no response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

/// When one alert was sent and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct SendRecord {
    /// Sequence number, as in the alert's `load-seq=N` marker.
    pub seq: u64,
    /// Monotonic instant just before the request was sent (not serialized).
    #[serde(skip)]
    pub sent_at: Instant,
    /// Wall-clock time of sending, in µs since the Unix epoch.
    pub sent_unix_us: u64,
    /// HTTP status, or `None` when the request failed.
    pub status: Option<u16>,
    /// Time until the whole response arrived in µs, or `None` when the request failed.
    pub latency_us: Option<u64>,
}

/// The outcome of one request, as reported by the task that sent it.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub seq: u64,
    pub sent_at: Instant,
    pub sent_wall: SystemTime,
    pub result: Result<SendOutcome, SendError>,
}

/// Running totals of a storm.
#[derive(Debug)]
pub(crate) struct Collector {
    shape: Storm,
    histogram: Histogram<u64>,
    sent: u64,
    accepted: u64,
    rejected: u64,
    errors: u64,
    status_counts: BTreeMap<u16, u64>,
    error_samples: Vec<String>,
    records: Option<Vec<SendRecord>>,
    /// Progress display, hidden when the caller asked for none.
    progress: ProgressBar,
}

impl Collector {
    pub(crate) fn new(shape: Storm, record_sends: bool, progress: ProgressBar) -> Self {
        let histogram = Histogram::new_with_bounds(1, MAX_TRACKED_LATENCY_US, 3)
            .expect("constant histogram bounds are valid");
        Self {
            shape,
            histogram,
            sent: 0,
            accepted: 0,
            rejected: 0,
            errors: 0,
            status_counts: BTreeMap::new(),
            error_samples: Vec::new(),
            records: record_sends.then(Vec::new),
            progress,
        }
    }

    /// Counts one outcome and logs it if it is one of the first errors.
    pub(crate) fn record(&mut self, outcome: Outcome) {
        self.sent += 1;
        let (status, latency_us) = match &outcome.result {
            Ok(response) => {
                let latency_us = duration_us(response.latency);
                self.histogram.saturating_record(latency_us.max(1));
                *self.status_counts.entry(response.status).or_default() += 1;
                if response.is_accepted() {
                    self.accepted += 1;
                } else {
                    self.rejected += 1;
                }
                (Some(response.status), Some(latency_us))
            }
            Err(error) => {
                self.record_error(outcome.seq, error);
                (None, None)
            }
        };

        if let Some(records) = &mut self.records {
            records.push(SendRecord {
                seq: outcome.seq,
                sent_at: outcome.sent_at,
                sent_unix_us: unix_us(outcome.sent_wall),
                status,
                latency_us,
            });
        }

        self.progress.inc(1);
        self.progress.set_message(format!(
            "accepted {} rejected {} errors {}",
            self.accepted, self.rejected, self.errors
        ));
    }

    fn record_error(&mut self, seq: u64, error: &SendError) {
        self.errors += 1;
        if self.errors <= MAX_LOGGED_ERRORS {
            tracing::warn!(seq, %error, "load request failed");
        }
        let message = error.to_string();
        if self.error_samples.len() < MAX_ERROR_SAMPLES && !self.error_samples.contains(&message) {
            self.error_samples.push(message);
        }
    }

    /// Returns the summary of a storm that ran for `elapsed`.
    pub(crate) fn finish(self, elapsed: Duration) -> LoadSummary {
        if self.errors > MAX_LOGGED_ERRORS {
            tracing::warn!(
                unlogged = self.errors - MAX_LOGGED_ERRORS,
                "more load requests failed than were logged"
            );
        }
        self.progress.finish_and_clear();

        let elapsed_s = elapsed.as_secs_f64();
        let responses = self.accepted + self.rejected;
        let throughput_per_s = if elapsed_s > 0.0 {
            responses as f64 / elapsed_s
        } else {
            0.0
        };
        let mut records = self.records;
        if let Some(records) = &mut records {
            records.sort_by_key(|record| record.seq);
        }

        LoadSummary {
            shape: self.shape,
            sent: self.sent,
            accepted: self.accepted,
            rejected: self.rejected,
            errors: self.errors,
            elapsed_s,
            throughput_per_s,
            latency_ms: latency(&self.histogram),
            status_counts: self.status_counts,
            error_samples: self.error_samples,
            sends: records,
        }
    }
}

fn latency(histogram: &Histogram<u64>) -> Latency {
    if histogram.is_empty() {
        return Latency {
            p50: None,
            p90: None,
            p99: None,
            max: None,
        };
    }
    let ms = |us: u64| Some(us as f64 / 1000.0);
    Latency {
        p50: ms(histogram.value_at_quantile(0.50)),
        p90: ms(histogram.value_at_quantile(0.90)),
        p99: ms(histogram.value_at_quantile(0.99)),
        max: ms(histogram.max()),
    }
}

fn duration_us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Returns `time` in µs since the Unix epoch, or 0 for a clock set before 1970.
pub(crate) fn unix_us(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(duration_us)
        .unwrap_or(0)
}
