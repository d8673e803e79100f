//! The relay configuration the harness starts with: the built-in mapping,
//! a store in a temporary directory, and retry and lookup schedules in
//! milliseconds so that scenarios finish quickly.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use relay::config::Config;
use relay::config::service::{RestConfig, Secret};

/// Intake token of every relay the harness starts. Tests and the demo put
/// it in the webhook URL as OverOps would.
pub const INTAKE_TOKEN: &str = "e2e-intake-token-0123456789";

/// Token in the callback URL the harness gives xMatters.
pub const CALLBACK_TOKEN: &str = "e2e-callback-token-0123456789";

/// Waits between event lookups: the simulator creates the event within
/// milliseconds of its 202.
const LOOKUP_SCHEDULE: [Duration; 3] = [
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(50),
];

/// Waits between delivery attempts: short enough that three failures and
/// a success take well under a second.
const RETRY_SCHEDULE: [Duration; 3] = [
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(40),
];

/// Builds the relay configuration for a store at `store_path` that posts
/// to `trigger_url` with URL authentication by `api_key`.
pub fn relay_config(store_path: &Path, trigger_url: String, api_key: &str) -> Config {
    let mut config = Config::default();
    config.server.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.server.tokens = vec![Secret::new(INTAKE_TOKEN)];
    config.store.path = store_path.to_owned();

    config.xmatters.trigger_url = trigger_url;
    config.xmatters.api_key = Some(Secret::new(api_key));
    // NOTE: a request that times out after the simulator created the event
    // is retried and creates a second event, so the timeout stays far above
    // what a loopback request takes even on a loaded machine.
    config.xmatters.request_timeout = Duration::from_secs(5);

    config.delivery.retry_schedule = RETRY_SCHEDULE.to_vec();
    config.delivery.jitter = 0.0;
    config.delivery.rate_limit_floor = Duration::from_millis(10);
    config.delivery.poll_interval = Duration::from_millis(20);
    config.delivery.shutdown_grace = Duration::from_secs(5);
    config
}

/// Turns on event lookups through the simulator's REST API as `username`,
/// and the callback endpoint with [`CALLBACK_TOKEN`].
pub fn confirm_through(config: &mut Config, base_url: String, username: &str, password: &str) {
    config.xmatters.rest = Some(RestConfig {
        base_url,
        username: username.to_owned(),
        password: Secret::new(password),
        request_timeout: Duration::from_secs(5),
    });
    config.confirmation.lookup_schedule = LOOKUP_SCHEDULE.to_vec();
    config.confirmation.timeout = Duration::from_secs(10);
    config.callbacks.tokens = vec![Secret::new(CALLBACK_TOKEN)];
}
