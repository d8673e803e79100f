//! A client for the `/mock` hooks of mock-xmatters: move the clock,
//! respond as a recipient, install faults and read what the simulator saw
//! and did.
//!
//! The hooks are not journaled, so reading through them leaves the
//! request journal showing only what the relay sent.

use std::time::Duration;

use serde_json::{Value, json};

/// Maximum time one `/mock/settle` call waits for queued triggers and
/// webhooks, in milliseconds.
const SETTLE_TIMEOUT_MS: u64 = 10_000;

/// A failed call to the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// The request did not get a response.
    #[error("request {method} {path} to mock-xmatters failed: {source}")]
    Request {
        /// HTTP method.
        method: &'static str,
        /// Path of the hook.
        path: String,
        /// Transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The simulator responded with an error status.
    #[error("mock-xmatters responded {status} to {method} {path}: {body}")]
    Status {
        /// HTTP method.
        method: &'static str,
        /// Path of the hook.
        path: String,
        /// Response status.
        status: u16,
        /// Response body, which names the problem.
        body: String,
    },
}

/// The `/mock` hooks of one simulator, reached over HTTP.
#[derive(Clone, Debug)]
pub struct SimulatorClient {
    base_url: String,
    http: reqwest::Client,
}

impl SimulatorClient {
    /// Creates a client for the simulator at `base_url`, such as
    /// `http://127.0.0.1:41234`.
    pub fn new(base_url: impl Into<String>, http: reqwest::Client) -> Self {
        Self {
            base_url: base_url.into(),
            http,
        }
    }

    /// Returns the URL of the simulator root.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Moves simulated time forward by `by`, firing every escalation and
    /// expiry due on the way. Returns the new simulated time.
    pub async fn advance(&self, by: Duration) -> Result<String, SimulatorError> {
        let body = json!({ "seconds": by.as_secs() });
        let reply = self.post("/mock/clock/advance", &body).await?;
        Ok(reply["now"].as_str().unwrap_or_default().to_owned())
    }

    /// Returns the simulated time.
    pub async fn now(&self) -> Result<String, SimulatorError> {
        let reply = self.get("/mock/clock").await?;
        Ok(reply["now"].as_str().unwrap_or_default().to_owned())
    }

    /// Responds to event `event_id` as `recipient` with the option text
    /// `response`, from the device that was notified last. Returns what the
    /// response did: who was notified at once, which groups stopped, and
    /// whether the engine ignored it.
    pub async fn respond(
        &self,
        event_id: u64,
        recipient: &str,
        response: &str,
    ) -> Result<Value, SimulatorError> {
        let body = json!({ "event": event_id, "recipient": recipient, "response": response });
        self.post("/mock/respond", &body).await
    }

    /// Installs a fault sequence, in the `/mock/faults` format:
    /// `{"endpoint": "trigger", "sequence": [{"status": 500, "times": 3}]}`.
    pub async fn install_faults(&self, plan: &Value) -> Result<(), SimulatorError> {
        self.post("/mock/faults", plan).await.map(drop)
    }

    /// Removes every fault sequence.
    pub async fn clear_faults(&self) -> Result<(), SimulatorError> {
        let path = "/mock/faults";
        let response = self
            .http
            .delete(self.url(path))
            .send()
            .await
            .map_err(|source| request_error("DELETE", path, source))?;
        read_json("DELETE", path, response).await.map(drop)
    }

    /// Waits until every trigger the simulator accepted is processed and
    /// every webhook it queued is sent.
    pub async fn settle(&self) -> Result<(), SimulatorError> {
        let body = json!({ "timeout_ms": SETTLE_TIMEOUT_MS });
        self.post("/mock/settle", &body).await.map(drop)
    }

    /// Returns the API requests the simulator received, oldest first.
    pub async fn journal(&self) -> Result<Vec<Value>, SimulatorError> {
        let reply = self.get("/mock/journal").await?;
        Ok(array(&reply["entries"]))
    }

    /// Returns the outcome of each inbound trigger, oldest first.
    pub async fn activity(&self) -> Result<Vec<Value>, SimulatorError> {
        let reply = self.get("/mock/activity").await?;
        Ok(array(&reply["entries"]))
    }

    /// Returns the numeric ids of the events created from triggers, in the
    /// order the triggers were processed.
    pub async fn event_ids(&self) -> Result<Vec<u64>, SimulatorError> {
        let activity = self.activity().await?;
        Ok(activity
            .iter()
            .filter_map(|entry| entry["event"]["eventId"].as_u64())
            .collect())
    }

    /// Returns one event's timeline, in the order things happened.
    pub async fn timeline(&self, event_id: u64) -> Result<Vec<Value>, SimulatorError> {
        let reply = self
            .get(&format!("/mock/events/{event_id}/timeline"))
            .await?;
        Ok(array(&reply))
    }

    /// Returns every event's timeline entries merged in the order they
    /// happened.
    pub async fn full_timeline(&self) -> Result<Vec<Value>, SimulatorError> {
        let reply = self.get("/mock/timeline").await?;
        Ok(array(&reply))
    }

    async fn get(&self, path: &str) -> Result<Value, SimulatorError> {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .map_err(|source| request_error("GET", path, source))?;
        read_json("GET", path, response).await
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, SimulatorError> {
        let response = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .map_err(|source| request_error("POST", path, source))?;
        read_json("POST", path, response).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

fn request_error(method: &'static str, path: &str, source: reqwest::Error) -> SimulatorError {
    SimulatorError::Request {
        method,
        path: path.to_owned(),
        source,
    }
}

async fn read_json(
    method: &'static str,
    path: &str,
    response: reqwest::Response,
) -> Result<Value, SimulatorError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|source| request_error(method, path, source))?;
    if !status.is_success() {
        return Err(SimulatorError::Status {
            method,
            path: path.to_owned(),
            status: status.as_u16(),
            body: text,
        });
    }
    // Hooks respond with JSON. Any other body is returned as a string.
    Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn array(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}
