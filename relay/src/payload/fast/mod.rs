//! The fast path of [`parse`](super::parse): typed deserialization of the
//! common payload, without building a `serde_json::Value`.
//!
//! It reads the body into borrowed structs ([`raw`]) and converts them with
//! the tolerant parser's value rules, so it produces the same warnings.
//! Anything unusual makes it decline, and then the tolerant parser runs as
//! before. It declines JSON that fails to parse (invalid UTF-8, lone
//! surrogate escapes, numbers out of range) and values of a JSON type that
//! the tolerant parser ignores with a warning. It also declines a missing
//! `data` or `data.type` and an unknown alert kind. So the fast path only
//! has to be correct for what it accepts. A differential test checks that
//! it returns the tolerant parser's `Alert` whenever it accepts a body.

mod details;
mod json;
mod raw;
#[cfg(test)]
mod tests;

use super::error::ParseWarning;
use super::parse::{kind_from_sent, message_type_from};
use super::reader::{boolean_from_text, count_from_number, count_from_text, name_of_user};
use super::{Alert, AlertKind, Details, MessageType, timestamp};
use jiff::Timestamp;
use json::{Scalar, StringList};

/// The fast path cannot reproduce the tolerant parser's result.
#[derive(Debug)]
struct Decline;

/// Parses a common webhook body, or returns `None` so that the tolerant
/// parser reads it.
pub(crate) fn parse(body: &[u8]) -> Option<Alert> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // Checking UTF-8 once for the whole body is faster than serde_json's
    // check of each string that `from_slice` makes.
    let body = std::str::from_utf8(body).ok()?;
    let envelope: raw::Envelope<'_> = serde_json::from_str(body).ok()?;
    to_alert(envelope).ok()
}

fn to_alert(envelope: raw::Envelope<'_>) -> Result<Alert, Decline> {
    // A `type` that is not a string, or neither `type` nor `data`, is a
    // parse error, which the tolerant parser reports.
    let sent_type = match envelope.message_type {
        Some(Scalar::Text(text)) => Some(text.into_owned()),
        Some(Scalar::Number(_) | Scalar::Bool(_)) => return Err(Decline),
        None => None,
    };
    if sent_type.is_none() && envelope.data.is_none() {
        return Err(Decline);
    }

    let mut warnings = Vec::new();
    let message_type = message_type_from(sent_type, &mut warnings);
    let mut alert = Alert {
        api_version: text(envelope.api_version),
        date: timestamp(envelope.date, "$.date", &mut warnings)?,
        username: text(envelope.username),
        service_id: text(envelope.service_id),
        service_name: text(envelope.service_name),
        message_type,
        kind: None,
        summary: None,
        view_name: None,
        added_by: Vec::new(),
        details: Details::None,
        warnings: Vec::new(),
    };

    match envelope.data {
        Some(data) => read_data(&mut alert, data, &mut warnings)?,
        // The tolerant parser warns that `data` is missing.
        None if alert.message_type != MessageType::Test => return Err(Decline),
        None => {}
    }

    alert.warnings = warnings;
    Ok(alert)
}

fn read_data(
    alert: &mut Alert,
    data: raw::Data<'_>,
    warnings: &mut Vec<ParseWarning>,
) -> Result<(), Decline> {
    alert.summary = text(data.summary);
    alert.view_name = text(data.view_name);
    alert.added_by = string_list(data.added_by);

    // Without `data.type` the tolerant parser infers the kind from the
    // keys of `data.data`, and an unknown kind is read by those keys too.
    let sent_kind = data.kind.ok_or(Decline)?.into_string();
    let kind = kind_from_sent(sent_kind, "$.data.type".to_owned(), warnings);
    let is_event = match kind {
        AlertKind::NewEvent | AlertKind::Resurfaced => true,
        AlertKind::Threshold => false,
        AlertKind::Other(_) => return Err(Decline),
    };
    alert.kind = Some(kind);

    if let Some(body) = data.details {
        alert.details = if is_event {
            Details::Event(Box::new(details::read_event(body, warnings)?))
        } else {
            Details::Threshold(details::read_threshold(body, warnings)?)
        };
    }
    Ok(())
}

/// Reads a text field: strings as sent, numbers and booleans as JSON text.
fn text(value: Option<Scalar<'_>>) -> Option<String> {
    value.map(Scalar::into_string)
}

/// Reads `added_by`: trimmed, without blanks and nulls.
fn string_list(value: Option<StringList<'_>>) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(StringList::One(text)) => name_of_user(&text).into_iter().collect(),
        Some(StringList::Many(items)) => items
            .iter()
            .flatten()
            .filter_map(|item| name_of_user(item))
            .collect(),
    }
}

/// Reads a boolean sent as `true`/`false` or as those words in a string.
fn boolean(value: Option<Scalar<'_>>) -> Result<Option<bool>, Decline> {
    match value {
        None => Ok(None),
        Some(Scalar::Bool(flag)) => Ok(Some(flag)),
        Some(Scalar::Text(text)) => boolean_from_text(&text).map(Some).ok_or(Decline),
        Some(Scalar::Number(_)) => Err(Decline),
    }
}

/// Reads a non-negative integer sent as a number or a numeric string.
fn count(value: Option<Scalar<'_>>) -> Result<Option<u64>, Decline> {
    match value {
        None => Ok(None),
        Some(Scalar::Number(number)) => count_from_number(&number).map(Some).ok_or(Decline),
        Some(Scalar::Text(text)) => count_from_text(&text).map(Some).ok_or(Decline),
        Some(Scalar::Bool(_)) => Err(Decline),
    }
}

/// Reads a timestamp with the tolerant parser's rules and warnings, which
/// name `path`.
fn timestamp(
    value: Option<Scalar<'_>>,
    path: &str,
    warnings: &mut Vec<ParseWarning>,
) -> Result<Option<Timestamp>, Decline> {
    match value {
        None => Ok(None),
        Some(Scalar::Number(number)) => Ok(timestamp::from_number(&number, path, warnings)),
        Some(Scalar::Text(text)) => Ok(timestamp::from_text(&text, path, warnings)),
        Some(Scalar::Bool(_)) => Err(Decline),
    }
}
