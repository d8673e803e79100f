//! The engine's internal record of one event and its notification state.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::clock::SimTime;
use crate::engine::timeline::TimelineEntry;
use crate::engine::timers::TimerKey;
use crate::engine::types::{
    Annotation, Audit, EventRef, EventSnapshot, NotificationRecord, Source, Status, Suppression,
};
use crate::engine::validate::Callback;
use crate::world::{Group, Priority, RecipientSpec};

#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) id: EventRef,
    pub(crate) request_id: Option<Uuid>,
    pub(crate) source: Source,
    /// Index of the form in the world's form list.
    pub(crate) form: usize,
    pub(crate) status: Status,
    pub(crate) priority: Priority,
    pub(crate) created: SimTime,
    pub(crate) expiration_minutes: u32,
    pub(crate) properties: Map<String, Value>,
    pub(crate) recipients: Vec<RecipientSpec>,
    pub(crate) callbacks: Vec<Callback>,
    /// Only devices with these names are notified, when set.
    pub(crate) device_names: Option<Vec<String>>,
    /// One entry per recipient, in the order the trigger named them.
    pub(crate) targets: Vec<Target>,
    /// One device chain per person reached through each target.
    pub(crate) chains: Vec<Chain>,
    /// People no longer notified for this event, whichever target reaches them.
    pub(crate) stopped_people: Vec<String>,
    pub(crate) notifications: Vec<NotificationRecord>,
    /// For each notification, the index of the chain that sent it.
    pub(crate) notification_chains: Vec<usize>,
    pub(crate) audits: Vec<Audit>,
    pub(crate) timeline: Vec<TimelineEntry>,
    pub(crate) annotations: Vec<Annotation>,
    pub(crate) suppression: Option<Suppression>,
    pub(crate) expiry_timer: Option<TimerKey>,
    /// Timers taken out of the queue while the event is suspended, with
    /// the time each had left.
    pub(crate) paused_timers: Vec<PausedTimer>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PausedTimer {
    pub(crate) remaining: std::time::Duration,
    pub(crate) kind: crate::engine::timers::TimerKind,
}

/// A recipient of the event and how it is being worked through.
#[derive(Debug)]
pub(crate) struct Target {
    /// The recipient's id as the trigger named it; notifications list it
    /// as `via`.
    pub(crate) label: String,
    pub(crate) kind: TargetKind,
}

#[derive(Debug)]
pub(crate) enum TargetKind {
    Person { person: String },
    Device { person: String, device: String },
    Group(GroupTimeline),
}

/// A group's escalation timeline within one event.
#[derive(Debug)]
pub(crate) struct GroupTimeline {
    pub(crate) name: String,
    pub(crate) levels: Vec<Level>,
    /// Index of the next level to reach; `levels.len()` when all were reached.
    pub(crate) next_level: usize,
    /// The timer that reaches `next_level`.
    pub(crate) pending: Option<TimerKey>,
    /// Set when a response stopped the group; no further level is reached.
    pub(crate) stopped: bool,
    /// Set when anyone reached through the group responded, which cancels
    /// any repeat of the timeline.
    pub(crate) responded: bool,
    /// The pass through the timeline, 1 for the first; a repeat adds one.
    pub(crate) round: u32,
    pub(crate) repeats_left: u32,
    pub(crate) repeat_delay_minutes: u32,
}

/// Members notified together, `delay_minutes` after the previous level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Level {
    pub(crate) delay_minutes: u32,
    pub(crate) members: Vec<String>,
}

/// Splits a roster into levels: a member with a delay starts a new level.
/// With `all_at_once` (escalation override) every member is in one level.
pub(crate) fn group_levels(group: &Group, all_at_once: bool) -> Vec<Level> {
    let mut levels: Vec<Level> = Vec::new();
    for entry in &group.roster {
        let starts_level = levels.is_empty() || (entry.delay_minutes > 0 && !all_at_once);
        if starts_level {
            let delay_minutes = if all_at_once { 0 } else { entry.delay_minutes };
            levels.push(Level {
                delay_minutes,
                members: Vec::new(),
            });
        }
        if let Some(level) = levels.last_mut() {
            level.members.push(entry.person.clone());
        }
    }
    levels
}

/// The devices of one person reached through one target, notified in order.
#[derive(Debug)]
pub(crate) struct Chain {
    /// Index of the target in the event's target list.
    pub(crate) target: usize,
    pub(crate) person: String,
    /// The pass through a group's timeline that started the chain; 1 for
    /// person and device targets.
    pub(crate) round: u32,
    /// Indices into the person's device list, in notification order.
    pub(crate) devices: Vec<usize>,
    /// Position in `devices` of the next device to notify.
    pub(crate) next: usize,
    /// The timer that notifies the next device after its delay.
    pub(crate) pending: Option<TimerKey>,
    pub(crate) state: ChainState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChainState {
    /// Devices are being notified (or all were) and responses count.
    Notifying,
    /// No more devices are notified, but the person may still respond
    /// (after `RECORD_RESPONSE`).
    Stopped,
    /// No more devices are notified and responses are ignored, for the
    /// stated reason.
    Closed(String),
}

impl Event {
    pub(crate) fn snapshot(&self, form_name: &str, form_uuid: Uuid) -> EventSnapshot {
        EventSnapshot {
            id: self.id.id,
            event_id: self.id.event_id,
            request_id: self.request_id,
            status: self.status,
            priority: self.priority,
            created: self.created,
            expiration_minutes: self.expiration_minutes,
            properties: self.properties.clone(),
            form_name: form_name.to_string(),
            form_uuid,
            source: self.source.clone(),
            recipients: self.recipients.clone(),
        }
    }

    pub(crate) fn is_person_stopped(&self, person: &str) -> bool {
        self.stopped_people.iter().any(|p| p == person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::RosterEntry;

    fn group(delays: &[u32]) -> Group {
        Group {
            name: "g".to_string(),
            repeat: 0,
            repeat_delay_minutes: 0,
            roster: delays
                .iter()
                .enumerate()
                .map(|(i, delay)| RosterEntry {
                    person: format!("p{i}"),
                    delay_minutes: *delay,
                })
                .collect(),
        }
    }

    fn shape(levels: &[Level]) -> Vec<(u32, usize)> {
        levels
            .iter()
            .map(|l| (l.delay_minutes, l.members.len()))
            .collect()
    }

    #[test]
    fn notify_all_is_one_level() {
        assert_eq!(
            shape(&group_levels(&group(&[0, 0, 0]), false)),
            vec![(0, 3)]
        );
    }

    #[test]
    fn one_at_a_time_levels() {
        let levels = group_levels(&group(&[0, 5, 5]), false);
        assert_eq!(shape(&levels), vec![(0, 1), (5, 1), (5, 1)]);
    }

    #[test]
    fn mixed_roster_groups_members_without_delay() {
        let levels = group_levels(&group(&[0, 15, 15, 0]), false);
        assert_eq!(shape(&levels), vec![(0, 1), (15, 1), (15, 2)]);
        assert_eq!(levels[2].members, vec!["p2", "p3"]);
    }

    #[test]
    fn delayed_first_member_waits() {
        assert_eq!(shape(&group_levels(&group(&[10, 0]), false)), vec![(10, 2)]);
    }

    #[test]
    fn escalation_override_puts_everyone_in_one_level() {
        assert_eq!(
            shape(&group_levels(&group(&[0, 15, 15]), true)),
            vec![(0, 3)]
        );
    }
}
