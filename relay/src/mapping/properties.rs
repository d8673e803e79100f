//! Filling the form: one value per property, within the form's rules.

use super::Warning;
use super::truncate::{truncate_utf16, utf16_len};
use super::values::Values;
use crate::form::{FormDefinition, PropertyDefinition, PropertyKind, Source};
use serde_json::{Map, Value};

/// Returns the trigger properties in the form's order. Text is cut to its
/// maximum length, list values outside the form's list are left out, and
/// every such change is added to `warnings`.
pub(crate) fn fill(
    form: &FormDefinition,
    values: &Values,
    warnings: &mut Vec<Warning>,
) -> Map<String, Value> {
    let mut properties = Map::with_capacity(form.properties.len());
    for property in &form.properties {
        let source = property.effective_source();
        let value = source.and_then(|source| values.get(source));
        let Some(value) = value else {
            report_missing(property, source, values, warnings);
            continue;
        };
        if let Some(full_length) = source.and_then(|source| values.full_length(source)) {
            warnings.push(Warning::Truncated {
                property: property.name.clone(),
                original_length: full_length,
                new_length: utf16_len(value),
            });
        }
        if let Some(value) = apply_rules(property, value, warnings) {
            properties.insert(property.name.clone(), Value::String(value));
        }
    }
    properties
}

fn apply_rules(
    property: &PropertyDefinition,
    value: &str,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    match property.kind {
        PropertyKind::List => {
            if property.values.iter().any(|allowed| allowed == value) {
                return Some(value.to_owned());
            }
            warnings.push(Warning::NotInList {
                property: property.name.clone(),
                value: value.to_owned(),
                allowed: property.values.clone(),
            });
            if property.required {
                warnings.push(Warning::MissingRequired {
                    property: property.name.clone(),
                });
            }
            None
        }
        PropertyKind::Text => {
            let Some(max_length) = property.max_length else {
                return Some(value.to_owned());
            };
            let Some(cut) = truncate_utf16(value, max_length) else {
                return Some(value.to_owned());
            };
            warnings.push(Warning::Truncated {
                property: property.name.clone(),
                original_length: utf16_len(value),
                new_length: utf16_len(&cut),
            });
            Some(cut)
        }
    }
}

fn report_missing(
    property: &PropertyDefinition,
    source: Option<Source>,
    values: &Values,
    warnings: &mut Vec<Warning>,
) {
    if property.required {
        warnings.push(Warning::MissingRequired {
            property: property.name.clone(),
        });
        return;
    }
    if source == Some(Source::Date) {
        if let Some(problem) = &values.date_problem {
            warnings.push(Warning::Omitted {
                property: property.name.clone(),
                reason: problem.clone(),
            });
        }
    }
}
