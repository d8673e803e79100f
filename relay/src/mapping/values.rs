//! Every value the mapping can compute from an alert, before the form's
//! limits are applied.

use super::text::{self, non_empty};
use super::{content, date};
use crate::config::MappingConfig;
use crate::form::Source;
use crate::payload::{Alert, Frame};

/// Number of [`Source`] variants.
const SOURCE_COUNT: usize = Source::ALL.len();

/// Alert values by source, untruncated. Absent and blank values are left
/// out, so a property without a value is omitted from the trigger.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values {
    /// Values indexed by [`index`] of their source.
    by_source: [Option<String>; SOURCE_COUNT],
    /// Full lengths, in UTF-16 code units, of values that were shortened
    /// while they were rendered, indexed like `by_source`.
    full_lengths: [Option<usize>; SOURCE_COUNT],
    /// Reason the date could not be formatted, if it could not.
    pub(crate) date_problem: Option<String>,
}

/// Returns the position of `source` in [`Source::ALL`], which lists the
/// variants in declaration order (a test checks this).
fn index(source: Source) -> usize {
    source as usize
}

impl Values {
    pub(crate) fn get(&self, source: Source) -> Option<&str> {
        self.by_source[index(source)].as_deref()
    }

    /// Returns the full length of a value that was shortened while it was
    /// rendered, so that the cut can be reported.
    pub(crate) fn full_length(&self, source: Source) -> Option<usize> {
        self.full_lengths[index(source)]
    }

    /// Sets a value that does not come from one alert, such as a digest's.
    /// A blank value is left out.
    pub(crate) fn insert(&mut self, source: Source, value: impl Into<String>) {
        let value: String = value.into();
        self.set(source, Some(value));
    }

    /// Sets the value of `source` unless it is absent or blank, in which
    /// case the value set before, if any, stays.
    fn set<T: AsRef<str> + Into<String>>(&mut self, source: Source, value: Option<T>) {
        if let Some(value) = value.filter(|value| !value.as_ref().trim().is_empty()) {
            self.by_source[index(source)] = Some(value.into());
        }
    }
}

/// Computes the value of every [`Source`] for `alert`.
pub(crate) fn compute(alert: &Alert, config: &MappingConfig) -> Values {
    let mut values = Values::default();
    let render_date = |timestamp: jiff::Timestamp| {
        date::format(timestamp, &config.time_zone, &config.date_format).ok()
    };

    values.set(Source::AlertType, Some(alert.message_type.as_str()));
    values.set(Source::Type, alert.kind.as_ref().map(|kind| kind.as_str()));
    values.set(Source::ServiceId, non_empty(&alert.service_id));
    values.set(Source::ServiceName, non_empty(&alert.service_name));
    values.set(Source::Username, non_empty(&alert.username));
    values.set(Source::Summary, non_empty(&alert.summary));
    values.set(Source::ViewName, non_empty(&alert.view_name));
    values.set(Source::AddedBy, Some(alert.added_by.join(", ")));

    match alert.date {
        Some(timestamp) => match date::format(timestamp, &config.time_zone, &config.date_format) {
            Ok(text) => values.set(Source::Date, Some(text)),
            Err(problem) => values.date_problem = Some(problem),
        },
        None => values.date_problem = Some("the payload has no usable `date`".to_owned()),
    }

    set_event_values(&mut values, alert);
    set_threshold_values(&mut values, alert);

    values.set(Source::Title, text::title(alert));
    values.set(Source::Message, text::message(alert, &render_date));
    let content_budget = config
        .form
        .properties
        .iter()
        .find(|property| property.effective_source() == Some(Source::Content))
        .and_then(|property| property.max_length);
    if let Some((content, full_length)) = content::content(alert, content_budget) {
        values.set(Source::Content, Some(content));
        if let Some(full_length) = full_length {
            values.full_lengths[index(Source::Content)] = Some(full_length);
        }
    }
    values
}

fn set_event_values(values: &mut Values, alert: &Alert) {
    let Some(event) = alert.event() else {
        return;
    };
    values.set(Source::AppName, non_empty(&event.app_name));
    values.set(Source::FullName, non_empty(&event.name));
    values.set(Source::Link, non_empty(&event.link));
    values.set(Source::ServerName, non_empty(&event.server_name));
    values.set(Source::DeploymentName, non_empty(&event.deployment_name));
    values.set(Source::ErrorCode, non_empty(&event.error_code));
    values.set(
        Source::Level,
        event.level.as_ref().map(|level| level.as_str()),
    );

    let location = event.location.as_ref();
    values.set(
        Source::ClassName,
        location.and_then(|frame| frame.class_name.as_deref()),
    );
    values.set(
        Source::Location,
        location.and_then(Frame::qualified_name_cow),
    );
    let entry_point = event.entry_point.as_ref();
    values.set(
        Source::EntryPoint,
        entry_point.and_then(Frame::qualified_name_cow),
    );
}

/// Sets the link, class and location of a threshold alert from its top
/// events, because a threshold has no event fields of its own.
fn set_threshold_values(values: &mut Values, alert: &Alert) {
    let Some(breach) = alert.threshold() else {
        return;
    };
    let link = breach
        .top_events
        .iter()
        .find_map(|top| non_empty(&top.link));
    values.set(Source::Link, link);

    let first_frame = breach.top_events.first().and_then(|top| top.frame.as_ref());
    values.set(
        Source::ClassName,
        first_frame.and_then(|frame| frame.class_name.as_deref()),
    );
    values.set(
        Source::Location,
        first_frame.and_then(Frame::qualified_name_cow),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_position_in_all() {
        for (position, source) in Source::ALL.into_iter().enumerate() {
            assert_eq!(index(source), position, "{source:?}");
        }
    }

    #[test]
    fn blank_value_keeps_the_earlier_one() {
        let mut values = Values::default();
        values.insert(Source::Title, "first");
        values.insert(Source::Title, "  ");
        assert_eq!(values.get(Source::Title), Some("first"));
        assert_eq!(values.get(Source::Summary), None);
    }
}
