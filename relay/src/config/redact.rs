//! Keeps secret values out of configuration errors.
//!
//! serde and the TOML parser quote the offending value in their messages,
//! and the TOML parser also prints the line around a syntax error. For the
//! options that hold credentials, errors name the type of the value
//! instead, and a syntax error on a line that sets one is reported without
//! the line's text.

use std::ops::Range;

/// Options whose values are credentials, as dotted paths.
const SECRET_OPTIONS: &[&str] = &[
    "server.tokens",
    "xmatters.api_key",
    "xmatters.username",
    "xmatters.password",
    "xmatters.rest.username",
    "xmatters.rest.password",
    "callbacks.tokens",
    "callbacks.username",
    "callbacks.password",
    "admin.tokens",
];

/// Keys that set a secret option, for recognizing them in TOML text.
const SECRET_KEYS: &[&str] = &["tokens", "api_key", "username", "password"];

/// Returns whether `option` (such as `server.tokens[0]`) is, or is an item
/// of, a secret option.
pub(crate) fn is_secret_option(option: &str) -> bool {
    SECRET_OPTIONS.iter().any(|secret| {
        option == *secret
            || option
                .strip_prefix(secret)
                .is_some_and(|rest| rest.starts_with('['))
    })
}

/// Builds the reason for an invalid secret option from serde's `message`
/// without the value it quotes: the type found in the configuration
/// (`found`, such as "string") and what serde expected.
pub(crate) fn secret_reason(option: &str, message: &str, found: Option<&str>) -> String {
    // serde writes "invalid type: <value>, expected <what>"; the expected
    // part comes from the relay's types and never contains the value.
    let expected = message
        .rfind(", expected ")
        .map(|position| &message[position + ", expected ".len()..]);
    let found = found.map(|found| {
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {found}")
    });
    let mut reason = match (found, expected) {
        (Some(found), Some(expected)) => {
            format!("invalid type: found {found}, expected {expected}")
        }
        (None, Some(expected)) => format!("invalid value, expected {expected}"),
        (Some(found), None) => format!("invalid value: found {found}"),
        (None, None) => "invalid value".to_owned(),
    };
    if option.ends_with(".tokens") {
        reason.push_str(" such as [\"TOKEN-1\", \"TOKEN-2\"]");
    }
    reason.push_str(" (the value is not shown because the option is secret)");
    reason
}

/// Returns the TOML type ("string", "integer", ...) of the value at `path`
/// in `tree`, or `None` when the path does not lead to a value.
pub(crate) fn found_type(
    tree: &toml::Table,
    path: &serde_path_to_error::Path,
) -> Option<&'static str> {
    use serde_path_to_error::Segment;

    let mut value: Option<&toml::Value> = None;
    for segment in path.iter() {
        value = match (segment, value) {
            (Segment::Map { key }, None) => tree.get(key),
            (Segment::Map { key }, Some(toml::Value::Table(table))) => table.get(key),
            (Segment::Seq { index }, Some(toml::Value::Array(items))) => items.get(*index),
            _ => None,
        };
        value?;
    }
    value.map(toml::Value::type_str)
}

/// Formats a TOML syntax error in `text`. The parser's
/// message quotes the line of the error; when that line may set a secret,
/// only the line and column numbers are given.
pub(crate) fn syntax_message(text: &str, error: &toml::de::Error) -> String {
    let full = error.to_string().trim_end().to_owned();
    let Some(span) = error.span() else {
        return full;
    };
    let (line, column) = line_and_column(text, &span);
    if !line_may_set_secret(text, line) {
        return full;
    }
    format!(
        "TOML parse error at line {}, column {}: {} (the line is not shown because it may \
         contain a secret)",
        line + 1,
        column + 1,
        error.message().trim_end().replace('\n', "; ")
    )
}

/// Returns the zero-based line and column (in characters) of the span's
/// start.
fn line_and_column(text: &str, span: &Range<usize>) -> (usize, usize) {
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |position| position + 1);
    (line, before[line_start..].chars().count())
}

/// Returns whether line `index` of `text` may contain the value of a secret
/// option: it sets one, or it continues a value (such as a multi-line
/// array) whose key is a secret.
fn line_may_set_secret(text: &str, index: usize) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let Some(upto) = lines.get(..=index.min(lines.len().saturating_sub(1))) else {
        return false;
    };
    for line in upto.iter().rev() {
        if sets_secret_key(line) {
            return true;
        }
        if starts_key_or_table(line) {
            return false;
        }
    }
    false
}

/// Returns whether `line` contains `KEY =` for a secret key, also inside an
/// inline table or after a dotted prefix such as `xmatters.api_key`.
fn sets_secret_key(line: &str) -> bool {
    SECRET_KEYS.iter().any(|key| {
        line.match_indices(key).any(|(position, _)| {
            let before = line[..position].chars().next_back();
            let starts_name = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            let after = line[position + key.len()..].trim_start_matches(['"', '\'', ' ', '\t']);
            starts_name && after.starts_with('=')
        })
    })
}

/// Returns whether `line` starts a new key (`name = ...`) or a table
/// header (`[section]`), so the lines below it belong to another value.
fn starts_key_or_table(line: &str) -> bool {
    let trimmed = line.trim_start();
    if let Some(header) = trimmed.strip_prefix('[') {
        return header
            .trim_start_matches('[')
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '"');
    }
    let key_end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"')))
        .unwrap_or(trimmed.len());
    key_end > 0 && trimmed[key_end..].trim_start().starts_with('=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_options_and_their_items_are_recognized() {
        assert!(is_secret_option("server.tokens"));
        assert!(is_secret_option("server.tokens[2]"));
        assert!(is_secret_option("xmatters.password"));
        assert!(is_secret_option("xmatters.rest.password"));
        assert!(is_secret_option("admin.tokens[0]"));
        assert!(!is_secret_option("server.tokens_file"));
        assert!(!is_secret_option("xmatters.trigger_url"));
    }

    #[test]
    fn secret_reason_keeps_only_the_expected_part() {
        let reason = secret_reason(
            "xmatters.api_key",
            "invalid type: integer `5550001112223334`, expected a string",
            Some("integer"),
        );
        assert!(!reason.contains("5550001112223334"), "{reason}");
        assert!(
            reason.starts_with("invalid type: found an integer, expected a string"),
            "{reason}"
        );
    }

    #[test]
    fn lines_that_set_secrets_are_recognized() {
        let text = "[xmatters]\ntrigger_url = \"x\"\npassword = \"a\"\n\
                    [server]\ntokens = [\n  \"a\",\n  \"b\",\n]\nlisten = \"c\"\n";
        let flagged: Vec<usize> = (0..text.lines().count())
            .filter(|index| line_may_set_secret(text, *index))
            .collect();
        assert_eq!(flagged, vec![2, 4, 5, 6, 7]);
    }

    #[test]
    fn inline_table_with_secret_is_recognized() {
        assert!(sets_secret_key("xmatters = { api_key = \"k\" }"));
        assert!(sets_secret_key("xmatters.api_key=\"k\""));
        assert!(!sets_secret_key("recipient_username_field = \"x\""));
        assert!(!sets_secret_key("passwords_hint = 1"));
    }
}
