//! A JSON body extractor whose failures are REST error objects. It reads
//! the body whatever its `Content-Type`, as lenient clients expect.

use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// A request body parsed as JSON into `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body; the error names the position and the problem.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "The request body is empty: send a JSON object.",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|error| ApiError::bad_request(format!("The request body is not valid: {error}.")))
}
