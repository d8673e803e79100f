//! Synchronous SQL for each store operation; the writer thread calls these
//! inside its batch transaction.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::confirmation::{ConfirmationRecord, EventRef};
use super::storm::StormRecord;
use super::types::{
    AlertId, AlertKind, AlertRecord, AlertState, AlertSummary, Attempt, AttemptOutcome, DueAlert,
    InsertOutcome, NewAlert, RequeueOutcome,
};
use super::{StoreError, sql_callbacks, sql_storm};

pub(super) fn millis(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

pub(super) fn timestamp(id: &str, ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|err| corrupt(id, err))
}

pub(super) fn opt_timestamp(id: &str, ms: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    ms.map(|ms| timestamp(id, ms)).transpose()
}

pub(super) fn corrupt(id: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        id: id.to_owned(),
        reason: reason.to_string(),
    }
}

pub(super) fn parse_id(id: &str) -> Result<AlertId, StoreError> {
    id.parse().map_err(|err| corrupt(id, err))
}

pub(super) fn parse_state(id: &str, state: &str) -> Result<AlertState, StoreError> {
    state.parse().map_err(|err: String| corrupt(id, err))
}

pub(super) fn parse_kind(id: &str, kind: &str) -> Result<AlertKind, StoreError> {
    kind.parse().map_err(|err: String| corrupt(id, err))
}

pub(super) fn parse_json(id: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|err| corrupt(id, err))
}

/// Query for the alert that an insert with the same deduplication key
/// repeats: the newest one that may have reached people, else the newest
/// dead or unconfirmed one.
pub(super) const FIND_ORIGINAL: &str =
    "SELECT id, state FROM alerts WHERE dedup_key = ?1 AND received_at >= ?2
     ORDER BY state IN ('dead', 'unconfirmed'), received_at DESC LIMIT 1";

pub(super) fn insert(conn: &Connection, alert: &NewAlert) -> Result<InsertOutcome, StoreError> {
    let mut dead_original = None;
    let mut unconfirmed_original = None;
    if let Some(since) = alert.dedup_since {
        // A dead original never reached xMatters, and no event was found
        // for an unconfirmed one, so a repeat of either is a new alert: a
        // second event is better than none. An original in any other
        // state makes a duplicate.
        let original: Option<(String, String)> = conn
            .prepare_cached(FIND_ORIGINAL)?
            .query_row(params![alert.dedup_key, millis(since)], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        if let Some((original, state)) = original {
            match parse_state(&original, &state)? {
                AlertState::Dead => dead_original = Some(parse_id(&original)?),
                AlertState::Unconfirmed => unconfirmed_original = Some(parse_id(&original)?),
                _ => {
                    conn.prepare_cached(
                        "UPDATE alerts SET duplicate_count = duplicate_count + 1 WHERE id = ?1",
                    )?
                    .execute(params![original])?;
                    return Ok(InsertOutcome {
                        id: parse_id(&original)?,
                        duplicate: true,
                        dead_original: None,
                        unconfirmed_original: None,
                    });
                }
            }
        }
    }

    if let Some(limit) = alert.max_backlog {
        let pending = backlog(conn)?;
        if pending >= limit {
            return Err(StoreError::BacklogFull { pending, limit });
        }
    }

    let id = AlertId::generate();
    let id_text = id.to_string();
    let received = millis(alert.received_at);
    conn.prepare_cached(
        "INSERT INTO alerts (id, received_at, queued_at, state, dedup_key, next_attempt_at)
         VALUES (?1, ?2, ?2, 'pending', ?3, ?2)",
    )?
    .execute(params![id_text, received, alert.dedup_key])?;
    insert_body(
        conn,
        &id_text,
        &alert.raw_body,
        &alert.trigger,
        &alert.warnings,
    )?;
    Ok(InsertOutcome {
        id,
        duplicate: false,
        dead_original,
        unconfirmed_original,
    })
}

/// Stores the columns of an alert that never change after its insert.
pub(super) fn insert_body(
    conn: &Connection,
    id: &str,
    raw_body: &[u8],
    trigger: &str,
    warnings: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO alert_bodies (alert_id, raw_body, trigger_json, warnings_json)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, raw_body, trigger, warnings])?;
    Ok(())
}

/// Query for the pending alerts due for delivery, earliest first.
pub(super) const SELECT_DUE: &str =
    "SELECT id, trigger_json, received_at, queued_at, attempt_count, kind,
     admitted_at IS NOT NULL
     FROM alerts JOIN alert_bodies ON alert_id = id
     WHERE state = 'pending' AND next_attempt_at <= ?1
     ORDER BY next_attempt_at, received_at LIMIT ?2";

pub(super) fn claim_due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    lease_until: Timestamp,
) -> Result<Vec<DueAlert>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_DUE)?;
    let rows = stmt.query_map(params![millis(now), limit as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, u32>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, bool>(6)?,
        ))
    })?;

    let mut due = Vec::new();
    for row in rows {
        let (id, trigger, received_at, queued_at, attempts, kind, admitted) = row?;
        due.push(DueAlert {
            id: parse_id(&id)?,
            kind: parse_kind(&id, &kind)?,
            admitted,
            trigger,
            received_at: timestamp(&id, received_at)?,
            queued_at: timestamp(&id, queued_at)?,
            attempts,
        });
    }

    let mut lease = conn
        .prepare_cached("UPDATE alerts SET next_attempt_at = ?2, lease_until = ?2 WHERE id = ?1")?;
    for alert in &due {
        lease.execute(params![alert.id.to_string(), millis(lease_until)])?;
    }
    Ok(due)
}

/// Query for the time the next pending alert is due.
pub(super) const NEXT_DUE: &str = "SELECT min(next_attempt_at) FROM alerts WHERE state = 'pending'";

pub(super) fn next_due_at(conn: &Connection) -> Result<Option<Timestamp>, StoreError> {
    let next: Option<i64> = conn
        .prepare_cached(NEXT_DUE)?
        .query_row([], |row| row.get(0))?;
    opt_timestamp("", next)
}

pub(super) fn record_attempt(
    conn: &Connection,
    id: AlertId,
    attempt: &Attempt,
    outcome: &AttemptOutcome,
) -> Result<(), StoreError> {
    let id_text = id.to_string();
    let number = apply_outcome(conn, &id_text, attempt, outcome)?;
    conn.prepare_cached(
        "INSERT INTO attempts (alert_id, number, started_at, duration_ms, status, error,
                               response_excerpt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id_text,
        number,
        millis(attempt.started_at),
        attempt.duration_ms as i64,
        attempt.status,
        attempt.error,
        attempt.response_excerpt,
    ])?;
    Ok(())
}

/// Counts the attempt, ends the lease and applies the outcome in one
/// update of the alert row, and returns the attempt's number.
fn apply_outcome(
    conn: &Connection,
    id: &str,
    attempt: &Attempt,
    outcome: &AttemptOutcome,
) -> Result<i64, StoreError> {
    let number = |row: &Row<'_>| row.get::<_, i64>(0);
    let number = match outcome {
        AttemptOutcome::Delivered {
            request_id,
            at,
            lookup,
        } => conn
            .prepare_cached(
                "UPDATE alerts SET attempt_count = attempt_count + 1, last_error = ?2,
                                   lease_until = NULL, state = 'delivered', delivered_at = ?3,
                                   request_id = ?4, next_attempt_at = NULL,
                                   lookup_next_at = ?5, lookup_deadline = ?6
                 WHERE id = ?1 RETURNING attempt_count",
            )?
            .query_row(
                params![
                    id,
                    attempt.error,
                    millis(*at),
                    request_id,
                    lookup.map(|plan| millis(plan.first_at)),
                    lookup.map(|plan| millis(plan.deadline)),
                ],
                number,
            )?,
        AttemptOutcome::RetryAt(at) => conn
            .prepare_cached(
                "UPDATE alerts SET attempt_count = attempt_count + 1, last_error = ?2,
                                   lease_until = NULL, next_attempt_at = ?3
                 WHERE id = ?1 RETURNING attempt_count",
            )?
            .query_row(params![id, attempt.error, millis(*at)], number)?,
        AttemptOutcome::Dead { reason } => conn
            .prepare_cached(
                "UPDATE alerts SET attempt_count = attempt_count + 1, last_error = ?2,
                                   lease_until = NULL, state = 'dead', dead_reason = ?3,
                                   next_attempt_at = NULL
                 WHERE id = ?1 RETURNING attempt_count",
            )?
            .query_row(params![id, attempt.error, reason], number)?,
    };
    Ok(number)
}

pub(super) fn mark_dead(conn: &Connection, id: AlertId, reason: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE alerts SET state = 'dead', dead_reason = ?2, next_attempt_at = NULL,
                           lease_until = NULL
         WHERE id = ?1 AND state = 'pending'",
        params![id.to_string(), reason],
    )?;
    Ok(())
}

/// Rewrites the heartbeat row, so that a store that cannot write fails.
pub(super) fn heartbeat(conn: &Connection, now: Timestamp) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO heartbeat (id, written_at) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at",
        params![millis(now)],
    )?;
    Ok(())
}

pub(super) fn backlog(conn: &Connection) -> Result<u64, StoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT pending FROM outbox_stats")?
        .query_row([], |row| row.get(0))?;
    Ok(count.max(0) as u64)
}

/// Columns of an alert row as SQLite returns them, before decoding.
struct RawAlert {
    kind: String,
    state: String,
    received_at: i64,
    queued_at: i64,
    raw_body: Vec<u8>,
    trigger: String,
    warnings: String,
    dedup_key: String,
    duplicates: u32,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    request_id: Option<String>,
    dead_reason: Option<String>,
    storm_key: Option<String>,
    admitted_at: Option<i64>,
    held_at: Option<i64>,
    digest_id: Option<String>,
    lookup_next_at: Option<i64>,
    lookup_deadline: Option<i64>,
    lookup_count: u32,
    lookup_error: Option<String>,
    event_uuid: Option<String>,
    event_id: Option<String>,
    event_status: Option<String>,
    confirmed_at: Option<i64>,
    unconfirmed_reason: Option<String>,
}

const ALERT_COLUMNS: &str = "kind, state, received_at, queued_at, raw_body, trigger_json,
    warnings_json, dedup_key, duplicate_count, next_attempt_at, delivered_at, request_id,
    dead_reason, storm_key, admitted_at, held_at, digest_id, lookup_next_at, lookup_deadline,
    lookup_count, lookup_error, event_uuid, event_id, event_status, confirmed_at,
    unconfirmed_reason";

fn raw_alert(row: &Row<'_>) -> rusqlite::Result<RawAlert> {
    Ok(RawAlert {
        kind: row.get("kind")?,
        state: row.get("state")?,
        received_at: row.get("received_at")?,
        queued_at: row.get("queued_at")?,
        raw_body: row.get("raw_body")?,
        trigger: row.get("trigger_json")?,
        warnings: row.get("warnings_json")?,
        dedup_key: row.get("dedup_key")?,
        duplicates: row.get("duplicate_count")?,
        next_attempt_at: row.get("next_attempt_at")?,
        delivered_at: row.get("delivered_at")?,
        request_id: row.get("request_id")?,
        dead_reason: row.get("dead_reason")?,
        storm_key: row.get("storm_key")?,
        admitted_at: row.get("admitted_at")?,
        held_at: row.get("held_at")?,
        digest_id: row.get("digest_id")?,
        lookup_next_at: row.get("lookup_next_at")?,
        lookup_deadline: row.get("lookup_deadline")?,
        lookup_count: row.get("lookup_count")?,
        lookup_error: row.get("lookup_error")?,
        event_uuid: row.get("event_uuid")?,
        event_id: row.get("event_id")?,
        event_status: row.get("event_status")?,
        confirmed_at: row.get("confirmed_at")?,
        unconfirmed_reason: row.get("unconfirmed_reason")?,
    })
}

pub(super) fn list(
    conn: &Connection,
    state: Option<AlertState>,
    limit: usize,
) -> Result<Vec<AlertSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, state, received_at, attempt_count, duplicate_count,
                coalesce(dead_reason, unconfirmed_reason, last_error), event_id
         FROM alerts WHERE ?1 IS NULL OR state = ?1
         ORDER BY received_at DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![state.map(AlertState::as_str), limit as i64],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, u32>(4)?,
                row.get::<_, u32>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        },
    )?;

    let mut summaries = Vec::new();
    for row in rows {
        let (id, kind, state, received_at, attempts, duplicates, last_error, event_id) = row?;
        summaries.push(AlertSummary {
            id: parse_id(&id)?,
            kind: parse_kind(&id, &kind)?,
            state: parse_state(&id, &state)?,
            received_at: timestamp(&id, received_at)?,
            attempts,
            duplicates,
            last_error,
            event_id,
        });
    }
    Ok(summaries)
}

pub(super) fn get(conn: &Connection, id: AlertId) -> Result<Option<AlertRecord>, StoreError> {
    let id_text = id.to_string();
    let raw = conn
        .query_row(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts JOIN alert_bodies ON alert_id = id
                 WHERE id = ?1"
            ),
            params![id_text],
            raw_alert,
        )
        .optional()?;
    let Some(raw) = raw else {
        return Ok(None);
    };

    let event = match (raw.event_uuid, raw.event_id.clone()) {
        (Some(uuid), Some(event_id)) => Some(EventRef {
            uuid,
            event_id,
            status: raw.event_status,
        }),
        _ => None,
    };
    let confirmation = ConfirmationRecord {
        lookups: raw.lookup_count,
        next_lookup_at: opt_timestamp(&id_text, raw.lookup_next_at)?,
        deadline: opt_timestamp(&id_text, raw.lookup_deadline)?,
        last_error: raw.lookup_error,
        event,
        confirmed_at: opt_timestamp(&id_text, raw.confirmed_at)?,
        unconfirmed_reason: raw.unconfirmed_reason,
    };
    let storm = StormRecord {
        key: raw.storm_key,
        admitted_at: opt_timestamp(&id_text, raw.admitted_at)?,
        held_at: opt_timestamp(&id_text, raw.held_at)?,
        digest_id: raw.digest_id.as_deref().map(parse_id).transpose()?,
        members: sql_storm::members(conn, &id_text)?,
    };

    Ok(Some(AlertRecord {
        id,
        kind: parse_kind(&id_text, &raw.kind)?,
        state: parse_state(&id_text, &raw.state)?,
        received_at: timestamp(&id_text, raw.received_at)?,
        queued_at: timestamp(&id_text, raw.queued_at)?,
        raw_body: String::from_utf8_lossy(&raw.raw_body).into_owned(),
        trigger: parse_json(&id_text, &raw.trigger)?,
        warnings: parse_json(&id_text, &raw.warnings)?,
        dedup_key: raw.dedup_key,
        duplicates: raw.duplicates,
        next_attempt_at: opt_timestamp(&id_text, raw.next_attempt_at)?,
        delivered_at: opt_timestamp(&id_text, raw.delivered_at)?,
        request_id: raw.request_id,
        dead_reason: raw.dead_reason,
        attempts: attempts(conn, &id_text)?,
        storm,
        confirmation,
        callbacks: sql_callbacks::of_alert(conn, &id_text, raw.event_id.as_deref())?,
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
    let row: Option<(String, Option<i64>)> = conn
        .query_row(
            "SELECT state, lease_until FROM alerts WHERE id = ?1",
            params![id_text],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((state, lease_until)) = row else {
        return Ok(RequeueOutcome::NotFound);
    };
    match parse_state(&id_text, &state)? {
        state if state.is_sent() => return Ok(RequeueOutcome::AlreadyDelivered),
        AlertState::Held => return Ok(RequeueOutcome::Held),
        _ => {}
    }
    // A lease that has ended belongs to a worker that stopped, so the alert
    // is no longer in flight.
    if let Some(lease_until) = opt_timestamp(&id_text, lease_until)? {
        if lease_until > now {
            return Ok(RequeueOutcome::InFlight { lease_until });
        }
    }

    conn.execute(
        "UPDATE alerts SET state = 'pending', next_attempt_at = ?2, queued_at = ?2,
                           dead_reason = NULL, lease_until = NULL
         WHERE id = ?1",
        params![id_text, millis(now)],
    )?;
    Ok(RequeueOutcome::Requeued)
}

pub(super) fn requeue_all_dead(conn: &Connection, now: Timestamp) -> Result<u64, StoreError> {
    let count = conn.execute(
        "UPDATE alerts SET state = 'pending', next_attempt_at = ?1, queued_at = ?1,
                           dead_reason = NULL, lease_until = NULL
         WHERE state = 'dead'",
        params![millis(now)],
    )?;
    Ok(count as u64)
}
