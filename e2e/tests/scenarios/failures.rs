//! xMatters failing, and the relay stopping, between an alert's 202 and
//! its delivery: every case ends with exactly one event.

use std::time::Duration;

use e2e::Harness;
use mock_overops::generate::generate_bytes;
use mock_xmatters::{ClockMode, World};
use relay::store::AlertState;
use serde_json::json;

use crate::common::{assert_story, new_exception};

/// Installs `sequence` on the trigger endpoint, sends one alert, waits
/// until it is delivered, and checks that xMatters created one event and
/// that the relay saw `expected_statuses`. Returns the harness.
async fn deliver_through_faults(
    sequence: serde_json::Value,
    seed: u64,
    expected_statuses: &[Option<u16>],
) -> Harness {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");
    let plan = json!({ "endpoint": "trigger", "sequence": sequence });
    harness
        .simulator()
        .install_faults(&plan)
        .await
        .expect("faults installed");

    harness
        .deliver_generated(&new_exception(seed))
        .await
        .expect("the alert becomes an event");

    let story = harness.story().await.expect("story");
    let statuses: Vec<Option<u16>> = story.relay[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, expected_statuses);
    assert_eq!(story.xmatters.requests.len(), expected_statuses.len());
    assert_eq!(story.event_count(), 1);
    harness
}

#[tokio::test]
async fn server_errors_then_success_make_one_event() {
    let sequence = json!([{ "status": 500, "times": 3 }]);

    let harness =
        deliver_through_faults(sequence, 31, &[Some(500), Some(500), Some(500), Some(202)]).await;

    assert_story!("server_errors", &harness.story().await.expect("story"));
}

#[tokio::test]
async fn rate_limit_with_retry_after_makes_one_event() {
    let sequence = json!([{ "status": 429, "retry_after": 1 }]);

    let harness = deliver_through_faults(sequence, 32, &[Some(429), Some(202)]).await;

    let relay = harness.relay().expect("relay runs");
    let alerts = relay
        .store()
        .list(None, 10)
        .await
        .expect("store lists alerts");
    let record = relay
        .store()
        .get(alerts[0].id)
        .await
        .expect("store reads the alert")
        .expect("the alert exists");
    let waited = record.attempts[1]
        .started_at
        .duration_since(record.attempts[0].started_at);
    assert!(
        waited >= jiff::SignedDuration::from_secs(1),
        "the retry honours Retry-After: 1 (waited {waited:?})"
    );
    assert_story!("rate_limited", &harness.story().await.expect("story"));
}

#[tokio::test]
async fn connection_reset_makes_one_event() {
    let sequence = json!([{ "reset": true }]);

    let harness = deliver_through_faults(sequence, 33, &[None, Some(202)]).await;

    let story = harness.story().await.expect("story");
    assert_eq!(story.xmatters.requests[0].outcome, "reset");
    assert!(story.relay[0].attempts[0].error.is_some());
    // The transport error's wording comes from the operating system.
    let mut settings = insta::Settings::clone_current();
    settings.add_redaction(".relay[0].attempts[0].error", "[transport error]");
    settings.bind(|| assert_story!("connection_reset", &story));
}

/// How the relay goes down between accepting and delivering.
#[derive(Clone, Copy, Debug)]
enum Stop {
    Graceful,
    Crash,
}

/// Sends an alert while xMatters responds 503, stops the relay after the
/// failed attempt, restarts it over the same store and waits for the
/// delivery.
async fn deliver_across_restart(stop: Stop, seed: u64) -> e2e::Story {
    // The one-second wait after the 503 leaves the relay idle, and so
    // stoppable, between its two attempts.
    let mut harness = Harness::start_with(World::default_world(), ClockMode::Manual, |config| {
        config.delivery.retry_schedule = vec![Duration::from_secs(1)];
    })
    .await
    .expect("harness starts");
    let plan = json!({ "endpoint": "trigger", "sequence": [{ "status": 503 }] });
    harness
        .simulator()
        .install_faults(&plan)
        .await
        .expect("faults installed");

    let reply = harness
        .send(generate_bytes(&new_exception(seed)))
        .await
        .expect("the relay responds");
    let id = reply.id.expect("a 202 with the alert id");
    let failed = harness.wait_attempts(id, 1).await.expect("one attempt");
    assert_eq!(failed.state, AlertState::Pending);
    match stop {
        Stop::Graceful => harness.stop_relay().await.expect("relay stops"),
        Stop::Crash => harness.crash_relay().expect("relay aborts"),
    }
    harness.restart_relay().await.expect("relay restarts");
    let record = harness.wait_settled(id).await.expect("alert settles");
    harness
        .wait_idle()
        .await
        .expect("nothing is left to deliver");

    assert_eq!(record.state, AlertState::Confirmed);
    let story = harness.story().await.expect("story");
    assert_eq!(story.relay.len(), 1);
    let statuses: Vec<Option<u16>> = story.relay[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(202)]);
    assert_eq!(story.event_count(), 1);
    story
}

#[tokio::test]
async fn stop_then_restart_makes_one_event() {
    let story = deliver_across_restart(Stop::Graceful, 34).await;

    assert_story!("restart_after_stop", &story);
}

#[tokio::test]
async fn crash_then_restart_makes_one_event() {
    let story = deliver_across_restart(Stop::Crash, 35).await;

    assert_story!("restart_after_crash", &story);
}
