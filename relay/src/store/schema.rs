//! Versioned schema migrations, tracked in SQLite's `user_version`.

use rusqlite::Connection;

use super::StoreError;

/// Migrations in order; the schema version is the number applied.
/// Append new steps, never edit a released one.
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
];

/// Highest schema version this build knows.
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
