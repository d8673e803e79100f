//! The benchmark's results: the JSON document and the table with the
//! relay/direct ratios and the targets.

use std::fmt::Write as _;

use serde::Serialize;

use super::figures::{Latency, StormFigures, Throughput};
use super::machine::Machine;
use super::plan::Plan;
use super::protected_storm::ProtectedStormFigures;
use super::stats::Percentiles;

/// Relay throughput, as a fraction of direct throughput, that the relay
/// must reach.
const MIN_THROUGHPUT_RATIO: f64 = 0.5;
/// Highest relay accept latency p99 at the fixed rate, in ms.
const MAX_ACCEPT_P99_MS: f64 = 5.0;
/// Highest relay peak resident memory during the storm, in MiB.
const MAX_STORM_PEAK_MIB: f64 = 64.0;

/// Everything one benchmark run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub quick: bool,
    /// Relay options the run set, as `section.key=value`.
    pub relay_settings: Vec<String>,
    pub machine: Machine,
    pub plan: Plan,
    /// Emitter → mock-xmatters integration of the vendor's script.
    pub direct: PathFigures,
    /// Emitter → relay (durable store) → mock-xmatters.
    pub relay: PathFigures,
    /// The storm again on the relay path, with storm protection on.
    pub relay_protected_storm: ProtectedStormFigures,
    pub relay_process: ProcessFigures,
    pub targets: Vec<TargetCheck>,
}

/// The measurements of one path.
#[derive(Debug, Clone, Serialize)]
pub struct PathFigures {
    pub throughput: Throughput,
    pub latency: Latency,
    pub storm: StormFigures,
}

/// The relay process on its own.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessFigures {
    /// Spawn until `/readyz` responded 200, for each start, in ms.
    pub startup_ms: Vec<f64>,
    pub startup_median_ms: f64,
    /// Resident memory shortly after readiness, median over the starts.
    pub idle_rss_mib: f64,
}

/// One target of the relay and whether this run met it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetCheck {
    pub target: String,
    pub measured: String,
    pub met: bool,
}

impl Report {
    /// Checks the targets that this run can measure.
    pub fn check_targets(&mut self) {
        let ratio = |relay: f64, direct: f64| ratio(relay, direct).unwrap_or(0.0);
        let accepted = ratio(
            self.relay.throughput.accepted_per_s,
            self.direct.throughput.accepted_per_s,
        );
        let delivered = ratio(
            self.relay.throughput.delivered_per_s,
            self.direct.throughput.delivered_per_s,
        );
        let p99 = self
            .relay
            .latency
            .accept
            .map_or(f64::INFINITY, |latency| latency.p99_ms);
        let storm = &self.relay.storm;
        let peak = storm.relay_peak_rss_mib.unwrap_or(f64::INFINITY);
        let lost = storm.delivery.lost + storm.delivery.errors + storm.delivery.rejected;

        self.targets = vec![
            TargetCheck {
                target: "relay accepted/s >= 50% of direct".to_owned(),
                measured: format!("{:.1}%", accepted * 100.0),
                met: accepted >= MIN_THROUGHPUT_RATIO,
            },
            TargetCheck {
                target: "relay delivered/s >= 50% of direct".to_owned(),
                measured: format!("{:.1}%", delivered * 100.0),
                met: delivered >= MIN_THROUGHPUT_RATIO,
            },
            TargetCheck {
                target: format!(
                    "relay accept p99 <= 5 ms at {:.0}/s",
                    self.relay.latency.rate_per_s
                ),
                measured: format!("{p99:.2} ms"),
                met: p99 <= MAX_ACCEPT_P99_MS,
            },
            TargetCheck {
                target: format!("storm of {}: no alert lost", storm.count),
                measured: format!(
                    "{} lost, {} rejected, {} failed",
                    storm.delivery.lost, storm.delivery.rejected, storm.delivery.errors
                ),
                met: lost == 0 && storm.delivery.accepted == storm.count,
            },
            TargetCheck {
                target: "storm: relay peak RSS <= 64 MiB".to_owned(),
                measured: format!("{peak:.1} MiB"),
                met: peak <= MAX_STORM_PEAK_MIB,
            },
            self.protected_storm_target(),
        ];
    }

    /// Checks that the storm with storm protection on lost no alert: every
    /// alert accepted, and each accounted for on its own or in a digest.
    fn protected_storm_target(&self) -> TargetCheck {
        let storm = &self.relay_protected_storm;
        let accounting = &storm.accounting;
        TargetCheck {
            target: format!("storm of {} with protection on: no alert lost", storm.count),
            measured: format!(
                "{} lost, {} rejected, {} failed, {} unexplained triggers",
                accounting.lost, storm.rejected, storm.errors, accounting.unexplained_triggers
            ),
            met: accounting.lost == 0
                && accounting.unexplained_triggers == 0
                && storm.accepted == storm.count
                && accounting.accepted == storm.count,
        }
    }

    /// Renders the results as a Markdown table, followed by the targets.
    pub fn table(&self) -> String {
        let mut rows = Rows::default();
        self.throughput_rows(&mut rows);
        self.latency_rows(&mut rows);
        self.storm_rows(&mut rows);
        self.protected_storm_rows(&mut rows);
        self.process_rows(&mut rows);

        let mut out = self.machine_line();
        out.push_str(&rows.render());
        out.push_str(
            "\nrelay/direct is the relay's figure divided by the direct path's: for rates \
             higher is better, for latencies, times and CPU lower is better. BENCHMARKS.md \
             defines each measurement.\n\n",
        );
        for check in &self.targets {
            let verdict = if check.met { "met" } else { "MISSED" };
            let _ = writeln!(out, "- {}: {} ({verdict})", check.target, check.measured);
        }
        out
    }

    /// Returns one line about the machine and its load, which sets how
    /// far the figures can be trusted.
    fn machine_line(&self) -> String {
        let machine = &self.machine;
        let load = |load: Option<f64>| load.map_or("-".to_owned(), |load| format!("{load:.2}"));
        let mut line = format!(
            "{} cores, {} MiB, {}; 1-minute load average {} before, {} after",
            machine.cores,
            machine
                .memory_mib
                .map_or("-".to_owned(), |mib| mib.to_string()),
            machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            load(machine.load_before),
            load(machine.load_after),
        );
        if !self.relay_settings.is_empty() {
            line.push_str("; relay settings: ");
            line.push_str(&self.relay_settings.join(", "));
        }
        line.push_str("\n\n");
        line
    }

    fn throughput_rows(&self, rows: &mut Rows) {
        let (direct, relay) = (&self.direct.throughput, &self.relay.throughput);
        let label = |what: &str| {
            format!(
                "saturation, {} alerts, {} in flight: {what}",
                direct.count, direct.concurrency
            )
        };
        rows.compare(
            &label("accepted/s"),
            direct.accepted_per_s,
            relay.accepted_per_s,
            0,
        );
        rows.compare(
            &label("delivered/s"),
            direct.delivered_per_s,
            relay.delivered_per_s,
            0,
        );
        let (direct_cpu, relay_cpu) = (&direct.delivery.cpu, &relay.delivery.cpu);
        rows.compare(
            &label("emitter + mock-xmatters CPU (ms per 1000 alerts)"),
            direct_cpu.bench_ms_per_1000,
            relay_cpu.bench_ms_per_1000,
            0,
        );
        rows.relay_only(
            &label("relay CPU (ms per 1000 alerts)"),
            relay_cpu.relay_ms_per_1000.unwrap_or(f64::NAN),
            0,
        );
    }

    fn latency_rows(&self, rows: &mut Rows) {
        let (direct, relay) = (&self.direct.latency, &self.relay.latency);
        let rate = direct.rate_per_s;
        for (what, direct, relay) in [
            ("accept", direct.accept, relay.accept),
            ("end-to-end", direct.end_to_end, relay.end_to_end),
        ] {
            for (name, pick) in PERCENTILES {
                let label = format!("{rate:.0}/s: {what} latency {name} (ms)");
                rows.compare(
                    &label,
                    pick_or_nan(direct, pick),
                    pick_or_nan(relay, pick),
                    2,
                );
            }
        }
        rows.compare(
            &format!("{rate:.0}/s: largest start lag (ms)"),
            direct.max_start_lag_ms,
            relay.max_start_lag_ms,
            1,
        );
    }

    fn storm_rows(&self, rows: &mut Rows) {
        let (direct, relay) = (&self.direct.storm, &self.relay.storm);
        let label = |what: &str| {
            format!(
                "storm, {} alerts, {} in flight: {what}",
                direct.count, direct.concurrency
            )
        };
        rows.compare(
            &label("time to accept all (s)"),
            direct.delivery.accept_s,
            relay.delivery.accept_s,
            2,
        );
        rows.compare(
            &label("time to deliver all (s)"),
            direct.delivery.deliver_s.unwrap_or(f64::NAN),
            relay.delivery.deliver_s.unwrap_or(f64::NAN),
            2,
        );
        rows.plain(
            &label("lost / rejected / failed"),
            &format!(
                "{} / {} / {}",
                direct.delivery.lost, direct.delivery.rejected, direct.delivery.errors
            ),
            &format!(
                "{} / {} / {}",
                relay.delivery.lost, relay.delivery.rejected, relay.delivery.errors
            ),
        );
        rows.relay_only(
            &label("relay delivered/s after the last response"),
            relay.relay_drain_per_s.unwrap_or(f64::NAN),
            0,
        );
        rows.relay_only(
            &label("relay peak RSS (MiB)"),
            relay.relay_peak_rss_mib.unwrap_or(f64::NAN),
            1,
        );
    }

    fn protected_storm_rows(&self, rows: &mut Rows) {
        let storm = &self.relay_protected_storm;
        let accounting = &storm.accounting;
        let label = |what: &str| {
            format!(
                "storm with protection on ({} ms window), {} alerts, {} in flight: {what}",
                storm.window_ms, storm.count, storm.concurrency
            )
        };
        rows.relay_only(&label("time to accept all (s)"), storm.accept_s, 2);
        rows.relay_only(
            &label("time until every alert is accounted for (s)"),
            storm.accounted_s.unwrap_or(f64::NAN),
            2,
        );
        rows.relay_only(
            &label("single alerts received"),
            accounting.single_events_received as f64,
            0,
        );
        rows.relay_only(
            &label("digests received"),
            accounting.digests_received as f64,
            0,
        );
        rows.relay_only(
            &label("alerts named in received digests"),
            accounting.alerts_in_received_digests as f64,
            0,
        );
        rows.plain(
            &label("lost / rejected / failed"),
            "-",
            &format!(
                "{} / {} / {}",
                accounting.lost, storm.rejected, storm.errors
            ),
        );
        rows.relay_only(&label("relay peak RSS (MiB)"), storm.relay_peak_rss_mib, 1);
    }

    fn process_rows(&self, rows: &mut Rows) {
        let process = &self.relay_process;
        rows.relay_only("relay idle RSS (MiB)", process.idle_rss_mib, 1);
        rows.relay_only(
            &format!(
                "relay start-up, spawn to /readyz 200, median of {} (ms)",
                process.startup_ms.len()
            ),
            process.startup_median_ms,
            1,
        );
    }
}

type Pick = fn(&Percentiles) -> f64;

const PERCENTILES: [(&str, Pick); 4] = [
    ("p50", |p| p.p50_ms),
    ("p90", |p| p.p90_ms),
    ("p99", |p| p.p99_ms),
    ("max", |p| p.max_ms),
];

fn pick_or_nan(percentiles: Option<Percentiles>, pick: Pick) -> f64 {
    percentiles.as_ref().map_or(f64::NAN, pick)
}

/// Returns `relay / direct`, or `None` when either is not a positive number.
fn ratio(relay: f64, direct: f64) -> Option<f64> {
    (relay.is_finite() && direct.is_finite() && direct > 0.0).then(|| relay / direct)
}

/// Table rows: measurement, direct, relay, relay/direct.
#[derive(Debug, Default)]
struct Rows(Vec<[String; 4]>);

impl Rows {
    fn compare(&mut self, label: &str, direct: f64, relay: f64, decimals: usize) {
        let ratio = ratio(relay, direct).map_or("-".to_owned(), |ratio| format!("{ratio:.2}"));
        self.0.push([
            label.to_owned(),
            number(direct, decimals),
            number(relay, decimals),
            ratio,
        ]);
    }

    fn plain(&mut self, label: &str, direct: &str, relay: &str) {
        self.0.push([
            label.to_owned(),
            direct.to_owned(),
            relay.to_owned(),
            "-".to_owned(),
        ]);
    }

    fn relay_only(&mut self, label: &str, relay: f64, decimals: usize) {
        self.plain(label, "-", &number(relay, decimals));
    }

    fn render(&self) -> String {
        let header = ["measurement", "direct", "relay", "relay/direct"];
        let mut widths = header.map(str::len);
        for row in &self.0 {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }

        let mut out = String::new();
        line(&mut out, &header.map(str::to_owned), &widths);
        let rule = widths.map(|width| "-".repeat(width));
        line(&mut out, &rule, &widths);
        for row in &self.0 {
            line(&mut out, row, &widths);
        }
        out
    }
}

fn line(out: &mut String, cells: &[String; 4], widths: &[usize; 4]) {
    out.push('|');
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let padding = " ".repeat(width - cell.chars().count());
        if index == 0 {
            let _ = write!(out, " {cell}{padding} |");
        } else {
            let _ = write!(out, " {padding}{cell} |");
        }
    }
    out.push('\n');
}

fn number(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "-".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_needs_positive_direct() {
        assert_eq!(ratio(50.0, 100.0), Some(0.5));
        assert_eq!(ratio(50.0, 0.0), None);
        assert_eq!(ratio(f64::NAN, 100.0), None);
    }

    #[test]
    fn rows_align_in_columns() {
        let mut rows = Rows::default();
        rows.compare("accepted/s", 2000.0, 1000.0, 0);
        rows.relay_only("idle RSS (MiB)", 9.5, 1);

        let table = rows.render();
        let lines: Vec<&str> = table.lines().collect();

        assert_eq!(
            lines[2],
            "| accepted/s     |   2000 |  1000 |         0.50 |"
        );
        assert_eq!(
            lines[3],
            "| idle RSS (MiB) |      - |   9.5 |            - |"
        );
        assert!(lines.iter().all(|line| line.len() == lines[0].len()));
    }

    #[test]
    fn missing_numbers_render_as_dash() {
        assert_eq!(number(f64::NAN, 2), "-");
        assert_eq!(number(1.234, 2), "1.23");
    }
}
