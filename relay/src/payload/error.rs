//! Errors and warnings produced while reading a webhook body.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Rejection of a body that is not an OverOps alert at all.
///
/// Every variant names the JSON path of the problem (`$` is the whole body)
/// and what the parser expected there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The body has no bytes, or only whitespace.
    #[error("$: the body is empty; expected a JSON object with an OverOps alert")]
    Empty,

    /// The body is not valid JSON.
    #[error(
        "$: invalid JSON at line {line}, column {column} ({reason}); expected a JSON object with an OverOps alert"
    )]
    InvalidJson {
        line: usize,
        column: usize,
        reason: String,
    },

    /// A value that decides whether this is an alert has the wrong JSON type.
    #[error("{path}: expected {expected}, found {found}")]
    UnexpectedType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },

    /// The body is a JSON object without the alert fields `type` and `data`.
    #[error(
        "$: expected an OverOps alert with a `type` or a `data` field, found an object with neither ({keys})"
    )]
    NotAnAlert { keys: String },
}

impl ParseError {
    /// Returns the JSON path of the problem, `$` for the whole body.
    pub fn path(&self) -> &str {
        match self {
            ParseError::UnexpectedType { path, .. } => path,
            ParseError::Empty | ParseError::InvalidJson { .. } | ParseError::NotAnAlert { .. } => {
                "$"
            }
        }
    }
}

/// An assumption the parser made, or a value it ignored, at one JSON path.
///
/// Parsing goes on after a warning: the alert is still mapped, and the
/// warning travels with it so that a person can see what was guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseWarning {
    /// JSON path of the value, e.g. `$.data.data.level`.
    pub path: String,
    /// Sentence that describes the assumption or the ignored value.
    pub message: String,
}

impl ParseWarning {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ParseWarning {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
