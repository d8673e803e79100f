//! Cross-reference and limit checks on a parsed world.

use std::collections::HashSet;

use super::model::*;

/// The first problem found: the key path in the TOML file and the reason.
#[derive(Debug)]
pub(super) struct Issue {
    pub key: String,
    pub reason: String,
}

fn issue(key: impl Into<String>, reason: impl Into<String>) -> Issue {
    Issue {
        key: key.into(),
        reason: reason.into(),
    }
}

pub(super) fn check(world: &World) -> Result<(), Issue> {
    check_settings(world)?;
    check_people(world)?;
    check_groups(world)?;
    if world.forms.is_empty() {
        return Err(issue(
            "forms",
            "no form is defined; add a [[forms]] table, because every event is created through a form",
        ));
    }
    for (index, form) in world.forms.iter().enumerate() {
        check_form(world, form, &format!("forms[{index}]"))?;
    }
    check_integrations(world)?;
    check_webhook_targets(world)?;
    check_unique(
        world.rest_users.iter().map(|u| u.username.as_str()),
        "rest_users",
        "username",
    )?;
    Ok(())
}

fn check_settings(world: &World) -> Result<(), Issue> {
    if world.settings.event_expiry_minutes == 0 {
        return Err(issue(
            "settings.event_expiry_minutes",
            "must be at least 1 (xMatters' default is 180)",
        ));
    }
    if world.flood_control.max_alerts == 0 {
        return Err(issue(
            "flood_control.max_alerts",
            "must be at least 1; set flood_control.enabled = false to turn the filter off",
        ));
    }
    if world.flood_control.window_seconds == 0 {
        return Err(issue("flood_control.window_seconds", "must be at least 1"));
    }
    if world.rate_limit.period_seconds == 0 {
        return Err(issue("rate_limit.period_seconds", "must be at least 1"));
    }
    Ok(())
}

/// Rejects the first name that appears twice in `names`.
fn check_unique<'a>(
    names: impl Iterator<Item = &'a str>,
    table: &str,
    field: &str,
) -> Result<(), Issue> {
    let mut seen = HashSet::new();
    for (index, name) in names.enumerate() {
        if name.is_empty() {
            return Err(issue(
                format!("{table}[{index}].{field}"),
                "must not be empty",
            ));
        }
        if !seen.insert(name) {
            return Err(issue(
                format!("{table}[{index}].{field}"),
                format!("duplicate {field} {name:?}: each entry needs its own"),
            ));
        }
    }
    Ok(())
}

fn check_people(world: &World) -> Result<(), Issue> {
    check_unique(
        world.people.iter().map(|p| p.name.as_str()),
        "people",
        "name",
    )?;
    for (index, person) in world.people.iter().enumerate() {
        if person.name.contains('|') {
            return Err(issue(
                format!("people[{index}].name"),
                "must not contain '|', which separates person and device in device recipients",
            ));
        }
        let table = format!("people[{index}].devices");
        check_unique(
            person.devices.iter().map(|d| d.name.as_str()),
            &table,
            "name",
        )?;
    }
    Ok(())
}

fn check_groups(world: &World) -> Result<(), Issue> {
    check_unique(
        world.groups.iter().map(|g| g.name.as_str()),
        "groups",
        "name",
    )?;
    for (index, group) in world.groups.iter().enumerate() {
        if group.roster.is_empty() {
            return Err(issue(
                format!("groups[{index}].roster"),
                "must name at least one person",
            ));
        }
        if group.repeat > 0 && group.repeat_delay_minutes == 0 {
            return Err(issue(
                format!("groups[{index}].repeat_delay_minutes"),
                "must be at least 1 when repeat is set",
            ));
        }
        for (member, entry) in group.roster.iter().enumerate() {
            if world.person(&entry.person).is_none() {
                return Err(issue(
                    format!("groups[{index}].roster[{member}].person"),
                    format!("unknown person {:?}: add it under [[people]]", entry.person),
                ));
            }
        }
    }
    Ok(())
}

/// Checks that a recipient names a person, group or device of the world.
pub(crate) fn recipient_exists(world: &World, recipient: &RecipientSpec) -> Result<(), String> {
    match recipient.recipient_type {
        RecipientType::Person => world
            .person(&recipient.id)
            .map(|_| ())
            .ok_or_else(|| format!("unknown person {:?}", recipient.id)),
        RecipientType::Group => world
            .group(&recipient.id)
            .map(|_| ())
            .ok_or_else(|| format!("unknown group {:?}", recipient.id)),
        RecipientType::Device => {
            let Some((person_name, device_name)) = recipient.id.split_once('|') else {
                return Err(format!(
                    "device recipient {:?} must be written person|device",
                    recipient.id
                ));
            };
            let person = world
                .person(person_name)
                .ok_or_else(|| format!("unknown person {person_name:?}"))?;
            person
                .devices
                .iter()
                .find(|d| d.name == device_name)
                .map(|_| ())
                .ok_or_else(|| format!("person {person_name:?} has no device {device_name:?}"))
        }
        RecipientType::DynamicTeam => Err(format!(
            "dynamic team {:?}: dynamic teams are not simulated",
            recipient.id
        )),
    }
}

fn check_form(world: &World, form: &Form, key: &str) -> Result<(), Issue> {
    if world.forms.iter().filter(|f| f.name == form.name).count() > 1 {
        return Err(issue(
            format!("{key}.name"),
            format!("duplicate form name {:?}", form.name),
        ));
    }
    if world.forms.iter().filter(|f| f.uuid == form.uuid).count() > 1 {
        return Err(issue(
            format!("{key}.uuid"),
            format!("duplicate form uuid {}", form.uuid),
        ));
    }
    if form.expiration_minutes == Some(0) {
        return Err(issue(
            format!("{key}.expiration_minutes"),
            "must be at least 1",
        ));
    }
    for (index, recipient) in form.recipients.iter().enumerate() {
        recipient_exists(world, recipient)
            .map_err(|reason| issue(format!("{key}.recipients[{index}]"), reason))?;
    }

    let properties = format!("{key}.properties");
    check_unique(
        form.properties.iter().map(|p| p.name.as_str()),
        &properties,
        "name",
    )?;
    for (index, property) in form.properties.iter().enumerate() {
        check_property(property, &format!("{properties}[{index}]"))?;
    }

    check_responses(form, key)?;

    for (index, subscription) in form.outbound.iter().enumerate() {
        let entry = format!("{key}.outbound[{index}]");
        if world.webhook_target(&subscription.target).is_none() {
            return Err(issue(
                format!("{entry}.target"),
                format!(
                    "unknown webhook target {:?}: add it under [[webhook_targets]]",
                    subscription.target
                ),
            ));
        }
        if let Some(response) = &subscription.response {
            if subscription.trigger != WebhookTrigger::Response {
                return Err(issue(
                    format!("{entry}.response"),
                    "only a RESPONSE webhook can name a response option",
                ));
            }
            if form.response_by_text(response).is_none() {
                return Err(issue(
                    format!("{entry}.response"),
                    format!("the form has no response option {response:?}"),
                ));
            }
        }
    }
    Ok(())
}

fn check_property(property: &PropertyDef, key: &str) -> Result<(), Issue> {
    match property.kind {
        PropertyKind::Text if property.max_length.is_none() => {
            return Err(issue(
                format!("{key}.max_length"),
                "missing: a text property needs a maximum length",
            ));
        }
        PropertyKind::List if property.values.is_empty() => {
            return Err(issue(
                format!("{key}.values"),
                "missing: a list property needs its allowed values",
            ));
        }
        _ => {}
    }
    if property.kind != PropertyKind::Text && property.max_length.is_some() {
        return Err(issue(
            format!("{key}.max_length"),
            "only a text property has a maximum length",
        ));
    }
    if property.kind != PropertyKind::List && !property.values.is_empty() {
        return Err(issue(
            format!("{key}.values"),
            "only a list property has values",
        ));
    }
    if let Some(default) = &property.default {
        let value = serde_json::to_value(default)
            .map_err(|error| issue(format!("{key}.default"), error.to_string()))?;
        if let Err(reason) = crate::engine::check_property_value(property, &value) {
            return Err(issue(format!("{key}.default"), reason));
        }
    }
    Ok(())
}

fn check_responses(form: &Form, key: &str) -> Result<(), Issue> {
    let table = format!("{key}.responses");
    check_unique(
        form.responses.iter().map(|r| r.text.as_str()),
        &table,
        "text",
    )?;
    let mut digits = HashSet::new();
    for (index, response) in form.responses.iter().enumerate() {
        if let Some(digit) = response.digit {
            if digit > 9 {
                return Err(issue(
                    format!("{table}[{index}].digit"),
                    format!("{digit} is not a keypad digit (0-9)"),
                ));
            }
            if !digits.insert(digit) {
                return Err(issue(
                    format!("{table}[{index}].digit"),
                    format!("digit {digit} is already used by another response option"),
                ));
            }
        }
    }
    Ok(())
}

fn check_integrations(world: &World) -> Result<(), Issue> {
    check_unique(
        world.integrations.iter().map(|i| i.name.as_str()),
        "integrations",
        "name",
    )?;
    for (index, integration) in world.integrations.iter().enumerate() {
        let key = format!("integrations[{index}]");
        if world
            .integrations
            .iter()
            .filter(|i| i.uuid == integration.uuid)
            .count()
            > 1
        {
            return Err(issue(
                format!("{key}.uuid"),
                format!("duplicate uuid {}", integration.uuid),
            ));
        }
        if integration.api_key.is_empty() {
            return Err(issue(format!("{key}.api_key"), "must not be empty"));
        }
        if world.form(&integration.form).is_none() {
            return Err(issue(
                format!("{key}.form"),
                format!(
                    "unknown form {:?}: add it under [[forms]]",
                    integration.form
                ),
            ));
        }
    }
    Ok(())
}

fn check_webhook_targets(world: &World) -> Result<(), Issue> {
    check_unique(
        world.webhook_targets.iter().map(|t| t.name.as_str()),
        "webhook_targets",
        "name",
    )?;
    for (index, target) in world.webhook_targets.iter().enumerate() {
        let key = format!("webhook_targets[{index}]");
        match url::Url::parse(&target.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            Ok(_) => {
                return Err(issue(
                    format!("{key}.url"),
                    format!(
                        "invalid URL {:?}: webhooks are sent over HTTP, so use an http or https URL",
                        target.url
                    ),
                ));
            }
            Err(error) => {
                return Err(issue(
                    format!("{key}.url"),
                    format!("invalid URL {:?}: {error}", target.url),
                ));
            }
        }
        if target.username.is_some() != target.password.is_some() {
            return Err(issue(
                key,
                "username and password must be set together (Basic auth) or both left out",
            ));
        }
    }
    Ok(())
}
