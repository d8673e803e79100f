//! The world's data types, as read from TOML.
//!
//! Values that xMatters sends on the wire (priorities, recipient types,
//! response actions, contributions) keep the wire spelling (`HIGH`,
//! `GROUP`, `ESCALATE`). Values that exist only in this simulator (device
//! kinds, integration kinds) are lower case.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The simulator's configuration before the first request: people,
/// groups, forms, integrations, credentials and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Event defaults and id generation.
    #[serde(default)]
    pub settings: Settings,
    /// The alert rate filter that suppresses storms.
    #[serde(default)]
    pub flood_control: FloodControl,
    /// The request rate limit reported in `x-ratelimit-*` headers.
    #[serde(default)]
    pub rate_limit: RateLimit,
    /// Accounts accepted by Basic auth on the REST API and the legacy trigger.
    #[serde(default)]
    pub rest_users: Vec<RestUser>,
    /// People who can be notified, each with devices.
    #[serde(default)]
    pub people: Vec<Person>,
    /// Groups with an ordered roster.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Forms: properties, response options, templates, outbound webhooks.
    #[serde(default)]
    pub forms: Vec<Form>,
    /// Inbound integrations that create events from HTTP triggers.
    #[serde(default)]
    pub integrations: Vec<Integration>,
    /// URLs that outbound webhooks are sent to.
    #[serde(default)]
    pub webhook_targets: Vec<WebhookTarget>,
}

/// Event defaults and id generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Lifetime of an event whose trigger and form name none, in minutes.
    pub event_expiry_minutes: u32,
    /// The numeric `eventId` of the first event; later events count up.
    pub first_event_id: u64,
    /// Seed for the generated UUIDs, so that a run can be repeated exactly.
    pub id_seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            event_expiry_minutes: 180,
            first_event_id: 1_000_001,
            id_seed: 1,
        }
    }
}

/// The alert rate filter: more than `max_alerts` events from the same
/// integration to the same recipients within `window_seconds` are
/// suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FloodControl {
    /// Whether the filter runs at all.
    pub enabled: bool,
    /// Events allowed per window; the next one in the window is suppressed.
    pub max_alerts: u32,
    /// Length of the sliding window, in seconds.
    pub window_seconds: u64,
}

impl Default for FloodControl {
    fn default() -> Self {
        FloodControl {
            enabled: true,
            max_alerts: 4,
            window_seconds: 60,
        }
    }
}

/// The request rate limit that the HTTP layer enforces and reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimit {
    /// Requests allowed per period; `x-ratelimit-limit`.
    pub limit: u32,
    /// Length of the period, in seconds; `x-ratelimit-period_in_sec`.
    pub period_seconds: u64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            limit: 60_000,
            period_seconds: 60,
        }
    }
}

/// A REST API account (Basic auth).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestUser {
    pub username: String,
    pub password: String,
}

/// A person: the target name that responses and callbacks use, and devices
/// notified in list order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The xMatters target name, such as `mmcbride`.
    pub name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// Devices in notification order.
    #[serde(default)]
    pub devices: Vec<Device>,
}

/// One device of a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// The device name, such as `Work Email`; unique within its person.
    pub name: String,
    pub kind: DeviceKind,
    /// The email address, phone number or push token.
    #[serde(default)]
    pub address: String,
    /// Minutes to wait after the previous device of the same person was
    /// notified (after the person was reached, for the first device).
    #[serde(default)]
    pub delay_minutes: u32,
    /// The delivery result the simulated provider reports for every message to this device.
    #[serde(default)]
    pub delivery: DeliveryOutcome,
}

/// The channel a device receives messages on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Email,
    Sms,
    Voice,
    Push,
}

/// The delivery result the simulated provider reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    #[default]
    Delivered,
    Failed,
}

/// A group and its escalation timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    /// Members in roster order. A member with a delay starts a new level
    /// of the timeline; members without one join the previous level.
    pub roster: Vec<RosterEntry>,
    /// Times the timeline restarts from the first level when nobody
    /// responded through the group.
    #[serde(default)]
    pub repeat: u32,
    /// Minutes between reaching the last level and restarting; required
    /// when `repeat` is set.
    #[serde(default)]
    pub repeat_delay_minutes: u32,
}

/// One member of a group's roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The target name of a person in the world.
    pub person: String,
    /// Minutes the timeline waits before notifying this member, counted
    /// from the previous level. Zero means "together with the previous
    /// member".
    #[serde(default)]
    pub delay_minutes: u32,
}

/// A recipient as named in a form's defaults or a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientSpec {
    /// A person's or group's name, or `person|device` for a device.
    pub id: String,
    #[serde(rename = "type")]
    pub recipient_type: RecipientType,
}

/// The kind of a recipient, in xMatters' wire spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecipientType {
    Person,
    Group,
    Device,
    DynamicTeam,
}

/// Event priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
}

/// A form: the properties, response options, message templates and
/// outbound webhooks of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub name: String,
    /// The id used by the legacy trigger `/reapi/2015-04-01/forms/{uuid}/triggers`.
    pub uuid: Uuid,
    /// Priority when the trigger names none.
    #[serde(default)]
    pub priority: Priority,
    /// Event lifetime when the trigger names none; the world's default
    /// applies when this is absent too.
    #[serde(default)]
    pub expiration_minutes: Option<u32>,
    /// Recipients notified when the trigger names none.
    #[serde(default)]
    pub recipients: Vec<RecipientSpec>,
    #[serde(default)]
    pub properties: Vec<PropertyDef>,
    /// Response options in the order devices present them.
    #[serde(default)]
    pub responses: Vec<ResponseOption>,
    pub templates: Templates,
    /// Outbound webhooks this form sends.
    #[serde(default)]
    pub outbound: Vec<OutboundSubscription>,
}

impl Form {
    /// Finds a property definition by its exact name.
    pub fn property(&self, name: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Finds a response option by its text, ignoring ASCII case.
    pub fn response_by_text(&self, text: &str) -> Option<&ResponseOption> {
        self.responses
            .iter()
            .find(|r| r.text.eq_ignore_ascii_case(text))
    }

    /// Finds a response option by its voice keypad digit.
    pub fn response_by_digit(&self, digit: u8) -> Option<&ResponseOption> {
        self.responses.iter().find(|r| r.digit == Some(digit))
    }
}

/// A form property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: PropertyKind,
    /// Maximum length in UTF-16 code units; required for text properties.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Allowed values; required for list properties.
    #[serde(default)]
    pub values: Vec<String>,
    /// Whether a trigger must set the property (unless it has a default).
    #[serde(default)]
    pub required: bool,
    /// Value used when the trigger does not set the property.
    #[serde(default)]
    pub default: Option<toml::Value>,
    /// Whether outbound webhooks carry the property in `eventProperties`.
    #[serde(default)]
    pub callback: bool,
}

/// The type of a form property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PropertyKind {
    /// Free text with a maximum length; read back with a `#en` suffix.
    Text,
    /// A single value chosen from a configured list.
    List,
    Number,
    Boolean,
}

/// A response option offered on every notification of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    /// The label a recipient picks, such as `Acknowledge`.
    pub text: String,
    #[serde(default)]
    pub description: String,
    pub action: ResponseAction,
    #[serde(default)]
    pub contribution: Contribution,
    /// The voice keypad digit that selects this option.
    #[serde(default)]
    pub digit: Option<u8>,
}

/// The effect of a response on the event's notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResponseAction {
    /// Records the response; the responder may respond again and the
    /// timeline continues at its normal pace.
    RecordResponse,
    /// Stops notifying the responder.
    StopNotifyingUser,
    /// Stops notifying the responder and the group they were reached through.
    StopNotifyingTarget,
    /// Stops notifying the responder and notifies the next level at once.
    Escalate,
    /// Keeps notifying the responder and stops everyone else.
    AssignToUser,
    /// Terminates the event.
    End,
}

/// The weight of a response in performance reports. It never changes who is notified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Contribution {
    Positive,
    Negative,
    Neutral,
    #[default]
    None,
}

/// Message templates; `{Property}` is replaced by the event's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub email_subject: String,
    pub email_body: String,
    pub sms: String,
    pub voice: String,
    /// Push message text; the SMS template is used when absent.
    #[serde(default)]
    pub push: Option<String>,
}

/// An outbound webhook a form sends on one kind of trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSubscription {
    pub trigger: WebhookTrigger,
    /// For `RESPONSE`: only this response option; every option when absent.
    #[serde(default)]
    pub response: Option<String>,
    /// The name of an entry in `webhook_targets`.
    pub target: String,
}

/// The kinds of outbound webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookTrigger {
    Response,
    Status,
    #[serde(rename = "DELIVERYSTATUS")]
    DeliveryStatus,
}

/// A URL that outbound webhooks are posted to, with optional Basic auth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTarget {
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// An inbound integration reached at
/// `/api/integration/1/functions/{uuid}/triggers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    pub name: String,
    pub uuid: Uuid,
    /// The key accepted in the `apiKey` query parameter.
    pub api_key: String,
    pub kind: IntegrationKind,
    /// The name of the form the integration creates events with.
    pub form: String,
}

/// The format of an integration's request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationKind {
    /// The body is an xMatters trigger object.
    Trigger,
    /// The body is a raw OverOps webhook, mapped as the vendor's original
    /// inbound script did, defects included.
    OriginalScript,
}
