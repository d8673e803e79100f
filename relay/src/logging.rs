//! Log output through `tracing`, and redaction of secrets in what is logged.

use std::borrow::Cow;
use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::service::{LogFormat, LoggingConfig};

/// Query parameters whose values are credentials. Compared without regard
/// to case.
const SECRET_PARAMETERS: &[&str] = &[
    "apikey",
    "api_key",
    "token",
    "access_token",
    "password",
    "secret",
    "key",
];

/// Text that replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Errors from [`init`].
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// The filter directives do not parse.
    #[error(
        "invalid value for {source_name}: {message}; use directives such as \"info\" or \"relay=debug,info\""
    )]
    Filter {
        /// Source of the directives: the `RUST_LOG` environment variable
        /// or the `logging.filter` option.
        source_name: &'static str,
        /// The parser's description of the problem.
        message: String,
    },
    /// Another subscriber was installed first.
    #[error("a tracing subscriber is already installed")]
    AlreadyInstalled,
}

/// Installs the global subscriber writing to standard error. `RUST_LOG`,
/// when set, takes precedence over `logging.filter`.
pub fn init(config: &LoggingConfig) -> Result<(), LoggingError> {
    let (source_name, directives) = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => {
            ("the environment variable RUST_LOG", directives)
        }
        _ => ("logging.filter", config.filter.clone()),
    };
    let filter = EnvFilter::try_new(directives).map_err(|err| LoggingError::Filter {
        source_name,
        message: err.to_string(),
    })?;

    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|_| LoggingError::AlreadyInstalled)
}

/// Returns `url` with user information and secret query values replaced, for
/// logs and messages. Text that is not a URL is returned unchanged.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return Cow::Borrowed(url);
    };

    let mut changed = false;
    if !parsed.username().is_empty() {
        // A URL with a username also has a host, so setting it succeeds.
        changed |= parsed.set_username(REDACTED).is_ok();
    }
    if parsed.password().is_some() {
        changed |= parsed.set_password(Some(REDACTED)).is_ok();
    }

    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if pairs.iter().any(|(name, _)| is_secret_parameter(name)) {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        for (name, value) in &pairs {
            let shown = if is_secret_parameter(name) {
                REDACTED
            } else {
                value
            };
            query.append_pair(name, shown);
        }
        drop(query);
        changed = true;
    }

    if changed {
        Cow::Owned(parsed.into())
    } else {
        Cow::Borrowed(url)
    }
}

fn is_secret_parameter(name: &str) -> bool {
    SECRET_PARAMETERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// Returns an intake path with the token segment replaced, such as
/// `/overops/webhook/<redacted>`.
pub fn redact_intake_path(path: &str) -> Cow<'_, str> {
    match path.strip_prefix("/overops/webhook/") {
        Some(rest) if !rest.is_empty() => Cow::Owned(format!("/overops/webhook/{REDACTED}")),
        _ => Cow::Borrowed(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_in_query_is_redacted() {
        let url = "https://acme.xmatters.com/api/integration/1/functions/f/triggers?apiKey=s3cr3t";
        let redacted = redact_url(url);
        assert!(!redacted.contains("s3cr3t"), "{redacted}");
        assert!(redacted.contains("apiKey=%3Credacted%3E"), "{redacted}");
    }

    #[test]
    fn other_query_parameters_are_kept() {
        let redacted = redact_url("http://127.0.0.1/hook?token=abc&recipients=ops");
        assert_eq!(
            redacted,
            "http://127.0.0.1/hook?token=%3Credacted%3E&recipients=ops"
        );
    }

    #[test]
    fn userinfo_is_redacted() {
        let redacted = redact_url("https://relay:hunter2@acme.xmatters.com/x");
        assert!(!redacted.contains("hunter2"), "{redacted}");
        assert!(!redacted.contains("relay:"), "{redacted}");
    }

    #[test]
    fn url_without_secrets_is_unchanged() {
        let url = "https://acme.xmatters.com/api/integration/1/functions/f/triggers";
        assert!(matches!(redact_url(url), Cow::Borrowed(_)));
    }

    #[test]
    fn intake_path_token_is_redacted() {
        assert_eq!(
            redact_intake_path("/overops/webhook/abcdef"),
            "/overops/webhook/<redacted>"
        );
        assert_eq!(redact_intake_path("/overops/webhook"), "/overops/webhook");
    }
}
