//! The offline demo behind `cargo run --bin demo`: the simulated
//! xMatters, the relay and the mock-overops sender on loopback, a short
//! scripted story, its timeline and a summary.
//!
//! The story: OverOps sends a new exception and a threshold alert. The
//! first on-call member responds Ignore to the first event, so the next
//! member is notified at once and responds Acknowledge. Nobody responds to
//! the second event, so it escalates when the delay elapses.

mod manual;
mod render;
mod script;
mod summary;

use std::ffi::OsStr;
use std::future::Future;
use std::io::Write;

use mock_xmatters::{ClockMode, World};
use relay::store::AlertState;

pub use render::{Palette, timeline_line};
pub use summary::{DemoSummary, EventSummary};

use crate::harness::{Harness, HarnessError};
use crate::simulator::SimulatorError;

/// Most alerts the summary reads from the relay's store; the script sends
/// two.
const MAX_SUMMARIZED_ALERTS: usize = 100;

/// How the demo runs and prints.
#[derive(Clone, Copy, Debug, Default)]
pub struct DemoOptions {
    /// Leave everything running after the summary and print the commands
    /// to use it by hand, until `shutdown` completes. The simulator's clock
    /// then follows the wall clock.
    pub keep_running: bool,
    /// Use ANSI colours in the output.
    pub color: bool,
}

/// A failure of the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Starting or driving the relay and the simulator failed.
    #[error(transparent)]
    Harness(#[from] HarnessError),
    /// Writing the output failed.
    #[error("cannot write the demo output: {0}")]
    Output(#[from] std::io::Error),
    /// A step did not go as scripted.
    #[error("the demo went off script: {0}")]
    Unexpected(String),
}

impl From<SimulatorError> for DemoError {
    fn from(error: SimulatorError) -> Self {
        Self::Harness(HarnessError::Simulator(error))
    }
}

/// Returns whether to colour the output: only on a terminal, and never
/// when the `NO_COLOR` environment variable is set to a non-empty value
/// (the convention at no-color.org).
pub fn use_color(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Runs the demo, writing to `out`, and returns its summary. With
/// [`DemoOptions::keep_running`] it returns only after `shutdown`
/// completes.
pub async fn run(
    options: DemoOptions,
    out: &mut impl Write,
    shutdown: impl Future<Output = ()>,
) -> Result<DemoSummary, DemoError> {
    let palette = Palette::new(options.color);
    let clock = if options.keep_running {
        ClockMode::Real
    } else {
        ClockMode::Manual
    };
    let mut harness = Harness::start_with(World::default_world(), clock, |_| {}).await?;
    write_header(&harness, clock, out, palette)?;

    script::play(&mut harness, out, palette).await?;

    let timeline = harness.simulator().full_timeline().await?;
    writeln!(out)?;
    writeln!(out, "{}", palette.bold("Timeline (simulated time, UTC)"))?;
    for line in timeline
        .iter()
        .filter_map(|entry| timeline_line(entry, palette))
    {
        writeln!(out, "{line}")?;
    }
    let accepted = harness
        .replies()
        .iter()
        .filter(|reply| reply.status == 202)
        .count();
    let mut summary = DemoSummary::from_timeline(harness.replies().len(), accepted, &timeline);
    count_relay_records(&harness, &mut summary).await?;
    writeln!(out)?;
    write!(out, "{}", summary.render(palette))?;
    out.flush()?;

    if options.keep_running {
        let next_event_id = summary
            .events
            .iter()
            .map(|event| event.event_id + 1)
            .max()
            .unwrap_or(harness.xmatters().world().settings.first_event_id);
        manual::print_instructions(&harness, next_event_id, out, palette)?;
        shutdown.await;
        writeln!(out, "Stopping.")?;
    }
    harness.shutdown().await?;
    Ok(summary)
}

/// Counts the alerts the relay confirmed and the callbacks it stored.
async fn count_relay_records(
    harness: &Harness,
    summary: &mut DemoSummary,
) -> Result<(), DemoError> {
    let store = harness.relay()?.store();
    let alerts = store
        .list(None, MAX_SUMMARIZED_ALERTS)
        .await
        .map_err(HarnessError::from)?;
    for alert in alerts {
        if alert.state == AlertState::Confirmed {
            summary.alerts_confirmed += 1;
        }
        if let Some(record) = store.get(alert.id).await.map_err(HarnessError::from)? {
            summary.callbacks_recorded += record.callbacks.len();
        }
    }
    Ok(())
}

fn write_header(
    harness: &Harness,
    clock: ClockMode,
    out: &mut impl Write,
    palette: Palette,
) -> Result<(), DemoError> {
    let clock = match clock {
        ClockMode::Manual => "manual clock, moved by the script",
        ClockMode::Real => "real clock",
    };
    writeln!(
        out,
        "{}",
        palette.bold("OverOps -> relay -> xMatters, all on this machine")
    )?;
    writeln!(
        out,
        "  simulated xMatters  {}  (default world, {clock})",
        palette.dim(harness.simulator().base_url())
    )?;
    writeln!(
        out,
        "  relay               {}  (temporary store)",
        palette.dim(&format!("http://{}", harness.relay()?.local_addr()))
    )?;
    writeln!(
        out,
        "  In the default world Ignore escalates at once (ESCALATE); the vendor shipped RECORD_RESPONSE."
    )?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_only_on_terminal_without_no_color() {
        let cases: [(bool, Option<&str>, bool); 5] = [
            (true, None, true),
            (false, None, false),
            (true, Some("1"), false),
            (true, Some(""), true),
            (false, Some("1"), false),
        ];

        for (is_terminal, no_color, expected) in cases {
            let actual = use_color(is_terminal, no_color.map(OsStr::new));
            assert_eq!(
                actual, expected,
                "terminal {is_terminal}, NO_COLOR {no_color:?}"
            );
        }
    }
}
