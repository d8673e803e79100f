//! Configuration sections for the running service: `server`, `store`,
//! `xmatters`, `delivery`, `dedup` and `logging`.
//!
//! Durations are written as strings such as `"500ms"`, `"30s"`, `"2m"` or
//! `"1h 30m"` (or ISO 8601, `"PT30S"`).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::OptionError;
pub use super::callbacks::{AdminConfig, CallbacksConfig};
pub use super::confirmation::{ConfirmationConfig, RestConfig};
pub use super::storm::StormConfig;

/// A configuration value that must never appear in logs or debug output.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("<redacted>")
    }
}

/// `[server]`: the intake HTTP server.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Intake tokens accepted in the URL; several may be valid at once so a
    /// token can be rotated without losing alerts.
    pub tokens: Vec<Secret>,
    /// Largest request body accepted; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Time a client has to send the request line and headers before the
    /// connection is closed.
    #[serde(with = "duration")]
    pub header_read_timeout: Duration,
    /// Time a client has to send the whole body before it gets 408.
    #[serde(with = "duration")]
    pub body_read_timeout: Duration,
    /// Pending alerts at which the intake starts responding 503.
    pub max_backlog: u64,
    /// Open connections above which new ones wait to be accepted.
    pub max_connections: usize,
    /// `Retry-After` value sent with 503 responses.
    #[serde(with = "duration")]
    pub retry_after: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Vec::new(),
            max_body_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_backlog: 100_000,
            max_connections: 1024,
            retry_after: Duration::from_secs(5),
        }
    }
}

impl ServerConfig {
    fn validate(&self) -> Result<(), OptionError> {
        if self.tokens.is_empty() {
            return Err(OptionError::new(
                "server.tokens",
                "no intake token is configured; add at least one long random string \
                 (for example from `openssl rand -hex 24`)",
            ));
        }
        validate_tokens("server.tokens", &self.tokens)?;
        positive("server.max_body_bytes", self.max_body_bytes as u64)?;
        positive("server.max_backlog", self.max_backlog)?;
        positive("server.max_connections", self.max_connections as u64)?;
        nonzero("server.header_read_timeout", self.header_read_timeout)?;
        nonzero("server.body_read_timeout", self.body_read_timeout)
    }
}

/// Checks that each token of the list `option` is not the example's
/// placeholder, is long and needs no escaping in a URL.
pub(super) fn validate_tokens(option: &str, tokens: &[Secret]) -> Result<(), OptionError> {
    if let Some(index) = tokens.iter().position(is_placeholder) {
        return Err(OptionError::new(
            format!("{option}[{index}]"),
            "is the placeholder from the example configuration; replace it with a long \
             random string (for example from `openssl rand -hex 24`)",
        ));
    }
    if let Some(index) = tokens.iter().position(|t| t.expose().len() < 16) {
        return Err(OptionError::new(
            format!("{option}[{index}]"),
            "the token is shorter than 16 characters; use a long random string",
        ));
    }
    if let Some(index) = tokens
        .iter()
        .position(|t| !t.expose().bytes().all(is_url_safe))
    {
        return Err(OptionError::new(
            format!("{option}[{index}]"),
            "the token contains characters that need escaping in a URL; \
             use only letters, digits, '-', '_', '.' and '~'",
        ));
    }
    Ok(())
}

/// Start of the placeholder secrets in `relay.example.toml`, such as
/// `replace-with-a-long-random-token`. A value that starts with it was
/// copied from the example and not replaced.
pub const PLACEHOLDER_PREFIX: &str = "replace-with-";

/// Function id in the example trigger URL of `relay.example.toml`.
pub const EXAMPLE_FUNCTION_ID: &str = "00000000-0000-0000-0000-000000000000";

fn is_placeholder(secret: &Secret) -> bool {
    secret.expose().starts_with(PLACEHOLDER_PREFIX)
}

fn is_url_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// `[store]`: the durable outbox.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite database file; created if missing.
    pub path: PathBuf,
    /// Maximum number of operations committed together in one transaction.
    pub max_batch: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("relay.db"),
            max_batch: 256,
        }
    }
}

impl StoreConfig {
    fn validate(&self) -> Result<(), OptionError> {
        if self.path.as_os_str().is_empty() {
            return Err(OptionError::new(
                "store.path",
                "the path is empty; give the SQLite file to use, such as /var/lib/relay/relay.db",
            ));
        }
        positive("store.max_batch", self.max_batch as u64)
    }
}

/// `[xmatters]`: where and how triggers are posted.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct XmattersConfig {
    /// Inbound integration URL,
    /// `https://HOST/api/integration/1/functions/UUID/triggers`.
    pub trigger_url: String,
    /// Key for URL authentication, sent as the `apiKey` query parameter.
    pub api_key: Option<Secret>,
    /// User for HTTP Basic authentication (instead of `api_key`).
    pub username: Option<String>,
    /// Password for HTTP Basic authentication.
    pub password: Option<Secret>,
    /// Time one delivery request may take before it counts as failed.
    #[serde(with = "duration")]
    pub request_timeout: Duration,
    /// `[xmatters.rest]`: the REST API used to confirm that each delivered
    /// alert became an event. Without it alerts stop at `delivered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<RestConfig>,
}

impl Default for XmattersConfig {
    fn default() -> Self {
        Self {
            trigger_url: String::new(),
            api_key: None,
            username: None,
            password: None,
            request_timeout: Duration::from_secs(30),
            rest: None,
        }
    }
}

impl XmattersConfig {
    fn validate(&self) -> Result<(), OptionError> {
        let url = url::Url::parse(&self.trigger_url).map_err(|err| {
            OptionError::new(
                "xmatters.trigger_url",
                format!(
                    "{err}; give the inbound integration URL, such as \
                     https://acme.xmatters.com/api/integration/1/functions/UUID/triggers"
                ),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OptionError::new(
                "xmatters.trigger_url",
                format!("the scheme {:?} is not http or https", url.scheme()),
            ));
        }
        if url.query_pairs().any(|(name, _)| name == "apiKey") {
            return Err(OptionError::new(
                "xmatters.trigger_url",
                "the URL contains an apiKey; move it to xmatters.api_key so it stays out of logs",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OptionError::new(
                "xmatters.trigger_url",
                "the URL contains credentials; use xmatters.username and xmatters.password",
            ));
        }
        if url.path().contains(EXAMPLE_FUNCTION_ID) {
            return Err(OptionError::new(
                "xmatters.trigger_url",
                "is the example URL from the example configuration; copy the URL of your \
                 inbound integration from its page in xMatters",
            ));
        }
        for (option, secret) in [
            ("xmatters.api_key", &self.api_key),
            ("xmatters.password", &self.password),
        ] {
            if secret.as_ref().is_some_and(is_placeholder) {
                return Err(OptionError::new(
                    option,
                    "is the placeholder from the example configuration; replace it with the \
                     credential of your xMatters inbound integration",
                ));
            }
        }

        match (&self.api_key, &self.username, &self.password) {
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            (Some(_), _, _) => {
                return Err(OptionError::new(
                    "xmatters.api_key",
                    "set either api_key or username and password, not both",
                ));
            }
            (None, Some(_), None) => {
                return Err(OptionError::new(
                    "xmatters.password",
                    "username is set but password is missing",
                ));
            }
            (None, None, Some(_)) => {
                return Err(OptionError::new(
                    "xmatters.username",
                    "password is set but username is missing",
                ));
            }
            (None, None, None) => {
                return Err(OptionError::new(
                    "xmatters.api_key",
                    "no credentials are configured; set api_key, or username and password",
                ));
            }
        }
        nonzero("xmatters.request_timeout", self.request_timeout)?;
        match &self.rest {
            Some(rest) => rest.validate(),
            None => Ok(()),
        }
    }
}

/// Shortest wait allowed in `delivery.retry_schedule`, and after jitter.
///
/// A zero wait sends a failing alert again at once, hundreds of times a
/// second. The floor is 10 ms rather than a production-sized value,
/// because the relay's own tests and the end-to-end tests run failure
/// scenarios with 10 ms waits. It still limits one failing alert to 100
/// requests a second.
pub const MIN_RETRY_WAIT: Duration = Duration::from_millis(10);

/// `[delivery]`: the worker that posts stored alerts to xMatters.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Deliveries in flight at once. The worker claims alerts for all free
    /// slots in one store transaction, so more slots also mean fewer
    /// transactions per delivered alert.
    pub concurrency: usize,
    /// Waits before the 2nd, 3rd, ... attempt; the last entry repeats until
    /// `max_age`.
    #[serde(with = "durations")]
    pub retry_schedule: Vec<Duration>,
    /// Random spread applied to each wait, as a fraction: 0.2 draws the wait
    /// from 80 % to 120 % of the scheduled value.
    pub jitter: f64,
    /// Largest `Retry-After` honoured; longer values are cut to this. A
    /// `Retry-After` never shortens the scheduled wait.
    #[serde(with = "duration")]
    pub max_retry_after: Duration,
    /// Minimum wait after a 429 response, with or without `Retry-After`.
    #[serde(with = "duration")]
    pub rate_limit_floor: Duration,
    /// Age after which an undelivered alert becomes dead, counted from its
    /// receipt or its last manual retry.
    #[serde(with = "duration")]
    pub max_age: Duration,
    /// Maximum time the worker sleeps before looking at the store again, so
    /// that alerts requeued by `relay alerts retry` are noticed.
    #[serde(with = "duration")]
    pub poll_interval: Duration,
    /// Time in-flight deliveries get to finish at shutdown.
    #[serde(with = "duration")]
    pub shutdown_grace: Duration,
    /// Bytes of each response body kept with the attempt.
    pub response_excerpt_bytes: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let secs = Duration::from_secs;
        Self {
            concurrency: 16,
            retry_schedule: vec![secs(1), secs(5), secs(30), secs(120), secs(600), secs(1800)],
            jitter: 0.2,
            max_retry_after: secs(3600),
            rate_limit_floor: secs(30),
            max_age: secs(24 * 3600),
            poll_interval: secs(1),
            shutdown_grace: secs(10),
            response_excerpt_bytes: 2048,
        }
    }
}

impl DeliveryConfig {
    fn validate(&self) -> Result<(), OptionError> {
        positive("delivery.concurrency", self.concurrency as u64)?;
        if self.retry_schedule.is_empty() {
            return Err(OptionError::new(
                "delivery.retry_schedule",
                "the schedule is empty; give at least one wait, such as [\"1s\", \"30s\"]",
            ));
        }
        if let Some(index) = self
            .retry_schedule
            .iter()
            .position(|wait| *wait < MIN_RETRY_WAIT)
        {
            return Err(OptionError::new(
                format!("delivery.retry_schedule[{index}]"),
                format!(
                    "{} is shorter than the minimum of {}, which would resend a failing \
                     alert many times a second; use a wait such as \"1s\"",
                    format_duration(&self.retry_schedule[index]),
                    format_duration(&MIN_RETRY_WAIT)
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(OptionError::new(
                "delivery.jitter",
                format!("{} is outside 0.0 to 1.0", self.jitter),
            ));
        }
        nonzero("delivery.max_age", self.max_age)?;
        nonzero("delivery.poll_interval", self.poll_interval)
    }
}

/// `[dedup]`: suppression of repeated alerts.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Whether repeats get a duplicate response instead of being forwarded.
    pub enabled: bool,
    /// How far back a repeat of the same key counts as a duplicate.
    #[serde(with = "duration")]
    pub window: Duration,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window: Duration::from_secs(600),
        }
    }
}

impl DedupConfig {
    fn validate(&self) -> Result<(), OptionError> {
        if self.enabled {
            nonzero("dedup.window", self.window)?;
        }
        Ok(())
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// `[logging]`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// Line format.
    pub format: LogFormat,
    /// `tracing` filter directives, such as `info` or `relay=debug,info`.
    pub filter: String,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info".to_owned(),
        }
    }
}

/// The service sections, borrowed from the root configuration for
/// validation.
#[derive(Clone, Copy, Debug)]
pub struct ServiceSections<'a> {
    /// `[server]`.
    pub server: &'a ServerConfig,
    /// `[store]`.
    pub store: &'a StoreConfig,
    /// `[xmatters]`.
    pub xmatters: &'a XmattersConfig,
    /// `[delivery]`.
    pub delivery: &'a DeliveryConfig,
    /// `[dedup]`.
    pub dedup: &'a DedupConfig,
    /// `[confirmation]`.
    pub confirmation: &'a ConfirmationConfig,
    /// `[callbacks]`.
    pub callbacks: &'a CallbacksConfig,
    /// `[admin]`.
    pub admin: &'a AdminConfig,
    /// `[storm]`.
    pub storm: &'a StormConfig,
}

impl ServiceSections<'_> {
    /// Checks every option `relay serve` needs and names the first invalid one.
    pub fn validate(&self) -> Result<(), OptionError> {
        self.server.validate()?;
        self.store.validate()?;
        self.xmatters.validate()?;
        self.delivery.validate()?;
        self.dedup.validate()?;
        self.confirmation.validate()?;
        self.callbacks.validate()?;
        self.admin.validate()?;
        self.storm.validate()
    }
}

pub(super) fn positive(option: &str, value: u64) -> Result<(), OptionError> {
    if value == 0 {
        return Err(OptionError::new(option, "the value must be at least 1"));
    }
    Ok(())
}

pub(super) fn nonzero(option: &str, value: Duration) -> Result<(), OptionError> {
    if value.is_zero() {
        return Err(OptionError::new(
            option,
            "the duration must be longer than zero",
        ));
    }
    Ok(())
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let signed: jiff::SignedDuration = text.parse().map_err(|err| {
        format!("invalid duration {text:?} ({err}); write it like \"500ms\", \"30s\" or \"2m\"")
    })?;
    Duration::try_from(signed).map_err(|_| format!("invalid duration {text:?}: it is negative"))
}

fn format_duration(value: &Duration) -> String {
    // The alternate form of jiff's duration is its friendly format, e.g. "1m 30s".
    jiff::SignedDuration::try_from(*value)
        .map(|signed| format!("{signed:#}"))
        .unwrap_or_else(|_| format!("{}s", value.as_secs()))
}

/// Serde adapter for one human-readable duration.
pub(super) mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(in crate::config) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_duration(&text).map_err(serde::de::Error::custom)
    }

    pub(in crate::config) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_duration(value))
    }
}

/// Serde adapter for a list of human-readable durations.
pub(super) mod durations {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(in crate::config) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Duration>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        texts
            .iter()
            .map(|text| super::parse_duration(text).map_err(serde::de::Error::custom))
            .collect()
    }

    pub(in crate::config) fn serialize<S: Serializer>(
        values: &[Duration],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(super::format_duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_friendly_and_iso_forms() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("PT30S"), Ok(Duration::from_secs(30)));
    }

    #[test]
    fn negative_or_garbled_duration_is_rejected() {
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn duration_round_trips_through_its_text() {
        let value = Duration::from_millis(90_500);
        assert_eq!(parse_duration(&format_duration(&value)), Ok(value));
    }

    #[test]
    fn secret_is_redacted_in_debug_and_serialization() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "\"<redacted>\"");
        assert_eq!(
            serde_json::to_string(&secret).ok(),
            Some("\"<redacted>\"".to_owned())
        );
    }

    type Edit = Box<dyn FnOnce(&mut ServerConfig, &mut XmattersConfig, &mut DeliveryConfig)>;

    fn valid_sections_check(
        edit: impl FnOnce(&mut ServerConfig, &mut XmattersConfig, &mut DeliveryConfig),
    ) -> Result<(), OptionError> {
        let mut server = ServerConfig {
            tokens: vec![Secret::new("0123456789abcdef0123")],
            ..ServerConfig::default()
        };
        let mut xmatters = XmattersConfig {
            trigger_url: "https://acme.xmatters.com/api/integration/1/functions/f/triggers"
                .to_owned(),
            api_key: Some(Secret::new("key")),
            ..XmattersConfig::default()
        };
        let mut delivery = DeliveryConfig::default();
        edit(&mut server, &mut xmatters, &mut delivery);
        ServiceSections {
            server: &server,
            store: &StoreConfig::default(),
            xmatters: &xmatters,
            delivery: &delivery,
            dedup: &DedupConfig::default(),
            confirmation: &ConfirmationConfig::default(),
            callbacks: &CallbacksConfig::default(),
            admin: &AdminConfig::default(),
            storm: &StormConfig::default(),
        }
        .validate()
    }

    fn invalid_option(result: Result<(), OptionError>) -> String {
        result.err().map(|err| err.option).unwrap_or_default()
    }

    #[test]
    fn complete_sections_validate() {
        assert_eq!(valid_sections_check(|_, _, _| {}), Ok(()));
    }

    #[test]
    fn invalid_options_are_named() {
        let cases: Vec<(&str, Edit)> = vec![
            ("server.tokens", Box::new(|s, _, _| s.tokens.clear())),
            (
                "server.tokens[0]",
                Box::new(|s, _, _| s.tokens = vec![Secret::new("short")]),
            ),
            (
                "server.tokens[0]",
                Box::new(|s, _, _| s.tokens = vec![Secret::new("0123456789abcdef/?&")]),
            ),
            (
                "xmatters.trigger_url",
                Box::new(|_, x, _| x.trigger_url = "not a url".to_owned()),
            ),
            (
                "xmatters.trigger_url",
                Box::new(|_, x, _| x.trigger_url.push_str("?apiKey=abc")),
            ),
            ("xmatters.api_key", Box::new(|_, x, _| x.api_key = None)),
            (
                "server.tokens[1]",
                Box::new(|s, _, _| {
                    s.tokens
                        .push(Secret::new("replace-with-a-long-random-token"));
                }),
            ),
            (
                "xmatters.api_key",
                Box::new(|_, x, _| {
                    x.api_key = Some(Secret::new("replace-with-the-integration-api-key"));
                }),
            ),
            (
                "xmatters.password",
                Box::new(|_, x, _| {
                    x.api_key = None;
                    x.username = Some("relay".to_owned());
                    x.password = Some(Secret::new("replace-with-the-password"));
                }),
            ),
            (
                "xmatters.trigger_url",
                Box::new(|_, x, _| {
                    x.trigger_url = format!(
                        "https://acme.xmatters.com/api/integration/1/functions/{EXAMPLE_FUNCTION_ID}/triggers"
                    );
                }),
            ),
            (
                "xmatters.password",
                Box::new(|_, x, _| {
                    x.api_key = None;
                    x.username = Some("relay".to_owned());
                }),
            ),
            (
                "delivery.retry_schedule",
                Box::new(|_, _, d| d.retry_schedule.clear()),
            ),
            (
                "delivery.retry_schedule[0]",
                Box::new(|_, _, d| d.retry_schedule = vec![Duration::ZERO]),
            ),
            (
                "delivery.retry_schedule[1]",
                Box::new(|_, _, d| {
                    d.retry_schedule = vec![MIN_RETRY_WAIT, Duration::from_millis(9)];
                }),
            ),
            ("delivery.jitter", Box::new(|_, _, d| d.jitter = 1.5)),
            (
                "delivery.concurrency",
                Box::new(|_, _, d| d.concurrency = 0),
            ),
        ];
        for (expected, edit) in cases {
            assert_eq!(invalid_option(valid_sections_check(edit)), expected);
        }
    }

    #[test]
    fn sections_deserialize_from_toml() {
        let delivery: DeliveryConfig =
            toml::from_str("retry_schedule = [\"10ms\", \"20ms\"]\nmax_age = \"1m\"")
                .expect("the section parses");
        assert_eq!(
            delivery.retry_schedule,
            vec![Duration::from_millis(10), Duration::from_millis(20)]
        );
        assert_eq!(delivery.max_age, Duration::from_secs(60));
        assert_eq!(delivery.concurrency, DeliveryConfig::default().concurrency);
    }

    #[test]
    fn unknown_key_is_rejected() {
        let result: Result<DedupConfig, _> = toml::from_str("enabeld = true");
        assert!(result.is_err());
    }
}
