//! Who is notified, when, and what Ignore, Acknowledge and the clock do.

use e2e::Harness;
use mock_xmatters::World;

use crate::common::{assert_story, new_exception, notified_people};

#[tokio::test]
async fn new_exception_notifies_first_member_everywhere() {
    let world = World::default_world();
    let alice_devices: Vec<String> = world
        .person("alice")
        .expect("the default world has alice")
        .devices
        .iter()
        .map(|device| device.name.clone())
        .collect();
    let mut harness = Harness::start(world).await.expect("harness starts");

    harness
        .deliver_generated(&new_exception(1))
        .await
        .expect("the alert becomes an event");

    let story = harness.story().await.expect("story");
    assert_eq!(story.event_count(), 1);
    let notifications = story.entries_of("notification");
    assert_eq!(notified_people(&notifications), vec!["alice"; 4]);
    let devices: Vec<&str> = notifications
        .iter()
        .map(|entry| entry["device"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(devices, alice_devices);
    assert_story!("new_exception", &story);
}

#[tokio::test]
async fn ignore_escalates_then_acknowledge_stops() {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");
    let event = harness
        .deliver_generated(&new_exception(2))
        .await
        .expect("the alert becomes an event");

    harness.advance_minutes(2).await.expect("clock advances");
    let ignored = harness
        .respond(event, "alice", "Ignore")
        .await
        .expect("alice responds");
    harness.advance_minutes(1).await.expect("clock advances");
    let acknowledged = harness
        .respond(event, "bob", "Acknowledge")
        .await
        .expect("bob responds");
    harness.advance_minutes(180).await.expect("clock advances");

    let notified_at_once: Vec<&str> = ignored["notified"]
        .as_array()
        .expect("notified is a list")
        .iter()
        .map(|record| record["person"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(notified_at_once, vec!["bob", "bob"], "bob's email and SMS");
    assert_eq!(acknowledged["groups_stopped"][0], "OverOps On-Call");
    let story = harness.story().await.expect("story");
    let people = notified_people(&story.entries_of("notification"));
    assert!(
        !people
            .iter()
            .any(|person| person == "carol" || person == "dave"),
        "the group stopped after bob acknowledged: {people:?}"
    );
    let last_status = story
        .entries_of("status_changed")
        .last()
        .map(|entry| entry["to"].clone());
    assert_eq!(last_status, Some("TERMINATED".into()));
    assert_story!("ignore_then_acknowledge", &story);
}

#[tokio::test]
async fn unanswered_alert_escalates_after_delay() {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");
    harness
        .deliver_generated(&new_exception(3))
        .await
        .expect("the alert becomes an event");

    harness.advance_minutes(14).await.expect("clock advances");
    let before_delay = harness.story().await.expect("story");
    harness.advance_minutes(1).await.expect("clock advances");
    let at_delay = harness.story().await.expect("story");
    harness.advance_minutes(15).await.expect("clock advances");

    assert_eq!(
        notified_people(&before_delay.entries_of("notification")),
        vec!["alice"; 4]
    );
    assert!(notified_people(&at_delay.entries_of("notification")).contains(&"bob".to_owned()));
    let story = harness.story().await.expect("story");
    let levels: Vec<u64> = story
        .entries_of("escalation")
        .iter()
        .filter_map(|entry| entry["level"].as_u64())
        .collect();
    assert_eq!(levels, vec![1, 2, 3]);
    assert_story!("unanswered_escalates", &story);
}

#[tokio::test]
async fn original_ignore_waits_for_delay() {
    let mut harness = Harness::start(World::original_world())
        .await
        .expect("harness starts");
    let event = harness
        .deliver_generated(&new_exception(4))
        .await
        .expect("the alert becomes an event");

    harness.advance_minutes(2).await.expect("clock advances");
    let ignored = harness
        .respond(event, "alice", "Ignore")
        .await
        .expect("alice responds");
    let after_ignore = harness.story().await.expect("story");
    harness.advance_minutes(13).await.expect("clock advances");

    // RECORD_RESPONSE, as the vendor shipped it, notifies nobody at once:
    // bob is reached only when the 15-minute delay elapses.
    assert_eq!(ignored["action"], "RECORD_RESPONSE");
    assert_eq!(ignored["notified"], serde_json::json!([]));
    assert_eq!(
        notified_people(&after_ignore.entries_of("notification")),
        vec!["alice"; 4]
    );
    let story = harness.story().await.expect("story");
    let second_level = story
        .entries_of("escalation")
        .into_iter()
        .find(|entry| entry["level"] == 2)
        .cloned()
        .expect("level 2 is reached");
    assert_eq!(second_level["at"], "+15m");
    assert_eq!(second_level["reason"]["kind"], "delay_elapsed");
    assert_story!("original_ignore_waits", &story);
}
