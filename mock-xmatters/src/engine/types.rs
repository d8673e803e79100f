//! The engine's public values: keys, inputs, snapshots, records, errors.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::SimTime;
use crate::world::{
    Contribution, DeliveryOutcome, DeviceKind, Priority, RecipientSpec, ResponseAction,
    WebhookTrigger,
};

/// An event reference as it appears in a URL: the UUID `id` or the numeric
/// `eventId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKey {
    Uuid(Uuid),
    EventId(u64),
}

/// The error for a path segment that is neither a UUID nor a number.
#[derive(Debug, thiserror::Error)]
#[error("invalid event id {0:?}: expected a UUID or a numeric eventId")]
pub struct InvalidEventKey(pub String);

impl FromStr for EventKey {
    type Err = InvalidEventKey;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return trimmed
                .parse()
                .map(EventKey::EventId)
                .map_err(|_| InvalidEventKey(text.to_string()));
        }
        Uuid::parse_str(trimmed)
            .map(EventKey::Uuid)
            .map_err(|_| InvalidEventKey(text.to_string()))
    }
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKey::Uuid(uuid) => write!(f, "{uuid}"),
            EventKey::EventId(id) => write!(f, "{id}"),
        }
    }
}

/// The origin of a trigger. Flood control counts alerts per source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Source {
    /// An inbound integration, by name; the event uses its form.
    Integration(String),
    /// The legacy synchronous form trigger, by form name. Only this source
    /// reads per-event `callbacks`.
    LegacyForm(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Integration(name) => write!(f, "integration {name:?}"),
            Source::LegacyForm(name) => write!(f, "form {name:?}"),
        }
    }
}

/// One form validation failure, in xMatters' `errorDetails` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationError {
    /// The offending field, such as `properties/View_Name`.
    pub json_path: String,
    /// The problem, such as `Exceeded the specified maximum number of characters`.
    pub details: String,
}

/// Event status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Active,
    Suspended,
    Terminated,
    TerminatedExternal,
    Suppressed,
}

impl Status {
    /// Returns the wire spelling, such as `TERMINATED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Suspended => "SUSPENDED",
            Status::Terminated => "TERMINATED",
            Status::TerminatedExternal => "TERMINATED_EXTERNAL",
            Status::Suppressed => "SUPPRESSED",
        }
    }

    /// Tells whether the event is over: no notifications, responses ignored.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Terminated | Status::TerminatedExternal | Status::Suppressed
        )
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_uppercase().as_str() {
            "ACTIVE" => Ok(Status::Active),
            "SUSPENDED" => Ok(Status::Suspended),
            "TERMINATED" => Ok(Status::Terminated),
            "TERMINATED_EXTERNAL" => Ok(Status::TerminatedExternal),
            "SUPPRESSED" => Ok(Status::Suppressed),
            _ => Err(format!(
                "invalid status {text:?}: expected ACTIVE, SUSPENDED, TERMINATED, \
                 TERMINATED_EXTERNAL or SUPPRESSED"
            )),
        }
    }
}

/// Both ids of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRef {
    pub id: Uuid,
    pub event_id: u64,
}

/// An event as the REST API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSnapshot {
    pub id: Uuid,
    pub event_id: u64,
    pub request_id: Option<Uuid>,
    pub status: Status,
    pub priority: Priority,
    pub created: SimTime,
    pub expiration_minutes: u32,
    /// Property values by form property name, without `#en` suffixes. The
    /// form's property definitions mark which ones are text.
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub form_name: String,
    pub form_uuid: Uuid,
    pub source: Source,
    /// The recipients the event was sent to (the trigger's, or the form's
    /// defaults).
    pub recipients: Vec<RecipientSpec>,
}

/// The filter of [`crate::engine::Simulator::events`]. Unset fields match all events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFilter {
    pub request_id: Option<Uuid>,
    pub status: Option<Status>,
    /// A property name; a language suffix such as `#en` is ignored.
    pub property_name: Option<String>,
    /// The property's value as text; needs `property_name`.
    pub property_value: Option<String>,
}

/// The audit entry types of `GET /api/xm/1/audits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditKind {
    EventCreated,
    EventSuspended,
    EventResumed,
    /// The event reached the end of its lifetime.
    EventCompleted,
    /// The event was ended by a response, the REST API or a hook.
    EventTerminated,
    EventAnnotated,
    ResponseReceived,
    NotificationDelivered,
    NotificationFailed,
}

/// One audit entry of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Audit {
    #[serde(rename = "type")]
    pub kind: AuditKind,
    pub at: SimTime,
    pub event: EventRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A comment added to an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: Uuid,
    pub event: EventRef,
    pub comment: String,
    pub created: SimTime,
}

/// A record of an event that alert flood control suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub id: Uuid,
    /// The suppressed event.
    pub event: EventRef,
    /// The most recent event of the same source and recipients that went
    /// through.
    pub matched: EventRef,
    pub at: SimTime,
    pub source: Source,
    pub recipients: Vec<RecipientSpec>,
    /// Why, with the configured limit.
    pub reason: String,
}

/// One message sent to one device: the delivery record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationRecord {
    pub id: u64,
    pub event: EventRef,
    pub at: SimTime,
    pub person: String,
    pub device: String,
    /// A number identifying the device, as DELIVERYSTATUS webhooks carry it.
    pub device_id: u64,
    pub channel: DeviceKind,
    pub address: String,
    /// The recipient the person was reached through (a group, the person,
    /// or a device).
    pub via: String,
    /// The email subject; `None` for other channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The rendered email body, SMS, voice or push text.
    pub text: String,
    pub delivery: DeliveryOutcome,
}

/// A recipient's response, as the `/mock/respond` hook passes it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInput {
    pub event: EventKey,
    /// The person's target name.
    pub recipient: String,
    /// The device the response came from. When absent, the person's most
    /// recent notification is used.
    pub device: Option<String>,
    pub choice: ResponseChoice,
    pub comment: Option<String>,
}

/// The recipient's choice of response option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseChoice {
    /// The option text, matched ignoring ASCII case.
    Text(String),
    /// The voice keypad digit.
    Digit(u8),
}

/// The result of a response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RespondOutcome {
    pub event: EventRef,
    pub recipient: String,
    pub device: String,
    /// The option text.
    pub response: String,
    pub action: ResponseAction,
    pub contribution: Contribution,
    /// False when the response was ignored, with the cause in `ignored_reason`.
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored_reason: Option<String>,
    /// The event's status after the response.
    pub status: Status,
    /// People whose notifications stopped because of this response.
    pub stopped: Vec<String>,
    /// Groups whose pending escalation levels were cancelled.
    pub groups_stopped: Vec<String>,
    /// Notifications sent at once because of this response (`ESCALATE`).
    pub notified: Vec<NotificationRecord>,
}

/// The error for a response that cannot be matched to a notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RespondError {
    #[error("event {0} not found")]
    EventNotFound(EventKey),
    #[error("person {0:?} not found in the world")]
    UnknownPerson(String),
    #[error("person {person:?} has no device {device:?}")]
    UnknownDevice { person: String, device: String },
    #[error("person {person:?} was not notified for event {event}, so they cannot respond")]
    NotNotified { person: String, event: EventKey },
    #[error("person {person:?} was not notified on device {device:?} for event {event}")]
    DeviceNotNotified {
        person: String,
        device: String,
        event: EventKey,
    },
    #[error("response {text:?} is not an option of this event's form; options: {options}")]
    UnknownResponse { text: String, options: String },
    #[error("digit {digit} selects no response option of this event's form; options: {options}")]
    UnknownDigit { digit: u8, options: String },
}

/// The error for a status change or an annotation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("event {0} not found")]
    EventNotFound(EventKey),
    #[error(
        "cannot change event status from {from} to {to}: allowed are ACTIVE to SUSPENDED or \
         TERMINATED, and SUSPENDED to ACTIVE or TERMINATED"
    )]
    InvalidTransition {
        from: &'static str,
        to: &'static str,
    },
    #[error("the annotation comment is empty: pass some text")]
    EmptyComment,
}

/// An action the engine requests from the I/O edge.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send an outbound webhook.
    Webhook(OutboundWebhook),
}

/// An outbound webhook ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundWebhook {
    /// Numbers webhooks for [`crate::engine::Simulator::record_webhook_result`].
    pub id: u64,
    pub event: EventRef,
    pub trigger: WebhookTrigger,
    /// The webhook target's name, or `callback` for a per-event callback.
    pub target: String,
    pub url: String,
    pub auth: Option<BasicAuth>,
    /// The JSON body in xMatters' documented shape.
    pub body: serde_json::Value,
}

/// Basic auth credentials; `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The final result of sending one outbound webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookResult {
    /// The HTTP status the receiver returned after `attempts` tries.
    Answered { status: u16, attempts: u32 },
    /// No usable response after `attempts` tries. `error` describes the
    /// last failure.
    Failed { error: String, attempts: u32 },
}
