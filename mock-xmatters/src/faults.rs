//! Per-endpoint fault injection: a sequence of steps that the next requests
//! to an endpoint consume one by one (an error status with an optional
//! `Retry-After` and body, a delay, a connection reset), then either pass or
//! start the sequence again.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The API endpoint a fault sequence applies to. The `/mock` hooks never
/// take faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultEndpoint {
    /// `POST /api/integration/1/functions/{uuid}/triggers`.
    Trigger,
    /// `POST /reapi/2015-04-01/forms/{uuid}/triggers`.
    FormTrigger,
    /// `GET /api/xm/1/events`, `GET /api/xm/1/events/{id}` and the status
    /// change `POST /api/xm/1/events`.
    Events,
    /// `GET /api/xm/1/audits`.
    Audits,
    /// `POST` and `GET /api/xm/1/events/{id}/annotations`.
    Annotations,
    /// `GET /api/xm/1/event-suppressions`.
    Suppressions,
}

impl FaultEndpoint {
    pub const ALL: [FaultEndpoint; 6] = [
        FaultEndpoint::Trigger,
        FaultEndpoint::FormTrigger,
        FaultEndpoint::Events,
        FaultEndpoint::Audits,
        FaultEndpoint::Annotations,
        FaultEndpoint::Suppressions,
    ];

    /// Returns the name used in `/mock/faults` requests.
    pub fn name(self) -> &'static str {
        match self {
            FaultEndpoint::Trigger => "trigger",
            FaultEndpoint::FormTrigger => "form_trigger",
            FaultEndpoint::Events => "events",
            FaultEndpoint::Audits => "audits",
            FaultEndpoint::Annotations => "annotations",
            FaultEndpoint::Suppressions => "suppressions",
        }
    }
}

impl fmt::Display for FaultEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The effect of a step on a request once the step's delay has passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultOutcome {
    /// The request is handled normally.
    Pass,
    /// The server responds with this status and skips the handler.
    Status {
        status: u16,
        /// Seconds for a `Retry-After` header.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        /// Body to send instead of the REST error object.
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<serde_json::Value>,
    },
    /// The TCP connection is reset before any response byte is written.
    Reset,
}

/// One step of a fault sequence, as sent to `POST /mock/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FaultStepRequest", into = "FaultStepRequest")]
pub struct FaultStep {
    /// Wall-clock time to wait before the outcome; tests use it to trip
    /// client timeouts.
    pub delay: Option<Duration>,
    pub outcome: FaultOutcome,
    /// How many consecutive requests this step applies to (at least 1).
    pub times: u32,
}

/// The wire form of a step: `{"status": 500, "retry_after": 2, "body": ...,
/// "delay_ms": 100, "reset": true, "times": 3}`, every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultStepRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    reset: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u32>,
}

/// A fault step that cannot be applied, with the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultStepError {
    #[error("a fault step cannot both reset the connection and answer status {0}; use two steps")]
    ResetWithStatus(u16),
    #[error("fault status {0} is not an error status; use a code from 400 to 599")]
    NotAnErrorStatus(u16),
    #[error("\"retry_after\" and \"body\" need a \"status\" in the same fault step")]
    OrphanStatusField,
    #[error("fault step \"times\" is 0; use 1 or more, or remove the step")]
    ZeroTimes,
}

impl TryFrom<FaultStepRequest> for FaultStep {
    type Error = FaultStepError;

    fn try_from(request: FaultStepRequest) -> Result<Self, Self::Error> {
        let outcome = match (request.status, request.reset) {
            (Some(status), true) => return Err(FaultStepError::ResetWithStatus(status)),
            (Some(status), false) if !(400..=599).contains(&status) => {
                return Err(FaultStepError::NotAnErrorStatus(status));
            }
            (Some(status), false) => FaultOutcome::Status {
                status,
                retry_after: request.retry_after,
                body: request.body,
            },
            (None, _) if request.retry_after.is_some() || request.body.is_some() => {
                return Err(FaultStepError::OrphanStatusField);
            }
            (None, true) => FaultOutcome::Reset,
            (None, false) => FaultOutcome::Pass,
        };

        let times = request.times.unwrap_or(1);
        if times == 0 {
            return Err(FaultStepError::ZeroTimes);
        }

        Ok(FaultStep {
            delay: request.delay_ms.map(Duration::from_millis),
            outcome,
            times,
        })
    }
}

impl From<FaultStep> for FaultStepRequest {
    fn from(step: FaultStep) -> Self {
        let mut request = FaultStepRequest {
            delay_ms: step.delay.map(|delay| delay.as_millis() as u64),
            times: Some(step.times),
            ..FaultStepRequest::default()
        };
        match step.outcome {
            FaultOutcome::Pass => {}
            FaultOutcome::Status {
                status,
                retry_after,
                body,
            } => {
                request.status = Some(status);
                request.retry_after = retry_after;
                request.body = body;
            }
            FaultOutcome::Reset => request.reset = true,
        }
        request
    }
}

/// The behaviour of an endpoint once its sequence is used up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterSequence {
    /// Requests are handled normally and the sequence is removed.
    #[default]
    Pass,
    /// The sequence starts again from its first step.
    Repeat,
}

/// The body of `POST /mock/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    pub endpoint: FaultEndpoint,
    pub sequence: Vec<FaultStep>,
    #[serde(default)]
    pub then: AfterSequence,
}

/// The fault applied to one request: its delay, its outcome, and where it
/// came from, for logs and injected error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectedFault {
    pub endpoint: FaultEndpoint,
    /// 1-based index of the step in its sequence.
    pub step: usize,
    pub delay: Option<Duration>,
    pub outcome: FaultOutcome,
}

/// The remaining part of one endpoint's sequence.
#[derive(Debug, Clone, Serialize)]
struct Cursor {
    plan: FaultPlan,
    /// Index of the step that the next request consumes.
    step: usize,
    /// Requests that the current step has already applied to.
    used: u32,
}

/// Installed fault sequences, keyed by endpoint.
#[derive(Debug, Default)]
pub struct Faults {
    cursors: HashMap<FaultEndpoint, Cursor>,
}

/// The state of one endpoint's sequence, as shown by `GET /mock/faults`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultStatus {
    pub endpoint: FaultEndpoint,
    pub sequence: Vec<FaultStep>,
    pub then: AfterSequence,
    /// 1-based step that the next request consumes.
    pub next_step: usize,
    /// Requests still to come before the current step is used up.
    pub remaining_in_step: u32,
}

impl Faults {
    /// Installs `plan`, replacing any sequence for the same endpoint. An
    /// empty sequence removes the endpoint's faults.
    pub fn install(&mut self, plan: FaultPlan) {
        if plan.sequence.is_empty() {
            self.cursors.remove(&plan.endpoint);
            return;
        }
        self.cursors.insert(
            plan.endpoint,
            Cursor {
                plan,
                step: 0,
                used: 0,
            },
        );
    }

    /// Removes the sequence of one endpoint.
    pub fn clear(&mut self, endpoint: FaultEndpoint) {
        self.cursors.remove(&endpoint);
    }

    /// Removes every sequence.
    pub fn clear_all(&mut self) {
        self.cursors.clear();
    }

    /// Consumes the next step for a request to `endpoint`, or returns `None`
    /// when the endpoint has no faults left.
    pub fn next(&mut self, endpoint: FaultEndpoint) -> Option<InjectedFault> {
        let cursor = self.cursors.get_mut(&endpoint)?;
        let step = cursor.plan.sequence[cursor.step].clone();
        let injected = InjectedFault {
            endpoint,
            step: cursor.step + 1,
            delay: step.delay,
            outcome: step.outcome,
        };

        cursor.used += 1;
        if cursor.used >= step.times {
            cursor.used = 0;
            cursor.step += 1;
        }
        if cursor.step == cursor.plan.sequence.len() {
            match cursor.plan.then {
                AfterSequence::Pass => {
                    self.cursors.remove(&endpoint);
                }
                AfterSequence::Repeat => cursor.step = 0,
            }
        }
        Some(injected)
    }

    /// Lists the installed sequences in endpoint order.
    pub fn status(&self) -> Vec<FaultStatus> {
        let mut statuses: Vec<FaultStatus> = self
            .cursors
            .values()
            .map(|cursor| FaultStatus {
                endpoint: cursor.plan.endpoint,
                sequence: cursor.plan.sequence.clone(),
                then: cursor.plan.then,
                next_step: cursor.step + 1,
                remaining_in_step: cursor.plan.sequence[cursor.step].times - cursor.used,
            })
            .collect();
        statuses.sort_by_key(|status| status.endpoint);
        statuses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(value: serde_json::Value) -> FaultPlan {
        serde_json::from_value(value).expect("valid fault plan")
    }

    fn outcomes(
        faults: &mut Faults,
        endpoint: FaultEndpoint,
        count: usize,
    ) -> Vec<Option<FaultOutcome>> {
        (0..count)
            .map(|_| faults.next(endpoint).map(|fault| fault.outcome))
            .collect()
    }

    #[test]
    fn sequence_is_consumed_in_order_then_passes() {
        let mut faults = Faults::default();
        faults.install(plan(json!({
            "endpoint": "trigger",
            "sequence": [{"status": 500}, {"status": 429, "retry_after": 2}, {"reset": true}, {"delay_ms": 100}],
            "then": "pass"
        })));

        let seen: Vec<_> = (0..5)
            .map(|_| faults.next(FaultEndpoint::Trigger))
            .collect();

        let status_500 = FaultOutcome::Status {
            status: 500,
            retry_after: None,
            body: None,
        };
        let status_429 = FaultOutcome::Status {
            status: 429,
            retry_after: Some(2),
            body: None,
        };
        assert_eq!(seen[0].as_ref().map(|f| &f.outcome), Some(&status_500));
        assert_eq!(seen[1].as_ref().map(|f| &f.outcome), Some(&status_429));
        assert_eq!(
            seen[2].as_ref().map(|f| &f.outcome),
            Some(&FaultOutcome::Reset)
        );
        assert_eq!(
            seen[3].as_ref().map(|f| f.delay),
            Some(Some(Duration::from_millis(100)))
        );
        assert_eq!(
            seen[3].as_ref().map(|f| &f.outcome),
            Some(&FaultOutcome::Pass)
        );
        assert_eq!(seen[4], None);
    }

    #[test]
    fn times_fails_n_requests_then_passes() {
        let mut faults = Faults::default();
        faults.install(plan(
            json!({"endpoint": "events", "sequence": [{"status": 503, "times": 3}]}),
        ));

        let seen = outcomes(&mut faults, FaultEndpoint::Events, 4);

        let failures = seen.iter().filter(|outcome| outcome.is_some()).count();
        assert_eq!(failures, 3);
        assert_eq!(seen[3], None);
    }

    #[test]
    fn repeat_restarts_sequence() {
        let mut faults = Faults::default();
        faults.install(plan(json!({
            "endpoint": "audits",
            "sequence": [{"status": 500}, {}],
            "then": "repeat"
        })));

        let seen = outcomes(&mut faults, FaultEndpoint::Audits, 5);

        let is_500: Vec<bool> = seen
            .iter()
            .map(|outcome| matches!(outcome, Some(FaultOutcome::Status { status: 500, .. })))
            .collect();
        assert_eq!(is_500, [true, false, true, false, true]);
        assert!(seen.iter().all(Option::is_some));
    }

    #[test]
    fn endpoints_are_independent() {
        let mut faults = Faults::default();
        faults.install(plan(
            json!({"endpoint": "trigger", "sequence": [{"status": 500}]}),
        ));

        assert_eq!(faults.next(FaultEndpoint::Events), None);
        assert!(faults.next(FaultEndpoint::Trigger).is_some());
    }

    #[test]
    fn install_replaces_and_empty_sequence_clears() {
        let mut faults = Faults::default();
        faults.install(plan(
            json!({"endpoint": "trigger", "sequence": [{"status": 500, "times": 9}]}),
        ));
        faults.install(plan(
            json!({"endpoint": "trigger", "sequence": [{"status": 502}]}),
        ));

        let first = faults
            .next(FaultEndpoint::Trigger)
            .map(|fault| fault.outcome);
        assert!(matches!(
            first,
            Some(FaultOutcome::Status { status: 502, .. })
        ));

        faults.install(plan(
            json!({"endpoint": "events", "sequence": [{"status": 500}]}),
        ));
        faults.install(plan(json!({"endpoint": "events", "sequence": []})));
        assert_eq!(faults.next(FaultEndpoint::Events), None);
    }

    #[test]
    fn status_reports_next_step_and_remaining() {
        let mut faults = Faults::default();
        faults.install(plan(json!({"endpoint": "trigger", "sequence": [{"status": 500, "times": 3}, {"reset": true}]})));
        faults.next(FaultEndpoint::Trigger);

        let status = faults.status();

        assert_eq!(status.len(), 1);
        assert_eq!(status[0].next_step, 1);
        assert_eq!(status[0].remaining_in_step, 2);
    }

    #[test]
    fn invalid_steps_are_rejected_with_reason() {
        let cases = [
            (json!({"status": 500, "reset": true}), "cannot both reset"),
            (json!({"status": 200}), "not an error status"),
            (json!({"retry_after": 2}), "need a \"status\""),
            (json!({"status": 500, "times": 0}), "\"times\" is 0"),
            (json!({"code": 500}), "unknown field"),
        ];
        for (step, expected) in cases {
            let error = serde_json::from_value::<FaultStep>(step.clone())
                .expect_err("step must be rejected")
                .to_string();
            assert!(
                error.contains(expected),
                "step {step}: error {error:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn unknown_endpoint_is_rejected() {
        let error =
            serde_json::from_value::<FaultPlan>(json!({"endpoint": "nope", "sequence": []}))
                .expect_err("unknown endpoint")
                .to_string();

        assert!(error.contains("unknown variant `nope`"), "{error}");
    }

    #[test]
    fn step_round_trips_through_wire_form() {
        let step: FaultStep = serde_json::from_value(
            json!({"status": 429, "retry_after": 5, "delay_ms": 10, "times": 2}),
        )
        .expect("valid");

        let wire = serde_json::to_value(&step).expect("serializes");

        assert_eq!(
            wire,
            json!({"status": 429, "retry_after": 5, "delay_ms": 10, "times": 2})
        );
    }
}
