//! Values of storm protection: the worker's decisions, the held alerts and
//! the digests that name them.

use jiff::Timestamp;
use serde::Serialize;

use super::types::AlertId;

/// Storm protection's decision about one claimed alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StormDecision {
    /// Alert identifier.
    pub id: AlertId,
    /// Recipients key the alert counts against.
    pub key: String,
    /// `true` lets the alert through, `false` keeps it for the next digest.
    pub admitted: bool,
}

/// One event that storm protection let through to a recipients key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admission {
    /// Recipients key.
    pub key: String,
    /// When it was let through.
    pub at: Timestamp,
}

/// Held alerts of one recipients key that no digest names yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldGroup {
    /// Recipients key.
    pub key: String,
    /// Held alerts waiting for a digest.
    pub count: u64,
    /// When the oldest of them was held.
    pub first_held_at: Timestamp,
}

/// A held alert, as the digest builder reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldAlert {
    /// Alert identifier.
    pub id: AlertId,
    /// Time the intake received it.
    pub received_at: Timestamp,
    /// Request body as OverOps sent it.
    pub raw_body: Vec<u8>,
    /// `priority` of the trigger the alert would have been sent as.
    pub priority: Option<String>,
    /// `recipients` of that trigger, when it names any.
    pub recipients: Option<serde_json::Value>,
}

/// A digest event to store together with the alerts it names.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDigest {
    /// Recipients key of the held alerts.
    pub key: String,
    /// Held alerts the digest names; each must still be held under `key`.
    pub members: Vec<AlertId>,
    /// Trigger object of the digest event.
    pub trigger: serde_json::Value,
    /// Warnings about how the digest was cut to the form's limits.
    pub warnings: serde_json::Value,
    /// When the digest was made; it is due for delivery at once.
    pub created_at: Timestamp,
}

/// Result of [`Store::create_digest`](super::Store::create_digest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigestOutcome {
    /// The digest's own alert id.
    pub id: AlertId,
    /// Held alerts it now names.
    pub members: u64,
}

/// Storm protection facts of one alert.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StormRecord {
    /// Recipients key the alert counted against, once storm protection saw
    /// it.
    pub key: Option<String>,
    /// When storm protection let it through.
    pub admitted_at: Option<Timestamp>,
    /// When storm protection held it.
    pub held_at: Option<Timestamp>,
    /// The digest that names this held alert.
    pub digest_id: Option<AlertId>,
    /// For a digest: the held alerts it names, oldest first.
    pub members: Vec<AlertId>,
}
