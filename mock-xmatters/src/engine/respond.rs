//! Responses and the response actions.
//!
//! | action | the responder | everyone else |
//! |---|---|---|
//! | `RECORD_RESPONSE` | no more devices; may respond again | timeline continues at its pace |
//! | `STOP_NOTIFYING_USER` | no more devices | continues |
//! | `STOP_NOTIFYING_TARGET` | no more devices | the group they were reached through stops |
//! | `ESCALATE` | no more devices | the group's next level is notified at once |
//! | `ASSIGN_TO_USER` | keeps being notified | everyone else stops |
//! | `END` | the event is terminated | |
//!
//! Except after `RECORD_RESPONSE`, a person whose notifications stopped
//! cannot respond again: such a response is recorded as ignored.

use crate::engine::event::{ChainState, TargetKind};
use crate::engine::timeline::{LevelReason, TimelineKind};
use crate::engine::types::{
    AuditKind, RespondError, RespondOutcome, ResponseChoice, ResponseInput, Status,
};
use crate::engine::webhooks::ResponseFields;
use crate::engine::{AuditDetails, Simulator};
use crate::world::{ResponseAction, ResponseOption};

impl Simulator {
    /// Applies a recipient's response at the current time.
    ///
    /// The response applies to the person's most recent notification, on
    /// `device` when given. Errors mean the response could not be matched
    /// at all (unknown event, person, device or option, or the person was
    /// never notified). A response to a terminated or suspended event, or
    /// from a person whose notifications were closed, is `Ok` with
    /// `accepted: false` and the reason, and changes nothing.
    pub fn respond(&mut self, input: ResponseInput) -> Result<RespondOutcome, RespondError> {
        let index = self
            .index(&input.event)
            .ok_or(RespondError::EventNotFound(input.event))?;
        let option = self.find_option(index, &input)?;
        let (notification, chain) = self.find_notification(index, &input)?;

        let event = &self.events[index];
        let mut outcome = RespondOutcome {
            event: event.id,
            recipient: input.recipient.clone(),
            device: event.notifications[notification].device.clone(),
            response: option.text.clone(),
            action: option.action,
            contribution: option.contribution,
            accepted: true,
            ignored_reason: None,
            status: event.status,
            stopped: Vec::new(),
            groups_stopped: Vec::new(),
            notified: Vec::new(),
        };

        if let Some(reason) = self.ignore_reason(index, chain) {
            self.log(
                index,
                TimelineKind::ResponseIgnored {
                    person: input.recipient.clone(),
                    response: option.text.clone(),
                    reason: reason.clone(),
                },
            );
            outcome.accepted = false;
            outcome.ignored_reason = Some(reason);
            return Ok(outcome);
        }

        self.record_response(index, &outcome, input.comment.as_deref());
        let sent_before = self.events[index].notifications.len();
        self.apply_action(index, chain, &option, &mut outcome);

        let event = &self.events[index];
        outcome.notified = event.notifications[sent_before..].to_vec();
        outcome.status = event.status;
        Ok(outcome)
    }

    fn find_option(
        &self,
        index: usize,
        input: &ResponseInput,
    ) -> Result<ResponseOption, RespondError> {
        let form = &self.world.forms[self.events[index].form];
        let options = || {
            form.responses
                .iter()
                .map(|r| match r.digit {
                    Some(digit) => format!("{} (digit {digit})", r.text),
                    None => r.text.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &input.choice {
            ResponseChoice::Text(text) => {
                form.response_by_text(text)
                    .cloned()
                    .ok_or_else(|| RespondError::UnknownResponse {
                        text: text.clone(),
                        options: options(),
                    })
            }
            ResponseChoice::Digit(digit) => {
                form.response_by_digit(*digit)
                    .cloned()
                    .ok_or_else(|| RespondError::UnknownDigit {
                        digit: *digit,
                        options: options(),
                    })
            }
        }
    }

    /// Finds the notification the response applies to and the chain that sent it.
    fn find_notification(
        &self,
        index: usize,
        input: &ResponseInput,
    ) -> Result<(usize, usize), RespondError> {
        let person = self
            .world
            .person(&input.recipient)
            .ok_or_else(|| RespondError::UnknownPerson(input.recipient.clone()))?;
        if let Some(device) = &input.device {
            if !person.devices.iter().any(|d| &d.name == device) {
                return Err(RespondError::UnknownDevice {
                    person: input.recipient.clone(),
                    device: device.clone(),
                });
            }
        }

        let event = &self.events[index];
        let found = event.notifications.iter().rposition(|n| {
            n.person == input.recipient && input.device.as_ref().is_none_or(|d| &n.device == d)
        });
        match (found, &input.device) {
            (Some(notification), _) => Ok((notification, event.notification_chains[notification])),
            (None, Some(device)) => Err(RespondError::DeviceNotNotified {
                person: input.recipient.clone(),
                device: device.clone(),
                event: input.event,
            }),
            (None, None) => Err(RespondError::NotNotified {
                person: input.recipient.clone(),
                event: input.event,
            }),
        }
    }

    fn ignore_reason(&self, index: usize, chain: usize) -> Option<String> {
        let event = &self.events[index];
        if event.status.is_terminal() {
            return Some(format!(
                "the event is {}; responses after termination are ignored",
                event.status.as_str()
            ));
        }
        if event.status == Status::Suspended {
            return Some(
                "the event is SUSPENDED; responses count again once it is ACTIVE".to_string(),
            );
        }
        match &event.chains[chain].state {
            ChainState::Closed(reason) => Some(format!(
                "notifications to this person were closed: {reason}"
            )),
            ChainState::Notifying | ChainState::Stopped => None,
        }
    }

    fn record_response(&mut self, index: usize, outcome: &RespondOutcome, comment: Option<&str>) {
        self.log(
            index,
            TimelineKind::Response {
                person: outcome.recipient.clone(),
                device: outcome.device.clone(),
                response: outcome.response.clone(),
                action: outcome.action,
                contribution: outcome.contribution,
                comment: comment.map(str::to_string),
            },
        );
        self.audit(
            index,
            AuditKind::ResponseReceived,
            AuditDetails {
                person: Some(outcome.recipient.clone()),
                device: Some(outcome.device.clone()),
                response: Some(outcome.response.clone()),
                comment: comment.map(str::to_string),
            },
        );
        self.send_response_webhooks(
            index,
            ResponseFields {
                recipient: &outcome.recipient,
                device: &outcome.device,
                response: &outcome.response,
                comment,
            },
        );
    }

    fn apply_action(
        &mut self,
        index: usize,
        chain: usize,
        option: &ResponseOption,
        outcome: &mut RespondOutcome,
    ) {
        let person = outcome.recipient.clone();
        let reason = format!(
            "{person} responded {} ({})",
            option.text,
            action_name(option.action)
        );
        let target = self.events[index].chains[chain].target;
        if let TargetKind::Group(group) = &mut self.events[index].targets[target].kind {
            group.responded = true;
        }

        match option.action {
            ResponseAction::RecordResponse => {
                self.stop_person(index, &person, false, &reason, outcome)
            }
            ResponseAction::StopNotifyingUser => {
                self.stop_person(index, &person, true, &reason, outcome)
            }
            ResponseAction::StopNotifyingTarget => {
                self.stop_person(index, &person, true, &reason, outcome);
                self.stop_group(index, target, &reason, outcome);
            }
            ResponseAction::Escalate => {
                self.stop_person(index, &person, true, &reason, outcome);
                self.escalate(index, target, &person, &option.text);
            }
            ResponseAction::AssignToUser => {
                self.stop_everyone_else(index, &person, &reason, outcome)
            }
            ResponseAction::End => self.terminate(
                index,
                Status::Terminated,
                reason,
                AuditKind::EventTerminated,
            ),
        }
    }

    /// Stops notifying a person through every target of the event; with
    /// `close`, their later responses are ignored too.
    fn stop_person(
        &mut self,
        index: usize,
        person: &str,
        close: bool,
        reason: &str,
        outcome: &mut RespondOutcome,
    ) {
        let event = &mut self.events[index];
        let mut was_notifying = false;
        for chain in event.chains.iter_mut().filter(|c| c.person == person) {
            if let Some(key) = chain.pending.take() {
                self.timers.cancel(key);
            }
            if chain.state == ChainState::Notifying {
                was_notifying = true;
            }
            if close && !matches!(chain.state, ChainState::Closed(_)) {
                chain.state = ChainState::Closed(reason.to_string());
            } else if chain.state == ChainState::Notifying {
                chain.state = ChainState::Stopped;
            }
        }
        if !event.is_person_stopped(person) {
            event.stopped_people.push(person.to_string());
        }
        if was_notifying {
            outcome.stopped.push(person.to_string());
            self.log(
                index,
                TimelineKind::NotificationsStopped {
                    people: vec![person.to_string()],
                    reason: reason.to_string(),
                },
            );
        }
    }

    /// Cancels a group target's pending levels and closes the
    /// notifications of everyone reached through it. Does nothing for a
    /// person or device target.
    fn stop_group(
        &mut self,
        index: usize,
        target: usize,
        reason: &str,
        outcome: &mut RespondOutcome,
    ) {
        let event = &mut self.events[index];
        let TargetKind::Group(group) = &mut event.targets[target].kind else {
            return;
        };
        if !group.stopped {
            group.stopped = true;
            if let Some(key) = group.pending.take() {
                self.timers.cancel(key);
            }
            let name = group.name.clone();
            outcome.groups_stopped.push(name.clone());
            self.log(
                index,
                TimelineKind::GroupStopped {
                    group: name,
                    reason: reason.to_string(),
                },
            );
        }
        self.close_chains(index, reason, outcome, |chain_target, _| {
            chain_target == target
        });
    }

    /// `ASSIGN_TO_USER`: every group stops and everyone but the responder
    /// stops being notified.
    fn stop_everyone_else(
        &mut self,
        index: usize,
        person: &str,
        reason: &str,
        outcome: &mut RespondOutcome,
    ) {
        let event = &mut self.events[index];
        let mut stopped_groups = Vec::new();
        for target in &mut event.targets {
            if let TargetKind::Group(group) = &mut target.kind {
                if group.stopped {
                    continue;
                }
                group.stopped = true;
                if let Some(key) = group.pending.take() {
                    self.timers.cancel(key);
                }
                stopped_groups.push(group.name.clone());
            }
        }
        for group in stopped_groups {
            outcome.groups_stopped.push(group.clone());
            self.log(
                index,
                TimelineKind::GroupStopped {
                    group,
                    reason: reason.to_string(),
                },
            );
        }
        self.close_chains(index, reason, outcome, |_, chain_person| {
            chain_person != person
        });

        let event = &mut self.events[index];
        let others: Vec<String> = event
            .chains
            .iter()
            .map(|c| c.person.clone())
            .filter(|p| p != person)
            .collect();
        for other in others {
            if !event.is_person_stopped(&other) {
                event.stopped_people.push(other);
            }
        }
    }

    /// Closes every chain `selected` picks (by target and person) and logs
    /// the people whose notifications this stopped.
    fn close_chains(
        &mut self,
        index: usize,
        reason: &str,
        outcome: &mut RespondOutcome,
        selected: impl Fn(usize, &str) -> bool,
    ) {
        let event = &mut self.events[index];
        let mut people: Vec<String> = Vec::new();
        for chain in event.chains.iter_mut() {
            if !selected(chain.target, &chain.person)
                || matches!(chain.state, ChainState::Closed(_))
            {
                continue;
            }
            if let Some(key) = chain.pending.take() {
                self.timers.cancel(key);
            }
            chain.state = ChainState::Closed(reason.to_string());
            if !people.contains(&chain.person) {
                people.push(chain.person.clone());
            }
        }
        if people.is_empty() {
            return;
        }
        for person in &people {
            if !outcome.stopped.contains(person) {
                outcome.stopped.push(person.clone());
            }
        }
        self.log(
            index,
            TimelineKind::NotificationsStopped {
                people,
                reason: reason.to_string(),
            },
        );
    }

    /// `ESCALATE`: reaches the next level of the group the responder was
    /// reached through at once, skipping the rest of the delay.
    fn escalate(&mut self, index: usize, target: usize, person: &str, response: &str) {
        let target_record = &mut self.events[index].targets[target];
        let label = target_record.label.clone();
        let reason = match &mut target_record.kind {
            TargetKind::Group(group) if group.stopped => {
                Some(format!("group {} was already stopped", group.name))
            }
            TargetKind::Group(group) if group.next_level >= group.levels.len() => Some(format!(
                "every level of group {} was already notified",
                group.name
            )),
            TargetKind::Group(group) => {
                if let Some(key) = group.pending.take() {
                    self.timers.cancel(key);
                }
                None
            }
            TargetKind::Person { .. } | TargetKind::Device { .. } => Some(format!(
                "{person} was reached as recipient {label}, not through a group, so there is no next level"
            )),
        };

        match reason {
            Some(reason) => self.log(
                index,
                TimelineKind::NoEscalation {
                    person: person.to_string(),
                    reason,
                },
            ),
            None => self.reach_level(
                index,
                target,
                LevelReason::Escalated {
                    by: person.to_string(),
                    response: response.to_string(),
                },
            ),
        }
    }
}

fn action_name(action: ResponseAction) -> &'static str {
    match action {
        ResponseAction::RecordResponse => "RECORD_RESPONSE",
        ResponseAction::StopNotifyingUser => "STOP_NOTIFYING_USER",
        ResponseAction::StopNotifyingTarget => "STOP_NOTIFYING_TARGET",
        ResponseAction::Escalate => "ESCALATE",
        ResponseAction::AssignToUser => "ASSIGN_TO_USER",
        ResponseAction::End => "END",
    }
}
