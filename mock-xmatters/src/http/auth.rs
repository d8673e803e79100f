//! Authentication: Basic auth with a world's REST users, and the `apiKey`
//! query parameter of inbound integrations.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::http::error::ApiError;
use crate::state::SharedState;
use crate::world::{Integration, World};

/// The realm sent in `WWW-Authenticate` challenges.
const REALM: &str = "Basic realm=\"xMatters\"";

/// A request authenticated as one of the world's REST users.
#[derive(Debug, Clone)]
pub(crate) struct RestUser {
    pub(crate) username: String,
}

/// A 401 with the REST error object and a Basic challenge.
#[derive(Debug)]
pub(crate) struct Unauthorized(ApiError);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
        response
    }
}

impl FromRequestParts<SharedState> for RestUser {
    type Rejection = Unauthorized;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        authenticate_rest_user(&state.world, &parts.headers).map_err(Unauthorized)
    }
}

/// Checks the `Authorization: Basic` header against the world's REST users.
pub(crate) fn authenticate_rest_user(
    world: &World,
    headers: &HeaderMap,
) -> Result<RestUser, ApiError> {
    let Some((username, password)) = basic_credentials(headers)? else {
        return Err(ApiError::unauthorized(
            "Missing credentials: send HTTP Basic auth with a REST user of the world.",
        ));
    };
    let known = world
        .rest_users
        .iter()
        .any(|user| user.username == username && user.password == password);
    if !known {
        return Err(ApiError::unauthorized(format!(
            "Invalid credentials for user {username:?}: check the user name and password against the world's rest_users."
        )));
    }
    Ok(RestUser { username })
}

/// Checks an inbound trigger's credentials: the integration's `apiKey` in
/// the query, or Basic auth with a REST user.
///
/// NOTE: xMatters does not document whether bad trigger credentials get
/// 401 or 403; this responds 401.
pub(crate) fn authenticate_trigger(
    world: &World,
    integration: &Integration,
    api_key: Option<&str>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    match api_key {
        Some(key) if key == integration.api_key => Ok(()),
        Some(_) => Err(ApiError::unauthorized(format!(
            "Invalid apiKey for integration {:?}: use the key from the world's integration entry.",
            integration.name
        ))),
        None if headers.contains_key(header::AUTHORIZATION) => {
            authenticate_rest_user(world, headers).map(|_| ())
        }
        None => Err(ApiError::unauthorized(format!(
            "Missing credentials for integration {:?}: add ?apiKey=KEY to the URL or send HTTP Basic auth.",
            integration.name
        ))),
    }
}

/// Decodes `Authorization: Basic base64(user:password)`; `Ok(None)` when
/// the header is absent.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::unauthorized(
            "Invalid Authorization header: expected \"Basic base64(user:password)\".",
        )
    };

    let text = value.to_str().map_err(|_| invalid())?;
    let (scheme, encoded) = text.trim().split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (username, password) = decoded.split_once(':').ok_or_else(invalid)?;
    Ok(Some((username.to_owned(), password.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("valid header"),
        );
        headers
    }

    fn basic(user: &str, password: &str) -> HeaderMap {
        headers(&format!(
            "Basic {}",
            STANDARD.encode(format!("{user}:{password}"))
        ))
    }

    #[test]
    fn rest_user_accepts_known_credentials() {
        let world = World::default_world();
        let user = &world.rest_users[0];

        let authenticated = authenticate_rest_user(&world, &basic(&user.username, &user.password));

        assert_eq!(
            authenticated.map(|user| user.username).ok(),
            Some(user.username.clone())
        );
    }

    #[test]
    fn rest_user_rejects_wrong_password() {
        let world = World::default_world();
        let user = &world.rest_users[0];

        let error =
            authenticate_rest_user(&world, &basic(&user.username, "wrong")).expect_err("rejected");

        assert_eq!(error.code, 401);
        assert!(error.message.contains(&user.username), "{}", error.message);
    }

    #[test]
    fn rest_user_rejects_missing_and_malformed_headers() {
        let world = World::default_world();

        for headers in [
            HeaderMap::new(),
            headers("Bearer abc"),
            headers("Basic !!!"),
            headers("Basic"),
        ] {
            let error = authenticate_rest_user(&world, &headers).expect_err("rejected");
            assert_eq!(error.code, 401);
        }
    }

    #[test]
    fn trigger_accepts_api_key_or_basic() {
        let world = World::default_world();
        let integration = &world.integrations[0];
        let user = &world.rest_users[0];

        assert!(
            authenticate_trigger(
                &world,
                integration,
                Some(&integration.api_key),
                &HeaderMap::new()
            )
            .is_ok()
        );
        assert!(
            authenticate_trigger(
                &world,
                integration,
                None,
                &basic(&user.username, &user.password)
            )
            .is_ok()
        );
    }

    #[test]
    fn trigger_rejects_wrong_or_missing_key() {
        let world = World::default_world();
        let integration = &world.integrations[0];

        let wrong = authenticate_trigger(&world, integration, Some("nope"), &HeaderMap::new());
        let missing = authenticate_trigger(&world, integration, None, &HeaderMap::new());

        assert!(
            wrong
                .expect_err("rejected")
                .message
                .contains("Invalid apiKey")
        );
        assert!(
            missing
                .expect_err("rejected")
                .message
                .contains("Missing credentials")
        );
    }
}
