//! The vendor's original inbound script for the "OverOps" workflow, defects
//! included, as a pure function from a raw OverOps webhook body to the
//! trigger object that the workflow's "create event" step sends to the
//! New Exception form.
//!
//! The script reads these paths in this order, so the first one that fails
//! decides the error:
//!
//! | property | expression |
//! |---|---|
//! | Alert_Type | `payload.type` |
//! | Service_Name | `payload.service_name` |
//! | Summary | `payload.data.summary` |
//! | View_Name | `payload.data.view_name` |
//! | Type | `payload.data.type` |
//! | Added_By | `payload.data.added_by.join()` |
//! | App_Name | `payload.data.data.app_name` |
//! | Full_Name | `payload.data.data.name` |
//! | link | `payload.data.data.link` |
//! | Message | `payload.data` |
//! | Date | "convert time" of `payload.date`, read as seconds |
//!
//! The defects that follow from it:
//! - `added_by` as a plain string throws, so no event is created and only
//!   the activity log shows why.
//! - The millisecond `date` is read as seconds, so the "Time of Alert" lands
//!   about 48,000 years in the future.
//! - `Message` gets the alert object. The create event step turns every
//!   property into text with JavaScript's `String(value)`, so it reads
//!   `[object Object]`.
//! - A `THRESHOLD` alert has no `data.data.app_name`, `name` or `link`, so
//!   those properties stay empty, and a `TEST` message without `data`
//!   throws on `payload.data.summary`.
//! - `Title`, `Class_Name`, `Content`, `Error_Code`, `Level`, `Server_Name`
//!   and `Username` are never set.
//!
//! Values that are `undefined` or `null` leave their property out of the
//! trigger. The trigger has no recipients, so the form's default
//! recipients are notified.

mod date;
mod js;

use serde_json::{Map, Value, json};

use js::{JsValue, to_js_string};

/// An exception thrown by the script. The workflow logs it in the activity
/// log and creates no event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScriptError {
    /// The JavaScript error text, e.g. `TypeError: Cannot find function join
    /// in object owner@example.com.`.
    pub message: String,
}

impl ScriptError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Runs the original script on a raw request body and returns the trigger
/// object `{"properties": {...}}`, or the error the script throws.
pub fn map_overops_webhook(body: &[u8]) -> Result<Value, ScriptError> {
    let payload: Value = serde_json::from_slice(body)
        .map_err(|error| ScriptError::new(format!("SyntaxError: JSON.parse: {error}")))?;
    let payload = JsValue::Json(&payload);
    let data = payload.get("payload", "data")?;
    let inner = || data.get("payload.data", "data");

    let mut properties = Map::new();
    set(
        &mut properties,
        "Alert_Type",
        payload.get("payload", "type")?,
    );
    set(
        &mut properties,
        "Service_Name",
        payload.get("payload", "service_name")?,
    );
    set(
        &mut properties,
        "Summary",
        data.get("payload.data", "summary")?,
    );
    set(
        &mut properties,
        "View_Name",
        data.get("payload.data", "view_name")?,
    );
    set(&mut properties, "Type", data.get("payload.data", "type")?);

    let added_by = data
        .get("payload.data", "added_by")?
        .join("payload.data.added_by")?;
    properties.insert("Added_By".to_owned(), Value::String(added_by));

    set(
        &mut properties,
        "App_Name",
        inner()?.get("payload.data.data", "app_name")?,
    );
    set(
        &mut properties,
        "Full_Name",
        inner()?.get("payload.data.data", "name")?,
    );
    set(
        &mut properties,
        "link",
        inner()?.get("payload.data.data", "link")?,
    );
    set(&mut properties, "Message", data);

    let converted = date::convert_time(payload.get("payload", "date")?);
    properties.insert("Date".to_owned(), Value::String(converted));

    Ok(json!({ "properties": properties }))
}

/// Assigns `String(value)` to the property, leaving it out for `undefined`
/// and `null`.
fn set(properties: &mut Map<String, Value>, name: &str, value: JsValue<'_>) {
    match value {
        JsValue::Undefined | JsValue::Json(Value::Null) => {}
        JsValue::Json(value) => {
            properties.insert(name.to_owned(), Value::String(to_js_string(value)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_event_payload() -> Value {
        json!({
            "api_version": "0.2",
            "type": "ALERT",
            "date": 1_534_515_709_123_i64,
            "username": "owner@example.com",
            "service_id": "S38421",
            "service_name": "Production",
            "data": {
                "type": "NEW_EVENT",
                "summary": "NullPointerException in OrderService.placeOrder(117)",
                "view_name": "New Errors",
                "added_by": ["owner@example.com", "dev@example.com"],
                "data": {
                    "type": "EXCEPTION",
                    "link": "https://app.overops.com/tale.html?event=UzM4NDIxIzQ1IzE-&source=45",
                    "server_name": "ip-10-0-1-17",
                    "app_name": "orders-api",
                    "name": "NullPointerException",
                    "level": "ERROR",
                    "message": null
                }
            }
        })
    }

    fn run(payload: &Value) -> Result<Value, ScriptError> {
        map_overops_webhook(payload.to_string().as_bytes())
    }

    #[test]
    fn new_event_maps_every_filled_property() {
        let trigger = run(&new_event_payload()).expect("script succeeds");

        assert_eq!(
            trigger,
            json!({"properties": {
                "Alert_Type": "ALERT",
                "Service_Name": "Production",
                "Summary": "NullPointerException in OrderService.placeOrder(117)",
                "View_Name": "New Errors",
                "Type": "NEW_EVENT",
                "Added_By": "owner@example.com,dev@example.com",
                "App_Name": "orders-api",
                "Full_Name": "NullPointerException",
                "link": "https://app.overops.com/tale.html?event=UzM4NDIxIzQ1IzE-&source=45",
                "Message": "[object Object]",
                "Date": "Nov 12, 50596 6:38 AM"
            }})
        );
    }

    #[test]
    fn never_filled_properties_stay_absent() {
        let trigger = run(&new_event_payload()).expect("script succeeds");

        for name in [
            "Title",
            "Class_Name",
            "Content",
            "Error_Code",
            "Level",
            "Server_Name",
            "Username",
        ] {
            assert!(
                trigger["properties"].get(name).is_none(),
                "{name} must not be set"
            );
        }
    }

    #[test]
    fn string_added_by_throws() {
        let mut payload = new_event_payload();
        payload["data"]["added_by"] = json!("owner@example.com");

        let error = run(&payload).expect_err("script throws");

        assert_eq!(
            error.message,
            "TypeError: Cannot find function join in object owner@example.com."
        );
    }

    #[test]
    fn missing_added_by_throws() {
        let mut payload = new_event_payload();
        payload["data"]
            .as_object_mut()
            .expect("object")
            .remove("added_by");

        let error = run(&payload).expect_err("script throws");

        assert!(
            error
                .message
                .contains("Cannot call method \"join\" of undefined"),
            "{}",
            error.message
        );
    }

    #[test]
    fn threshold_leaves_event_fields_empty() {
        let payload = json!({
            "type": "ALERT",
            "date": 1_534_515_709_123_i64,
            "service_name": "Production",
            "data": {
                "type": "THRESHOLD",
                "summary": "Events in view All Events have occurred more than 100 times",
                "view_name": "All Events",
                "added_by": ["owner@example.com"],
                "data": {"threshold": 100, "times": 250, "top_events": []}
            }
        });

        let properties = run(&payload).expect("script succeeds")["properties"].clone();

        assert_eq!(properties["Type"], "THRESHOLD");
        for name in ["App_Name", "Full_Name", "link"] {
            assert!(properties.get(name).is_none(), "{name} must be empty");
        }
    }

    #[test]
    fn test_message_without_data_throws() {
        let payload =
            json!({"type": "TEST", "date": 1_534_515_709_123_i64, "service_name": "Production"});

        let error = run(&payload).expect_err("script throws");

        assert_eq!(
            error.message,
            "TypeError: Cannot read property \"summary\" from undefined (payload.data.summary)"
        );
    }

    #[test]
    fn missing_inner_data_throws() {
        let mut payload = new_event_payload();
        payload["data"]
            .as_object_mut()
            .expect("object")
            .remove("data");

        let error = run(&payload).expect_err("script throws");

        assert!(
            error.message.contains("\"app_name\" from undefined"),
            "{}",
            error.message
        );
    }

    #[test]
    fn invalid_json_is_a_syntax_error() {
        let error = map_overops_webhook(b"{not json").expect_err("script throws");

        assert!(
            error.message.starts_with("SyntaxError: JSON.parse:"),
            "{}",
            error.message
        );
    }

    #[test]
    fn null_and_numeric_values_follow_string_conversion() {
        let mut payload = new_event_payload();
        payload["service_name"] = Value::Null;
        payload["data"]["view_name"] = json!(42);

        let properties = run(&payload).expect("script succeeds")["properties"].clone();

        assert!(properties.get("Service_Name").is_none());
        assert_eq!(properties["View_Name"], "42");
    }

    #[test]
    fn long_added_by_list_is_passed_unchecked() {
        // The script does not check lengths; the form validation rejects
        // the 30-character overflow later.
        let mut payload = new_event_payload();
        payload["data"]["added_by"] = json!([
            "first@example.com",
            "second@example.com",
            "third@example.com"
        ]);

        let properties = run(&payload).expect("script succeeds")["properties"].clone();

        assert_eq!(
            properties["Added_By"],
            "first@example.com,second@example.com,third@example.com"
        );
    }
}
