//! The scripted part of the demo: two alerts, an Ignore, an Acknowledge
//! and an escalation on timeout.

use std::io::Write;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use mock_overops::generate::{EventKind, GenOptions, Kind, generate};
use serde_json::Value;

use super::DemoError;
use super::render::Palette;
use crate::harness::Harness;

/// Seeds of the two generated alerts; fixed so that every run sends the
/// same alerts.
const NEW_EXCEPTION_SEED: u64 = 7;
const THRESHOLD_SEED: u64 = 8;

/// How long before the simulated "now" OverOps stamps the alerts.
const ALERT_AGE: Duration = Duration::from_secs(60);

/// Minutes between the events' creation and the escalation to the second
/// level of "OverOps On-Call" in the default world.
const ESCALATION_DELAY_MINUTES: u64 = 15;

/// Group that the default world's form notifies.
const ON_CALL_GROUP: &str = "OverOps On-Call";

/// Plays the script on `harness`, writing one numbered line per step.
pub(crate) async fn play(
    harness: &mut Harness,
    out: &mut impl Write,
    palette: Palette,
) -> Result<(), DemoError> {
    let date_ms = alert_date_ms(harness).await?;

    let exception = alert(
        Kind::NewEvent(EventKind::Exception),
        NEW_EXCEPTION_SEED,
        date_ms,
    );
    let first = send(harness, out, palette, 1, &exception).await?;
    let threshold = alert(Kind::Threshold, THRESHOLD_SEED, date_ms);
    let second = send(harness, out, palette, 2, &threshold).await?;

    harness.advance_minutes(2).await?;
    let ignored = harness
        .simulator()
        .respond(first, "alice", "Ignore")
        .await?;
    let notified = people(&ignored["notified"], "person");
    step(
        out,
        palette,
        3,
        &format!(
            "Two minutes later alice responds {} to #{first}: {} notified at once",
            palette.yellow("Ignore"),
            list_or_nobody(&notified)
        ),
    )?;

    harness.advance_minutes(1).await?;
    let acknowledged = harness.respond(first, "bob", "Acknowledge").await?;
    let stopped = people(&acknowledged["groups_stopped"], "");
    step(
        out,
        palette,
        4,
        &format!(
            "A minute later bob responds {} to #{first}: {} stops escalating",
            palette.green("Acknowledge"),
            list_or_nobody(&stopped)
        ),
    )?;

    harness
        .advance_minutes(ESCALATION_DELAY_MINUTES - 3)
        .await?;
    let reached = second_level_members(harness, second).await?;
    step(
        out,
        palette,
        5,
        &format!(
            "Nobody responds to #{second} for {ESCALATION_DELAY_MINUTES} minutes: \
             {ON_CALL_GROUP} escalates to {}",
            list_or_nobody(&reached)
        ),
    )?;
    Ok(())
}

/// Returns a `date` for the alerts shortly before the simulated now, so
/// the Date property reads like a real alert's.
async fn alert_date_ms(harness: &Harness) -> Result<u64, DemoError> {
    let now = harness.simulator().now().await?;
    let now = Timestamp::from_str(&now).map_err(|error| {
        DemoError::Unexpected(format!("invalid simulated time {now:?}: {error}"))
    })?;
    let millis = now.as_millisecond() - ALERT_AGE.as_millis() as i64;
    Ok(u64::try_from(millis).unwrap_or_default())
}

fn alert(kind: Kind, seed: u64, date_ms: u64) -> GenOptions {
    GenOptions {
        kind,
        seed,
        date_ms: Some(date_ms),
        ..GenOptions::default()
    }
}

/// Sends one generated alert and waits until it is an event.
async fn send(
    harness: &mut Harness,
    out: &mut impl Write,
    palette: Palette,
    number: usize,
    options: &GenOptions,
) -> Result<u64, DemoError> {
    let payload = generate(options);
    let kind = payload["data"]["type"]
        .as_str()
        .unwrap_or("TEST")
        .to_owned();
    let summary = payload["data"]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let event = harness.deliver(payload.to_string()).await?;

    step(
        out,
        palette,
        number,
        &format!(
            "OverOps sends a {} alert: {summary}\n   the relay responds 202 and delivers it; \
             xMatters creates event {}",
            palette.bold(&kind),
            palette.cyan(&format!("#{event}"))
        ),
    )?;
    Ok(event)
}

/// Returns the people of level 2 of the on-call group for `event_id`.
async fn second_level_members(harness: &Harness, event_id: u64) -> Result<Vec<String>, DemoError> {
    let timeline = harness.simulator().timeline(event_id).await?;
    Ok(timeline
        .iter()
        .filter(|entry| entry["type"] == "escalation" && entry["level"] == 2)
        .flat_map(|entry| people(&entry["members"], ""))
        .collect())
}

/// Collects distinct names from a JSON list: the `key` field of each
/// object, or each string when `key` is empty.
fn people(list: &Value, key: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for item in list.as_array().into_iter().flatten() {
        let name = if key.is_empty() { item } else { &item[key] };
        if let Some(name) = name.as_str() {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

fn list_or_nobody(names: &[String]) -> String {
    if names.is_empty() {
        "nobody".to_owned()
    } else {
        names.join(", ")
    }
}

fn step(
    out: &mut impl Write,
    palette: Palette,
    number: usize,
    text: &str,
) -> Result<(), DemoError> {
    writeln!(out, "{} {text}", palette.bold(&format!("{number}.")))?;
    Ok(())
}
