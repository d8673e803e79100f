//! The Content property, plain text like Title and Message: the stack
//! trace of an error event, or the top events of a threshold, cut at a
//! whole frame or top event.

use super::text::non_empty;
use super::truncate::{ELLIPSIS, fits_utf16, utf16_len};
use crate::payload::{Alert, ErrorEvent, Frame, ThresholdBreach};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Returns the stack trace of an error event followed by its entry point,
/// or the top events of a threshold. An event without frames shows its
/// location instead. Each frame is one line and each top event one block.
///
/// With a `budget` in UTF-16 code units, the text ends after the last
/// whole frame or top event that fits, followed by a line such as
/// `… 412 more frames`. The second value is then the length of the full
/// text. A budget too small for the first line leaves the text whole, so
/// the form's limit cuts it.
pub(crate) fn content(alert: &Alert, budget: Option<usize>) -> Option<(String, Option<usize>)> {
    let (items, noun) = if let Some(event) = alert.event() {
        (event_content(event), "frames")
    } else if let Some(breach) = alert.threshold() {
        (top_events_content(breach), "top events")
    } else {
        return None;
    };
    if items.ends.is_empty() {
        return None;
    }

    let Some(budget) = budget.filter(|budget| !fits_utf16(&items.text, *budget)) else {
        return Some((items.text, None));
    };
    match fit_items(&items, budget, noun) {
        Some(fitted) => Some((fitted, Some(utf16_len(&items.text)))),
        None => Some((items.text, None)),
    }
}

/// Lines or blocks of text, written one after the other into one string
/// and separated by `\n`.
#[derive(Debug, Default)]
struct Items {
    text: String,
    /// Byte offset in `text` where each item ends.
    ends: Vec<usize>,
}

impl Items {
    /// Appends an item that `write` writes into the text.
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        if !self.ends.is_empty() {
            self.text.push('\n');
        }
        write(&mut self.text);
        self.ends.push(self.text.len());
    }

    /// Returns the item at `index`, without its separator.
    fn get(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] + 1,
        };
        &self.text[start..self.ends[index]]
    }
}

fn event_content(event: &ErrorEvent) -> Items {
    let mut frames: Vec<Cow<'_, str>> = event
        .stacktrace
        .iter()
        .filter_map(Frame::qualified_name_cow)
        .collect();
    if frames.is_empty() {
        frames.extend(event.location.as_ref().and_then(Frame::qualified_name_cow));
    }
    let entry_point = event
        .entry_point
        .as_ref()
        .and_then(Frame::qualified_name_cow);

    let mut items = Items::default();
    let length: usize = frames.iter().map(|name| name.len() + "\nat ".len()).sum();
    items.text.reserve(length + 64);
    for name in &frames {
        items.push_with(|text| {
            text.push_str("at ");
            text.push_str(name);
        });
    }
    if let Some(entry_point) = entry_point.filter(|name| !frames.contains(name)) {
        items.push_with(|text| {
            text.push_str("entry point: ");
            text.push_str(&entry_point);
        });
    }
    items
}

fn top_events_content(breach: &ThresholdBreach) -> Items {
    let mut items = Items::default();
    for (index, top) in breach.top_events.iter().enumerate() {
        items.push_with(|line| {
            let _ = write!(
                line,
                "{}. {}",
                index + 1,
                non_empty(&top.title).unwrap_or("(untitled event)")
            );
            if let Some(times) = top.times {
                let _ = write!(line, " ({times} hits)");
            }
            if let Some(frame) = top.frame.as_ref().and_then(Frame::qualified_name_cow) {
                let _ = write!(line, "\n   at {frame}");
            }
            if let Some(link) = non_empty(&top.link) {
                let _ = write!(line, "\n   {link}");
            }
        });
    }
    items
}

/// Keeps the leading items (lines or blocks) that fit in `budget` together
/// with a closing `… N more <noun>` line; `None` when not even the first
/// item fits.
fn fit_items(items: &Items, budget: usize, noun: &str) -> Option<String> {
    let count = items.ends.len();
    let mut kept = 0;
    let mut used = 0;
    for index in 0..count {
        let item = items.get(index);
        let separator = usize::from(kept > 0);
        let rest = format!("{ELLIPSIS} {} more {noun}", count - kept - 1);
        let needed = used + separator + utf16_len(item) + 1 + utf16_len(&rest);
        if needed > budget {
            break;
        }
        used += separator + utf16_len(item);
        kept += 1;
    }
    if kept == 0 {
        return None;
    }

    let mut text = items.text[..items.ends[kept - 1]].to_owned();
    let _ = write!(text, "\n{ELLIPSIS} {} more {noun}", count - kept);
    Some(text)
}
