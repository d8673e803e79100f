//! Reading `data.data`: error events, threshold breaches and frames.

use super::error::ParseWarning;
use super::reader::{Object, ignored};
use super::{ErrorEvent, Frame, Level, ThresholdBreach, TopEvent, timestamp};
use serde_json::{Map, Value};

/// Keys that only an error event carries.
const EVENT_KEYS: &[&str] = &[
    "location",
    "entry_point",
    "stacktrace",
    "name",
    "app_name",
    "server_name",
    "message",
    "link",
    "level",
];

/// Keys that only a threshold breach carries.
const THRESHOLD_KEYS: &[&str] = &[
    "threshold",
    "times",
    "top_events",
    "from_timestamp",
    "to_timestamp",
];

/// The shape of a `data.data` object, judged by its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Event,
    Threshold,
    Unknown,
}

pub(crate) fn shape_of(map: &Map<String, Value>) -> Shape {
    let has_any = |keys: &[&str]| {
        keys.iter()
            .any(|key| map.get(*key).is_some_and(|v| !v.is_null()))
    };
    if has_any(THRESHOLD_KEYS) {
        Shape::Threshold
    } else if has_any(EVENT_KEYS) {
        Shape::Event
    } else {
        Shape::Unknown
    }
}

pub(crate) fn read_event(object: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) -> ErrorEvent {
    ErrorEvent {
        event_type: object.string("type", warnings),
        location: read_frame_field(object, "location", warnings),
        entry_point: read_frame_field(object, "entry_point", warnings),
        stacktrace: read_frames(object, "stacktrace", warnings),
        link: object.string("link", warnings),
        server_name: object.string("server_name", warnings),
        app_name: object.string("app_name", warnings),
        deployment_name: object.string("deployment_name", warnings),
        name: object.string("name", warnings),
        is_caught: object.boolean("is_caught", warnings),
        message: object.string("message", warnings),
        level: read_level(object, warnings),
        error_code: object.string("error_code", warnings),
    }
}

pub(crate) fn read_threshold(
    object: &Object<'_, '_>,
    warnings: &mut Vec<ParseWarning>,
) -> ThresholdBreach {
    let mut top_events = Vec::new();
    for (path, item) in object.array("top_events", warnings) {
        match item {
            Value::Object(map) => {
                let entry = Object { path: &path, map };
                top_events.push(read_top_event(&entry, warnings));
            }
            Value::Null => {}
            other => warnings.push(ignored(&path, "an object", other)),
        }
    }

    ThresholdBreach {
        threshold: object.count("threshold", warnings),
        times: object.count("times", warnings),
        from: timestamp::read(object, "from_timestamp", warnings),
        to: timestamp::read(object, "to_timestamp", warnings),
        top_events,
    }
}

fn read_top_event(object: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) -> TopEvent {
    TopEvent {
        title: object.string("title", warnings),
        frame: read_frame_field(object, "frame", warnings),
        times: object.count("times", warnings),
        link: object.string("link", warnings),
    }
}

/// Reads `level`, accepting any case and `WARNING` for `WARN`, with a
/// warning whenever the value had to be rewritten.
fn read_level(object: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) -> Option<Level> {
    let sent = object.string("level", warnings)?;
    Some(level_from_sent(sent, &object.child_path("level"), warnings))
}

/// Reads a `level` that was sent, accepting any case and `WARNING` for
/// `WARN`, with a warning at `path` whenever the value had to be rewritten.
pub(crate) fn level_from_sent(sent: String, path: &str, warnings: &mut Vec<ParseWarning>) -> Level {
    let trimmed = sent.trim();
    let level = match trimmed.to_ascii_uppercase().as_str() {
        "FATAL" => Level::Fatal,
        "ERROR" => Level::Error,
        "WARN" | "WARNING" => Level::Warn,
        _ => return Level::Other(sent),
    };
    if level.as_str() != sent {
        warnings.push(ParseWarning::new(
            path,
            format!("level {sent:?} read as {}", level.as_str()),
        ));
    }
    level
}

fn read_frame_field(
    object: &Object<'_, '_>,
    key: &str,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Frame> {
    let (path, map) = object.object(key, warnings)?;
    Some(read_frame(&Object { path: &path, map }, warnings))
}

fn read_frames(object: &Object<'_, '_>, key: &str, warnings: &mut Vec<ParseWarning>) -> Vec<Frame> {
    let mut frames = Vec::new();
    for (path, item) in object.array(key, warnings) {
        match item {
            Value::Object(map) => frames.push(read_frame(&Object { path: &path, map }, warnings)),
            Value::Null => {}
            other => warnings.push(ignored(&path, "a frame object", other)),
        }
    }
    frames
}

fn read_frame(object: &Object<'_, '_>, warnings: &mut Vec<ParseWarning>) -> Frame {
    Frame {
        class_name: object.string("class_name", warnings),
        method_name: object.string("method_name", warnings),
        method_desc: object.string("method_desc", warnings),
        full_name: object.string("full_name", warnings),
        is_3rd_party: object.boolean("is_3rd_party", warnings),
        is_catch_frame: object.boolean("is_catch_frame", warnings),
        is_hit_frame: object.boolean("is_hit_frame", warnings),
        modification_timestamp: object.string("modification_timestamp", warnings),
    }
}
