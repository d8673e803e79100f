//! Confirmation against a wiremock-scripted xMatters REST API. The event
//! is found at once, found late, never found, or looked up after a
//! restart. Without REST credentials alerts stay delivered.

mod harness;

use std::sync::Arc;
use std::time::Duration;

use harness::{
    REST_PASSWORD, REST_USER, TOKEN, alert_body, config, in_state, post, settled, start,
    start_with_clock, with_confirmation,
};
use relay::clock::ShiftedClock;
use relay::store::AlertState;
use wiremock::matchers::{basic_auth, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENTS_PATH: &str = "/api/xm/1/events";

fn accepted(request_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": request_id}))
}

/// A page of events as `GET /api/xm/1/events` returns it.
fn page(events: &[serde_json::Value]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "count": events.len(),
        "total": events.len(),
        "data": events,
        "links": {"self": "/api/xm/1/events?offset=0&limit=100"}
    }))
}

fn event(request_id: &str, event_id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": "b9f4c1a0-6c3e-4a8e-9d57-0a1b2c3d4e5f",
        "eventId": event_id,
        "requestId": request_id,
        "status": "ACTIVE",
        "priority": "HIGH",
        "created": "2026-01-02T03:04:05.678+0000",
        "links": {"self": "/api/xm/1/events/b9f4c1a0-6c3e-4a8e-9d57-0a1b2c3d4e5f"}
    })
}

async fn mount_trigger(xmatters: &MockServer, request_id: &str) {
    Mock::given(method("POST"))
        .respond_with(accepted(request_id))
        .mount(xmatters)
        .await;
}

#[tokio::test]
async fn event_found_at_first_lookup_confirms() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-found").await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .and(query_param("requestId", "req-found"))
        .and(basic_auth(REST_USER, REST_PASSWORD))
        .respond_with(page(&[event("req-found", "981006")]))
        .expect(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(with_confirmation(
        config(&dir, &xmatters.uri()),
        &xmatters.uri(),
    ))
    .await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let record = in_state(&relay.store(), reply.id(), AlertState::Confirmed).await;

    let event = record.confirmation.event.expect("the event is recorded");
    assert_eq!(event.event_id, "981006");
    assert_eq!(event.uuid, "b9f4c1a0-6c3e-4a8e-9d57-0a1b2c3d4e5f");
    assert_eq!(event.status.as_deref(), Some("ACTIVE"));
    assert_eq!(record.confirmation.lookups, 1);
    assert!(record.confirmation.confirmed_at.is_some());
    assert_eq!(record.confirmation.next_lookup_at, None);
    // The confirmer counts the alert just after the store commits it.
    harness::eventually("the confirmed alert to be counted", || async {
        let metrics = relay.metrics().render();
        metrics
            .contains("relay_alerts_confirmed_total 1")
            .then_some(())
    })
    .await;
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn event_found_late_confirms_after_retries() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-late").await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(page(&[]))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&xmatters)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&xmatters)
        .await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(page(&[event("req-late", "981007")]))
        .with_priority(3)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(with_confirmation(
        config(&dir, &xmatters.uri()),
        &xmatters.uri(),
    ))
    .await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(2)).await;
    let record = in_state(&relay.store(), reply.id(), AlertState::Confirmed).await;

    assert_eq!(record.confirmation.lookups, 4);
    assert_eq!(
        record.confirmation.event.map(|event| event.event_id),
        Some("981007".to_owned())
    );
    assert_eq!(record.confirmation.last_error, None);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn event_never_found_is_unconfirmed_after_the_timeout() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-never").await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(page(&[]))
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = with_confirmation(config(&dir, &xmatters.uri()), &xmatters.uri());
    config.confirmation.lookup_schedule = vec![Duration::from_millis(10), Duration::from_secs(60)];
    config.confirmation.timeout = Duration::from_secs(600);
    let clock = Arc::new(ShiftedClock::new());
    let relay = start_with_clock(config, Arc::clone(&clock)).await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(3)).await;
    let waiting = harness::eventually("the first lookup", || async {
        let record = relay.store().get(reply.id()).await.expect("readable")?;
        (record.confirmation.lookups >= 1).then_some(record)
    })
    .await;
    clock.advance(Duration::from_secs(601));
    let record = in_state(&relay.store(), reply.id(), AlertState::Unconfirmed).await;

    assert_eq!(waiting.state, AlertState::Delivered);
    let reason = record
        .confirmation
        .unconfirmed_reason
        .expect("a reason is kept");
    assert!(reason.contains("requestId req-never"), "{reason}");
    assert!(reason.contains("10m after delivery"), "{reason}");
    assert!(reason.contains("activity log"), "{reason}");
    assert_eq!(record.confirmation.event, None);
    let summaries = relay
        .store()
        .list(Some(AlertState::Unconfirmed), 10)
        .await
        .expect("list");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].last_error.as_deref(), Some(reason.as_str()));
    harness::eventually("the unconfirmed alert to be counted", || async {
        let metrics = relay.metrics().render();
        metrics
            .contains("relay_alerts_unconfirmed_total 1")
            .then_some(())
    })
    .await;
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn failing_lookups_keep_their_error_in_the_reason() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-denied").await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(ResponseTemplate::new(401))
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = with_confirmation(config(&dir, &xmatters.uri()), &xmatters.uri());
    config.confirmation.timeout = Duration::from_millis(100);
    let relay = start(config).await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(4)).await;
    let record = in_state(&relay.store(), reply.id(), AlertState::Unconfirmed).await;

    let reason = record.confirmation.unconfirmed_reason.unwrap_or_default();
    assert!(reason.contains("xmatters.rest.username"), "{reason}");
    assert!(
        record
            .confirmation
            .last_error
            .is_some_and(|error| error.contains("401")),
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn pending_lookup_resumes_after_restart() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-restart").await;
    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(page(&[]))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = with_confirmation(config(&dir, &xmatters.uri()), &xmatters.uri());
    let first = start(config.clone()).await;
    let reply = post(&first.intake_url(TOKEN), alert_body(5)).await;
    harness::eventually("a lookup that finds nothing", || async {
        let record = first.store().get(reply.id()).await.expect("readable")?;
        (record.confirmation.lookups >= 1).then_some(())
    })
    .await;
    first.shutdown().await.expect("clean shutdown");

    Mock::given(method("GET"))
        .and(path(EVENTS_PATH))
        .respond_with(page(&[event("req-restart", "981008")]))
        .with_priority(2)
        .mount(&xmatters)
        .await;
    let second = start(config).await;
    let record = in_state(&second.store(), reply.id(), AlertState::Confirmed).await;

    assert_eq!(
        record.confirmation.event.map(|event| event.event_id),
        Some("981008".to_owned())
    );
    assert!(record.confirmation.lookups >= 2);
    second.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn without_rest_credentials_alert_stays_delivered() {
    let xmatters = MockServer::start().await;
    mount_trigger(&xmatters, "req-plain").await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(6)).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(record.confirmation.next_lookup_at, None);
    assert_eq!(record.confirmation.lookups, 0);
    let lookups = xmatters
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|request| request.method.as_str() == "GET")
        .count();
    assert_eq!(lookups, 0);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn accepted_trigger_without_request_id_is_unconfirmed() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_string("accepted"))
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(with_confirmation(
        config(&dir, &xmatters.uri()),
        &xmatters.uri(),
    ))
    .await;

    let reply = post(&relay.intake_url(TOKEN), alert_body(7)).await;
    let record = in_state(&relay.store(), reply.id(), AlertState::Unconfirmed).await;

    let reason = record.confirmation.unconfirmed_reason.unwrap_or_default();
    assert!(reason.contains("without a requestId"), "{reason}");
    relay.shutdown().await.expect("clean shutdown");
}
