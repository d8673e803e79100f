//! The figures of each measurement, computed from a run's send records and
//! receipts.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mock_overops::load::SendRecord;
use serde::Serialize;

use super::memory::kib_to_mib;
use super::run::{LoadSpec, RunOutcome};
use super::stats::{Percentiles, per_second};

/// Throughput at saturation: as many alerts as the path takes, with a
/// fixed number in flight.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub count: u64,
    pub concurrency: usize,
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Accepted alerts per second of the sending time.
    pub accepted_per_s: f64,
    /// Triggers received by mock-xmatters per second, from the first send
    /// to the last receipt.
    pub delivered_per_s: f64,
}

/// Latency at a fixed rate.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub rate_per_s: f64,
    pub count: u64,
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Request sent until its response arrived, of accepted alerts.
    pub accept: Option<Percentiles>,
    /// Request sent until mock-xmatters received the trigger.
    pub end_to_end: Option<Percentiles>,
    /// Latest start of a request after its scheduled time, in ms. A large
    /// value means the emitter could not keep the rate, and latency after
    /// that point is understated.
    pub max_start_lag_ms: f64,
}

/// One burst of alerts.
#[derive(Debug, Clone, Serialize)]
pub struct StormFigures {
    pub count: u64,
    pub concurrency: usize,
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Peak resident memory of the relay process, on the relay path.
    pub relay_peak_rss_mib: Option<f64>,
    /// Alerts the relay delivered per second after the last intake
    /// response, when delivery no longer shares the machine with intake.
    pub relay_drain_per_s: Option<f64>,
}

/// What was sent, accepted and received in one run.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Responses with a 2xx status.
    pub accepted: u64,
    /// Responses with another status.
    pub rejected: u64,
    /// Requests without a response.
    pub errors: u64,
    /// Accepted alerts that mock-xmatters received.
    pub delivered: u64,
    /// Accepted alerts that mock-xmatters never received.
    pub lost: u64,
    /// Triggers mock-xmatters received more than once.
    pub repeated: u64,
    /// First send until the last response, in seconds.
    pub accept_s: f64,
    /// First send until the last trigger was received, in seconds.
    pub deliver_s: Option<f64>,
    pub cpu: CpuUse,
}

/// CPU time used during one run, per 1,000 alerts sent.
#[derive(Debug, Clone, Serialize)]
pub struct CpuUse {
    /// This process: the emitter and mock-xmatters, in ms.
    pub bench_ms_per_1000: f64,
    /// The relay process, start-up included, in ms.
    pub relay_ms_per_1000: Option<f64>,
    /// The relay's threads by name, in ms for the whole run.
    pub relay_threads_ms: BTreeMap<String, f64>,
}

impl CpuUse {
    fn of(outcome: &RunOutcome) -> CpuUse {
        let sent = outcome.summary.sent.max(1) as f64;
        let per_1000 = |time: Duration| time.as_secs_f64() * 1e3 * 1000.0 / sent;
        let relay = outcome.relay.as_ref();
        CpuUse {
            bench_ms_per_1000: per_1000(outcome.bench_cpu),
            relay_ms_per_1000: relay.map(|relay| per_1000(relay.cpu)),
            relay_threads_ms: relay
                .map(|relay| {
                    relay
                        .threads_cpu
                        .iter()
                        .map(|(name, time)| (name.clone(), time.as_secs_f64() * 1e3))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl Throughput {
    pub fn of(spec: LoadSpec, outcome: &RunOutcome) -> Throughput {
        let delivery = Delivery::of(outcome);
        let accept = Duration::from_secs_f64(delivery.accept_s);
        let deliver = Duration::from_secs_f64(delivery.deliver_s.unwrap_or(0.0));
        Throughput {
            count: spec.count,
            concurrency: spec.concurrency,
            accepted_per_s: per_second(delivery.accepted, accept),
            delivered_per_s: per_second(delivery.delivered, deliver),
            delivery,
        }
    }
}

impl Latency {
    pub fn of(spec: LoadSpec, outcome: &RunOutcome) -> Latency {
        let sends = sends(outcome);
        let accept = sends
            .iter()
            .filter(|send| is_accepted(send))
            .filter_map(|send| send.latency_us)
            .collect();
        let end_to_end = sends
            .iter()
            .filter(|send| is_accepted(send))
            .filter_map(|send| {
                let received = *outcome.receipts.received_unix_us.get(&send.seq)?;
                Some(u64::try_from(received - send.sent_unix_us as i64).unwrap_or(0))
            })
            .collect();
        let rate = spec.rate.unwrap_or(0.0);
        Latency {
            rate_per_s: rate,
            count: spec.count,
            delivery: Delivery::of(outcome),
            accept: Percentiles::of_micros(accept),
            end_to_end: Percentiles::of_micros(end_to_end),
            max_start_lag_ms: max_start_lag_us(sends, rate) as f64 / 1000.0,
        }
    }
}

impl StormFigures {
    pub fn of(spec: LoadSpec, outcome: &RunOutcome) -> StormFigures {
        StormFigures {
            count: spec.count,
            concurrency: spec.concurrency,
            delivery: Delivery::of(outcome),
            relay_peak_rss_mib: outcome
                .relay
                .as_ref()
                .map(|relay| kib_to_mib(relay.memory.peak_kib)),
            relay_drain_per_s: drain_rate(outcome),
        }
    }
}

impl Delivery {
    pub fn of(outcome: &RunOutcome) -> Delivery {
        let summary = &outcome.summary;
        let received = &outcome.receipts.received_unix_us;
        let accepted: BTreeSet<u64> = sends(outcome)
            .iter()
            .filter(|send| is_accepted(send))
            .map(|send| send.seq)
            .collect();
        let delivered = accepted
            .iter()
            .filter(|seq| received.contains_key(seq))
            .count() as u64;

        let first_sent = sends(outcome).iter().map(|send| send.sent_unix_us).min();
        let deliver_s = first_sent
            .zip(outcome.receipts.last_unix_us())
            .map(|(first, last)| (last - first as i64).max(0) as f64 / 1e6);
        Delivery {
            accepted: summary.accepted,
            rejected: summary.rejected,
            errors: summary.errors,
            delivered,
            lost: accepted.len() as u64 - delivered,
            repeated: outcome.receipts.repeated,
            accept_s: summary.elapsed_s,
            deliver_s,
            cpu: CpuUse::of(outcome),
        }
    }
}

/// Returns the relay's delivery rate from the last intake response to the
/// last receipt.
fn drain_rate(outcome: &RunOutcome) -> Option<f64> {
    let relay = outcome.relay.as_ref()?;
    let first_sent = sends(outcome).iter().map(|send| send.sent_unix_us).min()?;
    let accept_end_us = first_sent as f64 + outcome.summary.elapsed_s * 1e6;
    let last_received_us = outcome.receipts.last_unix_us()? as f64;
    let delivered = relay
        .counters
        .delivered
        .saturating_sub(relay.delivered_at_accept_end);
    let seconds = (last_received_us - accept_end_us) / 1e6;
    (seconds > 0.0).then(|| delivered as f64 / seconds)
}

fn sends(outcome: &RunOutcome) -> &[SendRecord] {
    outcome.summary.sends.as_deref().unwrap_or_default()
}

/// Returns whether the alert got a 2xx response.
pub(super) fn is_accepted(send: &SendRecord) -> bool {
    send.status
        .is_some_and(|status| (200..300).contains(&status))
}

/// Returns the largest delay of a send after its scheduled start, where
/// alert `seq` is due `seq / rate` seconds after the first.
fn max_start_lag_us(sends: &[SendRecord], rate: f64) -> u64 {
    let Some(first) = sends.iter().map(|send| send.sent_unix_us).min() else {
        return 0;
    };
    if rate <= 0.0 {
        return 0;
    }
    sends
        .iter()
        .map(|send| {
            let due = first as f64 + send.seq as f64 * 1e6 / rate;
            (send.sent_unix_us as f64 - due).max(0.0) as u64
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use mock_overops::load::LoadSummary;

    use super::super::xmatters::Receipts;
    use super::*;

    fn record(seq: u64, sent_unix_us: u64) -> SendRecord {
        SendRecord {
            seq,
            sent_at: std::time::Instant::now(),
            sent_unix_us,
            status: Some(202),
            latency_us: Some(500),
        }
    }

    /// Returns a run of `sends` of which `received` reached mock-xmatters,
    /// each as (seq, receive time in µs).
    fn outcome(sends: Vec<SendRecord>, received: &[(u64, i64)]) -> RunOutcome {
        let accepted = sends.iter().filter(|send| is_accepted(send)).count() as u64;
        let summary = LoadSummary {
            shape: mock_overops::load::Storm::Distinct,
            sent: sends.len() as u64,
            accepted,
            rejected: sends.len() as u64 - accepted,
            errors: 0,
            elapsed_s: 0.004,
            throughput_per_s: 0.0,
            latency_ms: mock_overops::load::Latency {
                p50: None,
                p90: None,
                p99: None,
                max: None,
            },
            status_counts: Default::default(),
            error_samples: Vec::new(),
            sends: Some(sends),
        };
        let mut receipts = Receipts::default();
        receipts.received_unix_us.extend(received.iter().copied());
        RunOutcome {
            summary,
            receipts,
            bench_cpu: Duration::from_millis(5),
            relay: None,
        }
    }

    #[test]
    fn delivery_counts_lost_accepted_alerts() {
        let mut rejected = record(2, 1_002_000);
        rejected.status = Some(503);
        let sends = vec![record(0, 1_000_000), record(1, 1_001_000), rejected];

        let delivery = Delivery::of(&outcome(sends, &[(0, 1_003_000)]));

        assert_eq!(delivery.accepted, 2);
        assert_eq!(delivery.rejected, 1);
        assert_eq!(delivery.delivered, 1);
        assert_eq!(delivery.lost, 1, "seq 1 was accepted and never received");
        assert_eq!(delivery.deliver_s, Some(0.003));
    }

    #[test]
    fn delivery_without_receipts_has_no_time() {
        let delivery = Delivery::of(&outcome(vec![record(0, 1_000_000)], &[]));

        assert_eq!(delivery.lost, 1);
        assert_eq!(delivery.deliver_s, None);
    }

    #[test]
    fn end_to_end_latency_matches_by_seq() {
        let sends = vec![record(0, 1_000_000), record(1, 1_001_000)];
        let received = [(1, 1_003_000), (0, 1_000_500)];
        let spec = LoadSpec {
            count: 2,
            rate: Some(1000.0),
            concurrency: 4,
        };

        let latency = Latency::of(spec, &outcome(sends, &received));
        let end_to_end = latency.end_to_end.expect("two receipts");

        assert_eq!(end_to_end.count, 2);
        assert_eq!(end_to_end.p50_ms, 0.5);
        assert_eq!(end_to_end.max_ms, 2.0);
        assert_eq!(latency.max_start_lag_ms, 0.0);
    }

    #[test]
    fn throughput_divides_by_delivery_time() {
        let sends = vec![record(0, 1_000_000), record(1, 1_001_000)];
        let spec = LoadSpec {
            count: 2,
            rate: None,
            concurrency: 2,
        };

        let throughput = Throughput::of(spec, &outcome(sends, &[(0, 1_002_000), (1, 1_004_000)]));

        assert_eq!(throughput.accepted_per_s, 500.0);
        assert_eq!(throughput.delivered_per_s, 500.0);
        assert_eq!(throughput.delivery.cpu.bench_ms_per_1000, 2500.0);
    }

    #[test]
    fn start_lag_is_zero_on_schedule() {
        let sends = [
            record(0, 1_000_000),
            record(1, 1_001_000),
            record(2, 1_002_000),
        ];

        assert_eq!(max_start_lag_us(&sends, 1000.0), 0);
    }

    #[test]
    fn start_lag_measures_latest_send() {
        let sends = [
            record(0, 1_000_000),
            record(1, 1_001_000),
            record(2, 1_007_000),
        ];

        assert_eq!(max_start_lag_us(&sends, 1000.0), 5_000);
    }

    #[test]
    fn start_lag_without_rate_is_zero() {
        let sends = [record(0, 1_000_000), record(5, 9_000_000)];

        assert_eq!(max_start_lag_us(&sends, 0.0), 0);
    }
}
