//! Delivery against a wiremock-scripted xMatters: success, retries,
//! rate limits, permanent failures, timeouts and restarts.

mod harness;

use std::time::Duration;

use harness::{API_KEY, TRIGGER_PATH, alert_body, attempts_at_least, config, post, settled, start};
use relay::store::{AlertRecord, AlertState};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn accepted(request_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": request_id}))
}

/// Starts a scripted xMatters that responds with `first` to the first
/// `times` triggers and accepts every later one with `request_id`.
async fn xmatters_answering_first(
    first: ResponseTemplate,
    times: u64,
    request_id: &str,
) -> MockServer {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&xmatters)
        .await;
    Mock::given(method("POST"))
        .respond_with(accepted(request_id))
        .mount(&xmatters)
        .await;
    xmatters
}

fn statuses(record: &AlertRecord) -> Vec<Option<u16>> {
    record
        .attempts
        .iter()
        .map(|attempt| attempt.status)
        .collect()
}

fn gap(record: &AlertRecord, first: usize) -> Duration {
    let earlier = record.attempts[first].started_at;
    let later = record.attempts[first + 1].started_at;
    Duration::try_from(later.duration_since(earlier)).unwrap_or_default()
}

#[tokio::test]
async fn accepted_trigger_is_delivered_once() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TRIGGER_PATH))
        .and(query_param("apiKey", API_KEY))
        .respond_with(accepted("5f6a9c1e-0000-4000-8000-000000000001"))
        .expect(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(1)).await;
    assert_eq!(reply.status, 202, "{:?}", reply.body);
    assert_eq!(reply.body["duplicate"], false);
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(
        record.request_id.as_deref(),
        Some("5f6a9c1e-0000-4000-8000-000000000001")
    );
    assert_eq!(statuses(&record), vec![Some(202)]);
    let requests = xmatters.received_requests().await.unwrap_or_default();
    let sent: serde_json::Value = requests[0].body_json().expect("a JSON trigger");
    assert_eq!(sent, record.trigger);
    assert_eq!(
        requests[0]
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("application/json")
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn success_without_request_id_is_noted() {
    let responses = [
        ResponseTemplate::new(204),
        ResponseTemplate::new(202).set_body_string("<html>Accepted</html>"),
        ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": ""})),
    ];
    for (n, response) in responses.into_iter().enumerate() {
        let xmatters = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .expect(1)
            .mount(&xmatters)
            .await;
        let dir = tempfile::tempdir().expect("temporary directory");
        let relay = start(config(&dir, &xmatters.uri())).await;

        let reply = post(&relay.intake_url(harness::TOKEN), alert_body(n)).await;
        let record = settled(&relay.store(), reply.id()).await;

        assert_eq!(record.state, AlertState::Delivered, "response {n}");
        assert_eq!(record.request_id, None, "response {n}");
        let note = record.attempts[0].error.clone().unwrap_or_default();
        assert!(note.contains("without a requestId"), "response {n}: {note}");
        relay.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test]
async fn server_errors_are_retried_until_accepted() {
    let xmatters = xmatters_answering_first(
        ResponseTemplate::new(500).set_body_string("internal error"),
        2,
        "req-after-retries",
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(2)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(statuses(&record), vec![Some(500), Some(500), Some(202)]);
    assert_eq!(
        record.attempts[0].response_excerpt.as_deref(),
        Some("internal error")
    );
    assert_eq!(
        xmatters.received_requests().await.unwrap_or_default().len(),
        3
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn rate_limit_without_retry_after_waits_the_floor() {
    let xmatters = xmatters_answering_first(ResponseTemplate::new(429), 1, "r").await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.delivery.rate_limit_floor = Duration::from_millis(300);
    let relay = start(config).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(3)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(statuses(&record), vec![Some(429), Some(202)]);
    assert!(
        gap(&record, 0) >= Duration::from_millis(300),
        "retried after {:?}",
        gap(&record, 0)
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let xmatters = xmatters_answering_first(
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        1,
        "r",
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(4)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(statuses(&record), vec![Some(429), Some(202)]);
    assert!(
        gap(&record, 0) >= Duration::from_secs(1),
        "retried after {:?}",
        gap(&record, 0)
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn long_retry_after_is_capped() {
    let xmatters = xmatters_answering_first(
        ResponseTemplate::new(503).insert_header("retry-after", "86400"),
        1,
        "r",
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.delivery.max_retry_after = Duration::from_millis(200);
    let relay = start(config).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(5)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(statuses(&record), vec![Some(503), Some(202)]);
    assert!(
        gap(&record, 0) >= Duration::from_millis(200),
        "retried after {:?}",
        gap(&record, 0)
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn bad_request_is_dead_with_body_kept() {
    let xmatters = MockServer::start().await;
    let body = r#"{"code": 400, "reason": "Bad Request", "message": "The trigger is not valid"}"#;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string(body))
        .expect(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(6)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Dead);
    assert_eq!(statuses(&record), vec![Some(400)]);
    assert_eq!(record.attempts[0].response_excerpt.as_deref(), Some(body));
    let reason = record.dead_reason.unwrap_or_default();
    assert!(reason.contains("400"), "{reason}");
    // The worker counts the dead alert just after the store commits it.
    harness::eventually("the dead alert to be counted", || async {
        let metrics = relay.metrics().render();
        metrics.contains("relay_alerts_dead_total 1").then_some(())
    })
    .await;
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn wrong_credentials_are_dead_with_a_clear_reason() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Basic cmVsYXk6d3Jvbmc="))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"code": 401, "reason": "Unauthorized", "message": "Bad credentials"}),
        ))
        .expect(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.xmatters.api_key = None;
    config.xmatters.username = Some("relay".to_owned());
    config.xmatters.password = Some(relay::config::service::Secret::new("wrong"));
    let relay = start(config).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(7)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Dead);
    let reason = record.dead_reason.unwrap_or_default();
    assert!(reason.contains("rejected the credentials"), "{reason}");
    assert!(reason.contains("xmatters.username"), "{reason}");
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn echoed_api_key_is_not_stored() {
    let xmatters = MockServer::start().await;
    let body = format!(r#"{{"code": 401, "message": "Unknown apiKey {API_KEY}"}}"#);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string(body))
        .expect(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(8)).await;
    let record = settled(&relay.store(), reply.id()).await;

    let excerpt = record.attempts[0]
        .response_excerpt
        .clone()
        .unwrap_or_default();
    assert_eq!(
        excerpt,
        r#"{"code": 401, "message": "Unknown apiKey <redacted>"}"#
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn timeout_is_retried_until_accepted() {
    let xmatters = xmatters_answering_first(
        accepted("late").set_delay(Duration::from_secs(3)),
        1,
        "in-time",
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.xmatters.request_timeout = Duration::from_millis(300);
    let relay = start(config).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(8)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(record.request_id.as_deref(), Some("in-time"));
    assert_eq!(statuses(&record), vec![None, Some(202)]);
    let error = record.attempts[0].error.clone().unwrap_or_default();
    assert!(error.contains("timed out"), "{error}");
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn alert_past_max_age_is_dead() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.delivery.max_age = Duration::from_millis(300);
    let relay = start(config).await;

    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(9)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Dead);
    let reason = record.dead_reason.unwrap_or_default();
    assert!(reason.contains("maximum age"), "{reason}");
    assert!(!record.attempts.is_empty());
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn pending_alert_is_delivered_after_restart() {
    let down = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&down)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut first_config = config(&dir, &down.uri());
    first_config.delivery.retry_schedule = vec![Duration::from_millis(500)];
    let first = start(first_config).await;
    let reply = post(&first.intake_url(harness::TOKEN), alert_body(10)).await;
    attempts_at_least(&first.store(), reply.id(), 1).await;
    first.abort();

    let up = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("after-restart"))
        .expect(1)
        .mount(&up)
        .await;
    let second = start(config(&dir, &up.uri())).await;
    let record = settled(&second.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(statuses(&record), vec![Some(503), Some(202)]);
    second.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn delivery_in_flight_at_crash_is_retried() {
    let hanging = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("never-seen").set_delay(Duration::from_secs(30)))
        .mount(&hanging)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut first_config = config(&dir, &hanging.uri());
    first_config.xmatters.request_timeout = Duration::from_millis(500);
    let first = start(first_config).await;
    let reply = post(&first.intake_url(harness::TOKEN), alert_body(11)).await;
    harness::eventually("the delivery to be in flight", || async {
        let seen = hanging.received_requests().await.unwrap_or_default();
        (!seen.is_empty()).then_some(())
    })
    .await;
    first.abort();

    let up = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("after-crash"))
        .expect(1)
        .mount(&up)
        .await;
    let second = start(config(&dir, &up.uri())).await;
    let record = settled(&second.store(), reply.id()).await;

    // The interrupted attempt was never recorded; the alert was sent again.
    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(statuses(&record), vec![Some(202)]);
    assert_eq!(record.request_id.as_deref(), Some("after-crash"));
    second.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn delivery_past_shutdown_grace_stays_pending() {
    let hanging = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted("too-late").set_delay(Duration::from_secs(60)))
        .mount(&hanging)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &hanging.uri());
    config.xmatters.request_timeout = Duration::from_secs(30);
    config.delivery.shutdown_grace = Duration::from_millis(200);
    let relay = start(config).await;
    let store = relay.store();
    let reply = post(&relay.intake_url(harness::TOKEN), alert_body(12)).await;
    harness::eventually("the delivery to be in flight", || async {
        let seen = hanging.received_requests().await.unwrap_or_default();
        (!seen.is_empty()).then_some(())
    })
    .await;

    let stopping = std::time::Instant::now();
    relay.shutdown().await.expect("clean shutdown");
    let stopped_after = stopping.elapsed();
    let record = store
        .get(reply.id())
        .await
        .expect("readable")
        .expect("stored");

    assert!(
        stopped_after < Duration::from_secs(20),
        "shutdown waited {stopped_after:?} for the request timeout instead of the grace"
    );
    assert_eq!(record.state, AlertState::Pending);
    assert!(record.attempts.is_empty(), "{:?}", record.attempts);
}
