//! Outbound webhook bodies in xMatters' documented shapes.

use serde_json::{Map, Value, json};

use crate::clock::SimTime;
use crate::world::{DeliveryOutcome, Form};

/// Builds the `eventProperties` array: one single-key object per property
/// flagged for callbacks that the event has, in form order.
pub(crate) fn event_properties(form: &Form, properties: &Map<String, Value>) -> Value {
    let entries = form
        .properties
        .iter()
        .filter(|p| p.callback)
        .filter_map(|p| {
            let value = properties.get(&p.name)?;
            let mut entry = Map::new();
            entry.insert(p.name.clone(), value.clone());
            Some(Value::Object(entry))
        })
        .collect();
    Value::Array(entries)
}

/// The fields every body shares.
pub(crate) struct Common {
    pub(crate) event_id: u64,
    pub(crate) at: SimTime,
    pub(crate) event_properties: Value,
}

pub(crate) struct ResponseFields<'a> {
    pub(crate) recipient: &'a str,
    pub(crate) device: &'a str,
    pub(crate) response: &'a str,
    pub(crate) comment: Option<&'a str>,
}

/// Builds a RESPONSE body. A missing comment is the string `"null"`, as
/// xMatters sends it.
pub(crate) fn response_body(common: Common, fields: ResponseFields<'_>) -> Value {
    json!({
        "eventIdentifier": common.event_id,
        "date": common.at.to_webhook_format(),
        "recipient": fields.recipient,
        "device": fields.device,
        "response": fields.response,
        "annotation": fields.comment.unwrap_or("null"),
        "eventProperties": common.event_properties,
    })
}

/// Builds a STATUS body. The status is lower case, as in older xMatters payloads.
pub(crate) fn status_body(common: Common, status: &str) -> Value {
    json!({
        "eventIdentifier": common.event_id,
        "date": common.at.to_webhook_format(),
        "status": status.to_ascii_lowercase(),
        "eventProperties": common.event_properties,
    })
}

pub(crate) struct DeliveryFields<'a> {
    pub(crate) recipient: &'a str,
    pub(crate) device: &'a str,
    pub(crate) device_id: u64,
    pub(crate) outcome: DeliveryOutcome,
}

/// Builds a DELIVERYSTATUS body.
pub(crate) fn delivery_body(common: Common, fields: DeliveryFields<'_>) -> Value {
    let (status, message) = match fields.outcome {
        DeliveryOutcome::Delivered => ("Delivered", "Notification delivered"),
        DeliveryOutcome::Failed => ("Failed", "Notification could not be delivered"),
    };
    // NOTE: xMatters documents the eventType field without its values;
    // "Notification" is a guess.
    json!({
        "eventIdentifier": common.event_id,
        "date": common.at.to_webhook_format(),
        "recipient": fields.recipient,
        "device": fields.device,
        "deviceId": fields.device_id,
        "deliveryStatus": status,
        "message": message,
        "eventType": "Notification",
        "eventProperties": common.event_properties,
    })
}
