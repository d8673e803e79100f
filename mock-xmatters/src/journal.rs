//! The request journal: every API request the simulator received, with the
//! simulated time, the path (`apiKey` redacted), the body and the response
//! status.
//! The `/mock` hooks are not journaled.

use std::collections::VecDeque;

use bytes::Bytes;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::clock::SimTime;

/// Journal entries kept; older entries are dropped first and counted in
/// [`Journal::dropped`].
pub const MAX_JOURNAL_ENTRIES: usize = 10_000;

/// Request body bytes kept across all entries. Beyond it the oldest entries
/// are dropped like those beyond [`MAX_JOURNAL_ENTRIES`], so that a storm of
/// large payloads cannot exhaust memory. 10,000 default mock-overops
/// payloads (about 8 KB each) fit.
pub const MAX_JOURNAL_BODY_BYTES: usize = 128 * 1024 * 1024;

/// The text that replaces the `apiKey` query value in journaled paths.
pub const REDACTED: &str = "REDACTED";

/// One received request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Position in arrival order, starting at 1; survives the trimming of
    /// old entries.
    pub seq: u64,
    pub time: SimTime,
    pub method: String,
    /// Path and query, with the `apiKey` value replaced by `REDACTED`.
    pub path: String,
    /// The body as received. It is kept unparsed, because a parsed body
    /// takes several times its size in memory, and serialized as JSON when
    /// it parses, as text otherwise, `null` when empty.
    #[serde(serialize_with = "serialize_body")]
    pub body: Bytes,
    /// The response status; `None` when the connection was reset or
    /// abandoned.
    pub status: Option<u16>,
    /// `answered`, `reset`, or `abandoned` when the client closed the
    /// connection before the response.
    pub outcome: JournalOutcome,
    /// The injected fault that decided the response, such as `trigger step 2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalOutcome {
    Answered,
    Reset,
    /// The client closed the connection before the response, for example
    /// on its timeout during an injected delay.
    Abandoned,
}

/// The bounded list of received requests.
#[derive(Debug, Default)]
pub struct Journal {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
    dropped: u64,
    /// Sum of the body lengths of `entries`.
    body_bytes: usize,
}

impl Journal {
    /// Appends an entry, assigning its `seq`, and drops the oldest entries
    /// beyond [`MAX_JOURNAL_ENTRIES`] or [`MAX_JOURNAL_BODY_BYTES`]. The
    /// newest entry is always kept.
    pub fn record(&mut self, mut entry: JournalEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        self.body_bytes += entry.body.len();
        self.entries.push_back(entry);

        while self.entries.len() > 1
            && (self.entries.len() > MAX_JOURNAL_ENTRIES
                || self.body_bytes > MAX_JOURNAL_BODY_BYTES)
        {
            let Some(oldest) = self.entries.pop_front() else {
                break;
            };
            self.body_bytes -= oldest.body.len();
            self.dropped += 1;
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &JournalEntry> {
        self.entries.iter()
    }

    /// Entries dropped because the journal held too many entries or body bytes.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Replaces the value of every `apiKey` query parameter with `REDACTED`.
pub fn redact_api_key(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let redacted: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("apikey") => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", redacted.join("&"))
}

fn serialize_body<S: Serializer>(body: &Bytes, serializer: S) -> Result<S::Ok, S::Error> {
    body_value(body).serialize(serializer)
}

/// Reads a body as JSON, or as (lossy UTF-8) text when it is not JSON.
pub fn body_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: SimTime::DEFAULT_START,
            method: "POST".into(),
            path: "/x".into(),
            body: Bytes::new(),
            status: Some(202),
            outcome: JournalOutcome::Answered,
            fault: None,
        }
    }

    #[test]
    fn api_key_is_redacted() {
        assert_eq!(
            redact_api_key("/api/integration/1/functions/abc/triggers?apiKey=s3cret&x=1"),
            "/api/integration/1/functions/abc/triggers?apiKey=REDACTED&x=1"
        );
        assert_eq!(redact_api_key("/a?apikey=s3cret"), "/a?apikey=REDACTED");
        assert_eq!(redact_api_key("/a?b=1"), "/a?b=1");
        assert_eq!(redact_api_key("/a"), "/a");
    }

    #[test]
    fn body_is_json_or_text() {
        assert_eq!(body_value(br#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(body_value(b"not json"), json!("not json"));
        assert_eq!(body_value(b""), Value::Null);
    }

    #[test]
    fn journal_numbers_and_trims_entries() {
        let mut journal = Journal::default();
        for _ in 0..MAX_JOURNAL_ENTRIES + 2 {
            journal.record(entry());
        }

        let first = journal.entries().next().map(|entry| entry.seq);

        assert_eq!(journal.entries().count(), MAX_JOURNAL_ENTRIES);
        assert_eq!(journal.dropped(), 2);
        assert_eq!(first, Some(3));
    }

    #[test]
    fn journal_bounds_total_body_bytes() {
        let body = Bytes::from(vec![b'x'; 1024 * 1024]);
        let mut journal = Journal::default();
        let fitting = MAX_JOURNAL_BODY_BYTES / body.len();
        for _ in 0..fitting + 3 {
            journal.record(JournalEntry {
                body: body.clone(),
                ..entry()
            });
        }

        assert_eq!(journal.entries().count(), fitting);
        assert_eq!(journal.dropped(), 3);
    }

    #[test]
    fn journal_keeps_one_oversized_entry() {
        let mut journal = Journal::default();
        journal.record(JournalEntry {
            body: Bytes::from(vec![b'x'; MAX_JOURNAL_BODY_BYTES + 1]),
            ..entry()
        });

        assert_eq!(journal.entries().count(), 1);
        assert_eq!(journal.dropped(), 0);
    }
}
