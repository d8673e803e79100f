//! Fault injection per endpoint, and the rate limit.

use std::time::Duration;

use mock_xmatters::World;
use mock_xmatters::server::ServerOptions;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

async fn install(server: &TestServer, plan: serde_json::Value) {
    server
        .hook_ok(Method::POST, "/mock/faults", Some(plan))
        .await;
}

#[tokio::test]
async fn status_faults_fail_then_pass() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "trigger", "sequence": [{"status": 503, "times": 2}], "then": "pass"}),
    )
    .await;
    let body = json!({"properties": {"Summary": "x"}});

    let first = json_body(server.post_trigger(RELAY_INTEGRATION, &body).await).await;
    let second = server.post_trigger(RELAY_INTEGRATION, &body).await.status();
    let third = server.post_trigger(RELAY_INTEGRATION, &body).await.status();
    server.settle().await;

    assert_eq!(first.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(first.1["subcode"], "mock.injected_fault");
    assert!(assert_error_object(&first.1, 503).contains("step 1"));
    assert_eq!(second, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(third, StatusCode::ACCEPTED);
    assert_eq!(
        server.activity().await.len(),
        1,
        "failed triggers are not processed"
    );
}

#[tokio::test]
async fn fault_429_carries_retry_after_and_custom_body() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "events", "sequence": [{"status": 429, "retry_after": 2}, {"status": 502, "body": "<html>Bad gateway</html>"}]}),
    )
    .await;

    let limited = server.get("/api/xm/1/events").await;
    let gateway = server.get("/api/xm/1/events").await;
    let passed = server.get("/api/xm/1/events").await;

    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "2");
    assert_eq!(gateway.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        gateway.text().await.expect("text"),
        "<html>Bad gateway</html>"
    );
    assert_eq!(passed.status(), StatusCode::OK);
}

#[tokio::test]
async fn faults_apply_only_to_their_endpoint() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "audits", "sequence": [{"status": 500}]}),
    )
    .await;

    let events = server.get("/api/xm/1/events").await.status();
    let audits = server.get("/api/xm/1/audits?eventId=1").await.status();

    assert_eq!(events, StatusCode::OK);
    assert_eq!(audits, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn reset_fault_drops_connection_with_rst() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "events", "sequence": [{"reset": true}]}),
    )
    .await;
    let address = server.server.address();

    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream
        .write_all(b"GET /api/xm/1/events HTTP/1.1\r\nHost: test\r\nAuthorization: Basic cmVsYXk6cmVsYXktZGVtby1wYXNzd29yZA==\r\n\r\n")
        .await
        .expect("request written");
    let mut buffer = Vec::new();
    let read = stream.read_to_end(&mut buffer).await;

    let error = read.expect_err("the connection is reset, not closed");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
    assert!(
        buffer.is_empty(),
        "no response bytes: {:?}",
        String::from_utf8_lossy(&buffer)
    );
    let journal = server.hook_ok(Method::GET, "/mock/journal", None).await;
    assert_eq!(journal["entries"][0]["outcome"], "reset");
    assert_eq!(journal["entries"][0]["status"], serde_json::Value::Null);
    assert_eq!(journal["entries"][0]["fault"], "events step 1");
}

#[tokio::test]
async fn reset_fault_is_a_client_error() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "trigger", "sequence": [{"reset": true}]}),
    )
    .await;

    let result = server
        .client
        .post(
            server
                .server
                .trigger_url(RELAY_INTEGRATION)
                .expect("integration"),
        )
        .json(&json!({"properties": {}}))
        .send()
        .await;

    let error = result.expect_err("no response");
    assert!(error.status().is_none());
    assert!(error.is_request() || error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn delay_fault_trips_client_timeout() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "events", "sequence": [{"delay_ms": 2000}]}),
    )
    .await;

    let result = server
        .client
        .get(server.url("/api/xm/1/events"))
        .basic_auth("relay", Some("relay-demo-password"))
        .timeout(Duration::from_millis(100))
        .send()
        .await;

    assert!(result.expect_err("times out").is_timeout());
}

#[tokio::test]
async fn shutdown_drops_delayed_request_after_grace() {
    let options = ServerOptions {
        shutdown_grace: Duration::from_millis(50),
        ..ServerOptions::default()
    };
    let TestServer { server, client } =
        TestServer::with_options(World::default_world(), options).await;
    let faults_url = format!("{}/mock/faults", server.base_url());
    let plan = json!({"endpoint": "events", "sequence": [{"delay_ms": 600_000}]});
    let installed = client.post(&faults_url).json(&plan).send().await;
    assert!(installed.expect("hook answers").status().is_success());

    // A client without a timeout, which waits as long as the server lets it.
    let patient_client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds");
    let delayed = patient_client
        .get(format!("{}/api/xm/1/events", server.base_url()))
        .basic_auth("relay", Some("relay-demo-password"))
        .send();
    let delayed = tokio::spawn(delayed);
    // The sequence is removed once the delayed request has taken its step.
    let mut step_taken = false;
    for _ in 0..500 {
        let faults: serde_json::Value = client
            .get(&faults_url)
            .send()
            .await
            .expect("hook answers")
            .json()
            .await
            .expect("JSON body");
        if faults["faults"].as_array().is_some_and(Vec::is_empty) {
            step_taken = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(
        step_taken,
        "the delayed request never reached its fault step"
    );

    // The bound only detects a hang: the grace period is 50 ms.
    let stopped = tokio::time::timeout(Duration::from_secs(10), server.shutdown()).await;

    assert!(
        matches!(stopped, Ok(Ok(()))),
        "the server stopped: {stopped:?}"
    );
    delayed.abort();
}

#[tokio::test]
async fn abandoned_request_is_journaled() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "events", "sequence": [{"delay_ms": 60_000}]}),
    )
    .await;

    let result = server
        .client
        .get(server.url("/api/xm/1/events"))
        .basic_auth("relay", Some("relay-demo-password"))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(result.expect_err("times out").is_timeout());

    // The server notices the closed connection shortly after the client.
    let mut entries = Vec::new();
    for _ in 0..200 {
        let journal = server.hook_ok(Method::GET, "/mock/journal", None).await;
        entries = journal["entries"].as_array().cloned().unwrap_or_default();
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["path"], "/api/xm/1/events");
    assert_eq!(entries[0]["outcome"], "abandoned");
    assert_eq!(entries[0]["status"], serde_json::Value::Null);
}

#[tokio::test]
async fn faults_hook_lists_and_clears() {
    let server = TestServer::start().await;
    install(
        &server,
        json!({"endpoint": "trigger", "sequence": [{"status": 500, "times": 3}]}),
    )
    .await;
    install(
        &server,
        json!({"endpoint": "events", "sequence": [{"status": 500}], "then": "repeat"}),
    )
    .await;

    let listed = server.hook_ok(Method::GET, "/mock/faults", None).await;
    let after_one = server
        .hook_ok(Method::DELETE, "/mock/faults?endpoint=trigger", None)
        .await;
    let after_all = server.hook_ok(Method::DELETE, "/mock/faults", None).await;

    assert_eq!(listed["faults"].as_array().expect("faults").len(), 2);
    assert_eq!(listed["faults"][0]["endpoint"], "trigger");
    assert_eq!(listed["faults"][0]["remaining_in_step"], 3);
    assert_eq!(after_one["faults"].as_array().expect("faults").len(), 1);
    assert_eq!(after_one["faults"][0]["endpoint"], "events");
    assert_eq!(after_all["faults"], json!([]));
}

#[tokio::test]
async fn faults_hook_rejects_invalid_plans() {
    let server = TestServer::start().await;

    let cases = [
        json!({"endpoint": "nowhere", "sequence": []}),
        json!({"endpoint": "trigger", "sequence": [{"status": 200}]}),
        json!({"endpoint": "trigger", "sequence": [{"status": 500, "reset": true}]}),
        json!({"endpoint": "trigger", "sequence": [{"status": 500}], "then": "explode"}),
    ];
    for plan in cases {
        let (status, body) = server
            .hook(Method::POST, "/mock/faults", Some(plan.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{plan}");
        assert_error_object(&body, 400);
    }
    let (status, _) = server
        .hook(Method::DELETE, "/mock/faults?endpoint=nowhere", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let mut world = World::default_world();
    world.rate_limit.limit = 2;
    world.rate_limit.period_seconds = 60;
    let server = TestServer::with_world(world).await;

    let first = server.get("/api/xm/1/events").await;
    let second = server.get("/api/xm/1/events").await;
    let third = server.get("/api/xm/1/events").await;

    assert_eq!(first.headers()["x-ratelimit-limit"], "2");
    assert_eq!(first.headers()["x-ratelimit-period_in_sec"], "60");
    assert_eq!(first.headers()["x-ratelimit-used"], "1");
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.headers()["x-ratelimit-used"], "2");
    assert!(third.headers().get("retry-after").is_none());
    let (_, body) = json_body(third).await;
    assert!(assert_error_object(&body, 429).contains("2 requests per 60 seconds"));
}

#[tokio::test]
async fn rate_limit_window_rolls_with_simulated_clock() {
    let mut world = World::default_world();
    world.rate_limit.limit = 1;
    let server = TestServer::with_world(world).await;
    server.get("/api/xm/1/events").await;
    assert_eq!(
        server.get("/api/xm/1/events").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    server.advance(60).await;

    assert_eq!(
        server.get("/api/xm/1/events").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn hooks_are_not_rate_limited() {
    let mut world = World::default_world();
    world.rate_limit.limit = 1;
    let server = TestServer::with_world(world).await;

    for _ in 0..3 {
        let (status, _) = server.hook(Method::GET, "/mock/clock", None).await;
        assert_eq!(status, StatusCode::OK);
    }
}
