//! The layers around API routes: the request journal (outermost), the rate
//! limit, and per-endpoint fault injection (innermost, on each route).

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::connection::ConnectionControl;
use crate::faults::{FaultEndpoint, FaultOutcome, InjectedFault};
use crate::http::error::ApiError;
use crate::journal::{JournalEntry, JournalOutcome, redact_api_key};
use crate::state::{SharedState, lock};

/// Largest request body accepted, in bytes; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Marks a response whose content an injected fault decided.
#[derive(Debug, Clone)]
struct FaultMark {
    description: String,
    reset: bool,
}

/// Records each request and its response status in the journal.
pub(crate) async fn journal(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let time = state.now();
    let (parts, body) = request.into_parts();
    let method = parts.method.to_string();
    let path = redact_api_key(parts.uri.path_and_query().map_or("/", |pq| pq.as_str()));
    let mut pending = PendingEntry {
        state: state.clone(),
        entry: Some(JournalEntry {
            seq: 0,
            time,
            method: method.clone(),
            path: path.clone(),
            body: Bytes::new(),
            status: None,
            outcome: JournalOutcome::Abandoned,
            fault: None,
        }),
    };

    let response = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            pending.update(|entry| entry.body = bytes.clone());
            let request = Request::from_parts(parts, Body::from(bytes));
            next.run(request).await
        }
        Err(error) => {
            tracing::warn!(%method, %path, %error, "request body rejected");
            let message = format!(
                "The request body could not be read or exceeds {MAX_BODY_BYTES} bytes: {error}"
            );
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
        }
    };

    let mark = response.extensions().get::<FaultMark>().cloned();
    let reset = mark.as_ref().is_some_and(|mark| mark.reset);
    pending.update(|entry| {
        entry.status = (!reset).then(|| response.status().as_u16());
        entry.outcome = if reset {
            JournalOutcome::Reset
        } else {
            JournalOutcome::Answered
        };
        entry.fault = mark.map(|mark| mark.description);
    });
    response
}

/// A journal entry that is recorded when dropped. When a client closes the
/// connection before the response, the server drops the request's future,
/// so the entry is still recorded, as `abandoned`.
struct PendingEntry {
    state: SharedState,
    /// Taken out when the entry is recorded.
    entry: Option<JournalEntry>,
}

impl PendingEntry {
    fn update(&mut self, change: impl FnOnce(&mut JournalEntry)) {
        if let Some(entry) = &mut self.entry {
            change(entry);
        }
    }
}

impl Drop for PendingEntry {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            if entry.outcome == JournalOutcome::Abandoned {
                tracing::info!(method = %entry.method, path = %entry.path, "client closed the connection before the response");
            }
            lock(&self.state.journal).record(entry);
        }
    }
}

/// Counts the request against the rate limit, responds 429 over it, and
/// adds the `x-ratelimit-*` headers to every response.
pub(crate) async fn rate_limit(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let now = state.now();
    let decision = lock(&state.limiter).check(now.timestamp());

    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        tracing::warn!(
            limit = decision.limit,
            period_seconds = decision.period_seconds,
            "rate limit exceeded"
        );
        // NOTE: xMatters documents no Retry-After on its 429, so none is sent.
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit exceeded: {} requests per {} seconds. The window ends in {} seconds of simulated time.",
                decision.limit, decision.period_seconds, decision.retry_after_seconds
            ),
        )
        .into_response()
    };
    decision.apply_headers(response.headers_mut());
    response
}

/// Applies the next step of the endpoint's fault sequence, if any.
pub(crate) async fn inject_fault(
    State((state, endpoint)): State<(SharedState, FaultEndpoint)>,
    request: Request,
    next: Next,
) -> Response {
    let fault = lock(&state.faults).next(endpoint);
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let description = format!("{} step {}", fault.endpoint, fault.step);
    tracing::info!(fault = %description, outcome = ?fault.outcome, delay = ?fault.delay, "injecting fault");

    if let Some(delay) = fault.delay {
        tokio::time::sleep(delay).await;
    }

    let reset = fault.outcome == FaultOutcome::Reset;
    let mut response = match fault.outcome.clone() {
        FaultOutcome::Pass => next.run(request).await,
        FaultOutcome::Status {
            status,
            retry_after,
            body,
        } => fault_response(&fault, status, retry_after, body),
        FaultOutcome::Reset => {
            match request.extensions().get::<ConnectInfo<ConnectionControl>>() {
                Some(ConnectInfo(connection)) => connection.reset(),
                None => {
                    tracing::warn!(fault = %description, "no connection handle; answering 500 instead of a reset")
                }
            }
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    response
        .extensions_mut()
        .insert(FaultMark { description, reset });
    response
}

fn fault_response(
    fault: &InjectedFault,
    status: u16,
    retry_after: Option<u64>,
    body: Option<serde_json::Value>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        None => ApiError::new(
            status,
            format!(
                "Injected fault: step {} of the {} fault sequence.",
                fault.step, fault.endpoint
            ),
        )
        .with_subcode("mock.injected_fault")
        .into_response(),
        // A JSON string is sent as plain text, to imitate proxies and
        // gateways that respond with HTML or text.
        Some(serde_json::Value::String(text)) => (status, text).into_response(),
        Some(json) => (status, axum::Json(json)).into_response(),
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
