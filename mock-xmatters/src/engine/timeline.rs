//! The story of an event, entry by entry, made for snapshot tests.

use serde::Serialize;

use crate::clock::SimTime;
use crate::engine::types::{Source, Status, WebhookResult};
use crate::world::{
    Contribution, DeliveryOutcome, DeviceKind, Priority, RecipientSpec, ResponseAction,
    WebhookTrigger,
};

/// One step in an event's story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// Simulated time since the event was created, such as `+5m`.
    pub at: String,
    /// Absolute simulated time.
    pub time: SimTime,
    pub event_id: u64,
    #[serde(flatten)]
    pub what: TimelineKind,
    /// Position in the simulator's global order of entries.
    #[serde(skip)]
    pub(crate) sequence: u64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineKind {
    Created {
        id: uuid::Uuid,
        source: Source,
        form: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<uuid::Uuid>,
        priority: Priority,
        status: Status,
        expiration_minutes: u32,
        recipients: Vec<RecipientSpec>,
        properties: serde_json::Map<String, serde_json::Value>,
    },
    Suppressed {
        matched_event_id: u64,
        reason: String,
    },
    /// A level of a group's escalation timeline was reached.
    Escalation {
        group: String,
        /// 1 for the first level.
        level: usize,
        members: Vec<String>,
        reason: LevelReason,
    },
    /// A person a target reached was not notified.
    PersonSkipped {
        person: String,
        via: String,
        reason: String,
    },
    Notification {
        person: String,
        device: String,
        channel: DeviceKind,
        via: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        text: String,
        delivery: DeliveryOutcome,
    },
    Response {
        person: String,
        device: String,
        response: String,
        action: ResponseAction,
        contribution: Contribution,
        #[serde(skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    ResponseIgnored {
        person: String,
        response: String,
        reason: String,
    },
    /// People stop receiving notifications for this event.
    NotificationsStopped {
        people: Vec<String>,
        reason: String,
    },
    /// An `ESCALATE` response found no further level to notify.
    NoEscalation {
        person: String,
        reason: String,
    },
    /// A group's pending escalation levels were cancelled.
    GroupStopped {
        group: String,
        reason: String,
    },
    StatusChanged {
        from: Status,
        to: Status,
        reason: String,
    },
    Annotated {
        comment: String,
    },
    WebhookQueued {
        webhook_id: u64,
        trigger: WebhookTrigger,
        target: String,
        url: String,
    },
    WebhookSent {
        webhook_id: u64,
        result: WebhookResult,
    },
}

/// The cause of reaching a group's escalation level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LevelReason {
    /// The first level, reached when the event was created.
    EventCreated,
    /// The previous level's escalation delay elapsed.
    DelayElapsed { delay_minutes: u32 },
    /// A response with the `ESCALATE` action skipped the remaining delay.
    Escalated { by: String, response: String },
    /// Nobody responded through the group, so its timeline restarted.
    Repeated { round: u32 },
}
