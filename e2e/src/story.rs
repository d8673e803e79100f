//! The story of a scenario: the relay's responses to OverOps, what the relay
//! recorded, and what xMatters saw and did, in one value for a snapshot.
//!
//! Relay alert ids are random, so the story names alerts `alert-1`,
//! `alert-2`, ... in the order they were received; a duplicate's response
//! names its original. Wall-clock times and loopback ports are left out.
//! Simulated times stay, as do the simulator's UUIDs, which snapshot tests
//! redact.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use relay::store::{AlertId, AlertRecord, AlertState};
use serde::Serialize;
use serde_json::Value;

use crate::harness::IntakeReply;

/// A loopback address with its port, which changes from run to run.
static LOOPBACK_PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"127\.0\.0\.1:\d+").expect("the pattern is valid"));

/// Everything a scenario produced, ready to serialize.
#[derive(Clone, Debug, Serialize)]
pub struct Story {
    /// The relay's response to each webhook request, in order.
    pub intake: Vec<IntakeView>,
    /// What the relay stored about each alert, oldest first.
    pub relay: Vec<RelayAlert>,
    /// What the simulated xMatters received and did.
    pub xmatters: XmattersView,
}

/// The relay's response to one webhook request.
#[derive(Clone, Debug, Serialize)]
pub struct IntakeView {
    /// HTTP status.
    pub status: u16,
    /// The accepted alert's label, or the original's for a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// Whether the relay recognised a repeat and did not forward it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<bool>,
    /// Error message of a rejected request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the relay stored about one alert.
#[derive(Clone, Debug, Serialize)]
pub struct RelayAlert {
    /// `alert-N`, by order of receipt.
    pub alert: String,
    /// Delivery state.
    pub state: AlertState,
    /// Repeats that the relay accepted as duplicates and did not forward.
    pub duplicates: u32,
    /// Each delivery attempt's status or error.
    pub attempts: Vec<AttemptView>,
    /// Why the alert was given up, for a dead alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_reason: Option<String>,
    /// What the mapping changed or guessed, such as a truncated value.
    pub warnings: Value,
    /// The trigger object the relay posts to xMatters.
    pub trigger: Value,
}

/// One delivery attempt.
#[derive(Clone, Debug, Serialize)]
pub struct AttemptView {
    /// HTTP status, when a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Transport error or classification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the simulated xMatters received and did.
#[derive(Clone, Debug, Serialize)]
pub struct XmattersView {
    /// API requests received, from the request journal.
    pub requests: Vec<RequestView>,
    /// The integration activity log: what became of each trigger.
    pub activity: Vec<Value>,
    /// Each created event with its timeline: creation and properties,
    /// escalation levels, notifications with their rendered text,
    /// responses and status changes.
    pub events: Vec<EventView>,
}

/// One API request xMatters received.
#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    /// Simulated time of arrival.
    pub time: Value,
    /// HTTP method.
    pub method: Value,
    /// Path and query, with the `apiKey` value redacted by the simulator.
    pub path: Value,
    /// Response status; null when the connection was reset.
    pub status: Value,
    /// `answered` or `reset`.
    pub outcome: Value,
    /// The injected fault that decided the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Value>,
    /// The label of the relay alert whose trigger equals the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_of: Option<String>,
    /// The body, shown only when it is no stored alert's trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One event and its timeline.
#[derive(Clone, Debug, Serialize)]
pub struct EventView {
    /// The numeric `eventId`.
    pub event_id: u64,
    /// The simulator's timeline entries, oldest first.
    pub timeline: Vec<Value>,
}

impl Story {
    /// Builds the story from the harness's records. `records` are oldest
    /// first; `timelines` pairs each event id with its timeline.
    pub fn build(
        replies: &[IntakeReply],
        records: &[AlertRecord],
        journal: Vec<Value>,
        activity: Vec<Value>,
        timelines: Vec<(u64, Vec<Value>)>,
    ) -> Self {
        let labels: HashMap<AlertId, String> = records
            .iter()
            .enumerate()
            .map(|(index, record)| (record.id, format!("alert-{}", index + 1)))
            .collect();
        let label_of = |id: &AlertId| {
            labels
                .get(id)
                .cloned()
                .unwrap_or_else(|| "not in the store".to_owned())
        };

        let intake = replies
            .iter()
            .map(|reply| IntakeView {
                status: reply.status,
                alert: reply.id.as_ref().map(label_of),
                duplicate: reply.duplicate,
                error: reply.error.as_deref().map(without_ports),
            })
            .collect();
        let relay = records
            .iter()
            .map(|record| relay_alert(record, label_of(&record.id)))
            .collect();
        let requests = journal
            .into_iter()
            .map(|entry| request_view(entry, records, &label_of))
            .collect();
        let events = timelines
            .into_iter()
            .map(|(event_id, timeline)| EventView { event_id, timeline })
            .collect();

        Self {
            intake,
            relay,
            xmatters: XmattersView {
                requests,
                activity,
                events,
            },
        }
    }

    /// Returns the number of events xMatters created.
    pub fn event_count(&self) -> usize {
        self.xmatters.events.len()
    }

    /// Returns the timeline entries of every event whose `type` is `kind`,
    /// such as `notification` or `escalation`.
    pub fn entries_of(&self, kind: &str) -> Vec<&Value> {
        self.xmatters
            .events
            .iter()
            .flat_map(|event| &event.timeline)
            .filter(|entry| entry["type"] == kind)
            .collect()
    }
}

fn relay_alert(record: &AlertRecord, label: String) -> RelayAlert {
    RelayAlert {
        alert: label,
        state: record.state,
        duplicates: record.duplicates,
        attempts: record
            .attempts
            .iter()
            .map(|attempt| AttemptView {
                status: attempt.status,
                error: attempt.error.as_deref().map(without_ports),
            })
            .collect(),
        dead_reason: record.dead_reason.as_deref().map(without_ports),
        warnings: record.warnings.clone(),
        trigger: record.trigger.clone(),
    }
}

fn request_view(
    mut entry: Value,
    records: &[AlertRecord],
    label_of: &impl Fn(&AlertId) -> String,
) -> RequestView {
    let body = entry["body"].take();
    let trigger_of = records
        .iter()
        .find(|record| !body.is_null() && record.trigger == body)
        .map(|record| label_of(&record.id));
    let fault = entry.get("fault").cloned();
    RequestView {
        time: entry["time"].take(),
        method: entry["method"].take(),
        path: entry["path"].take(),
        status: entry["status"].take(),
        outcome: entry["outcome"].take(),
        fault,
        body: trigger_of.is_none().then_some(body),
        trigger_of,
    }
}

/// Replaces each `127.0.0.1:PORT` with `127.0.0.1:[port]`.
fn without_ports(text: &str) -> String {
    LOOPBACK_PORT
        .replace_all(text, "127.0.0.1:[port]")
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_replaced() {
        let text = "cannot connect to 127.0.0.1:41234 or 127.0.0.1:8";

        assert_eq!(
            without_ports(text),
            "cannot connect to 127.0.0.1:[port] or 127.0.0.1:[port]"
        );
    }
}
