//! Storm protection over real HTTP against wiremock: a storm of distinct
//! alerts becomes at most `storm.max_events` events plus digests, every
//! alert is accounted for by exactly one of them, and held alerts survive
//! a restart.

mod harness;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use harness::{TOKEN, alert_body, config, eventually, post, start, start_with_clock};
use relay::clock::ShiftedClock;
use relay::mapping::utf16_len;
use relay::server::Relay;
use relay::store::{AlertId, AlertKind, AlertRecord, AlertState, AlertSummary};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Longer than the default storm window of one minute.
const PAST_THE_WINDOW: Duration = Duration::from_secs(61);

async fn xmatters() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": "req"})),
        )
        .mount(&server)
        .await;
    server
}

async fn triggers_sent(xmatters: &MockServer) -> Vec<serde_json::Value> {
    xmatters
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|request| request.body_json().ok())
        .collect()
}

/// Builds alert `n`: distinct by its link, and one of 40 errors.
fn storm_alert(n: usize) -> String {
    let mut alert: serde_json::Value =
        serde_json::from_str(&alert_body(n)).expect("the harness alert is JSON");
    alert["data"]["data"]["name"] = serde_json::json!(format!("Failure{}Exception", n % 40));
    alert.to_string()
}

/// Posts alerts `range` at once to `url` and returns their ids.
async fn send_alerts(url: &str, range: std::ops::Range<usize>) -> Vec<AlertId> {
    let replies = futures::future::join_all(range.map(|n| post(url, storm_alert(n)))).await;
    for reply in &replies {
        assert_eq!(reply.status, 202, "{:?}", reply.body);
    }
    replies.iter().map(harness::IntakeReply::id).collect()
}

async fn all_alerts(relay: &Relay) -> Vec<AlertSummary> {
    relay.store().list(None, 10_000).await.expect("listable")
}

/// Waits until `count` alerts of kind `kind` are in `state`.
async fn wait_for(relay: &Relay, kind: AlertKind, state: AlertState, count: usize) {
    eventually(&format!("{count} {kind:?} alerts {state}"), || async {
        let matching = all_alerts(relay)
            .await
            .iter()
            .filter(|alert| alert.kind == kind && alert.state == state)
            .count();
        (matching == count).then_some(())
    })
    .await;
}

/// Adds up the alerts a digest text names: `N × error` lines and the
/// closing `… and K more errors (M alerts)` line.
fn counted_alerts(text: &str) -> usize {
    text.lines()
        .map(|line| {
            let count = match line.strip_prefix("… and ") {
                Some(rest) => rest
                    .split_once('(')
                    .and_then(|(_, alerts)| alerts.split(' ').next()),
                None => line.split(' ').next(),
            };
            count
                .and_then(|count| count.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no count in the line {line:?}"))
        })
        .sum()
}

async fn record(relay: &Relay, id: AlertId) -> AlertRecord {
    relay
        .store()
        .get(id)
        .await
        .expect("readable")
        .expect("stored")
}

#[tokio::test]
async fn storm_of_100_makes_five_events() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = Arc::new(ShiftedClock::new());
    let relay = start_with_clock(config(&dir, &xmatters.uri()), Arc::clone(&clock)).await;
    let url = relay.intake_url(TOKEN);

    let ids = send_alerts(&url, 0..100).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Delivered, 4).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Held, 96).await;
    let before_digest = triggers_sent(&xmatters).await.len();
    clock.advance(PAST_THE_WINDOW);
    wait_for(&relay, AlertKind::Digest, AlertState::Delivered, 1).await;

    // At most max_events events went out before the window ended, then
    // one digest.
    let sent = triggers_sent(&xmatters).await;
    assert_eq!(before_digest, 4);
    assert_eq!(sent.len(), 5);

    // Every alert is in exactly one event: its own, or the digest.
    let digest = all_alerts(&relay)
        .await
        .into_iter()
        .find(|alert| alert.kind == AlertKind::Digest)
        .expect("a digest");
    let digest = record(&relay, digest.id).await;
    let members: HashSet<AlertId> = digest.storm.members.iter().copied().collect();
    assert_eq!(members.len(), 96);
    let mut on_their_own = 0;
    for id in &ids {
        let alert = record(&relay, *id).await;
        match alert.state {
            AlertState::Delivered => {
                on_their_own += 1;
                assert!(!members.contains(id), "{id} was sent twice");
                assert_eq!(alert.storm.digest_id, None);
            }
            AlertState::Digested => {
                assert!(members.contains(id), "{id} is not named by its digest");
                assert_eq!(alert.storm.digest_id, Some(digest.id));
                assert!(alert.attempts.is_empty(), "{id} was also sent on its own");
            }
            other => panic!("alert {id} is {other}"),
        }
    }
    assert_eq!(on_their_own, 4);
    assert_eq!(on_their_own + members.len(), ids.len());

    // The digest is the trigger xMatters received last, within the form.
    assert_eq!(sent.last(), Some(&digest.trigger));
    let properties = &digest.trigger["properties"];
    let title = properties["Title"].as_str().unwrap_or_default();
    assert!(title.starts_with("96 OverOps alerts held"), "{title}");
    assert_eq!(properties["Type"], "STORM_DIGEST");
    let content = properties["Content"].as_str().unwrap_or_default();
    assert!(utf16_len(content) <= 2000, "{} units", utf16_len(content));
    assert!(content.contains("https://app.overops.com/"), "{content}");
    assert_eq!(counted_alerts(content), 96, "{content}");
    let last_line = content.lines().last().unwrap_or_default();
    assert!(last_line.starts_with("… and "), "{content}");
    let message = properties["Message"].as_str().unwrap_or_default();
    assert!(utf16_len(message) <= 2000, "{} units", utf16_len(message));
    assert_eq!(message.lines().count(), 40, "{message}");
    assert_eq!(counted_alerts(message), 96, "{message}");

    let metrics = relay.metrics().render();
    assert!(metrics.contains("relay_alerts_held_total 96"), "{metrics}");
    assert!(metrics.contains("relay_digests_total 1"), "{metrics}");

    // The window now contains the digest only, so the next alert goes out.
    let after = send_alerts(&url, 100..101).await;
    harness::in_state(&relay.store(), after[0], AlertState::Delivered).await;
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn recipients_sets_are_counted_apart() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let ops = format!("{}?recipients=ops", relay.intake_url(TOKEN));
    let dba = format!("{}?recipients=dba", relay.intake_url(TOKEN));

    send_alerts(&ops, 0..5).await;
    send_alerts(&dba, 5..10).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Delivered, 8).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Held, 2).await;

    let held: Vec<AlertRecord> = futures::future::join_all(
        all_alerts(&relay)
            .await
            .into_iter()
            .filter(|alert| alert.state == AlertState::Held)
            .map(|alert| record(&relay, alert.id)),
    )
    .await;
    let keys: HashSet<Option<String>> = held.iter().map(|alert| alert.storm.key.clone()).collect();
    assert_eq!(
        keys,
        HashSet::from([Some("ANY:dba".to_owned()), Some("ANY:ops".to_owned())])
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn held_alerts_get_their_digest_after_restart() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = config(&dir, &xmatters.uri());
    let clock = Arc::new(ShiftedClock::new());
    let first = start_with_clock(config.clone(), Arc::clone(&clock)).await;
    let ids = send_alerts(&first.intake_url(TOKEN), 0..6).await;
    wait_for(&first, AlertKind::Alert, AlertState::Delivered, 4).await;
    wait_for(&first, AlertKind::Alert, AlertState::Held, 2).await;
    first.shutdown().await.expect("clean shutdown");

    // The restarted relay still counts the four events of this window.
    let second = start_with_clock(config, Arc::clone(&clock)).await;
    send_alerts(&second.intake_url(TOKEN), 6..7).await;
    wait_for(&second, AlertKind::Alert, AlertState::Held, 3).await;
    assert_eq!(triggers_sent(&xmatters).await.len(), 4);

    clock.advance(PAST_THE_WINDOW);
    wait_for(&second, AlertKind::Digest, AlertState::Delivered, 1).await;

    let digested = all_alerts(&second)
        .await
        .iter()
        .filter(|alert| alert.state == AlertState::Digested)
        .count();
    assert_eq!(digested, 3);
    assert_eq!(triggers_sent(&xmatters).await.len(), 5);
    let held_first = record(&second, ids[5]).await;
    assert_eq!(held_first.state, AlertState::Digested);
    second.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn disabled_storm_protection_sends_every_alert() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = config(&dir, &xmatters.uri());
    config.storm.enabled = false;
    let relay = start(config).await;

    send_alerts(&relay.intake_url(TOKEN), 0..12).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Delivered, 12).await;

    assert_eq!(triggers_sent(&xmatters).await.len(), 12);
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn digested_alert_story_follows_its_digest() {
    let xmatters = xmatters().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = Arc::new(ShiftedClock::new());
    let relay = start_with_clock(config(&dir, &xmatters.uri()), Arc::clone(&clock)).await;
    let ids = send_alerts(&relay.intake_url(TOKEN), 0..5).await;
    wait_for(&relay, AlertKind::Alert, AlertState::Held, 1).await;
    clock.advance(PAST_THE_WINDOW);
    wait_for(&relay, AlertKind::Digest, AlertState::Delivered, 1).await;

    let mut held = None;
    for id in ids {
        if record(&relay, id).await.state == AlertState::Digested {
            held = Some(id);
        }
    }
    let held = held.expect("one alert was held");
    let story = relay::story::Story::load(relay.store().as_ref(), held)
        .await
        .expect("readable")
        .expect("stored");

    let steps: Vec<&str> = story.story.iter().map(|step| step.step).collect();
    assert_eq!(steps, vec!["received", "mapped", "held", "digested"]);
    let digested = &story.story[3].detail;
    assert!(digested.starts_with("sent in digest "), "{digested}");
    assert!(
        digested.ends_with("with 1 alert, which is delivered"),
        "{digested}"
    );
    relay.shutdown().await.expect("clean shutdown");
}
