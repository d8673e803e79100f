//! When to look an event up, and what a lookup result means for the
//! alert. Pure functions of their inputs.

use std::time::Duration;

use jiff::Timestamp;

use crate::config::service::ConfirmationConfig;
use crate::delivery::policy::{add, humanize};
use crate::store::{DueLookup, EventRef, LookupOutcome, LookupPlan};
use crate::story::counted;

/// Result of one lookup request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupResult {
    /// An event with the alert's `requestId` exists.
    Found(EventRef),
    /// The search succeeded and returned no event.
    NotFound,
    /// The request failed, with an error that names the cause and what to
    /// check.
    Failed(String),
}

/// The lookup schedule and timeout, from `[confirmation]`.
#[derive(Clone, Debug)]
pub struct LookupSchedule {
    waits: Vec<Duration>,
    timeout: Duration,
}

impl LookupSchedule {
    /// Builds the schedule from validated configuration.
    pub fn new(config: &ConfirmationConfig) -> Self {
        Self {
            waits: config.lookup_schedule.clone(),
            timeout: config.timeout,
        }
    }

    /// Plans the lookups of an alert delivered at `delivered_at`.
    pub fn plan(&self, delivered_at: Timestamp) -> LookupPlan {
        LookupPlan {
            first_at: add(delivered_at, self.wait_after(0)),
            deadline: add(delivered_at, self.timeout),
        }
    }

    /// Returns the wait after `lookups` lookups; the last entry repeats.
    fn wait_after(&self, lookups: u32) -> Duration {
        let index = (lookups as usize).min(self.waits.len().saturating_sub(1));
        self.waits.get(index).copied().unwrap_or_default()
    }

    /// Decides what the lookup made at `now` means for the alert.
    ///
    /// Without a result the next lookup follows the schedule, but the last
    /// one is made at the deadline itself. A lookup at or after the
    /// deadline that finds nothing makes the alert unconfirmed.
    pub fn decide(
        &self,
        lookup: &DueLookup,
        now: Timestamp,
        result: LookupResult,
    ) -> LookupOutcome {
        let error = match result {
            LookupResult::Found(event) => return LookupOutcome::Found(event),
            LookupResult::NotFound => None,
            LookupResult::Failed(error) => Some(error),
        };
        let lookups = lookup.lookups + 1;
        if now < lookup.deadline {
            let next_at = add(now, self.wait_after(lookups)).min(lookup.deadline);
            return LookupOutcome::RetryAt { next_at, error };
        }

        let request_id = lookup.request_id.as_deref().unwrap_or_default();
        let mut reason = format!(
            "no xMatters event has requestId {request_id} {} after delivery ({}, \
             confirmation.timeout); xMatters accepts a trigger before it validates it, so check \
             the integration's activity log in xMatters for a form validation error",
            humanize(self.timeout),
            counted(lookups, "lookup")
        );
        if let Some(error) = &error {
            reason.push_str("; the last lookup failed: ");
            reason.push_str(error);
        }
        LookupOutcome::Unconfirmed { reason, error }
    }

    /// Returns the outcome for an alert whose 202 had no `requestId`, which
    /// leaves nothing to look up.
    pub fn without_request_id() -> LookupOutcome {
        LookupOutcome::Unconfirmed {
            reason: "xMatters accepted the trigger without a requestId in its 202 body, so the \
                     event cannot be looked up; check that xmatters.trigger_url is an inbound \
                     integration (HTTP trigger) URL"
                .to_owned(),
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    fn schedule() -> LookupSchedule {
        LookupSchedule::new(&ConfirmationConfig {
            lookup_schedule: vec![Duration::from_secs(2), Duration::from_secs(10)],
            timeout: Duration::from_secs(60),
            concurrency: 1,
        })
    }

    fn due(lookups: u32) -> DueLookup {
        DueLookup {
            id: crate::store::AlertId::generate(),
            request_id: Some("5f6a9c1e".to_owned()),
            delivered_at: at(0),
            lookups,
            deadline: at(60),
        }
    }

    fn event() -> EventRef {
        EventRef {
            uuid: "b9f4c1a0".to_owned(),
            event_id: "981006".to_owned(),
            status: Some("ACTIVE".to_owned()),
        }
    }

    #[test]
    fn plan_starts_after_the_first_wait() {
        let plan = schedule().plan(at(0));
        assert_eq!(plan.first_at, at(2));
        assert_eq!(plan.deadline, at(60));
    }

    #[test]
    fn found_event_confirms() {
        let outcome = schedule().decide(&due(0), at(2), LookupResult::Found(event()));
        assert_eq!(outcome, LookupOutcome::Found(event()));
    }

    #[test]
    fn missing_event_is_looked_up_again_on_schedule() {
        let outcome = schedule().decide(&due(0), at(2), LookupResult::NotFound);
        assert_eq!(
            outcome,
            LookupOutcome::RetryAt {
                next_at: at(12),
                error: None
            }
        );
    }

    #[test]
    fn last_lookup_is_made_at_the_deadline() {
        let outcome = schedule().decide(&due(5), at(55), LookupResult::NotFound);
        assert_eq!(
            outcome,
            LookupOutcome::RetryAt {
                next_at: at(60),
                error: None
            }
        );
    }

    #[test]
    fn missing_event_at_the_deadline_is_unconfirmed() {
        let outcome = schedule().decide(
            &due(6),
            at(60),
            LookupResult::Failed("xMatters responded 503".to_owned()),
        );
        let LookupOutcome::Unconfirmed { reason, error } = outcome else {
            panic!("expected unconfirmed, got {outcome:?}");
        };
        assert!(reason.contains("requestId 5f6a9c1e"), "{reason}");
        assert!(reason.contains("7 lookups"), "{reason}");
        assert!(reason.contains("activity log"), "{reason}");
        assert!(reason.ends_with("xMatters responded 503"), "{reason}");
        assert_eq!(error.as_deref(), Some("xMatters responded 503"));
    }

    #[test]
    fn failed_lookup_keeps_its_error() {
        let outcome = schedule().decide(&due(0), at(2), LookupResult::Failed("timeout".to_owned()));
        assert_eq!(
            outcome,
            LookupOutcome::RetryAt {
                next_at: at(12),
                error: Some("timeout".to_owned())
            }
        );
    }
}
