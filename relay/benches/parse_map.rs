//! Micro-benchmarks of the intake's CPU work on one alert: parsing the
//! OverOps payload and mapping it to an xMatters trigger.
//!
//! Run with `cargo bench -p relay --bench parse_map`. Each case is timed
//! in samples of about 100 ms. The table shows the median and the fastest
//! sample in µs per payload. Without `--bench` (as under `cargo test
//! --benches`) every case runs once as a smoke test.
//!
//! The stage "parse" is `payload::parse`, which reads these payloads with
//! its typed fast path. The stage "JSON to Value only" is serde_json
//! reading the body into a `serde_json::Value`, for reference: it is the
//! first step of the tolerant parser, which `payload::parse` runs only for
//! bodies that the fast path declines.
//!
//! The payloads are the `tests/fixtures` captures: `threshold.json`
//! (small, no stack trace) and `new_event.json`, whose stack trace is
//! repeated to 20 frames (typical, the default depth of mock-overops) and
//! to 1,000 frames (huge).

use std::hint::black_box;
use std::time::{Duration, Instant};

use relay::config::MappingConfig;
use relay::mapping::{self, MapContext};
use relay::payload::{self, Alert};
use serde_json::Value;

/// Timed samples per case and stage.
const SAMPLES: usize = 15;

/// Target duration of one sample.
const SAMPLE_TIME: Duration = Duration::from_millis(100);

/// The parse + map budget of a typical payload, in µs.
const TYPICAL_BUDGET_US: f64 = 20.0;

const THRESHOLD: &str = include_str!("../tests/fixtures/threshold.json");
const NEW_EVENT: &str = include_str!("../tests/fixtures/new_event.json");

/// One payload to measure.
struct Case {
    name: &'static str,
    frames: usize,
    body: Vec<u8>,
}

/// One step of the intake, run on a payload.
struct Stage {
    name: &'static str,
    run: fn(&[u8], &Alert, &MappingConfig),
}

fn main() {
    let timed = std::env::args().any(|arg| arg == "--bench");
    let config = MappingConfig::default();
    let cases = cases();
    let stages = stages();

    if !timed {
        smoke(&cases, &stages, &config);
        return;
    }

    println!(
        "| payload | bytes | frames | stage | median µs | fastest µs |\n|---|---:|---:|---|---:|---:|"
    );
    let mut typical = None;
    for case in &cases {
        let alert = parse(&case.body);
        for stage in &stages {
            let (median, fastest) = measure(|| (stage.run)(&case.body, &alert, &config));
            println!(
                "| {} | {} | {} | {} | {median:.2} | {fastest:.2} |",
                case.name,
                case.body.len(),
                case.frames,
                stage.name
            );
            if case.name == "typical" && stage.name == "parse + map" {
                typical = Some(median);
            }
        }
    }

    if let Some(median) = typical {
        let verdict = if median <= TYPICAL_BUDGET_US {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "\nparse + map of a typical payload: {median:.2} µs (target <= {TYPICAL_BUDGET_US} µs, {verdict})"
        );
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "small",
            frames: 0,
            body: THRESHOLD.as_bytes().to_vec(),
        },
        Case {
            name: "typical",
            frames: 20,
            body: with_frames(NEW_EVENT, 20),
        },
        Case {
            name: "huge",
            frames: 1000,
            body: with_frames(NEW_EVENT, 1000),
        },
    ]
}

fn stages() -> Vec<Stage> {
    vec![
        Stage {
            name: "JSON to Value only",
            run: |body, _, _| {
                black_box(serde_json::from_slice::<Value>(black_box(body)).ok());
            },
        },
        Stage {
            name: "parse",
            run: |body, _, _| {
                black_box(payload::parse(black_box(body)).ok());
            },
        },
        Stage {
            name: "map",
            run: |_, alert, config| {
                black_box(mapping::map(
                    black_box(alert),
                    config,
                    &MapContext::default(),
                ));
            },
        },
        Stage {
            name: "parse + map",
            run: |body, _, config| {
                let alert = parse(black_box(body));
                black_box(mapping::map(&alert, config, &MapContext::default()));
            },
        },
        Stage {
            name: "parse + map + to JSON",
            run: |body, _, config| {
                let alert = parse(black_box(body));
                let mapped = mapping::map(&alert, config, &MapContext::default());
                black_box(serde_json::to_value(&mapped.trigger).ok());
                black_box(serde_json::to_value(&mapped.warnings).ok());
            },
        },
    ]
}

/// Runs every stage of every case once and checks that the payloads map
/// to a trigger with a title.
fn smoke(cases: &[Case], stages: &[Stage], config: &MappingConfig) {
    for case in cases {
        let alert = parse(&case.body);
        for stage in stages {
            (stage.run)(&case.body, &alert, config);
        }
        let mapped = mapping::map(&alert, config, &MapContext::default());
        let trigger = serde_json::to_value(&mapped.trigger).expect("trigger serializes");
        assert!(
            trigger.pointer("/properties/Title").is_some(),
            "{} payload maps to a trigger without a Title: {trigger}",
            case.name
        );
    }
    println!("parse_map: {} payloads parsed and mapped once", cases.len());
}

fn parse(body: &[u8]) -> Alert {
    payload::parse(body).expect("benchmark payloads are valid OverOps alerts")
}

/// Returns the payload with its stack trace cut or repeated to `frames`.
fn with_frames(payload: &str, frames: usize) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(payload).expect("fixture is JSON");
    let stacktrace = value
        .pointer_mut("/data/data/stacktrace")
        .and_then(Value::as_array_mut)
        .expect("fixture has a stack trace");
    let original = stacktrace.clone();
    *stacktrace = original.iter().cycle().take(frames).cloned().collect();
    serde_json::to_vec(&value).expect("payload serializes")
}

/// Times `run` and returns the median and the fastest sample in µs per call.
fn measure(mut run: impl FnMut()) -> (f64, f64) {
    let iterations = calibrate(&mut run);
    let mut samples: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                run();
            }
            started.elapsed().as_secs_f64() * 1e6 / iterations as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    (samples[SAMPLES / 2], samples[0])
}

/// Returns the number of calls that take about [`SAMPLE_TIME`], after
/// running `run` for that long once to warm up caches.
fn calibrate(run: &mut impl FnMut()) -> u64 {
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < SAMPLE_TIME {
        run();
        calls += 1;
    }
    calls.max(1)
}
