//! Simulated time.
//!
//! The engine never reads the wall clock: every instant it stores is a
//! [`SimTime`] handed to it by the caller. [`SimClock`] is the clock the
//! server owns; in [`ClockMode::Manual`] it moves only when a test or a
//! hook sets or advances it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};

/// An instant on the simulated clock (UTC, millisecond precision in output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SimTime(Timestamp);

impl SimTime {
    /// The instant a manual clock starts at, fixed so that snapshots are stable.
    pub const DEFAULT_START: SimTime = SimTime(Timestamp::constant(1_767_258_000, 0));

    /// Wraps a timestamp.
    pub fn from_timestamp(timestamp: Timestamp) -> Self {
        SimTime(timestamp)
    }

    /// Returns the underlying timestamp.
    pub fn timestamp(self) -> Timestamp {
        self.0
    }

    /// Returns the milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0.as_millisecond()
    }

    /// Returns this instant moved forward by `duration`, saturating at the
    /// largest instant jiff can represent.
    pub fn plus(self, duration: Duration) -> SimTime {
        let signed = SignedDuration::try_from(duration).unwrap_or(SignedDuration::MAX);
        SimTime(self.0.saturating_add(signed).unwrap_or(Timestamp::MAX))
    }

    /// Returns this instant moved forward by whole minutes.
    pub fn plus_minutes(self, minutes: u32) -> SimTime {
        self.plus(Duration::from_secs(u64::from(minutes) * 60))
    }

    /// Returns the time elapsed from `earlier` to `self`, or zero when
    /// `earlier` is later.
    pub fn since(self, earlier: SimTime) -> Duration {
        let signed = self.0.duration_since(earlier.0);
        Duration::try_from(signed).unwrap_or(Duration::ZERO)
    }

    /// Formats the instant the way the xMatters REST API writes `created`:
    /// `2016-10-31T22:37:35.301+0000`.
    pub fn to_rest_format(self) -> String {
        self.0
            .to_zoned(TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%z")
            .to_string()
    }

    /// Formats the instant the way xMatters outbound webhooks write `date`:
    /// `2019-11-12 16:54:37.656`, UTC without a zone.
    pub fn to_webhook_format(self) -> String {
        self.0
            .to_zoned(TimeZone::UTC)
            .strftime("%Y-%m-%d %H:%M:%S%.3f")
            .to_string()
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Formats an offset from an event's creation for timelines: `+0s`, `+5m`,
/// `+1h2m3s`, with milliseconds only when they are not zero (`+1.250s`).
pub fn format_offset(offset: Duration) -> String {
    let total_secs = offset.as_secs();
    let millis = offset.subsec_millis();
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let seconds = total_secs % 60;

    let mut text = String::from("+");
    if hours > 0 {
        text.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        text.push_str(&format!("{minutes}m"));
    }
    if millis > 0 {
        text.push_str(&format!("{seconds}.{millis:03}s"));
    } else if seconds > 0 || (hours == 0 && minutes == 0) {
        text.push_str(&format!("{seconds}s"));
    }
    text
}

/// The way the server moves its simulated clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Time moves only when a test or a hook sets or advances it.
    Manual,
    /// Time follows the wall clock, so escalations happen by themselves.
    Real,
}

/// The error for a clock mode that is neither `manual` nor `real`.
#[derive(Debug, thiserror::Error)]
#[error("invalid clock mode {0:?}: expected \"manual\" or \"real\"")]
pub struct InvalidClockMode(String);

impl FromStr for ClockMode {
    type Err = InvalidClockMode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "manual" => Ok(ClockMode::Manual),
            "real" => Ok(ClockMode::Real),
            other => Err(InvalidClockMode(other.to_string())),
        }
    }
}

/// A clock that moves only forward, and only when set or advanced.
#[derive(Debug, Clone)]
pub struct SimClock {
    /// The current simulated instant.
    now: SimTime,
}

impl SimClock {
    /// Creates a clock that reads `start`.
    pub fn new(start: SimTime) -> Self {
        SimClock { now: start }
    }

    /// Returns the current simulated instant.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Moves the clock to `t`. Returns false and leaves the clock unchanged
    /// when `t` is earlier than now, because simulated time never goes back.
    pub fn set(&mut self, t: SimTime) -> bool {
        if t < self.now {
            return false;
        }
        self.now = t;
        true
    }

    /// Moves the clock forward by `duration` and returns the new instant.
    pub fn advance(&mut self, duration: Duration) -> SimTime {
        self.now = self.now.plus(duration);
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_new_year_nine_utc() {
        assert_eq!(SimTime::DEFAULT_START.to_string(), "2026-01-01T09:00:00Z");
    }

    #[test]
    fn rest_and_webhook_formats() {
        let t = SimTime::DEFAULT_START.plus(Duration::from_millis(1_301));
        assert_eq!(t.to_rest_format(), "2026-01-01T09:00:01.301+0000");
        assert_eq!(t.to_webhook_format(), "2026-01-01 09:00:01.301");
    }

    #[test]
    fn offsets_read_as_hours_minutes_seconds() {
        let cases = [
            (0, "+0s"),
            (5, "+5s"),
            (300, "+5m"),
            (3723, "+1h2m3s"),
            (10_800, "+3h"),
        ];
        for (secs, expected) in cases {
            assert_eq!(
                format_offset(Duration::from_secs(secs)),
                expected,
                "{secs} s"
            );
        }
        assert_eq!(format_offset(Duration::from_millis(1_250)), "+1.250s");
    }

    #[test]
    fn clock_never_goes_back() {
        let mut clock = SimClock::new(SimTime::DEFAULT_START);
        let later = clock.advance(Duration::from_secs(60));
        assert!(!clock.set(SimTime::DEFAULT_START));
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn clock_mode_parses() {
        assert_eq!("manual".parse::<ClockMode>().ok(), Some(ClockMode::Manual));
        assert_eq!("real".parse::<ClockMode>().ok(), Some(ClockMode::Real));
        assert!("wall".parse::<ClockMode>().is_err());
    }
}
