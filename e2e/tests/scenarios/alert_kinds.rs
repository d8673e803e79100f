//! Alert kinds other than a new exception: threshold, resurfaced, test
//! and a kind OverOps may add later.

use e2e::Harness;
use mock_overops::generate::{EventKind, Kind};
use mock_xmatters::World;

use crate::common::{alert, assert_story, notified_people};

/// Delivers one alert of `kind` and returns the story, after checking
/// that exactly one event reached the first on-call member.
async fn deliver_one(kind: Kind, seed: u64) -> e2e::Story {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");

    harness
        .deliver_generated(&alert(kind, seed))
        .await
        .expect("the alert becomes an event");

    let story = harness.story().await.expect("story");
    assert_eq!(story.event_count(), 1);
    assert_eq!(
        notified_people(&story.entries_of("notification")),
        vec!["alice"; 4]
    );
    story
}

#[tokio::test]
async fn threshold_alert_becomes_event() {
    let story = deliver_one(Kind::Threshold, 11).await;

    let created = story.entries_of("created");
    assert_eq!(created[0]["properties"]["Type"], "THRESHOLD");
    assert_eq!(created[0]["priority"], "HIGH");
    assert!(
        created[0]["properties"]["link"].is_string(),
        "a threshold's link comes from its top event: {}",
        created[0]["properties"]
    );
    assert_story!("threshold", &story);
}

#[tokio::test]
async fn resurfaced_alert_becomes_event() {
    let story = deliver_one(Kind::Resurfaced(EventKind::LoggedError), 12).await;

    let created = story.entries_of("created");
    assert_eq!(created[0]["properties"]["Type"], "RESURFACED");
    assert_story!("resurfaced", &story);
}

#[tokio::test]
async fn test_message_becomes_event() {
    let story = deliver_one(Kind::Test, 13).await;

    let created = story.entries_of("created");
    assert_eq!(created[0]["properties"]["Alert_Type"], "TEST");
    assert_eq!(created[0]["priority"], "LOW");
    assert_story!("test_message", &story);
}

#[tokio::test]
async fn unknown_kind_becomes_event() {
    let story = deliver_one(Kind::Unknown("ANOMALY".to_owned()), 14).await;

    let created = story.entries_of("created");
    assert_eq!(created[0]["properties"]["Type"], "ANOMALY");
    assert_story!("unknown_kind", &story);
}
