//! xMatters callbacks as stored: who responded what, on which device, when.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::Serialize;

use super::types::AlertId;

/// Type of an xMatters outbound webhook, inferred from its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CallbackKind {
    /// A recipient responded, such as "Acknowledge".
    Response,
    /// The event changed status, such as to "terminated".
    Status,
    /// A notification was delivered to a device, or failed.
    DeliveryStatus,
    /// Any other webhook (annotation, escalation), kept as received.
    Other,
}

impl CallbackKind {
    /// Every kind, in the order of the `kind` label in metrics.
    pub const ALL: [CallbackKind; 4] = [
        Self::Response,
        Self::Status,
        Self::DeliveryStatus,
        Self::Other,
    ];

    /// Returns the name stored in the database: xMatters' trigger type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "RESPONSE",
            Self::Status => "STATUS",
            Self::DeliveryStatus => "DELIVERYSTATUS",
            Self::Other => "OTHER",
        }
    }
}

impl fmt::Display for CallbackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, as in the CLI tables.
        f.pad(self.as_str())
    }
}

impl FromStr for CallbackKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "invalid callback kind {s:?}; expected RESPONSE, STATUS, DELIVERYSTATUS or OTHER"
                )
            })
    }
}

/// One xMatters callback.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Callback {
    /// When the relay received it.
    pub received_at: Timestamp,
    /// Webhook type.
    pub kind: CallbackKind,
    /// Numeric event id (`eventIdentifier`) as decimal text.
    pub event_id: String,
    /// The alert whose event this is. The store fills it on insert, and
    /// later when the event of a callback that arrived first is found.
    pub alert_id: Option<AlertId>,
    /// `date` of the webhook, which xMatters sends in UTC without a zone.
    pub occurred_at: Option<Timestamp>,
    /// Target name of a response or notification, such as `mmcbride`.
    pub recipient: Option<String>,
    /// Device name, such as `Work Email`.
    pub device: Option<String>,
    /// Numeric device id of a delivery status, as decimal text.
    pub device_id: Option<String>,
    /// Response option text, such as `Acknowledge`.
    pub response: Option<String>,
    /// Comment of a response; xMatters' string `"null"` is stored as none.
    pub comment: Option<String>,
    /// Event status of a STATUS callback, such as `terminated`.
    pub status: Option<String>,
    /// `Delivered` or `Failed` for a DELIVERYSTATUS callback.
    pub delivery_status: Option<String>,
    /// Message of a delivery status.
    pub message: Option<String>,
    /// Event properties flagged for callbacks, merged into one object.
    pub event_properties: serde_json::Value,
    /// Request body as received.
    pub body: String,
}
