//! Expiry, termination, suspension, annotations and audits.

use std::time::Duration;

use serde_json::json;

use super::support::*;
use crate::engine::{AuditKind, EngineError, EventFilter, EventKey, Status};

#[test]
fn event_expires_after_default_lifetime() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());

    sim.advance_by(minutes(180) - Duration::from_secs(1));
    assert_eq!(
        sim.event(&key(event)).map(|e| e.status),
        Some(Status::Active)
    );

    sim.advance_by(Duration::from_secs(1));
    assert_eq!(
        sim.event(&key(event)).map(|e| e.status),
        Some(Status::Terminated)
    );
    assert_eq!(sim.pending_timers(), 0);

    let audits = sim.audits(&key(event)).expect("the event exists");
    assert_eq!(
        audits.last().map(|a| a.kind),
        Some(AuditKind::EventCompleted)
    );
}

#[test]
fn trigger_sets_lifetime() {
    let mut sim = simulator(test_world());
    let event = create(
        &mut sim,
        &json!({"properties": {"Summary": "x"}, "expirationInMinutes": 15}),
    );
    sim.advance_by(minutes(15));
    assert_eq!(
        sim.event(&key(event)).map(|e| e.status),
        Some(Status::Terminated)
    );
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (5, "p1", "Voice"), (10, "p2", "Email")]),
        "nothing is sent at or after the expiry"
    );
}

#[test]
fn responses_after_termination_are_ignored() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(180));

    let outcome = respond(&mut sim, event, "p1", "Ignore");
    assert!(!outcome.accepted);
    assert_eq!(outcome.status, Status::Terminated);
    assert!(outcome.notified.is_empty());
    let reason = outcome.ignored_reason.unwrap_or_default();
    assert!(reason.contains("after termination"), "{reason}");
    assert_eq!(entries_of(&sim, event, "response_ignored").len(), 1);
    assert!(entries_of(&sim, event, "response").is_empty());

    let audits = sim.audits(&key(event)).expect("the event exists");
    assert!(!audits.iter().any(|a| a.kind == AuditKind::ResponseReceived));
}

#[test]
fn terminate_by_request_stops_everything() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    let snapshot = sim
        .set_status(&key(event), Status::Terminated)
        .expect("an active event can be terminated");
    assert_eq!(snapshot.status, Status::Terminated);
    assert_eq!(sim.pending_timers(), 0);

    sim.advance_by(minutes(60));
    assert_eq!(sent(&sim, event).len(), 1);
    let audits = sim.audits(&key(event)).expect("the event exists");
    assert_eq!(
        audits.last().map(|a| a.kind),
        Some(AuditKind::EventTerminated)
    );
}

#[test]
fn invalid_status_changes_are_rejected() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    let resume_active = sim.set_status(&key(event), Status::Active);
    assert_eq!(
        resume_active,
        Err(EngineError::InvalidTransition {
            from: "ACTIVE",
            to: "ACTIVE"
        })
    );
    sim.set_status(&key(event), Status::Terminated)
        .expect("terminates");
    let reopen = sim.set_status(&key(event), Status::Active);
    assert!(matches!(reopen, Err(EngineError::InvalidTransition { .. })));
    let missing = sim.set_status(&EventKey::EventId(7), Status::Terminated);
    assert_eq!(
        missing,
        Err(EngineError::EventNotFound(EventKey::EventId(7)))
    );
}

#[test]
fn suspension_pauses_timeline_but_not_expiry() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    sim.advance_by(minutes(4));
    sim.set_status(&key(event), Status::Suspended)
        .expect("suspends");

    sim.advance_by(minutes(30));
    assert_eq!(
        sent(&sim, event).len(),
        1,
        "nothing is sent while suspended"
    );
    let ignored = respond(&mut sim, event, "p1", "Acknowledge");
    assert!(!ignored.accepted);

    sim.set_status(&key(event), Status::Active)
        .expect("resumes");
    sim.advance_by(minutes(6));
    assert_eq!(
        sent(&sim, event),
        expect(&[(0, "p1", "Email"), (35, "p1", "Voice"), (40, "p2", "Email")]),
        "each timer resumes with the time it had left"
    );

    sim.advance_by(minutes(140));
    assert_eq!(
        sim.event(&key(event)).map(|e| e.status),
        Some(Status::Terminated)
    );
}

#[test]
fn annotations_are_kept_and_audited() {
    let mut sim = simulator(test_world());
    let event = create(&mut sim, &trigger());
    let annotation = sim
        .annotate(&key(event), "looking into it")
        .expect("annotates");
    assert_eq!(annotation.comment, "looking into it");
    assert_eq!(sim.annotations(&key(event)).map(|a| a.len()), Some(1));
    assert_eq!(
        sim.annotate(&key(event), "  "),
        Err(EngineError::EmptyComment)
    );

    let audits = sim.audits(&key(event)).expect("the event exists");
    assert_eq!(
        audits.last().map(|a| a.kind),
        Some(AuditKind::EventAnnotated)
    );
}

#[test]
fn audits_follow_event_story() {
    let mut sim = simulator(test_world());
    let event = create(
        &mut sim,
        &json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1"}]}),
    );
    respond(&mut sim, event, "p1", "Resolve");
    let kinds: Vec<AuditKind> = sim
        .audits(&key(event))
        .expect("the event exists")
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            AuditKind::EventCreated,
            AuditKind::NotificationDelivered,
            AuditKind::ResponseReceived,
            AuditKind::EventTerminated,
        ]
    );
}

#[test]
fn failing_device_is_audited_as_failed() {
    let mut world = test_world();
    world.people[0].devices[0].delivery = crate::world::DeliveryOutcome::Failed;
    let mut sim = simulator(world);
    let event = create(&mut sim, &trigger());
    let audits = sim.audits(&key(event)).expect("the event exists");
    assert_eq!(audits[1].kind, AuditKind::NotificationFailed);
}

#[test]
fn events_are_found_by_both_ids_and_filters() {
    let mut sim = simulator(test_world());
    let request_id = sim.new_request_id();
    let source = crate::engine::Source::Integration("test".to_string());
    let first = sim
        .create_event(
            source.clone(),
            Some(request_id),
            &json!({"properties": {"Summary": "a", "View_Name": "All Events"}}),
        )
        .expect("valid");
    let second = sim
        .create_event(source, None, &json!({"properties": {"Summary": "b"}}))
        .expect("valid");

    assert_eq!(first.event_id, 1_000_001);
    assert_eq!(second.event_id, 1_000_002);
    assert_eq!(
        sim.event(&EventKey::EventId(1_000_002)).map(|e| e.id),
        Some(second.id)
    );
    assert_eq!(
        sim.event(&EventKey::Uuid(first.id)).map(|e| e.event_id),
        Some(1_000_001)
    );
    assert!(sim.event(&EventKey::EventId(1_000_003)).is_none());
    assert!(sim.event(&EventKey::EventId(3)).is_none());

    let by_request = sim.events(&EventFilter {
        request_id: Some(request_id),
        ..EventFilter::default()
    });
    assert_eq!(
        by_request.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        vec![1_000_001]
    );

    let by_property = sim.events(&EventFilter {
        property_name: Some("View_Name#en".to_string()),
        property_value: Some("All Events".to_string()),
        ..EventFilter::default()
    });
    assert_eq!(by_property.len(), 1);

    sim.set_status(&EventKey::Uuid(second.id), Status::Terminated)
        .expect("terminates");
    let active = sim.events(&EventFilter {
        status: Some(Status::Active),
        ..EventFilter::default()
    });
    assert_eq!(
        active.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        vec![1_000_001]
    );
}

#[test]
fn event_keys_parse_from_path_segments() {
    assert_eq!(
        "1000001".parse::<EventKey>().ok(),
        Some(EventKey::EventId(1_000_001))
    );
    let uuid = "75c9479b-934b-411a-9c96-7f32f5b32dd6";
    assert_eq!(
        uuid.parse::<EventKey>().ok().map(|k| k.to_string()),
        Some(uuid.to_string())
    );
    assert!("abc".parse::<EventKey>().is_err());
    assert!("".parse::<EventKey>().is_err());
}
