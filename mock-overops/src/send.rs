//! Posting payload bytes to a receiver, exactly as given.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use url::Url;

/// Request timeout of [`client`] callers that have no better value: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// `User-Agent` of every request. OverOps documents none, so this one only
/// names the simulator.
const AGENT: &str = concat!("mock-overops/", env!("CARGO_PKG_VERSION"));

/// A failure to get a response from the receiver.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The HTTP client could not be built.
    #[error("failed to build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// No response arrived within the timeout.
    #[error("request to {target} timed out; raise the timeout or check that the receiver is up")]
    Timeout {
        /// Scheme, host and port of the URL (path and query may hold a secret).
        target: String,
    },
    /// The connection failed, or the response could not be read.
    #[error(
        "request to {target} failed: {}; check the URL and that the receiver is up",
        error_chain(source)
    )]
    Request {
        /// Scheme, host and port of the URL (path and query may hold a secret).
        target: String,
        #[source]
        source: reqwest::Error,
    },
}

/// The receiver's response to one payload.
#[derive(Debug, Clone)]
pub struct SendOutcome {
    /// HTTP status code.
    pub status: u16,
    /// Response body as received.
    pub body: Bytes,
    /// Time from sending the request until the whole response body arrived.
    pub latency: Duration,
}

impl SendOutcome {
    /// Returns whether the receiver accepted the payload (status 2xx).
    pub fn is_accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Returns the body as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Builds an HTTP client whose requests time out after `timeout` and that
/// keeps up to `max_idle` idle connections per host.
pub fn client(timeout: Duration, max_idle: usize) -> Result<reqwest::Client, SendError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .pool_max_idle_per_host(max_idle)
        .build()
        .map_err(SendError::Client)
}

/// Posts `body` to `url` unchanged, with `Content-Type: application/json`,
/// and waits for the whole response.
///
/// Errors never contain the URL's path or query, because OverOps receivers
/// take their credential there.
pub async fn send(
    client: &reqwest::Client,
    url: &Url,
    body: impl Into<Bytes>,
) -> Result<SendOutcome, SendError> {
    let started = Instant::now();
    let response = client
        .post(url.clone())
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, HeaderValue::from_static(AGENT))
        .body(body.into())
        .send()
        .await
        .map_err(|error| request_error(url, error))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|error| request_error(url, error))?;

    Ok(SendOutcome {
        status,
        body,
        latency: started.elapsed(),
    })
}

/// Returns the scheme, host and port of `url`, which are safe to log.
pub fn redacted_target(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// Joins an error and its sources with `: `, because reqwest's top-level
/// message alone ("error sending request") does not say what went wrong.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn request_error(url: &Url, error: reqwest::Error) -> SendError {
    let target = redacted_target(url);
    if error.is_timeout() {
        SendError::Timeout { target }
    } else {
        SendError::Request {
            target,
            source: error.without_url(),
        }
    }
}
