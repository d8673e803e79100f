//! Alert flood control through the engine.

use std::time::Duration;

use serde_json::json;

use super::support::*;
use crate::engine::{EventKey, Simulator, Source, Status};
use crate::world::World;

fn flood_world() -> World {
    let mut world = test_world();
    world.flood_control.enabled = true;
    world
}

fn create_status(sim: &mut Simulator, recipients: serde_json::Value) -> (u64, Status) {
    let trigger = json!({"properties": {"Summary": "storm"}, "recipients": recipients});
    let event = sim
        .create_event(Source::Integration("test".to_string()), None, &trigger)
        .expect("valid trigger");
    (event.event_id, event.status)
}

#[test]
fn fifth_alert_in_a_minute_is_suppressed() {
    let mut sim = simulator(flood_world());
    let team = json!([{"id": "team"}]);
    for _ in 0..4 {
        assert_eq!(create_status(&mut sim, team.clone()).1, Status::Active);
        sim.advance_by(Duration::from_secs(10));
    }
    let (suppressed_id, status) = create_status(&mut sim, team.clone());
    assert_eq!(status, Status::Suppressed);

    let key = EventKey::EventId(suppressed_id);
    assert_eq!(sim.notifications(&key).map(|n| n.len()), Some(0));
    let suppressions = sim.suppressions(Some(&key));
    assert_eq!(suppressions.len(), 1);
    assert_eq!(suppressions[0].matched.event_id, suppressed_id - 1);
    assert!(
        suppressions[0].reason.contains("flood control"),
        "{}",
        suppressions[0].reason
    );
    assert_eq!(sim.suppressions(None).len(), 1);
    assert_eq!(
        sim.suppressions(Some(&EventKey::EventId(1_000_001))).len(),
        0
    );
}

#[test]
fn window_slides_past_old_alerts() {
    let mut sim = simulator(flood_world());
    let team = json!([{"id": "team"}]);
    for _ in 0..4 {
        create_status(&mut sim, team.clone());
    }
    sim.advance_by(Duration::from_secs(59));
    assert_eq!(create_status(&mut sim, team.clone()).1, Status::Suppressed);
    sim.advance_by(Duration::from_secs(1));
    assert_eq!(create_status(&mut sim, team).1, Status::Active);
}

#[test]
fn other_recipients_are_counted_apart() {
    let mut sim = simulator(flood_world());
    for _ in 0..4 {
        create_status(&mut sim, json!([{"id": "team"}]));
    }
    assert_eq!(
        create_status(&mut sim, json!([{"id": "p1"}])).1,
        Status::Active
    );
    assert_eq!(
        create_status(&mut sim, json!([{"id": "team"}, {"id": "p1"}])).1,
        Status::Active
    );
}

#[test]
fn disabled_flood_control_suppresses_nothing() {
    let mut sim = simulator(test_world());
    for _ in 0..10 {
        assert_eq!(
            create_status(&mut sim, json!([{"id": "team"}])).1,
            Status::Active
        );
    }
    assert!(sim.suppressions(None).is_empty());
}

#[test]
fn suppressed_event_sets_no_timers() {
    let mut sim = simulator(flood_world());
    for _ in 0..4 {
        create_status(&mut sim, json!([{"id": "p3"}]));
    }
    let before = sim.pending_timers();
    create_status(&mut sim, json!([{"id": "p3"}]));
    assert_eq!(sim.pending_timers(), before);

    let responses_after = respond_err(&mut sim);
    assert!(
        responses_after,
        "nobody was notified, so nobody can respond"
    );
}

fn respond_err(sim: &mut Simulator) -> bool {
    sim.respond(crate::engine::ResponseInput {
        event: EventKey::EventId(1_000_005),
        recipient: "p3".to_string(),
        device: None,
        choice: crate::engine::ResponseChoice::Text("Record".to_string()),
        comment: None,
    })
    .is_err()
}
