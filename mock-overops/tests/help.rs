//! `--help` of every command describes each option, with units.

use std::process::Command;

fn help(command: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .args([command, "-h"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{command} -h: {output:?}");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// Returns the description of `option` in short help, where each option
/// line is the flags and value name, two or more spaces, then the description.
fn description<'a>(help: &'a str, option: &str) -> &'a str {
    help.lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('-'))
        .find_map(|line| {
            let (flags, described) = line.split_once("  ").unwrap_or((line, ""));
            flags
                .split([' ', ','])
                .any(|name| name == option)
                .then_some(described.trim())
        })
        .unwrap_or_else(|| panic!("{option} is missing from:\n{help}"))
}

#[test]
fn every_option_has_description() {
    for command in ["generate", "send", "load", "scrub"] {
        let text = help(command);
        let options = text
            .lines()
            .map(str::trim_start)
            .filter(|line| line.starts_with('-'));
        for line in options {
            let option = line.split([' ', ',']).next().unwrap_or_default();
            let described = description(&text, option);
            assert!(
                !described.is_empty(),
                "{command} {option} has no description"
            );
        }
    }
}

#[test]
fn options_state_their_units() {
    let cases = [
        ("generate", "--depth", "stack frames"),
        ("generate", "--date-ms", "epoch milliseconds"),
        ("generate", "--now", "epoch milliseconds"),
        ("send", "--timeout", "in seconds"),
        ("send", "--depth", "stack frames"),
        ("load", "--count", "Number of alerts"),
        ("load", "--rate", "per second"),
        ("load", "--concurrency", "requests in flight"),
        ("load", "--duration", "Seconds"),
        ("load", "--timeout", "in seconds"),
        ("load", "--depth", "stack frames"),
        ("load", "--record-sends", "µs"),
    ];
    for (command, option, unit) in cases {
        let text = help(command);
        let described = description(&text, option);
        assert!(
            described.contains(unit),
            "{command} {option} should mention {unit:?}: {described:?}"
        );
    }
}

#[test]
fn depth_above_maximum_is_rejected() {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .args(["generate", "--depth", "1001"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("from 0 to 1000"), "{stderr}");
}

#[test]
fn zero_timeout_is_rejected() {
    for command in ["send", "load"] {
        let output = Command::new(env!("CARGO_BIN_EXE_mock-overops"))
            .args([command, "--to", "http://127.0.0.1:9/hook", "--timeout", "0"])
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(2), "{command}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("positive number of seconds"), "{stderr}");
    }
}

#[test]
fn generate_prints_same_payload_for_seed() {
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_mock-overops"))
            .args(["generate", "--kind", "resurfaced", "--event", "http-error"])
            .args(["--random-quirks", "--seed", "77", "--depth", "5"])
            .output()
            .expect("the binary runs")
    };
    let first = run();
    let second = run();
    assert!(first.status.success(), "{first:?}");
    assert_eq!(first.stdout, second.stdout);
    let payload: serde_json::Value =
        serde_json::from_slice(&first.stdout).expect("generate prints JSON");
    assert_eq!(payload["data"]["data"]["name"], "HTTP Error");
}

#[test]
fn receiver_example_is_the_relay_intake() {
    for command in ["send", "load"] {
        let text = help(command);
        let described = description(&text, "--to");
        assert!(
            described.contains("/overops/webhook?token="),
            "{command} --to should show the relay's intake path: {described:?}"
        );
    }
}
