//! A storm of distinct alerts: storm protection holds what xMatters'
//! flood control would suppress, and no alert is silently lost.

use e2e::Harness;
use mock_overops::generate::generate_bytes;
use mock_xmatters::World;
use relay::store::{AlertState, AlertSummary};
use serde_json::{Value, json};

use crate::common::new_exception;

/// Alerts in the storm: more than the 4 events a minute xMatters lets
/// through to the same recipients.
const STORM_ALERTS: usize = 10;

/// Returns how many alerts are in `state`.
fn count(alerts: &[AlertSummary], state: AlertState) -> usize {
    alerts.iter().filter(|alert| alert.state == state).count()
}

/// Describes the states of `alerts` for a polling failure.
fn states(alerts: &[AlertSummary]) -> String {
    let names: Vec<String> = alerts.iter().map(|alert| alert.state.to_string()).collect();
    names.join(", ")
}

#[tokio::test]
async fn storm_of_distinct_alerts_loses_none() {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");
    let max_events = harness.config().storm.max_events as usize;
    let window = harness.config().storm.window;

    for seed in 0..STORM_ALERTS as u64 {
        let body = generate_bytes(&new_exception(200 + seed));
        let reply = harness.send(body).await.expect("the relay responds");
        assert_eq!(reply.status, 202, "alert {seed}: {reply:?}");
        assert_eq!(reply.duplicate, Some(false), "alert {seed}: {reply:?}");
    }
    let held = STORM_ALERTS - max_events;
    harness
        .wait_for_alerts(
            "the first alerts to go out and the rest to be held",
            |alerts| {
                let out = count(alerts, AlertState::Confirmed);
                let waiting = count(alerts, AlertState::Held);
                if out == max_events && waiting == held {
                    Ok(())
                } else {
                    Err(states(alerts))
                }
            },
        )
        .await
        .expect("storm protection holds the excess");
    // Both clocks move past the window, because xMatters' flood control
    // and the relay's storm protection each count events over one minute.
    harness
        .advance_minutes(window.as_secs().div_ceil(60))
        .await
        .expect("clock advances");
    harness.advance_relay_clock(window);
    harness
        .wait_for_alerts("the held alerts to be sent as one digest", |alerts| {
            let digested = count(alerts, AlertState::Digested);
            let confirmed = count(alerts, AlertState::Confirmed);
            if digested == held && confirmed == max_events + 1 {
                Ok(())
            } else {
                Err(states(alerts))
            }
        })
        .await
        .expect("the digest is confirmed");
    harness
        .wait_idle()
        .await
        .expect("nothing is left to deliver");

    let story = harness.story().await.expect("story");
    assert_eq!(
        story.event_count(),
        max_events + 1,
        "one event each, plus the digest"
    );
    for entry in &story.xmatters.activity {
        assert_eq!(
            entry["status"], "ACTIVE",
            "xMatters suppressed nothing: {entry}"
        );
    }
    let digest = story.relay.last().expect("the digest is stored last");
    assert_eq!(digest.digest_of.len(), held);
    for alert in &story.relay[..STORM_ALERTS] {
        let accounted = match alert.state {
            AlertState::Confirmed => alert.confirmation.is_some(),
            AlertState::Digested => alert.digest.as_deref() == Some(digest.alert.as_str()),
            _ => false,
        };
        assert!(
            accounted,
            "{} has no event of its own or in the digest",
            alert.alert
        );
    }
    insta::assert_yaml_snapshot!("storm", storm_outline(&story));
}

/// Condenses the story to who went where: the digest's text names
/// wall-clock receive times, which a snapshot cannot keep.
fn storm_outline(story: &e2e::Story) -> Value {
    let alerts: Vec<Value> = story
        .relay
        .iter()
        .map(|alert| {
            json!({
                "alert": alert.alert,
                "state": alert.state,
                "event": alert.confirmation.as_ref().and_then(|c| c.event_id.clone()),
                "digest": alert.digest,
                "digest_of": alert.digest_of,
            })
        })
        .collect();
    let events: Vec<Value> = story
        .xmatters
        .events
        .iter()
        .map(|event| {
            let created = event
                .timeline
                .iter()
                .find(|entry| entry["type"] == "created");
            let notified = event
                .timeline
                .iter()
                .filter(|entry| entry["type"] == "notification")
                .count();
            json!({
                "event_id": event.event_id,
                "created_at": created.map(|entry| entry["time"].clone()),
                "status": created.map(|entry| entry["status"].clone()),
                "type": created.map(|entry| entry["properties"]["Type"].clone()),
                "notifications": notified,
            })
        })
        .collect();
    json!({ "alerts": alerts, "events": events })
}
