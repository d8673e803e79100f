//! The rate limit of storm protection, per recipients key, as pure state:
//! the caller passes the time.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use jiff::Timestamp;

use crate::config::service::StormConfig;
use crate::delivery::policy::add;
use crate::store::{Admission, HeldGroup};

/// Counts the events let through per recipients key in a sliding window.
///
/// An alert is let through while its key has fewer than `max_events`
/// events in the window and no held alert waits for a digest. Otherwise
/// it is held, so that alerts never overtake the digest that names
/// earlier ones. A digest takes one slot like any event.
#[derive(Debug)]
pub struct StormGate {
    enabled: bool,
    max_events: usize,
    window: Duration,
    /// Per key, the times events were let through within the window,
    /// oldest first.
    admitted: HashMap<String, VecDeque<Timestamp>>,
    /// Keys with held alerts that no digest names yet.
    waiting: HashSet<String>,
}

impl StormGate {
    /// Creates an empty gate.
    pub fn new(config: &StormConfig) -> Self {
        Self {
            enabled: config.enabled,
            max_events: usize::try_from(config.max_events).unwrap_or(usize::MAX),
            window: config.window,
            admitted: HashMap::new(),
            waiting: HashSet::new(),
        }
    }

    /// Restores the state kept in the store: recent admissions and the
    /// keys with held alerts.
    pub fn restore(&mut self, admissions: Vec<Admission>, held: &[HeldGroup]) {
        for admission in admissions {
            self.admitted
                .entry(admission.key)
                .or_default()
                .push_back(admission.at);
        }
        for times in self.admitted.values_mut() {
            times.make_contiguous().sort();
        }
        self.waiting.extend(
            held.iter()
                .filter(|group| group.count > 0)
                .map(|group| group.key.clone()),
        );
    }

    /// Decides whether an alert for `key` goes out at `now`, and counts it
    /// when it does. A held alert makes the key wait for a digest.
    pub fn admit(&mut self, key: &str, now: Timestamp) -> bool {
        if !self.enabled {
            return true;
        }
        if self.waiting.contains(key) || !self.has_slot(key, now) {
            self.waiting.insert(key.to_owned());
            return false;
        }
        self.record(key, now);
        true
    }

    /// Returns the keys whose held alerts wait for a digest.
    pub fn waiting_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.waiting.iter().cloned().collect();
        keys.sort();
        keys
    }

    /// Returns whether a digest for `key` may go out at `now`.
    pub fn digest_allowed(&mut self, key: &str, now: Timestamp) -> bool {
        !self.enabled || self.has_slot(key, now)
    }

    /// Counts a digest sent at `now`. `more_held` keeps the key waiting
    /// when held alerts remain that the digest did not name.
    pub fn record_digest(&mut self, key: &str, now: Timestamp, more_held: bool) {
        self.record(key, now);
        if !more_held {
            self.waiting.remove(key);
        }
    }

    /// Forgets that `key` waits, when the store has no held alert for it.
    pub fn clear_waiting(&mut self, key: &str) {
        self.waiting.remove(key);
    }

    /// Returns the earliest time a slot frees for a waiting key, to wake
    /// the worker then.
    pub fn next_slot_at(&self) -> Option<Timestamp> {
        self.waiting
            .iter()
            .filter_map(|key| {
                let times = self.admitted.get(key)?;
                if times.len() < self.max_events {
                    return None;
                }
                times.front().map(|oldest| add(*oldest, self.window))
            })
            .min()
    }

    fn has_slot(&mut self, key: &str, now: Timestamp) -> bool {
        let Some(times) = self.admitted.get_mut(key) else {
            return true;
        };
        while times
            .front()
            .is_some_and(|oldest| add(*oldest, self.window) <= now)
        {
            times.pop_front();
        }
        times.len() < self.max_events
    }

    fn record(&mut self, key: &str, now: Timestamp) {
        let times = self.admitted.entry(key.to_owned()).or_default();
        times.push_back(now);
        while times.len() > self.max_events {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    fn gate() -> StormGate {
        StormGate::new(&StormConfig::default())
    }

    #[test]
    fn gate_holds_the_fifth_alert() {
        let mut gate = gate();
        let admitted: Vec<bool> = (0..6).map(|n| gate.admit("ops", at(n))).collect();
        assert_eq!(admitted, vec![true, true, true, true, false, false]);
        assert_eq!(gate.waiting_keys(), vec!["ops".to_owned()]);
    }

    #[test]
    fn keys_are_counted_apart() {
        let mut gate = gate();
        for n in 0..4 {
            assert!(gate.admit("ops", at(n)));
        }
        assert!(gate.admit("dba", at(5)));
    }

    #[test]
    fn held_key_keeps_holding_until_its_digest() {
        let mut gate = gate();
        for n in 0..5 {
            gate.admit("ops", at(n));
        }
        // The window has room again, but the held alert goes first.
        assert!(!gate.admit("ops", at(70)));
        assert!(gate.digest_allowed("ops", at(70)));

        gate.record_digest("ops", at(70), false);

        assert!(gate.waiting_keys().is_empty());
        assert!(gate.admit("ops", at(71)));
    }

    #[test]
    fn digest_waits_for_a_free_slot() {
        let mut gate = gate();
        for n in 0..5 {
            gate.admit("ops", at(n));
        }
        assert!(!gate.digest_allowed("ops", at(30)));
        assert_eq!(gate.next_slot_at(), Some(at(60)));
        assert!(gate.digest_allowed("ops", at(60)));
    }

    #[test]
    fn digest_takes_a_slot() {
        let mut gate = gate();
        for n in 0..5 {
            gate.admit("ops", at(n));
        }
        gate.record_digest("ops", at(60), false);
        let admitted: Vec<bool> = (61..65).map(|n| gate.admit("ops", at(n))).collect();
        // 61, 62 and 63 reuse the slots of 1, 2 and 3. At 64 the window
        // contains the digest and three alerts.
        assert_eq!(admitted, vec![true, true, true, false]);
    }

    #[test]
    fn disabled_gate_lets_everything_through() {
        let mut gate = StormGate::new(&StormConfig {
            enabled: false,
            ..StormConfig::default()
        });
        assert!((0..100).all(|n| gate.admit("ops", at(0) + jiff::SignedDuration::from_millis(n))));
        assert!(gate.waiting_keys().is_empty());
    }

    #[test]
    fn restored_admissions_count() {
        let mut gate = gate();
        let admissions = (0..4)
            .map(|n| Admission {
                key: "ops".to_owned(),
                at: at(n),
            })
            .collect();
        gate.restore(admissions, &[]);
        assert!(!gate.admit("ops", at(10)));
    }

    #[test]
    fn restored_held_group_waits() {
        let mut gate = gate();
        let held = HeldGroup {
            key: "ops".to_owned(),
            count: 3,
            first_held_at: at(0),
        };
        gate.restore(Vec::new(), &[held]);
        assert_eq!(gate.waiting_keys(), vec!["ops".to_owned()]);
        assert!(!gate.admit("ops", at(1)));
    }
}
