//! The delivery worker's pause after store failures.
//!
//! When the store cannot commit (a full disk, a lost volume), claiming due
//! alerts fails at once, and retrying at once would spin the worker and
//! flood the log. The worker instead waits a time that doubles with each
//! consecutive failure, up to [`MAX_PAUSE`], and logs each failure with
//! the count so far.

use std::time::Duration;

use tokio::time::Instant;

use crate::store::StoreError;

/// Pause after the first failure.
pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(100);

/// Maximum pause, reached after ten consecutive failures. The store is
/// tried again at least this often, so delivery resumes within this time
/// after the store recovers.
pub(crate) const MAX_PAUSE: Duration = Duration::from_secs(30);

/// Consecutive store failures and the pause they impose.
#[derive(Debug, Default)]
pub(crate) struct StoreBackoff {
    /// Failures since the last success.
    failures: u32,
    /// End of the current pause.
    resume_at: Option<Instant>,
}

impl StoreBackoff {
    /// Returns the pause after `failures` consecutive failures.
    pub(crate) fn pause(failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(16);
        FIRST_PAUSE.saturating_mul(1 << doublings).min(MAX_PAUSE)
    }

    /// Records a failed store operation, logs it with the failure count and
    /// returns how long the worker pauses before touching the store again.
    pub(crate) fn failed(&mut self, operation: &str, error: &StoreError) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let pause = Self::pause(self.failures);
        self.resume_at = Some(Instant::now() + pause);
        tracing::error!(
            %error,
            failures = self.failures,
            retry_in = ?pause,
            "{operation} failed; delivery pauses before the next try"
        );
        pause
    }

    /// Records a successful store operation, logging the recovery after
    /// failures.
    pub(crate) fn succeeded(&mut self) {
        if self.failures > 0 {
            tracing::info!(
                failures = self.failures,
                "the store works again; delivery resumes"
            );
        }
        self.failures = 0;
        self.resume_at = None;
    }

    /// Returns the rest of the current pause, or `None` when the worker may
    /// use the store.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        let left = self.resume_at?.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_doubles_up_to_the_maximum() {
        let pauses: Vec<Duration> = (1..=12).map(StoreBackoff::pause).collect();

        assert_eq!(pauses[0], FIRST_PAUSE);
        assert_eq!(pauses[1], FIRST_PAUSE * 2);
        assert_eq!(pauses[2], FIRST_PAUSE * 4);
        assert_eq!(pauses[11], MAX_PAUSE);
        assert!(
            pauses.windows(2).all(|pair| pair[0] <= pair[1]),
            "{pauses:?}"
        );
        assert_eq!(StoreBackoff::pause(u32::MAX), MAX_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn success_ends_the_pause() {
        let mut backoff = StoreBackoff::default();

        let pause = backoff.failed("claiming due alerts", &StoreError::Unavailable);
        let during = backoff.remaining();
        backoff.succeeded();

        assert_eq!(pause, FIRST_PAUSE);
        assert_eq!(during, Some(FIRST_PAUSE));
        assert_eq!(backoff.remaining(), None);
    }
}
