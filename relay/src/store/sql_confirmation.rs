//! Synchronous SQL of the event lookup that confirms delivered alerts.

use jiff::Timestamp;
use rusqlite::{Connection, params};

use super::StoreError;
use super::confirmation::{DueLookup, LookupOutcome};
use super::sql::{millis, opt_timestamp, parse_id, timestamp};
use super::types::AlertId;
/// Query for the delivered alerts whose event lookup is due, earliest first.
pub(super) const SELECT_DUE_LOOKUPS: &str = "SELECT id, request_id, delivered_at, lookup_count,
     coalesce(lookup_deadline, delivered_at)
     FROM alerts
     WHERE state = 'delivered' AND lookup_next_at <= ?1
     ORDER BY lookup_next_at LIMIT ?2";

pub(super) fn claim_lookups(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    lease_until: Timestamp,
) -> Result<Vec<DueLookup>, StoreError> {
    let mut stmt = conn.prepare_cached(SELECT_DUE_LOOKUPS)?;
    let rows = stmt.query_map(params![millis(now), limit as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, Option<i64>>(2)?,
            row.get::<_, u32>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;

    let mut due = Vec::new();
    for row in rows {
        let (id, request_id, delivered_at, lookups, deadline) = row?;
        let delivered_at = opt_timestamp(&id, delivered_at)?.unwrap_or(now);
        due.push(DueLookup {
            id: parse_id(&id)?,
            request_id,
            delivered_at,
            lookups,
            deadline: opt_timestamp(&id, deadline)?.unwrap_or(delivered_at),
        });
    }

    let mut lease = conn.prepare_cached("UPDATE alerts SET lookup_next_at = ?2 WHERE id = ?1")?;
    for lookup in &due {
        lease.execute(params![lookup.id.to_string(), millis(lease_until)])?;
    }
    Ok(due)
}

/// Query for the time the next event lookup is due.
pub(super) const NEXT_LOOKUP: &str = "SELECT min(lookup_next_at) FROM alerts
     WHERE state = 'delivered' AND lookup_next_at IS NOT NULL";

pub(super) fn next_lookup_at(conn: &Connection) -> Result<Option<Timestamp>, StoreError> {
    let next: Option<i64> = conn.query_row(NEXT_LOOKUP, [], |row| row.get(0))?;
    next.map(|ms| timestamp("", ms)).transpose()
}

pub(super) fn record_lookup(
    conn: &Connection,
    id: AlertId,
    at: Timestamp,
    outcome: &LookupOutcome,
) -> Result<(), StoreError> {
    let id_text = id.to_string();
    match outcome {
        LookupOutcome::Found(event) => {
            conn.execute(
                "UPDATE alerts SET state = 'confirmed', lookup_count = lookup_count + 1,
                                   lookup_next_at = NULL, lookup_error = NULL,
                                   event_uuid = ?2, event_id = ?3, event_status = ?4,
                                   confirmed_at = ?5
                 WHERE id = ?1 AND state = 'delivered'",
                params![
                    id_text,
                    event.uuid,
                    event.event_id,
                    event.status,
                    millis(at)
                ],
            )?;
            // Callbacks can arrive before the lookup finds the event.
            conn.execute(
                "UPDATE callbacks SET alert_id = ?1 WHERE event_id = ?2 AND alert_id IS NULL",
                params![id_text, event.event_id],
            )?;
        }
        LookupOutcome::RetryAt { next_at, error } => {
            conn.execute(
                "UPDATE alerts SET lookup_count = lookup_count + 1, lookup_next_at = ?2,
                                   lookup_error = ?3
                 WHERE id = ?1 AND state = 'delivered'",
                params![id_text, millis(*next_at), error],
            )?;
        }
        LookupOutcome::Unconfirmed { reason, error } => {
            conn.execute(
                "UPDATE alerts SET state = 'unconfirmed', lookup_count = lookup_count + 1,
                                   lookup_next_at = NULL, lookup_error = ?2,
                                   unconfirmed_reason = ?3
                 WHERE id = ?1 AND state = 'delivered'",
                params![id_text, error, reason],
            )?;
        }
    }
    Ok(())
}
