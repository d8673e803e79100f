//! Payloads of a storm: which alert each sequence number sends.

use bytes::Bytes;
use clap::ValueEnum;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;

use crate::generate::{EventKind, GenOptions, Kind, generate};

/// Text put in each alert's summary and message, followed by the alert's
/// sequence number, such as `load-seq=42`.
pub const SEQUENCE_MARKER: &str = "load-seq=";

/// Number of distinct errors that repeat in a [`Storm::Mixed`] storm.
const HOT_ERRORS: u64 = 3;

/// Inner kinds that distinct new events cycle through.
const EVENT_KINDS: [EventKind; 4] = [
    EventKind::Exception,
    EventKind::LoggedError,
    EventKind::LoggedWarning,
    EventKind::HttpError,
];

/// The shape of a storm: which alerts it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Storm {
    /// The same exception event every time, as when one error fires in a loop.
    Repeated,
    /// A different new event every time, cycling through the inner event kinds.
    Distinct,
    /// Half the alerts repeat one of 3 hot errors. The rest are distinct new
    /// events (30%), resurfaced events (10%) and threshold alerts (10%).
    Mixed,
}

/// Builds the payload of each sequence number of a storm.
#[derive(Debug)]
pub(crate) struct PayloadSource {
    shape: Storm,
    seed: u64,
    stack_depth: usize,
    /// Errors generated once and repeated: the first is the repeated error
    /// of [`Storm::Repeated`], all are the hot errors of [`Storm::Mixed`].
    hot: Vec<Value>,
}

impl PayloadSource {
    pub(crate) fn new(shape: Storm, seed: u64, stack_depth: usize) -> Self {
        let hot = (0..HOT_ERRORS)
            .map(|index| {
                generate(&GenOptions {
                    kind: Kind::NewEvent(EVENT_KINDS[index as usize % EVENT_KINDS.len()]),
                    seed: seed.wrapping_add(index),
                    stack_depth,
                    ..GenOptions::default()
                })
            })
            .collect();
        Self {
            shape,
            seed,
            stack_depth,
            hot,
        }
    }

    /// Returns the JSON bytes of alert `seq`, dated `date_ms` and marked
    /// with [`SEQUENCE_MARKER`].
    pub(crate) fn payload(&self, seq: u64, date_ms: u64) -> Bytes {
        let mut payload = match self.shape {
            Storm::Repeated => self.hot[0].clone(),
            Storm::Distinct => self.distinct(seq, Kind::NewEvent(event_kind(seq))),
            Storm::Mixed => self.mixed(seq),
        };
        mark(&mut payload, seq, date_ms);
        Bytes::from(payload.to_string())
    }

    fn mixed(&self, seq: u64) -> Value {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(seq);
        match rng.gen_range(0..100) {
            roll @ 0..50 => self.hot[roll as usize % self.hot.len()].clone(),
            50..80 => self.distinct(seq, Kind::NewEvent(event_kind(seq))),
            80..90 => self.distinct(seq, Kind::Resurfaced(event_kind(seq))),
            _ => self.distinct(seq, Kind::Threshold),
        }
    }

    fn distinct(&self, seq: u64, kind: Kind) -> Value {
        generate(&GenOptions {
            kind,
            seed: self.seed.wrapping_add(HOT_ERRORS).wrapping_add(seq),
            stack_depth: self.stack_depth,
            ..GenOptions::default()
        })
    }
}

/// Returns the sequence number that follows [`SEQUENCE_MARKER`] in `text`.
pub fn parse_sequence(text: &str) -> Option<u64> {
    let start = text.find(SEQUENCE_MARKER)? + SEQUENCE_MARKER.len();
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn event_kind(seq: u64) -> EventKind {
    EVENT_KINDS[(seq % EVENT_KINDS.len() as u64) as usize]
}

/// Sets `date` and appends ` [load-seq=N]` to the summary and to a text message.
fn mark(payload: &mut Value, seq: u64, date_ms: u64) {
    let marker = format!(" [{SEQUENCE_MARKER}{seq}]");
    if let Some(date) = payload.get_mut("date") {
        *date = date_ms.into();
    }
    if let Some(Value::String(summary)) = payload.pointer_mut("/data/summary") {
        summary.push_str(&marker);
    }
    if let Some(Value::String(message)) = payload.pointer_mut("/data/data/message") {
        message.push_str(&marker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_sequence_reads_marker() {
        assert_eq!(parse_sequence("NPE in A.b [load-seq=42]"), Some(42));
        assert_eq!(parse_sequence("load-seq=7"), Some(7));
        assert_eq!(parse_sequence("no marker"), None);
        assert_eq!(parse_sequence("load-seq=x"), None);
    }

    #[test]
    fn repeated_storm_differs_only_in_marker() {
        let source = PayloadSource::new(Storm::Repeated, 5, 10);
        let first = source.payload(0, 1_700_000_000_000).to_vec();
        let second = source.payload(1, 1_700_000_000_000).to_vec();
        let first = String::from_utf8(first).expect("payload is UTF-8");
        let second = String::from_utf8(second).expect("payload is UTF-8");
        assert_eq!(
            first.replace("load-seq=0", "load-seq=1"),
            second,
            "a repeated storm sends the same error with a new sequence number"
        );
    }

    #[test]
    fn distinct_storm_varies_errors() {
        let source = PayloadSource::new(Storm::Distinct, 5, 10);
        let first: Value = serde_json::from_slice(&source.payload(0, 0)).expect("valid JSON");
        let second: Value = serde_json::from_slice(&source.payload(1, 0)).expect("valid JSON");
        assert_ne!(
            first["data"]["data"]["location"],
            second["data"]["data"]["location"]
        );
        assert_eq!(first["data"]["data"]["type"], "EXCEPTION");
        assert_eq!(second["data"]["data"]["type"], "LOG");
    }

    #[test]
    fn mixed_storm_has_every_alert_type() {
        let source = PayloadSource::new(Storm::Mixed, 5, 5);
        let mut types = std::collections::BTreeSet::new();
        for seq in 0..200 {
            let payload: Value =
                serde_json::from_slice(&source.payload(seq, 0)).expect("valid JSON");
            types.insert(payload["data"]["type"].as_str().unwrap_or("").to_owned());
            let summary = payload["data"]["summary"].as_str().unwrap_or("");
            assert_eq!(parse_sequence(summary), Some(seq), "summary {summary:?}");
        }
        let expected = ["NEW_EVENT", "RESURFACED", "THRESHOLD"].map(String::from);
        assert_eq!(types, expected.into_iter().collect());
    }
}
