//! Reaching recipients: targets, group levels, device chains, rendered
//! notifications, timers firing and the webhooks they cause.

use crate::engine::event::{Chain, ChainState, GroupTimeline, Target, TargetKind, group_levels};
use crate::engine::timeline::{LevelReason, TimelineKind};
use crate::engine::timers::{Timer, TimerKey, TimerKind};
use crate::engine::types::{
    AuditKind, BasicAuth, Effect, NotificationRecord, OutboundWebhook, Status,
};
use crate::engine::webhooks::{self, Common, DeliveryFields};
use crate::engine::{AuditDetails, Simulator};
use crate::render::render;
use crate::world::{DeliveryOutcome, DeviceKind, RecipientType, WebhookTrigger};

/// The receiver of one outbound webhook.
struct Destination {
    target: String,
    url: String,
    auth: Option<BasicAuth>,
}

impl Simulator {
    /// Creates a target per recipient of a new event and starts each.
    pub(super) fn start_targets(&mut self, event: usize, all_at_once: bool) {
        let recipients = self.events[event].recipients.clone();
        for recipient in recipients {
            let kind = match recipient.recipient_type {
                RecipientType::Person => TargetKind::Person {
                    person: recipient.id.clone(),
                },
                RecipientType::Device => {
                    let (person, device) =
                        recipient.id.split_once('|').unwrap_or((&recipient.id, ""));
                    TargetKind::Device {
                        person: person.to_string(),
                        device: device.to_string(),
                    }
                }
                RecipientType::Group => {
                    let Some(group) = self.world.group(&recipient.id) else {
                        continue;
                    };
                    TargetKind::Group(GroupTimeline {
                        name: group.name.clone(),
                        levels: group_levels(group, all_at_once),
                        next_level: 0,
                        pending: None,
                        stopped: false,
                        responded: false,
                        round: 1,
                        repeats_left: group.repeat,
                        repeat_delay_minutes: group.repeat_delay_minutes,
                    })
                }
                // Validation rejects dynamic teams, so none reaches here.
                RecipientType::DynamicTeam => continue,
            };

            let target = self.events[event].targets.len();
            self.events[event].targets.push(Target {
                label: recipient.id.clone(),
                kind,
            });
            self.start_target(event, target);
        }
    }

    fn start_target(&mut self, event: usize, target: usize) {
        match &self.events[event].targets[target].kind {
            TargetKind::Person { person } => {
                let person = person.clone();
                self.start_chain(event, target, &person, None, 1);
            }
            TargetKind::Device { person, device } => {
                let (person, device) = (person.clone(), device.clone());
                self.start_chain(event, target, &person, Some(&device), 1);
            }
            TargetKind::Group(group) => match group.levels.first().map(|l| l.delay_minutes) {
                Some(0) => self.reach_level(event, target, LevelReason::EventCreated),
                Some(delay) => self.schedule_level(event, target, delay),
                None => {}
            },
        }
    }

    fn group_mut(&mut self, event: usize, target: usize) -> Option<&mut GroupTimeline> {
        match &mut self.events[event].targets[target].kind {
            TargetKind::Group(group) => Some(group),
            _ => None,
        }
    }

    fn schedule_level(&mut self, event: usize, target: usize, delay_minutes: u32) {
        let due = self.now().plus_minutes(delay_minutes);
        let key = self.timers.schedule(
            due,
            Timer {
                event,
                kind: TimerKind::GroupLevel { target },
            },
        );
        if let Some(group) = self.group_mut(event, target) {
            group.pending = Some(key);
        }
    }

    /// Notifies the next level of a group target and schedules the one
    /// after it. Does nothing when the group was stopped or every level
    /// was reached.
    pub(super) fn reach_level(&mut self, event: usize, target: usize, reason: LevelReason) {
        let Some(group) = self.group_mut(event, target) else {
            return;
        };
        if group.stopped || group.next_level >= group.levels.len() {
            return;
        }
        let level = group.next_level;
        group.next_level += 1;
        group.pending = None;
        let name = group.name.clone();
        let round = group.round;
        let members = group.levels[level].members.clone();
        let next_delay = match group.levels.get(level + 1) {
            Some(next) => Some(next.delay_minutes),
            None if group.repeats_left > 0 => Some(group.repeat_delay_minutes),
            None => None,
        };

        self.log(
            event,
            TimelineKind::Escalation {
                group: name.clone(),
                level: level + 1,
                members: members.clone(),
                reason,
            },
        );
        for person in &members {
            self.reach_member(event, target, &name, person, round);
        }
        if let Some(delay) = next_delay {
            self.schedule_level(event, target, delay);
        }
    }

    /// Notifies one member of a reached level, "only if their participation
    /// is still required".
    fn reach_member(&mut self, event: usize, target: usize, group: &str, person: &str, round: u32) {
        let already_reached = self.events[event]
            .chains
            .iter()
            .any(|c| c.target == target && c.person == person && c.round == round);
        if already_reached {
            self.log_skip(event, person, group, "already notified through this group");
        } else {
            self.start_chain(event, target, person, None, round);
        }
    }

    /// Starts notifying a person's devices for one target; `only_device`
    /// limits the chain to one device (a DEVICE recipient).
    fn start_chain(
        &mut self,
        event: usize,
        target: usize,
        person: &str,
        only_device: Option<&str>,
        round: u32,
    ) {
        let record = &self.events[event];
        let via = record.targets[target].label.clone();
        let Some(person_def) = self.world.person(person) else {
            return;
        };
        let devices: Vec<usize> = person_def
            .devices
            .iter()
            .enumerate()
            .filter(|(_, device)| match only_device {
                Some(name) => device.name == name,
                None => record
                    .device_names
                    .as_ref()
                    .is_none_or(|names| names.iter().any(|n| n == &device.name)),
            })
            .map(|(index, _)| index)
            .collect();

        if record.is_person_stopped(person) && only_device.is_none() {
            let reason = "notifications to this person were stopped earlier in this event";
            self.log_skip(event, person, &via, reason);
            return;
        }
        if devices.is_empty() {
            self.log_skip(event, person, &via, "the person has no device to notify");
            return;
        }

        let chain = self.events[event].chains.len();
        self.events[event].chains.push(Chain {
            target,
            person: person.to_string(),
            round,
            devices,
            next: 0,
            pending: None,
            state: ChainState::Notifying,
        });
        // A DEVICE recipient is notified at once; device delays only pace
        // the devices of a person.
        self.advance_chain(event, chain, only_device.is_some());
    }

    fn log_skip(&mut self, event: usize, person: &str, via: &str, reason: &str) {
        self.log(
            event,
            TimelineKind::PersonSkipped {
                person: person.to_string(),
                via: via.to_string(),
                reason: reason.to_string(),
            },
        );
    }

    /// Notifies a chain's devices in order until one has a delay, which is
    /// scheduled. `delay_elapsed` is set when the timer of the next device
    /// fired, so its delay is not waited again.
    fn advance_chain(&mut self, event: usize, chain: usize, delay_elapsed: bool) {
        let mut delay_elapsed = delay_elapsed;
        loop {
            let record = &self.events[event].chains[chain];
            if record.state != ChainState::Notifying || record.next >= record.devices.len() {
                return;
            }
            let device_index = record.devices[record.next];
            let Some(person) = self.world.person(&record.person) else {
                return;
            };
            let delay = person.devices[device_index].delay_minutes;

            if delay > 0 && !delay_elapsed {
                let key = self.timers.schedule(
                    self.now().plus_minutes(delay),
                    Timer {
                        event,
                        kind: TimerKind::Device { chain },
                    },
                );
                self.events[event].chains[chain].pending = Some(key);
                return;
            }
            delay_elapsed = false;
            self.events[event].chains[chain].next += 1;
            self.send_notification(event, chain, device_index);
        }
    }

    /// Renders and records one notification, with its audit entry and
    /// DELIVERYSTATUS webhooks.
    fn send_notification(&mut self, event: usize, chain: usize, device_index: usize) {
        let now = self.now();
        let record = &self.events[event];
        let chain_record = &record.chains[chain];
        let form = &self.world.forms[record.form];
        let Some(person_index) = self
            .world
            .people
            .iter()
            .position(|p| p.name == chain_record.person)
        else {
            return;
        };
        let person = &self.world.people[person_index];
        let device = &person.devices[device_index];

        let templates = &form.templates;
        let (subject, text) = match device.kind {
            DeviceKind::Email => (
                Some(render(&templates.email_subject, &record.properties)),
                render(&templates.email_body, &record.properties),
            ),
            DeviceKind::Sms => (None, render(&templates.sms, &record.properties)),
            DeviceKind::Voice => (None, render(&templates.voice, &record.properties)),
            DeviceKind::Push => {
                let template = templates.push.as_deref().unwrap_or(&templates.sms);
                (None, render(template, &record.properties))
            }
        };
        let notification = NotificationRecord {
            id: self.next_notification_id,
            event: record.id,
            at: now,
            person: person.name.clone(),
            device: device.name.clone(),
            device_id: device_id(person_index, device_index),
            channel: device.kind,
            address: device.address.clone(),
            via: record.targets[chain_record.target].label.clone(),
            subject,
            text,
            delivery: device.delivery,
        };
        self.next_notification_id += 1;

        self.log(
            event,
            TimelineKind::Notification {
                person: notification.person.clone(),
                device: notification.device.clone(),
                channel: notification.channel,
                via: notification.via.clone(),
                subject: notification.subject.clone(),
                text: notification.text.clone(),
                delivery: notification.delivery,
            },
        );
        let audit_kind = match notification.delivery {
            DeliveryOutcome::Delivered => AuditKind::NotificationDelivered,
            DeliveryOutcome::Failed => AuditKind::NotificationFailed,
        };
        self.audit(
            event,
            audit_kind,
            AuditDetails {
                person: Some(notification.person.clone()),
                device: Some(notification.device.clone()),
                ..AuditDetails::default()
            },
        );
        self.send_delivery_webhooks(event, &notification);

        let record = &mut self.events[event];
        record.notifications.push(notification);
        record.notification_chains.push(chain);
    }

    /// Handles a timer that came due; the clock already reads its due time.
    pub(super) fn fire(&mut self, key: TimerKey, timer: crate::engine::timers::Timer) {
        let event = timer.event;
        match timer.kind {
            TimerKind::GroupLevel { target } => {
                let Some(group) = self.group_mut(event, target) else {
                    return;
                };
                if group.pending != Some(key) {
                    return;
                }
                group.pending = None;
                let reason = match group.levels.get(group.next_level) {
                    Some(level) => LevelReason::DelayElapsed {
                        delay_minutes: level.delay_minutes,
                    },
                    // Every level was reached: the timer is a repeat.
                    None if group.responded || group.repeats_left == 0 => return,
                    None => {
                        group.repeats_left -= 1;
                        group.round += 1;
                        group.next_level = 0;
                        LevelReason::Repeated { round: group.round }
                    }
                };
                if self.events[event].status == Status::Active {
                    self.reach_level(event, target, reason);
                }
            }
            TimerKind::Device { chain } => {
                let record = &mut self.events[event].chains[chain];
                if record.pending != Some(key) {
                    return;
                }
                record.pending = None;
                if self.events[event].status == Status::Active {
                    self.advance_chain(event, chain, true);
                }
            }
            TimerKind::Expiry => {
                self.events[event].expiry_timer = None;
                let minutes = self.events[event].expiration_minutes;
                self.terminate(
                    event,
                    Status::Terminated,
                    format!("expired {minutes} minutes after creation"),
                    AuditKind::EventCompleted,
                );
            }
        }
    }

    /// Collects the form's subscriptions and the event's callbacks for
    /// `trigger`. For RESPONSE, `response` selects the subscriptions bound
    /// to one option.
    fn webhook_destinations(
        &self,
        event: usize,
        trigger: WebhookTrigger,
        response: Option<&str>,
    ) -> Vec<Destination> {
        let record = &self.events[event];
        let form = &self.world.forms[record.form];
        let mut destinations = Vec::new();

        for subscription in form.outbound.iter().filter(|s| s.trigger == trigger) {
            let selected = match (&subscription.response, response) {
                (Some(only), Some(given)) => only.eq_ignore_ascii_case(given),
                (Some(_), None) => false,
                (None, _) => true,
            };
            if !selected {
                continue;
            }
            if let Some(target) = self.world.webhook_target(&subscription.target) {
                destinations.push(Destination {
                    target: target.name.clone(),
                    url: target.url.clone(),
                    auth: target
                        .username
                        .clone()
                        .zip(target.password.clone())
                        .map(|(username, password)| BasicAuth { username, password }),
                });
            }
        }
        for callback in record.callbacks.iter().filter(|c| c.trigger == trigger) {
            destinations.push(Destination {
                target: "callback".to_string(),
                url: callback.url.clone(),
                auth: callback.auth.clone(),
            });
        }
        destinations
    }

    /// Builds the fields every webhook body of this event shares, at the current time.
    pub(super) fn webhook_common(&self, event: usize) -> Common {
        let record = &self.events[event];
        Common {
            event_id: record.id.event_id,
            at: self.now(),
            event_properties: webhooks::event_properties(
                &self.world.forms[record.form],
                &record.properties,
            ),
        }
    }

    /// Queues one webhook effect per destination and logs each.
    fn queue_webhooks(
        &mut self,
        event: usize,
        trigger: WebhookTrigger,
        destinations: Vec<Destination>,
        body: serde_json::Value,
    ) {
        for destination in destinations {
            let id = self.next_webhook_id;
            self.next_webhook_id += 1;
            self.log(
                event,
                TimelineKind::WebhookQueued {
                    webhook_id: id,
                    trigger,
                    target: destination.target.clone(),
                    url: destination.url.clone(),
                },
            );
            self.effects.push(Effect::Webhook(OutboundWebhook {
                id,
                event: self.events[event].id,
                trigger,
                target: destination.target,
                url: destination.url,
                auth: destination.auth,
                body: body.clone(),
            }));
        }
    }

    pub(super) fn send_status_webhooks(&mut self, event: usize) {
        let destinations = self.webhook_destinations(event, WebhookTrigger::Status, None);
        if destinations.is_empty() {
            return;
        }
        let status = self.events[event].status.as_str();
        let body = webhooks::status_body(self.webhook_common(event), status);
        self.queue_webhooks(event, WebhookTrigger::Status, destinations, body);
    }

    fn send_delivery_webhooks(&mut self, event: usize, notification: &NotificationRecord) {
        let destinations = self.webhook_destinations(event, WebhookTrigger::DeliveryStatus, None);
        if destinations.is_empty() {
            return;
        }
        let fields = DeliveryFields {
            recipient: &notification.person,
            device: &notification.device,
            device_id: notification.device_id,
            outcome: notification.delivery,
        };
        let body = webhooks::delivery_body(self.webhook_common(event), fields);
        self.queue_webhooks(event, WebhookTrigger::DeliveryStatus, destinations, body);
    }

    pub(super) fn send_response_webhooks(
        &mut self,
        event: usize,
        fields: webhooks::ResponseFields<'_>,
    ) {
        let destinations =
            self.webhook_destinations(event, WebhookTrigger::Response, Some(fields.response));
        if destinations.is_empty() {
            return;
        }
        let body = webhooks::response_body(self.webhook_common(event), fields);
        self.queue_webhooks(event, WebhookTrigger::Response, destinations, body);
    }
}

/// Numbers a device stably: 1000 per person in world order, plus the
/// device's position.
fn device_id(person_index: usize, device_index: usize) -> u64 {
    let person = u64::try_from(person_index).unwrap_or(u64::MAX / 2_000);
    let device = u64::try_from(device_index).unwrap_or(999);
    (person + 1) * 1_000 + device + 1
}
