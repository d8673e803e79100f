//! Group timeline shapes, device order and delays, recipient kinds.

use serde_json::json;

use super::support::*;
use crate::engine::{LevelReason, Simulator, Source, TimelineKind};
use crate::world::{RosterEntry, World};

fn world_with_roster(delays: &[u32]) -> World {
    let mut world = test_world();
    world.groups[0].roster = delays
        .iter()
        .enumerate()
        .map(|(i, delay)| RosterEntry {
            person: format!("p{}", i + 1),
            delay_minutes: *delay,
        })
        .collect();
    world
}

/// Returns the minute at which each person's email was sent.
fn emails(sim: &Simulator, event: crate::engine::EventRef) -> Vec<(u64, String)> {
    sent(sim, event)
        .into_iter()
        .filter(|(_, _, device)| device == "Email")
        .map(|(at, person, _)| (at, person))
        .collect()
}

fn pairs(entries: &[(u64, &str)]) -> Vec<(u64, String)> {
    entries.iter().map(|(at, p)| (*at, p.to_string())).collect()
}

#[test]
fn notify_all_reaches_everyone_at_once() {
    let mut sim = simulator(world_with_roster(&[0, 0, 0]));
    let event = create(&mut sim, &trigger());
    assert_eq!(
        emails(&sim, event),
        pairs(&[(0, "p1"), (0, "p2"), (0, "p3")])
    );
    assert_eq!(entries_of(&sim, event, "escalation").len(), 1);
}

#[test]
fn one_at_a_time_waits_between_members() {
    let mut sim = simulator(world_with_roster(&[0, 10, 10]));
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(60));
    assert_eq!(
        emails(&sim, event),
        pairs(&[(0, "p1"), (10, "p2"), (20, "p3")])
    );

    let reasons: Vec<LevelReason> = entries_of(&sim, event, "escalation")
        .into_iter()
        .filter_map(|entry| match entry {
            TimelineKind::Escalation { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            LevelReason::EventCreated,
            LevelReason::DelayElapsed { delay_minutes: 10 },
            LevelReason::DelayElapsed { delay_minutes: 10 },
        ]
    );
}

#[test]
fn mixed_roster_notifies_levels_together() {
    let mut sim = simulator(world_with_roster(&[0, 7, 0]));
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(60));
    assert_eq!(
        emails(&sim, event),
        pairs(&[(0, "p1"), (7, "p2"), (7, "p3")])
    );
}

#[test]
fn delayed_first_member_waits() {
    let mut sim = simulator(world_with_roster(&[4, 0]));
    let event = create(&mut sim, &trigger());
    assert!(emails(&sim, event).is_empty());
    sim.advance_by(minutes(4));
    assert_eq!(emails(&sim, event), pairs(&[(4, "p1"), (4, "p2")]));
}

#[test]
fn default_world_timeline_shape() {
    let mut sim = simulator(World::default_world());
    let source = Source::Integration("OverOps relay".to_string());
    let trigger = json!({"properties": {"Summary": "NPE", "App_Name": "orders-api"}});
    let snapshot = sim
        .create_event(source, None, &trigger)
        .expect("valid trigger");
    let event = crate::engine::EventRef {
        id: snapshot.id,
        event_id: snapshot.event_id,
    };
    sim.advance_by(minutes(60));

    assert_eq!(
        sent(&sim, event),
        expect(&[
            (0, "alice", "Work Email"),
            (0, "alice", "iPhone"),
            (0, "alice", "SMS"),
            (0, "alice", "Mobile Phone"),
            (15, "bob", "Work Email"),
            (15, "bob", "SMS"),
            (20, "bob", "Mobile Phone"),
            (30, "carol", "Work Email"),
            (30, "carol", "Android"),
            (30, "dave", "Home Email"),
            (30, "dave", "Work Phone"),
        ])
    );
}

#[test]
fn devices_follow_order_and_delays() {
    let mut sim = simulator(test_world());
    let event = create(
        &mut sim,
        &json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1"}]}),
    );
    assert_eq!(sent(&sim, event), expect(&[(0, "p1", "Email")]));
    sim.advance_by(minutes(4));
    assert_eq!(sent(&sim, event).len(), 1);
    sim.advance_by(minutes(1));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (5, "p1", "Voice")])
    );
}

#[test]
fn device_recipient_gets_that_device_at_once() {
    let mut sim = simulator(test_world());
    let trigger = json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p2|Voice", "recipientType": "DEVICE"}]});
    let event = create(&mut sim, &trigger);
    sim.advance_by(minutes(30));
    assert_eq!(sent(&sim, event), expect(&[(0, "p2", "Voice")]));
}

#[test]
fn escalation_override_reaches_all_members() {
    let mut sim = simulator(test_world());
    let trigger = json!({"properties": {"Summary": "x"}, "escalationOverride": true});
    let event = create(&mut sim, &trigger);
    assert_eq!(
        emails(&sim, event),
        pairs(&[(0, "p1"), (0, "p2"), (0, "p3")])
    );
}

#[test]
fn target_device_names_limit_devices() {
    let mut sim = simulator(test_world());
    let trigger = json!({"properties": {"Summary": "x"}, "targetDeviceNames": [{"name": "Voice"}]});
    let event = create(&mut sim, &trigger);
    sim.advance_by(minutes(5));
    assert_eq!(sent(&sim, event), expect(&[(5, "p1", "Voice")]));
}

#[test]
fn person_in_two_targets_is_notified_through_each() {
    let mut sim = simulator(test_world());
    let trigger =
        json!({"properties": {"Summary": "x"}, "recipients": [{"id": "team"}, {"id": "p1"}]});
    let event = create(&mut sim, &trigger);
    let vias: Vec<String> = notifications(&sim, event)
        .into_iter()
        .map(|n| n.via)
        .collect();
    assert_eq!(vias, vec!["team", "p1"]);
}

#[test]
fn responder_is_skipped_by_later_levels() {
    let mut world = world_with_roster(&[0, 10]);
    world.groups[0].roster[1].person = "p1".to_string();
    let mut sim = simulator(world);
    let event = create(&mut sim, &trigger());
    respond(&mut sim, event, "p1", "Record");
    sim.advance_by(minutes(10));

    assert_eq!(emails(&sim, event), pairs(&[(0, "p1")]));
    assert_eq!(entries_of(&sim, event, "person_skipped").len(), 1);
}

#[test]
fn notifications_render_templates_per_channel() {
    let mut sim = simulator(test_world());
    let trigger = json!({"properties": {"Summary": "DB down", "Level": "ERROR"}, "recipients": [{"id": "p1"}]});
    let event = create(&mut sim, &trigger);
    sim.advance_by(minutes(5));

    let sent = notifications(&sim, event);
    assert_eq!(sent[0].subject.as_deref(), Some("Alert: DB down"));
    assert_eq!(sent[0].text, "DB down (ERROR)");
    assert_eq!(sent[0].address, "p1@example.com");
    assert_eq!(sent[1].subject, None);
    assert_eq!(sent[1].text, "Voice DB down");
}

#[test]
fn default_world_story_snapshot() {
    let mut sim = simulator(World::default_world());
    let source = Source::Integration("OverOps relay".to_string());
    let trigger = json!({
        "properties": {
            "Summary": "NullPointerException in OrderService.place",
            "App_Name": "orders-api",
            "Service_Name": "prod",
            "View_Name": "All Exceptions",
            "link": "https://app.overops.com/tale/1",
        },
        "priority": "HIGH",
    });
    let snapshot = sim
        .create_event(source, None, &trigger)
        .expect("valid trigger");
    let event = crate::engine::EventRef {
        id: snapshot.id,
        event_id: snapshot.event_id,
    };

    sim.advance_by(minutes(2));
    sim.respond(crate::engine::ResponseInput {
        event: key(event),
        recipient: "alice".to_string(),
        device: Some("SMS".to_string()),
        choice: crate::engine::ResponseChoice::Text("Ignore".to_string()),
        comment: Some("in a meeting".to_string()),
    })
    .expect("alice was notified by SMS");
    sim.advance_by(minutes(2));
    respond(&mut sim, event, "bob", "Acknowledge");
    sim.advance_by(minutes(180));

    insta::assert_yaml_snapshot!(sim.timeline(&key(event)));
}

fn repeating_world() -> World {
    let mut world = test_world();
    world.groups[0].repeat = 1;
    world.groups[0].repeat_delay_minutes = 30;
    world
}

#[test]
fn repeat_restarts_unanswered_timeline() {
    let mut sim = simulator(repeating_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(120));
    assert_eq!(
        emails(&sim, event),
        pairs(&[
            (0, "p1"),
            (10, "p2"),
            (20, "p3"),
            (50, "p1"),
            (60, "p2"),
            (70, "p3")
        ]),
        "one repeat, 30 minutes after the last level"
    );

    let reasons: Vec<LevelReason> = entries_of(&sim, event, "escalation")
        .into_iter()
        .filter_map(|entry| match entry {
            TimelineKind::Escalation { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons[3], LevelReason::Repeated { round: 2 });
    assert_eq!(sim.pending_timers(), 1, "only the expiry is left");
}

#[test]
fn repeat_skipped_after_a_response() {
    let mut sim = simulator(repeating_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(21));
    respond(&mut sim, event, "p3", "Record");
    sim.advance_by(minutes(60));
    assert_eq!(
        emails(&sim, event),
        pairs(&[(0, "p1"), (10, "p2"), (20, "p3")])
    );
}
