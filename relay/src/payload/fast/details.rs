//! Converting `data.data` to an error event or a threshold breach.

use super::{Decline, boolean, count, raw, text, timestamp};
use crate::payload::details::level_from_sent;
use crate::payload::error::ParseWarning;
use crate::payload::{ErrorEvent, Frame, ThresholdBreach, TopEvent};

pub(super) fn read_event(
    details: raw::Details<'_>,
    warnings: &mut Vec<ParseWarning>,
) -> Result<ErrorEvent, Decline> {
    Ok(ErrorEvent {
        event_type: text(details.event_type),
        location: details.location.map(|frame| frame.0),
        entry_point: details.entry_point.map(|frame| frame.0),
        stacktrace: details
            .stacktrace
            .map(|frames| frames.0)
            .unwrap_or_default(),
        link: text(details.link),
        server_name: text(details.server_name),
        app_name: text(details.app_name),
        deployment_name: text(details.deployment_name),
        name: text(details.name),
        is_caught: boolean(details.is_caught)?,
        message: text(details.message),
        level: details
            .level
            .map(|sent| level_from_sent(sent.into_string(), "$.data.data.level", warnings)),
        error_code: text(details.error_code),
    })
}

pub(super) fn read_threshold(
    details: raw::Details<'_>,
    warnings: &mut Vec<ParseWarning>,
) -> Result<ThresholdBreach, Decline> {
    let mut top_events = Vec::new();
    for top in details.top_events.into_iter().flatten().flatten() {
        top_events.push(TopEvent {
            title: text(top.title),
            frame: top.frame.map(|frame| frame.0),
            times: count(top.times)?,
            link: text(top.link),
        });
    }

    Ok(ThresholdBreach {
        threshold: count(details.threshold)?,
        times: count(details.times)?,
        from: timestamp(
            details.from_timestamp,
            "$.data.data.from_timestamp",
            warnings,
        )?,
        to: timestamp(details.to_timestamp, "$.data.data.to_timestamp", warnings)?,
        top_events,
    })
}

/// Converts a frame, declining a boolean field that the tolerant parser
/// would ignore with a warning.
pub(super) fn read_frame(frame: raw::Frame<'_>) -> Result<Frame, Decline> {
    Ok(Frame {
        class_name: text(frame.class_name),
        method_name: text(frame.method_name),
        method_desc: text(frame.method_desc),
        full_name: text(frame.full_name),
        is_3rd_party: boolean(frame.is_3rd_party)?,
        is_catch_frame: boolean(frame.is_catch_frame)?,
        is_hit_frame: boolean(frame.is_hit_frame)?,
        modification_timestamp: text(frame.modification_timestamp),
    })
}
