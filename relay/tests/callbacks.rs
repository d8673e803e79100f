//! xMatters callbacks over real HTTP: each type recorded on its alert,
//! unknown events stored with a 2xx response, credentials checked, and the
//! alert's story served to operators.

mod harness;

use harness::{TOKEN, alert_body, config, in_state, post, start, with_confirmation};
use relay::config::Config;
use relay::config::service::Secret;
use relay::server::Relay;
use relay::store::{AlertId, AlertState, CallbackKind};
use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALLBACK_TOKEN: &str = "callback-token-0123456789";
const CALLBACK_USER: &str = "xmatters";
const CALLBACK_PASSWORD: &str = "callback-password-0123456789";
const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef";
const EVENT_ID: u64 = 1_316_001;

/// xMatters that accepts every trigger as `req-1` and finds its event
/// [`EVENT_ID`] at once.
async fn xmatters() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"requestId": "req-1"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/xm/1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 1, "total": 1,
            "data": [{"id": "6f1e2d3c-0000-4000-8000-000000000001",
                      "eventId": EVENT_ID.to_string(), "requestId": "req-1",
                      "status": "ACTIVE"}]
        })))
        .mount(&server)
        .await;
    server
}

fn callback_config(dir: &TempDir, xmatters: &MockServer) -> Config {
    let mut config = with_confirmation(config(dir, &xmatters.uri()), &xmatters.uri());
    config.callbacks.tokens = vec![Secret::new(CALLBACK_TOKEN)];
    config.callbacks.username = Some(CALLBACK_USER.to_owned());
    config.callbacks.password = Some(Secret::new(CALLBACK_PASSWORD));
    config.admin.tokens = vec![Secret::new(ADMIN_TOKEN)];
    config
}

/// Sends one alert and waits until its event is confirmed.
async fn confirmed_alert(relay: &Relay) -> AlertId {
    let reply = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    in_state(&relay.store(), reply.id(), AlertState::Confirmed).await;
    reply.id()
}

fn callback_url(relay: &Relay, token: &str) -> String {
    format!("http://{}/xmatters/callback/{token}", relay.local_addr())
}

fn basic_url(relay: &Relay) -> String {
    format!("http://{}/xmatters/callback", relay.local_addr())
}

/// Response status and JSON body.
async fn send(request: reqwest::RequestBuilder) -> (u16, Value, Option<String>) {
    let response = request.send().await.expect("the relay responds");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, challenge)
}

async fn post_callback(url: &str, body: &Value) -> (u16, Value) {
    let (status, body, _) = send(reqwest::Client::new().post(url).json(body)).await;
    (status, body)
}

fn response_body(annotation: &str) -> Value {
    json!({
        "eventIdentifier": EVENT_ID,
        "date": "2019-11-12 16:54:37.656",
        "recipient": "mmcbride",
        "device": "Work Email",
        "response": "Acknowledge",
        "annotation": annotation,
        "eventProperties": [{"Summary": "DB down"}, {"App_Name": "orders-api"}]
    })
}

fn status_body() -> Value {
    json!({
        "eventIdentifier": EVENT_ID,
        "date": "2019-11-12 17:10:00.000",
        "status": "terminated",
        "eventProperties": [{"Summary": "DB down"}]
    })
}

fn delivery_status_body() -> Value {
    json!({
        "eventIdentifier": EVENT_ID,
        "date": "2019-11-12 16:54:30.001",
        "recipient": "mmcbride",
        "device": "Mobile Phone",
        "deviceId": 2001,
        "deliveryStatus": "Delivered",
        "message": "Notification delivered",
        "eventType": "Notification",
        "eventProperties": []
    })
}

async fn admin_get(relay: &Relay, id: &str, token: Option<&str>) -> (u16, Value, Option<String>) {
    let url = format!("http://{}/alerts/{id}", relay.local_addr());
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    send(request).await
}

#[tokio::test]
async fn response_is_recorded_on_its_alert() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let id = confirmed_alert(&relay).await;

    let (status, body) = post_callback(
        &callback_url(&relay, CALLBACK_TOKEN),
        &response_body("on it, restarting the pool"),
    )
    .await;
    let record = relay
        .store()
        .get(id)
        .await
        .expect("readable")
        .expect("stored");

    assert_eq!(status, 202, "{body}");
    assert_eq!(body["alert"], id.to_string());
    assert_eq!(record.callbacks.len(), 1);
    let callback = &record.callbacks[0];
    assert_eq!(callback.kind, CallbackKind::Response);
    assert_eq!(callback.alert_id, Some(id));
    assert_eq!(callback.recipient.as_deref(), Some("mmcbride"));
    assert_eq!(callback.device.as_deref(), Some("Work Email"));
    assert_eq!(callback.response.as_deref(), Some("Acknowledge"));
    assert_eq!(
        callback.comment.as_deref(),
        Some("on it, restarting the pool")
    );
    assert_eq!(
        callback.occurred_at,
        Some("2019-11-12T16:54:37.656Z".parse().expect("valid time"))
    );
    assert_eq!(callback.event_properties["App_Name"], "orders-api");
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn every_callback_type_tells_the_story() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let id = confirmed_alert(&relay).await;
    let client = reqwest::Client::new();

    for body in [delivery_status_body(), response_body("null"), status_body()] {
        let request = client
            .post(basic_url(&relay))
            .basic_auth(CALLBACK_USER, Some(CALLBACK_PASSWORD))
            .json(&body);
        let (status, reply, _) = send(request).await;
        assert_eq!(status, 202, "{reply}");
    }
    let (status, story, _) = admin_get(&relay, &id.to_string(), Some(ADMIN_TOKEN)).await;

    assert_eq!(status, 200, "{story}");
    assert_eq!(story["state"], "confirmed");
    assert_eq!(story["confirmation"]["event"]["event_id"], "1316001");
    let kinds: Vec<&str> = story["callbacks"]
        .as_array()
        .expect("callbacks")
        .iter()
        .map(|callback| callback["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, vec!["DELIVERYSTATUS", "RESPONSE", "STATUS"]);
    assert_eq!(story["callbacks"][1]["comment"], Value::Null);
    let steps: Vec<&str> = story["story"]
        .as_array()
        .expect("story steps")
        .iter()
        .map(|step| step["step"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        steps,
        vec![
            "received",
            "mapped",
            "attempt",
            "delivered",
            "confirmed",
            "notified",
            "responded",
            "status"
        ]
    );
    let details: Vec<&str> = story["story"]
        .as_array()
        .expect("story steps")
        .iter()
        .map(|step| step["detail"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        details[5],
        "notification to mmcbride on Mobile Phone: Delivered (Notification delivered)"
    );
    assert_eq!(details[6], "mmcbride on Work Email responded Acknowledge");
    assert_eq!(details[7], "event 1316001 is terminated");
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unknown_event_is_stored_and_answered_2xx() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let mut body = response_body("null");
    body["eventIdentifier"] = json!(424242);

    let (status, reply) = post_callback(&callback_url(&relay, CALLBACK_TOKEN), &body).await;
    let unmatched = relay
        .store()
        .list_callbacks(true, 10)
        .await
        .expect("listable");

    assert_eq!(status, 202, "{reply}");
    assert_eq!(reply["alert"], Value::Null);
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].event_id, "424242");
    assert_eq!(unmatched[0].alert_id, None);
    let metrics = relay.metrics().render();
    assert!(
        metrics.contains("relay_callbacks_unmatched_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("relay_callbacks_total{kind=\"RESPONSE\"} 1"),
        "{metrics}"
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn callback_before_confirmation_is_matched_later() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"requestId": "req-1"})))
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let reply = post(&relay.intake_url(TOKEN), alert_body(2)).await;
    in_state(&relay.store(), reply.id(), AlertState::Delivered).await;

    let (status, early) = post_callback(
        &callback_url(&relay, CALLBACK_TOKEN),
        &delivery_status_body(),
    )
    .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "6f1e2d3c-0000-4000-8000-000000000002",
                      "eventId": EVENT_ID.to_string(), "requestId": "req-1"}]
        })))
        .mount(&xmatters)
        .await;
    let record = in_state(&relay.store(), reply.id(), AlertState::Confirmed).await;

    assert_eq!(status, 202);
    assert_eq!(early["alert"], Value::Null);
    assert_eq!(record.callbacks.len(), 1);
    assert_eq!(record.callbacks[0].alert_id, Some(reply.id()));
    let unmatched = relay
        .store()
        .list_callbacks(true, 10)
        .await
        .expect("listable");
    assert!(unmatched.is_empty(), "{unmatched:?}");
    let story = relay::story::Story::load(relay.store().as_ref(), reply.id())
        .await
        .expect("readable")
        .expect("stored");
    let steps: Vec<&str> = story.story.iter().map(|step| step.step).collect();
    assert_eq!(
        steps,
        vec![
            "received",
            "mapped",
            "attempt",
            "delivered",
            "notified",
            "confirmed"
        ],
        "{:#?}",
        story.story
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn bad_credentials_get_401_and_nothing_is_stored() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let client = reqwest::Client::new();
    let body = status_body();

    let wrong_token =
        post_callback(&callback_url(&relay, "callback-token-0123456780"), &body).await;
    let (no_basic, _, challenge) = send(client.post(basic_url(&relay)).json(&body)).await;
    let (wrong_password, _, _) = send(
        client
            .post(basic_url(&relay))
            .basic_auth(CALLBACK_USER, Some("callback-password-0123456780"))
            .json(&body),
    )
    .await;
    let (wrong_user, _, _) = send(
        client
            .post(basic_url(&relay))
            .basic_auth("someone", Some(CALLBACK_PASSWORD))
            .json(&body),
    )
    .await;
    let stored = relay
        .store()
        .list_callbacks(false, 10)
        .await
        .expect("listable");

    assert_eq!(wrong_token.0, 401, "{}", wrong_token.1);
    assert!(
        wrong_token.1["error"]
            .as_str()
            .is_some_and(|error| error.contains("[callbacks]")),
        "{}",
        wrong_token.1
    );
    assert_eq!(no_basic, 401);
    assert_eq!(
        challenge.as_deref(),
        Some("Basic realm=\"relay callbacks\"")
    );
    assert_eq!(wrong_password, 401);
    assert_eq!(wrong_user, 401);
    assert!(stored.is_empty(), "{stored:?}");
    assert!(
        relay
            .metrics()
            .render()
            .contains("relay_callbacks_unauthorized_total 4")
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unreadable_callback_gets_400() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let url = callback_url(&relay, CALLBACK_TOKEN);

    let (not_json, _, _) = send(reqwest::Client::new().post(&url).body("not json")).await;
    let (no_event, reply) = post_callback(&url, &json!({"status": "active"})).await;

    assert_eq!(not_json, 400);
    assert_eq!(no_event, 400);
    assert!(
        reply["error"]
            .as_str()
            .is_some_and(|error| error.contains("eventIdentifier")),
        "{reply}"
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn callbacks_and_admin_are_off_without_credentials() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let (callback, reply) =
        post_callback(&callback_url(&relay, CALLBACK_TOKEN), &status_body()).await;
    let (admin, _, _) =
        admin_get(&relay, &AlertId::generate().to_string(), Some(ADMIN_TOKEN)).await;

    assert_eq!(callback, 404);
    assert!(
        reply["error"]
            .as_str()
            .is_some_and(|error| error.contains("callbacks.tokens")),
        "{reply}"
    );
    assert_eq!(admin, 404);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn alert_story_needs_the_admin_token() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(callback_config(&dir, &xmatters)).await;
    let id = confirmed_alert(&relay).await.to_string();

    let (missing, _, challenge) = admin_get(&relay, &id, None).await;
    let (wrong, _, _) = admin_get(&relay, &id, Some("admin-token-0123456789abcdeX")).await;
    let (intake_token, _, _) = admin_get(&relay, &id, Some(TOKEN)).await;
    let (unknown, _, _) =
        admin_get(&relay, &AlertId::generate().to_string(), Some(ADMIN_TOKEN)).await;
    let (malformed, _, _) = admin_get(&relay, "not-an-id", Some(ADMIN_TOKEN)).await;
    let (found, story, _) = admin_get(&relay, &id, Some(ADMIN_TOKEN)).await;

    assert_eq!(missing, 401);
    assert_eq!(challenge.as_deref(), Some("Bearer realm=\"relay admin\""));
    assert_eq!(wrong, 401);
    assert_eq!(intake_token, 401);
    assert_eq!(unknown, 404);
    assert_eq!(malformed, 400);
    assert_eq!(found, 200);
    assert_eq!(story["id"], id);
    assert_eq!(story["request_id"], "req-1");
    relay.shutdown().await.expect("clean shutdown");
}
