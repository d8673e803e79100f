//! The xMatters side of the benchmark: mock-xmatters in this process, with
//! flood control off and the API rate limit raised, and the receive time
//! of every trigger read from its request journal.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use mock_overops::load::parse_sequence;
use mock_xmatters::server::{MockXmatters, ServerOptions};
use mock_xmatters::{ClockMode, SimTime, World};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounting::ReceivedTrigger;
use super::error::BenchError;

/// Integration of the default world that takes raw OverOps webhooks and
/// maps them as the vendor's inbound script did: the direct path.
pub const ORIGINAL_INTEGRATION: &str = "OverOps original script";

/// Integration of the default world that takes trigger objects: where the
/// relay delivers.
pub const RELAY_INTEGRATION: &str = "OverOps relay";

/// Maximum wait for the simulator's trigger worker to finish its queue
/// between two runs, in milliseconds (the simulator's own maximum).
const SETTLE_TIMEOUT_MS: u64 = 60_000;

/// Status the inbound trigger endpoint responds with when it accepts.
const ACCEPTED: u16 = 202;

/// mock-xmatters serving the default world on a loopback port.
#[derive(Debug)]
pub struct Xmatters {
    server: MockXmatters,
    http: reqwest::Client,
}

/// The triggers mock-xmatters accepted, keyed by the alert's `load-seq`
/// marker.
#[derive(Debug, Default)]
pub struct Receipts {
    /// Receive time of each marked trigger, in µs since the Unix epoch.
    /// A marker received twice keeps its first time.
    pub received_unix_us: HashMap<u64, i64>,
    /// Accepted triggers whose marker was already received.
    pub repeated: u64,
    /// Accepted triggers with no marker.
    pub unmarked: u64,
}

impl Receipts {
    /// Returns the receive time of the last trigger, in µs since the Unix epoch.
    pub fn last_unix_us(&self) -> Option<i64> {
        self.received_unix_us.values().copied().max()
    }
}

/// One `/mock/journal` entry, with the fields the benchmark reads.
#[derive(Debug, Deserialize)]
struct JournalEntry {
    time: SimTime,
    path: String,
    body: Value,
    status: Option<u16>,
}

#[derive(Debug, Deserialize)]
struct JournalPage {
    dropped: u64,
    entries: Vec<JournalEntry>,
}

impl Xmatters {
    /// Starts mock-xmatters on `127.0.0.1` with a free port and a real clock,
    /// so that journal times are wall-clock times.
    pub async fn start() -> Result<Xmatters, BenchError> {
        let options = ServerOptions {
            clock: ClockMode::Real,
            ..ServerOptions::default()
        };
        let server = MockXmatters::start(throughput_world(), options)
            .await
            .map_err(|source| BenchError::Io {
                action: "starting mock-xmatters on 127.0.0.1".to_owned(),
                source,
            })?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(SETTLE_TIMEOUT_MS + 10_000))
            .build()
            .map_err(|source| BenchError::Http {
                action: "building the mock-xmatters client".to_owned(),
                source,
            })?;
        Ok(Xmatters { server, http })
    }

    /// Returns the inbound trigger URL of `integration`, with its `apiKey`.
    pub fn trigger_url(&self, integration: &str) -> Result<reqwest::Url, BenchError> {
        let url = self.server.trigger_url(integration).ok_or_else(|| {
            BenchError::Simulator(format!("the world has no integration {integration:?}"))
        })?;
        url.parse().map_err(|error| {
            BenchError::Simulator(format!("trigger URL {url:?} is invalid: {error}"))
        })
    }

    /// Returns the trigger URL without credentials and the API key of
    /// `integration`, as the relay's configuration takes them.
    pub fn trigger_endpoint(&self, integration: &str) -> Result<(String, String), BenchError> {
        let found = self
            .server
            .world()
            .integration(integration)
            .ok_or_else(|| {
                BenchError::Simulator(format!("the world has no integration {integration:?}"))
            })?;
        let url = format!(
            "{}/api/integration/1/functions/{}/triggers",
            self.server.base_url(),
            found.uuid
        );
        Ok((url, found.api_key.clone()))
    }

    /// Waits until the trigger worker has processed every queued trigger.
    pub async fn settle(&self) -> Result<(), BenchError> {
        self.post("/mock/settle", json!({ "timeout_ms": SETTLE_TIMEOUT_MS }))
            .await
    }

    /// Starts the simulator afresh: no events, an empty journal and a new
    /// rate limit window.
    pub async fn reset(&self) -> Result<(), BenchError> {
        self.post("/mock/reset", json!({})).await
    }

    /// Reads the journal and returns the accepted triggers by marker.
    pub async fn receipts(&self) -> Result<Receipts, BenchError> {
        Ok(collect_receipts(self.journal().await?))
    }

    /// Reads the journal and returns every accepted trigger with its body.
    pub async fn triggers(&self) -> Result<Vec<ReceivedTrigger>, BenchError> {
        let triggers = self
            .journal()
            .await?
            .into_iter()
            .filter(is_accepted_trigger)
            .map(|entry| ReceivedTrigger {
                received_unix_us: entry.time.timestamp().as_microsecond(),
                body: entry.body,
            })
            .collect();
        Ok(triggers)
    }

    /// Reads the whole journal, failing when it dropped entries.
    async fn journal(&self) -> Result<Vec<JournalEntry>, BenchError> {
        let url = format!("{}/mock/journal", self.server.base_url());
        let page: JournalPage = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|source| BenchError::Http {
                action: "reading the mock-xmatters journal".to_owned(),
                source,
            })?
            .json()
            .await
            .map_err(|source| BenchError::Http {
                action: "decoding the mock-xmatters journal".to_owned(),
                source,
            })?;
        if page.dropped > 0 {
            return Err(BenchError::Simulator(format!(
                "the journal dropped {} entries, so receipts are incomplete; send at most {} alerts per run",
                page.dropped,
                mock_xmatters::journal::MAX_JOURNAL_ENTRIES
            )));
        }
        Ok(page.entries)
    }

    async fn post(&self, path: &str, body: Value) -> Result<(), BenchError> {
        let url = format!("{}{path}", self.server.base_url());
        self.http
            .post(&url)
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map(drop)
            .map_err(|source| BenchError::Http {
                action: format!("POST {path} to mock-xmatters"),
                source,
            })
    }
}

/// Returns the default world without flood control and the API rate limit.
/// Flood control would suppress most alerts of a storm, and the rate limit
/// (60,000 per minute) would respond 429, so the benchmark would measure
/// those limits instead of the paths.
fn throughput_world() -> World {
    let mut world = World::default_world();
    world.flood_control.enabled = false;
    world.rate_limit.limit = u32::MAX;
    world
}

/// Returns whether `entry` is a trigger that mock-xmatters accepted.
fn is_accepted_trigger(entry: &JournalEntry) -> bool {
    entry.status == Some(ACCEPTED) && entry.path.starts_with("/api/integration/")
}

fn collect_receipts(entries: Vec<JournalEntry>) -> Receipts {
    let mut receipts = Receipts::default();
    for entry in entries.into_iter().filter(is_accepted_trigger) {
        let Some(seq) = parse_sequence(&entry.body.to_string()) else {
            receipts.unmarked += 1;
            continue;
        };
        let received = entry.time.timestamp().as_microsecond();
        match receipts.received_unix_us.entry(seq) {
            Entry::Vacant(slot) => {
                slot.insert(received);
            }
            Entry::Occupied(mut slot) => {
                receipts.repeated += 1;
                let first = (*slot.get()).min(received);
                slot.insert(first);
            }
        }
    }
    receipts
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIGGERS: &str = "/api/integration/1/functions/44b092da-8317-4bed-8ede-1a3681691411/triggers?apiKey=REDACTED";

    fn entry(time: &str, path: &str, summary: &str, status: u16) -> JournalEntry {
        serde_json::from_value(json!({
            "seq": 1,
            "time": time,
            "method": "POST",
            "path": path,
            "body": { "properties": { "Summary": summary } },
            "status": status,
            "outcome": "answered",
        }))
        .expect("a journal entry as /mock/journal renders it")
    }

    #[test]
    fn receipts_keep_microseconds() {
        let entries = vec![entry(
            "2026-01-01T00:00:00.000123Z",
            TRIGGERS,
            "NPE [load-seq=7]",
            202,
        )];

        let receipts = collect_receipts(entries);

        assert_eq!(
            receipts.received_unix_us.get(&7),
            Some(&1_767_225_600_000_123)
        );
        assert_eq!(receipts.last_unix_us(), Some(1_767_225_600_000_123));
    }

    #[test]
    fn receipts_skip_rejected_and_other_paths() {
        let entries = vec![
            entry("2026-01-01T00:00:00Z", TRIGGERS, "[load-seq=1]", 429),
            entry(
                "2026-01-01T00:00:00Z",
                "/api/xm/1/events",
                "[load-seq=2]",
                202,
            ),
        ];

        let receipts = collect_receipts(entries);

        assert!(receipts.received_unix_us.is_empty());
        assert_eq!(receipts.unmarked, 0);
    }

    #[test]
    fn receipts_count_repeats_and_unmarked() {
        let entries = vec![
            entry("2026-01-01T00:00:02Z", TRIGGERS, "[load-seq=3]", 202),
            entry("2026-01-01T00:00:01Z", TRIGGERS, "[load-seq=3]", 202),
            entry("2026-01-01T00:00:01Z", TRIGGERS, "no marker", 202),
        ];

        let receipts = collect_receipts(entries);

        assert_eq!(receipts.repeated, 1);
        assert_eq!(receipts.unmarked, 1);
        assert_eq!(
            receipts.received_unix_us.get(&3),
            Some(&1_767_225_601_000_000)
        );
    }
}
