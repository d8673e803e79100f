//! Payload quirks and oversized values survive the whole path.

use e2e::Harness;
use mock_overops::generate::{EventKind, GenOptions, Kind, Quirk, generate};
use mock_xmatters::World;
use serde_json::{Value, json};

use crate::common::{alert, assert_story, new_exception};

/// Kinds tried in order for each quirk; the first one the quirk applies
/// to is generated.
fn kinds() -> [Kind; 4] {
    [
        Kind::NewEvent(EventKind::Exception),
        Kind::Threshold,
        Kind::Test,
        Kind::NewEvent(EventKind::HttpError),
    ]
}

fn options_for(quirk: Quirk, seed: u64) -> GenOptions {
    let kind = kinds()
        .into_iter()
        .find(|kind| quirk.applies_to(kind))
        .unwrap_or_else(|| panic!("quirk {quirk} applies to none of {:?}", kinds()));
    GenOptions {
        quirks: vec![quirk],
        ..alert(kind, seed)
    }
}

#[tokio::test]
async fn every_quirk_becomes_event() {
    for (seed, quirk) in (100..).zip(Quirk::ALL) {
        let mut harness = Harness::start(World::default_world())
            .await
            .expect("harness starts");

        let delivered = harness.deliver_generated(&options_for(quirk, seed)).await;

        let event = delivered.unwrap_or_else(|error| panic!("quirk {quirk}: {error}"));
        let story = harness.story().await.expect("story");
        assert_eq!(story.event_count(), 1, "quirk {quirk}");
        assert_eq!(story.xmatters.events[0].event_id, event, "quirk {quirk}");
        assert!(
            !story.entries_of("notification").is_empty(),
            "quirk {quirk}: somebody is notified"
        );
        assert_story!(format!("quirk_{}", quirk.name()), &story);
        harness.shutdown().await.expect("harness stops");
    }
}

/// Returns the length of `text` in UTF-16 code units, as Java counts
/// string length. The relay and the simulator assume xMatters does too.
fn utf16_length(text: &str) -> usize {
    text.encode_utf16().count()
}

#[tokio::test]
async fn long_values_arrive_truncated() {
    let mut payload = generate(&new_exception(41));
    let view_name = "Critical Exceptions In Checkout"; // 31 characters, the form allows 30
    let added_by = json!([
        "first.person@example.com",
        "second.person@example.com",
        "third.person@example.com"
    ]);
    let summary = format!("{} 🚨 tail", "x".repeat(1995));
    payload["data"]["view_name"] = json!(view_name);
    payload["data"]["added_by"] = added_by;
    payload["data"]["summary"] = json!(summary);
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");

    harness
        .deliver(payload.to_string())
        .await
        .expect("the alert becomes an event, not a validation failure");

    let story = harness.story().await.expect("story");
    let properties = &story.entries_of("created")[0]["properties"];
    for (property, max_length) in [("View_Name", 30), ("Added_By", 30), ("Summary", 2000)] {
        let value = properties[property].as_str().unwrap_or_default();
        assert_eq!(utf16_length(value), max_length, "{property}: {value:?}");
        assert!(
            value.ends_with('…'),
            "{property} ends with an ellipsis: {value:?}"
        );
    }
    let warned: Vec<&Value> = story.relay[0]
        .warnings
        .as_array()
        .expect("warnings are a list")
        .iter()
        .filter(|warning| warning["kind"] == "truncated")
        .map(|warning| &warning["property"])
        .collect();
    for property in ["View_Name", "Added_By", "Summary"] {
        assert!(
            warned.contains(&&json!(property)),
            "{property} in {warned:?}"
        );
    }
    assert_story!("long_values", &story);
}
