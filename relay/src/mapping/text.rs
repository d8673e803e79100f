//! The human-readable properties: Title and Message. Content, the third,
//! is in `content.rs`.
//!
//! These are plain text, because xMatters puts property values into email,
//! SMS and voice templates as they are. Newlines separate lines; nothing
//! is escaped, since OverOps messages may legitimately contain markdown
//! characters and quotes.

use crate::payload::{Alert, AlertKind, ErrorEvent, Frame, MessageType, ThresholdBreach};
use std::fmt::Write as _;

/// Renders a date that is part of a text value; `None` when it cannot be.
pub(crate) type DateRenderer<'a> = &'a dyn Fn(jiff::Timestamp) -> Option<String>;

/// Returns a one-line title, e.g. `NullPointerException in
/// OrderService.placeOrder` or `Threshold exceeded in view All Events: 250
/// hits, threshold 100`.
pub(crate) fn title(alert: &Alert) -> Option<String> {
    if alert.message_type == MessageType::Test {
        return Some(match non_empty(&alert.service_name) {
            Some(service) => format!("Test alert from OverOps for {service}"),
            None => "Test alert from OverOps".to_owned(),
        });
    }
    if let Some(event) = alert.event() {
        if let Some(title) = event_title(alert.kind.as_ref(), event, non_empty(&alert.summary)) {
            return Some(title);
        }
    }
    if let Some(breach) = alert.threshold() {
        return Some(threshold_title(alert.view_name.as_deref(), breach));
    }
    if let Some(summary) = non_empty(&alert.summary) {
        return Some(first_line(summary).to_owned());
    }
    let kind = alert.kind_name();
    Some(match non_empty(&alert.view_name) {
        Some(view) => format!("OverOps {kind} alert in view {view}"),
        None => format!("OverOps {kind} alert"),
    })
}

/// Names the event and where it happened. Without an event name the
/// summary is the better title, and the inner event type is the last resort.
fn event_title(
    kind: Option<&AlertKind>,
    event: &ErrorEvent,
    summary: Option<&str>,
) -> Option<String> {
    let location = event.location.as_ref().and_then(Frame::short_name);
    let what = match (non_empty(&event.name), summary) {
        (Some(name), _) => name,
        (None, Some(summary)) => return Some(first_line(summary).to_owned()),
        (None, None) => non_empty(&event.event_type).unwrap_or("Event"),
    };
    let title = match location {
        Some(location) => format!("{what} in {location}"),
        None if what == "Event" => return None,
        None => what.to_owned(),
    };
    Some(match kind {
        Some(AlertKind::Resurfaced) => format!("Resurfaced: {title}"),
        _ => title,
    })
}

fn threshold_title(view: Option<&str>, breach: &ThresholdBreach) -> String {
    let mut title = match view.filter(|view| !view.trim().is_empty()) {
        Some(view) => format!("Threshold exceeded in view {view}"),
        None => "Threshold exceeded".to_owned(),
    };
    match (breach.times, breach.threshold) {
        (Some(times), Some(threshold)) => {
            let _ = write!(title, ": {times} hits, threshold {threshold}");
        }
        (Some(times), None) => {
            let _ = write!(title, ": {times} hits");
        }
        (None, Some(threshold)) => {
            let _ = write!(title, ": threshold {threshold}");
        }
        (None, None) => {}
    }
    title
}

/// Returns a readable description: the summary, then one labelled line per
/// known fact of the event or threshold, then the environment and view.
pub(crate) fn message(alert: &Alert, render_date: DateRenderer<'_>) -> Option<String> {
    let exception_message = alert.event().and_then(|event| non_empty(&event.message));
    let mut lines = Lines::with_capacity(512 + exception_message.map_or(0, str::len));
    if let Some(summary) = non_empty(&alert.summary) {
        lines.push(&[summary]);
        lines.push_blank();
    }

    if let Some(event) = alert.event() {
        event_lines(event, &mut lines);
    }
    if let Some(breach) = alert.threshold() {
        threshold_lines(breach, render_date, &mut lines);
    }

    let environment = match (non_empty(&alert.service_name), non_empty(&alert.service_id)) {
        (Some(name), Some(id)) => Some(format!("{name} ({id})")),
        (Some(name), None) => Some(name.to_owned()),
        (None, Some(id)) => Some(id.to_owned()),
        (None, None) => None,
    };
    push_labelled(&mut lines, "Environment", environment.as_deref());
    push_labelled(&mut lines, "View", non_empty(&alert.view_name));
    push_labelled(&mut lines, "Alert kind", Some(alert.kind_name()));

    // The exception message can be tens of kilobytes, so it comes last:
    // when the text is cut to the form's maximum, only its tail is lost.
    push_labelled(&mut lines, "Message", exception_message);

    lines.into_text()
}

fn event_lines(event: &ErrorEvent, lines: &mut Lines) {
    push_labelled(lines, "Event", non_empty(&event.name));
    push_labelled(lines, "Event type", non_empty(&event.event_type));
    let location = event.location.as_ref().and_then(Frame::qualified_name_cow);
    push_labelled(lines, "Location", location.as_deref());
    let entry_point = event
        .entry_point
        .as_ref()
        .and_then(Frame::qualified_name_cow);
    push_labelled(lines, "Entry point", entry_point.as_deref());

    let application = match (
        non_empty(&event.app_name),
        non_empty(&event.deployment_name),
    ) {
        (Some(app), Some(deployment)) => Some(format!("{app}, deployment {deployment}")),
        (Some(app), None) => Some(app.to_owned()),
        (None, Some(_)) | (None, None) => None,
    };
    push_labelled(lines, "Application", application.as_deref());
    if non_empty(&event.app_name).is_none() {
        push_labelled(lines, "Deployment", non_empty(&event.deployment_name));
    }
    push_labelled(lines, "Server", non_empty(&event.server_name));
    push_labelled(
        lines,
        "Level",
        event.level.as_ref().map(|level| level.as_str()),
    );
    push_labelled(lines, "Error code", non_empty(&event.error_code));
    let caught = event
        .is_caught
        .map(|caught| if caught { "yes" } else { "no" });
    push_labelled(lines, "Caught", caught);
}

fn threshold_lines(breach: &ThresholdBreach, render_date: DateRenderer<'_>, lines: &mut Lines) {
    let hits = match (breach.times, breach.threshold) {
        (Some(times), Some(threshold)) => Some(format!("{times} (threshold {threshold})")),
        (Some(times), None) => Some(times.to_string()),
        (None, Some(threshold)) => Some(format!("more than the threshold of {threshold}")),
        (None, None) => None,
    };
    push_labelled(lines, "Hits", hits.as_deref());

    let from = breach.from.and_then(render_date);
    let to = breach.to.and_then(render_date);
    let window = match (from, to) {
        (Some(from), Some(to)) => Some(format!("{from} to {to}")),
        (Some(from), None) => Some(format!("from {from}")),
        (None, Some(to)) => Some(format!("until {to}")),
        (None, None) => None,
    };
    push_labelled(lines, "Window", window.as_deref());

    let top_title = breach
        .top_events
        .first()
        .and_then(|top| non_empty(&top.title));
    push_labelled(lines, "Top event", top_title);
}

fn push_labelled(lines: &mut Lines, label: &str, value: Option<&str>) {
    if let Some(value) = value {
        lines.push(&[label, ": ", value]);
    }
}

/// Text written line by line: the lines joined with `\n`, without the
/// blank lines at the end.
#[derive(Debug)]
struct Lines {
    text: String,
    /// Whether a line that is not blank was written.
    started: bool,
    /// Blank lines to write before the next line that is not blank.
    blank_lines: usize,
}

impl Lines {
    fn with_capacity(capacity: usize) -> Self {
        Lines {
            text: String::with_capacity(capacity),
            started: false,
            blank_lines: 0,
        }
    }

    /// Appends a line made of `parts`, which must not all be empty.
    fn push(&mut self, parts: &[&str]) {
        let breaks = self.blank_lines + usize::from(self.started);
        for _ in 0..breaks {
            self.text.push('\n');
        }
        for part in parts {
            self.text.push_str(part);
        }
        self.started = true;
        self.blank_lines = 0;
    }

    fn push_blank(&mut self) {
        self.blank_lines += 1;
    }

    /// Returns the text, or `None` when no line was written.
    fn into_text(self) -> Option<String> {
        self.started.then_some(self.text)
    }
}

/// Returns the text when it has something other than whitespace.
pub(crate) fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|text| !text.trim().is_empty())
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .trim()
}
