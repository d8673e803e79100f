//! One readable line per timeline entry, with optional ANSI colour.

use serde_json::Value;

/// Maximum length of the message text on a timeline line, in characters.
/// Longer text is cut and ends in "…".
const MAX_TEXT_CHARS: usize = 72;

/// ANSI styling that is applied only when colour is on.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    color: bool,
}

impl Palette {
    /// Creates a palette that styles text when `color` is true and returns
    /// it unchanged otherwise.
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Styles a heading.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Styles secondary text such as times and URLs.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Styles a good outcome, such as an acknowledgement.
    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Styles an escalation or a negative response.
    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// Styles an error or a termination.
    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Styles an event id or a person.
    pub fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }
}

/// Formats one timeline entry of the simulator as
/// `HH:MM:SS #EVENT what happened`. Returns `None` for the result of a
/// webhook, which only repeats that the webhook was sent.
pub fn timeline_line(entry: &Value, palette: Palette) -> Option<String> {
    if entry["type"] == "webhook_sent" {
        return None;
    }
    let time = entry["time"]
        .as_str()
        .and_then(|time| time.get(11..19))
        .unwrap_or("--:--:--");
    let event = format!("#{}", entry["event_id"]);
    Some(format!(
        "{} {} {}",
        palette.dim(time),
        palette.cyan(&event),
        describe(entry, palette)
    ))
}

fn describe(entry: &Value, palette: Palette) -> String {
    let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
    match entry["type"].as_str().unwrap_or_default() {
        "created" => format!(
            "{} from {:?}, priority {}, for {}: {}",
            palette.bold("created"),
            entry["source"]["name"].as_str().unwrap_or_default(),
            entry["priority"].as_str().unwrap_or_default(),
            recipients(&entry["recipients"]),
            shorten(
                entry["properties"]["Title"]
                    .as_str()
                    .or(entry["properties"]["Summary"].as_str())
                    .unwrap_or("(no title)")
            )
        ),
        "escalation" => format!(
            "{} level {} reached: {} ({})",
            text("group"),
            entry["level"],
            names(&entry["members"]),
            level_reason(&entry["reason"])
        ),
        "notification" => {
            let message = entry["subject"]
                .as_str()
                .unwrap_or(&text("text"))
                .to_owned();
            format!(
                "notified {} on {} ({}): {}",
                palette.cyan(&text("person")),
                text("device"),
                text("channel"),
                palette.dim(&shorten(&message))
            )
        }
        "response" => {
            let response = format!("{} ({})", text("response"), text("action"));
            let styled = if entry["contribution"] == "POSITIVE" {
                palette.green(&response)
            } else {
                palette.yellow(&response)
            };
            format!(
                "{} responded {styled} from {}",
                palette.cyan(&text("person")),
                text("device")
            )
        }
        "notifications_stopped" => format!("stopped notifying {}", names(&entry["people"])),
        "group_stopped" => palette.green(&format!("{} stopped escalating", text("group"))),
        "status_changed" => {
            let change = format!("status {} -> {}", text("from"), text("to"));
            format!("{} ({})", palette.red(&change), text("reason"))
        }
        "response_ignored" => format!(
            "{} responded {}, ignored: {}",
            text("person"),
            text("response"),
            text("reason")
        ),
        "no_escalation" => format!("no further level to escalate to: {}", text("reason")),
        "person_skipped" => format!("skipped {}: {}", text("person"), text("reason")),
        "suppressed" => palette.red(&format!("suppressed: {}", text("reason"))),
        "webhook_queued" => palette.dim(&format!(
            "{} webhook to {}",
            text("trigger"),
            text("target")
        )),
        other => format!("{other}: {}", shorten(&entry.to_string())),
    }
}

fn level_reason(reason: &Value) -> String {
    match reason["kind"].as_str().unwrap_or_default() {
        "event_created" => "event created".to_owned(),
        "delay_elapsed" => format!("{}-minute delay elapsed", reason["delay_minutes"]),
        "escalated" => format!(
            "{} responded {}",
            reason["by"].as_str().unwrap_or_default(),
            reason["response"].as_str().unwrap_or_default()
        ),
        "repeated" => format!("timeline repeated, round {}", reason["round"]),
        other => other.to_owned(),
    }
}

fn recipients(list: &Value) -> String {
    let ids: Vec<&str> = list
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if ids.is_empty() {
        "the form's default recipients".to_owned()
    } else {
        ids.join(", ")
    }
}

fn names(list: &Value) -> String {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Keeps the first line of `text`, cut to [`MAX_TEXT_CHARS`].
fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= MAX_TEXT_CHARS {
        return line.to_owned();
    }
    let kept: String = line.chars().take(MAX_TEXT_CHARS - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notification_line_without_color() {
        let entry = json!({
            "time": "2026-01-01T09:02:00Z",
            "event_id": 1000001,
            "type": "notification",
            "person": "bob",
            "device": "SMS",
            "channel": "sms",
            "text": "A new alert from OverOps for orders-api. Details: https://example.com/x"
        });

        let line = timeline_line(&entry, Palette::new(false));

        assert_eq!(
            line.as_deref().unwrap_or_default(),
            "09:02:00 #1000001 notified bob on SMS (sms): A new alert from OverOps for \
             orders-api. Details: https://example.com/x"
        );
    }

    #[test]
    fn escalation_line_names_reason() {
        let entry = json!({
            "time": "2026-01-01T09:15:00Z",
            "event_id": 1000002,
            "type": "escalation",
            "group": "OverOps On-Call",
            "level": 2,
            "members": ["bob"],
            "reason": {"kind": "delay_elapsed", "delay_minutes": 15}
        });

        let line = timeline_line(&entry, Palette::new(false));

        assert_eq!(
            line.as_deref().unwrap_or_default(),
            "09:15:00 #1000002 OverOps On-Call level 2 reached: bob (15-minute delay elapsed)"
        );
    }

    #[test]
    fn webhook_result_is_skipped() {
        let entry = json!({"time": "2026-01-01T09:00:00Z", "event_id": 1, "type": "webhook_sent"});

        assert_eq!(timeline_line(&entry, Palette::new(false)), None);
    }

    #[test]
    fn color_wraps_in_ansi_codes() {
        let palette = Palette::new(true);

        assert_eq!(palette.green("ok"), "\x1b[32mok\x1b[0m");
        assert_eq!(Palette::new(false).green("ok"), "ok");
    }

    #[test]
    fn long_text_is_cut() {
        let text = "x".repeat(100);

        let short = shorten(&text);

        assert_eq!(short.chars().count(), MAX_TEXT_CHARS);
        assert!(short.ends_with('…'));
    }
}
