//! Warnings about values the mapping changed, dropped or assumed.

use crate::payload::ParseWarning;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing a person should know about how an alert was mapped.
///
/// Serializes with a `kind` tag, e.g.
/// `{"kind": "truncated", "property": "View_Name", "original_length": 41,
/// "new_length": 30}`, and displays as one English sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The parser assumed something or ignored a value.
    Payload { path: String, message: String },
    /// A text value was cut to the property's maximum length. Lengths are
    /// in UTF-16 code units, the unit xMatters counts in.
    Truncated {
        property: String,
        original_length: usize,
        new_length: usize,
    },
    /// A list property's value is not among the form's values, so the
    /// property was left out.
    NotInList {
        property: String,
        value: String,
        allowed: Vec<String>,
    },
    /// A property the form requires has no value in this alert.
    MissingRequired { property: String },
    /// A property the alert should fill was left out, with the reason.
    Omitted { property: String, reason: String },
}

impl From<ParseWarning> for Warning {
    fn from(warning: ParseWarning) -> Self {
        Warning::Payload {
            path: warning.path,
            message: warning.message,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Payload { path, message } => write!(f, "payload {path}: {message}"),
            Warning::Truncated {
                property,
                original_length,
                new_length,
            } => write!(
                f,
                "{property}: cut from {original_length} to {new_length} UTF-16 code units to fit the form's maximum length"
            ),
            Warning::NotInList {
                property,
                value,
                allowed,
            } => write!(
                f,
                "{property}: omitted {value:?} because the form allows only {}",
                allowed.join(", ")
            ),
            Warning::MissingRequired { property } => write!(
                f,
                "{property}: the form requires this property but the alert has no value for it, so xMatters will reject the event"
            ),
            Warning::Omitted { property, reason } => {
                write!(f, "{property}: omitted because {reason}")
            }
        }
    }
}
