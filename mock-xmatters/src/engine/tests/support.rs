//! A small test world and helpers shared by the engine tests.

use std::time::Duration;

use serde_json::{Value, json};

use crate::clock::SimTime;
use crate::engine::{
    EventKey, EventRef, NotificationRecord, RespondOutcome, ResponseChoice, ResponseInput,
    Simulator, Source, TimelineKind,
};
use crate::world::{ResponseAction, World};

/// A small world in TOML. People p1, p2 and p3 each have an email device
/// (at once) and a voice device (5 minutes later). Group "team" notifies
/// one member at a time, 10 minutes apart. The form offers one response
/// option per action, and flood control is off unless a test turns it on.
pub(super) const TEST_WORLD: &str = r#"
[settings]
event_expiry_minutes = 180

[flood_control]
enabled = false

[[people]]
name = "p1"
devices = [
  { name = "Email", kind = "email", address = "p1@example.com" },
  { name = "Voice", kind = "voice", address = "+15550000001", delay_minutes = 5 },
]

[[people]]
name = "p2"
devices = [
  { name = "Email", kind = "email", address = "p2@example.com" },
  { name = "Voice", kind = "voice", address = "+15550000002", delay_minutes = 5 },
]

[[people]]
name = "p3"
devices = [
  { name = "Email", kind = "email", address = "p3@example.com" },
  { name = "Voice", kind = "voice", address = "+15550000003", delay_minutes = 5 },
]

[[groups]]
name = "team"
roster = [
  { person = "p1" },
  { person = "p2", delay_minutes = 10 },
  { person = "p3", delay_minutes = 10 },
]

[[forms]]
name = "Alert"
uuid = "26e2c994-907f-43fe-93c5-e86d1dbbedb1"
recipients = [{ id = "team", type = "GROUP" }]
properties = [
  { name = "Summary", type = "text", max_length = 100, required = true, callback = true },
  { name = "View_Name", type = "text", max_length = 30 },
  { name = "Level", type = "list", values = ["FATAL", "ERROR", "WARN"] },
  { name = "Count", type = "number" },
  { name = "Urgent", type = "boolean", default = false },
]
responses = [
  { text = "Record", action = "RECORD_RESPONSE", digit = 1 },
  { text = "Busy", action = "STOP_NOTIFYING_USER", digit = 2 },
  { text = "Acknowledge", action = "STOP_NOTIFYING_TARGET", contribution = "POSITIVE", digit = 3 },
  { text = "Ignore", action = "ESCALATE", contribution = "NEGATIVE", digit = 4 },
  { text = "Mine", action = "ASSIGN_TO_USER", digit = 5 },
  { text = "Resolve", action = "END", digit = 6 },
]

[forms.templates]
email_subject = "Alert: {Summary}"
email_body = "{Summary} ({Level})"
sms = "SMS {Summary}"
voice = "Voice {Summary}"

[[integrations]]
name = "test"
uuid = "fa5ec0d2-42f2-43ef-9d7b-fdf04a670619"
api_key = "test-key"
kind = "trigger"
form = "Alert"
"#;

pub(super) fn test_world() -> World {
    World::from_toml_str(TEST_WORLD, "test world").expect("the test world is valid")
}

pub(super) fn simulator(world: World) -> Simulator {
    Simulator::new(world, SimTime::DEFAULT_START)
}

pub(super) fn minutes(count: u64) -> Duration {
    Duration::from_secs(count * 60)
}

/// Returns a trigger with only the required Summary.
pub(super) fn trigger() -> Value {
    json!({"properties": {"Summary": "DB down"}})
}

/// Creates an event from `trigger` through the integration `test`.
pub(super) fn create(sim: &mut Simulator, trigger: &Value) -> EventRef {
    let source = Source::Integration("test".to_string());
    let event = sim
        .create_event(source, None, trigger)
        .expect("the trigger is valid");
    EventRef {
        id: event.id,
        event_id: event.event_id,
    }
}

pub(super) fn key(event: EventRef) -> EventKey {
    EventKey::Uuid(event.id)
}

pub(super) fn respond(
    sim: &mut Simulator,
    event: EventRef,
    person: &str,
    text: &str,
) -> RespondOutcome {
    sim.respond(ResponseInput {
        event: key(event),
        recipient: person.to_string(),
        device: None,
        choice: ResponseChoice::Text(text.to_string()),
        comment: None,
    })
    .expect("the response matches a notification")
}

pub(super) fn notifications(sim: &Simulator, event: EventRef) -> Vec<NotificationRecord> {
    sim.notifications(&key(event)).expect("the event exists")
}

/// Lists each notification as `(offset in minutes, person, device)`.
pub(super) fn sent(sim: &Simulator, event: EventRef) -> Vec<(u64, String, String)> {
    notifications(sim, event)
        .into_iter()
        .map(|n| {
            let offset = n.at.since(SimTime::DEFAULT_START).as_secs() / 60;
            (offset, n.person, n.device)
        })
        .collect()
}

/// Builds the expected list for [`sent`].
pub(super) fn expect(entries: &[(u64, &str, &str)]) -> Vec<(u64, String, String)> {
    entries
        .iter()
        .map(|(at, person, device)| (*at, person.to_string(), device.to_string()))
        .collect()
}

/// Returns the timeline entries of one kind, by their `type` tag.
pub(super) fn entries_of(sim: &Simulator, event: EventRef, kind: &str) -> Vec<TimelineKind> {
    sim.timeline(&key(event))
        .expect("the event exists")
        .into_iter()
        .filter(|entry| {
            serde_json::to_value(&entry.what)
                .ok()
                .and_then(|value| {
                    value
                        .get("type")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .as_deref()
                == Some(kind)
        })
        .map(|entry| entry.what)
        .collect()
}

/// Returns the test world with a response option's action replaced.
pub(super) fn world_with_action(text: &str, action: ResponseAction) -> World {
    let mut world = test_world();
    for option in &mut world.forms[0].responses {
        if option.text == text {
            option.action = action;
        }
    }
    world
}
