//! Reading epoch timestamps that may be milliseconds, seconds or text.

use super::error::ParseWarning;
use super::reader::{Object, describe};
use jiff::Timestamp;
use serde_json::{Number, Value};

/// Epoch values below this are read as seconds, above it as milliseconds.
///
/// 10^11 seconds is the year 5138 and 10^11 milliseconds is March 1973, so
/// a real alert date is on the expected side under either reading. OverOps
/// documents milliseconds; seconds come from hand-made and replayed payloads.
pub const SECONDS_THRESHOLD: i64 = 100_000_000_000;

/// Reads the timestamp under `key`: an epoch number (or numeric string) in
/// milliseconds or seconds, or an RFC 3339 string such as
/// `2018-08-17T14:21:49Z`. Unusable values are ignored with a warning.
pub(crate) fn read(
    object: &Object<'_, '_>,
    key: &str,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Timestamp> {
    let value = object.get(key)?;
    let path = object.child_path(key);

    match value {
        Value::Number(number) => from_number(number, &path, warnings),
        Value::String(text) => from_text(text, &path, warnings),
        other => {
            warnings.push(ParseWarning::new(
                &path,
                format!(
                    "ignored {} because an epoch time in milliseconds was expected",
                    describe(other)
                ),
            ));
            None
        }
    }
}

/// Reads an epoch time sent as a JSON number, with a warning when it is
/// not a whole number in the `i64` range.
pub(crate) fn from_number(
    number: &Number,
    path: &str,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Timestamp> {
    match number.as_i64().or_else(|| whole(number.as_f64())) {
        Some(epoch) => from_epoch(epoch, path, warnings),
        None => {
            warnings.push(ParseWarning::new(
                path,
                format!(
                    "ignored the number {number} because an epoch time in milliseconds was expected"
                ),
            ));
            None
        }
    }
}

/// Reads a time sent as a string: an epoch number as text, or RFC 3339.
/// Surrounding whitespace is ignored.
pub(crate) fn from_text(
    text: &str,
    path: &str,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(epoch) = text.parse::<i64>() {
        return from_epoch(epoch, path, warnings);
    }
    if let Some(epoch) = whole(text.parse::<f64>().ok()) {
        return from_epoch(epoch, path, warnings);
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }

    warnings.push(ParseWarning::new(
        path,
        format!(
            "ignored the string {text:?} because an epoch time in milliseconds or an RFC 3339 time was expected"
        ),
    ));
    None
}

fn from_epoch(epoch: i64, path: &str, warnings: &mut Vec<ParseWarning>) -> Option<Timestamp> {
    if epoch <= 0 {
        warnings.push(ParseWarning::new(
            path,
            format!("ignored {epoch} because an epoch time must be positive"),
        ));
        return None;
    }

    let in_seconds = epoch < SECONDS_THRESHOLD;
    let converted = if in_seconds {
        Timestamp::from_second(epoch)
    } else {
        Timestamp::from_millisecond(epoch)
    };

    match converted {
        Ok(timestamp) => {
            if in_seconds {
                warnings.push(ParseWarning::new(
                    path,
                    format!(
                        "timestamp {epoch} read as seconds, not milliseconds, because it is below 10^11"
                    ),
                ));
            }
            Some(timestamp)
        }
        Err(_) => {
            warnings.push(ParseWarning::new(
                path,
                format!("ignored {epoch} because it is past the year 9999 as epoch milliseconds"),
            ));
            None
        }
    }
}

fn whole(number: Option<f64>) -> Option<i64> {
    let number = number?;
    let in_range = number.is_finite() && number.abs() < i64::MAX as f64;
    // The range check above makes the cast exact for whole numbers.
    (in_range && number.fract() == 0.0).then_some(number as i64)
}
