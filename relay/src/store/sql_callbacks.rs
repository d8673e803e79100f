//! Synchronous SQL of xMatters callbacks.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::callback::{Callback, CallbackKind};
use super::sql::{corrupt, millis, opt_timestamp, parse_id, parse_json, timestamp};
use super::types::AlertId;
/// Query for the alert that created an xMatters event.
pub(super) const SELECT_ALERT_OF_EVENT: &str =
    "SELECT id FROM alerts WHERE event_id = ?1 ORDER BY received_at LIMIT 1";

/// Stores a callback, matched to the alert whose event it names, and
/// returns that alert.
pub(super) fn insert(
    conn: &Connection,
    callback: &Callback,
) -> Result<Option<AlertId>, StoreError> {
    let alert: Option<String> = conn
        .query_row(SELECT_ALERT_OF_EVENT, params![callback.event_id], |row| {
            row.get(0)
        })
        .optional()?;

    conn.execute(
        "INSERT INTO callbacks (received_at, kind, event_id, alert_id, occurred_at, recipient,
                               device, device_id, response, comment, status, delivery_status,
                               message, event_properties, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            millis(callback.received_at),
            callback.kind.as_str(),
            callback.event_id,
            alert,
            callback.occurred_at.map(millis),
            callback.recipient,
            callback.device,
            callback.device_id,
            callback.response,
            callback.comment,
            callback.status,
            callback.delivery_status,
            callback.message,
            callback.event_properties.to_string(),
            callback.body,
        ],
    )?;
    alert.as_deref().map(parse_id).transpose()
}

const CALLBACK_COLUMNS: &str = "number, received_at, kind, event_id, alert_id, occurred_at,
    recipient, device, device_id, response, comment, status, delivery_status, message,
    event_properties, body";

/// Returns the callbacks of an alert: those matched to it and those naming
/// its event, oldest first.
pub(super) fn of_alert(
    conn: &Connection,
    alert_id: &str,
    event_id: Option<&str>,
) -> Result<Vec<Callback>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CALLBACK_COLUMNS} FROM callbacks
         WHERE alert_id = ?1 OR (?2 IS NOT NULL AND event_id = ?2)
         ORDER BY number"
    ))?;
    let rows = stmt.query_map(params![alert_id, event_id], raw_callback)?;
    decode_all(rows)
}

/// Returns the newest callbacks, only those matched to no alert when
/// `unmatched_only` is set, newest first.
pub(super) fn list(
    conn: &Connection,
    unmatched_only: bool,
    limit: usize,
) -> Result<Vec<Callback>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CALLBACK_COLUMNS} FROM callbacks
         WHERE NOT ?1 OR alert_id IS NULL
         ORDER BY number DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![unmatched_only, limit as i64], raw_callback)?;
    decode_all(rows)
}

/// Columns of a callback row, before decoding.
struct RawCallback {
    number: i64,
    received_at: i64,
    kind: String,
    event_id: String,
    alert_id: Option<String>,
    occurred_at: Option<i64>,
    recipient: Option<String>,
    device: Option<String>,
    device_id: Option<String>,
    response: Option<String>,
    comment: Option<String>,
    status: Option<String>,
    delivery_status: Option<String>,
    message: Option<String>,
    event_properties: String,
    body: String,
}

fn raw_callback(row: &Row<'_>) -> rusqlite::Result<RawCallback> {
    Ok(RawCallback {
        number: row.get("number")?,
        received_at: row.get("received_at")?,
        kind: row.get("kind")?,
        event_id: row.get("event_id")?,
        alert_id: row.get("alert_id")?,
        occurred_at: row.get("occurred_at")?,
        recipient: row.get("recipient")?,
        device: row.get("device")?,
        device_id: row.get("device_id")?,
        response: row.get("response")?,
        comment: row.get("comment")?,
        status: row.get("status")?,
        delivery_status: row.get("delivery_status")?,
        message: row.get("message")?,
        event_properties: row.get("event_properties")?,
        body: row.get("body")?,
    })
}

fn decode_all(
    rows: impl Iterator<Item = rusqlite::Result<RawCallback>>,
) -> Result<Vec<Callback>, StoreError> {
    let mut callbacks = Vec::new();
    for row in rows {
        callbacks.push(decode(row?)?);
    }
    Ok(callbacks)
}

fn decode(raw: RawCallback) -> Result<Callback, StoreError> {
    let label = format!("callback {}", raw.number);
    Ok(Callback {
        received_at: timestamp(&label, raw.received_at)?,
        kind: raw
            .kind
            .parse::<CallbackKind>()
            .map_err(|err| corrupt(&label, err))?,
        event_id: raw.event_id,
        alert_id: raw.alert_id.as_deref().map(parse_id).transpose()?,
        occurred_at: opt_timestamp(&label, raw.occurred_at)?,
        recipient: raw.recipient,
        device: raw.device,
        device_id: raw.device_id,
        response: raw.response,
        comment: raw.comment,
        status: raw.status,
        delivery_status: raw.delivery_status,
        message: raw.message,
        event_properties: parse_json(&label, &raw.event_properties)?,
        body: raw.body,
    })
}
