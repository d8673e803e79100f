//! The real clock mode: simulated time follows the wall clock, plus every
//! manual advance.

use jiff::Timestamp;
use mock_xmatters::server::ServerOptions;
use mock_xmatters::{ClockMode, World};
use reqwest::Method;
use serde_json::Value;

use crate::common::*;

fn parse_time(value: &Value) -> Timestamp {
    value
        .as_str()
        .expect("time string")
        .parse()
        .expect("RFC 3339 time")
}

#[tokio::test]
async fn real_clock_starts_at_wall_time() {
    let options = ServerOptions {
        clock: ClockMode::Real,
        ..ServerOptions::default()
    };
    let before = Timestamp::now();
    let server = TestServer::with_options(World::default_world(), options).await;

    let clock = server.hook_ok(Method::GET, "/mock/clock", None).await;
    let after = Timestamp::now();

    assert_eq!(clock["mode"], "real");
    let now = parse_time(&clock["now"]);
    assert!(
        before <= now && now <= after,
        "{before} <= {now} <= {after}"
    );
}

#[tokio::test]
async fn real_clock_keeps_manual_advances() {
    let options = ServerOptions {
        clock: ClockMode::Real,
        ..ServerOptions::default()
    };
    let server = TestServer::with_options(World::default_world(), options).await;
    let hour = jiff::SignedDuration::from_hours(1);

    server.advance(3600).await;
    let clock = server.hook_ok(Method::GET, "/mock/clock", None).await;

    let now = parse_time(&clock["now"]);
    let wall_plus_hour = Timestamp::now() + hour;
    assert!(now <= wall_plus_hour, "{now} <= {wall_plus_hour}");
    assert!(
        now >= wall_plus_hour - jiff::SignedDuration::from_secs(60),
        "{now} is about an hour ahead"
    );
}
