//! Bounded polling: wait for a condition without sleeping a fixed time.

use std::future::Future;
use std::time::Duration;

/// Polls [`eventually`] makes by default before it gives up. With
/// [`POLL_PAUSE`] between polls this is at least 10 seconds of waiting,
/// far more than any delivery in the harness needs.
pub const DEFAULT_MAX_POLLS: u32 = 1_000;

/// Pause between two polls, so that the relay and the simulator get the
/// CPU between looks.
pub const POLL_PAUSE: Duration = Duration::from_millis(10);

/// A condition that was still false after the last poll.
#[derive(Debug, thiserror::Error)]
#[error("gave up waiting for {what} after {polls} polls; last seen: {last_seen}")]
pub struct PollError {
    /// What was awaited, such as "alert 1 to be delivered".
    pub what: String,
    /// Number of polls made.
    pub polls: u32,
    /// What the last poll observed instead.
    pub last_seen: String,
}

/// Calls `poll` until it returns `Ok`, at most `max_polls` times with
/// [`POLL_PAUSE`] between calls.
///
/// `poll` returns `Err` with a description of what it saw, which the
/// error repeats when the polls run out.
pub async fn eventually<T, F, Fut>(what: &str, max_polls: u32, mut poll: F) -> Result<T, PollError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let mut last_seen = String::from("nothing (no poll was made)");
    for polls in 1..=max_polls.max(1) {
        match poll().await {
            Ok(value) => return Ok(value),
            Err(seen) => last_seen = seen,
        }
        if polls < max_polls {
            tokio::time::sleep(POLL_PAUSE).await;
        }
    }
    Err(PollError {
        what: what.to_owned(),
        polls: max_polls.max(1),
        last_seen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn eventually_returns_first_success() {
        let calls = AtomicU32::new(0);

        let value = eventually("the third call", 5, || async {
            let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
            if call == 3 {
                Ok(call)
            } else {
                Err(format!("call {call}"))
            }
        })
        .await
        .expect("succeeds on the third call");

        assert_eq!(value, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn eventually_reports_last_seen() {
        let calls = AtomicU32::new(0);

        let error = eventually("a condition that never holds", 4, || async {
            let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
            Err::<(), _>(format!("call {call}"))
        })
        .await
        .expect_err("never succeeds");

        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(error.polls, 4);
        assert_eq!(
            error.to_string(),
            "gave up waiting for a condition that never holds after 4 polls; last seen: call 4"
        );
    }
}
