//! Maps every payload in `tests/fixtures/` with the default configuration
//! and compares the trigger, warnings and deduplication key with a
//! reviewed snapshot. Every body in `tests/fixtures/rejected/` must be
//! rejected with the reviewed error.

use relay::config::MappingConfig;
use relay::mapping::{MapContext, map};
use relay::payload::parse;
use serde::Serialize;
use std::fs;

#[derive(Serialize)]
struct Rejection {
    path: String,
    error: String,
}

#[test]
fn fixtures_map_as_reviewed() {
    let config = MappingConfig::default();
    insta::glob!("fixtures/*.json", |path| {
        let body = fs::read(path).expect("fixture is readable");
        let alert = parse(&body).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mapped = map(&alert, &config, &MapContext::default());
        insta::assert_yaml_snapshot!(mapped);
    });
}

#[test]
fn non_alerts_are_rejected_as_reviewed() {
    insta::glob!("fixtures/rejected/*.json", |path| {
        let body = fs::read(path).expect("fixture is readable");
        let error = parse(&body).expect_err("fixture is not an OverOps alert");
        insta::assert_yaml_snapshot!(Rejection {
            path: error.path().to_owned(),
            error: error.to_string(),
        });
    });
}
