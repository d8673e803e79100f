//! Turns an intake body into what the store keeps: parse, map, serialize.

use crate::config::Config;
use crate::mapping::{self, MapContext};
use crate::payload::{self, MessageType};

/// An alert mapped at intake, ready to store.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// xMatters trigger object, as JSON text.
    pub(crate) trigger: String,
    /// Mapping warnings, as the JSON text of an array.
    pub(crate) warnings: String,
    /// Deduplication key.
    pub(crate) dedup_key: String,
    /// Whether repeats of this alert may be deduplicated. TEST messages are
    /// not, so that each press of "Test" in OverOps reaches xMatters.
    pub(crate) deduplicate: bool,
    /// Alert kind, for the log.
    pub(crate) kind: String,
}

/// Parses and maps `body`, or returns the message for a 400 response.
pub(crate) fn prepare(
    config: &Config,
    body: &[u8],
    recipients: Vec<String>,
) -> Result<Prepared, String> {
    let alert =
        payload::parse(body).map_err(|err| format!("the body is not an OverOps alert: {err}"))?;
    let context = MapContext { recipients };
    let mapped = mapping::map(&alert, &config.mapping, &context);

    let trigger = serde_json::to_string(&mapped.trigger)
        .map_err(|err| format!("the mapped trigger cannot be serialized: {err}"))?;
    let warnings = serde_json::to_string(&mapped.warnings)
        .map_err(|err| format!("the mapping warnings cannot be serialized: {err}"))?;
    Ok(Prepared {
        trigger,
        warnings,
        dedup_key: mapped.dedup_key,
        deduplicate: alert.message_type != MessageType::Test,
        kind: alert.kind_name().to_owned(),
    })
}
