//! The single timer queue of the simulator.
//!
//! Every pending escalation level, delayed device and event expiry is one
//! entry in one ordered map, keyed by due time. Nothing runs between
//! calls: advancing the clock pops the due entries in order. So 10,000
//! events with pending timers cost a few map entries each and no task or
//! thread per timer.

use std::collections::BTreeMap;

use crate::clock::SimTime;

/// Key of a scheduled timer, ordered by due time and then by scheduling
/// order. Timers due at the same instant therefore fire in the order they
/// were set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TimerKey {
    pub(crate) due: SimTime,
    sequence: u64,
}

/// The action a timer performs when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Reach the next level of a group target's timeline.
    GroupLevel { target: usize },
    /// Notify the next device of a person's device chain.
    Device { chain: usize },
    /// End the event at the end of its lifetime.
    Expiry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timer {
    /// Index of the event in the simulator's event list.
    pub(crate) event: usize,
    pub(crate) kind: TimerKind,
}

#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    timers: BTreeMap<TimerKey, Timer>,
    next_sequence: u64,
}

impl TimerQueue {
    pub(crate) fn schedule(&mut self, due: SimTime, timer: Timer) -> TimerKey {
        let key = TimerKey {
            due,
            sequence: self.next_sequence,
        };
        self.next_sequence += 1;
        self.timers.insert(key, timer);
        key
    }

    /// Removes a timer; returns it when it was still pending.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Timer> {
        self.timers.remove(&key)
    }

    /// Removes and returns the earliest timer due at or before `t`.
    pub(crate) fn pop_due(&mut self, t: SimTime) -> Option<(TimerKey, Timer)> {
        let (key, _) = self.timers.first_key_value()?;
        if key.due > t {
            return None;
        }
        self.timers.pop_first()
    }

    /// Returns the due time of the earliest pending timer.
    pub(crate) fn next_due(&self) -> Option<SimTime> {
        self.timers.first_key_value().map(|(key, _)| key.due)
    }

    pub(crate) fn len(&self) -> usize {
        self.timers.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn timer(event: usize) -> Timer {
        Timer {
            event,
            kind: TimerKind::Expiry,
        }
    }

    #[test]
    fn pops_in_due_order_then_schedule_order() {
        let start = SimTime::DEFAULT_START;
        let mut queue = TimerQueue::default();
        queue.schedule(start.plus(Duration::from_secs(60)), timer(1));
        queue.schedule(start.plus(Duration::from_secs(30)), timer(2));
        queue.schedule(start.plus(Duration::from_secs(30)), timer(3));

        let due = start.plus(Duration::from_secs(60));
        let order: Vec<usize> = std::iter::from_fn(|| queue.pop_due(due))
            .map(|(_, t)| t.event)
            .collect();
        assert_eq!(order, vec![2, 3, 1]);
    }

    #[test]
    fn leaves_timers_not_yet_due() {
        let start = SimTime::DEFAULT_START;
        let mut queue = TimerQueue::default();
        queue.schedule(start.plus(Duration::from_secs(61)), timer(1));
        assert!(queue.pop_due(start.plus(Duration::from_secs(60))).is_none());
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn cancelled_timer_never_fires() {
        let start = SimTime::DEFAULT_START;
        let mut queue = TimerQueue::default();
        let key = queue.schedule(start, timer(1));
        assert!(queue.cancel(key).is_some());
        assert!(queue.cancel(key).is_none());
        assert!(queue.pop_due(start).is_none());
    }
}
