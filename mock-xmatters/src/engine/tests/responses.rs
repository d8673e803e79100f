//! Every response action, applied exactly, and the ways a response can
//! fail to match or be ignored.

use serde_json::json;

use super::support::*;
use crate::engine::{
    LevelReason, RespondError, ResponseChoice, ResponseInput, Status, TimelineKind,
};
use crate::world::World;

#[test]
fn record_response_keeps_normal_pace() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(1));

    let outcome = respond(&mut sim, event, "p1", "Record");
    assert!(outcome.accepted);
    assert_eq!(outcome.stopped, vec!["p1"]);
    assert!(outcome.notified.is_empty());

    sim.advance_by(minutes(8));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email")]),
        "p1's voice is not called"
    );

    sim.advance_by(minutes(1));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (10, "p2", "Email")]),
        "p2 is reached when the delay elapses, not earlier"
    );

    let again = respond(&mut sim, event, "p1", "Record");
    assert!(
        again.accepted,
        "RECORD_RESPONSE lets the responder respond again"
    );
}

#[test]
fn stop_notifying_user_stops_only_responder() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(1));

    let outcome = respond(&mut sim, event, "p1", "Busy");
    assert_eq!(outcome.stopped, vec!["p1"]);
    assert!(outcome.groups_stopped.is_empty());

    sim.advance_by(minutes(9));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (10, "p2", "Email")])
    );

    let again = respond(&mut sim, event, "p1", "Record");
    assert!(!again.accepted);
    let reason = again.ignored_reason.unwrap_or_default();
    assert!(
        reason.contains("p1 responded Busy (STOP_NOTIFYING_USER)"),
        "{reason}"
    );
}

#[test]
fn stop_notifying_target_stops_group() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(1));

    let outcome = respond(&mut sim, event, "p1", "Acknowledge");
    assert_eq!(outcome.groups_stopped, vec!["team"]);
    assert_eq!(outcome.status, Status::Active);

    sim.advance_by(minutes(60));
    assert_eq!(sent(&sim, event), expect(&[(0, "p1", "Email")]));
    assert_eq!(sim.pending_timers(), 1, "only the expiry is left");
}

#[test]
fn stop_notifying_target_closes_members_reached() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(11));

    respond(&mut sim, event, "p2", "Acknowledge");
    sim.advance_by(minutes(10));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (5, "p1", "Voice"), (10, "p2", "Email")]),
        "p2's voice and the third level are cancelled"
    );

    let late = respond(&mut sim, event, "p1", "Record");
    assert!(!late.accepted, "p1 was reached through the stopped group");
}

#[test]
fn stop_notifying_target_spares_other_targets() {
    let mut sim = simulator(test_world());
    let trigger = json!({
        "properties": {"Summary": "DB down"},
        "recipients": [{"id": "team", "recipientType": "GROUP"}, {"id": "p3", "recipientType": "PERSON"}],
    });
    let event = create(&mut sim, &trigger);
    sim.advance_by(minutes(1));

    respond(&mut sim, event, "p1", "Acknowledge");
    sim.advance_by(minutes(30));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (0, "p3", "Email"), (5, "p3", "Voice")]),
        "p3, a separate target, keeps being notified"
    );
}

#[test]
fn escalate_notifies_next_level_at_once() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(3));

    let outcome = respond(&mut sim, event, "p1", "Ignore");
    let now_sent: Vec<&str> = outcome.notified.iter().map(|n| n.person.as_str()).collect();
    assert_eq!(now_sent, vec!["p2"]);

    sim.advance_by(minutes(10));
    assert_eq!(
        sent(&sim, event),
        expect(&[
            (0, "p1", "Email"),
            (3, "p2", "Email"),
            (8, "p2", "Voice"),
            (13, "p3", "Email"),
        ]),
        "p1's voice is cancelled; the third level follows 10 minutes after the escalation"
    );

    let levels = entries_of(&sim, event, "escalation");
    let Some(TimelineKind::Escalation { level, reason, .. }) = levels.get(1) else {
        panic!("expected a second escalation entry, got {levels:?}");
    };
    assert_eq!(*level, 2);
    assert_eq!(
        *reason,
        LevelReason::Escalated {
            by: "p1".to_string(),
            response: "Ignore".to_string()
        }
    );
}

#[test]
fn escalate_after_last_level_notifies_nobody() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(20));

    let outcome = respond(&mut sim, event, "p3", "Ignore");
    assert!(outcome.notified.is_empty());
    let skipped = entries_of(&sim, event, "no_escalation");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
}

#[test]
fn escalate_from_person_target_notifies_nobody() {
    let mut sim = simulator(test_world());
    let trigger = json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1"}]});
    let event = create(&mut sim, &trigger);

    let outcome = respond(&mut sim, event, "p1", "Ignore");
    assert!(outcome.notified.is_empty());
    let Some(TimelineKind::NoEscalation { reason, .. }) =
        entries_of(&sim, event, "no_escalation").pop()
    else {
        panic!("expected a no_escalation entry");
    };
    assert!(reason.contains("not through a group"), "{reason}");
}

#[test]
fn assign_to_user_stops_everyone_else() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(11));

    let outcome = respond(&mut sim, event, "p2", "Mine");
    assert_eq!(outcome.groups_stopped, vec!["team"]);
    assert_eq!(outcome.stopped, vec!["p1"]);

    sim.advance_by(minutes(30));
    assert_eq!(
        sent(&sim, event),
        expect(&[
            (0, "p1", "Email"),
            (5, "p1", "Voice"),
            (10, "p2", "Email"),
            (15, "p2", "Voice"),
        ]),
        "the responder keeps being notified; the third level never comes"
    );
    assert!(!respond(&mut sim, event, "p1", "Record").accepted);
    assert!(respond(&mut sim, event, "p2", "Record").accepted);
}

#[test]
fn end_terminates_event() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());

    let outcome = respond(&mut sim, event, "p1", "Resolve");
    assert_eq!(outcome.status, Status::Terminated);
    assert_eq!(sim.pending_timers(), 0);

    let snapshot = sim.event(&key(event)).expect("the event exists");
    assert_eq!(snapshot.status, Status::Terminated);
}

#[test]
fn ignore_differs_between_worlds() {
    let respond_ignore = |world: World| {
        let mut sim = simulator(world);
        let event = create_default(&mut sim);
        sim.advance_by(minutes(2));
        respond(&mut sim, event, "alice", "Ignore");
        let at_once: Vec<String> = notifications(&sim, event)
            .iter()
            .filter(|n| n.person == "bob")
            .map(|n| n.device.clone())
            .collect();
        sim.advance_by(minutes(13));
        let bob_first_at = notifications(&sim, event)
            .iter()
            .find(|n| n.person == "bob")
            .map(|n| n.at.since(crate::clock::SimTime::DEFAULT_START).as_secs() / 60);
        (at_once, bob_first_at)
    };

    let (at_once, bob_at) = respond_ignore(World::default_world());
    assert_eq!(
        at_once,
        vec!["Work Email", "SMS"],
        "ESCALATE reaches bob at once"
    );
    assert_eq!(bob_at, Some(2));

    let (at_once, bob_at) = respond_ignore(World::original_world());
    assert!(
        at_once.is_empty(),
        "RECORD_RESPONSE does not reach bob at once"
    );
    assert_eq!(
        bob_at,
        Some(15),
        "bob is reached when the 15-minute delay elapses"
    );
}

fn create_default(sim: &mut crate::engine::Simulator) -> crate::engine::EventRef {
    let source = crate::engine::Source::Integration("OverOps relay".to_string());
    let trigger =
        json!({"properties": {"Summary": "NullPointerException", "App_Name": "orders-api"}});
    let snapshot = sim
        .create_event(source, None, &trigger)
        .expect("valid trigger");
    crate::engine::EventRef {
        id: snapshot.id,
        event_id: snapshot.event_id,
    }
}

#[test]
fn response_by_digit_and_device() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(5));

    let outcome = sim
        .respond(ResponseInput {
            event: key(event),
            recipient: "p1".to_string(),
            device: Some("Voice".to_string()),
            choice: ResponseChoice::Digit(3),
            comment: Some("on it".to_string()),
        })
        .expect("p1 was called");
    assert_eq!(outcome.response, "Acknowledge");
    assert_eq!(outcome.device, "Voice");

    let responses = entries_of(&sim, event, "response");
    let Some(TimelineKind::Response { comment, .. }) = responses.first() else {
        panic!("expected a response entry");
    };
    assert_eq!(comment.as_deref(), Some("on it"));
}

#[test]
fn response_matching_errors() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    let input = |recipient: &str, device: Option<&str>, choice: ResponseChoice| ResponseInput {
        event: key(event),
        recipient: recipient.to_string(),
        device: device.map(str::to_string),
        choice,
        comment: None,
    };
    let text = |t: &str| ResponseChoice::Text(t.to_string());

    let unknown_option = sim.respond(input("p1", None, text("Snooze")));
    assert!(
        matches!(unknown_option, Err(RespondError::UnknownResponse { .. })),
        "{unknown_option:?}"
    );

    let unknown_digit = sim.respond(input("p1", None, ResponseChoice::Digit(9)));
    assert!(matches!(
        unknown_digit,
        Err(RespondError::UnknownDigit { digit: 9, .. })
    ));

    let unknown_person = sim.respond(input("nobody", None, text("Record")));
    assert_eq!(
        unknown_person,
        Err(RespondError::UnknownPerson("nobody".to_string()))
    );

    let unknown_device = sim.respond(input("p1", Some("Pager"), text("Record")));
    assert!(matches!(
        unknown_device,
        Err(RespondError::UnknownDevice { .. })
    ));

    let not_yet_called = sim.respond(input("p1", Some("Voice"), text("Record")));
    assert!(matches!(
        not_yet_called,
        Err(RespondError::DeviceNotNotified { .. })
    ));

    let not_notified = sim.respond(input("p2", None, text("Record")));
    assert!(matches!(
        not_notified,
        Err(RespondError::NotNotified { .. })
    ));

    let missing_event = sim.respond(ResponseInput {
        event: crate::engine::EventKey::EventId(42),
        ..input("p1", None, text("Record"))
    });
    assert!(matches!(missing_event, Err(RespondError::EventNotFound(_))));
}

#[test]
fn option_text_ignores_case() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    assert_eq!(
        respond(&mut sim, event, "p1", "acknowledge").response,
        "Acknowledge"
    );
}

#[test]
fn contribution_does_not_change_notifications() {
    let world = world_with_action("Acknowledge", crate::world::ResponseAction::RecordResponse);
    let mut sim = simulator(world);
    let event = create(&mut sim, &trigger());
    respond(&mut sim, event, "p1", "Acknowledge");
    sim.advance_by(minutes(10));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (10, "p2", "Email")]),
        "a POSITIVE contribution with RECORD_RESPONSE does not stop the group"
    );
}
