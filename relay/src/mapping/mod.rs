//! From an OverOps [`Alert`] to the xMatters [`Trigger`] the relay sends.
//!
//! [`map`] is pure: no I/O, no clock, no randomness. The same alert,
//! configuration and context always give the same trigger, warnings and
//! deduplication key, so `relay check` shows exactly what the service
//! sends.

mod content;
pub(crate) mod date;
mod dedup;
mod priority;
pub(crate) mod properties;
mod routing;
mod text;
mod trigger;
mod truncate;
pub(crate) mod values;
mod warning;

pub use routing::glob_matches;
pub use trigger::{Priority, Recipient, RecipientType, Trigger};
pub use truncate::{ELLIPSIS, truncate_utf16, utf16_len};
pub use warning::Warning;

use crate::config::MappingConfig;
use crate::payload::Alert;
use serde::Serialize;

/// Facts about the request that are not in the alert body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapContext {
    /// Recipient names from the webhook URL's `recipients=a,b` query
    /// parameter, added after the routed recipients.
    pub recipients: Vec<String>,
}

impl MapContext {
    /// Reads the context from a webhook URL query string such as
    /// `token=x&recipients=ops,mmcbride`. The parameter may repeat; names
    /// are percent-decoded, trimmed and split on commas; blanks are dropped.
    pub fn from_query(query: &str) -> MapContext {
        let recipients = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == "recipients")
            .flat_map(|(_, value)| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        MapContext { recipients }
    }
}

/// The result of mapping one alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapped {
    /// The trigger to post to xMatters.
    pub trigger: Trigger,
    /// Parse assumptions first, then what the mapping cut or left out.
    pub warnings: Vec<Warning>,
    /// Identifies repeats of the same alert: `mapping.dedup_fields` and the
    /// URL recipients.
    pub dedup_key: String,
}

/// Maps an alert to an xMatters trigger.
pub fn map(alert: &Alert, config: &MappingConfig, context: &MapContext) -> Mapped {
    let mut warnings: Vec<Warning> = alert.warnings.iter().cloned().map(Warning::from).collect();

    let values = values::compute(alert, config);
    let properties = properties::fill(&config.form, &values, &mut warnings);
    let trigger = Trigger {
        properties,
        recipients: routing::resolve(alert, config, context),
        priority: priority::resolve(alert, &config.priority),
        expiration_in_minutes: config.expiration_minutes,
    };

    Mapped {
        trigger,
        warnings,
        dedup_key: dedup::key(&values, &config.dedup_fields, &context.recipients),
    }
}
