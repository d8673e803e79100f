//! The story of a scenario: the relay's responses to OverOps, what the relay
//! recorded, and what xMatters saw and did, in one value for a snapshot.
//!
//! Relay alert ids are random, so the story names alerts `alert-1`,
//! `alert-2`, ... in the order they were received; a duplicate's response
//! names its original. Wall-clock times and loopback ports are left out.
//! Simulated times stay, as do the simulator's UUIDs, which snapshot tests
//! redact.
//!
//! The relay's event lookups (`GET /api/xm/1/events?requestId=`) are left
//! out of the request journal: how many it takes depends on timing. The
//! lookup's result is in each alert's `confirmation`.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use relay::store::{AlertId, AlertRecord, AlertState, Callback, CallbackKind};
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
    /// Callbacks the relay stored without a matching alert.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_callbacks: Vec<CallbackView>,
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
    /// The digest that names this alert, when storm protection held it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// For a digest, the held alerts it names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub digest_of: Vec<String>,
    /// Why the alert was given up, for a dead alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_reason: Option<String>,
    /// What the mapping changed or guessed, such as a truncated value.
    pub warnings: Value,
    /// The trigger object the relay posts to xMatters.
    pub trigger: Value,
    /// The event the relay's lookup found, or why none was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<ConfirmationView>,
    /// xMatters callbacks about the alert's event, in the order received.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callbacks: Vec<CallbackView>,
}

/// The result of the relay's event lookup.
#[derive(Clone, Debug, Serialize)]
pub struct ConfirmationView {
    /// The numeric `eventId` found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The event's status at the lookup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_status: Option<String>,
    /// Why no event was found in time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unconfirmed_reason: Option<String>,
}

/// One xMatters callback as the relay stored it.
#[derive(Clone, Debug, Serialize)]
pub struct CallbackView {
    /// RESPONSE, STATUS, DELIVERYSTATUS or OTHER.
    pub kind: CallbackKind,
    /// `eventIdentifier` of the callback.
    pub event_id: String,
    /// The callback's `date`, which is simulated time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// Who responded or was notified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The device of the response or notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The response option chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The responder's comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The event's new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Delivered` or `Failed`, for a delivery status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<String>,
}

impl CallbackView {
    fn new(callback: &Callback) -> Self {
        Self {
            kind: callback.kind,
            event_id: callback.event_id.clone(),
            occurred_at: callback.occurred_at.map(|at| at.to_string()),
            recipient: callback.recipient.clone(),
            device: callback.device.clone(),
            response: callback.response.clone(),
            comment: callback.comment.clone(),
            status: callback.status.clone(),
            delivery_status: callback.delivery_status.clone(),
        }
    }
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
    /// first; `unmatched` are the callbacks no alert claimed; `timelines`
    /// pairs each event id with its timeline.
    pub fn build(
        replies: &[IntakeReply],
        records: &[AlertRecord],
        unmatched: &[Callback],
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
            .map(|record| relay_alert(record, &label_of))
            .collect();
        let requests = journal
            .into_iter()
            .filter(|entry| !is_event_lookup(entry))
            .map(|entry| request_view(entry, records, &label_of))
            .collect();
        let events = timelines
            .into_iter()
            .map(|(event_id, mut timeline)| {
                timeline.iter_mut().for_each(replace_ports);
                EventView { event_id, timeline }
            })
            .collect();

        Self {
            intake,
            relay,
            unmatched_callbacks: unmatched.iter().map(CallbackView::new).collect(),
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

fn relay_alert(record: &AlertRecord, label_of: &impl Fn(&AlertId) -> String) -> RelayAlert {
    RelayAlert {
        alert: label_of(&record.id),
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
        digest: record.storm.digest_id.as_ref().map(label_of),
        digest_of: record.storm.members.iter().map(label_of).collect(),
        dead_reason: record.dead_reason.as_deref().map(without_ports),
        warnings: record.warnings.clone(),
        trigger: record.trigger.clone(),
        confirmation: confirmation_view(record),
        callbacks: record.callbacks.iter().map(CallbackView::new).collect(),
    }
}

fn confirmation_view(record: &AlertRecord) -> Option<ConfirmationView> {
    let confirmation = &record.confirmation;
    if confirmation.event.is_none() && confirmation.unconfirmed_reason.is_none() {
        return None;
    }
    Some(ConfirmationView {
        event_id: confirmation
            .event
            .as_ref()
            .map(|event| event.event_id.clone()),
        event_status: confirmation
            .event
            .as_ref()
            .and_then(|event| event.status.clone()),
        unconfirmed_reason: confirmation.unconfirmed_reason.clone(),
    })
}

/// Tells whether a journal entry is one of the relay's event lookups.
fn is_event_lookup(entry: &Value) -> bool {
    let path = entry["path"].as_str().unwrap_or_default();
    entry["method"] == "GET" && path.starts_with("/api/xm/1/events")
}

/// Replaces loopback ports in every string inside `value`.
fn replace_ports(value: &mut Value) {
    match value {
        Value::String(text) if LOOPBACK_PORT.is_match(text) => *text = without_ports(text),
        Value::Array(items) => items.iter_mut().for_each(replace_ports),
        Value::Object(fields) => fields.values_mut().for_each(replace_ports),
        _ => {}
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
    fn nested_ports_are_replaced() {
        let mut value =
            serde_json::json!({"url": "http://127.0.0.1:4000/x", "list": ["127.0.0.1:9"]});

        replace_ports(&mut value);

        assert_eq!(value["url"], "http://127.0.0.1:[port]/x");
        assert_eq!(value["list"][0], "127.0.0.1:[port]");
    }

    #[test]
    fn ports_are_replaced() {
        let text = "cannot connect to 127.0.0.1:41234 or 127.0.0.1:8";

        assert_eq!(
            without_ports(text),
            "cannot connect to 127.0.0.1:[port] or 127.0.0.1:[port]"
        );
    }
}
