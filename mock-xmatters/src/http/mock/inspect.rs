//! Hooks that read the simulator: the request journal, the activity log,
//! timelines and delivery records.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::http::error::ApiError;
use crate::http::events::{event_not_found, parse_event_key};
use crate::http::query::QueryParams;
use crate::journal::JournalEntry;
use crate::state::{SharedState, lock};

/// The body of `GET /mock/journal`.
#[derive(Debug, Serialize)]
pub(crate) struct JournalPage {
    count: usize,
    dropped: u64,
    entries: Vec<JournalEntry>,
}

/// `GET /mock/journal`: the API requests received, oldest first. The
/// entries are copied out of the lock (their bodies are shared, not
/// copied) and serialized one by one, never as one JSON value tree.
pub(crate) async fn journal(State(state): State<SharedState>) -> Json<JournalPage> {
    let journal = lock(&state.journal);
    let entries: Vec<JournalEntry> = journal.entries().cloned().collect();
    Json(JournalPage {
        count: entries.len(),
        dropped: journal.dropped(),
        entries,
    })
}

/// `GET /mock/activity[?requestId=UUID]`: what became of each inbound
/// trigger, oldest first.
pub(crate) async fn activity(
    State(state): State<SharedState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let request_id = query
        .get("requestId")
        .map(|text| {
            Uuid::parse_str(text.trim()).map_err(|_| {
                ApiError::bad_request(format!(
                    "Invalid requestId {text:?}: expected the UUID returned by the trigger."
                ))
            })
        })
        .transpose()?;

    let activity = lock(&state.activity);
    let entries: Vec<_> = activity
        .entries()
        .filter(|entry| request_id.is_none_or(|id| entry.request_id == id))
        .collect();
    Ok(Json(json!({ "count": entries.len(), "entries": entries })))
}

/// `GET /mock/events/{id}/timeline`: one event's story in order.
pub(crate) async fn timeline(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = parse_event_key(&id)?;
    let entries = state
        .with_sim(|sim| sim.timeline(&key))
        .ok_or_else(|| event_not_found(&key))?;
    Ok(Json(json!(entries)))
}

/// `GET /mock/timeline`: every event's entries merged in the order they
/// happened.
pub(crate) async fn full_timeline(State(state): State<SharedState>) -> Json<Value> {
    Json(json!(state.with_sim(|sim| sim.full_timeline())))
}

/// `GET /mock/events/{id}/notifications`: one delivery record per message.
pub(crate) async fn notifications(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = parse_event_key(&id)?;
    let records = state
        .with_sim(|sim| sim.notifications(&key))
        .ok_or_else(|| event_not_found(&key))?;
    Ok(Json(json!(records)))
}
