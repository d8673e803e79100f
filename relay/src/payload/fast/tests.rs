//! Differential tests: whenever the fast path accepts a body, its `Alert`
//! equals the tolerant parser's, warnings included.

use crate::payload::parse::{ParsePath, parse_reporting_path, parse_tolerant};
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Parses `body` both ways, asserts that the results are equal, and
/// returns which parser [`crate::payload::parse`] used.
fn assert_agrees(name: &str, body: &[u8]) -> ParsePath {
    let (result, path) = parse_reporting_path(body);
    assert_eq!(
        result,
        parse_tolerant(body),
        "{name}: the fast path's result differs from the tolerant parser's"
    );
    path
}

fn json_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry is readable").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    files
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn fixtures_and_customer_payloads_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folders = [
        root.join("tests/fixtures"),
        root.join("tests/fixtures/rejected"),
        root.join("../e2e/payloads"),
    ];
    let mut fast = Vec::new();
    for folder in &folders {
        for file in json_files(folder) {
            let body = fs::read(&file).expect("payload file is readable");
            let name = file.display().to_string();
            if assert_agrees(&name, &body) == ParsePath::Fast {
                fast.push(file.file_name().expect("file has a name").to_owned());
            }
        }
    }

    // Fixtures whose warnings the fast path reproduces, so that the
    // comparison above covers warnings too.
    for expected in [
        "new_event.json",
        "threshold.json",
        "resurfaced.json",
        "date_in_seconds.json",
        "date_numeric_string.json",
        "http_error_numeric_code.json",
        "unknown_keys.json",
    ] {
        assert!(
            fast.iter().any(|name| name == expected),
            "{expected} no longer takes the fast path; fast: {fast:?}"
        );
    }
}

#[test]
fn typical_payload_takes_fast_path() {
    // The benchmark's typical payload: new_event.json with 20 frames,
    // written compactly.
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture("new_event.json")).expect("fixture is JSON");
    let stacktrace = value
        .pointer_mut("/data/data/stacktrace")
        .and_then(serde_json::Value::as_array_mut)
        .expect("fixture has a stack trace");
    let frames: Vec<_> = stacktrace.iter().cycle().take(20).cloned().collect();
    *stacktrace = frames;
    let typical = serde_json::to_vec(&value).expect("payload serializes");

    assert_eq!(assert_agrees("typical", &typical), ParsePath::Fast);
    assert_eq!(
        assert_agrees("new_event.json", &fixture("new_event.json")),
        ParsePath::Fast
    );
    assert_eq!(
        assert_agrees("threshold.json", &fixture("threshold.json")),
        ParsePath::Fast
    );
}

#[test]
fn unusual_bodies_are_declined() {
    let deep_unknown = format!(
        r#"{{"type": "ALERT", "data": {{"type": "NEW_EVENT"}}, "x": {}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let cases: [(&str, Vec<u8>); 9] = [
        (
            "envelope as an array",
            br#"[null, "ALERT", null, null, null, null, {}]"#.to_vec(),
        ),
        (
            "data as an array",
            br#"{"type": "ALERT", "data": [null, null, null, null, null]}"#.to_vec(),
        ),
        (
            "unknown key nested past the depth limit",
            deep_unknown.into_bytes(),
        ),
        (
            "invalid UTF-8 in an unknown key",
            b"{\"type\": \"ALERT\", \"data\": {\"type\": \"NEW_EVENT\"}, \"x\": \"\xFF\"}".to_vec(),
        ),
        (
            "lone surrogate in an unknown key",
            br#"{"type": "ALERT", "data": {"type": "NEW_EVENT"}, "x": "\ud83d"}"#.to_vec(),
        ),
        (
            "number out of range in an unknown key",
            br#"{"type": "ALERT", "data": {"type": "NEW_EVENT"}, "x": [1e400]}"#.to_vec(),
        ),
        (
            "missing data.type",
            br#"{"type": "ALERT", "data": {"data": {"name": "E"}}}"#.to_vec(),
        ),
        (
            "level as an array",
            br#"{"type": "ALERT", "data": {"type": "NEW_EVENT", "data": {"level": []}}}"#.to_vec(),
        ),
        ("type as a number", br#"{"type": 1, "data": {}}"#.to_vec()),
    ];
    for (name, body) in cases {
        assert_eq!(
            assert_agrees(name, &body),
            ParsePath::Tolerant,
            "{name}: the fast path should decline"
        );
    }
}

#[test]
fn repeated_keys_keep_the_last_value() {
    let body = br#"{"type": "ALERT", "service_name": "A", "service_name": "B",
        "data": {"type": "NEW_EVENT", "data": {"name": "X", "name": null}}}"#;
    assert_eq!(assert_agrees("repeated keys", body), ParsePath::Fast);
}

/// JSON literals of strings, written as a sender might: plain, escaped,
/// non-ASCII, blank, and with a lone surrogate escape.
fn string_literal() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._$<>()/;-]{0,12}".prop_map(|text| format!("\"{text}\"")),
        2 => any::<String>().prop_map(|text| serde_json::to_string(&text).expect("string serializes")),
        1 => prop::sample::select(vec![
            r#""""#,
            r#""   ""#,
            r#"" padded ""#,
            r#""caf\u00e9 \"quoted\" \\ back\/slash\ttab\n""#,
            r#""\ud83d\ude00 emoji pair""#,
            r#""cut \ud83d""#,
            "\"日本語 ☃ 😀\"",
            r#""true""#,
            r#"" FALSE ""#,
            r#""2018-08-17T14:21:49Z""#,
            r#""1534515709123""#,
            r#"" 1534515709 ""#,
            r#""250""#,
            r#""2.5e2""#,
            r#""-3""#,
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// JSON literals of numbers, including floats, negatives, epoch seconds
/// and milliseconds, and numbers outside the `u64` and `f64` ranges.
fn number_literal() -> BoxedStrategy<String> {
    prop_oneof![
        2 => any::<i64>().prop_map(|number| number.to_string()),
        2 => (1_000_000_000i64..2_000_000_000).prop_map(|seconds| seconds.to_string()),
        2 => (1_000_000_000_000i64..2_000_000_000_000).prop_map(|millis| millis.to_string()),
        1 => prop::sample::select(vec![
            "0", "-0", "500", "1.5", "1e3", "2.5e2", "-1", "18446744073709551615",
            "18446744073709551616", "9223372036854775807", "1e19", "1e400", "99999999999999999",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// JSON literals of values no field expects: arrays, objects, nesting.
fn structured_literal() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "[]",
        "{}",
        r#"[1, "a", null]"#,
        r#"{"x": {"y": [null, true, {"z": "\u00e9"}]}}"#,
        r#"[[[[["deep"]]]]]"#,
    ])
    .prop_map(str::to_owned)
    .boxed()
}

/// Any JSON value a field may carry, mostly of the expected kind. `odd`
/// weighs values of other JSON types against 30 for the expected kind.
fn value_literal(expected: BoxedStrategy<String>, odd: u32) -> BoxedStrategy<String> {
    prop_oneof![
        30 => expected,
        3 => Just("null".to_owned()),
        odd => string_literal(),
        odd => number_literal(),
        odd => prop::sample::select(vec!["true", "false"]).prop_map(str::to_owned),
        odd => structured_literal(),
    ]
    .boxed()
}

fn text_value(odd: u32) -> BoxedStrategy<String> {
    value_literal(string_literal(), odd)
}

fn boolean_value(odd: u32) -> BoxedStrategy<String> {
    value_literal(
        prop::sample::select(vec!["true", "false", r#""true""#, r#"" False ""#])
            .prop_map(str::to_owned)
            .boxed(),
        odd,
    )
}

fn count_value(odd: u32) -> BoxedStrategy<String> {
    value_literal(
        prop_oneof![
            (0u64..100_000).prop_map(|count| count.to_string()),
            (0u64..100_000).prop_map(|count| format!("\"{count}\"")),
        ]
        .boxed(),
        odd,
    )
}

fn timestamp_value(odd: u32) -> BoxedStrategy<String> {
    value_literal(
        prop_oneof![
            number_literal(),
            number_literal().prop_map(|number| format!("\"{number}\"")),
            Just(r#""2018-08-17T14:21:49Z""#.to_owned()),
        ]
        .boxed(),
        odd,
    )
}

/// Generates a JSON string from `choices`, as written or in lower case.
fn word_value(choices: Vec<&'static str>, odd: u32) -> BoxedStrategy<String> {
    value_literal(
        (prop::sample::select(choices), any::<bool>())
            .prop_map(|(word, lower)| {
                let word = if lower {
                    word.to_lowercase()
                } else {
                    word.to_owned()
                };
                serde_json::to_string(&word).expect("string serializes")
            })
            .boxed(),
        odd,
    )
}

/// Generates a JSON object with some of `fields` (each missing, null or a
/// value) and unknown keys, in any order. Keys may repeat.
fn object(fields: Vec<(&'static str, BoxedStrategy<String>)>) -> BoxedStrategy<String> {
    let known: Vec<BoxedStrategy<Option<(String, String)>>> = fields
        .into_iter()
        .map(|(key, value)| {
            prop::option::weighted(0.8, value.prop_map(move |value| (key.to_owned(), value)))
                .boxed()
        })
        .collect();
    let unknown = prop::collection::vec(
        (
            prop::sample::select(vec!["line_number", "extra", "x_custom", "name"]),
            prop_oneof![string_literal(), number_literal(), structured_literal()],
        )
            .prop_map(|(key, value)| Some((key.to_owned(), value))),
        0..3,
    );
    (known, unknown)
        .prop_map(|(known, unknown)| known.into_iter().chain(unknown).flatten().collect())
        .prop_shuffle()
        .prop_map(|entries: Vec<(String, String)>| {
            let members: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("\"{key}\": {value}"))
                .collect();
            format!("{{{}}}", members.join(", "))
        })
        .boxed()
}

fn frame(odd: u32) -> BoxedStrategy<String> {
    object(vec![
        ("class_name", text_value(odd)),
        ("method_name", text_value(odd)),
        ("method_desc", text_value(odd)),
        ("full_name", text_value(odd)),
        ("is_3rd_party", boolean_value(odd)),
        ("is_catch_frame", boolean_value(odd)),
        ("is_hit_frame", boolean_value(odd)),
        ("modification_timestamp", text_value(odd)),
    ])
}

fn array_of(item: BoxedStrategy<String>, odd: u32) -> BoxedStrategy<String> {
    value_literal(
        prop::collection::vec(prop_oneof![8 => item, 1 => Just("null".to_owned())], 0..4)
            .prop_map(|items| format!("[{}]", items.join(", ")))
            .boxed(),
        odd,
    )
}

fn added_by(odd: u32) -> BoxedStrategy<String> {
    prop_oneof![text_value(odd), array_of(string_literal(), odd),].boxed()
}

fn details(odd: u32) -> BoxedStrategy<String> {
    let top_event = object(vec![
        ("title", text_value(odd)),
        ("frame", value_literal(frame(odd), odd)),
        ("times", count_value(odd)),
        ("link", text_value(odd)),
    ]);
    value_literal(
        object(vec![
            ("type", text_value(odd)),
            ("location", value_literal(frame(odd), odd)),
            ("entry_point", value_literal(frame(odd), odd)),
            ("stacktrace", array_of(frame(odd), odd)),
            ("link", text_value(odd)),
            ("server_name", text_value(odd)),
            ("app_name", text_value(odd)),
            ("deployment_name", text_value(odd)),
            ("name", text_value(odd)),
            ("is_caught", boolean_value(odd)),
            ("message", text_value(odd)),
            (
                "level",
                word_value(
                    vec!["ERROR", "WARN", "WARNING", "FATAL", "INFO", " error "],
                    odd,
                ),
            ),
            ("error_code", text_value(odd)),
            ("threshold", count_value(odd)),
            ("times", count_value(odd)),
            ("from_timestamp", timestamp_value(odd)),
            ("to_timestamp", timestamp_value(odd)),
            ("top_events", array_of(top_event, odd)),
        ]),
        odd,
    )
}

fn payload(odd: u32) -> BoxedStrategy<String> {
    let data = object(vec![
        (
            "type",
            word_value(
                vec![
                    "NEW_EVENT",
                    "RESURFACED",
                    "THRESHOLD",
                    "ANOMALY",
                    " threshold",
                ],
                odd,
            ),
        ),
        ("summary", text_value(odd)),
        ("view_name", text_value(odd)),
        ("added_by", added_by(odd)),
        ("data", details(odd)),
    ]);
    object(vec![
        ("api_version", text_value(odd)),
        (
            "type",
            word_value(vec!["ALERT", "TEST", " alert ", "OTHER"], odd),
        ),
        ("date", timestamp_value(odd)),
        ("username", text_value(odd)),
        ("service_id", text_value(odd)),
        ("service_name", text_value(odd)),
        ("data", value_literal(data, odd)),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn generated_payloads_agree(body in payload(1)) {
        let (result, _) = parse_reporting_path(body.as_bytes());
        prop_assert_eq!(result, parse_tolerant(body.as_bytes()), "body: {}", body);
    }

    #[test]
    fn well_typed_payloads_agree(body in payload(0)) {
        let (result, _) = parse_reporting_path(body.as_bytes());
        prop_assert_eq!(result, parse_tolerant(body.as_bytes()), "body: {}", body);
    }
}

#[test]
fn generated_payloads_mostly_take_fast_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};

    const CASES: usize = 300;
    let rng = TestRng::deterministic_rng(Config::default().rng_algorithm);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = payload(0);
    let fast = (0..CASES)
        .filter(|_| {
            let body = strategy
                .new_tree(&mut runner)
                .expect("strategy generates a payload")
                .current();
            parse_reporting_path(body.as_bytes()).1 == ParsePath::Fast
        })
        .count();

    // Without this, a generator that the fast path always declines would
    // make the differential tests above pass without testing it.
    assert!(
        fast * 4 >= CASES,
        "only {fast} of {CASES} well-typed payloads took the fast path"
    );
}
