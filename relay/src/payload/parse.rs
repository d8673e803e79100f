//! The entry point: from webhook body bytes to an [`Alert`].

use super::details::{Shape, read_event, read_threshold, shape_of};
use super::error::{ParseError, ParseWarning};
use super::reader::{Object, describe};
use super::{Alert, AlertKind, Details, MessageType, timestamp};
use super::{fast, overflow, repair};
use serde_json::{Map, Value};

/// How many keys of a rejected object the error message lists.
const KEYS_SHOWN: usize = 8;

/// Parses a webhook body into an [`Alert`].
///
/// Accepts every known variant of the OverOps payload and records each
/// assumption as a warning on the alert. Rejects a body that is empty, not
/// JSON, or not a JSON object. Also rejects an object with neither `type`
/// nor `data`, a `type` that is not a string, and a `data` that is not an
/// object. Each error names the JSON path and what was expected there.
/// Invalid UTF-8 and lone UTF-16 surrogate escapes, which a JVM can emit,
/// are replaced by U+FFFD with a warning instead of failing the body, and
/// a number too large for an `f64` is read as text with a warning.
///
/// Common bodies take a typed fast path that returns the same result
/// without building a `serde_json::Value`.
pub fn parse(body: &[u8]) -> Result<Alert, ParseError> {
    parse_reporting_path(body).0
}

/// The parser that produced the result of [`parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParsePath {
    /// The typed fast path in `payload::fast`.
    Fast,
    /// The tolerant parser, which reads a `serde_json::Value` first.
    Tolerant,
}

/// Parses like [`parse`] and also returns which parser produced the result.
pub(crate) fn parse_reporting_path(body: &[u8]) -> (Result<Alert, ParseError>, ParsePath) {
    match fast::parse(body) {
        Some(alert) => (Ok(alert), ParsePath::Fast),
        None => (parse_tolerant(body), ParsePath::Tolerant),
    }
}

/// Parses a body through a `serde_json::Value`. Returns the same result as
/// [`parse`] for every body, more slowly.
pub(crate) fn parse_tolerant(body: &[u8]) -> Result<Alert, ParseError> {
    let (root, repair_warnings) = decode(body)?;
    let Value::Object(map) = &root else {
        return Err(ParseError::UnexpectedType {
            path: "$".to_owned(),
            expected: "a JSON object with an OverOps alert",
            found: describe(&root),
        });
    };
    check_envelope(map)?;

    let envelope = Object { path: "$", map };
    let mut warnings = repair_warnings;
    let message_type = read_message_type(&envelope, &mut warnings);

    let mut alert = Alert {
        api_version: envelope.string("api_version", &mut warnings),
        date: timestamp::read(&envelope, "date", &mut warnings),
        username: envelope.string("username", &mut warnings),
        service_id: envelope.string("service_id", &mut warnings),
        service_name: envelope.string("service_name", &mut warnings),
        message_type,
        kind: None,
        summary: None,
        view_name: None,
        added_by: Vec::new(),
        details: Details::None,
        warnings: Vec::new(),
    };

    match envelope.get("data").and_then(Value::as_object) {
        Some(data) => read_data(
            &mut alert,
            &Object {
                path: "$.data",
                map: data,
            },
            &mut warnings,
        ),
        None if alert.message_type != MessageType::Test => warnings.push(ParseWarning::new(
            "$.data",
            "missing, so the alert has no kind, summary or details",
        )),
        None => {}
    }

    alert.warnings = warnings;
    Ok(alert)
}

/// Parses the body as JSON. A body that fails is parsed again after
/// [`repair`] replaced invalid characters and [`overflow`] put numbers too
/// large for an `f64` in quotes, with a warning for each kind of repair.
fn decode(body: &[u8]) -> Result<(Value, Vec<ParseWarning>), ParseError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }

    let error = match serde_json::from_slice(body) {
        Ok(value) => return Ok((value, Vec::new())),
        Err(error) => error,
    };
    let invalid_json = || ParseError::InvalidJson {
        line: error.line(),
        column: error.column(),
        reason: reason_without_position(&error),
    };

    let mut warnings = Vec::new();
    let mut text = match repair::replace_invalid_characters(body) {
        Some((repaired, count)) => {
            warnings.push(ParseWarning::new(
                "$",
                format!(
                    "replaced {count} invalid character(s) (bytes that are not UTF-8 or halves of UTF-16 surrogate pairs) with U+FFFD"
                ),
            ));
            repaired
        }
        // Nothing to replace means the body is valid UTF-8.
        None => String::from_utf8_lossy(body).into_owned(),
    };
    if let Some((quoted_text, numbers)) = overflow::quote_out_of_range_numbers(&text) {
        warnings.push(ParseWarning::new(
            "$",
            format!(
                "kept {} number(s) too large for a 64-bit float as text: {}",
                numbers.len(),
                numbers_for_message(&numbers)
            ),
        ));
        text = quoted_text;
    }
    if warnings.is_empty() {
        return Err(invalid_json());
    }

    match serde_json::from_str(&text) {
        Ok(value) => Ok((value, warnings)),
        Err(_) => Err(invalid_json()),
    }
}

/// Lists the first few numbers, each cut to a readable length.
fn numbers_for_message(numbers: &[String]) -> String {
    const SHOWN: usize = 3;
    const MAX_CHARS: usize = 24;

    let mut shown: Vec<String> = numbers
        .iter()
        .take(SHOWN)
        .map(|number| match number.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) => format!("{}…", &number[..cut]),
            None => number.clone(),
        })
        .collect();
    if numbers.len() > SHOWN {
        shown.push(format!("and {} more", numbers.len() - SHOWN));
    }
    shown.join(", ")
}

/// Returns serde_json's message without its trailing "at line L column C",
/// which the error reports separately.
fn reason_without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(position) => text[..position].to_owned(),
        None => text,
    }
}

/// Rejects objects that cannot be an OverOps alert.
fn check_envelope(map: &Map<String, Value>) -> Result<(), ParseError> {
    let message_type = map.get("type").filter(|value| !value.is_null());
    let data = map.get("data").filter(|value| !value.is_null());

    if let Some(value) = message_type.filter(|value| !value.is_string()) {
        return Err(ParseError::UnexpectedType {
            path: "$.type".to_owned(),
            expected: "a string such as \"ALERT\" or \"TEST\"",
            found: describe(value),
        });
    }
    if let Some(value) = data.filter(|value| !value.is_object()) {
        return Err(ParseError::UnexpectedType {
            path: "$.data".to_owned(),
            expected: "an object with the alert",
            found: describe(value),
        });
    }
    if message_type.is_none() && data.is_none() {
        return Err(ParseError::NotAnAlert {
            keys: describe_keys(map),
        });
    }
    Ok(())
}

fn describe_keys(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        return "the object is empty".to_owned();
    }
    let mut shown: Vec<String> = map
        .keys()
        .take(KEYS_SHOWN)
        .map(|key| format!("{key:?}"))
        .collect();
    if map.len() > KEYS_SHOWN {
        shown.push(format!("and {} more", map.len() - KEYS_SHOWN));
    }
    format!("keys: {}", shown.join(", "))
}

fn read_message_type(envelope: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) -> MessageType {
    let sent = envelope.string("type", warnings);
    message_type_from(sent, warnings)
}

/// Reads the envelope `type` as sent, in any case and with surrounding
/// whitespace. A missing type is read as `ALERT` with a warning.
pub(crate) fn message_type_from(
    sent: Option<String>,
    warnings: &mut Vec<ParseWarning>,
) -> MessageType {
    let Some(sent) = sent else {
        warnings.push(ParseWarning::new(
            "$.type",
            "missing, so the message is read as ALERT",
        ));
        return MessageType::Alert;
    };
    match sent.trim().to_ascii_uppercase().as_str() {
        "ALERT" => MessageType::Alert,
        "TEST" => MessageType::Test,
        _ => {
            warnings.push(ParseWarning::new(
                "$.type",
                format!(
                    "unknown message type {sent:?}, expected ALERT or TEST; mapped as an alert"
                ),
            ));
            MessageType::Other(sent)
        }
    }
}

fn read_data(alert: &mut Alert, data: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) {
    alert.summary = data.string("summary", warnings);
    alert.view_name = data.string("view_name", warnings);
    alert.added_by = data.string_list("added_by", warnings);

    let body = data.object("data", warnings);
    let shape = body
        .as_ref()
        .map_or(Shape::Unknown, |(_, map)| shape_of(map));
    alert.kind = read_kind(
        data,
        shape,
        alert.message_type == MessageType::Test,
        warnings,
    );

    let Some((path, map)) = body else {
        return;
    };
    let body = Object { path: &path, map };
    let read_as = match &alert.kind {
        Some(AlertKind::NewEvent | AlertKind::Resurfaced) => Shape::Event,
        Some(AlertKind::Threshold) => Shape::Threshold,
        Some(AlertKind::Other(_)) | None => shape,
    };
    alert.details = match read_as {
        Shape::Event => Details::Event(Box::new(read_event(&body, warnings))),
        Shape::Threshold => Details::Threshold(read_threshold(&body, warnings)),
        Shape::Unknown => Details::None,
    };
}

/// Reads `data.type`. When it is missing, infers the kind from the keys of
/// `data.data` and records the inference as a warning.
fn read_kind(
    data: &Object<'_, '_>,
    shape: Shape,
    is_test: bool,
    warnings: &mut Vec<ParseWarning>,
) -> Option<AlertKind> {
    let path = data.child_path("type");
    let Some(sent) = data.string("type", warnings) else {
        // A test message's body is a sample, so its kind is not guessed.
        if is_test {
            return None;
        }
        let inferred = match shape {
            Shape::Event => AlertKind::NewEvent,
            Shape::Threshold => AlertKind::Threshold,
            Shape::Unknown => {
                warnings.push(ParseWarning::new(
                    path,
                    "missing, so the alert kind is unknown",
                ));
                return None;
            }
        };
        warnings.push(ParseWarning::new(
            path,
            format!("missing; read as {inferred} because of the fields in data.data"),
        ));
        return Some(inferred);
    };
    Some(kind_from_sent(sent, path, warnings))
}

/// Reads a `data.type` that was sent, in any case and with surrounding
/// whitespace, with a warning when it is unknown or had to be rewritten.
/// `path` is the JSON path of `data.type`.
pub(crate) fn kind_from_sent(
    sent: String,
    path: String,
    warnings: &mut Vec<ParseWarning>,
) -> AlertKind {
    let kind = match sent.trim().to_ascii_uppercase().as_str() {
        "NEW_EVENT" => AlertKind::NewEvent,
        "RESURFACED" => AlertKind::Resurfaced,
        "THRESHOLD" => AlertKind::Threshold,
        _ => {
            warnings.push(ParseWarning::new(
                path,
                format!(
                    "unknown alert kind {sent:?} kept as sent and mapped with the common fields"
                ),
            ));
            return AlertKind::Other(sent);
        }
    };
    if kind.as_str() != sent {
        warnings.push(ParseWarning::new(
            path,
            format!("alert kind {sent:?} read as {kind}"),
        ));
    }
    kind
}
