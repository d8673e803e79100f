//! Sends the engine's outbound webhooks (RESPONSE, STATUS, DELIVERYSTATUS)
//! with retries. Each URL gets its own worker, so webhooks to one URL keep
//! their order and a failing receiver delays only its own webhooks.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::engine::{OutboundWebhook, WebhookResult};
use crate::state::SharedState;

/// Maximum `Retry-After` a receiver can impose before the next attempt;
/// longer values are cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Webhook sending and retry settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundOptions {
    /// Waits before the second, third, ... attempt; the number of entries
    /// is the number of retries. A receiver's `Retry-After` (in seconds,
    /// at most [`MAX_RETRY_AFTER`]) replaces the scheduled wait.
    pub retry_delays: Vec<Duration>,
    /// Time allowed for one attempt, from connecting to reading the status.
    pub request_timeout: Duration,
}

impl Default for OutboundOptions {
    fn default() -> Self {
        OutboundOptions {
            retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(30),
            ],
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A webhook to send, tagged with the simulator generation it belongs to.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) generation: u64,
    pub(crate) webhook: OutboundWebhook,
}

/// Routes queued webhooks to one worker per URL until the queue closes.
/// Dropping (or aborting) this task aborts the workers.
pub(crate) async fn run_dispatcher(
    state: SharedState,
    options: OutboundOptions,
    mut queue: mpsc::UnboundedReceiver<Delivery>,
) {
    let client = match build_client(&options) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the HTTP client; outbound webhooks are disabled");
            return;
        }
    };
    let mut workers: HashMap<String, mpsc::UnboundedSender<Delivery>> = HashMap::new();
    let mut tasks = JoinSet::new();

    while let Some(delivery) = queue.recv().await {
        let url = delivery.webhook.url.clone();
        let worker = workers.entry(url).or_insert_with(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tasks.spawn(run_url_worker(
                state.clone(),
                client.clone(),
                options.retry_delays.clone(),
                receiver,
            ));
            sender
        });
        if let Err(error) = worker.send(delivery) {
            tracing::error!(
                webhook_id = error.0.webhook.id,
                "webhook worker stopped; the webhook is dropped"
            );
            state.work.end();
        }
    }
}

fn build_client(options: &OutboundOptions) -> reqwest::Result<reqwest::Client> {
    // Proxies from the environment are ignored: webhook targets are
    // reached directly, as the world file names them.
    reqwest::Client::builder()
        .no_proxy()
        .timeout(options.request_timeout)
        .build()
}

async fn run_url_worker(
    state: SharedState,
    client: reqwest::Client,
    retry_delays: Vec<Duration>,
    mut queue: mpsc::UnboundedReceiver<Delivery>,
) {
    while let Some(delivery) = queue.recv().await {
        let webhook = &delivery.webhook;
        let result = deliver(&client, webhook, &retry_delays).await;
        match &result {
            WebhookResult::Answered { status, attempts } if (200..300).contains(status) => {
                tracing::info!(webhook_id = webhook.id, event_id = webhook.event.event_id, target = %webhook.target, endpoint = %loggable_endpoint(&webhook.url), status, attempts, "webhook sent");
            }
            other => {
                tracing::warn!(webhook_id = webhook.id, event_id = webhook.event.event_id, target = %webhook.target, endpoint = %loggable_endpoint(&webhook.url), result = ?other, "webhook failed");
            }
        }
        state.record_webhook_result(delivery.generation, webhook, result);
        state.work.end();
    }
}

/// Posts the webhook's body, retrying on connection errors, timeouts, 408,
/// 429 and 5xx responses. Other statuses end the delivery at once.
pub async fn deliver(
    client: &reqwest::Client,
    webhook: &OutboundWebhook,
    retry_delays: &[Duration],
) -> WebhookResult {
    let max_attempts = retry_delays.len() as u32 + 1;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut request = client.post(&webhook.url).json(&webhook.body);
        if let Some(auth) = &webhook.auth {
            request = request.basic_auth(&auth.username, Some(&auth.password));
        }

        let (result, retry_after) = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let retry_after = retry_after(&response);
                let result = WebhookResult::Answered {
                    status: status.as_u16(),
                    attempts,
                };
                if !is_retryable(status) {
                    return result;
                }
                (result, retry_after)
            }
            Err(error) => (
                WebhookResult::Failed {
                    error: describe(error),
                    attempts,
                },
                None,
            ),
        };

        if attempts >= max_attempts {
            return result;
        }
        let scheduled = retry_delays[(attempts - 1) as usize];
        let wait = retry_after.map_or(scheduled, |seconds| seconds.min(MAX_RETRY_AFTER));
        tracing::debug!(webhook_id = webhook.id, attempts, ?wait, result = ?result, "retrying webhook");
        tokio::time::sleep(wait).await;
    }
}

fn is_retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let text = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Returns the scheme, host and port of a webhook URL, which are safe to
/// log. The user info, path and query may carry a credential.
fn loggable_endpoint(url: &str) -> String {
    let Ok(url) = url::Url::parse(url) else {
        return "(invalid URL)".to_string();
    };
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// Describes a send error with its cause chain, since reqwest's top-level
/// message rarely names the cause. The URL is left out because its path or
/// query may carry a credential.
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventRef;
    use crate::world::WebhookTrigger;

    fn webhook(url: String) -> OutboundWebhook {
        OutboundWebhook {
            id: 1,
            event: EventRef {
                id: uuid::Uuid::nil(),
                event_id: 1_000_001,
            },
            trigger: WebhookTrigger::Status,
            target: "receiver".to_string(),
            url,
            auth: None,
            body: serde_json::json!({"status": "active"}),
        }
    }

    #[tokio::test]
    async fn failed_delivery_hides_url_secrets() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let address = listener.local_addr().expect("address");
        drop(listener);
        let url = format!("http://user:hunter2@{address}/hook/s3cret-path?token=s3cret-token");
        let client = build_client(&OutboundOptions::default()).expect("client builds");

        let result = deliver(&client, &webhook(url), &[]).await;

        let WebhookResult::Failed { error, .. } = result else {
            panic!("a closed port cannot answer: {result:?}");
        };
        assert!(error.contains("connection failed"), "{error}");
        for secret in ["hunter2", "s3cret-path", "s3cret-token"] {
            assert!(!error.contains(secret), "{secret} in {error:?}");
        }
    }

    #[test]
    fn loggable_endpoint_keeps_only_origin() {
        assert_eq!(
            loggable_endpoint("http://user:hunter2@127.0.0.1:8080/hook/s3cret?token=t"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            loggable_endpoint("https://relay.example.com/callbacks?token=t"),
            "https://relay.example.com"
        );
        assert_eq!(loggable_endpoint("not a url"), "(invalid URL)");
    }
}
