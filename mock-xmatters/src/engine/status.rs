//! Status changes (suspend, resume, terminate) and annotations.

use crate::engine::event::{ChainState, PausedTimer, TargetKind};
use crate::engine::timeline::TimelineKind;
use crate::engine::timers::{Timer, TimerKind};
use crate::engine::types::{Annotation, AuditKind, EngineError, EventKey, EventSnapshot, Status};
use crate::engine::{AuditDetails, Simulator};

impl Simulator {
    /// Changes an event's status: ACTIVE to SUSPENDED or TERMINATED,
    /// SUSPENDED to ACTIVE or TERMINATED.
    ///
    /// Suspending pauses the escalation timeline and delayed devices; they
    /// resume with the time they had left. The expiry keeps running, so a
    /// suspended event still ends when its lifetime is over.
    pub fn set_status(
        &mut self,
        key: &EventKey,
        status: Status,
    ) -> Result<EventSnapshot, EngineError> {
        let index = self.index(key).ok_or(EngineError::EventNotFound(*key))?;
        let from = self.events[index].status;
        match (from, status) {
            (Status::Active, Status::Suspended) => self.suspend(index),
            (Status::Suspended, Status::Active) => self.resume(index),
            (Status::Active | Status::Suspended, Status::Terminated) => self.terminate(
                index,
                Status::Terminated,
                "terminated by a status change request".to_string(),
                AuditKind::EventTerminated,
            ),
            _ => {
                return Err(EngineError::InvalidTransition {
                    from: from.as_str(),
                    to: status.as_str(),
                });
            }
        }
        Ok(self.snapshot(index))
    }

    /// Adds a comment to an event, in any status.
    pub fn annotate(&mut self, key: &EventKey, comment: &str) -> Result<Annotation, EngineError> {
        let index = self.index(key).ok_or(EngineError::EventNotFound(*key))?;
        if comment.trim().is_empty() {
            return Err(EngineError::EmptyComment);
        }
        let annotation = Annotation {
            id: self.ids.uuid(),
            event: self.events[index].id,
            comment: comment.to_string(),
            created: self.now(),
        };
        self.events[index].annotations.push(annotation.clone());
        self.log(
            index,
            TimelineKind::Annotated {
                comment: comment.to_string(),
            },
        );
        self.audit(
            index,
            AuditKind::EventAnnotated,
            AuditDetails {
                comment: Some(comment.to_string()),
                ..AuditDetails::default()
            },
        );
        Ok(annotation)
    }

    /// Ends an event: every pending timer is cancelled and every
    /// notification closed, so later responses are ignored.
    pub(super) fn terminate(&mut self, index: usize, to: Status, reason: String, audit: AuditKind) {
        let from = self.events[index].status;
        if from.is_terminal() {
            return;
        }
        self.pause_timers(index);
        if let Some(key) = self.events[index].expiry_timer.take() {
            self.timers.cancel(key);
        }
        let event = &mut self.events[index];
        event.paused_timers.clear();
        for chain in &mut event.chains {
            chain.state = ChainState::Closed("the event was terminated".to_string());
        }
        for target in &mut event.targets {
            if let TargetKind::Group(group) = &mut target.kind {
                group.stopped = true;
            }
        }
        event.status = to;

        self.log(index, TimelineKind::StatusChanged { from, to, reason });
        self.audit(index, audit, AuditDetails::default());
        self.send_status_webhooks(index);
    }

    fn suspend(&mut self, index: usize) {
        let paused = self.pause_timers(index);
        let event = &mut self.events[index];
        event.paused_timers = paused;
        event.status = Status::Suspended;
        self.log_status(index, Status::Active, Status::Suspended);
        self.audit(index, AuditKind::EventSuspended, AuditDetails::default());
        self.send_status_webhooks(index);
    }

    fn resume(&mut self, index: usize) {
        let paused = std::mem::take(&mut self.events[index].paused_timers);
        let now = self.now();
        for timer in paused {
            let key = self.timers.schedule(
                now.plus(timer.remaining),
                Timer {
                    event: index,
                    kind: timer.kind,
                },
            );
            let event = &mut self.events[index];
            match timer.kind {
                TimerKind::GroupLevel { target } => {
                    if let TargetKind::Group(group) = &mut event.targets[target].kind {
                        group.pending = Some(key);
                    }
                }
                TimerKind::Device { chain } => event.chains[chain].pending = Some(key),
                TimerKind::Expiry => event.expiry_timer = Some(key),
            }
        }
        self.events[index].status = Status::Active;
        self.log_status(index, Status::Suspended, Status::Active);
        self.audit(index, AuditKind::EventResumed, AuditDetails::default());
        self.send_status_webhooks(index);
    }

    fn log_status(&mut self, index: usize, from: Status, to: Status) {
        self.log(
            index,
            TimelineKind::StatusChanged {
                from,
                to,
                reason: "status change request".to_string(),
            },
        );
    }

    /// Takes the event's escalation and device timers out of the queue and
    /// returns each with the time it had left. The expiry stays.
    fn pause_timers(&mut self, index: usize) -> Vec<PausedTimer> {
        let now = self.now();
        let event = &mut self.events[index];
        let mut keys = Vec::new();
        for (target_index, target) in event.targets.iter_mut().enumerate() {
            if let TargetKind::Group(group) = &mut target.kind {
                if let Some(key) = group.pending.take() {
                    keys.push((
                        key,
                        TimerKind::GroupLevel {
                            target: target_index,
                        },
                    ));
                }
            }
        }
        for (chain_index, chain) in event.chains.iter_mut().enumerate() {
            if let Some(key) = chain.pending.take() {
                keys.push((key, TimerKind::Device { chain: chain_index }));
            }
        }

        let mut paused = Vec::new();
        for (key, kind) in keys {
            if self.timers.cancel(key).is_some() {
                paused.push(PausedTimer {
                    remaining: key.due.since(now),
                    kind,
                });
            }
        }
        paused
    }
}
