//! Replacing personal and customer details in captured payloads.
//!
//! [`scrub`] replaces e-mail addresses, user names, host and server names,
//! environment ids and names, credentials and query values in URLs, and IP
//! addresses with placeholders. Within one call, the same value always gets
//! the same placeholder, and different values get different placeholders
//! unless a value is too short to hold a unique number. Each placeholder
//! has as many chars as the value it replaces, and only string values
//! change, so structure, JSON types and string lengths stay as captured.
//!
//! Values are found in two ways. Fields whose key names a detail (such as
//! `username`, `added_by`, `server_name`, `service_id`, `service_name`) are
//! replaced whole, and their values are then also replaced wherever they
//! appear as whole words in other strings, such as the summary. Patterns
//! find e-mail addresses, IPv4 and IPv6 addresses, ids shaped like
//! `S38421` and URLs in any string.
//!
//! NOTE: object keys are never changed, and a user name that appears only
//! in free text, not in a user field, is not found.

mod detect;
mod placeholder;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use detect::{Span, find_details};
use placeholder::Placeholders;

/// Minimum length in chars of a field value that is also searched for in
/// other strings, because shorter values would match unrelated words.
const MIN_KNOWN_CHARS: usize = 3;

/// Keys whose string values are user names or e-mail addresses.
const USER_KEYS: &[&str] = &[
    "username",
    "user_name",
    "user",
    "added_by",
    "owner",
    "created_by",
    "email",
];

/// Keys whose string values are host or server names.
const HOST_KEYS: &[&str] = &[
    "server_name",
    "host",
    "hostname",
    "host_name",
    "machine_name",
    "server",
];

/// Keys whose string values are OverOps environment ids.
const ENVIRONMENT_ID_KEYS: &[&str] = &["service_id", "env_id", "environment_id"];

/// Keys whose string values are OverOps environment names.
const ENVIRONMENT_NAME_KEYS: &[&str] = &[
    "service_name",
    "env_name",
    "environment_name",
    "environment",
];

/// The kind of a replaced detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetailKind {
    Email,
    User,
    Host,
    EnvironmentId,
    EnvironmentName,
    /// A credential in a URL, or the value of a URL query parameter.
    Token,
    Ip,
}

impl DetailKind {
    fn name(self) -> &'static str {
        match self {
            DetailKind::Email => "email",
            DetailKind::User => "user",
            DetailKind::Host => "host",
            DetailKind::EnvironmentId => "environment-id",
            DetailKind::EnvironmentName => "environment-name",
            DetailKind::Token => "token",
            DetailKind::Ip => "ip",
        }
    }
}

impl fmt::Display for DetailKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.pad(self.name())
    }
}

/// Replacements of one kind in one string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replacement {
    pub kind: DetailKind,
    /// JSON pointer of the string, such as `/data/added_by/0`.
    pub path: String,
    /// Number of replacements of this kind in the string.
    pub count: usize,
    /// Placeholders put in, in order. The replaced values are never kept.
    pub placeholders: Vec<String>,
}

/// A scrubbed document and what was replaced in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scrubbed {
    pub value: Value,
    /// Replacements in document order.
    pub report: Vec<Replacement>,
}

/// Returns a copy of `document` with personal and customer details replaced.
pub fn scrub(document: &Value) -> Scrubbed {
    let mut known = Vec::new();
    collect_known(document, None, &mut known);
    known.sort_by(|left, right| right.0.len().cmp(&left.0.len()).then(left.cmp(right)));
    known.dedup();

    let mut scrubber = Scrubber {
        known,
        placeholders: Placeholders::default(),
        report: Vec::new(),
        report_index: HashMap::new(),
    };
    let mut value = document.clone();
    scrubber.scrub_value(&mut value, None, &mut String::new());

    Scrubbed {
        value,
        report: scrubber.report,
    }
}

/// Returns the kind of detail that a string under `key` is, if any.
fn keyed_kind(key: &str, value: &str) -> Option<DetailKind> {
    let key = key.to_ascii_lowercase();
    let key = key.as_str();
    if USER_KEYS.contains(&key) {
        let whole_email = find_details(value, &[])
            .first()
            .is_some_and(|span| span.kind == DetailKind::Email && span.range == (0..value.len()));
        Some(if whole_email {
            DetailKind::Email
        } else {
            DetailKind::User
        })
    } else if HOST_KEYS.contains(&key) {
        Some(DetailKind::Host)
    } else if ENVIRONMENT_ID_KEYS.contains(&key) {
        Some(DetailKind::EnvironmentId)
    } else if ENVIRONMENT_NAME_KEYS.contains(&key) {
        Some(DetailKind::EnvironmentName)
    } else {
        None
    }
}

/// Collects the string values of detail fields. Array items inherit the
/// key of their array.
fn collect_known(value: &Value, key: Option<&str>, known: &mut Vec<(String, DetailKind)>) {
    match value {
        Value::String(text) => {
            let kind = key.and_then(|key| keyed_kind(key, text));
            if let Some(kind) = kind {
                if text.chars().count() >= MIN_KNOWN_CHARS {
                    known.push((text.clone(), kind));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_known(item, key, known);
            }
        }
        Value::Object(object) => {
            for (child_key, child) in object {
                collect_known(child, Some(child_key), known);
            }
        }
        _ => {}
    }
}

/// State of one [`scrub`] call.
struct Scrubber {
    /// Field values searched for in every other string, longest first.
    known: Vec<(String, DetailKind)>,
    placeholders: Placeholders,
    report: Vec<Replacement>,
    /// Position in `report` of each (path, kind).
    report_index: HashMap<(String, DetailKind), usize>,
}

impl Scrubber {
    /// Scrubs `value` in place. `path` is its JSON pointer, and `key` is the
    /// key of the nearest enclosing object member.
    fn scrub_value(&mut self, value: &mut Value, key: Option<&str>, path: &mut String) {
        match value {
            Value::String(text) => {
                let spans = match key.and_then(|key| keyed_kind(key, text)) {
                    Some(kind) if !text.is_empty() => vec![Span {
                        range: 0..text.len(),
                        kind,
                    }],
                    _ => find_details(text, &self.known),
                };
                if !spans.is_empty() {
                    *text = self.replace(text, &spans, path);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    let length = path.len();
                    path.push('/');
                    path.push_str(&index.to_string());
                    self.scrub_value(item, key, path);
                    path.truncate(length);
                }
            }
            Value::Object(object) => {
                for (child_key, child) in object.iter_mut() {
                    let length = path.len();
                    path.push('/');
                    path.push_str(&child_key.replace('~', "~0").replace('/', "~1"));
                    self.scrub_value(child, Some(child_key), path);
                    path.truncate(length);
                }
            }
            _ => {}
        }
    }

    /// Returns `text` with each span replaced by its placeholder.
    fn replace(&mut self, text: &str, spans: &[Span], path: &str) -> String {
        let mut scrubbed = String::with_capacity(text.len());
        let mut copied_to = 0;
        for span in spans {
            let original = &text[span.range.clone()];
            let placeholder = self.placeholders.placeholder(span.kind, original);
            scrubbed.push_str(&text[copied_to..span.range.start]);
            scrubbed.push_str(&placeholder);
            copied_to = span.range.end;
            self.note(path, span.kind, placeholder);
        }
        scrubbed.push_str(&text[copied_to..]);
        scrubbed
    }

    fn note(&mut self, path: &str, kind: DetailKind, placeholder: String) {
        let key = (path.to_owned(), kind);
        match self.report_index.get(&key) {
            Some(&index) => {
                let entry = &mut self.report[index];
                entry.count += 1;
                entry.placeholders.push(placeholder);
            }
            None => {
                self.report_index.insert(key, self.report.len());
                self.report.push(Replacement {
                    kind,
                    path: path.to_owned(),
                    count: 1,
                    placeholders: vec![placeholder],
                });
            }
        }
    }
}
