//! Payload builders and the snapshot macro shared by the scenarios.

use mock_overops::generate::{EventKind, GenOptions, Kind};
use serde_json::Value;

/// `date` of generated alerts: 2026-01-01 08:58 UTC, two minutes before
/// the simulator's manual clock starts, so the Date property is stable.
pub const ALERT_DATE_MS: u64 = 1_767_257_880_000;

/// Options for a generated alert of `kind` with a fixed seed and date.
pub fn alert(kind: Kind, seed: u64) -> GenOptions {
    GenOptions {
        kind,
        seed,
        date_ms: Some(ALERT_DATE_MS),
        ..GenOptions::default()
    }
}

/// Options for a NEW_EVENT alert of a thrown exception.
pub fn new_exception(seed: u64) -> GenOptions {
    alert(Kind::NewEvent(EventKind::Exception), seed)
}

/// Returns the people named by the `notification` entries, in order.
pub fn notified_people(entries: &[&Value]) -> Vec<String> {
    entries
        .iter()
        .map(|entry| entry["person"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Snapshots a story as YAML with the simulator's UUIDs redacted. Event
/// ids, simulated times, properties and rendered texts stay.
macro_rules! assert_story {
    ($name:expr, $story:expr) => {
        insta::assert_yaml_snapshot!($name, $story, {
            ".xmatters.activity[].requestId" => "[request id]",
            ".xmatters.activity[].event.id" => "[event uuid]",
            ".xmatters.events[].timeline[].id" => "[event uuid]",
            ".xmatters.events[].timeline[].request_id" => "[request id]",
        })
    };
}

pub(crate) use assert_story;
