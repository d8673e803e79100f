//! HTTP client for the xMatters REST API: finds the event created for a
//! trigger by its `requestId`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::schedule::LookupResult;
use crate::config::service::{RestConfig, Secret};
use crate::delivery::client::error_chain;
use crate::store::EventRef;

/// Path of the event search, relative to the instance URL.
const EVENTS_PATH: &str = "api/xm/1/events";

/// Largest response body read from a lookup; a search by `requestId`
/// returns one event, far below this.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Errors from [`RestClient::new`].
#[derive(Debug, thiserror::Error)]
pub enum RestClientError {
    /// The base URL does not parse or cannot be extended.
    #[error("invalid value for xmatters.rest.base_url: {0}")]
    Url(#[from] url::ParseError),
    /// The TLS or HTTP stack could not be set up.
    #[error("cannot build the REST client: {0}")]
    Build(#[from] reqwest::Error),
}

/// Looks events up with HTTP Basic credentials.
#[derive(Clone, Debug)]
pub struct RestClient {
    http: reqwest::Client,
    /// `{base_url}/api/xm/1/events`, which carries no secret.
    events_url: url::Url,
    username: String,
    password: Secret,
    request_timeout: Duration,
}

impl RestClient {
    /// Builds a client from validated configuration.
    pub fn new(config: &RestConfig) -> Result<Self, RestClientError> {
        let mut base = url::Url::parse(&config.base_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let events_url = base.join(EVENTS_PATH)?;

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.request_timeout)
            .user_agent(concat!(
                "overops-xmatters-relay/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;

        Ok(Self {
            http,
            events_url,
            username: config.username.clone(),
            password: config.password.clone(),
            request_timeout: config.request_timeout,
        })
    }

    /// Event search URL, for logs.
    pub fn events_url(&self) -> &str {
        self.events_url.as_str()
    }

    /// Searches for the event whose `requestId` is `request_id`.
    pub async fn find_event(&self, request_id: &str) -> LookupResult {
        let mut url = self.events_url.clone();
        url.query_pairs_mut().append_pair("requestId", request_id);

        let response = self
            .http
            .get(url)
            .basic_auth(&self.username, Some(self.password.expose()))
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(err) if err.is_timeout() => {
                return LookupResult::Failed(format!(
                    "the event lookup timed out after {:?} (xmatters.rest.request_timeout)",
                    self.request_timeout
                ));
            }
            Err(err) => {
                return LookupResult::Failed(format!(
                    "the event lookup failed: {}",
                    error_chain(&err)
                ));
            }
        };

        let status = response.status();
        if !status.is_success() {
            return LookupResult::Failed(failure_reason(status));
        }
        match read_json(response).await {
            Ok(body) => match find_in_page(&body, request_id) {
                Ok(Some(event)) => LookupResult::Found(event),
                Ok(None) => LookupResult::NotFound,
                Err(reason) => LookupResult::Failed(reason),
            },
            Err(reason) => LookupResult::Failed(reason),
        }
    }
}

fn failure_reason(status: StatusCode) -> String {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => format!(
            "xMatters rejected the REST credentials ({status}); check xmatters.rest.username \
             and xmatters.rest.password, and that the user may read events"
        ),
        StatusCode::NOT_FOUND => format!(
            "xMatters has no event search at this address ({status}); check xmatters.rest.base_url"
        ),
        _ => format!("the event lookup failed: xMatters responded {status}"),
    }
}

async fn read_json(mut response: reqwest::Response) -> Result<Value, String> {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_BODY_BYTES {
                    return Err(format!(
                        "the event lookup response is larger than {MAX_BODY_BYTES} bytes"
                    ));
                }
            }
            Ok(None) => break,
            Err(err) => {
                return Err(format!(
                    "reading the event lookup response failed: {}",
                    error_chain(&err)
                ));
            }
        }
    }
    serde_json::from_slice(&bytes)
        .map_err(|err| format!("the event lookup response is not JSON: {err}"))
}

/// Reads the event with `request_id` from a pagination object such as
/// `{"count": 1, "data": [{"id": "...", "eventId": "981006", ...}]}`.
///
/// `eventId` is a numeric string in the REST API; a number is accepted
/// too. When no entry names its `requestId`, the first entry is taken,
/// because the search was already filtered by it.
pub(crate) fn find_in_page(body: &Value, request_id: &str) -> Result<Option<EventRef>, String> {
    let Some(data) = body.get("data").and_then(Value::as_array) else {
        return Err("the event lookup response has no `data` array".to_owned());
    };
    let chosen = data
        .iter()
        .find(|event| event.get("requestId").and_then(Value::as_str) == Some(request_id))
        .or_else(|| data.first());
    let Some(event) = chosen else {
        return Ok(None);
    };

    let uuid = event.get("id").and_then(Value::as_str);
    let event_id = match event.get("eventId") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    match (uuid, event_id) {
        (Some(uuid), Some(event_id)) => Ok(Some(EventRef {
            uuid: uuid.to_owned(),
            event_id,
            status: event
                .get("status")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })),
        _ => Err(format!(
            "the event found for requestId {request_id} has no `id` or `eventId`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn event_is_read_with_string_event_id() {
        let body = json!({"count": 1, "total": 1, "data": [
            {"id": "b9f4c1a0-0000-4000-8000-000000000001", "eventId": "981006",
             "requestId": "r1", "status": "ACTIVE"}
        ]});
        let event = find_in_page(&body, "r1").expect("valid page");
        assert_eq!(
            event,
            Some(EventRef {
                uuid: "b9f4c1a0-0000-4000-8000-000000000001".to_owned(),
                event_id: "981006".to_owned(),
                status: Some("ACTIVE".to_owned()),
            })
        );
    }

    #[test]
    fn numeric_event_id_is_accepted() {
        let body = json!({"data": [{"id": "u", "eventId": 42}]});
        let event = find_in_page(&body, "r1").expect("valid page");
        assert_eq!(event.map(|event| event.event_id), Some("42".to_owned()));
    }

    #[test]
    fn entry_with_the_request_id_wins() {
        let body = json!({"data": [
            {"id": "other", "eventId": "1", "requestId": "r0"},
            {"id": "mine", "eventId": "2", "requestId": "r1"}
        ]});
        let event = find_in_page(&body, "r1").expect("valid page");
        assert_eq!(event.map(|event| event.uuid), Some("mine".to_owned()));
    }

    #[test]
    fn empty_page_is_not_found() {
        let body = json!({"count": 0, "total": 0, "data": []});
        assert_eq!(find_in_page(&body, "r1"), Ok(None));
    }

    #[test]
    fn page_without_data_is_an_error() {
        let error = find_in_page(&json!({"code": 500}), "r1").expect_err("no data");
        assert!(error.contains("`data`"), "{error}");
    }

    #[test]
    fn credentials_failure_names_the_options() {
        let reason = failure_reason(StatusCode::UNAUTHORIZED);
        assert!(reason.contains("xmatters.rest.username"), "{reason}");
    }
}
