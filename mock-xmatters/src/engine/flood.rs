//! Alert flood control: the default alert rate filter of xMatters.
//!
//! Events from the same source to the same recipients are counted in a
//! sliding window. When `max_alerts` events already went through within
//! the window, the next one is suppressed. Suppressed events do not count,
//! so a steady storm lets `max_alerts` events through per window.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use crate::clock::SimTime;
use crate::engine::types::Source;
use crate::world::{FloodControl, RecipientSpec};

#[derive(Debug, Default)]
pub(crate) struct FloodFilter {
    /// Per source and recipient set, the events that went through within
    /// the window: creation time and event index, oldest first. Each list
    /// contains at most `max_alerts` entries.
    recent: HashMap<String, VecDeque<(SimTime, usize)>>,
}

/// Builds the key that groups alerts: the source and the recipients,
/// sorted so that their order in the trigger does not matter.
pub(crate) fn flood_key(source: &Source, recipients: &[RecipientSpec]) -> String {
    let mut names: Vec<String> = recipients
        .iter()
        .map(|r| format!("{:?}:{}", r.recipient_type, r.id))
        .collect();
    names.sort();
    names.dedup();
    format!("{source}|{}", names.join(","))
}

impl FloodFilter {
    /// Returns the index of the most recent event that went through, when
    /// an event created now under `key` must be suppressed.
    pub(crate) fn check(
        &mut self,
        settings: &FloodControl,
        key: &str,
        now: SimTime,
    ) -> Option<usize> {
        if !settings.enabled {
            return None;
        }
        let window = Duration::from_secs(settings.window_seconds);
        let recent = self.recent.get_mut(key)?;
        while let Some((created, _)) = recent.front() {
            if now.since(*created) >= window {
                recent.pop_front();
            } else {
                break;
            }
        }
        let limit = usize::try_from(settings.max_alerts).unwrap_or(usize::MAX);
        if recent.len() >= limit {
            recent.back().map(|(_, event)| *event)
        } else {
            None
        }
    }

    /// Counts an event that went through.
    pub(crate) fn record(
        &mut self,
        settings: &FloodControl,
        key: String,
        now: SimTime,
        event: usize,
    ) {
        if !settings.enabled {
            return;
        }
        let recent = self.recent.entry(key).or_default();
        recent.push_back((now, event));
        let limit = usize::try_from(settings.max_alerts).unwrap_or(usize::MAX);
        while recent.len() > limit {
            recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::RecipientType;

    fn recipients(ids: &[&str]) -> Vec<RecipientSpec> {
        ids.iter()
            .map(|id| RecipientSpec {
                id: id.to_string(),
                recipient_type: RecipientType::Group,
            })
            .collect()
    }

    #[test]
    fn key_ignores_recipient_order() {
        let source = Source::Integration("relay".to_string());
        assert_eq!(
            flood_key(&source, &recipients(&["a", "b"])),
            flood_key(&source, &recipients(&["b", "a"]))
        );
        assert_ne!(
            flood_key(&source, &recipients(&["a"])),
            flood_key(&source, &recipients(&["a", "b"]))
        );
    }

    #[test]
    fn fifth_alert_in_a_minute_is_suppressed() {
        let settings = FloodControl::default();
        let mut filter = FloodFilter::default();
        let start = SimTime::DEFAULT_START;
        for event in 0..4 {
            let now = start.plus(Duration::from_secs(event as u64 * 10));
            assert_eq!(filter.check(&settings, "k", now), None, "event {event}");
            filter.record(&settings, "k".to_string(), now, event);
        }
        assert_eq!(
            filter.check(&settings, "k", start.plus(Duration::from_secs(59))),
            Some(3)
        );
        assert_eq!(
            filter.check(&settings, "k", start.plus(Duration::from_secs(60))),
            None
        );
    }

    #[test]
    fn disabled_filter_never_suppresses() {
        let settings = FloodControl {
            enabled: false,
            ..FloodControl::default()
        };
        let mut filter = FloodFilter::default();
        for event in 0..10 {
            assert_eq!(filter.check(&settings, "k", SimTime::DEFAULT_START), None);
            filter.record(&settings, "k".to_string(), SimTime::DEFAULT_START, event);
        }
    }
}
