//! Service counters, rendered in the Prometheus text exposition format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::store::CallbackKind;

/// Reason the intake rejected a request, the `reason` label of
/// `relay_alerts_rejected_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// Missing or unknown token (401).
    Unauthorized,
    /// Body that is not an OverOps alert (400).
    InvalidPayload,
    /// Body above `server.max_body_bytes` (413).
    TooLarge,
    /// Body not received within `server.body_read_timeout` (408).
    BodyTimeout,
    /// Pending alerts above `server.max_backlog` (503).
    BacklogFull,
    /// Store failed to commit (503).
    StoreUnavailable,
    /// Relay is shutting down (503).
    ShuttingDown,
}

impl RejectReason {
    const ALL: [RejectReason; 7] = [
        Self::Unauthorized,
        Self::InvalidPayload,
        Self::TooLarge,
        Self::BodyTimeout,
        Self::BacklogFull,
        Self::StoreUnavailable,
        Self::ShuttingDown,
    ];

    /// Label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::InvalidPayload => "invalid_payload",
            Self::TooLarge => "too_large",
            Self::BodyTimeout => "body_timeout",
            Self::BacklogFull => "backlog_full",
            Self::StoreUnavailable => "store_unavailable",
            Self::ShuttingDown => "shutting_down",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Upper bounds, in seconds, of the delivery latency histogram buckets.
const LATENCY_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 300.0, 3600.0,
];

/// Counters shared by the intake and the delivery worker.
#[derive(Debug, Default)]
pub struct Metrics {
    received: AtomicU64,
    rejected: [AtomicU64; RejectReason::ALL.len()],
    duplicates: AtomicU64,
    delivered: AtomicU64,
    retries: AtomicU64,
    dead: AtomicU64,
    /// Pending alerts as last read from the store.
    backlog: AtomicU64,
    latency: Histogram,
    confirmed: AtomicU64,
    unconfirmed: AtomicU64,
    lookup_failures: AtomicU64,
    suppressed: AtomicU64,
    /// Callbacks stored, by [`CallbackKind`] in the order of `ALL`.
    callbacks: [AtomicU64; CallbackKind::ALL.len()],
    callbacks_unmatched: AtomicU64,
    callbacks_unauthorized: AtomicU64,
    held: AtomicU64,
    digests: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Count per bucket (not cumulative); the last slot is `+Inf`.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Metrics {
    /// Counts a request that was stored as a new alert.
    pub fn alert_received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a rejected request.
    pub fn rejected(&self, reason: RejectReason) {
        self.rejected[reason.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request recognized as a duplicate.
    pub fn duplicate(&self) {
        self.duplicates.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a delivery with its time from receipt to acceptance.
    pub fn delivered(&self, latency: Duration) {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        self.latency.observe(latency);
    }

    /// Counts an attempt that failed and will be retried.
    pub fn retry_scheduled(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an alert that became dead.
    pub fn dead(&self) {
        self.dead.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an alert whose event was found.
    pub fn confirmed(&self) {
        self.confirmed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an alert whose event did not appear in time.
    pub fn unconfirmed(&self) {
        self.unconfirmed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an event lookup that failed, as opposed to finding nothing.
    pub fn lookup_failed(&self) {
        self.lookup_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a confirmed event that xMatters suppressed.
    pub fn suppressed(&self) {
        self.suppressed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a stored callback, and whether it matched no alert.
    pub fn callback(&self, kind: CallbackKind, matched: bool) {
        let index = CallbackKind::ALL
            .iter()
            .position(|known| *known == kind)
            .unwrap_or(CallbackKind::ALL.len() - 1);
        self.callbacks[index].fetch_add(1, Ordering::Relaxed);
        if !matched {
            self.callbacks_unmatched.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a callback request with missing or wrong credentials.
    pub fn callback_unauthorized(&self) {
        self.callbacks_unauthorized.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts alerts held by storm protection.
    pub fn held(&self, count: u64) {
        self.held.fetch_add(count, Ordering::Relaxed);
    }

    /// Counts a digest event created by storm protection.
    pub fn digest(&self) {
        self.digests.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets the backlog to the count read from the store.
    pub fn set_backlog(&self, pending: u64) {
        self.backlog.store(pending, Ordering::Relaxed);
    }

    /// Returns the pending alerts as last counted.
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::Relaxed)
    }

    /// Renders every metric in the Prometheus text format, version 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        counter(
            &mut out,
            "relay_alerts_received_total",
            "Alerts accepted and stored.",
            &self.received,
        );

        out.push_str("# HELP relay_alerts_rejected_total Intake requests rejected, by reason.\n");
        out.push_str("# TYPE relay_alerts_rejected_total counter\n");
        for reason in RejectReason::ALL {
            let value = self.rejected[reason.index()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "relay_alerts_rejected_total{{reason=\"{}\"}} {value}",
                reason.as_str()
            );
        }

        counter(
            &mut out,
            "relay_alerts_duplicate_total",
            "Requests recognized as duplicates and not forwarded.",
            &self.duplicates,
        );
        counter(
            &mut out,
            "relay_alerts_delivered_total",
            "Alerts accepted by xMatters.",
            &self.delivered,
        );
        counter(
            &mut out,
            "relay_delivery_retries_total",
            "Failed delivery attempts scheduled for a retry.",
            &self.retries,
        );
        counter(
            &mut out,
            "relay_alerts_dead_total",
            "Alerts given up on.",
            &self.dead,
        );

        self.render_follow_up(&mut out);

        out.push_str("# HELP relay_backlog Pending alerts waiting for delivery.\n");
        out.push_str("# TYPE relay_backlog gauge\n");
        let _ = writeln!(out, "relay_backlog {}", self.backlog());

        self.latency.render(&mut out);
        out
    }
}

impl Metrics {
    /// Renders the counters of confirmation, callbacks and storm protection.
    fn render_follow_up(&self, out: &mut String) {
        counter(
            out,
            "relay_alerts_confirmed_total",
            "Delivered alerts whose xMatters event was found.",
            &self.confirmed,
        );
        counter(
            out,
            "relay_alerts_unconfirmed_total",
            "Delivered alerts whose xMatters event did not appear within confirmation.timeout.",
            &self.unconfirmed,
        );
        counter(
            out,
            "relay_event_lookup_failures_total",
            "Event lookups that failed, as opposed to finding no event.",
            &self.lookup_failures,
        );
        counter(
            out,
            "relay_events_suppressed_total",
            "Confirmed events that xMatters suppressed, so nobody was notified.",
            &self.suppressed,
        );

        out.push_str("# HELP relay_callbacks_total xMatters callbacks stored, by kind.\n");
        out.push_str("# TYPE relay_callbacks_total counter\n");
        for (kind, value) in CallbackKind::ALL.iter().zip(&self.callbacks) {
            let _ = writeln!(
                out,
                "relay_callbacks_total{{kind=\"{}\"}} {}",
                kind.as_str(),
                value.load(Ordering::Relaxed)
            );
        }
        counter(
            out,
            "relay_callbacks_unmatched_total",
            "xMatters callbacks about an event that no alert had when they arrived.",
            &self.callbacks_unmatched,
        );
        counter(
            out,
            "relay_callbacks_unauthorized_total",
            "Callback requests rejected for missing or wrong credentials.",
            &self.callbacks_unauthorized,
        );
        counter(
            out,
            "relay_alerts_held_total",
            "Alerts held by storm protection for a digest.",
            &self.held,
        );
        counter(
            out,
            "relay_digests_total",
            "Digest events created by storm protection.",
            &self.digests,
        );
    }
}

fn counter(out: &mut String, name: &str, help: &str, value: &AtomicU64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
}

impl Histogram {
    fn observe(&self, value: Duration) {
        let seconds = value.as_secs_f64();
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(value.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String) {
        let name = "relay_delivery_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time from receipt to acceptance by xMatters."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.buckets[LATENCY_BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {}", self.count.load(Ordering::Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|line| line.starts_with(prefix))
    }

    #[test]
    fn counters_render_with_labels() {
        let metrics = Metrics::default();
        metrics.alert_received();
        metrics.set_backlog(1);
        metrics.rejected(RejectReason::TooLarge);
        metrics.rejected(RejectReason::TooLarge);
        let text = metrics.render();
        assert_eq!(
            line(&text, "relay_alerts_received_total "),
            Some("relay_alerts_received_total 1")
        );
        assert_eq!(
            line(&text, "relay_alerts_rejected_total{reason=\"too_large\"}"),
            Some("relay_alerts_rejected_total{reason=\"too_large\"} 2")
        );
        assert_eq!(line(&text, "relay_backlog "), Some("relay_backlog 1"));
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.delivered(Duration::from_millis(3));
        metrics.delivered(Duration::from_millis(700));
        metrics.delivered(Duration::from_secs(7200));
        let text = metrics.render();
        let bucket = |le: &str| {
            line(
                &text,
                &format!("relay_delivery_latency_seconds_bucket{{le=\"{le}\"}}"),
            )
            .map(str::to_owned)
        };
        assert_eq!(
            bucket("0.005"),
            Some("relay_delivery_latency_seconds_bucket{le=\"0.005\"} 1".to_owned())
        );
        assert_eq!(
            bucket("1"),
            Some("relay_delivery_latency_seconds_bucket{le=\"1\"} 2".to_owned())
        );
        assert_eq!(
            bucket("3600"),
            Some("relay_delivery_latency_seconds_bucket{le=\"3600\"} 2".to_owned())
        );
        assert_eq!(
            bucket("+Inf"),
            Some("relay_delivery_latency_seconds_bucket{le=\"+Inf\"} 3".to_owned())
        );
        assert_eq!(
            line(&text, "relay_delivery_latency_seconds_count"),
            Some("relay_delivery_latency_seconds_count 3")
        );
    }
}
