//! The JSON shapes of the REST API: events with numeric-string `eventId`
//! and `#en` suffixes on text properties, event references, audits,
//! annotations and suppressions, with times in xMatters' REST format.

use serde_json::{Map, Value, json};

use crate::engine::{Annotation, Audit, EventRef, EventSnapshot, Suppression};
use crate::world::{PropertyKind, World};

/// The language suffix xMatters adds to text property names on reads.
pub const LANGUAGE_SUFFIX: &str = "#en";

/// Renders an event as `GET /api/xm/1/events/{id}` returns it.
pub(crate) fn event(world: &World, snapshot: &EventSnapshot) -> Value {
    let mut body = json!({
        "id": snapshot.id,
        "eventId": snapshot.event_id.to_string(),
    });
    if let Some(request_id) = snapshot.request_id {
        body["requestId"] = json!(request_id);
    }
    body["status"] = json!(snapshot.status);
    body["priority"] = json!(snapshot.priority);
    body["created"] = json!(snapshot.created.to_rest_format());
    body["expirationInMinutes"] = json!(snapshot.expiration_minutes);
    body["properties"] = Value::Object(suffixed_properties(world, snapshot));
    body["form"] = json!({ "id": snapshot.form_uuid, "name": snapshot.form_name });
    body["links"] = json!({ "self": event_path(snapshot.id) });
    body
}

/// Adds `#en` to the names of the form's text properties. Properties the
/// form does not define keep their name.
fn suffixed_properties(world: &World, snapshot: &EventSnapshot) -> Map<String, Value> {
    let form = world.form(&snapshot.form_name);
    snapshot
        .properties
        .iter()
        .map(|(name, value)| {
            let is_text = form
                .and_then(|form| form.property(name))
                .is_some_and(|property| property.kind == PropertyKind::Text);
            let key = if is_text {
                format!("{name}{LANGUAGE_SUFFIX}")
            } else {
                name.clone()
            };
            (key, value.clone())
        })
        .collect()
}

pub(crate) fn event_path(id: uuid::Uuid) -> String {
    format!("/api/xm/1/events/{id}")
}

/// Renders the short reference to an event used inside other objects.
pub(crate) fn event_ref(event: &EventRef) -> Value {
    json!({
        "id": event.id,
        "eventId": event.event_id.to_string(),
        "links": { "self": event_path(event.id) },
    })
}

pub(crate) fn audit(audit: &Audit) -> Value {
    let mut body = json!({
        "type": audit.kind,
        "at": audit.at.to_rest_format(),
        "event": event_ref(&audit.event),
    });
    let optional = [
        ("person", &audit.person),
        ("device", &audit.device),
        ("response", &audit.response),
        ("comment", &audit.comment),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            body[key] = json!(value);
        }
    }
    body
}

pub(crate) fn annotation(annotation: &Annotation) -> Value {
    json!({
        "id": annotation.id,
        "event": event_ref(&annotation.event),
        "comment": annotation.comment,
        "created": annotation.created.to_rest_format(),
    })
}

pub(crate) fn suppression(suppression: &Suppression) -> Value {
    json!({
        "id": suppression.id,
        "event": event_ref(&suppression.event),
        "match": event_ref(&suppression.matched),
        "at": suppression.at.to_rest_format(),
        "source": suppression.source,
        "recipients": suppression.recipients,
        "reason": suppression.reason,
    })
}
