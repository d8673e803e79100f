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
    // Version 3: storm protection, confirmation and xMatters callbacks.
    // SQLite cannot change a CHECK constraint in place, so the alerts table
    // is rebuilt with the new states and columns. Its triggers are dropped
    // with the old table and created again.
    "CREATE TABLE alerts_v3 (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'digest')),
        received_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'held', 'digested', 'delivered',
                                             'confirmed', 'unconfirmed', 'dead')),
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
        dead_reason TEXT,
        storm_key TEXT,
        admitted_at INTEGER,
        held_at INTEGER,
        digest_id TEXT,
        lookup_next_at INTEGER,
        lookup_deadline INTEGER,
        lookup_count INTEGER NOT NULL DEFAULT 0,
        lookup_error TEXT,
        event_uuid TEXT,
        event_id TEXT,
        event_status TEXT,
        confirmed_at INTEGER,
        unconfirmed_reason TEXT
    ) STRICT;
    INSERT INTO alerts_v3 (id, received_at, queued_at, state, raw_body, trigger_json,
                           warnings_json, dedup_key, duplicate_count, next_attempt_at,
                           attempt_count, last_error, delivered_at, request_id, dead_reason)
        SELECT id, received_at, queued_at, state, raw_body, trigger_json, warnings_json,
               dedup_key, duplicate_count, next_attempt_at, attempt_count, last_error,
               delivered_at, request_id, dead_reason
        FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v3 RENAME TO alerts;
    CREATE INDEX alerts_due ON alerts (state, next_attempt_at);
    CREATE INDEX alerts_dedup ON alerts (dedup_key, received_at);
    CREATE INDEX alerts_received ON alerts (received_at);
    CREATE INDEX alerts_lookup_due ON alerts (state, lookup_next_at);
    CREATE INDEX alerts_event ON alerts (event_id);
    CREATE INDEX alerts_held ON alerts (state, storm_key, held_at);
    CREATE INDEX alerts_admitted ON alerts (admitted_at);
    CREATE INDEX alerts_digest ON alerts (digest_id);
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
    END;
    CREATE TABLE callbacks (
        number INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        event_id TEXT NOT NULL,
        alert_id TEXT,
        occurred_at INTEGER,
        recipient TEXT,
        device TEXT,
        device_id TEXT,
        response TEXT,
        comment TEXT,
        status TEXT,
        delivery_status TEXT,
        message TEXT,
        event_properties TEXT NOT NULL,
        body TEXT NOT NULL
    ) STRICT;
    CREATE INDEX callbacks_event ON callbacks (event_id);
    CREATE INDEX callbacks_alert ON callbacks (alert_id);",
    // Version 4: the end of the lease of an alert claimed for delivery, so
    // that `relay alerts retry` can tell an alert in flight from one
    // waiting for its next attempt. NULL when not claimed.
    "ALTER TABLE alerts ADD COLUMN lease_until INTEGER;",
    // Version 5: one row rewritten by each readiness check, so the check
    // really writes to the disk. Unix milliseconds (UTC).
    "CREATE TABLE heartbeat (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        written_at INTEGER NOT NULL
    ) STRICT;",
    // Version 6: less to write per alert. The large columns move to a
    // table of their own: SQLite rewrites a whole row when any column of
    // it changes, so with the body and the trigger in `alerts` each claim,
    // attempt and state change rewrote kilobytes. The indexes that serve
    // one state, or only rows with a value, become partial, so that an
    // insert or a state change touches only the indexes it concerns. The
    // held alerts' index is in the order a digest reads them, so SQLite
    // does not sort their bodies in memory.
    "CREATE TABLE alert_bodies (
        alert_id TEXT PRIMARY KEY REFERENCES alerts (id),
        raw_body BLOB NOT NULL,
        trigger_json TEXT NOT NULL,
        warnings_json TEXT NOT NULL
    ) STRICT;
    INSERT INTO alert_bodies (alert_id, raw_body, trigger_json, warnings_json)
        SELECT id, raw_body, trigger_json, warnings_json FROM alerts;
    ALTER TABLE alerts DROP COLUMN raw_body;
    ALTER TABLE alerts DROP COLUMN trigger_json;
    ALTER TABLE alerts DROP COLUMN warnings_json;
    DROP INDEX alerts_due;
    CREATE INDEX alerts_due ON alerts (next_attempt_at, received_at)
        WHERE state = 'pending';
    DROP INDEX alerts_lookup_due;
    CREATE INDEX alerts_lookup_due ON alerts (lookup_next_at)
        WHERE state = 'delivered' AND lookup_next_at IS NOT NULL;
    DROP INDEX alerts_held;
    CREATE INDEX alerts_held ON alerts (storm_key, received_at, id) WHERE state = 'held';
    DROP INDEX alerts_admitted;
    CREATE INDEX alerts_admitted ON alerts (admitted_at) WHERE admitted_at IS NOT NULL;
    DROP INDEX alerts_event;
    CREATE INDEX alerts_event ON alerts (event_id) WHERE event_id IS NOT NULL;
    DROP INDEX alerts_digest;
    CREATE INDEX alerts_digest ON alerts (digest_id) WHERE digest_id IS NOT NULL;",
];

/// Returns the highest schema version this build supports.
pub(super) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Returns whether the database is another program's: it has no relay
/// schema version but has tables, views, indexes or triggers. Only reads.
pub(super) fn is_foreign(conn: &Connection) -> rusqlite::Result<bool> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > 0 {
        return Ok(false);
    }
    let objects: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
        [],
        |row| row.get(0),
    )?;
    Ok(objects > 0)
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

    // Rebuilding a table drops the one that other tables reference, which
    // SQLite allows only while foreign keys are off. The switch is ignored
    // inside a transaction, so it wraps the transaction, and a foreign key
    // check runs before the commit instead.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let tx = conn.transaction()?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    check_foreign_keys(&tx)?;
    tx.commit()?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Fails when a row references a missing one, which a migration must never
/// leave behind.
fn check_foreign_keys(conn: &Connection) -> Result<(), StoreError> {
    let violation: Option<String> = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |row| row.get::<_, String>(0))?
        .next()
        .transpose()?;
    match violation {
        None => Ok(()),
        Some(table) => Err(StoreError::Migration(format!(
            "a row in {table} references a missing row"
        ))),
    }
}
