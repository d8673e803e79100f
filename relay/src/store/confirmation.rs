//! Values of the event lookup: the plan made at delivery, the lookups due,
//! their outcomes and what the alert keeps of them.

use jiff::Timestamp;
use serde::Serialize;

use super::types::AlertId;

/// When to look up the event of an alert that xMatters just accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LookupPlan {
    /// Time of the first lookup.
    pub first_at: Timestamp,
    /// Time after which a missing event makes the alert `unconfirmed`.
    pub deadline: Timestamp,
}

/// A delivered alert whose event lookup is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueLookup {
    /// Alert identifier.
    pub id: AlertId,
    /// `requestId` from the 202 body; without it no lookup is possible.
    pub request_id: Option<String>,
    /// When xMatters accepted the alert.
    pub delivered_at: Timestamp,
    /// Lookups made so far.
    pub lookups: u32,
    /// Time after which a missing event makes the alert `unconfirmed`.
    pub deadline: Timestamp,
}

/// The xMatters event found for an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRef {
    /// Event UUID (`id` in the REST API).
    pub uuid: String,
    /// Numeric event id (`eventId`, a string in the REST API), which
    /// callbacks carry as `eventIdentifier`.
    pub event_id: String,
    /// Event status at the lookup, such as `ACTIVE` or `SUPPRESSED`.
    pub status: Option<String>,
}

/// Effect of one lookup on the alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupOutcome {
    /// The event exists: the alert becomes `confirmed`.
    Found(EventRef),
    /// No event yet, or the lookup failed: look again at `next_at`.
    RetryAt {
        /// Time of the next lookup.
        next_at: Timestamp,
        /// Error of the lookup, when it failed rather than finding nothing.
        error: Option<String>,
    },
    /// No event before the deadline: the alert becomes `unconfirmed`.
    Unconfirmed {
        /// Reason for the operator, with what to check.
        reason: String,
        /// Error of the last lookup, when it failed.
        error: Option<String>,
    },
}

/// Event lookup facts of one alert.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmationRecord {
    /// Lookups made so far.
    pub lookups: u32,
    /// Time of the next lookup, while one is planned.
    pub next_lookup_at: Option<Timestamp>,
    /// Time after which a missing event makes the alert `unconfirmed`.
    pub deadline: Option<Timestamp>,
    /// Error of the last lookup, when it failed.
    pub last_error: Option<String>,
    /// The event, once found.
    pub event: Option<EventRef>,
    /// When the event was found.
    pub confirmed_at: Option<Timestamp>,
    /// Reason the alert is `unconfirmed`.
    pub unconfirmed_reason: Option<String>,
}
