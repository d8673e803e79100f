//! The REST error object that xMatters returns from every endpoint, and the
//! legacy form trigger's `DATA_VALIDATION_ERROR` body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error sent as the xMatters REST error object
/// `{"code", "reason", "message", "subcode"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// HTTP status code, repeated in the body as xMatters does.
    pub code: u16,
    /// Canonical reason phrase of `code`, e.g. `Not Found`.
    pub reason: String,
    /// Human-readable explanation that names the offending value.
    pub message: String,
    /// Machine-readable detail; omitted when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<String>,
    /// Seconds sent in a `Retry-After` header, if any.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// Builds an error with the canonical reason phrase of `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code: status.as_u16(),
            reason: reason_phrase(status),
            message: message.into(),
            subcode: None,
            retry_after: None,
        }
    }

    /// Sets the machine-readable subcode.
    pub fn with_subcode(mut self, subcode: impl Into<String>) -> Self {
        self.subcode = Some(subcode.into());
        self
    }

    /// Adds a `Retry-After` header with this many seconds.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// Returns the status code, or 500 when `code` is not a valid status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Returns the canonical reason phrase, or `Unknown` for unregistered codes.
pub fn reason_phrase(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Unknown").to_owned()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// One failed form property in a `DATA_VALIDATION_ERROR` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Location of the value, e.g. `properties/View_Name`.
    pub json_path: String,
    /// The problem with the value, in xMatters' wording.
    pub details: String,
}

/// The legacy form trigger's 400 body for form validation failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataValidationError {
    /// Always `DATA_VALIDATION_ERROR`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: &'static str,
    pub error_details: Vec<ErrorDetail>,
}

impl DataValidationError {
    pub fn new(error_details: Vec<ErrorDetail>) -> Self {
        Self {
            kind: "DATA_VALIDATION_ERROR",
            message: "There are data validation errors in the form.",
            error_details,
        }
    }
}

impl IntoResponse for DataValidationError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(self)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api_error_serializes_rest_error_object() {
        let error = ApiError::not_found("No event with id 42.").with_subcode("event.not_found");

        let body = serde_json::to_value(&error).expect("serializes");

        assert_eq!(
            body,
            json!({"code": 404, "reason": "Not Found", "message": "No event with id 42.", "subcode": "event.not_found"})
        );
    }

    #[test]
    fn api_error_omits_missing_subcode() {
        let body =
            serde_json::to_value(ApiError::unauthorized("Bad credentials.")).expect("serializes");

        assert_eq!(body.get("subcode"), None);
        assert_eq!(body["reason"], "Unauthorized");
    }

    #[test]
    fn api_error_sets_retry_after_header() {
        let response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Slow down.")
            .with_retry_after(3)
            .into_response();

        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }

    #[test]
    fn data_validation_error_body_shape() {
        let body = serde_json::to_value(DataValidationError::new(vec![ErrorDetail {
            json_path: "properties/View_Name".into(),
            details: "Exceeded the specified maximum number of characters".into(),
        }]))
        .expect("serializes");

        assert_eq!(
            body,
            json!({
                "type": "DATA_VALIDATION_ERROR",
                "message": "There are data validation errors in the form.",
                "errorDetails": [{"jsonPath": "properties/View_Name",
                                  "details": "Exceeded the specified maximum number of characters"}]
            })
        );
    }
}
