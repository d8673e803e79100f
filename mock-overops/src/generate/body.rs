//! The envelope and the alert body of each payload kind, before quirks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::context::Context;
use super::frames::{Frame, app_frame, entry_point_frame, stack_trace};
use super::vocab::{EXCEPTIONS, HTTP_METHODS, HTTP_STATUSES, LOG_MESSAGES, pick};
use super::{EventKind, Kind};

/// Base of every link to the OverOps root-cause screen.
const LINK_BASE: &str = "https://app.overops.com/tale.html";

/// Builds a complete payload of `kind` with a stack trace of `depth` frames.
///
/// `type_names` spells the inner event type as an event-type name
/// (`Logged Error`) in place of a code (`LOG`).
pub(crate) fn build_payload(
    rng: &mut ChaCha8Rng,
    context: &Context,
    kind: &Kind,
    depth: usize,
    type_names: bool,
) -> Value {
    let api_version = if rng.gen_bool(0.8) { "0.2" } else { "0.1" };
    let (envelope_type, data) = match kind {
        Kind::NewEvent(event_kind) => {
            let event = event_body(rng, context, *event_kind, depth, type_names);
            let summary = new_event_summary(rng, context, &event);
            ("ALERT", alert(context, "NEW_EVENT", summary, event.value))
        }
        Kind::Resurfaced(event_kind) => {
            let event = event_body(rng, context, *event_kind, depth, type_names);
            let summary = format!(
                "OverOps has detected that an event, {}, which was previously marked as \
                 \"Resolved\" just resurfaced in {}",
                event.title, context.service_name
            );
            ("ALERT", alert(context, "RESURFACED", summary, event.value))
        }
        Kind::Threshold => ("ALERT", threshold_alert(rng, context)),
        Kind::Test => {
            let event = event_body(rng, context, EventKind::Exception, depth, type_names);
            let summary = format!(
                "Test alert from OverOps: alerts on view {} in {} will look like this",
                context.view_name, context.service_name
            );
            ("TEST", alert(context, "NEW_EVENT", summary, event.value))
        }
        Kind::Unknown(alert_type) => {
            let event = event_body(rng, context, EventKind::Exception, depth, type_names);
            let summary = format!(
                "OverOps raised a {alert_type} alert on view {} in {}",
                context.view_name, context.service_name
            );
            ("ALERT", alert(context, alert_type, summary, event.value))
        }
    };

    json!({
        "api_version": api_version,
        "type": envelope_type,
        "date": context.date_ms,
        "username": context.owner,
        "service_id": context.service_id,
        "service_name": context.service_name,
        "data": data,
    })
}

/// An error event body with the facts that summaries quote.
struct EventBody {
    /// The `data.data` object.
    value: Value,
    /// Event name and place, such as `NullPointerException in OrderService.placeOrder`.
    title: String,
    /// Source line of the location.
    line: u32,
}

fn alert(context: &Context, alert_type: &str, summary: String, body: Value) -> Value {
    json!({
        "type": alert_type,
        "summary": summary,
        "view_name": context.view_name,
        "added_by": context.added_by,
        "data": body,
    })
}

fn new_event_summary(rng: &mut ChaCha8Rng, context: &Context, event: &EventBody) -> String {
    if rng.gen_bool(0.5) {
        return format!("{}({})", event.title, event.line);
    }
    format!(
        "OverOps has identified {} in {} on {} View (alert added by {})",
        event.title, context.service_name, context.view_name, context.owner
    )
}

fn event_body(
    rng: &mut ChaCha8Rng,
    context: &Context,
    kind: EventKind,
    depth: usize,
    type_names: bool,
) -> EventBody {
    let mut location = app_frame(rng, context);
    location.is_hit_frame = true;
    let entry_point = entry_point_frame(rng, context);
    let caught = kind == EventKind::Exception && rng.gen_bool(0.5);
    let stack = stack_trace(rng, context, &location, &entry_point, depth, caught);

    let mut body = Map::new();
    let details = event_details(rng, context, kind);
    body.insert("type".into(), type_label(kind, caught, type_names).into());
    body.insert("location".into(), location.to_json());
    body.insert("entry_point".into(), entry_point.to_json());
    body.insert(
        "stacktrace".into(),
        stack.iter().map(Frame::to_json).collect::<Vec<_>>().into(),
    );
    body.insert("link".into(), event_link(rng, context).into());
    body.insert("server_name".into(), draw_server_name(rng, context).into());
    body.insert("app_name".into(), draw_app_name(rng, context).into());
    body.insert("deployment_name".into(), draw_deployment(rng).into());
    body.insert("name".into(), details.name.clone().into());
    body.insert("is_caught".into(), caught.into());
    body.insert("message".into(), details.message.into());
    if let Some(level) = details.level {
        body.insert("level".into(), level.into());
    }
    if let Some(error_code) = details.error_code {
        body.insert("error_code".into(), error_code.into());
    }

    EventBody {
        value: Value::Object(body),
        title: format!(
            "{} in {}.{}",
            details.name,
            location.simple_class_name(),
            location.method_name
        ),
        line: rng.gen_range(20..900),
    }
}

/// Fields of an event body that depend on its inner kind.
struct EventDetails {
    name: String,
    message: String,
    level: Option<&'static str>,
    error_code: Option<String>,
}

fn event_details(rng: &mut ChaCha8Rng, context: &Context, kind: EventKind) -> EventDetails {
    match kind {
        EventKind::Exception => {
            let (class_name, messages) = *pick(rng, EXCEPTIONS);
            let simple_name = class_name.rsplit('.').next().unwrap_or(class_name);
            EventDetails {
                name: simple_name.to_owned(),
                message: (*pick(rng, messages)).to_owned(),
                level: None,
                error_code: None,
            }
        }
        EventKind::LoggedError | EventKind::LoggedWarning => {
            let warning = kind == EventKind::LoggedWarning;
            EventDetails {
                name: if warning {
                    "Logged Warning"
                } else {
                    "Logged Error"
                }
                .to_owned(),
                message: (*pick(rng, LOG_MESSAGES)).to_owned(),
                level: Some(if warning { "WARN" } else { "ERROR" }),
                error_code: None,
            }
        }
        EventKind::HttpError => {
            let (status, reason) = *pick(rng, HTTP_STATUSES);
            let method = pick(rng, HTTP_METHODS);
            let id = rng.gen_range(1_000..100_000);
            EventDetails {
                name: "HTTP Error".to_owned(),
                message: format!(
                    "HTTP {status} {reason} returned for {method} /api/v1/{}/{id}",
                    context.domain
                ),
                level: None,
                error_code: Some(status.to_string()),
            }
        }
    }
}

/// Returns the inner `type` value: a code such as `LOG`, or with
/// `type_names` an event-type name such as `Logged Error`.
fn type_label(kind: EventKind, caught: bool, type_names: bool) -> &'static str {
    match (kind, type_names) {
        (EventKind::Exception, false) => "EXCEPTION",
        (EventKind::Exception, true) if caught => "Caught Exception",
        (EventKind::Exception, true) => "Uncaught Exception",
        (EventKind::LoggedError | EventKind::LoggedWarning, false) => "LOG",
        (EventKind::LoggedError, true) => "Logged Error",
        (EventKind::LoggedWarning, true) => "Logged Warning",
        (EventKind::HttpError, false) => "HTTP_ERROR",
        (EventKind::HttpError, true) => "HTTP Error",
    }
}

fn threshold_alert(rng: &mut ChaCha8Rng, context: &Context) -> Value {
    let threshold: u64 = *pick(rng, &[10, 50, 100, 500, 1000]);
    let times = threshold + rng.gen_range(1..=threshold);
    let window_minutes: u64 = *pick(rng, &[5, 10, 15, 30, 60]);
    let to_ms = context.date_ms.saturating_sub(rng.gen_range(0..60_000));
    let from_ms = to_ms.saturating_sub(window_minutes * 60_000);

    let mut top_events = Vec::new();
    let mut remaining = times;
    for _ in 0..rng.gen_range(1..=5) {
        if remaining == 0 {
            break;
        }
        let (class_name, _) = *pick(rng, EXCEPTIONS);
        let simple_name = class_name.rsplit('.').next().unwrap_or(class_name);
        let frame = app_frame(rng, context);
        let event_times = rng.gen_range(1..=remaining);
        remaining -= event_times;
        top_events.push(json!({
            "title": format!("{simple_name} in {}.{}", frame.simple_class_name(), frame.method_name),
            "frame": frame.to_json(),
            "times": event_times,
            "link": event_link(rng, context),
        }));
    }

    let summary = format!(
        "Events in view {} have occurred more than {threshold} times in the past \
         {window_minutes} minutes in {}",
        context.view_name, context.service_name
    );
    let body = json!({
        "threshold": threshold,
        "times": times,
        "from_timestamp": from_ms,
        "to_timestamp": to_ms,
        "top_events": top_events,
    });
    alert(context, "THRESHOLD", summary, body)
}

/// Returns a link to the root-cause screen. The `event` value is the
/// environment id and two counters joined by `#`, base64-encoded with `-`
/// in place of padding, like the link in the public field description.
fn event_link(rng: &mut ChaCha8Rng, context: &Context) -> String {
    let raw = format!(
        "{}#{}#{}",
        context.service_id,
        rng.gen_range(1..500),
        rng.gen_range(1..100_000)
    );
    let event = URL_SAFE.encode(raw).replace('=', "-");
    format!("{LINK_BASE}?event={event}&source=45")
}

fn draw_server_name(rng: &mut ChaCha8Rng, context: &Context) -> String {
    match rng.gen_range(0..3) {
        0 => format!(
            "ip-10-{}-{}-{}",
            rng.gen_range(0..256),
            rng.gen_range(0..256),
            rng.gen_range(1..255)
        ),
        1 => format!("{}-api-{}", context.domain, rng.gen_range(1..10)),
        _ => format!(
            "jvm{:02}.{}.{}.internal",
            rng.gen_range(1..40),
            context.domain,
            context.company
        ),
    }
}

fn draw_app_name(rng: &mut ChaCha8Rng, context: &Context) -> String {
    let role = pick(rng, &["api", "worker", "batch"]);
    format!("{}-{role}", context.domain)
}

fn draw_deployment(rng: &mut ChaCha8Rng) -> String {
    format!(
        "v{}.{}.{}",
        rng.gen_range(1..5),
        rng.gen_range(0..40),
        rng.gen_range(0..10)
    )
}
