//! Tolerant, path-aware reading of fields from a JSON object.
//!
//! OverOps payloads vary between versions and receivers: a field may be
//! missing, `null`, a number where a string was documented, or the reverse.
//! These helpers read what can be read, treat `null` as missing, and record
//! a [`ParseWarning`] with the JSON path for every value they have to ignore.

use super::error::ParseWarning;
use serde_json::{Map, Number, Value};

/// A JSON object together with its path from the root of the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Object<'v, 'p> {
    pub(crate) path: &'p str,
    pub(crate) map: &'v Map<String, Value>,
}

impl<'v> Object<'v, '_> {
    /// Returns the value of `key`, or `None` when it is missing or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<&'v Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    pub(crate) fn child_path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// Reads a text field. Numbers and booleans are read as their JSON text,
    /// because an HTTP `error_code` may arrive as `500` or `"500"`. Arrays
    /// and objects are ignored with a warning.
    pub(crate) fn string(&self, key: &str, warnings: &mut Vec<ParseWarning>) -> Option<String> {
        let value = self.get(key)?;
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            Value::Array(_) | Value::Object(_) => {
                warnings.push(ignored(&self.child_path(key), "a string", value));
                None
            }
            Value::Null => None,
        }
    }

    /// Reads a non-negative integer given as a number or a numeric string.
    pub(crate) fn count(&self, key: &str, warnings: &mut Vec<ParseWarning>) -> Option<u64> {
        let value = self.get(key)?;
        let parsed = match value {
            Value::Number(number) => count_from_number(number),
            Value::String(text) => count_from_text(text),
            _ => None,
        };
        if parsed.is_none() {
            warnings.push(ignored(
                &self.child_path(key),
                "a non-negative integer",
                value,
            ));
        }
        parsed
    }

    /// Reads a boolean given as `true`/`false` or as the strings `"true"` and
    /// `"false"` in any case.
    pub(crate) fn boolean(&self, key: &str, warnings: &mut Vec<ParseWarning>) -> Option<bool> {
        let value = self.get(key)?;
        let parsed = match value {
            Value::Bool(flag) => Some(*flag),
            Value::String(text) => boolean_from_text(text),
            _ => None,
        };
        if parsed.is_none() {
            warnings.push(ignored(&self.child_path(key), "a boolean", value));
        }
        parsed
    }

    /// Reads a list of strings given as an array or as one string (the older
    /// webhook documentation sends `added_by` as a plain string). Blank items
    /// are dropped; array items that are not strings are ignored with a
    /// warning.
    pub(crate) fn string_list(&self, key: &str, warnings: &mut Vec<ParseWarning>) -> Vec<String> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        match value {
            Value::String(text) => name_of_user(text).into_iter().collect(),
            Value::Array(items) => {
                let mut list = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    match item {
                        Value::String(text) => list.extend(name_of_user(text)),
                        Value::Null => {}
                        other => warnings.push(ignored(
                            &format!("{}[{index}]", self.child_path(key)),
                            "a string",
                            other,
                        )),
                    }
                }
                list
            }
            other => {
                warnings.push(ignored(
                    &self.child_path(key),
                    "an array of strings or a string",
                    other,
                ));
                Vec::new()
            }
        }
    }

    /// Returns the object under `key` with its path; a non-object value is
    /// ignored with a warning.
    pub(crate) fn object(
        &self,
        key: &str,
        warnings: &mut Vec<ParseWarning>,
    ) -> Option<(String, &'v Map<String, Value>)> {
        let value = self.get(key)?;
        let path = self.child_path(key);
        match value {
            Value::Object(map) => Some((path, map)),
            other => {
                warnings.push(ignored(&path, "an object", other));
                None
            }
        }
    }

    /// Returns the items of the array under `key` with their paths; a
    /// non-array value is ignored with a warning.
    pub(crate) fn array(
        &self,
        key: &str,
        warnings: &mut Vec<ParseWarning>,
    ) -> Vec<(String, &'v Value)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let path = self.child_path(key);
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| (format!("{path}[{index}]"), item))
                .collect(),
            other => {
                warnings.push(ignored(&path, "an array", other));
                Vec::new()
            }
        }
    }
}

/// Builds the warning for a value of the wrong JSON type.
pub(crate) fn ignored(path: &str, expected: &str, found: &Value) -> ParseWarning {
    ParseWarning::new(
        path,
        format!(
            "ignored {} because {expected} was expected",
            describe(found)
        ),
    )
}

/// Names the JSON type of a value, with an article, for messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a count sent as a JSON number: a `u64`, or a float that is a
/// whole number in the `u64` range.
pub(crate) fn count_from_number(number: &Number) -> Option<u64> {
    number
        .as_u64()
        .or_else(|| number.as_f64().and_then(whole_non_negative))
}

/// Reads a count sent as a string, such as `"250"` or `" 2.5e2 "`.
pub(crate) fn count_from_text(text: &str) -> Option<u64> {
    let text = text.trim();
    text.parse::<u64>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().and_then(whole_non_negative))
}

/// Reads one user name of `added_by`: trimmed, and `None` when blank.
pub(crate) fn name_of_user(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Reads a boolean sent as the string `"true"` or `"false"` in any case.
pub(crate) fn boolean_from_text(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn whole_non_negative(number: f64) -> Option<u64> {
    let in_range = number.is_finite() && number >= 0.0 && number <= u64::MAX as f64;
    // The range check above makes the cast exact for whole numbers.
    (in_range && number.fract() == 0.0).then_some(number as u64)
}
