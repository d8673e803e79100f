//! Validation of a trigger object against a form, with the `errorDetails`
//! messages xMatters uses.

use serde_json::{Map, Value};

use crate::engine::types::{BasicAuth, ValidationError};
use crate::world::{
    Form, Priority, PropertyDef, PropertyKind, RecipientSpec, RecipientType, WebhookTrigger, World,
};

/// The `details` xMatters returns for text longer than the property allows.
pub const TOO_LONG: &str = "Exceeded the specified maximum number of characters";
/// The `details` xMatters returns for a value outside a list property.
pub const NOT_IN_LIST: &str = "Specified value not found in the list of configured values";

// NOTE: the messages below are not documented by xMatters; they are worded
// to say what is wrong and which value to fix.
const REQUIRED: &str = "A value is required for this property";
const UNKNOWN_PROPERTY: &str = "The form has no property with this name";
const NOT_TEXT: &str = "Expected a text value";
const NOT_NUMBER: &str = "Expected a number";
const NOT_BOOLEAN: &str = "Expected true or false";

/// A per-event callback from the legacy trigger's `callbacks` array.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Callback {
    pub(crate) trigger: WebhookTrigger,
    pub(crate) url: String,
    pub(crate) auth: Option<BasicAuth>,
}

/// A trigger that passed validation, with form defaults applied.
#[derive(Debug, Clone)]
pub(crate) struct ValidTrigger {
    pub(crate) properties: Map<String, Value>,
    pub(crate) recipients: Vec<RecipientSpec>,
    pub(crate) priority: Priority,
    pub(crate) expiration_minutes: u32,
    /// Notify every member of every group at once (`escalationOverride`).
    pub(crate) escalation_override: bool,
    /// Only devices with these names are notified (`targetDeviceNames`).
    pub(crate) device_names: Option<Vec<String>>,
    pub(crate) callbacks: Vec<Callback>,
}

/// Checks one property value against its definition; the error is the
/// `details` text of the validation error.
pub fn check_property_value(property: &PropertyDef, value: &Value) -> Result<(), String> {
    match property.kind {
        PropertyKind::Text => {
            let Value::String(text) = value else {
                return Err(NOT_TEXT.to_string());
            };
            let length = text.encode_utf16().count();
            match property.max_length {
                Some(max) if length > max => Err(TOO_LONG.to_string()),
                _ => Ok(()),
            }
        }
        PropertyKind::List => match value {
            Value::String(text) if property.values.iter().any(|v| v == text) => Ok(()),
            _ => Err(NOT_IN_LIST.to_string()),
        },
        PropertyKind::Number if value.is_number() => Ok(()),
        PropertyKind::Number => Err(NOT_NUMBER.to_string()),
        PropertyKind::Boolean if value.is_boolean() => Ok(()),
        PropertyKind::Boolean => Err(NOT_BOOLEAN.to_string()),
    }
}

/// Validates `trigger` for `form`. Every problem found is returned, not
/// only the first. `callbacks` are read only when `accept_callbacks` is
/// set, because only the legacy form trigger takes them.
pub(crate) fn validate_trigger(
    world: &World,
    form: &Form,
    trigger: &Value,
    accept_callbacks: bool,
) -> Result<ValidTrigger, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let Value::Object(body) = trigger else {
        return Err(vec![error("", "The trigger must be a JSON object")]);
    };

    let properties = validate_properties(form, body.get("properties"), &mut errors);
    let recipients = validate_recipients(world, form, body.get("recipients"), &mut errors);
    let priority = validate_priority(form, body.get("priority"), &mut errors);
    let expiration_minutes =
        validate_expiration(world, form, body.get("expirationInMinutes"), &mut errors);
    let escalation_override = match body.get("escalationOverride") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(_) => {
            errors.push(error("escalationOverride", NOT_BOOLEAN));
            false
        }
    };
    let device_names = validate_device_names(body.get("targetDeviceNames"), &mut errors);
    let callbacks = if accept_callbacks {
        validate_callbacks(body.get("callbacks"), &mut errors)
    } else {
        Vec::new()
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidTrigger {
        properties,
        recipients,
        priority,
        expiration_minutes,
        escalation_override,
        device_names,
        callbacks,
    })
}

fn error(json_path: impl Into<String>, details: impl Into<String>) -> ValidationError {
    ValidationError {
        json_path: json_path.into(),
        details: details.into(),
    }
}

/// Checks the given properties and fills in defaults, in form order.
fn validate_properties(
    form: &Form,
    given: Option<&Value>,
    errors: &mut Vec<ValidationError>,
) -> Map<String, Value> {
    let empty = Map::new();
    let given = match given {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.push(error("properties", "Expected an object of property values"));
            &empty
        }
    };

    for name in given.keys() {
        if form.property(name).is_none() {
            errors.push(error(format!("properties/{name}"), UNKNOWN_PROPERTY));
        }
    }

    let mut properties = Map::new();
    for property in &form.properties {
        let path = format!("properties/{}", property.name);
        let value = match given.get(&property.name) {
            Some(Value::Null) | None => property
                .default
                .as_ref()
                .and_then(|default| serde_json::to_value(default).ok()),
            Some(value) => Some(value.clone()),
        };
        let Some(value) = value else {
            if property.required {
                errors.push(error(path, REQUIRED));
            }
            continue;
        };
        match check_property_value(property, &value) {
            Ok(()) => {
                properties.insert(property.name.clone(), value);
            }
            Err(details) => errors.push(error(path, details)),
        }
    }
    properties
}

/// Reads `recipients`, or the form's defaults when absent or empty.
fn validate_recipients(
    world: &World,
    form: &Form,
    given: Option<&Value>,
    errors: &mut Vec<ValidationError>,
) -> Vec<RecipientSpec> {
    let entries = match given {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => entries.clone(),
        Some(_) => {
            errors.push(error("recipients", "Expected an array of recipients"));
            return Vec::new();
        }
    };
    if entries.is_empty() {
        if form.recipients.is_empty() {
            errors.push(error(
                "recipients",
                "The trigger names no recipients and the form has no default recipients",
            ));
        }
        return form.recipients.clone();
    }

    let mut recipients = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match read_recipient(world, entry) {
            Ok(recipient) => recipients.push(recipient),
            Err((field, details)) => {
                errors.push(error(format!("recipients/{index}{field}"), details))
            }
        }
    }
    recipients
}

/// Reads one recipient; the error carries the field suffix of the path.
fn read_recipient(world: &World, entry: &Value) -> Result<RecipientSpec, (&'static str, String)> {
    let Some(id) = entry.get("id").and_then(Value::as_str) else {
        return Err(("/id", "Expected the recipient's id as text".to_string()));
    };
    let recipient_type = match entry.get("recipientType") {
        None | Some(Value::Null) => guess_recipient_type(world, id),
        Some(Value::String(text)) => match text.as_str() {
            "PERSON" => Some(RecipientType::Person),
            "GROUP" => Some(RecipientType::Group),
            "DEVICE" => Some(RecipientType::Device),
            "DYNAMIC_TEAM" => Some(RecipientType::DynamicTeam),
            _ => {
                return Err((
                    "/recipientType",
                    format!(
                        "Invalid recipientType {text:?}: expected PERSON, GROUP, DEVICE or DYNAMIC_TEAM"
                    ),
                ));
            }
        },
        Some(_) => return Err(("/recipientType", NOT_TEXT.to_string())),
    };
    let Some(recipient_type) = recipient_type else {
        return Err((
            "/id",
            format!("Recipient not found: no person, group or device is named {id:?}"),
        ));
    };
    let recipient = RecipientSpec {
        id: id.to_string(),
        recipient_type,
    };
    crate::world::recipient_exists(world, &recipient)
        .map_err(|reason| ("/id", format!("Recipient not found: {reason}")))?;
    Ok(recipient)
}

/// Resolves a recipient without `recipientType`: a person, then a group,
/// then `person|device`.
fn guess_recipient_type(world: &World, id: &str) -> Option<RecipientType> {
    if world.person(id).is_some() {
        Some(RecipientType::Person)
    } else if world.group(id).is_some() {
        Some(RecipientType::Group)
    } else if id.contains('|') {
        Some(RecipientType::Device)
    } else {
        None
    }
}

fn validate_priority(
    form: &Form,
    given: Option<&Value>,
    errors: &mut Vec<ValidationError>,
) -> Priority {
    match given {
        None | Some(Value::Null) => form.priority,
        Some(Value::String(text)) => match text.to_ascii_uppercase().as_str() {
            "LOW" => Priority::Low,
            "MEDIUM" => Priority::Medium,
            "HIGH" => Priority::High,
            _ => {
                errors.push(error(
                    "priority",
                    format!("Invalid priority {text:?}: expected LOW, MEDIUM or HIGH"),
                ));
                form.priority
            }
        },
        Some(_) => {
            errors.push(error("priority", "Expected LOW, MEDIUM or HIGH as text"));
            form.priority
        }
    }
}

fn validate_expiration(
    world: &World,
    form: &Form,
    given: Option<&Value>,
    errors: &mut Vec<ValidationError>,
) -> u32 {
    let fallback = form
        .expiration_minutes
        .unwrap_or(world.settings.event_expiry_minutes);
    match given {
        None | Some(Value::Null) => fallback,
        Some(value) => match value
            .as_u64()
            .and_then(|minutes| u32::try_from(minutes).ok())
        {
            Some(minutes) if minutes > 0 => minutes,
            _ => {
                errors.push(error(
                    "expirationInMinutes",
                    format!("Invalid expirationInMinutes {value}: expected a whole number of minutes, at least 1"),
                ));
                fallback
            }
        },
    }
}

/// Reads `targetDeviceNames`: an array of `{"name": ...}` objects or names.
fn validate_device_names(
    given: Option<&Value>,
    errors: &mut Vec<ValidationError>,
) -> Option<Vec<String>> {
    let entries = match given {
        None | Some(Value::Null) => return None,
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            errors.push(error(
                "targetDeviceNames",
                "Expected an array of device names",
            ));
            return None;
        }
    };
    let mut names = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let name = match entry {
            Value::String(name) => Some(name.as_str()),
            Value::Object(object) => object.get("name").and_then(Value::as_str),
            _ => None,
        };
        match name {
            Some(name) => names.push(name.to_string()),
            None => errors.push(error(
                format!("targetDeviceNames/{index}"),
                "Expected a device name or an object with a name",
            )),
        }
    }
    Some(names)
}

fn validate_callbacks(given: Option<&Value>, errors: &mut Vec<ValidationError>) -> Vec<Callback> {
    let entries = match given {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            errors.push(error("callbacks", "Expected an array of callbacks"));
            return Vec::new();
        }
    };
    let mut callbacks = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match read_callback(entry) {
            Ok(callback) => callbacks.push(callback),
            Err((field, details)) => {
                errors.push(error(format!("callbacks/{index}{field}"), details))
            }
        }
    }
    callbacks
}

fn read_callback(entry: &Value) -> Result<Callback, (&'static str, String)> {
    let text = |field: &str| entry.get(field).and_then(Value::as_str);

    let url = text("url").ok_or(("/url", "Expected the callback URL as text".to_string()))?;
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
        Ok(_) => {
            return Err((
                "/url",
                format!("Invalid callback URL {url:?}: expected an http or https URL"),
            ));
        }
        Err(_) => return Err(("/url", format!("Invalid callback URL {url:?}"))),
    }
    let trigger = match text("type") {
        Some("status") => WebhookTrigger::Status,
        Some("deliveryStatus") => WebhookTrigger::DeliveryStatus,
        Some("response") => WebhookTrigger::Response,
        other => {
            return Err((
                "/type",
                format!(
                    "Invalid callback type {other:?}: expected status, deliveryStatus or response"
                ),
            ));
        }
    };
    let auth = match text("authType") {
        None => None,
        Some(kind) if kind.eq_ignore_ascii_case("basic") => {
            let username = text("authUserName")
                .ok_or(("/authUserName", "Required for basic auth".to_string()))?;
            let password = text("authPassword")
                .ok_or(("/authPassword", "Required for basic auth".to_string()))?;
            Some(BasicAuth {
                username: username.to_string(),
                password: password.to_string(),
            })
        }
        Some(kind) => {
            return Err((
                "/authType",
                format!("Invalid authType {kind:?}: expected basic"),
            ));
        }
    };
    Ok(Callback {
        trigger,
        url: url.to_string(),
        auth,
    })
}
