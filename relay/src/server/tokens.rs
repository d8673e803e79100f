//! Credentials of the endpoints: tokens in the URL, HTTP Basic and bearer
//! tokens, all compared in constant time.

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use subtle::ConstantTimeEq;

use crate::config::service::Secret;

/// Returns whether `presented` equals one of `tokens`.
///
/// Each comparison takes time independent of where the bytes differ, and
/// every token is compared, so the timing does not reveal which token
/// nearly matched. Only the token lengths can leak.
pub(crate) fn is_valid(tokens: &[Secret], presented: &str) -> bool {
    let mut valid = subtle::Choice::from(0);
    for token in tokens {
        valid |= token.expose().as_bytes().ct_eq(presented.as_bytes());
    }
    valid.into()
}

/// Returns whether the `Authorization: Basic` header carries `username`
/// and `password`. Both are compared in full even when the first differs.
pub(crate) fn basic_matches(headers: &HeaderMap, username: &str, password: &Secret) -> bool {
    let Some((user, presented)) = basic_credentials(headers) else {
        return false;
    };
    let user_matches = user.as_bytes().ct_eq(username.as_bytes());
    let password_matches = presented.as_bytes().ct_eq(password.expose().as_bytes());
    (user_matches & password_matches).into()
}

/// Reads the user and password of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Returns the token of an `Authorization: Bearer` header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("valid header"),
        );
        headers
    }

    #[test]
    fn basic_credentials_are_checked() {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode("xmatters:callback-password-0123");
        let password = Secret::new("callback-password-0123");

        let headers = with_authorization(&format!("Basic {encoded}"));
        assert!(basic_matches(&headers, "xmatters", &password));
        assert!(!basic_matches(&headers, "other", &password));
        assert!(!basic_matches(
            &headers,
            "xmatters",
            &Secret::new("callback-password-0124")
        ));
        assert!(!basic_matches(&HeaderMap::new(), "xmatters", &password));
        assert!(!basic_matches(
            &with_authorization("Basic !!!"),
            "xmatters",
            &password
        ));
    }

    #[test]
    fn bearer_token_is_read() {
        assert_eq!(
            bearer_token(&with_authorization("Bearer abc123")),
            Some("abc123")
        );
        assert_eq!(bearer_token(&with_authorization("Basic abc123")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    fn tokens() -> Vec<Secret> {
        vec![
            Secret::new("current-token-0123456789"),
            Secret::new("previous-token-0123456789"),
        ]
    }

    #[test]
    fn every_configured_token_is_accepted() {
        assert!(is_valid(&tokens(), "current-token-0123456789"));
        assert!(is_valid(&tokens(), "previous-token-0123456789"));
    }

    #[test]
    fn other_tokens_are_rejected() {
        assert!(!is_valid(&tokens(), "current-token-012345678"));
        assert!(!is_valid(&tokens(), ""));
        assert!(!is_valid(&[], "current-token-0123456789"));
    }
}
