//! The webhook intake: authentication, input errors, limits, slow clients,
//! deduplication, backlog bound, shutdown and the operational endpoints.

mod harness;

use std::time::Duration;

use harness::{TOKEN, alert_body, config, post, settled, start};
use relay::config::service::Secret;
use relay::store::{AlertState, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn xmatters_accepting() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": "r"})),
        )
        .mount(&server)
        .await;
    server
}

async fn xmatters_down() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    server
}

async fn stored_count(store: &std::sync::Arc<dyn Store>) -> usize {
    store.list(None, 1000).await.expect("store readable").len()
}

#[tokio::test]
async fn invalid_bodies_get_400_and_are_not_stored() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let url = relay.intake_url(TOKEN);

    let cases = [
        ("", "empty"),
        ("this is not JSON", "not an OverOps alert"),
        ("[1, 2, 3]", "not an OverOps alert"),
    ];
    for (body, expected) in cases {
        let reply = post(&url, body).await;
        assert_eq!(reply.status, 400, "body {body:?} got {:?}", reply.body);
        let message = reply.body["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "body {body:?}: {message}");
    }

    assert_eq!(stored_count(&relay.store()).await, 0);
    let metrics = relay.metrics().render();
    assert!(
        metrics.contains("relay_alerts_rejected_total{reason=\"invalid_payload\"} 3"),
        "{metrics}"
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn token_is_required_in_path_or_query() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    let rotated = "previous-token-0123456789abc";
    config.server.tokens.push(Secret::new(rotated));
    let relay = start(config).await;
    let base = format!("http://{}/overops/webhook", relay.local_addr());

    let cases = [
        (format!("{base}/{TOKEN}"), 202),
        (format!("{base}/{rotated}"), 202),
        (format!("{base}?token={TOKEN}&recipients=dba"), 202),
        (format!("{base}/wrong-token-0123456789abcdef"), 401),
        (format!("{base}?token=wrong"), 401),
        (base.clone(), 401),
    ];
    for (n, (url, expected)) in cases.into_iter().enumerate() {
        let reply = post(&url, alert_body(100 + n)).await;
        assert_eq!(reply.status, expected, "{url}: {:?}", reply.body);
    }

    assert_eq!(stored_count(&relay.store()).await, 3);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn recipients_from_the_url_reach_the_trigger() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let url = format!("{}?recipients=dba-oncall,mmcbride", relay.intake_url(TOKEN));

    let reply = post(&url, alert_body(1)).await;
    let record = settled(&relay.store(), reply.id()).await;

    let recipients = record.trigger["recipients"].to_string();
    assert!(recipients.contains("dba-oncall"), "{recipients}");
    assert!(recipients.contains("mmcbride"), "{recipients}");
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn oversize_body_gets_413() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.server.max_body_bytes = 1024;
    let relay = start(config).await;
    let oversize = format!("{{\"padding\": \"{}\"}}", "x".repeat(2048));

    let declared = post(&relay.intake_url(TOKEN), oversize.clone()).await;
    // Without a Content-Length header, only the body read can notice the size.
    let frame = hyper::body::Frame::data(bytes::Bytes::from(oversize));
    let frames = futures::stream::iter(vec![Ok::<_, std::io::Error>(frame)]);
    let chunked = reqwest::Body::wrap(http_body_util::StreamBody::new(frames));
    let streamed = post(&relay.intake_url(TOKEN), chunked).await;

    assert_eq!(declared.status, 413, "{:?}", declared.body);
    assert_eq!(streamed.status, 413, "{:?}", streamed.body);
    assert_eq!(stored_count(&relay.store()).await, 0);
    relay.shutdown().await.expect("clean shutdown");
}

/// Reads from `stream` until the server closes it, within the test limit.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(harness::WAIT_LIMIT, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept the slow connection open");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn slow_headers_close_the_connection() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.server.header_read_timeout = Duration::from_millis(200);
    let relay = start(config).await;

    let mut stream = tokio::net::TcpStream::connect(relay.local_addr())
        .await
        .expect("connect");
    let partial = format!("POST /overops/webhook/{TOKEN} HTTP/1.1\r\nHost: relay\r\n");
    stream.write_all(partial.as_bytes()).await.expect("write");
    let response = read_until_closed(&mut stream).await;

    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 408"),
        "unexpected response {response:?}"
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn slow_body_gets_408() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.server.body_read_timeout = Duration::from_millis(200);
    let relay = start(config).await;

    let mut stream = tokio::net::TcpStream::connect(relay.local_addr())
        .await
        .expect("connect");
    let head = format!(
        "POST /overops/webhook/{TOKEN} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\nConnection: close\r\n\r\n{{\"type\":"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let response = read_until_closed(&mut stream).await;

    assert!(
        response.starts_with("HTTP/1.1 408"),
        "unexpected response {response:?}"
    );
    assert_eq!(stored_count(&relay.store()).await, 0);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn repeated_alert_is_a_duplicate_of_the_original() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let first = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let second = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let other = post(&relay.intake_url(TOKEN), alert_body(2)).await;

    assert_eq!(first.body["duplicate"], false);
    assert_eq!(second.status, 202);
    assert_eq!(second.body["duplicate"], true);
    assert_eq!(second.id(), first.id());
    assert_eq!(other.body["duplicate"], false);
    assert_ne!(other.id(), first.id());
    let original = settled(&relay.store(), first.id()).await;
    settled(&relay.store(), other.id()).await;
    assert_eq!(original.duplicates, 1);
    assert_eq!(
        xmatters.received_requests().await.unwrap_or_default().len(),
        2
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn repeat_of_dead_alert_is_sent_as_new() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad credentials"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&xmatters)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": "r2"})),
        )
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;

    let first = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let dead = settled(&relay.store(), first.id()).await;
    let repeat = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let delivered = settled(&relay.store(), repeat.id()).await;

    assert_eq!(dead.state, AlertState::Dead);
    let reason = dead.dead_reason.unwrap_or_default();
    assert!(
        reason.contains(&format!("relay alerts retry {}", first.id())),
        "{reason}"
    );
    assert_eq!(repeat.status, 202, "{:?}", repeat.body);
    assert_eq!(repeat.body["duplicate"], false);
    assert_eq!(repeat.body["dead_original"], first.id().to_string());
    assert_ne!(repeat.id(), first.id());
    assert_eq!(delivered.state, AlertState::Delivered);
    assert_eq!(dead.duplicates, 0);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn repeats_to_other_recipients_are_not_duplicates() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let query_url = format!("http://{}/overops/webhook", relay.local_addr());
    let url = |query: &str| format!("{query_url}?token={TOKEN}&{query}");

    let team_a = post(&url("recipients=teamA"), alert_body(1)).await;
    let team_b = post(&url("recipients=teamB"), alert_body(1)).await;
    let team_a_again = post(&url("recipients=teamA"), alert_body(1)).await;

    assert_eq!(team_a.body["duplicate"], false);
    assert_eq!(team_b.body["duplicate"], false);
    assert_ne!(team_b.id(), team_a.id());
    assert_eq!(team_a_again.body["duplicate"], true);
    assert_eq!(team_a_again.id(), team_a.id());
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn test_messages_are_never_duplicates() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let body = serde_json::json!({"type": "TEST", "service_name": "Production"}).to_string();

    let first = post(&relay.intake_url(TOKEN), body.clone()).await;
    let second = post(&relay.intake_url(TOKEN), body).await;
    settled(&relay.store(), first.id()).await;
    settled(&relay.store(), second.id()).await;

    assert_eq!(first.body["duplicate"], false);
    assert_eq!(second.body["duplicate"], false);
    assert_ne!(second.id(), first.id());
    assert_eq!(
        xmatters.received_requests().await.unwrap_or_default().len(),
        2
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn disabled_dedup_forwards_repeats() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.dedup.enabled = false;
    let relay = start(config).await;

    let first = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let second = post(&relay.intake_url(TOKEN), alert_body(1)).await;

    assert_eq!(second.body["duplicate"], false);
    assert_ne!(second.id(), first.id());
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn full_backlog_gets_503_with_retry_after() {
    let xmatters = xmatters_down().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.server.max_backlog = 2;
    config.delivery.retry_schedule = vec![Duration::from_secs(3600)];
    let relay = start(config).await;

    let url = relay.intake_url(TOKEN);
    let accepted: Vec<u16> = futures::future::join_all((0..2).map(|n| post(&url, alert_body(n))))
        .await
        .iter()
        .map(|reply| reply.status)
        .collect();
    let refused = post(&url, alert_body(3)).await;
    let readiness = reqwest::get(format!("http://{}/readyz", relay.local_addr()))
        .await
        .expect("readyz");
    let readiness_status = readiness.status();
    let readiness_body = readiness.text().await.expect("readyz body");

    assert_eq!(accepted, vec![202, 202]);
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert_eq!(refused.retry_after.as_deref(), Some("5"));
    let message = refused.body["error"].as_str().unwrap_or_default();
    assert!(message.contains("server.max_backlog"), "{message}");
    assert_eq!(readiness_status, 503);
    assert!(
        readiness_body.contains("server.max_backlog"),
        "{readiness_body}"
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn shutdown_rejects_intake_and_finishes_delivery() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(serde_json::json!({"requestId": "slow"}))
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let url = relay.intake_url(TOKEN);
    let store = relay.store();

    let reply = post(&url, alert_body(1)).await;
    harness::eventually("the delivery to be in flight", || async {
        let seen = xmatters.received_requests().await.unwrap_or_default();
        (!seen.is_empty()).then_some(())
    })
    .await;
    let stopping = tokio::spawn(relay.shutdown());
    let during = harness::eventually("the intake to respond 503", || async {
        let reply = post(&url, alert_body(2)).await;
        (reply.status == 503).then_some(reply)
    })
    .await;
    stopping
        .await
        .expect("shutdown task")
        .expect("clean shutdown");

    let message = during.body["error"].as_str().unwrap_or_default();
    assert!(message.contains("shutting down"), "{message}");
    let record = store
        .get(reply.id())
        .await
        .expect("store readable")
        .expect("alert stored");
    assert_eq!(record.state, AlertState::Delivered);
}

#[tokio::test]
async fn health_readiness_and_metrics_respond() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let base = format!("http://{}", relay.local_addr());
    let reply = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    settled(&relay.store(), reply.id()).await;
    // The worker counts the delivery just after committing it, so the
    // counter may lag the store by a moment.
    harness::eventually("the delivery to be counted", || async {
        let metrics = relay.metrics().render();
        metrics
            .contains("relay_alerts_delivered_total 1")
            .then_some(())
    })
    .await;
    let client = reqwest::Client::new();

    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics");

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.expect("metrics text");
    for expected in [
        "relay_alerts_received_total 1",
        "relay_alerts_delivered_total 1",
        "relay_backlog 0",
        "relay_delivery_latency_seconds_count 1",
        "relay_alerts_rejected_total{reason=\"unauthorized\"} 0",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn test_message_is_accepted() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let body =
        serde_json::json!({"api_version": "0.2", "type": "TEST", "date": 1_534_515_709_123_i64})
            .to_string();

    let reply = post(&relay.intake_url(TOKEN), body).await;
    let record = settled(&relay.store(), reply.id()).await;

    assert_eq!(reply.status, 202, "{:?}", reply.body);
    assert_eq!(record.state, AlertState::Delivered);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn invalid_configuration_is_rejected_at_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, "http://127.0.0.1:9");
    config.server.tokens.clear();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");

    let err = relay::server::Relay::start(listener, config)
        .await
        .expect_err("no tokens");

    assert!(err.to_string().contains("server.tokens"), "{err}");
}

/// A store that fails writes on demand, delegating everything else.
struct FailingStore {
    inner: relay::store::SqliteStore,
    failing: std::sync::atomic::AtomicBool,
}

impl FailingStore {
    fn is_failing(&self) -> bool {
        self.failing.load(std::sync::atomic::Ordering::SeqCst)
    }
}

type StoreFuture<'a, T> = futures::future::BoxFuture<'a, Result<T, relay::store::StoreError>>;

impl Store for FailingStore {
    fn insert(
        &self,
        alert: relay::store::NewAlert,
    ) -> StoreFuture<'_, relay::store::InsertOutcome> {
        if self.is_failing() {
            return Box::pin(async { Err(relay::store::StoreError::Unavailable) });
        }
        self.inner.insert(alert)
    }

    fn claim_due(
        &self,
        now: jiff::Timestamp,
        limit: usize,
        lease_until: jiff::Timestamp,
    ) -> StoreFuture<'_, Vec<relay::store::DueAlert>> {
        self.inner.claim_due(now, limit, lease_until)
    }

    fn next_due_at(&self) -> StoreFuture<'_, Option<jiff::Timestamp>> {
        self.inner.next_due_at()
    }

    fn record_attempt(
        &self,
        id: relay::store::AlertId,
        attempt: relay::store::Attempt,
        outcome: relay::store::AttemptOutcome,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_attempt(id, attempt, outcome)
    }

    fn mark_dead(&self, id: relay::store::AlertId, reason: String) -> StoreFuture<'_, ()> {
        self.inner.mark_dead(id, reason)
    }

    fn backlog(&self) -> StoreFuture<'_, u64> {
        self.inner.backlog()
    }

    fn check_writable(&self) -> StoreFuture<'_, ()> {
        if self.is_failing() {
            return Box::pin(async { Err(relay::store::StoreError::Unavailable) });
        }
        self.inner.check_writable()
    }

    fn list(
        &self,
        state: Option<AlertState>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<relay::store::AlertSummary>> {
        self.inner.list(state, limit)
    }

    fn get(&self, id: relay::store::AlertId) -> StoreFuture<'_, Option<relay::store::AlertRecord>> {
        self.inner.get(id)
    }

    fn requeue(
        &self,
        id: relay::store::AlertId,
        now: jiff::Timestamp,
    ) -> StoreFuture<'_, relay::store::RequeueOutcome> {
        self.inner.requeue(id, now)
    }

    fn requeue_all_dead(&self, now: jiff::Timestamp) -> StoreFuture<'_, u64> {
        self.inner.requeue_all_dead(now)
    }

    fn record_storm_decisions(
        &self,
        decisions: Vec<relay::store::StormDecision>,
        at: jiff::Timestamp,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_storm_decisions(decisions, at)
    }

    fn admissions_since(
        &self,
        since: jiff::Timestamp,
    ) -> StoreFuture<'_, Vec<relay::store::Admission>> {
        self.inner.admissions_since(since)
    }

    fn held_groups(&self) -> StoreFuture<'_, Vec<relay::store::HeldGroup>> {
        self.inner.held_groups()
    }

    fn held_alerts(
        &self,
        key: String,
        limit: usize,
    ) -> StoreFuture<'_, Vec<relay::store::HeldAlert>> {
        self.inner.held_alerts(key, limit)
    }

    fn create_digest(
        &self,
        digest: relay::store::NewDigest,
    ) -> StoreFuture<'_, relay::store::DigestOutcome> {
        self.inner.create_digest(digest)
    }

    fn claim_lookups(
        &self,
        now: jiff::Timestamp,
        limit: usize,
        lease_until: jiff::Timestamp,
    ) -> StoreFuture<'_, Vec<relay::store::DueLookup>> {
        self.inner.claim_lookups(now, limit, lease_until)
    }

    fn next_lookup_at(&self) -> StoreFuture<'_, Option<jiff::Timestamp>> {
        self.inner.next_lookup_at()
    }

    fn record_lookup(
        &self,
        id: relay::store::AlertId,
        at: jiff::Timestamp,
        outcome: relay::store::LookupOutcome,
    ) -> StoreFuture<'_, ()> {
        self.inner.record_lookup(id, at, outcome)
    }

    fn insert_callback(
        &self,
        callback: relay::store::Callback,
    ) -> StoreFuture<'_, Option<relay::store::AlertId>> {
        self.inner.insert_callback(callback)
    }

    fn list_callbacks(
        &self,
        unmatched_only: bool,
        limit: usize,
    ) -> StoreFuture<'_, Vec<relay::store::Callback>> {
        self.inner.list_callbacks(unmatched_only, limit)
    }
}

#[tokio::test]
async fn failing_store_gets_503_and_not_ready() {
    let xmatters = xmatters_accepting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = config(&dir, &xmatters.uri());
    let inner = relay::store::SqliteStore::open(&config.store.path, &Default::default())
        .expect("store opens");
    let store = std::sync::Arc::new(FailingStore {
        inner,
        failing: std::sync::atomic::AtomicBool::new(true),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let relay = relay::server::Relay::start_with_store(listener, config, store.clone())
        .await
        .expect("relay starts");

    let refused = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let readiness = reqwest::get(format!("http://{}/readyz", relay.local_addr()))
        .await
        .expect("readyz");
    let readiness_status = readiness.status();
    let readiness_body = readiness.text().await.expect("readyz body");
    store
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let accepted = post(&relay.intake_url(TOKEN), alert_body(1)).await;

    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert_eq!(refused.retry_after.as_deref(), Some("5"));
    assert_eq!(readiness_status, 503);
    assert!(
        readiness_body.contains("store is not writable"),
        "{readiness_body}"
    );
    assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    relay.shutdown().await.expect("clean shutdown");
}
