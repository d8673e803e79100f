//! The few JavaScript value rules that the vendor's inbound script relies on:
//! property access that throws on `undefined` and `null`, `String(value)`,
//! `Number(value)` and `Array.prototype.join()`.
//!
//! Error texts follow the wording of Rhino, the JavaScript engine that runs
//! xMatters integration scripts.

use serde_json::Value;

use super::ScriptError;

/// A JavaScript value read from parsed JSON: either `undefined` (a missing
/// key) or a JSON value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum JsValue<'a> {
    Undefined,
    Json(&'a Value),
}

impl<'a> JsValue<'a> {
    /// Reads `self[key]` as the expression `name.key` does: a TypeError on
    /// `undefined` and `null`, `undefined` for a missing key or a primitive.
    pub(crate) fn get(self, name: &str, key: &str) -> Result<JsValue<'a>, ScriptError> {
        match self {
            JsValue::Undefined => Err(read_error(name, key, "undefined")),
            JsValue::Json(Value::Null) => Err(read_error(name, key, "null")),
            JsValue::Json(Value::Object(map)) => {
                Ok(map.get(key).map_or(JsValue::Undefined, JsValue::Json))
            }
            JsValue::Json(_) => Ok(JsValue::Undefined),
        }
    }

    /// Calls `self.join()` as the expression `name.join()` does: arrays join
    /// with `,`, anything else throws.
    pub(crate) fn join(self, name: &str) -> Result<String, ScriptError> {
        match self {
            JsValue::Undefined => Err(call_error(name, "undefined")),
            JsValue::Json(Value::Null) => Err(call_error(name, "null")),
            JsValue::Json(Value::Array(items)) => Ok(join_array(items)),
            JsValue::Json(other) => Err(ScriptError::new(format!(
                "TypeError: Cannot find function join in object {}.",
                to_js_string(other)
            ))),
        }
    }
}

fn read_error(name: &str, key: &str, receiver: &str) -> ScriptError {
    ScriptError::new(format!(
        "TypeError: Cannot read property \"{key}\" from {receiver} ({name}.{key})"
    ))
}

fn call_error(name: &str, receiver: &str) -> ScriptError {
    ScriptError::new(format!(
        "TypeError: Cannot call method \"join\" of {receiver} ({name}.join)"
    ))
}

/// `String(value)` for a JSON value: objects become `[object Object]` and
/// arrays join their elements with `,`.
pub(crate) fn to_js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number_to_js_string(number),
        Value::String(text) => text.clone(),
        Value::Array(items) => join_array(items),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// `Array.prototype.join()`: `null` elements become empty strings.
fn join_array(items: &[Value]) -> String {
    items
        .iter()
        .map(|item| match item {
            Value::Null => String::new(),
            other => to_js_string(other),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn number_to_js_string(number: &serde_json::Number) -> String {
    if number.is_f64() {
        let float = number.as_f64().unwrap_or(f64::NAN);
        if float.fract() == 0.0 && float.abs() < 1e21 {
            return format!("{float:.0}");
        }
    }
    number.to_string()
}

/// `Number(value)`: strings are trimmed and parsed as decimals (empty means
/// 0), `null` is 0, `undefined` and objects are NaN, arrays go through
/// `String()`. Hexadecimal and binary literals read as NaN here, unlike in
/// JavaScript.
pub(crate) fn to_js_number(value: JsValue<'_>) -> f64 {
    match value {
        JsValue::Undefined => f64::NAN,
        JsValue::Json(Value::Null) => 0.0,
        JsValue::Json(Value::Bool(flag)) => f64::from(u8::from(*flag)),
        JsValue::Json(Value::Number(number)) => number.as_f64().unwrap_or(f64::NAN),
        JsValue::Json(Value::String(text)) => parse_js_number(text),
        JsValue::Json(Value::Array(items)) => parse_js_number(&join_array(items)),
        JsValue::Json(Value::Object(_)) => f64::NAN,
    }
}

fn parse_js_number(text: &str) -> f64 {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return 0.0;
    }
    // Rust also accepts "inf" and "nan", which JavaScript reads as NaN.
    if trimmed
        .chars()
        .any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E'))
    {
        return if matches!(trimmed, "Infinity" | "+Infinity") {
            f64::INFINITY
        } else if trimmed == "-Infinity" {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    trimmed.parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_on_undefined_and_null_throws() {
        let undefined = JsValue::Undefined
            .get("data", "summary")
            .expect_err("throws");
        let null = JsValue::Json(&Value::Null)
            .get("data", "summary")
            .expect_err("throws");

        assert_eq!(
            undefined.message,
            "TypeError: Cannot read property \"summary\" from undefined (data.summary)"
        );
        assert!(null.message.contains("from null"), "{}", null.message);
    }

    #[test]
    fn get_missing_key_is_undefined() {
        let object = json!({"a": 1});

        assert_eq!(JsValue::Json(&object).get("o", "b"), Ok(JsValue::Undefined));
        assert_eq!(
            JsValue::Json(&json!("text")).get("o", "b"),
            Ok(JsValue::Undefined)
        );
    }

    #[test]
    fn join_arrays_and_throw_on_strings() {
        let list = json!(["a@example.com", null, 3]);
        let text = json!("owner@example.com");

        assert_eq!(
            JsValue::Json(&list).join("data.added_by"),
            Ok("a@example.com,,3".to_owned())
        );
        assert_eq!(
            JsValue::Json(&text)
                .join("data.added_by")
                .expect_err("throws")
                .message,
            "TypeError: Cannot find function join in object owner@example.com."
        );
        assert!(JsValue::Undefined.join("data.added_by").is_err());
    }

    #[test]
    fn string_conversion_matches_javascript() {
        let cases = [
            (json!({"a": 1}), "[object Object]"),
            (json!([1, "b", null]), "1,b,"),
            (json!(null), "null"),
            (json!(true), "true"),
            (json!(42), "42"),
            (json!(2.5), "2.5"),
            (json!(3.0), "3"),
        ];
        for (value, expected) in cases {
            assert_eq!(to_js_string(&value), expected, "String({value})");
        }
    }

    #[test]
    fn number_conversion_matches_javascript() {
        let cases = [
            (json!(" 1534515709123 "), 1_534_515_709_123.0),
            (json!(""), 0.0),
            (json!(null), 0.0),
            (json!(true), 1.0),
            (json!([7]), 7.0),
            (json!("1e3"), 1000.0),
        ];
        for (value, expected) in cases {
            assert_eq!(
                to_js_number(JsValue::Json(&value)),
                expected,
                "Number({value})"
            );
        }
        for value in [json!("soon"), json!({}), json!("inf"), json!([1, 2])] {
            assert!(
                to_js_number(JsValue::Json(&value)).is_nan(),
                "Number({value}) is NaN"
            );
        }
        assert!(to_js_number(JsValue::Undefined).is_nan());
    }
}
