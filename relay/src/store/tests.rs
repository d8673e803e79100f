//! Tests of the SQLite store against real database files.

use jiff::Timestamp;
use tempfile::TempDir;

use super::sqlite::Commit;
use super::*;

fn open(dir: &TempDir) -> SqliteStore {
    SqliteStore::open(&dir.path().join("relay.db"), &StoreOptions::default()).expect("store opens")
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
}

fn new_alert(key: &str, received_at: Timestamp, dedup_since: Option<Timestamp>) -> NewAlert {
    NewAlert {
        raw_body: format!("{{\"key\": \"{key}\"}}").into_bytes(),
        received_at,
        trigger: serde_json::json!({"properties": {"Summary": key}}).to_string(),
        warnings: "[]".to_owned(),
        dedup_key: key.to_owned(),
        dedup_since,
        max_backlog: None,
    }
}

fn attempt(status: u16) -> Attempt {
    Attempt {
        started_at: at(10),
        duration_ms: 12,
        status: Some(status),
        error: (status >= 400).then(|| format!("xMatters responded {status}")),
        response_excerpt: Some("{}".to_owned()),
    }
}

#[tokio::test]
async fn inserted_alert_is_pending_and_due() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);

    let inserted = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert");
    let record = store.get(inserted.id).await.expect("get").expect("stored");

    assert!(!inserted.duplicate);
    assert_eq!(record.state, AlertState::Pending);
    assert_eq!(record.received_at, at(0));
    assert_eq!(record.raw_body, "{\"key\": \"a\"}");
    assert_eq!(record.next_attempt_at, Some(at(0)));
    assert_eq!(store.backlog().await.expect("backlog"), 1);
}

#[tokio::test]
async fn repeat_within_window_is_a_duplicate() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let original = store
        .insert(new_alert("a", at(0), Some(at(-600))))
        .await
        .expect("insert");

    let repeat = store
        .insert(new_alert("a", at(5), Some(at(-595))))
        .await
        .expect("insert");
    let other_key = store
        .insert(new_alert("b", at(6), Some(at(-594))))
        .await
        .expect("insert");
    let after_window = store
        .insert(new_alert("a", at(700), Some(at(100))))
        .await
        .expect("insert");
    let dedup_off = store
        .insert(new_alert("a", at(701), None))
        .await
        .expect("insert");

    assert_eq!(
        repeat,
        InsertOutcome {
            id: original.id,
            duplicate: true,
            dead_original: None,
            unconfirmed_original: None,
        }
    );
    assert!(!other_key.duplicate);
    assert!(!after_window.duplicate);
    assert!(!dedup_off.duplicate);
    let record = store.get(original.id).await.expect("get").expect("stored");
    assert_eq!(record.duplicates, 1);
}

#[tokio::test]
async fn repeat_of_dead_alert_is_a_new_alert() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let original = store
        .insert(new_alert("a", at(0), Some(at(-600))))
        .await
        .expect("insert");
    store
        .record_attempt(
            original.id,
            attempt(401),
            AttemptOutcome::Dead {
                reason: "xMatters rejected the credentials".to_owned(),
            },
        )
        .await
        .expect("record");

    let repeat = store
        .insert(new_alert("a", at(5), Some(at(-595))))
        .await
        .expect("insert");
    let second_repeat = store
        .insert(new_alert("a", at(6), Some(at(-594))))
        .await
        .expect("insert");

    assert!(!repeat.duplicate);
    assert_ne!(repeat.id, original.id);
    assert_eq!(repeat.dead_original, Some(original.id));
    let stored = store.get(repeat.id).await.expect("get").expect("stored");
    assert_eq!(stored.state, AlertState::Pending);
    assert_eq!(
        second_repeat,
        InsertOutcome {
            id: repeat.id,
            duplicate: true,
            dead_original: None,
            unconfirmed_original: None,
        },
        "a repeat of the new pending alert is its duplicate"
    );
    let dead = store.get(original.id).await.expect("get").expect("stored");
    assert_eq!(dead.duplicates, 0);
}

#[tokio::test]
async fn claimed_alert_is_leased_until_its_lease_ends() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let first = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert");
    store
        .insert(new_alert("b", at(1), None))
        .await
        .expect("insert");

    let claimed = store.claim_due(at(2), 1, at(60)).await.expect("claim");
    let again = store.claim_due(at(3), 10, at(60)).await.expect("claim");
    let after_lease = store.claim_due(at(61), 10, at(120)).await.expect("claim");

    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, first.id);
    assert_eq!(again.len(), 1, "only the unclaimed alert is due");
    assert_eq!(after_lease.len(), 2, "both leases ended");
    assert_eq!(store.next_due_at().await.expect("next"), Some(at(120)));
}

#[tokio::test]
async fn attempts_move_the_alert_through_its_states() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;

    store
        .record_attempt(id, attempt(503), AttemptOutcome::RetryAt(at(30)))
        .await
        .expect("record retry");
    let retrying = store.get(id).await.expect("get").expect("stored");
    let delivered_at = at(31);
    let outcome = AttemptOutcome::Delivered {
        request_id: Some("req-1".to_owned()),
        at: delivered_at,
        lookup: None,
    };
    store
        .record_attempt(id, attempt(202), outcome)
        .await
        .expect("record delivery");
    let delivered = store.get(id).await.expect("get").expect("stored");

    assert_eq!(retrying.state, AlertState::Pending);
    assert_eq!(retrying.next_attempt_at, Some(at(30)));
    assert_eq!(delivered.state, AlertState::Delivered);
    assert_eq!(delivered.delivered_at, Some(delivered_at));
    assert_eq!(delivered.request_id.as_deref(), Some("req-1"));
    assert_eq!(delivered.next_attempt_at, None);
    let statuses: Vec<_> = delivered.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(202)]);
    assert_eq!(store.backlog().await.expect("backlog"), 0);
}

#[tokio::test]
async fn dead_alert_is_requeued_with_a_fresh_age() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let dead = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    let delivered = store
        .insert(new_alert("b", at(0), None))
        .await
        .expect("insert")
        .id;
    let reason = "xMatters rejected the trigger (400 Bad Request)".to_owned();
    store
        .record_attempt(
            dead,
            attempt(400),
            AttemptOutcome::Dead {
                reason: reason.clone(),
            },
        )
        .await
        .expect("record");
    let outcome = AttemptOutcome::Delivered {
        request_id: None,
        at: at(1),
        lookup: None,
    };
    store
        .record_attempt(delivered, attempt(202), outcome)
        .await
        .expect("record");

    let listed_dead = store.list(Some(AlertState::Dead), 10).await.expect("list");
    let requeued = store.requeue(dead, at(500)).await.expect("requeue");
    let refused = store.requeue(delivered, at(500)).await.expect("requeue");
    let missing = store
        .requeue(AlertId::generate(), at(500))
        .await
        .expect("requeue");
    let record = store.get(dead).await.expect("get").expect("stored");

    assert_eq!(listed_dead.len(), 1);
    assert_eq!(listed_dead[0].last_error.as_deref(), Some(reason.as_str()));
    assert_eq!(requeued, RequeueOutcome::Requeued);
    assert_eq!(refused, RequeueOutcome::AlreadyDelivered);
    assert_eq!(missing, RequeueOutcome::NotFound);
    assert_eq!(record.state, AlertState::Pending);
    assert_eq!(record.queued_at, at(500));
    assert_eq!(record.dead_reason, None);
    assert_eq!(record.attempts.len(), 1, "the attempt history is kept");
}

#[tokio::test]
async fn lease_blocks_requeue_until_it_ends() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    store.claim_due(at(1), 1, at(60)).await.expect("claim");

    let during_lease = store.requeue(id, at(30)).await.expect("requeue");
    let after_lease = store.requeue(id, at(61)).await.expect("requeue");
    let record = store.get(id).await.expect("get").expect("stored");

    assert_eq!(
        during_lease,
        RequeueOutcome::InFlight {
            lease_until: at(60)
        }
    );
    assert_eq!(after_lease, RequeueOutcome::Requeued);
    assert_eq!(record.next_attempt_at, Some(at(61)));
}

#[tokio::test]
async fn recorded_attempt_ends_the_lease() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    store.claim_due(at(1), 1, at(60)).await.expect("claim");
    store
        .record_attempt(id, attempt(503), AttemptOutcome::RetryAt(at(300)))
        .await
        .expect("record");

    let requeued = store.requeue(id, at(2)).await.expect("requeue");

    assert_eq!(requeued, RequeueOutcome::Requeued);
}

#[tokio::test]
async fn requeue_all_dead_skips_live_alerts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let claimed = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    store.claim_due(at(1), 1, at(60)).await.expect("claim");
    let waiting = store
        .insert(new_alert("b", at(2), None))
        .await
        .expect("insert")
        .id;
    store
        .record_attempt(waiting, attempt(503), AttemptOutcome::RetryAt(at(300)))
        .await
        .expect("record");

    let count = store.requeue_all_dead(at(3)).await.expect("requeue");
    let claimed = store.get(claimed).await.expect("get").expect("stored");
    let waiting = store.get(waiting).await.expect("get").expect("stored");

    assert_eq!(count, 0);
    assert_eq!(claimed.next_attempt_at, Some(at(60)));
    assert_eq!(waiting.next_attempt_at, Some(at(300)));
}

#[tokio::test]
async fn all_dead_alerts_are_requeued() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    for key in ["a", "b", "c"] {
        let id = store
            .insert(new_alert(key, at(0), None))
            .await
            .expect("insert")
            .id;
        store
            .mark_dead(id, "expired".to_owned())
            .await
            .expect("mark dead");
    }
    store
        .insert(new_alert("d", at(0), None))
        .await
        .expect("insert");

    let count = store.requeue_all_dead(at(9)).await.expect("requeue");

    assert_eq!(count, 3);
    assert_eq!(store.backlog().await.expect("backlog"), 4);
}

#[tokio::test]
async fn insert_beyond_backlog_bound_fails() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let bounded = |key: &str| NewAlert {
        max_backlog: Some(2),
        ..new_alert(key, at(0), Some(at(-600)))
    };
    store.insert(bounded("a")).await.expect("first insert");
    store.insert(bounded("b")).await.expect("second insert");

    let third = store.insert(bounded("c")).await;
    let duplicate = store.insert(bounded("a")).await.expect("duplicate insert");

    assert!(
        matches!(
            third,
            Err(StoreError::BacklogFull {
                pending: 2,
                limit: 2
            })
        ),
        "{third:?}"
    );
    assert!(duplicate.duplicate, "duplicates are recognized when full");
}

#[tokio::test]
async fn pending_count_follows_every_state_change() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let a = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    let b = store
        .insert(new_alert("b", at(0), None))
        .await
        .expect("insert")
        .id;
    store
        .insert(new_alert("c", at(0), None))
        .await
        .expect("insert");
    let delivered = AttemptOutcome::Delivered {
        request_id: None,
        at: at(1),
        lookup: None,
    };

    store
        .record_attempt(a, attempt(202), delivered)
        .await
        .expect("record");
    store
        .mark_dead(b, "expired".to_owned())
        .await
        .expect("mark dead");
    let after_changes = store.backlog().await.expect("backlog");
    store.requeue(b, at(2)).await.expect("requeue");
    let after_requeue = store.backlog().await.expect("backlog");

    assert_eq!(after_changes, 1);
    assert_eq!(after_requeue, 2);
}

#[tokio::test]
async fn writable_check_writes_a_heartbeat() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let observer = rusqlite::Connection::open(dir.path().join("relay.db")).expect("open");

    store.check_writable().await.expect("writable");
    let written: i64 = observer
        .query_row("SELECT count(*) FROM heartbeat", [], |row| row.get(0))
        .expect("heartbeat readable");
    observer
        .execute_batch(
            "CREATE TRIGGER heartbeat_fails BEFORE UPDATE ON heartbeat
             BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
        )
        .expect("trigger");
    let failing = store.check_writable().await;

    assert_eq!(written, 1);
    let error = failing.expect_err("a failed write fails the check");
    assert!(error.to_string().contains("disk I/O error"), "{error}");
}

#[test]
fn version_one_store_migrates_with_its_pending_count() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.db");
    let mut conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "CREATE TABLE alerts (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL,
             queued_at INTEGER NOT NULL, state TEXT NOT NULL, raw_body BLOB NOT NULL,
             trigger_json TEXT NOT NULL, warnings_json TEXT NOT NULL, dedup_key TEXT NOT NULL,
             duplicate_count INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
             attempt_count INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_at INTEGER,
             request_id TEXT, dead_reason TEXT);
         INSERT INTO alerts (id, received_at, queued_at, state, raw_body, trigger_json,
                             warnings_json, dedup_key)
         VALUES ('00000000-0000-4000-8000-000000000001', 0, 0, 'pending', x'', '{}', '[]', 'a'),
                ('00000000-0000-4000-8000-000000000002', 0, 0, 'dead', x'', '{}', '[]', 'b');
         PRAGMA user_version = 1;",
    )
    .expect("a version 1 store");
    super::schema::migrate(&mut conn).expect("migrate");

    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("version");
    let pending: i64 = conn
        .query_row("SELECT pending FROM outbox_stats", [], |row| row.get(0))
        .expect("pending");

    assert_eq!(version, super::schema::latest_version());
    assert_eq!(pending, 1);
}

#[tokio::test]
async fn list_is_newest_first_and_limited() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    for n in 0..5 {
        store
            .insert(new_alert(&format!("k{n}"), at(n), None))
            .await
            .expect("insert");
    }

    let listed = store.list(None, 3).await.expect("list");

    let received: Vec<_> = listed.iter().map(|alert| alert.received_at).collect();
    assert_eq!(received, vec![at(4), at(3), at(2)]);
}

#[tokio::test]
async fn alerts_survive_reopening() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let id = {
        let store = open(&dir);
        store
            .insert(new_alert("a", at(0), None))
            .await
            .expect("insert")
            .id
    };

    let reopened = open(&dir);
    let record = reopened.get(id).await.expect("get");

    assert_eq!(record.map(|record| record.state), Some(AlertState::Pending));
}

#[tokio::test]
async fn concurrent_inserts_share_commits() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let before = store.commit_count();

    let inserts = (0..200).map(|n| store.insert(new_alert(&format!("k{n}"), at(n), None)));
    let results = futures::future::join_all(inserts).await;

    assert!(results.iter().all(Result::is_ok));
    let commits = store.commit_count() - before;
    assert!(commits < 200, "200 inserts took {commits} commits");
    assert_eq!(store.backlog().await.expect("backlog"), 200);
}

#[tokio::test]
async fn failed_operation_does_not_undo_its_batch() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let good = new_alert("a", at(0), None);
    // Recording an attempt for an alert that does not exist fails.
    let missing = AlertId::generate();

    let (inserted, failed) = futures::join!(
        store.insert(good),
        store.record_attempt(missing, attempt(202), AttemptOutcome::RetryAt(at(1)))
    );

    assert!(failed.is_err());
    let id = inserted.expect("the insert commits").id;
    assert!(store.get(id).await.expect("get").is_some());
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99)
        .expect("set version");
    drop(conn);

    let err = SqliteStore::open(&path, &StoreOptions::default()).expect_err("too new");

    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
}

#[test]
fn unwritable_location_names_the_path() {
    let err = SqliteStore::open(
        std::path::Path::new("/nonexistent-relay-dir/relay.db"),
        &StoreOptions::default(),
    )
    .expect_err("no such directory");

    assert!(
        err.to_string().contains("/nonexistent-relay-dir/relay.db"),
        "{err}"
    );
}

/// Builds a version 2 store with one delivered alert and its attempt.
fn version_two_store(path: &std::path::Path) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    super::schema::migrate(&mut conn).expect("latest schema");
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TABLE heartbeat;
         DROP TABLE callbacks;
         DROP TABLE alert_bodies;
         DROP TABLE alerts;
         CREATE TABLE alerts (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL,
             queued_at INTEGER NOT NULL,
             state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
             raw_body BLOB NOT NULL, trigger_json TEXT NOT NULL, warnings_json TEXT NOT NULL,
             dedup_key TEXT NOT NULL, duplicate_count INTEGER NOT NULL DEFAULT 0,
             next_attempt_at INTEGER, attempt_count INTEGER NOT NULL DEFAULT 0,
             last_error TEXT, delivered_at INTEGER, request_id TEXT, dead_reason TEXT) STRICT;
         INSERT INTO alerts (id, received_at, queued_at, state, raw_body, trigger_json,
                             warnings_json, dedup_key, attempt_count, delivered_at, request_id)
         VALUES ('00000000-0000-4000-8000-000000000001', 0, 0, 'delivered', x'7b7d', '{}',
                 '[]', 'a', 1, 5, 'req-1');
         INSERT INTO attempts (alert_id, number, started_at, duration_ms, status)
         VALUES ('00000000-0000-4000-8000-000000000001', 1, 1, 4, 202);
         PRAGMA user_version = 2;",
    )
    .expect("a version 2 store");
}

#[tokio::test]
async fn version_two_store_migrates_with_its_alerts() {
    let dir = tempfile::tempdir().expect("temporary directory");
    version_two_store(&dir.path().join("relay.db"));

    let store = open(&dir);
    let id: AlertId = "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("valid id");
    let record = store.get(id).await.expect("get").expect("kept");

    assert_eq!(record.state, AlertState::Delivered);
    assert_eq!(record.kind, AlertKind::Alert);
    assert_eq!(record.request_id.as_deref(), Some("req-1"));
    assert_eq!(record.raw_body, "{}");
    assert_eq!(record.trigger, serde_json::json!({}));
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.confirmation, ConfirmationRecord::default());
    assert!(record.callbacks.is_empty());
}

fn delivered_with_lookup(first_at: Timestamp, deadline: Timestamp) -> AttemptOutcome {
    AttemptOutcome::Delivered {
        request_id: Some("req-9".to_owned()),
        at: at(1),
        lookup: Some(LookupPlan { first_at, deadline }),
    }
}

fn callback(event_id: &str) -> Callback {
    Callback {
        received_at: at(3),
        kind: CallbackKind::Response,
        event_id: event_id.to_owned(),
        alert_id: None,
        occurred_at: Some(at(2)),
        recipient: Some("mmcbride".to_owned()),
        device: Some("Work Email".to_owned()),
        device_id: None,
        response: Some("Acknowledge".to_owned()),
        comment: None,
        status: None,
        delivery_status: None,
        message: None,
        event_properties: serde_json::json!({"Summary": "DB down"}),
        body: "{}".to_owned(),
    }
}

#[tokio::test]
async fn lookup_is_claimed_leased_and_confirms() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    store
        .record_attempt(id, attempt(202), delivered_with_lookup(at(3), at(60)))
        .await
        .expect("delivered");

    let early = store.claim_lookups(at(2), 10, at(30)).await.expect("claim");
    let due = store.claim_lookups(at(3), 10, at(30)).await.expect("claim");
    let leased = store.claim_lookups(at(4), 10, at(30)).await.expect("claim");
    let unmatched = store
        .insert_callback(callback("981006"))
        .await
        .expect("callback");
    let event = EventRef {
        uuid: "u-1".to_owned(),
        event_id: "981006".to_owned(),
        status: Some("ACTIVE".to_owned()),
    };
    store
        .record_lookup(id, at(5), LookupOutcome::Found(event.clone()))
        .await
        .expect("found");
    let matched = store
        .insert_callback(callback("981006"))
        .await
        .expect("callback");
    let record = store.get(id).await.expect("get").expect("stored");

    assert!(early.is_empty());
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].request_id.as_deref(), Some("req-9"));
    assert_eq!(due[0].deadline, at(60));
    assert!(leased.is_empty());
    assert_eq!(unmatched, None);
    assert_eq!(matched, Some(id));
    assert_eq!(record.state, AlertState::Confirmed);
    assert_eq!(record.confirmation.event, Some(event));
    assert_eq!(record.confirmation.confirmed_at, Some(at(5)));
    assert_eq!(record.callbacks.len(), 2);
    assert!(record.callbacks.iter().all(|c| c.alert_id == Some(id)));
    assert_eq!(store.next_lookup_at().await.expect("next"), None);
}

#[tokio::test]
async fn retried_then_missing_lookup_is_unconfirmed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(0), None))
        .await
        .expect("insert")
        .id;
    store
        .record_attempt(id, attempt(202), delivered_with_lookup(at(3), at(60)))
        .await
        .expect("delivered");

    let retry = LookupOutcome::RetryAt {
        next_at: at(20),
        error: Some("xMatters responded 503".to_owned()),
    };
    store.record_lookup(id, at(3), retry).await.expect("retry");
    let next = store.next_lookup_at().await.expect("next");
    let unconfirmed = LookupOutcome::Unconfirmed {
        reason: "no event".to_owned(),
        error: None,
    };
    store
        .record_lookup(id, at(60), unconfirmed)
        .await
        .expect("unconfirmed");
    let record = store.get(id).await.expect("get").expect("stored");
    let requeue = store.requeue(id, at(61)).await.expect("requeue");

    assert_eq!(next, Some(at(20)));
    assert_eq!(record.state, AlertState::Unconfirmed);
    assert_eq!(record.confirmation.lookups, 2);
    assert_eq!(
        record.confirmation.unconfirmed_reason.as_deref(),
        Some("no event")
    );
    assert_eq!(requeue, RequeueOutcome::AlreadyDelivered);
}

/// Records storm protection holding `ids` under the key `GROUP:ops`.
async fn hold(store: &SqliteStore, ids: &[AlertId]) {
    let decisions = ids
        .iter()
        .map(|id| StormDecision {
            id: *id,
            key: "GROUP:ops".to_owned(),
            admitted: false,
        })
        .collect();
    store
        .record_storm_decisions(decisions, at(10))
        .await
        .expect("held");
}

async fn held_alerts(store: &SqliteStore, count: usize) -> Vec<AlertId> {
    let mut ids = Vec::new();
    for n in 0..count {
        let id = store
            .insert(new_alert(&format!("h{n}"), at(n as i64), None))
            .await
            .expect("insert")
            .id;
        ids.push(id);
    }
    hold(store, &ids).await;
    ids
}

fn digest_of(members: Vec<AlertId>) -> NewDigest {
    NewDigest {
        key: "GROUP:ops".to_owned(),
        members,
        trigger: serde_json::json!({"properties": {"Title": "digest"}}),
        warnings: serde_json::json!([]),
        created_at: at(70),
    }
}

#[tokio::test]
async fn held_alerts_become_one_digest() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let ids = held_alerts(&store, 3).await;

    let groups = store.held_groups().await.expect("groups");
    let held = store
        .held_alerts("GROUP:ops".to_owned(), 10)
        .await
        .expect("held");
    let outcome = store
        .create_digest(digest_of(ids.clone()))
        .await
        .expect("digest");
    let digest = store.get(outcome.id).await.expect("get").expect("stored");
    let member = store.get(ids[0]).await.expect("get").expect("stored");
    let admissions = store.admissions_since(at(0)).await.expect("admissions");

    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].count, 3);
    assert_eq!(groups[0].first_held_at, at(10));
    assert_eq!(held.len(), 3);
    assert_eq!(store.backlog().await.expect("backlog"), 1);
    assert_eq!(outcome.members, 3);
    assert_eq!(digest.kind, AlertKind::Digest);
    assert_eq!(digest.state, AlertState::Pending);
    assert_eq!(digest.storm.members, ids);
    assert_eq!(member.state, AlertState::Digested);
    assert_eq!(member.storm.digest_id, Some(outcome.id));
    assert_eq!(
        admissions,
        vec![Admission {
            key: "GROUP:ops".to_owned(),
            at: at(70)
        }]
    );
    assert!(store.held_groups().await.expect("groups").is_empty());
    let due = store.claim_due(at(70), 10, at(100)).await.expect("claim");
    assert_eq!(due.len(), 1);
    assert!(due[0].admitted);
    assert_eq!(due[0].kind, AlertKind::Digest);
}

#[tokio::test]
async fn digest_conflict_rolls_back() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let mut ids = held_alerts(&store, 2).await;
    let pending = store
        .insert(new_alert("p", at(5), None))
        .await
        .expect("insert")
        .id;
    ids.push(pending);

    let error = store
        .create_digest(digest_of(ids.clone()))
        .await
        .expect_err("one member is not held");
    let first = store.get(ids[0]).await.expect("get").expect("stored");
    let listed = store.list(None, 10).await.expect("list");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(first.state, AlertState::Held);
    assert_eq!(listed.len(), 3, "the digest was rolled back");
    assert_eq!(
        store.requeue(ids[0], at(80)).await.expect("requeue"),
        RequeueOutcome::Held
    );
}

#[test]
fn other_programs_database_is_left_alone() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("customers.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);")
        .expect("another program's table");
    drop(conn);

    let err = SqliteStore::open(&path, &StoreOptions::default()).expect_err("foreign database");
    let conn = rusqlite::Connection::open(&path).expect("open");
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .expect("schema readable");
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal mode readable");

    assert!(matches!(err, StoreError::NotARelayStore { .. }), "{err}");
    assert!(err.to_string().contains("customers.db"), "{err}");
    assert_eq!(objects, 1, "no relay table was added");
    assert_eq!(journal, "delete", "the journal mode is unchanged");
}

#[test]
fn non_sqlite_file_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "plain text, not a database, long enough to be read as a header",
    )
    .expect("write");

    let err = SqliteStore::open(&path, &StoreOptions::default()).expect_err("not a database");

    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
}

#[test]
fn empty_file_becomes_a_store() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.db");
    std::fs::write(&path, "").expect("create an empty file");

    let opened = SqliteStore::open(&path, &StoreOptions::default());

    assert!(opened.is_ok(), "{:?}", opened.err());
}

/// Reads the connection's `synchronous` setting inside a job committed
/// as `commit`: 2 is FULL, 1 is NORMAL.
async fn synchronous_during(store: &SqliteStore, commit: Commit) -> i64 {
    store
        .call_with(commit, |conn| {
            Ok(conn.pragma_query_value(None, "synchronous", |row| row.get(0))?)
        })
        .await
        .expect("pragma read")
}

#[tokio::test]
async fn bookkeeping_alone_commits_unsynced() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);

    let first = synchronous_during(&store, Commit::Synced).await;
    let bookkeeping = synchronous_during(&store, Commit::Unsynced).await;
    let after = synchronous_during(&store, Commit::Synced).await;

    assert_eq!((first, bookkeeping, after), (2, 1, 2));
}

#[tokio::test]
async fn unsynced_bookkeeping_is_committed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let id = store
        .insert(new_alert("a", at(100), None))
        .await
        .expect("insert")
        .id;
    let claimed = store.claim_due(at(100), 10, at(160)).await.expect("claim");
    store
        .record_attempt(id, attempt(202), AttemptOutcome::RetryAt(at(200)))
        .await
        .expect("record");
    drop(store);

    let reopened = open(&dir);
    let record = reopened.get(id).await.expect("get").expect("kept");
    assert_eq!(claimed.len(), 1);
    assert_eq!(record.attempts.len(), 1);
    assert_eq!(record.next_attempt_at, Some(at(200)));
}

#[tokio::test]
async fn held_alert_reads_priority_and_recipients() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let recipients = serde_json::json!([{"id": "ops", "recipientType": "GROUP"}]);
    let mut addressed = new_alert("a", at(1), None);
    addressed.trigger = serde_json::json!({
        "properties": {"Summary": "a"},
        "priority": "HIGH",
        "recipients": recipients,
    })
    .to_string();
    let mut odd = new_alert("b", at(2), None);
    odd.trigger = serde_json::json!({"priority": 3, "recipients": "ops"}).to_string();
    let mut ids = Vec::new();
    for alert in [addressed, odd] {
        ids.push(store.insert(alert).await.expect("insert").id);
    }
    hold(&store, &ids).await;

    let held = store
        .held_alerts("GROUP:ops".to_owned(), 10)
        .await
        .expect("held");

    assert_eq!(held.len(), 2);
    assert_eq!(held[0].priority.as_deref(), Some("HIGH"));
    assert_eq!(held[0].recipients, Some(recipients));
    assert_eq!(
        (held[1].priority.clone(), held[1].recipients.clone()),
        (None, None)
    );
}

#[tokio::test]
async fn repeat_of_unconfirmed_alert_is_a_new_alert() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open(&dir);
    let original = store
        .insert(new_alert("a", at(0), Some(at(-600))))
        .await
        .expect("insert")
        .id;
    store
        .record_attempt(original, attempt(202), delivered_with_lookup(at(3), at(60)))
        .await
        .expect("delivered");
    let unconfirmed = LookupOutcome::Unconfirmed {
        reason: "no event".to_owned(),
        error: None,
    };
    store
        .record_lookup(original, at(60), unconfirmed)
        .await
        .expect("unconfirmed");

    let repeat = store
        .insert(new_alert("a", at(70), Some(at(-530))))
        .await
        .expect("insert");
    let second_repeat = store
        .insert(new_alert("a", at(71), Some(at(-529))))
        .await
        .expect("insert");

    assert!(!repeat.duplicate);
    assert_ne!(repeat.id, original);
    assert_eq!(repeat.unconfirmed_original, Some(original));
    assert_eq!(repeat.dead_original, None);
    assert!(
        second_repeat.duplicate,
        "the new pending alert is the original now"
    );
    assert_eq!(second_repeat.id, repeat.id);
}
