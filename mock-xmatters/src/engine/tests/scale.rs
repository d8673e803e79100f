//! Many active events share one timer queue.

use serde_json::json;

use super::support::*;
use crate::engine::{EventFilter, Source, Status};

const EVENTS: usize = 10_000;

#[test]
fn ten_thousand_events_share_one_timer_queue() {
    let mut sim = simulator(test_world());
    let source = Source::Integration("test".to_string());
    let trigger = json!({"properties": {"Summary": "load"}});
    for _ in 0..EVENTS {
        sim.create_event(source.clone(), None, &trigger)
            .expect("valid trigger");
    }

    // Per event: the expiry, p1's delayed voice call and the group's second level.
    assert_eq!(sim.pending_timers(), EVENTS * 3);

    sim.advance_by(minutes(5));
    assert_eq!(sim.pending_timers(), EVENTS * 2, "every voice call fired");

    sim.advance_by(minutes(5));
    assert_eq!(
        sim.pending_timers(),
        EVENTS * 3,
        "p2's voice call and the third level are pending"
    );

    sim.advance_by(minutes(170));
    assert_eq!(sim.pending_timers(), 0);
    let terminated = sim.events(&EventFilter {
        status: Some(Status::Terminated),
        ..EventFilter::default()
    });
    assert_eq!(terminated.len(), EVENTS);

    let first = terminated
        .first()
        .map(|e| crate::engine::EventKey::Uuid(e.id));
    let per_event = first
        .and_then(|key| sim.notifications(&key))
        .map(|n| n.len());
    assert_eq!(
        per_event,
        Some(6),
        "two devices for each of the three members"
    );
}
