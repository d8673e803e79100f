//! The relay configuration the harness starts with: the built-in mapping,
//! a store in a temporary directory, and a retry schedule in milliseconds
//! so that failure scenarios finish quickly.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use relay::config::Config;
use relay::config::service::Secret;

/// Intake token of every relay the harness starts. Tests and the demo put
/// it in the webhook URL as OverOps would.
pub const INTAKE_TOKEN: &str = "e2e-intake-token-0123456789";

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
