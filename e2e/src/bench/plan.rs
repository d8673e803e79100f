//! How many alerts each measurement sends, how fast and how many at once.

use std::time::Duration;

use serde::Serialize;

/// The sizes of one benchmark run.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Alerts of the saturation run.
    pub throughput_count: u64,
    /// Requests in flight in the saturation run.
    pub throughput_concurrency: usize,
    /// Alerts per second of the latency run.
    pub latency_rate: f64,
    /// Alerts of the latency run.
    pub latency_count: u64,
    /// Maximum requests in flight in the latency run; high enough that the
    /// rate, not this bound, sets the pace.
    pub latency_concurrency: usize,
    /// Alerts of the storm.
    pub storm_count: u64,
    /// Requests in flight during the storm.
    pub storm_concurrency: usize,
    /// `storm.window` of the relay in the storm with storm protection on.
    /// The default of 1 minute would make that run last about 3 minutes
    /// per 10,000 alerts, because each window sends at most
    /// `storm.max_events` digests of `storm.max_digest_alerts` alerts.
    #[serde(serialize_with = "as_millis")]
    pub storm_protection_window: Duration,
    /// Relay starts timed before the other runs.
    pub startups: usize,
    /// Wait after readiness before the idle memory is read.
    #[serde(serialize_with = "as_millis")]
    pub idle_settle: Duration,
    /// Maximum wait for the relay to deliver its backlog after a run.
    #[serde(serialize_with = "as_millis")]
    pub drain_timeout: Duration,
}

impl Plan {
    /// Returns the full plan: a few minutes on a 2-core machine.
    ///
    /// No run sends more than 10,000 alerts, the number of requests the
    /// mock-xmatters journal keeps, so every receipt can be checked. Its
    /// 128 MiB body limit holds 10,000 payloads of the default 20 frames.
    pub fn full() -> Plan {
        Plan {
            throughput_count: 10_000,
            throughput_concurrency: 32,
            latency_rate: 1_000.0,
            latency_count: 5_000,
            latency_concurrency: 64,
            storm_count: 10_000,
            storm_concurrency: 256,
            storm_protection_window: Duration::from_secs(2),
            startups: 5,
            idle_settle: Duration::from_millis(500),
            drain_timeout: Duration::from_secs(180),
        }
    }

    /// Returns the smoke plan: about a tenth of the alerts, enough to
    /// exercise every measurement.
    pub fn quick() -> Plan {
        Plan {
            throughput_count: 1_000,
            throughput_concurrency: 16,
            latency_rate: 1_000.0,
            latency_count: 1_000,
            latency_concurrency: 64,
            storm_count: 1_000,
            storm_concurrency: 64,
            storm_protection_window: Duration::from_secs(2),
            startups: 2,
            idle_settle: Duration::from_millis(200),
            drain_timeout: Duration::from_secs(60),
        }
    }
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u128(duration.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_fit_in_the_journal() {
        let limit = mock_xmatters::journal::MAX_JOURNAL_ENTRIES as u64;
        for plan in [Plan::full(), Plan::quick()] {
            assert!(plan.throughput_count <= limit);
            assert!(plan.latency_count <= limit);
            assert!(plan.storm_count <= limit);
        }
    }

    #[test]
    fn full_storm_sends_ten_thousand() {
        assert_eq!(Plan::full().storm_count, 10_000);
        assert_eq!(Plan::full().latency_rate, 1_000.0);
    }
}
