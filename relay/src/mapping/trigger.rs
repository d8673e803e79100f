//! The xMatters trigger object: what the relay posts to create an event.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

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
    /// Notification targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<Recipient>,
    /// Event priority.
    pub priority: Priority,
    /// Minutes until xMatters terminates the event.
    pub expiration_in_minutes: u32,
}

/// A notification target: a person, group, device or dynamic team.
///
/// Deserializes from a bare name (`"mmcbride"`) or from a table with `id`
/// and an optional `type` (or `recipientType`, as on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The table form of a recipient.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientTable {
    id: String,
    #[serde(default, rename = "type", alias = "recipientType")]
    recipient_type: Option<RecipientType>,
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RecipientVisitor)
    }
}

struct RecipientVisitor;

impl<'de> Visitor<'de> for RecipientVisitor {
    type Value = Recipient;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a recipient name, or a table with `id` and an optional `type`")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Recipient, E> {
        Ok(Recipient::named(name))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Recipient, A::Error> {
        let table = RecipientTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Recipient {
            id: table.id,
            recipient_type: table.recipient_type,
        })
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
///
/// Serializes as `LOW`, `MEDIUM` or `HIGH`; deserializes from those names
/// in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    /// Returns the wire name: `LOW`, `MEDIUM` or `HIGH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "LOW",
            Priority::Medium => "MEDIUM",
            Priority::High => "HIGH",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "LOW" => Ok(Priority::Low),
            "MEDIUM" => Ok(Priority::Medium),
            "HIGH" => Ok(Priority::High),
            _ => Err(format!(
                "unknown priority {text:?}, expected LOW, MEDIUM or HIGH"
            )),
        }
    }
}

impl Serialize for Priority {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}
