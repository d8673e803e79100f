//! Outbound webhooks sent to a test receiver whose status can be switched,
//! with retries shrunk to milliseconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use mock_xmatters::World;
use mock_xmatters::outbound::OutboundOptions;
use mock_xmatters::server::ServerOptions;
use mock_xmatters::world::{OutboundSubscription, WebhookTarget, WebhookTrigger};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// One received webhook: the `Authorization` header and the JSON body.
type Received = (Option<String>, Value);

/// A webhook receiver that responds with `failing_status` to the first
/// `failures` requests and 200 afterwards, and records every request.
#[derive(Clone, Default)]
struct Receiver {
    failures: Arc<AtomicUsize>,
    failing_status: Arc<Mutex<u16>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(failures: usize, failing_status: u16) -> (Self, String) {
        let receiver = Receiver::default();
        receiver.failures.store(failures, Ordering::SeqCst);
        *receiver.failing_status.lock().expect("lock") = failing_status;

        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> AxumStatus {
    let authorization = headers
        .get("authorization")
        .map(|value| value.to_str().expect("ascii").to_owned());
    receiver
        .received
        .lock()
        .expect("lock")
        .push((authorization, body.0));
    let failing = receiver
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if failing {
        AxumStatus::from_u16(*receiver.failing_status.lock().expect("lock")).expect("valid status")
    } else {
        AxumStatus::OK
    }
}

/// Builds the default world with webhooks of the given kinds to `url`.
fn world_with_webhooks(url: &str, triggers: &[WebhookTrigger]) -> World {
    let mut world = World::default_world();
    world.webhook_targets.push(WebhookTarget {
        name: "receiver".into(),
        url: url.into(),
        username: Some("xmatters".into()),
        password: Some("callback-secret".into()),
    });
    for trigger in triggers {
        world.forms[0].outbound.push(OutboundSubscription {
            trigger: *trigger,
            response: None,
            target: "receiver".into(),
        });
    }
    world.validate("test world").expect("valid world");
    world
}

fn fast_retries() -> ServerOptions {
    ServerOptions {
        outbound: OutboundOptions {
            retry_delays: vec![Duration::from_millis(10), Duration::from_millis(10)],
            request_timeout: Duration::from_secs(5),
        },
        ..ServerOptions::default()
    }
}

/// Creates an event and has alice acknowledge it; returns the event.
async fn acknowledge(server: &TestServer) -> Value {
    let event = server
        .create_event(json!({"Summary": "DB down", "App_Name": "orders-api"}))
        .await;
    server
        .hook_ok(
            Method::POST,
            "/mock/respond",
            Some(json!({"event": event["id"], "recipient": "alice", "device": "Work Email", "response": "Acknowledge"})),
        )
        .await;
    server.settle().await;
    event
}

fn webhook_results(timeline: &Value) -> Vec<Value> {
    timeline
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|entry| entry["type"] == "webhook_sent")
        .map(|entry| entry["result"].clone())
        .collect()
}

async fn timeline(server: &TestServer, event: &Value) -> Value {
    let id = event["id"].as_str().expect("id");
    server
        .hook_ok(Method::GET, &format!("/mock/events/{id}/timeline"), None)
        .await
}

#[tokio::test]
async fn response_webhook_reaches_receiver() {
    let (receiver, url) = Receiver::start(0, 500).await;
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Response]),
        fast_retries(),
    )
    .await;

    let event = acknowledge(&server).await;

    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let (authorization, body) = &received[0];
    assert_eq!(
        authorization.as_deref(),
        Some("Basic eG1hdHRlcnM6Y2FsbGJhY2stc2VjcmV0")
    );
    assert_eq!(
        body["eventIdentifier"].to_string(),
        event["eventId"].as_str().expect("eventId")
    );
    assert_eq!(body["recipient"], "alice");
    assert_eq!(body["device"], "Work Email");
    assert_eq!(body["response"], "Acknowledge");
    assert_eq!(body["annotation"], "null");
    assert_eq!(body["date"], "2026-01-01 09:00:00.000");
    assert_eq!(
        body["eventProperties"],
        json!([{"App_Name": "orders-api"}, {"Summary": "DB down"}])
    );
}

#[tokio::test]
async fn webhook_retries_until_receiver_recovers() {
    let (receiver, url) = Receiver::start(2, 503).await;
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Response]),
        fast_retries(),
    )
    .await;

    let event = acknowledge(&server).await;

    assert_eq!(receiver.received().len(), 3);
    let results = webhook_results(&timeline(&server, &event).await);
    assert_eq!(
        results,
        [json!({"answered": {"status": 200, "attempts": 3}})]
    );
}

#[tokio::test]
async fn webhook_gives_up_after_schedule() {
    let (receiver, url) = Receiver::start(usize::MAX, 500).await;
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Response]),
        fast_retries(),
    )
    .await;

    let event = acknowledge(&server).await;

    assert_eq!(receiver.received().len(), 3);
    let results = webhook_results(&timeline(&server, &event).await);
    assert_eq!(
        results,
        [json!({"answered": {"status": 500, "attempts": 3}})]
    );
}

#[tokio::test]
async fn webhook_client_error_is_not_retried() {
    let (receiver, url) = Receiver::start(1, 404).await;
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Response]),
        fast_retries(),
    )
    .await;

    let event = acknowledge(&server).await;

    assert_eq!(receiver.received().len(), 1);
    let results = webhook_results(&timeline(&server, &event).await);
    assert_eq!(
        results,
        [json!({"answered": {"status": 404, "attempts": 1}})]
    );
}

#[tokio::test]
async fn webhook_to_closed_port_fails() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    drop(listener);
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Response]),
        fast_retries(),
    )
    .await;

    let event = acknowledge(&server).await;

    let results = webhook_results(&timeline(&server, &event).await);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["failed"]["attempts"], 3);
    let error = results[0]["failed"]["error"].as_str().expect("error text");
    assert!(error.starts_with("connection failed"), "{error}");
}

#[tokio::test]
async fn status_webhook_on_termination() {
    let (receiver, url) = Receiver::start(0, 500).await;
    let server = TestServer::with_options(
        world_with_webhooks(&url, &[WebhookTrigger::Status]),
        fast_retries(),
    )
    .await;
    let event = server.create_event(json!({"Summary": "DB down"})).await;

    server
        .post(
            "/api/xm/1/events",
            &json!({"id": event["id"], "status": "TERMINATED"}),
        )
        .await;
    server.settle().await;

    let bodies: Vec<Value> = receiver
        .received()
        .into_iter()
        .map(|(_, body)| body)
        .collect();
    let statuses: Vec<&Value> = bodies
        .iter()
        .filter_map(|body| body.get("status"))
        .collect();
    assert_eq!(
        statuses,
        [&json!("active"), &json!("terminated")],
        "{bodies:?}"
    );
}

#[tokio::test]
async fn legacy_trigger_callbacks_receive_responses() {
    let (receiver, url) = Receiver::start(0, 500).await;
    let server = TestServer::with_options(World::default_world(), fast_retries()).await;
    let path = format!(
        "/reapi/2015-04-01/forms/{}/triggers",
        server.server.world().form(FORM).expect("form").uuid
    );
    let trigger = json!({
        "properties": {"Summary": "DB down"},
        "callbacks": [{"url": url, "type": "response", "authType": "basic", "authUserName": "cb", "authPassword": "pw"}]
    });

    let (status, created) = json_body(server.post(&path, &trigger).await).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{created}");
    server
        .hook_ok(
            Method::POST,
            "/mock/respond",
            Some(json!({"event": created["id"], "recipient": "alice", "response": "Acknowledge", "comment": "mine"})),
        )
        .await;
    server.settle().await;

    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].0.as_deref(), Some("Basic Y2I6cHc="));
    assert_eq!(received[0].1["eventIdentifier"], created["id"]);
    assert_eq!(received[0].1["annotation"], "mine");
}
