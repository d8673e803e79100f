//! xMatters outbound webhooks (callbacks): RESPONSE, STATUS and
//! DELIVERYSTATUS bodies read into a [`Callback`].
//!
//! The documented shape differs from the REST API's. The numeric event id
//! is `eventIdentifier`, a JSON number. `date` is UTC without a zone, such
//! as `"2019-11-12 16:54:37.656"`. `eventProperties` is an array of
//! single-key objects. A RESPONSE without a comment has the string
//! `"null"` as its `annotation`. The body names no webhook type, so the
//! type is inferred from its fields.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use crate::store::{Callback, CallbackKind};

/// A body that cannot be a callback.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The body is not JSON.
    #[error("the callback body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("the callback body is not a JSON object")]
    NotAnObject,
    /// The body has no usable event id.
    #[error(
        "the callback has no eventIdentifier (a number such as 1316001); \
         check that the webhook comes from an xMatters form"
    )]
    MissingEventId,
}

/// Reads one callback body received at `received_at`.
pub fn parse(body: &[u8], received_at: Timestamp) -> Result<Callback, CallbackError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|err| CallbackError::NotJson(err.to_string()))?;
    let Value::Object(fields) = value else {
        return Err(CallbackError::NotAnObject);
    };
    let event_id = text(&fields, "eventIdentifier")
        .filter(|id| !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()))
        .ok_or(CallbackError::MissingEventId)?;

    Ok(Callback {
        received_at,
        kind: kind(&fields),
        event_id,
        alert_id: None,
        occurred_at: text(&fields, "date").and_then(|date| parse_date(&date)),
        recipient: text(&fields, "recipient"),
        device: text(&fields, "device"),
        device_id: text(&fields, "deviceId"),
        response: text(&fields, "response"),
        comment: text(&fields, "annotation").filter(|comment| comment != "null"),
        status: text(&fields, "status"),
        delivery_status: text(&fields, "deliveryStatus"),
        message: text(&fields, "message"),
        event_properties: merge_properties(fields.get("eventProperties")),
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

/// Infers the webhook type from the fields only that type has.
fn kind(fields: &Map<String, Value>) -> CallbackKind {
    if fields.contains_key("deliveryStatus") {
        CallbackKind::DeliveryStatus
    } else if fields.contains_key("response") {
        CallbackKind::Response
    } else if fields.contains_key("status") {
        CallbackKind::Status
    } else {
        CallbackKind::Other
    }
}

/// Returns a string or number field as text; `null` and other types read
/// as absent.
fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Reads `date` as UTC: xMatters sends it without a zone. A date with an
/// offset or `Z` is read as written.
fn parse_date(text: &str) -> Option<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let civil: DateTime = text.parse().ok()?;
    civil
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Merges `[{"Summary": "DB down"}, {"App_Name": "orders-api"}]` into one
/// object. An object is taken as it is; anything else becomes empty.
fn merge_properties(value: Option<&Value>) -> Value {
    match value {
        Some(Value::Array(entries)) => {
            let mut merged = Map::new();
            for entry in entries {
                if let Value::Object(pairs) = entry {
                    for (name, value) in pairs {
                        merged.insert(name.clone(), value.clone());
                    }
                }
            }
            Value::Object(merged)
        }
        Some(Value::Object(pairs)) => Value::Object(pairs.clone()),
        _ => Value::Object(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn now() -> Timestamp {
        "2019-11-12T17:00:00Z".parse().expect("valid time")
    }

    fn read(body: &Value) -> Callback {
        parse(body.to_string().as_bytes(), now()).expect("a callback")
    }

    #[test]
    fn response_is_read_in_the_documented_shape() {
        let callback = read(&json!({
            "eventIdentifier": 1316001,
            "date": "2019-11-12 16:54:37.656",
            "recipient": "mmcbride",
            "device": "Work Email",
            "response": "Acknowledge",
            "annotation": "on it",
            "eventProperties": [{"Summary": "DB down"}, {"App_Name": "orders-api"}]
        }));

        assert_eq!(callback.kind, CallbackKind::Response);
        assert_eq!(callback.event_id, "1316001");
        assert_eq!(
            callback.occurred_at,
            Some("2019-11-12T16:54:37.656Z".parse().expect("valid time"))
        );
        assert_eq!(callback.recipient.as_deref(), Some("mmcbride"));
        assert_eq!(callback.device.as_deref(), Some("Work Email"));
        assert_eq!(callback.response.as_deref(), Some("Acknowledge"));
        assert_eq!(callback.comment.as_deref(), Some("on it"));
        assert_eq!(
            callback.event_properties,
            json!({"Summary": "DB down", "App_Name": "orders-api"})
        );
    }

    #[test]
    fn null_annotation_string_means_no_comment() {
        let callback = read(&json!({
            "eventIdentifier": 7, "response": "Acknowledge", "annotation": "null"
        }));
        assert_eq!(callback.comment, None);
    }

    #[test]
    fn status_is_read() {
        let callback = read(&json!({
            "eventIdentifier": 7, "date": "2019-11-12 16:54:37.656", "status": "terminated",
            "eventProperties": []
        }));
        assert_eq!(callback.kind, CallbackKind::Status);
        assert_eq!(callback.status.as_deref(), Some("terminated"));
    }

    #[test]
    fn delivery_status_is_read() {
        let callback = read(&json!({
            "eventIdentifier": 7, "recipient": "mmcbride", "device": "Mobile Phone",
            "deviceId": 2001, "deliveryStatus": "Failed",
            "message": "Notification could not be delivered", "eventType": "Notification",
            "status": "ignored because deliveryStatus wins"
        }));
        assert_eq!(callback.kind, CallbackKind::DeliveryStatus);
        assert_eq!(callback.device_id.as_deref(), Some("2001"));
        assert_eq!(callback.delivery_status.as_deref(), Some("Failed"));
        assert_eq!(
            callback.message.as_deref(),
            Some("Notification could not be delivered")
        );
    }

    #[test]
    fn event_id_as_numeric_string_is_accepted() {
        let callback = read(&json!({"eventIdentifier": "981006", "status": "active"}));
        assert_eq!(callback.event_id, "981006");
    }

    #[test]
    fn date_with_zone_is_read_as_written() {
        assert_eq!(
            parse_date("2019-11-12T16:54:37.656+01:00"),
            Some("2019-11-12T15:54:37.656Z".parse().expect("valid time"))
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn unknown_type_is_kept_as_other() {
        let callback = read(&json!({"eventIdentifier": 7, "annotation": "escalated"}));
        assert_eq!(callback.kind, CallbackKind::Other);
    }

    #[test]
    fn bodies_without_event_id_are_rejected() {
        let cases: [(&[u8], CallbackError); 4] = [
            (b"not json", CallbackError::NotJson(String::new())),
            (b"[1, 2]", CallbackError::NotAnObject),
            (b"{\"status\": \"active\"}", CallbackError::MissingEventId),
            (
                b"{\"eventIdentifier\": \"abc\"}",
                CallbackError::MissingEventId,
            ),
        ];
        for (body, expected) in cases {
            let error = parse(body, now()).expect_err("not a callback");
            assert_eq!(
                std::mem::discriminant(&error),
                std::mem::discriminant(&expected),
                "{error}"
            );
        }
    }
}
