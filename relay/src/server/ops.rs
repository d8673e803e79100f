//! Operational endpoints: liveness, readiness and metrics.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::AppState;

/// Maximum time the readiness probe waits for the store.
const STORE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthz`: the process is up and serving HTTP.
pub(crate) async fn healthz() -> Response {
    (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response()
}

/// `GET /readyz`: the store commits, the backlog is below its bound, the
/// worker runs and the relay is not shutting down. Responds 503 naming
/// each failed check otherwise.
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let mut problems = Vec::new();
    if state.is_draining() {
        problems.push("the relay is shutting down".to_owned());
    }
    if !state.worker.is_running() {
        problems.push("the delivery worker is not running".to_owned());
    }
    match tokio::time::timeout(STORE_CHECK_TIMEOUT, state.store.check_writable()).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => problems.push(format!("the store is not writable: {err}")),
        Err(_) => problems.push(format!(
            "the store did not commit within {STORE_CHECK_TIMEOUT:?}"
        )),
    }
    let limit = state.config.server.max_backlog;
    match tokio::time::timeout(STORE_CHECK_TIMEOUT, state.store.backlog()).await {
        Ok(Ok(pending)) if pending >= limit => problems.push(format!(
            "the backlog is full: {pending} alerts are waiting for delivery, the limit \
             (server.max_backlog) is {limit}, so the intake responds 503"
        )),
        Ok(Ok(_)) => {}
        Ok(Err(err)) => problems.push(format!("counting pending alerts failed: {err}")),
        Err(_) => problems.push(format!(
            "the store did not count pending alerts within {STORE_CHECK_TIMEOUT:?}"
        )),
    }

    if problems.is_empty() {
        (StatusCode::OK, axum::Json(json!({"status": "ready"}))).into_response()
    } else {
        let body = json!({"status": "not ready", "problems": problems});
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
    }
}

/// `GET /metrics`: Prometheus text format. The backlog gauge is read from
/// the store first, so it also counts alerts requeued by other processes.
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    match state.store.backlog().await {
        Ok(pending) => state.metrics.set_backlog(pending),
        Err(err) => tracing::error!(error = %err, "counting pending alerts for /metrics failed"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
