//! The xMatters form the relay fills, described as data.
//!
//! xMatters validates an event's properties against its form: a text
//! property has a maximum length, a list property accepts only its
//! configured values, and a required property must be present. The relay
//! applies the same rules before sending, so that a value is cut or omitted
//! with a warning instead of the whole event being dropped by xMatters.
//! The default is the vendor's "New Exception" form; a customer's own form
//! can be described in configuration under `[mapping.form]`.

use serde::{Deserialize, Serialize};

/// A form: its name and its properties in the order they are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Form name, shown in `relay check` output and logs.
    pub name: String,
    /// Properties in the order they appear in the trigger.
    pub properties: Vec<PropertyDefinition>,
}

/// One form property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyDefinition {
    /// Property name in xMatters, e.g. `View_Name`.
    pub name: String,
    /// Text or single-select list.
    pub kind: PropertyKind,
    /// Maximum length of a text property, in UTF-16 code units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Allowed values of a list property.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Whether xMatters rejects an event without this property.
    #[serde(default)]
    pub required: bool,
    /// Alert value that fills the property. When it is not set, the source
    /// named like the property (ignoring case) fills it, so `View_Name` is
    /// filled by `view_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

impl PropertyDefinition {
    /// Returns the value source: the configured one, or the one named like
    /// the property. `None` means nothing in an alert fills this property.
    pub fn effective_source(&self) -> Option<Source> {
        self.source
            .or_else(|| Source::from_property_name(&self.name))
    }

    fn text(name: &str, max_length: usize) -> Self {
        PropertyDefinition {
            name: name.to_owned(),
            kind: PropertyKind::Text,
            max_length: Some(max_length),
            values: Vec::new(),
            required: false,
            source: None,
        }
    }

    fn list(name: &str, values: &[&str]) -> Self {
        PropertyDefinition {
            name: name.to_owned(),
            kind: PropertyKind::List,
            max_length: None,
            values: values.iter().map(|value| (*value).to_owned()).collect(),
            required: false,
            source: None,
        }
    }
}

/// The two property kinds the relay fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    /// Free text cut to `max_length`.
    Text,
    /// A single-select list: values outside `values` are omitted.
    List,
}

/// A value the mapping computes from an alert, available to any property.
///
/// The names match the "New Exception" form's properties in snake case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Users who configured the alert, comma-separated.
    AddedBy,
    /// Envelope type: `ALERT` or `TEST`.
    AlertType,
    /// Application name of an error event.
    AppName,
    /// Class of the event location, or of the first top event's frame.
    ClassName,
    /// Stack trace of an error event, or the top events of a threshold.
    Content,
    /// Send date in the configured time zone and format.
    Date,
    /// HTTP status of an HTTP-error event.
    ErrorCode,
    /// Event name (for exceptions the exception class).
    FullName,
    /// Log level.
    Level,
    /// Link to the event in OverOps, or to the first top event.
    Link,
    /// Readable description of the alert as plain text.
    Message,
    /// JVM host name.
    ServerName,
    /// OverOps environment name.
    ServiceName,
    /// The summary sentence OverOps rendered.
    Summary,
    /// One-line title, e.g. `NullPointerException in OrderService.placeOrder`.
    Title,
    /// Alert kind: `NEW_EVENT`, `RESURFACED`, `THRESHOLD` or another.
    Type,
    /// Owner of the OverOps environment.
    Username,
    /// View whose alert fired.
    ViewName,
    /// OverOps environment id, e.g. `S38421`.
    ServiceId,
    /// Deployment or version of an error event.
    DeploymentName,
    /// Fully qualified method where the event happened.
    Location,
    /// Fully qualified entry point of the transaction.
    EntryPoint,
}

impl Source {
    /// Every source, in the order of this enum.
    pub const ALL: [Source; 22] = [
        Source::AddedBy,
        Source::AlertType,
        Source::AppName,
        Source::ClassName,
        Source::Content,
        Source::Date,
        Source::ErrorCode,
        Source::FullName,
        Source::Level,
        Source::Link,
        Source::Message,
        Source::ServerName,
        Source::ServiceName,
        Source::Summary,
        Source::Title,
        Source::Type,
        Source::Username,
        Source::ViewName,
        Source::ServiceId,
        Source::DeploymentName,
        Source::Location,
        Source::EntryPoint,
    ];

    /// Returns the configuration name, e.g. `view_name`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::AddedBy => "added_by",
            Source::AlertType => "alert_type",
            Source::AppName => "app_name",
            Source::ClassName => "class_name",
            Source::Content => "content",
            Source::Date => "date",
            Source::ErrorCode => "error_code",
            Source::FullName => "full_name",
            Source::Level => "level",
            Source::Link => "link",
            Source::Message => "message",
            Source::ServerName => "server_name",
            Source::ServiceName => "service_name",
            Source::Summary => "summary",
            Source::Title => "title",
            Source::Type => "type",
            Source::Username => "username",
            Source::ViewName => "view_name",
            Source::ServiceId => "service_id",
            Source::DeploymentName => "deployment_name",
            Source::Location => "location",
            Source::EntryPoint => "entry_point",
        }
    }

    /// Finds the source named like a property, ignoring case.
    pub fn from_property_name(name: &str) -> Option<Source> {
        Source::ALL
            .into_iter()
            .find(|source| source.as_str().eq_ignore_ascii_case(name))
    }
}

impl FormDefinition {
    /// Returns the vendor's "New Exception" form: the property names, text
    /// limits and Level values of the original OverOps integration.
    pub fn new_exception() -> Self {
        let text = PropertyDefinition::text;
        FormDefinition {
            name: "New Exception".to_owned(),
            properties: vec![
                text("Title", 500),
                text("Summary", 2000),
                text("Message", 2000),
                text("Content", 2000),
                text("Alert_Type", 30),
                text("Type", 30),
                PropertyDefinition::list("Level", &["FATAL", "ERROR", "WARN"]),
                text("Date", 100),
                text("Service_Name", 100),
                text("View_Name", 30),
                text("App_Name", 200),
                text("Server_Name", 200),
                text("Full_Name", 1000),
                text("Class_Name", 200),
                text("Error_Code", 30),
                text("Username", 100),
                text("Added_By", 30),
                text("link", 1000),
            ],
        }
    }

    /// Finds a property by its exact name.
    pub fn property(&self, name: &str) -> Option<&PropertyDefinition> {
        self.properties
            .iter()
            .find(|property| property.name == name)
    }
}

impl Default for FormDefinition {
    fn default() -> Self {
        FormDefinition::new_exception()
    }
}
