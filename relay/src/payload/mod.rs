//! The OverOps webhook payload: a tolerant model and its parser.
//!
//! OverOps sends one JSON object per alert. Its documented shape changed
//! between versions, and real payloads differ from both documents. So the
//! model keeps every field optional and accepts the known variants: a
//! string or an array `added_by`, numeric-string timestamps, seconds or
//! milliseconds, `RESURFACED` and unknown alert kinds. Each assumption is
//! recorded as a [`ParseWarning`]. [`parse`] rejects only bodies that are
//! not an OverOps alert at all.

mod details;
mod error;
mod fast;
mod overflow;
mod parse;
mod reader;
mod repair;
mod timestamp;

pub use error::{ParseError, ParseWarning};
pub use parse::parse;
pub use timestamp::SECONDS_THRESHOLD;

use jiff::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One OverOps webhook message, read tolerantly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// `api_version`, kept for display and never validated.
    pub api_version: Option<String>,
    /// Envelope `type`: an alert or a test message.
    pub message_type: MessageType,
    /// Envelope `date`: when OverOps sent the message.
    pub date: Option<Timestamp>,
    /// Envelope `username`: the owner of the OverOps environment.
    pub username: Option<String>,
    /// Envelope `service_id`: the OverOps environment id, e.g. `S38421`.
    pub service_id: Option<String>,
    /// Envelope `service_name`: the environment name, e.g. `Production`.
    pub service_name: Option<String>,
    /// `data.type`, or the kind inferred from `data.data` when it is absent.
    pub kind: Option<AlertKind>,
    /// `data.summary`: the sentence OverOps rendered for the alert.
    pub summary: Option<String>,
    /// `data.view_name`: the view whose alert fired.
    pub view_name: Option<String>,
    /// `data.added_by`: the users who configured the alert.
    pub added_by: Vec<String>,
    /// `data.data`: the error event or the threshold breach.
    pub details: Details,
    /// Assumptions made and values ignored while parsing.
    pub warnings: Vec<ParseWarning>,
}

impl Alert {
    /// Returns the name used to route and prioritise the alert: `TEST` for
    /// test messages, else the alert kind (`NEW_EVENT`, `RESURFACED`,
    /// `THRESHOLD` or the unknown kind as sent), else `UNSPECIFIED`.
    pub fn kind_name(&self) -> &str {
        if self.message_type == MessageType::Test {
            return "TEST";
        }
        match &self.kind {
            Some(kind) => kind.as_str(),
            None => "UNSPECIFIED",
        }
    }

    /// Returns the error event, if the alert carries one.
    pub fn event(&self) -> Option<&ErrorEvent> {
        match &self.details {
            Details::Event(event) => Some(event),
            Details::Threshold(_) | Details::None => None,
        }
    }

    /// Returns the threshold breach, if the alert carries one.
    pub fn threshold(&self) -> Option<&ThresholdBreach> {
        match &self.details {
            Details::Threshold(breach) => Some(breach),
            Details::Event(_) | Details::None => None,
        }
    }
}

/// Envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MessageType {
    /// `ALERT`: a view's alert fired. Also assumed when `type` is missing.
    Alert,
    /// `TEST`: the test button in the OverOps settings.
    Test,
    /// Any other value, kept as sent.
    Other(String),
}

impl MessageType {
    /// Returns the wire name: `ALERT`, `TEST` or the value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            MessageType::Alert => "ALERT",
            MessageType::Test => "TEST",
            MessageType::Other(name) => name,
        }
    }
}

/// `data.type`: what fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AlertKind {
    /// `NEW_EVENT`: an error event seen for the first time.
    NewEvent,
    /// `RESURFACED`: an event marked resolved happened again.
    Resurfaced,
    /// `THRESHOLD`: a view exceeded its hit count in a time window.
    Threshold,
    /// Any other kind (anomaly, custom alerts), kept as sent.
    Other(String),
}

impl AlertKind {
    /// Returns the wire name, e.g. `NEW_EVENT`, or the unknown kind as sent.
    pub fn as_str(&self) -> &str {
        match self {
            AlertKind::NewEvent => "NEW_EVENT",
            AlertKind::Resurfaced => "RESURFACED",
            AlertKind::Threshold => "THRESHOLD",
            AlertKind::Other(name) => name,
        }
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `data.data`, read by the shape its alert kind implies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Details {
    /// An error event (`NEW_EVENT`, `RESURFACED`).
    Event(Box<ErrorEvent>),
    /// A threshold breach (`THRESHOLD`).
    Threshold(ThresholdBreach),
    /// Absent, empty, or of an unknown shape.
    None,
}

/// The error event of a `NEW_EVENT` or `RESURFACED` alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErrorEvent {
    /// Inner event kind (`EXCEPTION`, `Logged Error`, ...), free text.
    pub event_type: Option<String>,
    /// Frame where the event happened.
    pub location: Option<Frame>,
    /// Entry point of the transaction (servlet, thread run method).
    pub entry_point: Option<Frame>,
    /// Stack frames in the order sent, which OverOps does not document.
    pub stacktrace: Vec<Frame>,
    /// URL of the OverOps root-cause screen for the event.
    pub link: Option<String>,
    /// JVM host name.
    pub server_name: Option<String>,
    /// Application name.
    pub app_name: Option<String>,
    /// Deployment or version name.
    pub deployment_name: Option<String>,
    /// Event name; for exceptions the exception class.
    pub name: Option<String>,
    /// Whether the exception was caught; `None` when not sent.
    pub is_caught: Option<bool>,
    /// Exception or log message, possibly multi-line.
    pub message: Option<String>,
    /// Log level.
    pub level: Option<Level>,
    /// HTTP status of HTTP-error events, as text.
    pub error_code: Option<String>,
}

/// Log level of an error event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Level {
    Fatal,
    Error,
    Warn,
    /// Any other level, kept as sent (`INFO`, `DEBUG`, ...).
    Other(String),
}

impl Level {
    /// Returns `FATAL`, `ERROR`, `WARN`, or the other level as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Level::Fatal => "FATAL",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Other(name) => name,
        }
    }
}

/// The body of a `THRESHOLD` alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ThresholdBreach {
    /// Configured hit count N.
    pub threshold: Option<u64>,
    /// Actual hits in the window.
    pub times: Option<u64>,
    /// Start of the window.
    pub from: Option<Timestamp>,
    /// End of the window.
    pub to: Option<Timestamp>,
    /// Top contributing events, most frequent first as sent.
    pub top_events: Vec<TopEvent>,
}

/// One entry of a threshold alert's `top_events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopEvent {
    pub title: Option<String>,
    pub frame: Option<Frame>,
    pub times: Option<u64>,
    pub link: Option<String>,
}

/// A JVM stack frame as OverOps describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// Dotted class name, e.g. `com.acme.orders.OrderService`.
    pub class_name: Option<String>,
    /// Method name, e.g. `placeOrder`, `<init>`, `lambda$placeOrder$3`.
    pub method_name: Option<String>,
    /// JVM method descriptor, e.g. `(Lcom/acme/orders/Order;)V`.
    pub method_desc: Option<String>,
    /// Class and method, e.g. `com.acme.orders.OrderService.placeOrder`.
    pub full_name: Option<String>,
    pub is_3rd_party: Option<bool>,
    pub is_catch_frame: Option<bool>,
    pub is_hit_frame: Option<bool>,
    /// Sent as a string in the one public model; numbers are kept as text.
    pub modification_timestamp: Option<String>,
}

impl Frame {
    /// Returns `Class.method` with the class's simple name, e.g.
    /// `OrderService.placeOrder`, falling back to what the frame has.
    pub fn short_name(&self) -> Option<String> {
        let simple_class = self
            .class_name
            .as_deref()
            .map(|class| class.rsplit('.').next().unwrap_or(class));
        match (simple_class, self.method_name.as_deref()) {
            (Some(class), Some(method)) => Some(format!("{class}.{method}")),
            (Some(class), None) => Some(class.to_owned()),
            (None, _) => self.full_name.clone().or_else(|| self.method_name.clone()),
        }
    }

    /// Returns the fully qualified method, e.g.
    /// `com.acme.orders.OrderService.placeOrder`, from `full_name` or from
    /// the class and method names.
    pub fn qualified_name(&self) -> Option<String> {
        self.qualified_name_cow().map(Cow::into_owned)
    }

    /// Returns [`Frame::qualified_name`], borrowed from the frame unless it
    /// joins the class and method names.
    pub(crate) fn qualified_name_cow(&self) -> Option<Cow<'_, str>> {
        if let Some(full_name) = &self.full_name {
            return Some(Cow::Borrowed(full_name));
        }
        match (self.class_name.as_deref(), self.method_name.as_deref()) {
            (Some(class), Some(method)) => Some(Cow::Owned(format!("{class}.{method}"))),
            (Some(class), None) => Some(Cow::Borrowed(class)),
            (None, method) => method.map(Cow::Borrowed),
        }
    }
}
