//! Retry decisions: the backoff schedule, jitter, `Retry-After`, the floor
//! after a 429 and the maximum age. Pure functions of their inputs.

use std::time::Duration;

use jiff::Timestamp;

use crate::config::service::{DeliveryConfig, MIN_RETRY_WAIT};

/// Retry timing reported by a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryHint {
    /// The response was 429 Too Many Requests.
    pub rate_limited: bool,
    /// Wait the server requested in `Retry-After`.
    pub retry_after: Option<Duration>,
}

/// Next step for an alert whose attempt failed with a retryable error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again at this time.
    RetryAt(Timestamp),
    /// Give up because the next attempt would come after the maximum age.
    Expire {
        /// Why, for the dead-letter record.
        reason: String,
    },
}

/// The retry schedule and its bounds, from `[delivery]`.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    schedule: Vec<Duration>,
    jitter: f64,
    max_retry_after: Duration,
    rate_limit_floor: Duration,
    max_age: Duration,
}

impl RetryPolicy {
    /// Builds the policy from validated configuration.
    pub fn new(config: &DeliveryConfig) -> Self {
        Self {
            schedule: config.retry_schedule.clone(),
            jitter: config.jitter,
            max_retry_after: config.max_retry_after,
            rate_limit_floor: config.rate_limit_floor,
            max_age: config.max_age,
        }
    }

    /// Returns the scheduled wait after `attempts` failed attempts (1 for the
    /// first), before jitter. The last entry repeats once the schedule is used up.
    pub fn scheduled_wait(&self, attempts: u32) -> Duration {
        let index = (attempts.max(1) as usize - 1).min(self.schedule.len().saturating_sub(1));
        self.schedule.get(index).copied().unwrap_or_default()
    }

    /// Returns the wait before the next attempt.
    ///
    /// `spread` is a random sample in [-1, 1] that scales the jitter; the
    /// result is never below [`MIN_RETRY_WAIT`]. A `Retry-After` lengthens
    /// the scheduled wait to the requested one, capped at
    /// `max_retry_after`, and never shortens it. After a 429 the wait is
    /// at least `rate_limit_floor`.
    pub fn wait(&self, attempts: u32, hint: RetryHint, spread: f64) -> Duration {
        let factor = 1.0 + self.jitter * spread.clamp(-1.0, 1.0);
        let scheduled = self
            .scheduled_wait(attempts)
            .mul_f64(factor.max(0.0))
            .max(MIN_RETRY_WAIT);
        let requested = hint.retry_after.map_or(Duration::ZERO, |requested| {
            requested.min(self.max_retry_after)
        });
        let floor = if hint.rate_limited {
            self.rate_limit_floor
        } else {
            Duration::ZERO
        };
        scheduled.max(requested).max(floor)
    }

    /// Returns whether an alert queued at `queued_at` is past its maximum age.
    pub fn is_expired(&self, queued_at: Timestamp, now: Timestamp) -> bool {
        self.deadline(queued_at) <= now
    }

    /// Decides when to retry after a failed attempt at `now`.
    pub fn decide(
        &self,
        queued_at: Timestamp,
        now: Timestamp,
        attempts: u32,
        hint: RetryHint,
        spread: f64,
    ) -> RetryDecision {
        let wait = self.wait(attempts, hint, spread);
        let next = add(now, wait);
        if next > self.deadline(queued_at) {
            return RetryDecision::Expire {
                reason: format!(
                    "not delivered within the maximum age of {} (delivery.max_age) after {attempts} attempts",
                    humanize(self.max_age)
                ),
            };
        }
        RetryDecision::RetryAt(next)
    }

    fn deadline(&self, queued_at: Timestamp) -> Timestamp {
        add(queued_at, self.max_age)
    }

    /// Maximum age, for messages.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }
}

/// Adds a duration to a timestamp, saturating at jiff's maximum.
pub(crate) fn add(at: Timestamp, wait: Duration) -> Timestamp {
    jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|signed| at.checked_add(signed).ok())
        .unwrap_or(Timestamp::MAX)
}

/// Formats a duration for messages, such as `1h 30m`.
pub(crate) fn humanize(value: Duration) -> String {
    jiff::SignedDuration::try_from(value)
        .map(|signed| format!("{signed:#}"))
        .unwrap_or_else(|_| format!("{}s", value.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(&DeliveryConfig {
            retry_schedule: vec![Duration::from_secs(1), Duration::from_secs(10)],
            jitter: 0.5,
            max_retry_after: Duration::from_secs(60),
            rate_limit_floor: Duration::from_secs(30),
            max_age: Duration::from_secs(3600),
            ..DeliveryConfig::default()
        })
    }

    const PLAIN: RetryHint = RetryHint {
        rate_limited: false,
        retry_after: None,
    };

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + seconds).expect("in range")
    }

    #[test]
    fn schedule_repeats_its_last_entry() {
        let policy = policy();
        assert_eq!(policy.scheduled_wait(1), Duration::from_secs(1));
        assert_eq!(policy.scheduled_wait(2), Duration::from_secs(10));
        assert_eq!(policy.scheduled_wait(7), Duration::from_secs(10));
    }

    #[test]
    fn jitter_spreads_within_its_fraction() {
        let policy = policy();
        assert_eq!(policy.wait(2, PLAIN, -1.0), Duration::from_secs(5));
        assert_eq!(policy.wait(2, PLAIN, 0.0), Duration::from_secs(10));
        assert_eq!(policy.wait(2, PLAIN, 1.0), Duration::from_secs(15));
        assert_eq!(policy.wait(2, PLAIN, 9.0), Duration::from_secs(15));
    }

    #[test]
    fn full_jitter_keeps_the_minimum_wait() {
        let policy = RetryPolicy::new(&DeliveryConfig {
            retry_schedule: vec![Duration::from_millis(10)],
            jitter: 1.0,
            ..DeliveryConfig::default()
        });
        assert_eq!(policy.wait(1, PLAIN, -1.0), MIN_RETRY_WAIT);
    }

    #[test]
    fn retry_after_lengthens_wait_within_cap() {
        let policy = policy();
        let requested = |secs| RetryHint {
            rate_limited: false,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(policy.wait(1, requested(7), 1.0), Duration::from_secs(7));
        assert_eq!(policy.wait(1, requested(600), 0.0), Duration::from_secs(60));
        assert_eq!(policy.wait(2, requested(0), 0.0), Duration::from_secs(10));
        assert_eq!(policy.wait(2, requested(3), 0.0), Duration::from_secs(10));
    }

    #[test]
    fn rate_limit_waits_at_least_the_floor() {
        let policy = policy();
        let limited = |retry_after| RetryHint {
            rate_limited: true,
            retry_after,
        };
        assert_eq!(policy.wait(1, limited(None), 0.0), Duration::from_secs(30));
        assert_eq!(
            policy.wait(1, limited(Some(Duration::from_secs(2))), 0.0),
            Duration::from_secs(30)
        );
        assert_eq!(
            policy.wait(1, limited(Some(Duration::from_secs(45))), 0.0),
            Duration::from_secs(45)
        );
    }

    #[test]
    fn retry_is_scheduled_after_the_wait() {
        let decision = policy().decide(at(0), at(100), 1, PLAIN, 0.0);
        assert_eq!(decision, RetryDecision::RetryAt(at(101)));
    }

    #[test]
    fn retry_past_max_age_expires() {
        let decision = policy().decide(at(0), at(3595), 2, PLAIN, 0.0);
        assert!(
            matches!(decision, RetryDecision::Expire { .. }),
            "{decision:?}"
        );
    }

    #[test]
    fn expiry_is_measured_from_queue_time() {
        let policy = policy();
        assert!(!policy.is_expired(at(0), at(3599)));
        assert!(policy.is_expired(at(0), at(3600)));
    }
}
