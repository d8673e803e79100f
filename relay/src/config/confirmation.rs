//! `[xmatters.rest]` and `[confirmation]`: looking up the event of each
//! delivered alert.
//!
//! The trigger endpoint's 202 only means "accepted for processing": a form
//! validation error later drops the alert without any error to the relay.
//! The event xMatters creates carries the trigger's `requestId`, so the
//! relay looks it up with `GET /api/xm/1/events?requestId=` until it
//! appears or the timeout passes.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::OptionError;
use super::service::{Secret, duration, durations, nonzero, positive};

/// `[xmatters.rest]`: the xMatters REST API, with HTTP Basic credentials.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RestConfig {
    /// Base URL of the xMatters instance, such as
    /// `https://acme.xmatters.com`; the relay appends `/api/xm/1/...`.
    pub base_url: String,
    /// REST API user, who needs permission to read events.
    pub username: String,
    /// Password of that user.
    pub password: Secret,
    /// Time one lookup request may take before it counts as failed.
    #[serde(default = "default_rest_timeout", with = "duration")]
    pub request_timeout: Duration,
}

fn default_rest_timeout() -> Duration {
    Duration::from_secs(10)
}

impl RestConfig {
    pub(super) fn validate(&self) -> Result<(), OptionError> {
        let url = url::Url::parse(&self.base_url).map_err(|err| {
            OptionError::new(
                "xmatters.rest.base_url",
                format!("{err}; give the instance URL, such as https://acme.xmatters.com"),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OptionError::new(
                "xmatters.rest.base_url",
                format!("the scheme {:?} is not http or https", url.scheme()),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(OptionError::new(
                "xmatters.rest.base_url",
                "the URL contains credentials or a query; give only the instance URL and \
                 set xmatters.rest.username and xmatters.rest.password",
            ));
        }
        if self.username.trim().is_empty() {
            return Err(OptionError::new(
                "xmatters.rest.username",
                "the user is empty; give a REST API user who can read events",
            ));
        }
        if self.password.expose().is_empty() {
            return Err(OptionError::new(
                "xmatters.rest.password",
                "the password is empty",
            ));
        }
        nonzero("xmatters.rest.request_timeout", self.request_timeout)
    }
}

/// `[confirmation]`: when to look up events and when to give up.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmationConfig {
    /// Wait after delivery before the first lookup, then between lookups;
    /// the last entry repeats until `timeout`.
    #[serde(with = "durations")]
    pub lookup_schedule: Vec<Duration>,
    /// Time after delivery within which the event must appear; after it
    /// the alert becomes `unconfirmed`.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// Lookups in flight at once.
    pub concurrency: usize,
}

impl Default for ConfirmationConfig {
    fn default() -> Self {
        let secs = Duration::from_secs;
        Self {
            lookup_schedule: vec![secs(2), secs(5), secs(15), secs(30), secs(60)],
            timeout: secs(600),
            concurrency: 2,
        }
    }
}

impl ConfirmationConfig {
    pub(super) fn validate(&self) -> Result<(), OptionError> {
        if self.lookup_schedule.is_empty() {
            return Err(OptionError::new(
                "confirmation.lookup_schedule",
                "the schedule is empty; give at least one wait, such as [\"2s\", \"30s\"]",
            ));
        }
        if self.lookup_schedule.iter().any(Duration::is_zero) {
            return Err(OptionError::new(
                "confirmation.lookup_schedule",
                "a wait of zero would look the event up in a busy loop; give waits above zero",
            ));
        }
        nonzero("confirmation.timeout", self.timeout)?;
        positive("confirmation.concurrency", self.concurrency as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest() -> RestConfig {
        RestConfig {
            base_url: "https://acme.xmatters.com".to_owned(),
            username: "relay-reader".to_owned(),
            password: Secret::new("s3cr3t"),
            request_timeout: default_rest_timeout(),
        }
    }

    fn invalid_option(result: Result<(), OptionError>) -> String {
        result.err().map(|err| err.option).unwrap_or_default()
    }

    #[test]
    fn valid_sections_pass() {
        assert_eq!(rest().validate(), Ok(()));
        assert_eq!(ConfirmationConfig::default().validate(), Ok(()));
    }

    #[test]
    fn invalid_rest_options_are_named() {
        let cases: Vec<(&str, RestConfig)> = vec![
            (
                "xmatters.rest.base_url",
                RestConfig {
                    base_url: "acme.xmatters.com".to_owned(),
                    ..rest()
                },
            ),
            (
                "xmatters.rest.base_url",
                RestConfig {
                    base_url: "ftp://acme.xmatters.com".to_owned(),
                    ..rest()
                },
            ),
            (
                "xmatters.rest.base_url",
                RestConfig {
                    base_url: "https://user:pw@acme.xmatters.com".to_owned(),
                    ..rest()
                },
            ),
            (
                "xmatters.rest.username",
                RestConfig {
                    username: " ".to_owned(),
                    ..rest()
                },
            ),
            (
                "xmatters.rest.password",
                RestConfig {
                    password: Secret::new(""),
                    ..rest()
                },
            ),
        ];
        for (expected, config) in cases {
            assert_eq!(invalid_option(config.validate()), expected);
        }
    }

    #[test]
    fn invalid_schedules_are_named() {
        let empty = ConfirmationConfig {
            lookup_schedule: Vec::new(),
            ..ConfirmationConfig::default()
        };
        let zero = ConfirmationConfig {
            lookup_schedule: vec![Duration::ZERO],
            ..ConfirmationConfig::default()
        };
        let no_timeout = ConfirmationConfig {
            timeout: Duration::ZERO,
            ..ConfirmationConfig::default()
        };
        assert_eq!(
            invalid_option(empty.validate()),
            "confirmation.lookup_schedule"
        );
        assert_eq!(
            invalid_option(zero.validate()),
            "confirmation.lookup_schedule"
        );
        assert_eq!(
            invalid_option(no_timeout.validate()),
            "confirmation.timeout"
        );
    }
}
