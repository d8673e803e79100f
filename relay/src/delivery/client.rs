//! HTTP client for the xMatters inbound integration, and the classification
//! of its responses into delivered, retryable and permanent.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

use super::retry_after;
use crate::config::service::{Secret, XmattersConfig};
use crate::logging::{REDACTED, redact_url};

/// Errors from [`XmattersClient::new`].
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The trigger URL does not parse.
    #[error("invalid value for xmatters.trigger_url: {0}")]
    Url(#[from] url::ParseError),
    /// The TLS or HTTP stack could not be set up.
    #[error("cannot build the HTTP client: {0}")]
    Build(#[from] reqwest::Error),
}

/// Classified xMatters response to one trigger request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// A 2xx response: the trigger was accepted.
    Accepted {
        /// HTTP status.
        status: u16,
        /// `requestId` from the body, when present.
        request_id: Option<String>,
        /// Start of the body.
        excerpt: String,
    },
    /// A failure worth retrying: transport errors, timeouts, 408, 429, 5xx.
    Retryable {
        /// HTTP status, when a response arrived.
        status: Option<u16>,
        /// Error description, for the attempt record and the log.
        error: String,
        /// Whether the response was 429.
        rate_limited: bool,
        /// Wait asked for in `Retry-After`.
        retry_after: Option<Duration>,
        /// Start of the body, when a response arrived.
        excerpt: Option<String>,
    },
    /// A failure that a retry cannot fix: other 3xx and 4xx responses.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Error description and what to check.
        reason: String,
        /// Start of the body.
        excerpt: String,
    },
}

/// Result of one send with its timing.
#[derive(Clone, Debug)]
pub struct SendReport {
    /// When the request started.
    pub started_at: Timestamp,
    /// How long it took.
    pub elapsed: Duration,
    /// Classified response.
    pub outcome: SendOutcome,
}

/// Posts trigger objects to the configured inbound integration.
#[derive(Clone, Debug)]
pub struct XmattersClient {
    http: reqwest::Client,
    /// Trigger URL with the `apiKey` query parameter, when URL
    /// authentication is used. Never logged; see `display_url`.
    url: url::Url,
    /// Trigger URL with secrets redacted, for logs.
    display_url: String,
    basic: Option<(String, Secret)>,
    request_timeout: Duration,
    excerpt_bytes: usize,
    /// Credentials in the forms a response could echo them, removed from
    /// every response excerpt before it is stored or logged.
    secrets: Vec<String>,
}

impl XmattersClient {
    /// Builds a client from validated configuration.
    pub fn new(config: &XmattersConfig, excerpt_bytes: usize) -> Result<Self, ClientError> {
        let mut url = url::Url::parse(&config.trigger_url)?;
        if let Some(key) = &config.api_key {
            url.query_pairs_mut().append_pair("apiKey", key.expose());
        }
        let basic = match (&config.username, &config.password) {
            (Some(user), Some(password)) => Some((user.clone(), password.clone())),
            _ => None,
        };

        // Redirects are not followed: one could carry the apiKey to another host.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.request_timeout)
            .user_agent(concat!(
                "overops-xmatters-relay/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;

        Ok(Self {
            display_url: redact_url(url.as_str()).into_owned(),
            http,
            url,
            secrets: echoable_secrets(config),
            basic,
            request_timeout: config.request_timeout,
            excerpt_bytes,
        })
    }

    /// Trigger URL with secrets redacted.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// Posts one trigger object, given as JSON text, and classifies the
    /// response.
    pub async fn send(&self, trigger: &str) -> SendReport {
        let started_at = Timestamp::now();
        let clock = Instant::now();

        let mut request = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(trigger.to_owned());
        if let Some((user, password)) = &self.basic {
            request = request.basic_auth(user, Some(password.expose()));
        }
        let outcome = match request.send().await {
            Ok(response) => self.classify(response).await,
            Err(err) => self.transport_failure(err),
        };

        SendReport {
            started_at,
            elapsed: clock.elapsed(),
            outcome,
        }
    }

    fn transport_failure(&self, err: reqwest::Error) -> SendOutcome {
        // reqwest errors print their URL, which carries the apiKey.
        let err = err.without_url();
        let error = if err.is_timeout() {
            format!(
                "request timed out after {:?} (xmatters.request_timeout)",
                self.request_timeout
            )
        } else if err.is_connect() {
            format!("cannot connect to xMatters: {}", error_chain(&err))
        } else {
            format!("request failed: {}", error_chain(&err))
        };
        SendOutcome::Retryable {
            status: None,
            error,
            rate_limited: false,
            retry_after: None,
            excerpt: None,
        }
    }

    async fn classify(&self, response: reqwest::Response) -> SendOutcome {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry_after::parse(value, Timestamp::now()));
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(|value| redact_url(value).into_owned());
        let excerpt = match read_excerpt(response, self.excerpt_bytes).await {
            Ok(excerpt) => scrub(excerpt, &self.secrets),
            Err(err) => {
                return SendOutcome::Retryable {
                    status: Some(status.as_u16()),
                    error: format!(
                        "reading the {status} response body failed: {}",
                        error_chain(&err.without_url())
                    ),
                    rate_limited: false,
                    retry_after,
                    excerpt: None,
                };
            }
        };

        if status.is_success() {
            return SendOutcome::Accepted {
                status: status.as_u16(),
                request_id: request_id(&excerpt),
                excerpt,
            };
        }
        if is_retryable(status) {
            return SendOutcome::Retryable {
                status: Some(status.as_u16()),
                error: format!("xMatters responded {status}"),
                rate_limited: status == StatusCode::TOO_MANY_REQUESTS,
                retry_after,
                excerpt: Some(excerpt),
            };
        }
        SendOutcome::Rejected {
            status: status.as_u16(),
            reason: rejection_reason(status, location.as_deref()),
            excerpt,
        }
    }
}

fn is_retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

fn rejection_reason(status: StatusCode, location: Option<&str>) -> String {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => format!(
            "xMatters rejected the credentials ({status}); check xmatters.api_key, \
             or xmatters.username and xmatters.password"
        ),
        StatusCode::NOT_FOUND => format!(
            "xMatters has no integration at the trigger URL ({status}); check xmatters.trigger_url"
        ),
        _ if status.is_redirection() => format!(
            "xMatters responded with a redirect ({status}) to {}; set xmatters.trigger_url \
             to the final URL",
            location.unwrap_or("an unknown location")
        ),
        _ => format!("xMatters rejected the trigger ({status}); see the response body"),
    }
}

/// Reads up to `limit` bytes of the body and decodes them lossily, cut at a
/// character boundary.
async fn read_excerpt(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await? {
            Some(chunk) => bytes.extend_from_slice(&chunk),
            None => break,
        }
    }
    let truncated = bytes.len() > limit;
    bytes.truncate(limit);

    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if truncated {
        // A multi-byte character cut at the limit decodes as U+FFFD; drop it.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    Ok(text)
}

/// Returns the configured credentials as they are sent, so a response that
/// echoes the request can contain them: the API key as is and URL-encoded,
/// the password, and the `user:password` pair in Base64 as in the
/// `Authorization` header.
fn echoable_secrets(config: &XmattersConfig) -> Vec<String> {
    use base64::Engine as _;

    let mut secrets = Vec::new();
    if let Some(key) = &config.api_key {
        secrets.push(key.expose().to_owned());
        secrets.push(url::form_urlencoded::byte_serialize(key.expose().as_bytes()).collect());
    }
    if let Some(password) = &config.password {
        secrets.push(password.expose().to_owned());
        let user = config.username.as_deref().unwrap_or_default();
        let pair = format!("{user}:{}", password.expose());
        secrets.push(base64::engine::general_purpose::STANDARD.encode(pair));
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets.sort();
    secrets.dedup();
    // Longer first, so that a secret containing another is replaced whole.
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets
}

/// Shortest start of a secret removed from the end of a cut excerpt.
const MIN_SECRET_PREFIX: usize = 4;

/// Replaces every secret in `excerpt` with the redaction marker. An excerpt
/// cut at its length limit ends in "…", and the text before it may be the
/// start of a secret. Such a start of at least [`MIN_SECRET_PREFIX`] bytes
/// is replaced too.
fn scrub(mut excerpt: String, secrets: &[String]) -> String {
    for secret in secrets {
        if excerpt.contains(secret.as_str()) {
            excerpt = excerpt.replace(secret.as_str(), REDACTED);
        }
    }

    let Some(kept) = excerpt.strip_suffix('…') else {
        return excerpt;
    };
    for secret in secrets {
        let longest = (MIN_SECRET_PREFIX..secret.len())
            .rev()
            .filter(|&length| secret.is_char_boundary(length))
            .find(|&length| kept.ends_with(&secret[..length]));
        if let Some(length) = longest {
            return format!("{}{REDACTED}…", &kept[..kept.len() - length]);
        }
    }
    excerpt
}

/// Extracts `requestId` from a 202 body such as `{"requestId": "..."}`. A
/// blank `requestId` counts as missing.
fn request_id(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let id = value.get("requestId")?.as_str()?.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// Joins an error with its sources, as one line.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_read_from_the_body() {
        assert_eq!(
            request_id(r#"{"requestId": "6c1b4e1a"}"#),
            Some("6c1b4e1a".to_owned())
        );
        assert_eq!(request_id("accepted"), None);
        assert_eq!(request_id(r#"{"requestId": " "}"#), None);
        assert_eq!(request_id(r#"{"requestId": 42}"#), None);
    }

    #[test]
    fn secrets_are_scrubbed_from_excerpts() {
        let secrets = vec!["relay-demo-key".to_owned(), "cmVsYXk6cHc=".to_owned()];

        assert_eq!(
            scrub(
                "bad key relay-demo-key for cmVsYXk6cHc=".to_owned(),
                &secrets
            ),
            "bad key <redacted> for <redacted>"
        );
        assert_eq!(
            scrub("cut at relay-de…".to_owned(), &secrets),
            "cut at <redacted>…"
        );
        assert_eq!(scrub("cut at rel…".to_owned(), &secrets), "cut at rel…");
        assert_eq!(scrub("no secret".to_owned(), &secrets), "no secret");
    }

    #[test]
    fn echoable_secrets_cover_each_form() {
        let config = XmattersConfig {
            api_key: Some(Secret::new("a b")),
            username: Some("relay".to_owned()),
            password: Some(Secret::new("pw")),
            ..XmattersConfig::default()
        };

        let secrets = echoable_secrets(&config);

        assert!(secrets.contains(&"a b".to_owned()), "{secrets:?}");
        assert!(secrets.contains(&"a+b".to_owned()), "{secrets:?}");
        assert!(secrets.contains(&"pw".to_owned()), "{secrets:?}");
        assert!(secrets.contains(&"cmVsYXk6cHc=".to_owned()), "{secrets:?}");
    }

    #[test]
    fn retryable_statuses() {
        for code in [408, 429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(code).expect("valid status");
            assert!(is_retryable(status), "{code} should be retried");
        }
        for code in [400, 401, 403, 404, 409, 422] {
            let status = StatusCode::from_u16(code).expect("valid status");
            assert!(!is_retryable(status), "{code} should not be retried");
        }
    }

    #[test]
    fn credentials_rejection_says_so() {
        let reason = rejection_reason(StatusCode::UNAUTHORIZED, None);
        assert!(reason.contains("rejected the credentials"), "{reason}");
    }
}
