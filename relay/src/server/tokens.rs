//! Intake credentials: the tokens carried in the webhook URL.

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

#[cfg(test)]
mod tests {
    use super::*;

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
