//! The digest event: one trigger that names the alerts storm protection
//! held for a set of recipients, grouped by error. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::Value;

use super::key::describe_key;
use crate::config::MappingConfig;
use crate::config::service::StormConfig;
use crate::delivery::policy::humanize;
use crate::form::Source;
use crate::mapping::date;
use crate::mapping::properties;
use crate::mapping::values::{self, Values};
use crate::mapping::{Priority, Trigger, Warning, utf16_len};
use crate::payload;
use crate::store::HeldAlert;
use crate::story::counted;

/// Links listed per group of the digest. The group's count gives the
/// number of its alerts.
const LINKS_PER_GROUP: usize = 3;

/// `Type` value that marks a digest event.
pub const DIGEST_TYPE: &str = "STORM_DIGEST";

/// A digest ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    /// Trigger object of the digest event.
    pub trigger: Value,
    /// Warnings about the changes the form's limits made to the digest.
    pub warnings: Value,
}

/// Facts of one held alert that the digest shows.
#[derive(Clone, Debug)]
struct Member {
    received_at: Timestamp,
    /// Error the alert is grouped by.
    label: String,
    link: Option<String>,
    level: Option<String>,
    service: Option<String>,
    app: Option<String>,
    priority: Option<Priority>,
}

/// Held alerts of one error.
#[derive(Clone, Debug)]
struct Group {
    label: String,
    count: usize,
    first: Timestamp,
    last: Timestamp,
    links: Vec<String>,
}

/// Builds the digest of `held`, all held under `key`, for the form in
/// `mapping`. Text is fitted to the form's limits line by line, then cut
/// by the form rules like any alert's.
pub fn build(
    key: &str,
    held: &[HeldAlert],
    mapping: &MappingConfig,
    storm: &StormConfig,
) -> Result<Digest, serde_json::Error> {
    let members: Vec<Member> = held.iter().map(|alert| member(alert, mapping)).collect();
    let groups = group(&members);
    let values = digest_values(key, &members, &groups, mapping, storm);

    let mut warnings: Vec<Warning> = Vec::new();
    let trigger = Trigger {
        properties: properties::fill(&mapping.form, &values, &mut warnings),
        recipients: Vec::new(),
        priority: members
            .iter()
            .filter_map(|member| member.priority)
            .max()
            .unwrap_or(mapping.priority.default),
        expiration_in_minutes: mapping.expiration_minutes,
    };

    let mut trigger = serde_json::to_value(&trigger)?;
    // Every member has the same recipients, because they share the key.
    if let Some(recipients) = held.first().and_then(|alert| alert.recipients.as_ref()) {
        trigger["recipients"] = recipients.clone();
    }
    Ok(Digest {
        trigger,
        warnings: serde_json::to_value(&warnings)?,
    })
}

fn member(alert: &HeldAlert, mapping: &MappingConfig) -> Member {
    let priority = alert.priority.as_deref().and_then(|text| text.parse().ok());
    let Ok(parsed) = payload::parse(&alert.raw_body) else {
        // The intake parsed every stored body, so this only happens to a
        // body edited in the store; the alert is still counted.
        return Member {
            received_at: alert.received_at,
            label: format!("alert {}", alert.id),
            link: None,
            level: None,
            service: None,
            app: None,
            priority,
        };
    };
    let values = values::compute(&parsed, mapping);
    let get = |source| values.get(source).map(str::to_owned);

    let label = match (get(Source::FullName), get(Source::Location)) {
        (Some(name), Some(location)) => format!("{name} at {location}"),
        (Some(name), None) => name,
        (None, _) => get(Source::Title).unwrap_or_else(|| format!("alert {}", alert.id)),
    };
    Member {
        received_at: alert.received_at,
        label,
        link: get(Source::Link),
        level: get(Source::Level),
        service: get(Source::ServiceName),
        app: get(Source::AppName),
        priority,
    }
}

/// Groups members by error label, largest group first, then by label.
fn group(members: &[Member]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for member in members {
        let label = match &member.app {
            Some(app) => format!("{} ({app})", member.label),
            None => member.label.clone(),
        };
        let index = match groups.iter().position(|group| group.label == label) {
            Some(index) => index,
            None => {
                groups.push(Group {
                    label,
                    count: 0,
                    first: member.received_at,
                    last: member.received_at,
                    links: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[index];
        group.count += 1;
        group.first = group.first.min(member.received_at);
        group.last = group.last.max(member.received_at);
        if let Some(link) = &member.link {
            if group.links.len() < LINKS_PER_GROUP && !group.links.contains(link) {
                group.links.push(link.clone());
            }
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    groups
}

fn digest_values(
    key: &str,
    members: &[Member],
    groups: &[Group],
    mapping: &MappingConfig,
    storm: &StormConfig,
) -> Values {
    let render = |at: Timestamp| {
        date::format(at, &mapping.time_zone, &mapping.date_format)
            .unwrap_or_else(|_| at.to_string())
    };
    let first = members.iter().map(|member| member.received_at).min();
    let last = members.iter().map(|member| member.received_at).max();
    let recipients = describe_key(key);
    let count = members.len();

    let mut values = Values::default();
    values.insert(
        Source::Title,
        format!(
            "{} held by storm protection for {recipients}",
            counted(count as u64, "OverOps alert")
        ),
    );
    let mut summary = format!(
        "The relay held {} for {recipients} to stay within xMatters' flood control of {} \
         per {}.",
        counted(count as u64, "OverOps alert"),
        counted(storm.max_events, "event"),
        humanize(storm.window)
    );
    if let (Some(first), Some(last), Some(top)) = (first, last, groups.first()) {
        summary.push_str(&format!(
            " They arrived between {} and {} from {}. The most frequent is {} with {}.",
            render(first),
            render(last),
            counted(groups.len() as u64, "distinct error"),
            top.label,
            counted(top.count as u64, "alert")
        ));
    }
    values.insert(Source::Summary, summary);

    let message_lines: Vec<String> = groups
        .iter()
        .map(|group| format!("{} × {}", group.count, group.label))
        .collect();
    values.insert(
        Source::Message,
        fit_lines(&message_lines, groups, budget(mapping, Source::Message)),
    );
    let content_lines: Vec<String> = groups
        .iter()
        .map(|group| {
            let mut line = format!(
                "{} × {}, first {}, last {}",
                group.count,
                group.label,
                render(group.first),
                render(group.last)
            );
            if !group.links.is_empty() {
                line.push_str(": ");
                line.push_str(&group.links.join(" "));
            }
            line
        })
        .collect();
    values.insert(
        Source::Content,
        fit_lines(&content_lines, groups, budget(mapping, Source::Content)),
    );

    values.insert(Source::AlertType, "ALERT");
    values.insert(Source::Type, DIGEST_TYPE);
    if let Some(last) = last {
        values.insert(Source::Date, render(last));
    }
    if let Some(level) = highest_level(members) {
        values.insert(Source::Level, level);
    }
    if let Some(link) = groups.iter().find_map(|group| group.links.first()) {
        values.insert(Source::Link, link.clone());
    }
    values.insert(
        Source::ServiceName,
        distinct(members, |m| m.service.as_deref()),
    );
    values.insert(Source::AppName, distinct(members, |m| m.app.as_deref()));
    values
}

/// Returns the maximum length of the form property filled by `source`.
fn budget(mapping: &MappingConfig, source: Source) -> Option<usize> {
    mapping
        .form
        .properties
        .iter()
        .find(|property| property.effective_source() == Some(source))
        .and_then(|property| property.max_length)
}

/// Joins whole lines, one per group, while they fit in `budget` UTF-16
/// units, and ends with a line that counts the groups left out.
fn fit_lines(lines: &[String], groups: &[Group], budget: Option<usize>) -> String {
    let Some(budget) = budget else {
        return lines.join("\n");
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for (index, line) in lines.iter().enumerate() {
        let separator = usize::from(!kept.is_empty());
        let rest = &groups[index + 1..];
        let tail = if rest.is_empty() {
            0
        } else {
            utf16_len(&omitted_line(rest)) + 1
        };
        let width = separator + utf16_len(line);
        if used + width + tail > budget {
            break;
        }
        used += width;
        kept.push(line);
    }

    let mut text = kept.join("\n");
    let omitted = &groups[kept.len()..];
    if !omitted.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&omitted_line(omitted));
    }
    text
}

fn omitted_line(omitted: &[Group]) -> String {
    let alerts: usize = omitted.iter().map(|group| group.count).sum();
    format!(
        "… and {} ({})",
        counted(omitted.len() as u64, "more error"),
        counted(alerts as u64, "alert")
    )
}

fn highest_level(members: &[Member]) -> Option<String> {
    const ORDER: [&str; 3] = ["FATAL", "ERROR", "WARN"];
    ORDER
        .iter()
        .find(|level| members.iter().any(|m| m.level.as_deref() == Some(**level)))
        .map(|level| (*level).to_owned())
}

fn distinct(members: &[Member], value: impl Fn(&Member) -> Option<&str>) -> String {
    let names: BTreeSet<&str> = members.iter().filter_map(value).collect();
    names.into_iter().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::AlertId;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).expect("in range")
    }

    /// Builds held alert `n` of error `name` in orders-api, received at
    /// `second`.
    fn held(n: usize, name: &str, level: &str, second: i64, priority: &str) -> HeldAlert {
        let body = json!({
            "type": "ALERT",
            "date": 1_534_515_709_123_i64,
            "service_name": "Production",
            "data": {
                "type": "NEW_EVENT",
                "summary": format!("{name} number {n}"),
                "data": {
                    "type": "EXCEPTION",
                    "link": format!("https://app.overops.com/tale.html?event=E{n}"),
                    "app_name": "orders-api",
                    "name": name,
                    "level": level
                }
            }
        });
        HeldAlert {
            id: AlertId::generate(),
            received_at: at(second),
            raw_body: body.to_string().into_bytes(),
            priority: Some(priority.to_owned()),
            recipients: Some(json!([{"id": "ops", "recipientType": "GROUP"}])),
        }
    }

    fn build_default(held: &[HeldAlert]) -> Digest {
        build(
            "GROUP:ops",
            held,
            &MappingConfig::default(),
            &StormConfig::default(),
        )
        .expect("the digest serializes")
    }

    #[test]
    fn digest_groups_alerts_by_error() {
        let held: Vec<HeldAlert> = (0..5)
            .map(|n| held(n, "NullPointerException", "ERROR", n as i64, "MEDIUM"))
            .chain([held(9, "TimeoutException", "WARN", 30, "LOW")])
            .collect();

        let digest = build_default(&held);

        let content = digest.trigger["properties"]["Content"]
            .as_str()
            .unwrap_or_default();
        let lines: Vec<&str> = content.lines().collect();
        assert_eq!(lines.len(), 2, "{content}");
        assert!(
            lines[0].starts_with("5 × NullPointerException (orders-api), first "),
            "{content}"
        );
        assert_eq!(lines[0].matches("https://").count(), LINKS_PER_GROUP);
        assert!(lines[1].starts_with("1 × TimeoutException (orders-api)"));
        assert!(lines[1].ends_with("https://app.overops.com/tale.html?event=E9"));
        assert_eq!(
            digest.trigger["properties"]["Message"],
            "5 × NullPointerException (orders-api)\n1 × TimeoutException (orders-api)"
        );
    }

    #[test]
    fn digest_names_the_count_and_recipients() {
        let held: Vec<HeldAlert> = (0..3)
            .map(|n| held(n, "NullPointerException", "ERROR", 0, "MEDIUM"))
            .collect();

        let digest = build_default(&held);

        let properties = &digest.trigger["properties"];
        assert_eq!(
            properties["Title"],
            "3 OverOps alerts held by storm protection for GROUP:ops"
        );
        let summary = properties["Summary"].as_str().unwrap_or_default();
        assert!(
            summary.contains("flood control of 4 events per 1m"),
            "{summary}"
        );
        assert!(summary.contains("from 1 distinct error."), "{summary}");
        assert_eq!(properties["Type"], DIGEST_TYPE);
        assert_eq!(properties["App_Name"], "orders-api");
        assert_eq!(
            digest.trigger["recipients"],
            json!([{"id": "ops", "recipientType": "GROUP"}])
        );
    }

    #[test]
    fn highest_priority_and_level_win() {
        let held = vec![
            held(1, "A", "WARN", 0, "LOW"),
            held(2, "B", "FATAL", 1, "HIGH"),
            held(3, "C", "ERROR", 2, "MEDIUM"),
        ];

        let digest = build_default(&held);

        assert_eq!(digest.trigger["priority"], "HIGH");
        assert_eq!(digest.trigger["properties"]["Level"], "FATAL");
    }

    #[test]
    fn overflow_lines_are_counted() {
        let groups: Vec<Group> = (0..5)
            .map(|n| Group {
                label: format!("Error{n}"),
                count: 10 - n,
                first: at(0),
                last: at(1),
                links: Vec::new(),
            })
            .collect();
        let lines: Vec<String> = groups
            .iter()
            .map(|group| format!("{} × {}", group.count, group.label))
            .collect();

        let text = fit_lines(&lines, &groups, Some(60));

        assert_eq!(
            text,
            "10 × Error0\n9 × Error1\n… and 3 more errors (21 alerts)"
        );
        assert!(utf16_len(&text) <= 60);
    }

    #[test]
    fn text_without_a_limit_keeps_every_line() {
        let groups = vec![Group {
            label: "Error".to_owned(),
            count: 2,
            first: at(0),
            last: at(0),
            links: Vec::new(),
        }];
        let lines = vec!["2 × Error".to_owned()];
        assert_eq!(fit_lines(&lines, &groups, None), "2 × Error");
    }

    #[test]
    fn unreadable_body_is_still_counted() {
        let mut alert = held(1, "A", "ERROR", 0, "LOW");
        alert.raw_body = b"not json".to_vec();

        let digest = build_default(&[alert.clone()]);

        let message = digest.trigger["properties"]["Message"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(message, format!("1 × alert {}", alert.id));
    }
}
