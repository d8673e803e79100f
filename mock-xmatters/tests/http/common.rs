//! A simulator per test and a client with the default world's credentials.

use std::time::Duration;

use mock_xmatters::World;
use mock_xmatters::server::{MockXmatters, ServerOptions};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

pub const RELAY_INTEGRATION: &str = "OverOps relay";
pub const ORIGINAL_INTEGRATION: &str = "OverOps original script";
pub const FORM: &str = "New Exception";

/// A running simulator with an HTTP client for it.
pub struct TestServer {
    pub server: MockXmatters,
    pub client: reqwest::Client,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with_world(World::default_world()).await
    }

    pub async fn with_world(world: World) -> Self {
        Self::with_options(world, ServerOptions::default()).await
    }

    pub async fn with_options(world: World, options: ServerOptions) -> Self {
        let server = MockXmatters::start(world, options)
            .await
            .expect("server starts");
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client builds");
        TestServer { server, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    fn rest_user(&self) -> (String, String) {
        let user = &self.server.world().rest_users[0];
        (user.username.clone(), user.password.clone())
    }

    /// Sends a body to an integration's trigger URL (with its apiKey).
    pub async fn post_trigger(&self, integration: &str, body: &Value) -> Response {
        let url = self
            .server
            .trigger_url(integration)
            .expect("integration exists");
        self.client
            .post(url)
            .json(body)
            .send()
            .await
            .expect("trigger request sent")
    }

    /// Triggers, waits for processing and returns the `requestId`.
    pub async fn trigger(&self, integration: &str, body: &Value) -> String {
        let response = self.post_trigger(integration, body).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.expect("JSON body");
        self.settle().await;
        body["requestId"]
            .as_str()
            .expect("requestId is a string")
            .to_owned()
    }

    /// Creates an event through the relay integration and returns it as
    /// `GET /api/xm/1/events?requestId=` shows it.
    pub async fn create_event(&self, properties: Value) -> Value {
        let request_id = self
            .trigger(RELAY_INTEGRATION, &json!({ "properties": properties }))
            .await;
        let page = self
            .get_json(&format!("/api/xm/1/events?requestId={request_id}"))
            .await;
        assert_eq!(
            page["count"], 1,
            "one event for request {request_id}: {page}"
        );
        page["data"][0].clone()
    }

    pub async fn get(&self, path: &str) -> Response {
        let (user, password) = self.rest_user();
        self.client
            .get(self.url(path))
            .basic_auth(user, Some(password))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs a REST path with Basic auth and expects 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        let (user, password) = self.rest_user();
        self.client
            .post(self.url(path))
            .basic_auth(user, Some(password))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a `/mock` hook (no credentials) and returns status and JSON.
    pub async fn hook(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("hook request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn hook_ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.hook(method, path, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// Waits until queued triggers and webhooks are done.
    pub async fn settle(&self) {
        self.hook_ok(
            reqwest::Method::POST,
            "/mock/settle",
            Some(json!({ "timeout_ms": 10_000 })),
        )
        .await;
    }

    pub async fn advance(&self, seconds: u64) -> Value {
        let body = self
            .hook_ok(
                reqwest::Method::POST,
                "/mock/clock/advance",
                Some(json!({ "seconds": seconds })),
            )
            .await;
        self.settle().await;
        body
    }

    pub async fn activity(&self) -> Vec<Value> {
        let body = self
            .hook_ok(reqwest::Method::GET, "/mock/activity", None)
            .await;
        body["entries"].as_array().expect("entries array").clone()
    }
}

/// Reads a JSON body, failing with the status when it is not JSON.
pub async fn json_body(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body read");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
    (status, body)
}

/// Checks the REST error object shape and returns its message.
pub fn assert_error_object(body: &Value, code: u16) -> String {
    assert_eq!(body["code"], code, "error body {body}");
    assert!(body["reason"].is_string(), "reason in {body}");
    body["message"]
        .as_str()
        .expect("message is a string")
        .to_owned()
}

/// Returns a raw OverOps NEW_EVENT webhook, as OverOps posts it.
pub fn overops_webhook() -> Value {
    json!({
        "api_version": "0.2",
        "type": "ALERT",
        "date": 1_534_515_709_123_i64,
        "username": "owner@example.com",
        "service_id": "S38421",
        "service_name": "Production",
        "data": {
            "type": "NEW_EVENT",
            "summary": "NullPointerException in OrderService.placeOrder(117)",
            "view_name": "New Errors",
            "added_by": ["owner@example.com"],
            "data": {
                "type": "EXCEPTION",
                "link": "https://app.overops.com/tale.html?event=UzM4NDIxIzQ1IzE-&source=45",
                "server_name": "ip-10-0-1-17",
                "app_name": "orders-api",
                "name": "NullPointerException",
                "is_caught": false,
                "message": null
            }
        }
    })
}
