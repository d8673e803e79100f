//! `[storm]`: storm protection, which keeps the relay under xMatters'
//! alert flood control.
//!
//! xMatters suppresses events from one integration to the same recipients
//! beyond 4 per minute by default. The suppressed events notify no one,
//! and the sender gets no error. The relay therefore lets at most `max_events`
//! events per `window` through to each set of recipients, holds the
//! excess, and sends one digest event per window that names the held
//! alerts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::OptionError;
use super::service::{duration, nonzero, positive};

/// `[storm]`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StormConfig {
    /// Whether excess alerts are held and sent as digests. When off, every
    /// alert is sent on its own; alerts held before keep their digest.
    pub enabled: bool,
    /// Events, digests included, sent to one set of recipients per window.
    pub max_events: u32,
    /// Length of the sliding window the events are counted in.
    #[serde(with = "duration")]
    pub window: Duration,
    /// Held alerts named in one digest; more wait for the next digest.
    pub max_digest_alerts: usize,
}

impl Default for StormConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_events: 4,
            window: Duration::from_secs(60),
            max_digest_alerts: 1000,
        }
    }
}

impl StormConfig {
    pub(super) fn validate(&self) -> Result<(), OptionError> {
        positive("storm.max_events", u64::from(self.max_events))?;
        nonzero("storm.window", self.window)?;
        positive("storm.max_digest_alerts", self.max_digest_alerts as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_option(config: StormConfig) -> String {
        config
            .validate()
            .err()
            .map(|err| err.option)
            .unwrap_or_default()
    }

    #[test]
    fn defaults_follow_xmatters_flood_control() {
        let config = StormConfig::default();
        assert!(config.enabled);
        assert_eq!(config.max_events, 4);
        assert_eq!(config.window, Duration::from_secs(60));
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn invalid_options_are_named() {
        let defaults = StormConfig::default;
        assert_eq!(
            invalid_option(StormConfig {
                max_events: 0,
                ..defaults()
            }),
            "storm.max_events"
        );
        assert_eq!(
            invalid_option(StormConfig {
                window: Duration::ZERO,
                ..defaults()
            }),
            "storm.window"
        );
        assert_eq!(
            invalid_option(StormConfig {
                max_digest_alerts: 0,
                ..defaults()
            }),
            "storm.max_digest_alerts"
        );
    }
}
