//! Tests of the SQLite store against real database files.

use jiff::Timestamp;
use tempfile::TempDir;

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
        trigger: serde_json::json!({"properties": {"Summary": key}}),
        warnings: serde_json::json!([]),
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
            duplicate: true
        }
    );
    assert!(!other_key.duplicate);
    assert!(!after_window.duplicate);
    assert!(!dedup_off.duplicate);
    let record = store.get(original.id).await.expect("get").expect("stored");
    assert_eq!(record.duplicates, 1);
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
        .requeue(AlertId::new_random(), at(500))
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
    let missing = AlertId::new_random();

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
