//! The time source of the service, replaceable so that tests can move
//! time forward instead of sleeping.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// Source of the current time for intake, delivery, confirmation and
/// storm protection.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// Returns the current time.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock plus an offset that only grows, for tests: time keeps
/// flowing, and [`ShiftedClock::advance`] jumps ahead, such as past a
/// storm window or a confirmation timeout.
///
/// Timers inside the relay still sleep in real time, so after an advance
/// the relay notices the new time at its next poll
/// (`delivery.poll_interval`).
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: Mutex<SignedDuration>,
}

impl ShiftedClock {
    /// Creates a clock that starts at the system time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        let mut offset = self
            .offset
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *offset = offset.saturating_add(by);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let offset = *self
            .offset
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Timestamp::now()
            .checked_add(offset)
            .unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_clock_moves_ahead_by_the_advance() {
        let clock = ShiftedClock::new();
        let before = Timestamp::now();

        clock.advance(Duration::from_secs(3600));
        let shifted = clock.now();

        let ahead = shifted.duration_since(before);
        assert!(ahead >= SignedDuration::from_secs(3600), "{ahead:?}");
        assert!(ahead < SignedDuration::from_secs(3660), "{ahead:?}");
    }
}
