//! Synchronous SQL of storm protection: decisions, held alerts and digests.

use jiff::Timestamp;
use rusqlite::{Connection, params};

use super::StoreError;
use super::sql::{self, millis, parse_id, parse_json, timestamp};
use super::storm::{Admission, DigestOutcome, HeldAlert, HeldGroup, NewDigest, StormDecision};
use super::types::AlertId;

pub(super) fn record_decisions(
    conn: &Connection,
    decisions: &[StormDecision],
    at: Timestamp,
) -> Result<(), StoreError> {
    let mut admit = conn.prepare_cached(
        "UPDATE alerts SET storm_key = ?2, admitted_at = ?3
         WHERE id = ?1 AND state = 'pending'",
    )?;
    let mut hold = conn.prepare_cached(
        "UPDATE alerts SET state = 'held', storm_key = ?2, held_at = ?3, next_attempt_at = NULL,
                           lease_until = NULL
         WHERE id = ?1 AND state = 'pending'",
    )?;
    for decision in decisions {
        let statement = if decision.admitted {
            &mut admit
        } else {
            &mut hold
        };
        statement.execute(params![decision.id.to_string(), decision.key, millis(at)])?;
    }
    Ok(())
}

/// Query for the alerts storm protection let through since a time.
pub(super) const SELECT_ADMISSIONS: &str = "SELECT id, storm_key, admitted_at FROM alerts
     WHERE admitted_at >= ?1 AND storm_key IS NOT NULL
     ORDER BY admitted_at";

pub(super) fn admissions_since(
    conn: &Connection,
    since: Timestamp,
) -> Result<Vec<Admission>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_ADMISSIONS)?;
    let rows = stmt.query_map(params![millis(since)], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;

    let mut admissions = Vec::new();
    for row in rows {
        let (id, key, at) = row?;
        admissions.push(Admission {
            key,
            at: timestamp(&id, at)?,
        });
    }
    Ok(admissions)
}

/// Query for each set of recipients with held alerts.
pub(super) const SELECT_HELD_GROUPS: &str = "SELECT storm_key, count(*), min(held_at) FROM alerts
     WHERE state = 'held'
     GROUP BY storm_key ORDER BY min(held_at)";

pub(super) fn held_groups(conn: &Connection) -> Result<Vec<HeldGroup>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_HELD_GROUPS)?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;

    let mut groups = Vec::new();
    for row in rows {
        let (key, count, first_held_at) = row?;
        groups.push(HeldGroup {
            first_held_at: timestamp(&format!("held alerts of {key:?}"), first_held_at)?,
            key,
            count: count.max(0) as u64,
        });
    }
    Ok(groups)
}

/// Query for the held alerts of one set of recipients, oldest first.
///
/// Only the trigger's priority and recipients are read, so that a digest of
/// many alerts does not hold all their triggers in memory.
pub(super) const SELECT_HELD: &str = "SELECT id, received_at, raw_body,
     CASE json_type(trigger_json, '$.priority')
         WHEN 'text' THEN json_extract(trigger_json, '$.priority') END,
     CASE json_type(trigger_json, '$.recipients')
         WHEN 'array' THEN json_extract(trigger_json, '$.recipients') END
     FROM alerts JOIN alert_bodies ON alert_id = id
     WHERE state = 'held' AND storm_key = ?1
     ORDER BY received_at, id LIMIT ?2";

pub(super) fn held_alerts(
    conn: &Connection,
    key: &str,
    limit: usize,
) -> Result<Vec<HeldAlert>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_HELD)?;
    let rows = stmt.query_map(params![key, limit as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, Vec<u8>>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;

    let mut held = Vec::new();
    for row in rows {
        let (id, received_at, raw_body, priority, recipients) = row?;
        held.push(HeldAlert {
            recipients: recipients.map(|text| parse_json(&id, &text)).transpose()?,
            id: parse_id(&id)?,
            received_at: timestamp(&id, received_at)?,
            raw_body,
            priority,
        });
    }
    Ok(held)
}

/// Stores the digest as a pending alert that storm protection already let
/// through, and marks its members `digested`. Fails, leaving everything
/// unchanged, when a member is no longer held under the digest's key.
pub(super) fn create_digest(
    conn: &Connection,
    digest: &NewDigest,
) -> Result<DigestOutcome, StoreError> {
    let id = AlertId::generate();
    let id_text = id.to_string();
    let created = millis(digest.created_at);
    conn.execute(
        "INSERT INTO alerts (id, kind, received_at, queued_at, state, dedup_key,
                             next_attempt_at, storm_key, admitted_at)
         VALUES (?1, 'digest', ?2, ?2, 'pending', ?3, ?2, ?4, ?2)",
        params![id_text, created, format!("digest:{id_text}"), digest.key],
    )?;
    sql::insert_body(
        conn,
        &id_text,
        b"",
        &digest.trigger.to_string(),
        &digest.warnings.to_string(),
    )?;

    let mut mark = conn.prepare_cached(
        "UPDATE alerts SET state = 'digested', digest_id = ?2
         WHERE id = ?1 AND state = 'held' AND storm_key = ?3",
    )?;
    for member in &digest.members {
        let changed = mark.execute(params![member.to_string(), id_text, digest.key])?;
        if changed != 1 {
            return Err(StoreError::Conflict(format!(
                "alert {member} is no longer held for the digest of {:?}",
                digest.key
            )));
        }
    }
    Ok(DigestOutcome {
        id,
        members: digest.members.len() as u64,
    })
}

/// Query for the alerts a digest names.
pub(super) const SELECT_MEMBERS: &str =
    "SELECT id FROM alerts WHERE digest_id = ?1 ORDER BY received_at, id";

/// Returns the alerts a digest names, oldest first; empty for other alerts.
pub(super) fn members(conn: &Connection, digest_id: &str) -> Result<Vec<AlertId>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_MEMBERS)?;
    let rows = stmt.query_map(params![digest_id], |row| row.get::<_, String>(0))?;
    let mut members = Vec::new();
    for row in rows {
        members.push(parse_id(&row?)?);
    }
    Ok(members)
}
