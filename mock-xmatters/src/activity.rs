//! The integration activity log: the outcome of each asynchronous trigger
//! after its 202 response. As in xMatters, it is the only place where a
//! rejected trigger leaves a trace.

use serde::Serialize;
use uuid::Uuid;

use crate::clock::SimTime;
use crate::engine::{EventRef, Status};

/// One processed inbound trigger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    pub request_id: Uuid,
    /// The integration's name.
    pub integration: String,
    /// Simulated time at which the trigger was processed.
    pub at: SimTime,
    pub outcome: ActivityOutcome,
    /// The created event; absent when no event was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventRef>,
    /// The created event's status, `SUPPRESSED` under flood control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The reasons no event was created.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ActivityError>,
}

/// The result of processing one trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityOutcome {
    /// An event was created (possibly suppressed).
    EventCreated,
    /// The body is not JSON, so nothing could be read from it.
    InvalidBody,
    /// The original inbound script threw an exception.
    ScriptError,
    /// The trigger did not fit the form.
    ValidationFailed,
}

/// One reason a trigger created no event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityError {
    /// The offending field, such as `properties/View_Name`, for form
    /// validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    pub details: String,
}

/// Activity log entries kept; older entries are dropped first.
pub const MAX_ACTIVITY_ENTRIES: usize = 10_000;

/// The bounded activity log, oldest first.
#[derive(Debug, Default)]
pub struct ActivityLog {
    entries: std::collections::VecDeque<ActivityEntry>,
}

impl ActivityLog {
    pub fn record(&mut self, entry: ActivityEntry) {
        self.entries.push_back(entry);
        if self.entries.len() > MAX_ACTIVITY_ENTRIES {
            self.entries.pop_front();
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &ActivityEntry> {
        self.entries.iter()
    }
}
