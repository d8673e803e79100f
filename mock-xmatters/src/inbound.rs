//! Asynchronous processing of inbound integration triggers. The HTTP
//! handler responds 202 with a `requestId` and queues the body. This worker
//! then maps the body (directly, or through the original script), creates
//! the event and records the outcome in the activity log.

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::activity::{ActivityEntry, ActivityError, ActivityOutcome};
use crate::engine::{EventRef, Simulator, Source};
use crate::original_script::map_overops_webhook;
use crate::state::{SharedState, lock};
use crate::world::{Integration, IntegrationKind};

/// A trigger accepted by the HTTP layer and waiting to be processed.
#[derive(Debug)]
pub(crate) struct QueuedTrigger {
    /// The simulator generation the trigger was accepted in.
    pub(crate) generation: u64,
    pub(crate) request_id: Uuid,
    pub(crate) integration: Integration,
    pub(crate) body: Bytes,
}

/// Processes queued triggers in arrival order until the queue closes.
pub(crate) async fn run_worker(
    state: SharedState,
    mut queue: mpsc::UnboundedReceiver<QueuedTrigger>,
) {
    while let Some(trigger) = queue.recv().await {
        process(&state, &trigger);
        state.work.end();
    }
}

fn process(state: &SharedState, trigger: &QueuedTrigger) {
    let Some(entry) = state.with_sim_in(trigger.generation, |sim| create_event(sim, trigger))
    else {
        tracing::debug!(request_id = %trigger.request_id, "trigger dropped after a reset");
        return;
    };

    match &entry.event {
        Some(event) => tracing::info!(
            request_id = %entry.request_id,
            integration = %entry.integration,
            event_id = event.event_id,
            status = ?entry.status,
            "event created from trigger"
        ),
        None => tracing::warn!(
            request_id = %entry.request_id,
            integration = %entry.integration,
            outcome = ?entry.outcome,
            errors = ?entry.errors,
            "trigger created no event"
        ),
    }
    lock(&state.activity).record(entry);
}

/// Reads the body as the integration's kind requires and creates the event.
fn create_event(sim: &mut Simulator, trigger: &QueuedTrigger) -> ActivityEntry {
    let mut entry = ActivityEntry {
        request_id: trigger.request_id,
        integration: trigger.integration.name.clone(),
        at: sim.now(),
        outcome: ActivityOutcome::EventCreated,
        event: None,
        status: None,
        errors: Vec::new(),
    };

    let body = match read_body(&trigger.integration, &trigger.body) {
        Ok(body) => body,
        Err((outcome, details)) => {
            entry.outcome = outcome;
            entry.errors.push(ActivityError {
                json_path: None,
                details,
            });
            return entry;
        }
    };

    let source = Source::Integration(trigger.integration.name.clone());
    match sim.create_event(source, Some(trigger.request_id), &body) {
        Ok(snapshot) => {
            entry.event = Some(EventRef {
                id: snapshot.id,
                event_id: snapshot.event_id,
            });
            entry.status = Some(snapshot.status);
        }
        Err(errors) => {
            entry.outcome = ActivityOutcome::ValidationFailed;
            entry.errors = errors
                .into_iter()
                .map(|error| ActivityError {
                    json_path: Some(error.json_path),
                    details: error.details,
                })
                .collect();
        }
    }
    entry
}

/// Turns the request body into a trigger object, or returns the outcome
/// and the reason why it cannot.
fn read_body(integration: &Integration, body: &[u8]) -> Result<Value, (ActivityOutcome, String)> {
    match integration.kind {
        IntegrationKind::Trigger => serde_json::from_slice(body).map_err(|error| {
            (
                ActivityOutcome::InvalidBody,
                format!("The request body is not valid JSON: {error}"),
            )
        }),
        IntegrationKind::OriginalScript => {
            map_overops_webhook(body).map_err(|error| (ActivityOutcome::ScriptError, error.message))
        }
    }
}
