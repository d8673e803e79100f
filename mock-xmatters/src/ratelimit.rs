//! The API rate limit: a fixed window on the simulated clock with the
//! `x-ratelimit-*` headers that xMatters sends, and 429 over the limit.

use axum::http::{HeaderMap, HeaderValue};
use jiff::{SignedDuration, Timestamp};

/// Header with the number of requests allowed per window.
pub const LIMIT_HEADER: &str = "x-ratelimit-limit";
/// Header with the window length in seconds.
pub const PERIOD_HEADER: &str = "x-ratelimit-period_in_sec";
/// Header with the number of requests counted in the current window.
pub const USED_HEADER: &str = "x-ratelimit-used";

/// A fixed-window request counter. The window starts at the first request
/// and runs on the simulated clock, so in manual clock mode it only rolls
/// over when a test advances time.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    /// Requests allowed per window; `None` disables the limit but keeps
    /// the headers.
    limit: Option<u64>,
    period_seconds: u64,
    window_start: Option<Timestamp>,
    used: u64,
}

/// The verdict for one request and the header values to send with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    /// The limit sent in `x-ratelimit-limit`; 0 when the limit is off.
    pub limit: u64,
    pub period_seconds: u64,
    pub used: u64,
    /// Seconds until the window rolls over; named in the 429 error message
    /// but not sent as `Retry-After`, which xMatters does not document.
    pub retry_after_seconds: u64,
}

impl RateLimiter {
    /// Creates a limiter that allows `limit` requests per `period_seconds`
    /// (xMatters was observed with 60000 per 60 seconds).
    pub fn new(limit: Option<u64>, period_seconds: u64) -> Self {
        Self {
            limit,
            period_seconds: period_seconds.max(1),
            window_start: None,
            used: 0,
        }
    }

    /// Counts a request arriving at `now` and decides whether it may pass.
    /// Rejected requests are not counted.
    pub fn check(&mut self, now: Timestamp) -> RateDecision {
        let period = SignedDuration::from_secs(self.period_seconds as i64);
        let window_start = match self.window_start {
            Some(start) if now.duration_since(start) < period => start,
            _ => {
                self.used = 0;
                self.window_start = Some(now);
                now
            }
        };

        let allowed = self.limit.is_none_or(|limit| self.used < limit);
        if allowed {
            self.used += 1;
        }

        let elapsed = now.duration_since(window_start).as_secs().max(0) as u64;
        RateDecision {
            allowed,
            limit: self.limit.unwrap_or(0),
            period_seconds: self.period_seconds,
            used: self.used,
            retry_after_seconds: self.period_seconds.saturating_sub(elapsed).max(1),
        }
    }

    /// Starts a fresh window, as after `/mock/reset`.
    pub fn reset(&mut self) {
        self.window_start = None;
        self.used = 0;
    }
}

impl RateDecision {
    /// Writes the three `x-ratelimit-*` headers.
    pub fn apply_headers(&self, headers: &mut HeaderMap) {
        headers.insert(LIMIT_HEADER, HeaderValue::from(self.limit));
        headers.insert(PERIOD_HEADER, HeaderValue::from(self.period_seconds));
        headers.insert(USED_HEADER, HeaderValue::from(self.used));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_767_258_000 + seconds).expect("valid timestamp")
    }

    #[test]
    fn allows_up_to_limit_then_rejects() {
        let mut limiter = RateLimiter::new(Some(3), 60);

        let verdicts: Vec<bool> = (0..5).map(|i| limiter.check(at(i)).allowed).collect();

        assert_eq!(verdicts, [true, true, true, false, false]);
    }

    #[test]
    fn used_counts_allowed_requests_only() {
        let mut limiter = RateLimiter::new(Some(2), 60);
        limiter.check(at(0));
        limiter.check(at(1));

        let rejected = limiter.check(at(2));

        assert_eq!(rejected.used, 2);
        assert_eq!(rejected.limit, 2);
        assert_eq!(rejected.period_seconds, 60);
    }

    #[test]
    fn window_rolls_over_after_period() {
        let mut limiter = RateLimiter::new(Some(1), 60);
        assert!(limiter.check(at(0)).allowed);
        assert!(!limiter.check(at(59)).allowed);

        let next_window = limiter.check(at(60));

        assert!(next_window.allowed);
        assert_eq!(next_window.used, 1);
    }

    #[test]
    fn retry_after_is_time_left_in_window() {
        let mut limiter = RateLimiter::new(Some(1), 60);
        limiter.check(at(0));

        let rejected = limiter.check(at(45));

        assert_eq!(rejected.retry_after_seconds, 15);
    }

    #[test]
    fn disabled_limit_allows_everything() {
        let mut limiter = RateLimiter::new(None, 60);

        let last = (0..1000)
            .map(|_| limiter.check(at(0)))
            .last()
            .expect("checked");

        assert!(last.allowed);
        assert_eq!(last.used, 1000);
        assert_eq!(last.limit, 0);
    }

    #[test]
    fn headers_carry_limit_period_used() {
        let mut limiter = RateLimiter::new(Some(60_000), 60);
        let decision = limiter.check(at(0));
        let mut headers = HeaderMap::new();

        decision.apply_headers(&mut headers);

        assert_eq!(headers[LIMIT_HEADER], "60000");
        assert_eq!(headers[PERIOD_HEADER], "60");
        assert_eq!(headers[USED_HEADER], "1");
    }

    #[test]
    fn reset_starts_fresh_window() {
        let mut limiter = RateLimiter::new(Some(1), 60);
        limiter.check(at(0));

        limiter.reset();

        assert!(limiter.check(at(1)).allowed);
    }
}
