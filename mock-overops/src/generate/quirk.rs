//! Quirks of real OverOps payloads that a receiver must survive.

use std::fmt;

use clap::ValueEnum;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::Kind;
use super::vocab::{FUTURE_ALERT_TYPES, LOG_MESSAGES, SPECIAL_TEXT, pick};

/// Minimum stack depth with [`Quirk::Oversized`].
pub const OVERSIZED_STACK_DEPTH: usize = 600;

/// Minimum length in bytes of `message` with [`Quirk::Oversized`].
pub const OVERSIZED_MESSAGE_BYTES: usize = 40_000;

/// A deviation from the documented payload shape seen in real traffic or
/// allowed by the vendor documentation.
///
/// Quirks that concern a kind other than the one generated have no effect
/// (see [`Quirk::applies_to`]). A quirk whose target another quirk removed
/// also has no effect: with both [`Quirk::Oversized`] and
/// [`Quirk::NullMessageOddLevel`], `message` is null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum Quirk {
    /// `added_by` is one string in place of an array of strings.
    AddedByString,
    /// `date` and the threshold window bounds are numeric strings.
    StringTimestamps,
    /// `date`, the window bounds and frame modification times are in seconds, not milliseconds.
    SecondsTimestamps,
    /// A new event arrives as `RESURFACED` (applies to new events).
    Resurfaced,
    /// A threshold alert has an empty `top_events`.
    SparseThreshold,
    /// A `TEST` message has no `data`.
    TestWithoutData,
    /// A `TEST` message has `data: {}`.
    TestEmptyData,
    /// A `TEST` message has only `data.type` and `data.summary`.
    TestPartialData,
    /// `message` is null, and `level` is lower case or outside FATAL/ERROR/WARN.
    NullMessageOddLevel,
    /// `error_code` is a number, and `threshold` and `times` are strings.
    SwappedNumberTypes,
    /// `data.type` is an alert kind that OverOps may add later, such as `ANOMALY`.
    UnknownAlertType,
    /// Every object carries a key that the documentation does not list.
    ExtraKeys,
    /// Text fields contain newlines, tabs, markdown characters, quotes, non-ASCII and emoji.
    SpecialText,
    /// At least 600 stack frames and a message of at least 40,000 bytes.
    Oversized,
    /// `location`, `entry_point`, `stacktrace` or a top event's `frame` is null.
    NullObjects,
    /// Optional fields such as `message`, `level`, `server_name` and `view_name` are absent.
    MissingFields,
    /// The inner event type is spelled as a name (`Logged Error`) in place of a code (`LOG`).
    EventTypeNames,
}

impl Quirk {
    /// Every quirk, in the order [`generate`](super::generate) applies them.
    pub const ALL: [Quirk; 17] = [
        Quirk::EventTypeNames,
        Quirk::Resurfaced,
        Quirk::SpecialText,
        Quirk::Oversized,
        Quirk::NullMessageOddLevel,
        Quirk::NullObjects,
        Quirk::MissingFields,
        Quirk::SwappedNumberTypes,
        Quirk::SparseThreshold,
        Quirk::UnknownAlertType,
        Quirk::AddedByString,
        Quirk::SecondsTimestamps,
        Quirk::StringTimestamps,
        Quirk::TestWithoutData,
        Quirk::TestEmptyData,
        Quirk::TestPartialData,
        Quirk::ExtraKeys,
    ];

    /// Returns the kebab-case name used on the command line, such as `added-by-string`.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::AddedByString => "added-by-string",
            Quirk::StringTimestamps => "string-timestamps",
            Quirk::SecondsTimestamps => "seconds-timestamps",
            Quirk::Resurfaced => "resurfaced",
            Quirk::SparseThreshold => "sparse-threshold",
            Quirk::TestWithoutData => "test-without-data",
            Quirk::TestEmptyData => "test-empty-data",
            Quirk::TestPartialData => "test-partial-data",
            Quirk::NullMessageOddLevel => "null-message-odd-level",
            Quirk::SwappedNumberTypes => "swapped-number-types",
            Quirk::UnknownAlertType => "unknown-alert-type",
            Quirk::ExtraKeys => "extra-keys",
            Quirk::SpecialText => "special-text",
            Quirk::Oversized => "oversized",
            Quirk::NullObjects => "null-objects",
            Quirk::MissingFields => "missing-fields",
            Quirk::EventTypeNames => "event-type-names",
        }
    }

    /// Returns whether the quirk changes a payload of `kind`.
    ///
    /// `Test` and `Unknown` payloads carry an exception event body, so the
    /// quirks of event bodies apply to them too.
    pub fn applies_to(self, kind: &Kind) -> bool {
        let event_body = !matches!(kind, Kind::Threshold);
        let http_error = matches!(
            kind,
            Kind::NewEvent(super::EventKind::HttpError)
                | Kind::Resurfaced(super::EventKind::HttpError)
        );
        match self {
            Quirk::AddedByString
            | Quirk::StringTimestamps
            | Quirk::SecondsTimestamps
            | Quirk::ExtraKeys
            | Quirk::SpecialText
            | Quirk::NullObjects
            | Quirk::MissingFields => true,
            Quirk::Resurfaced => matches!(kind, Kind::NewEvent(_) | Kind::Resurfaced(_)),
            Quirk::SparseThreshold => matches!(kind, Kind::Threshold),
            Quirk::TestWithoutData | Quirk::TestEmptyData | Quirk::TestPartialData => {
                matches!(kind, Kind::Test)
            }
            Quirk::NullMessageOddLevel | Quirk::Oversized | Quirk::EventTypeNames => event_body,
            Quirk::SwappedNumberTypes => http_error || matches!(kind, Kind::Threshold),
            // An unknown kind already carries the `data.type` it was given.
            Quirk::UnknownAlertType => !matches!(kind, Kind::Test | Kind::Unknown(_)),
        }
    }

    /// Returns whether the quirk is one of the three shapes of `TEST` data,
    /// of which a payload can have only one.
    pub(crate) fn is_test_shape(self) -> bool {
        matches!(
            self,
            Quirk::TestWithoutData | Quirk::TestEmptyData | Quirk::TestPartialData
        )
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.pad(self.name())
    }
}

/// Applies `quirk` to a generated payload. `Resurfaced` and
/// `EventTypeNames` act while the payload is built, so they change nothing here.
pub(crate) fn apply(payload: &mut Value, quirk: Quirk, rng: &mut ChaCha8Rng) {
    match quirk {
        Quirk::Resurfaced | Quirk::EventTypeNames => {}
        Quirk::AddedByString => make_added_by_string(payload),
        Quirk::StringTimestamps => stringify_timestamps(payload),
        Quirk::SecondsTimestamps => convert_timestamps_to_seconds(payload),
        Quirk::SparseThreshold => {
            if let Some(body) = alert_body(payload) {
                body.insert("top_events".into(), json!([]));
            }
        }
        Quirk::TestWithoutData => remove_test_data(payload),
        Quirk::TestEmptyData => replace_test_data(payload, json!({})),
        Quirk::TestPartialData => keep_partial_test_data(payload),
        Quirk::NullMessageOddLevel => null_message_odd_level(payload, rng),
        Quirk::SwappedNumberTypes => swap_number_types(payload),
        Quirk::UnknownAlertType => {
            if let Some(Value::Object(data)) = payload.get_mut("data") {
                data.insert("type".into(), (*pick(rng, FUTURE_ALERT_TYPES)).into());
            }
        }
        Quirk::ExtraKeys => add_extra_keys(payload, rng),
        Quirk::SpecialText => add_special_text(payload),
        Quirk::Oversized => lengthen_message(payload, rng),
        Quirk::NullObjects => null_objects(payload),
        Quirk::MissingFields => remove_optional_fields(payload),
    }
}

/// Returns `data.data` when it is an object.
fn alert_body(payload: &mut Value) -> Option<&mut Map<String, Value>> {
    payload.get_mut("data")?.get_mut("data")?.as_object_mut()
}

fn make_added_by_string(payload: &mut Value) {
    let Some(added_by) = payload.pointer_mut("/data/added_by") else {
        return;
    };
    if let Value::Array(users) = added_by {
        let first = users.first().cloned().unwrap_or_else(|| "".into());
        *added_by = first;
    }
}

/// JSON pointers of the timestamps in epoch milliseconds that are numbers.
const NUMERIC_TIMESTAMPS: [&str; 3] = [
    "/date",
    "/data/data/from_timestamp",
    "/data/data/to_timestamp",
];

fn stringify_timestamps(payload: &mut Value) {
    for pointer in NUMERIC_TIMESTAMPS {
        if let Some(value) = payload.pointer_mut(pointer) {
            if let Value::Number(number) = value {
                *value = Value::String(number.to_string());
            }
        }
    }
}

fn convert_timestamps_to_seconds(payload: &mut Value) {
    for pointer in NUMERIC_TIMESTAMPS {
        if let Some(value) = payload.pointer_mut(pointer) {
            if let Some(ms) = value.as_u64() {
                *value = (ms / 1000).into();
            }
        }
    }
    convert_modification_timestamps(payload);
}

fn convert_modification_timestamps(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "modification_timestamp" {
                    if let Some(ms) = child.as_str().and_then(|text| text.parse::<u64>().ok()) {
                        *child = Value::String((ms / 1000).to_string());
                    }
                } else {
                    convert_modification_timestamps(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert_modification_timestamps),
        _ => {}
    }
}

fn remove_test_data(payload: &mut Value) {
    if let Some(envelope) = payload.as_object_mut() {
        envelope.remove("data");
    }
}

fn replace_test_data(payload: &mut Value, data: Value) {
    if let Some(envelope) = payload.as_object_mut() {
        if envelope.contains_key("data") {
            envelope.insert("data".into(), data);
        }
    }
}

fn keep_partial_test_data(payload: &mut Value) {
    if let Some(Value::Object(data)) = payload.get_mut("data") {
        data.retain(|key, _| key == "type" || key == "summary");
    }
}

/// Log levels that a strict receiver would not expect.
const ODD_LEVELS: &[&str] = &["error", "warning", "INFO", "Severe", "TRACE", "fatal"];

fn null_message_odd_level(payload: &mut Value, rng: &mut ChaCha8Rng) {
    if let Some(body) = alert_body(payload) {
        body.insert("message".into(), Value::Null);
        body.insert("level".into(), (*pick(rng, ODD_LEVELS)).into());
    }
}

fn swap_number_types(payload: &mut Value) {
    let Some(body) = alert_body(payload) else {
        return;
    };
    if let Some(code) = body.get("error_code").and_then(Value::as_str) {
        if let Ok(number) = code.parse::<u64>() {
            body.insert("error_code".into(), number.into());
        }
    }
    for key in ["threshold", "times"] {
        if let Some(Value::Number(number)) = body.get(key) {
            let text = number.to_string();
            body.insert(key.into(), text.into());
        }
    }
    if let Some(Value::Array(events)) = body.get_mut("top_events") {
        for event in events {
            if let Some(times @ Value::Number(_)) = event.get_mut("times") {
                *times = Value::String(times.to_string());
            }
        }
    }
}

/// Unknown keys and their values, one of which is added to each object.
fn extra_key(rng: &mut ChaCha8Rng) -> (&'static str, Value) {
    match rng.gen_range(0..4) {
        0 => ("x_correlation_id", json!("c0ffee-1234")),
        1 => ("_internal", json!({"shard": 3, "region": "us-east"})),
        2 => ("future_field", Value::Null),
        _ => ("labels", json!(["infra", "tier-1"])),
    }
}

fn add_extra_keys(value: &mut Value, rng: &mut ChaCha8Rng) {
    match value {
        Value::Object(object) => {
            for child in object.values_mut() {
                add_extra_keys(child, rng);
            }
            let (key, extra) = extra_key(rng);
            object.insert(key.into(), extra);
        }
        Value::Array(items) => items.iter_mut().for_each(|item| add_extra_keys(item, rng)),
        _ => {}
    }
}

fn add_special_text(payload: &mut Value) {
    if let Some(Value::String(name)) = payload.get_mut("service_name") {
        name.push_str(" – Zürich 🚀");
    }
    if let Some(Value::Object(data)) = payload.get_mut("data") {
        if let Some(Value::String(summary)) = data.get_mut("summary") {
            summary.push_str(" «Müller» *urgent* `checkout` 🚨");
        }
        if let Some(Value::String(view)) = data.get_mut("view_name") {
            view.push_str(" — ✱ _prod_ \"critical\"");
        }
    }
    let Some(body) = alert_body(payload) else {
        return;
    };
    if body.contains_key("message") {
        body.insert("message".into(), SPECIAL_TEXT.into());
    }
    if let Some(Value::Array(events)) = body.get_mut("top_events") {
        for event in events {
            if let Some(Value::String(title)) = event.get_mut("title") {
                title.push_str("\n\tcaused by «Zeitüberschreitung» 💥");
            }
        }
    }
}

fn lengthen_message(payload: &mut Value, rng: &mut ChaCha8Rng) {
    let Some(body) = alert_body(payload) else {
        return;
    };
    if !body.contains_key("message") {
        return;
    }
    let mut message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut line = 1;
    while message.len() < OVERSIZED_MESSAGE_BYTES {
        message.push_str(&format!("\n[{line}] {}", pick(rng, LOG_MESSAGES)));
        line += 1;
    }
    body.insert("message".into(), message.into());
}

fn null_objects(payload: &mut Value) {
    let Some(body) = alert_body(payload) else {
        return;
    };
    for key in ["location", "entry_point", "stacktrace"] {
        if body.contains_key(key) {
            body.insert(key.into(), Value::Null);
        }
    }
    if let Some(Value::Array(events)) = body.get_mut("top_events") {
        if let Some(Value::Object(first)) = events.first_mut() {
            first.insert("frame".into(), Value::Null);
        }
    }
}

/// Keys of `data.data` that [`Quirk::MissingFields`] removes.
const OPTIONAL_BODY_FIELDS: &[&str] = &[
    "message",
    "level",
    "server_name",
    "deployment_name",
    "is_caught",
    "entry_point",
    "from_timestamp",
    "to_timestamp",
];

fn remove_optional_fields(payload: &mut Value) {
    if let Some(Value::Object(data)) = payload.get_mut("data") {
        data.remove("view_name");
    }
    if let Some(body) = alert_body(payload) {
        body.retain(|key, _| !OPTIONAL_BODY_FIELDS.contains(&key.as_str()));
    }
}
