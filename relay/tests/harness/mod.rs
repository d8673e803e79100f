//! Shared setup for the service tests: an in-process relay over a temporary
//! store, pointed at a scripted xMatters, and helpers to post and wait.

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use relay::clock::ShiftedClock;
use relay::config::Config;
use relay::config::service::{RestConfig, Secret};
use relay::server::{Relay, RelayOptions};
use relay::store::{AlertId, AlertRecord, AlertState, Store};
use tempfile::TempDir;

/// Intake token every test relay accepts.
pub const TOKEN: &str = "test-token-0123456789abcdef";
/// xMatters API key every test relay sends.
pub const API_KEY: &str = "test-api-key-s3cr3t";
/// Path of the scripted trigger endpoint.
pub const TRIGGER_PATH: &str = "/api/integration/1/functions/0b6d2f0a/triggers";

/// Maximum time a test waits for the relay to reach a state.
pub const WAIT_LIMIT: Duration = Duration::from_secs(20);

/// Builds a configuration with millisecond retries and a store in `dir`.
pub fn config(dir: &TempDir, xmatters_base: &str) -> Config {
    let mut config = Config::default();
    config.server.listen = "127.0.0.1:0".parse().expect("valid address");
    config.server.tokens = vec![Secret::new(TOKEN)];
    config.store.path = dir.path().join("relay.db");
    config.xmatters.trigger_url = format!("{xmatters_base}{TRIGGER_PATH}");
    config.xmatters.api_key = Some(Secret::new(API_KEY));
    config.xmatters.request_timeout = Duration::from_secs(5);
    config.delivery.retry_schedule = vec![Duration::from_millis(10), Duration::from_millis(20)];
    config.delivery.jitter = 0.0;
    config.delivery.rate_limit_floor = Duration::from_millis(10);
    config.delivery.poll_interval = Duration::from_millis(50);
    config.delivery.shutdown_grace = Duration::from_secs(5);
    config
}

/// Starts a relay on an ephemeral loopback port.
pub async fn start(config: Config) -> Relay {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    Relay::start(listener, config).await.expect("relay starts")
}

/// Starts a relay whose time comes from `clock`, so a test can move it
/// forward past a window or a timeout.
pub async fn start_with_clock(config: Config, clock: Arc<ShiftedClock>) -> Relay {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let options = RelayOptions {
        clock,
        ..RelayOptions::default()
    };
    Relay::start_with(listener, config, options)
        .await
        .expect("relay starts")
}

/// REST user every test relay with confirmation uses.
pub const REST_USER: &str = "relay-reader";
/// Password of [`REST_USER`].
pub const REST_PASSWORD: &str = "rest-password-s3cr3t";

/// Turns on confirmation against `xmatters_base` with lookups every 10 ms.
pub fn with_confirmation(mut config: Config, xmatters_base: &str) -> Config {
    config.xmatters.rest = Some(RestConfig {
        base_url: xmatters_base.to_owned(),
        username: REST_USER.to_owned(),
        password: Secret::new(REST_PASSWORD),
        request_timeout: Duration::from_secs(5),
    });
    config.confirmation.lookup_schedule = vec![Duration::from_millis(10)];
    config
}

/// Waits until the alert is in `state` and returns its record.
pub async fn in_state(store: &Arc<dyn Store>, id: AlertId, state: AlertState) -> AlertRecord {
    eventually(&format!("alert {id} to be {state}"), || async {
        let record = store.get(id).await.expect("store readable")?;
        (record.state == state).then_some(record)
    })
    .await
}

/// Builds a valid OverOps NEW_EVENT alert whose summary, link and
/// deduplication key are unique to `n`.
pub fn alert_body(n: usize) -> String {
    serde_json::json!({
        "api_version": "0.2",
        "type": "ALERT",
        "date": 1_534_515_709_123_i64,
        "username": "owner@example.com",
        "service_id": "S38421",
        "service_name": "Production",
        "data": {
            "type": "NEW_EVENT",
            "summary": format!("NullPointerException number {n} in OrderService.placeOrder"),
            "view_name": "New Errors",
            "added_by": ["owner@example.com"],
            "data": {
                "type": "EXCEPTION",
                "link": format!("https://app.overops.com/tale.html?event=E{n}&source=45"),
                "server_name": "ip-10-0-1-17",
                "app_name": "orders-api",
                "deployment_name": "v2.31.0",
                "name": "NullPointerException",
                "is_caught": false,
                "message": null,
                "level": "ERROR"
            }
        }
    })
    .to_string()
}

/// Reply of the intake.
#[derive(Debug)]
pub struct IntakeReply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: serde_json::Value,
}

impl IntakeReply {
    /// Alert id from a 202 body.
    pub fn id(&self) -> AlertId {
        self.body["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no alert id in the reply {:?}", self.body))
    }
}

/// Posts `body` to `url` and returns the status and JSON body.
pub async fn post(url: &str, body: impl Into<reqwest::Body>) -> IntakeReply {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the intake responds");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap_or_default().to_owned());
    let text = response.text().await.expect("a readable body");
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    IntakeReply {
        status,
        retry_after,
        body,
    }
}

/// Polls `check` every 10 ms until it returns `Some`, failing the test after
/// [`WAIT_LIMIT`] with `what` in the message.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {WAIT_LIMIT:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the alert leaves the pending state and returns its record.
pub async fn settled(store: &Arc<dyn Store>, id: AlertId) -> AlertRecord {
    eventually("the alert to be delivered or dead", || async {
        let record = store.get(id).await.expect("store readable")?;
        (record.state != AlertState::Pending).then_some(record)
    })
    .await
}

/// Waits until the alert has at least `count` attempts recorded.
pub async fn attempts_at_least(store: &Arc<dyn Store>, id: AlertId, count: usize) -> AlertRecord {
    eventually(&format!("{count} attempts"), || async {
        let record = store.get(id).await.expect("store readable")?;
        (record.attempts.len() >= count).then_some(record)
    })
    .await
}

/// Store file of a test configuration.
pub fn store_path(dir: &TempDir) -> PathBuf {
    dir.path().join("relay.db")
}
