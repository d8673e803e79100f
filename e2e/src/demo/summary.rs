//! The closing summary of the demo, computed from the simulator's merged
//! timeline.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::render::Palette;

/// What the demo did, as the summary prints it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    /// Webhook requests sent to the relay.
    pub alerts_sent: usize,
    /// Requests the relay accepted with a 202 response.
    pub alerts_accepted: usize,
    /// One entry per event xMatters created, in creation order.
    pub events: Vec<EventSummary>,
    /// Alerts whose event the relay found by its lookup.
    pub alerts_confirmed: usize,
    /// xMatters callbacks the relay stored.
    pub callbacks_recorded: usize,
}

/// One event's outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventSummary {
    /// The numeric `eventId`.
    pub event_id: u64,
    /// The alert kind from the `Type` property, such as `NEW_EVENT`, or the
    /// `Alert_Type` for a TEST message.
    pub kind: String,
    /// Status after the last step.
    pub status: String,
    /// Messages sent to devices.
    pub notifications: usize,
    /// People notified at least once.
    pub people_notified: Vec<String>,
    /// Responses as `person: option`, in order.
    pub responses: Vec<String>,
    /// Highest escalation level reached in any group.
    pub highest_level: u64,
    /// Whether a response stopped a group's escalation.
    pub group_stopped: bool,
}

impl DemoSummary {
    /// Builds the summary from the counts of the intake and the merged
    /// timeline of every event.
    pub fn from_timeline(alerts_sent: usize, alerts_accepted: usize, timeline: &[Value]) -> Self {
        let mut events: Vec<EventSummary> = Vec::new();
        for entry in timeline {
            let Some(event_id) = entry["event_id"].as_u64() else {
                continue;
            };
            if entry["type"] == "created" {
                events.push(EventSummary {
                    event_id,
                    kind: kind_of(&entry["properties"]),
                    status: text(&entry["status"]),
                    ..EventSummary::default()
                });
                continue;
            }
            if let Some(event) = events.iter_mut().find(|event| event.event_id == event_id) {
                event.apply(entry);
            }
        }
        Self {
            alerts_sent,
            alerts_accepted,
            events,
            ..Self::default()
        }
    }

    /// Renders the summary as indented lines under a heading.
    pub fn render(&self, palette: Palette) -> String {
        let mut out = String::new();
        let notifications: usize = self.events.iter().map(|e| e.notifications).sum();
        let people: BTreeSet<&str> = self
            .events
            .iter()
            .flat_map(|event| event.people_notified.iter().map(String::as_str))
            .collect();

        let _ = writeln!(out, "{}", palette.bold("Summary"));
        let _ = writeln!(
            out,
            "  {} alerts sent, {} accepted by the relay, {} events created in xMatters",
            self.alerts_sent,
            self.alerts_accepted,
            self.events.len()
        );
        let _ = writeln!(
            out,
            "  {notifications} notifications to {} people",
            people.len()
        );
        let _ = writeln!(
            out,
            "  the relay confirmed {} alerts by their event and recorded {} xMatters callbacks",
            self.alerts_confirmed, self.callbacks_recorded
        );
        for event in &self.events {
            let _ = writeln!(out, "  {}", event.describe(palette));
        }
        out
    }
}

impl EventSummary {
    fn apply(&mut self, entry: &Value) {
        match entry["type"].as_str().unwrap_or_default() {
            "notification" => {
                self.notifications += 1;
                let person = text(&entry["person"]);
                if !self.people_notified.contains(&person) {
                    self.people_notified.push(person);
                }
            }
            "response" => self.responses.push(format!(
                "{}: {}",
                text(&entry["person"]),
                text(&entry["response"])
            )),
            "escalation" => {
                self.highest_level = self.highest_level.max(entry["level"].as_u64().unwrap_or(0));
            }
            "group_stopped" => self.group_stopped = true,
            "status_changed" => self.status = text(&entry["to"]),
            _ => {}
        }
    }

    fn describe(&self, palette: Palette) -> String {
        let id = palette.cyan(&format!("#{}", self.event_id));
        let responses = if self.responses.is_empty() {
            "no responses".to_owned()
        } else {
            format!("responses {}", self.responses.join(", "))
        };
        let outcome = if self.group_stopped {
            palette.green("escalation stopped by a response")
        } else if self.highest_level > 1 {
            palette.yellow(&format!("escalated to level {}", self.highest_level))
        } else {
            "first level only".to_owned()
        };
        format!(
            "{id} {}: {} notifications to {}; {responses}; {outcome}; status {}",
            self.kind,
            self.notifications,
            self.people_notified.join(", "),
            self.status
        )
    }
}

fn kind_of(properties: &Value) -> String {
    if properties["Alert_Type"] == "TEST" {
        return "TEST".to_owned();
    }
    properties["Type"]
        .as_str()
        .or(properties["Alert_Type"].as_str())
        .unwrap_or("unknown kind")
        .to_owned()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_follows_event_timeline() {
        let timeline = vec![
            json!({"event_id": 7, "type": "created", "status": "ACTIVE",
                   "properties": {"Type": "THRESHOLD", "Alert_Type": "ALERT"}}),
            json!({"event_id": 7, "type": "escalation", "level": 1}),
            json!({"event_id": 7, "type": "notification", "person": "alice"}),
            json!({"event_id": 7, "type": "response", "person": "alice", "response": "Ignore"}),
            json!({"event_id": 7, "type": "escalation", "level": 2}),
            json!({"event_id": 7, "type": "notification", "person": "bob"}),
            json!({"event_id": 7, "type": "notification", "person": "bob"}),
            json!({"event_id": 7, "type": "status_changed", "to": "TERMINATED"}),
        ];

        let summary = DemoSummary::from_timeline(1, 1, &timeline);

        assert_eq!(summary.events.len(), 1);
        let event = &summary.events[0];
        assert_eq!(event.kind, "THRESHOLD");
        assert_eq!(event.notifications, 3);
        assert_eq!(event.people_notified, vec!["alice", "bob"]);
        assert_eq!(event.responses, vec!["alice: Ignore"]);
        assert_eq!(event.highest_level, 2);
        assert!(!event.group_stopped);
        assert_eq!(event.status, "TERMINATED");
    }

    #[test]
    fn test_message_kind_is_test() {
        let properties = json!({"Alert_Type": "TEST", "Type": "NEW_EVENT"});

        assert_eq!(kind_of(&properties), "TEST");
    }
}
