//! `[callbacks]` and `[admin]`: the credentials of the endpoints that
//! xMatters and operators call.

use serde::{Deserialize, Serialize};

use super::OptionError;
use super::service::{Secret, validate_tokens};

/// `[callbacks]`: credentials xMatters uses to post its outbound webhooks
/// (RESPONSE, STATUS, DELIVERYSTATUS) to the relay.
///
/// xMatters sends either no authentication or HTTP Basic, so a callback
/// proves itself with a token in the URL
/// (`/xmatters/callback/TOKEN`) or with Basic credentials on
/// `/xmatters/callback`. With neither configured the endpoint responds 404.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallbacksConfig {
    /// Tokens accepted in the callback URL; several may be valid at once
    /// so a token can be rotated.
    pub tokens: Vec<Secret>,
    /// User xMatters sends with HTTP Basic.
    pub username: Option<String>,
    /// Password xMatters sends with HTTP Basic.
    pub password: Option<Secret>,
}

impl CallbacksConfig {
    /// Returns whether any credential is configured, which turns the
    /// endpoint on.
    pub fn is_enabled(&self) -> bool {
        !self.tokens.is_empty() || self.username.is_some()
    }

    pub(super) fn validate(&self) -> Result<(), OptionError> {
        validate_tokens("callbacks.tokens", &self.tokens)?;
        match (&self.username, &self.password) {
            (Some(_), Some(password)) if password.expose().len() < 16 => Err(OptionError::new(
                "callbacks.password",
                "the password is shorter than 16 characters; use a long random string",
            )),
            (Some(_), None) => Err(OptionError::new(
                "callbacks.password",
                "username is set but password is missing",
            )),
            (None, Some(_)) => Err(OptionError::new(
                "callbacks.username",
                "password is set but username is missing",
            )),
            _ => Ok(()),
        }
    }
}

/// `[admin]`: bearer tokens for the operator endpoints such as
/// `GET /alerts/{id}`. With none configured those endpoints respond 404.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Tokens accepted in `Authorization: Bearer TOKEN`.
    pub tokens: Vec<Secret>,
}

impl AdminConfig {
    pub(super) fn validate(&self) -> Result<(), OptionError> {
        validate_tokens("admin.tokens", &self.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_option(result: Result<(), OptionError>) -> String {
        result.err().map(|err| err.option).unwrap_or_default()
    }

    #[test]
    fn empty_sections_are_valid_and_off() {
        assert_eq!(CallbacksConfig::default().validate(), Ok(()));
        assert!(!CallbacksConfig::default().is_enabled());
        assert_eq!(AdminConfig::default().validate(), Ok(()));
    }

    #[test]
    fn invalid_callback_credentials_are_named() {
        let short_token = CallbacksConfig {
            tokens: vec![Secret::new("short")],
            ..CallbacksConfig::default()
        };
        let no_password = CallbacksConfig {
            username: Some("xmatters".to_owned()),
            ..CallbacksConfig::default()
        };
        let short_password = CallbacksConfig {
            username: Some("xmatters".to_owned()),
            password: Some(Secret::new("short")),
            ..CallbacksConfig::default()
        };
        let no_user = CallbacksConfig {
            password: Some(Secret::new("callback-password-0123456789")),
            ..CallbacksConfig::default()
        };
        assert_eq!(
            invalid_option(short_token.validate()),
            "callbacks.tokens[0]"
        );
        assert_eq!(invalid_option(no_password.validate()), "callbacks.password");
        assert_eq!(
            invalid_option(short_password.validate()),
            "callbacks.password"
        );
        assert_eq!(invalid_option(no_user.validate()), "callbacks.username");
    }

    #[test]
    fn short_admin_token_is_named() {
        let admin = AdminConfig {
            tokens: vec![Secret::new("admin")],
        };
        assert_eq!(invalid_option(admin.validate()), "admin.tokens[0]");
    }
}
