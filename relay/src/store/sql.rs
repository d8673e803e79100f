//! Synchronous SQL for each store operation; the writer thread calls these
//! inside its batch transaction.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::types::{
    AlertId, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, DueAlert,
    InsertOutcome, NewAlert, RequeueOutcome,
};

fn millis(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

fn timestamp(id: &str, ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|err| corrupt(id, err))
}

fn opt_timestamp(id: &str, ms: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    ms.map(|ms| timestamp(id, ms)).transpose()
}

fn corrupt(id: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        id: id.to_owned(),
        reason: reason.to_string(),
    }
}

fn parse_id(id: &str) -> Result<AlertId, StoreError> {
    id.parse().map_err(|err| corrupt(id, err))
}

fn parse_state(id: &str, state: &str) -> Result<AlertState, StoreError> {
    state.parse().map_err(|err: String| corrupt(id, err))
}

fn parse_json(id: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|err| corrupt(id, err))
}

pub(super) fn insert(conn: &Connection, alert: &NewAlert) -> Result<InsertOutcome, StoreError> {
    if let Some(since) = alert.dedup_since {
        let original: Option<String> = conn
            .query_row(
                "SELECT id FROM alerts WHERE dedup_key = ?1 AND received_at >= ?2
                 ORDER BY received_at DESC LIMIT 1",
                params![alert.dedup_key, millis(since)],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(original) = original {
            conn.execute(
                "UPDATE alerts SET duplicate_count = duplicate_count + 1 WHERE id = ?1",
                params![original],
            )?;
            return Ok(InsertOutcome {
                id: parse_id(&original)?,
                duplicate: true,
            });
        }
    }

    if let Some(limit) = alert.max_backlog {
        let pending = backlog(conn)?;
        if pending >= limit {
            return Err(StoreError::BacklogFull { pending, limit });
        }
    }

    let id = AlertId::new_random();
    let received = millis(alert.received_at);
    conn.execute(
        "INSERT INTO alerts (id, received_at, queued_at, state, raw_body, trigger_json,
                             warnings_json, dedup_key, next_attempt_at)
         VALUES (?1, ?2, ?2, 'pending', ?3, ?4, ?5, ?6, ?2)",
        params![
            id.to_string(),
            received,
            alert.raw_body,
            alert.trigger.to_string(),
            alert.warnings.to_string(),
            alert.dedup_key,
        ],
    )?;
    Ok(InsertOutcome {
        id,
        duplicate: false,
    })
}

pub(super) fn claim_due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    lease_until: Timestamp,
) -> Result<Vec<DueAlert>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, trigger_json, received_at, queued_at, attempt_count FROM alerts
         WHERE state = 'pending' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, received_at LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![millis(now), limit as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, u32>(4)?,
        ))
    })?;

    let mut due = Vec::new();
    for row in rows {
        let (id, trigger, received_at, queued_at, attempts) = row?;
        due.push(DueAlert {
            id: parse_id(&id)?,
            trigger: parse_json(&id, &trigger)?,
            received_at: timestamp(&id, received_at)?,
            queued_at: timestamp(&id, queued_at)?,
            attempts,
        });
    }

    let mut lease = conn.prepare_cached("UPDATE alerts SET next_attempt_at = ?2 WHERE id = ?1")?;
    for alert in &due {
        lease.execute(params![alert.id.to_string(), millis(lease_until)])?;
    }
    Ok(due)
}

pub(super) fn next_due_at(conn: &Connection) -> Result<Option<Timestamp>, StoreError> {
    let next: Option<i64> = conn.query_row(
        "SELECT min(next_attempt_at) FROM alerts WHERE state = 'pending'",
        [],
        |row| row.get(0),
    )?;
    opt_timestamp("", next)
}

pub(super) fn record_attempt(
    conn: &Connection,
    id: AlertId,
    attempt: &Attempt,
    outcome: &AttemptOutcome,
) -> Result<(), StoreError> {
    let id_text = id.to_string();
    let number: i64 = conn.query_row(
        "UPDATE alerts SET attempt_count = attempt_count + 1, last_error = ?2
         WHERE id = ?1 RETURNING attempt_count",
        params![id_text, attempt.error],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO attempts (alert_id, number, started_at, duration_ms, status, error,
                               response_excerpt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id_text,
            number,
            millis(attempt.started_at),
            attempt.duration_ms as i64,
            attempt.status,
            attempt.error,
            attempt.response_excerpt,
        ],
    )?;

    match outcome {
        AttemptOutcome::Delivered { request_id, at } => conn.execute(
            "UPDATE alerts SET state = 'delivered', delivered_at = ?2, request_id = ?3,
                               next_attempt_at = NULL
             WHERE id = ?1",
            params![id_text, millis(*at), request_id],
        )?,
        AttemptOutcome::RetryAt(at) => conn.execute(
            "UPDATE alerts SET next_attempt_at = ?2 WHERE id = ?1",
            params![id_text, millis(*at)],
        )?,
        AttemptOutcome::Dead { reason } => conn.execute(
            "UPDATE alerts SET state = 'dead', dead_reason = ?2, next_attempt_at = NULL
             WHERE id = ?1",
            params![id_text, reason],
        )?,
    };
    Ok(())
}

pub(super) fn mark_dead(conn: &Connection, id: AlertId, reason: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE alerts SET state = 'dead', dead_reason = ?2, next_attempt_at = NULL
         WHERE id = ?1 AND state = 'pending'",
        params![id.to_string(), reason],
    )?;
    Ok(())
}

pub(super) fn backlog(conn: &Connection) -> Result<u64, StoreError> {
    let count: i64 = conn.query_row("SELECT pending FROM outbox_stats", [], |row| row.get(0))?;
    Ok(count.max(0) as u64)
}

fn summary_from_row(
    row: &Row<'_>,
) -> rusqlite::Result<(String, String, i64, u32, u32, Option<String>)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

pub(super) fn list(
    conn: &Connection,
    state: Option<AlertState>,
    limit: usize,
) -> Result<Vec<AlertSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, state, received_at, attempt_count, duplicate_count,
                coalesce(dead_reason, last_error)
         FROM alerts WHERE ?1 IS NULL OR state = ?1
         ORDER BY received_at DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![state.map(AlertState::as_str), limit as i64],
        summary_from_row,
    )?;

    let mut summaries = Vec::new();
    for row in rows {
        let (id, state, received_at, attempts, duplicates, last_error) = row?;
        summaries.push(AlertSummary {
            id: parse_id(&id)?,
            state: parse_state(&id, &state)?,
            received_at: timestamp(&id, received_at)?,
            attempts,
            duplicates,
            last_error,
        });
    }
    Ok(summaries)
}

pub(super) fn get(conn: &Connection, id: AlertId) -> Result<Option<AlertRecord>, StoreError> {
    let id_text = id.to_string();
    let row = conn
        .query_row(
            "SELECT state, received_at, queued_at, raw_body, trigger_json, warnings_json,
                    dedup_key, duplicate_count, next_attempt_at, delivered_at, request_id,
                    dead_reason
             FROM alerts WHERE id = ?1",
            params![id_text],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Vec<u8>>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, u32>(7)?,
                    row.get::<_, Option<i64>>(8)?,
                    row.get::<_, Option<i64>>(9)?,
                    row.get::<_, Option<String>>(10)?,
                    row.get::<_, Option<String>>(11)?,
                ))
            },
        )
        .optional()?;
    let Some((
        state,
        received_at,
        queued_at,
        raw_body,
        trigger,
        warnings,
        dedup_key,
        duplicates,
        next_attempt_at,
        delivered_at,
        request_id,
        dead_reason,
    )) = row
    else {
        return Ok(None);
    };

    Ok(Some(AlertRecord {
        id,
        state: parse_state(&id_text, &state)?,
        received_at: timestamp(&id_text, received_at)?,
        queued_at: timestamp(&id_text, queued_at)?,
        raw_body: String::from_utf8_lossy(&raw_body).into_owned(),
        trigger: parse_json(&id_text, &trigger)?,
        warnings: parse_json(&id_text, &warnings)?,
        dedup_key,
        duplicates,
        next_attempt_at: opt_timestamp(&id_text, next_attempt_at)?,
        delivered_at: opt_timestamp(&id_text, delivered_at)?,
        request_id,
        dead_reason,
        attempts: attempts(conn, &id_text)?,
    }))
}

fn attempts(conn: &Connection, id: &str) -> Result<Vec<Attempt>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT started_at, duration_ms, status, error, response_excerpt FROM attempts
         WHERE alert_id = ?1 ORDER BY number",
    )?;
    let rows = stmt.query_map(params![id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, Option<u16>>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;

    let mut attempts = Vec::new();
    for row in rows {
        let (started_at, duration_ms, status, error, response_excerpt) = row?;
        attempts.push(Attempt {
            started_at: timestamp(id, started_at)?,
            duration_ms: duration_ms.max(0) as u64,
            status,
            error,
            response_excerpt,
        });
    }
    Ok(attempts)
}

pub(super) fn requeue(
    conn: &Connection,
    id: AlertId,
    now: Timestamp,
) -> Result<RequeueOutcome, StoreError> {
    let id_text = id.to_string();
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM alerts WHERE id = ?1",
            params![id_text],
            |row| row.get(0),
        )
        .optional()?;
    match state.as_deref() {
        None => Ok(RequeueOutcome::NotFound),
        Some("delivered") => Ok(RequeueOutcome::AlreadyDelivered),
        Some(_) => {
            conn.execute(
                "UPDATE alerts SET state = 'pending', next_attempt_at = ?2, queued_at = ?2,
                                   dead_reason = NULL
                 WHERE id = ?1",
                params![id_text, millis(now)],
            )?;
            Ok(RequeueOutcome::Requeued)
        }
    }
}

pub(super) fn requeue_all_dead(conn: &Connection, now: Timestamp) -> Result<u64, StoreError> {
    let count = conn.execute(
        "UPDATE alerts SET state = 'pending', next_attempt_at = ?1, queued_at = ?1,
                           dead_reason = NULL
         WHERE state = 'dead'",
        params![millis(now)],
    )?;
    Ok(count as u64)
}
