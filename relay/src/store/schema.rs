//! Versioned schema migrations, tracked in SQLite's `user_version`.

use rusqlite::Connection;

use super::StoreError;

/// Migrations in order. The schema version is the number applied, so
/// new steps are appended and released ones are never edited.
const MIGRATIONS: &[&str] = &[
    // Version 1: alerts and their delivery attempts. Times are Unix
    // milliseconds (UTC).
    "CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        raw_body BLOB NOT NULL,
        trigger_json TEXT NOT NULL,
        warnings_json TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        duplicate_count INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        delivered_at INTEGER,
        request_id TEXT,
        dead_reason TEXT
    ) STRICT;
    CREATE INDEX alerts_due ON alerts (state, next_attempt_at);
    CREATE INDEX alerts_dedup ON alerts (dedup_key, received_at);
    CREATE INDEX alerts_received ON alerts (received_at);
    CREATE TABLE attempts (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        number INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        response_excerpt TEXT,
        PRIMARY KEY (alert_id, number)
    ) STRICT;",
    // Version 2: the pending count, kept exact by triggers so the intake
    // can enforce the backlog bound without counting rows.
    "CREATE TABLE outbox_stats (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pending INTEGER NOT NULL
    ) STRICT;
    INSERT INTO outbox_stats (id, pending)
        SELECT 1, count(*) FROM alerts WHERE state = 'pending';
    CREATE TRIGGER alerts_pending_insert AFTER INSERT ON alerts
        WHEN NEW.state = 'pending'
    BEGIN
        UPDATE outbox_stats SET pending = pending + 1;
    END;
    CREATE TRIGGER alerts_pending_update AFTER UPDATE OF state ON alerts
        WHEN OLD.state IS NOT NEW.state
    BEGIN
        UPDATE outbox_stats
            SET pending = pending + (NEW.state = 'pending') - (OLD.state = 'pending');
    END;
    CREATE TRIGGER alerts_pending_delete AFTER DELETE ON alerts
        WHEN OLD.state = 'pending'
    BEGIN
        UPDATE outbox_stats SET pending = pending - 1;
    END;",
];

/// Returns the highest schema version this build supports.
pub(super) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to the latest schema in one transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: latest_version(),
        });
    }

    let tx = conn.transaction()?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
