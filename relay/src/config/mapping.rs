//! The `[mapping]` section: how an alert becomes an xMatters trigger.

use super::OptionError;
use crate::form::{FormDefinition, PropertyKind, Source};
use crate::mapping::{Priority, Recipient};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Time zone of the original integration's "convert time" step.
pub const DEFAULT_TIME_ZONE: &str = "America/New_York";

/// The original's `MMM D, YYYY h:mm A` in strftime syntax, e.g.
/// `Aug 17, 2018 10:21 AM`.
pub const DEFAULT_DATE_FORMAT: &str = "%b %-d, %Y %-I:%M %p";

/// xMatters' default event lifetime, three hours.
pub const DEFAULT_EXPIRATION_MINUTES: u32 = 180;

/// Maximum `expiration_minutes` the relay accepts: ten days.
///
/// NOTE: the xMatters documentation read for this project gives no upper
/// bound. Ten days is a guess that catches typos such as an extra zero.
pub const MAX_EXPIRATION_MINUTES: u32 = 14_400;

/// Settings of the mapping from an OverOps alert to an xMatters trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MappingConfig {
    /// IANA time zone of the `Date` property, e.g. `America/New_York`.
    pub time_zone: String,
    /// strftime format of the `Date` property (jiff's `strtime` syntax).
    pub date_format: String,
    /// `expirationInMinutes` of every event.
    pub expiration_minutes: u32,
    /// Priority by alert kind and level.
    pub priority: PriorityTable,
    /// Routing rules; the first that matches chooses the recipients.
    pub routes: Vec<Route>,
    /// Recipients when no route matches; empty means the form's defaults.
    pub default_recipients: Vec<Recipient>,
    /// Alert values that make the deduplication key, in order.
    pub dedup_fields: Vec<Source>,
    /// The xMatters form the trigger fills.
    pub form: FormDefinition,
}

impl Default for MappingConfig {
    fn default() -> Self {
        MappingConfig {
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            date_format: DEFAULT_DATE_FORMAT.to_owned(),
            expiration_minutes: DEFAULT_EXPIRATION_MINUTES,
            priority: PriorityTable::default(),
            routes: Vec::new(),
            default_recipients: Vec::new(),
            dedup_fields: default_dedup_fields(),
            form: FormDefinition::default(),
        }
    }
}

/// Returns the values that identify "the same alert": the same kind of
/// message on the same view for the same event (or, for thresholds, the
/// same top event) in the same environment. The send date is left out, so
/// a repeat of one alert within the relay's window counts as a duplicate.
pub fn default_dedup_fields() -> Vec<Source> {
    vec![
        Source::AlertType,
        Source::Type,
        Source::ServiceId,
        Source::ViewName,
        Source::AppName,
        Source::FullName,
        Source::Location,
        Source::Link,
    ]
}

/// Event priority for each kind of alert.
///
/// An alert gets the highest priority among the rows that apply to it: a
/// `THRESHOLD` alert gets `threshold`, an error event gets the row of its
/// level and, when uncaught, the `uncaught` row. A `TEST` message gets only
/// `test`. An alert to which no row applies gets `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorityTable {
    pub fatal: Priority,
    pub error: Priority,
    pub warn: Priority,
    pub uncaught: Priority,
    pub threshold: Priority,
    pub test: Priority,
    pub default: Priority,
}

impl Default for PriorityTable {
    fn default() -> Self {
        PriorityTable {
            fatal: Priority::High,
            error: Priority::Medium,
            warn: Priority::Low,
            uncaught: Priority::Medium,
            threshold: Priority::High,
            test: Priority::Low,
            // The original form's handling default.
            default: Priority::Medium,
        }
    }
}

/// A routing rule. Every condition that is set must match; a rule without
/// conditions matches every alert. Conditions compare without regard to
/// case, and `*` stands for any run of characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Matches the OverOps environment name or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Matches the application name of an error event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Matches the view name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    /// Matches `NEW_EVENT`, `RESURFACED`, `THRESHOLD`, `TEST`, or an
    /// unknown kind as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Recipients to notify when the rule matches.
    pub recipients: Vec<Recipient>,
}

impl MappingConfig {
    /// Checks every option and returns the first invalid one.
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Err(error) = jiff::tz::TimeZone::get(&self.time_zone) {
            return Err(OptionError::new(
                "mapping.time_zone",
                format!(
                    "{:?} is not a known IANA time zone ({error}); use a name such as \"America/New_York\" or \"UTC\"",
                    self.time_zone
                ),
            ));
        }
        if let Err(error) = crate::mapping::date::check_format(&self.date_format) {
            return Err(OptionError::new(
                "mapping.date_format",
                format!(
                    "{:?} is not a valid strftime format: {error}; the default is {DEFAULT_DATE_FORMAT:?}",
                    self.date_format
                ),
            ));
        }
        if self.expiration_minutes == 0 || self.expiration_minutes > MAX_EXPIRATION_MINUTES {
            return Err(OptionError::new(
                "mapping.expiration_minutes",
                format!(
                    "{} is out of range; use 1 to {MAX_EXPIRATION_MINUTES} minutes (the xMatters default is {DEFAULT_EXPIRATION_MINUTES})",
                    self.expiration_minutes
                ),
            ));
        }
        self.validate_routes()?;
        validate_recipients("mapping.default_recipients", &self.default_recipients)?;
        if self.dedup_fields.is_empty() {
            return Err(OptionError::new(
                "mapping.dedup_fields",
                "is empty, so every alert would get the same key; list at least one field",
            ));
        }
        validate_form(&self.form)
    }

    fn validate_routes(&self) -> Result<(), OptionError> {
        for (index, route) in self.routes.iter().enumerate() {
            let option = format!("mapping.routes[{index}].recipients");
            if route.recipients.is_empty() {
                return Err(OptionError::new(
                    option,
                    "is empty; a route must name at least one recipient",
                ));
            }
            validate_recipients(&option, &route.recipients)?;
        }
        Ok(())
    }
}

fn validate_recipients(option: &str, recipients: &[Recipient]) -> Result<(), OptionError> {
    for (index, recipient) in recipients.iter().enumerate() {
        if recipient.id.trim().is_empty() {
            return Err(OptionError::new(
                format!("{option}[{index}]"),
                "has an empty id; give the xMatters user, group or device name",
            ));
        }
    }
    Ok(())
}

fn validate_form(form: &FormDefinition) -> Result<(), OptionError> {
    if form.properties.is_empty() {
        return Err(OptionError::new(
            "mapping.form.properties",
            "is empty; describe at least one property of the xMatters form",
        ));
    }

    let mut names = HashSet::new();
    for (index, property) in form.properties.iter().enumerate() {
        let option = format!("mapping.form.properties[{index}]");
        if property.name.trim().is_empty() {
            return Err(OptionError::new(format!("{option}.name"), "is empty"));
        }
        if !names.insert(property.name.as_str()) {
            return Err(OptionError::new(
                format!("{option}.name"),
                format!(
                    "{:?} is defined twice; each property needs one entry",
                    property.name
                ),
            ));
        }
        if property.effective_source().is_none() {
            return Err(OptionError::new(
                format!("{option}.source"),
                format!(
                    "is missing and no value is named like {:?}; set `source` to one of: {}",
                    property.name,
                    source_names()
                ),
            ));
        }
        validate_kind(&option, property)?;
    }
    Ok(())
}

fn validate_kind(
    option: &str,
    property: &crate::form::PropertyDefinition,
) -> Result<(), OptionError> {
    match property.kind {
        PropertyKind::Text => match property.max_length {
            None => Err(OptionError::new(
                format!("{option}.max_length"),
                "is missing; a text property needs its maximum length in UTF-16 code units",
            )),
            Some(0) => Err(OptionError::new(
                format!("{option}.max_length"),
                "is 0; use the form's maximum length, at least 1",
            )),
            Some(_) if !property.values.is_empty() => Err(OptionError::new(
                format!("{option}.values"),
                "is set on a text property; use `kind = \"list\"` for a list",
            )),
            Some(_) => Ok(()),
        },
        PropertyKind::List if property.values.is_empty() => Err(OptionError::new(
            format!("{option}.values"),
            "is empty; a list property needs the values the form accepts",
        )),
        PropertyKind::List if property.max_length.is_some() => Err(OptionError::new(
            format!("{option}.max_length"),
            "is set on a list property, which has values instead of a length",
        )),
        PropertyKind::List => Ok(()),
    }
}

fn source_names() -> String {
    Source::ALL
        .iter()
        .map(|source| source.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
