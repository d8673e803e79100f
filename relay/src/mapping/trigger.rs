//! The xMatters trigger object: what the relay posts to create an event.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The body of an xMatters trigger request.
///
/// Serializes to the wire format, e.g.
/// `{"properties": {...}, "recipients": [...], "priority": "HIGH",
/// "expirationInMinutes": 180}`. `recipients` is left out when empty so
/// that xMatters notifies the form's default recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// Form properties by name, in the form's order; values are strings.
    pub properties: Map<String, Value>,
    /// Who to notify.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<Recipient>,
    /// Event priority.
    pub priority: Priority,
    /// Minutes until xMatters terminates the event.
    pub expiration_in_minutes: u32,
}

/// A notification target: a person, group, device or dynamic team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RecipientRepr")]
pub struct Recipient {
    /// Target name, e.g. `OverOps On-Call` or `mmcbride|Work Email`.
    pub id: String,
    /// Target type; when absent xMatters resolves the name itself.
    #[serde(rename = "recipientType", skip_serializing_if = "Option::is_none")]
    pub recipient_type: Option<RecipientType>,
}

impl Recipient {
    /// Creates a recipient of unspecified type.
    pub fn named(id: impl Into<String>) -> Self {
        Recipient {
            id: id.into(),
            recipient_type: None,
        }
    }
}

/// A recipient as written in configuration or JSON: a bare name, or a
/// table with `id` and `type` (or `recipientType`, as on the wire).
#[derive(Deserialize)]
#[serde(untagged)]
enum RecipientRepr {
    Name(String),
    Full {
        id: String,
        #[serde(default, rename = "type", alias = "recipientType")]
        recipient_type: Option<RecipientType>,
    },
}

impl From<RecipientRepr> for Recipient {
    fn from(repr: RecipientRepr) -> Self {
        match repr {
            RecipientRepr::Name(id) => Recipient::named(id),
            RecipientRepr::Full { id, recipient_type } => Recipient { id, recipient_type },
        }
    }
}

/// xMatters `recipientType` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecipientType {
    Person,
    Group,
    Device,
    DynamicTeam,
}

/// xMatters event priority, ordered from `Low` to `High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Priority {
    #[serde(alias = "low", alias = "Low")]
    Low,
    #[serde(alias = "medium", alias = "Medium")]
    Medium,
    #[serde(alias = "high", alias = "High")]
    High,
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Priority::Low => "LOW",
            Priority::Medium => "MEDIUM",
            Priority::High => "HIGH",
        })
    }
}
