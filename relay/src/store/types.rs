//! Values that cross the [`Store`](super::Store) interface.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::Serialize;

use super::callback::Callback;
use super::confirmation::{ConfirmationRecord, LookupPlan};
use super::storm::StormRecord;

/// Identifier of an accepted alert, returned to OverOps in the 202 body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AlertId(pub uuid::Uuid);

impl AlertId {
    /// Creates a new identifier: a UUID version 7, which starts with the
    /// creation time. New ids therefore sort after older ones, so inserts
    /// land at the end of the store's indexes keyed by id instead of on a
    /// random page of each.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for AlertId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Self)
    }
}

/// Where an alert is on its way from intake to an xMatters event.
///
/// `pending` alerts wait for delivery. Storm protection moves an alert it
/// holds back to `held`, then to `digested` once a digest event names it.
/// A delivered alert stays `delivered` when the relay has no REST
/// credentials to look its event up. Otherwise the lookup makes it
/// `confirmed`, or `unconfirmed` when no event appears in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Waiting for its first or next delivery attempt.
    Pending,
    /// Held back by storm protection until the next digest for its
    /// recipients.
    Held,
    /// Sent as part of a digest event instead of on its own.
    Digested,
    /// Accepted by xMatters (202), which only means "queued for
    /// processing".
    Delivered,
    /// The event xMatters created for it was found by `requestId`.
    Confirmed,
    /// No event was found for it in time; the reason is kept on the alert.
    Unconfirmed,
    /// Given up on, with the reason kept on the alert.
    Dead,
}

impl AlertState {
    /// Every state, in the order an alert can pass through them.
    pub const ALL: [AlertState; 7] = [
        Self::Pending,
        Self::Held,
        Self::Digested,
        Self::Delivered,
        Self::Confirmed,
        Self::Unconfirmed,
        Self::Dead,
    ];

    /// Returns the name stored in the database and shown to operators.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Held => "held",
            Self::Digested => "digested",
            Self::Delivered => "delivered",
            Self::Confirmed => "confirmed",
            Self::Unconfirmed => "unconfirmed",
            Self::Dead => "dead",
        }
    }

    /// Returns whether xMatters accepted the alert, on its own or in a
    /// digest, so that sending it again would notify twice.
    pub fn is_sent(self) -> bool {
        matches!(
            self,
            Self::Digested | Self::Delivered | Self::Confirmed | Self::Unconfirmed
        )
    }
}

impl fmt::Display for AlertState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, as in the CLI tables.
        f.pad(self.as_str())
    }
}

impl FromStr for AlertState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|state| state.as_str()).collect();
                format!(
                    "invalid alert state {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Kind of a stored alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// One OverOps alert received at intake.
    Alert,
    /// A digest event that names the alerts storm protection held.
    Digest,
}

impl AlertKind {
    /// Returns the name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "alert",
            Self::Digest => "digest",
        }
    }
}

impl FromStr for AlertKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "alert" => Ok(Self::Alert),
            "digest" => Ok(Self::Digest),
            other => Err(format!(
                "invalid alert kind {other:?}; expected alert or digest"
            )),
        }
    }
}

/// An alert accepted at intake, ready to be committed.
#[derive(Clone, Debug)]
pub struct NewAlert {
    /// Request body exactly as OverOps sent it.
    pub raw_body: Vec<u8>,
    /// Time the intake received the request.
    pub received_at: Timestamp,
    /// xMatters trigger object produced by the mapping, as JSON text.
    pub trigger: String,
    /// Mapping warnings, as the JSON text of an array.
    pub warnings: String,
    /// Key that identifies repeats of the same alert.
    pub dedup_key: String,
    /// Earliest receive time of an alert this one may duplicate. `None`
    /// turns deduplication off for this insert.
    pub dedup_since: Option<Timestamp>,
    /// Pending alerts at or above which the insert fails with
    /// [`StoreError::BacklogFull`](super::StoreError::BacklogFull), or
    /// `None` for no bound. Duplicates are still recognized when full.
    pub max_backlog: Option<u64>,
}

/// Result of [`Store::insert`](super::Store::insert).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InsertOutcome {
    /// The new alert, or the original when this was a duplicate.
    pub id: AlertId,
    /// Whether the alert repeated an earlier one and was not stored.
    pub duplicate: bool,
    /// A dead alert with the same dedup key inside the window. A repeat of a
    /// dead alert is stored and delivered as a new alert, because the
    /// original never reached xMatters.
    pub dead_original: Option<AlertId>,
    /// An unconfirmed alert with the same dedup key inside the window:
    /// xMatters accepted its trigger but no event was found for it. A
    /// repeat of it is stored and delivered as a new alert too.
    pub unconfirmed_original: Option<AlertId>,
}

/// A pending alert handed to the delivery worker.
#[derive(Clone, Debug)]
pub struct DueAlert {
    /// Alert identifier.
    pub id: AlertId,
    /// A received alert or a digest.
    pub kind: AlertKind,
    /// Whether storm protection already let it through, so a retry does
    /// not count against its recipients' rate again.
    pub admitted: bool,
    /// Trigger object to post, as the JSON text stored at intake. It is
    /// posted as it is, without parsing it again.
    pub trigger: String,
    /// Time the intake received it, for the delivery latency metric.
    pub received_at: Timestamp,
    /// Start of its maximum-age clock: receive time, or the last manual
    /// requeue.
    pub queued_at: Timestamp,
    /// Attempts made so far.
    pub attempts: u32,
}

/// One delivery attempt, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// When the request was started.
    pub started_at: Timestamp,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Transport error or classification, when there was one.
    pub error: Option<String>,
    /// Start of the response body, bounded in length.
    pub response_excerpt: Option<String>,
}

/// Effect of an attempt on the alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// xMatters accepted the trigger.
    Delivered {
        /// `requestId` from the 202 body, when present.
        request_id: Option<String>,
        /// When the acceptance was seen.
        at: Timestamp,
        /// When to look the event up, or `None` when the relay has no REST
        /// credentials and the alert stays `delivered`.
        lookup: Option<LookupPlan>,
    },
    /// Try again at the given time.
    RetryAt(Timestamp),
    /// Give up, keeping the reason.
    Dead {
        /// Reason the alert will not be retried.
        reason: String,
    },
}

/// Short view of an alert for listings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertSummary {
    /// Alert identifier.
    pub id: AlertId,
    /// A received alert or a digest.
    pub kind: AlertKind,
    /// Current state.
    pub state: AlertState,
    /// Time the intake received it.
    pub received_at: Timestamp,
    /// Attempts made so far.
    pub attempts: u32,
    /// Later requests with the same dedup key that were not forwarded.
    pub duplicates: u32,
    /// Reason the alert is dead or unconfirmed, or the error of its last
    /// attempt.
    pub last_error: Option<String>,
    /// Numeric xMatters event id, once the event was found.
    pub event_id: Option<String>,
}

/// Everything stored about one alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRecord {
    /// Alert identifier.
    pub id: AlertId,
    /// A received alert or a digest.
    pub kind: AlertKind,
    /// Current state.
    pub state: AlertState,
    /// Time the intake received it.
    pub received_at: Timestamp,
    /// Start of its maximum-age clock.
    pub queued_at: Timestamp,
    /// Request body as OverOps sent it, decoded lossily as UTF-8.
    pub raw_body: String,
    /// Trigger object sent to xMatters.
    pub trigger: serde_json::Value,
    /// Mapping warnings.
    pub warnings: serde_json::Value,
    /// Deduplication key.
    pub dedup_key: String,
    /// Later requests with the same dedup key that were not forwarded.
    pub duplicates: u32,
    /// Next attempt time, for pending alerts.
    pub next_attempt_at: Option<Timestamp>,
    /// When xMatters accepted it.
    pub delivered_at: Option<Timestamp>,
    /// xMatters `requestId` from the 202 body.
    pub request_id: Option<String>,
    /// Reason the alert is dead.
    pub dead_reason: Option<String>,
    /// Attempts, oldest first.
    pub attempts: Vec<Attempt>,
    /// Storm protection: the recipients key, when the alert was held, and
    /// its digest or, for a digest, the alerts it names.
    pub storm: StormRecord,
    /// The event lookup and its result.
    pub confirmation: ConfirmationRecord,
    /// xMatters callbacks about its event, oldest first.
    pub callbacks: Vec<Callback>,
}

/// Result of [`Store::requeue`](super::Store::requeue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequeueOutcome {
    /// The alert is pending and due now.
    Requeued,
    /// The alert was already delivered, on its own or in a digest, and was
    /// left alone.
    AlreadyDelivered,
    /// The alert is held by storm protection and goes out with the next
    /// digest for its recipients; it was left alone.
    Held,
    /// A delivery worker claimed the alert and may be sending it now, so it
    /// was left alone: a retry could notify the recipients twice.
    InFlight {
        /// End of the worker's claim; after it the alert can be retried.
        lease_until: Timestamp,
    },
    /// No alert has this id.
    NotFound,
}
