//! Measures intake throughput with durable group commit, and the time to
//! deliver the backlog to a local stand-in for xMatters that accepts
//! everything.
//!
//! Run: `cargo run --release -p relay --example intake_throughput -- [ALERTS] [CONCURRENCY]`
//! (defaults 2000 and 32). Everything runs on 127.0.0.1.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use relay::config::Config;
use relay::config::service::Secret;
use relay::server::Relay;
use relay::store::{SqliteStore, Store, StoreOptions};

const TOKEN: &str = "throughput-token-0123456789";

fn alert_body(n: usize) -> String {
    serde_json::json!({
        "type": "ALERT",
        "date": 1_534_515_709_123_i64,
        "service_id": "S38421",
        "service_name": "Production",
        "data": {
            "type": "NEW_EVENT",
            "summary": format!("NullPointerException number {n}"),
            "view_name": "New Errors",
            "data": {
                "link": format!("https://app.overops.com/tale.html?event=E{n}"),
                "app_name": "orders-api",
                "name": "NullPointerException",
                "level": "ERROR"
            }
        }
    })
    .to_string()
}

async fn start_accepting_xmatters() -> anyhow::Result<std::net::SocketAddr> {
    let app = axum::Router::new().route(
        "/triggers",
        axum::routing::post(|| async {
            (
                axum::http::StatusCode::ACCEPTED,
                axum::Json(serde_json::json!({"requestId": "r"})),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let alerts: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);

    let dir = tempfile::tempdir()?;
    let xmatters = start_accepting_xmatters().await?;
    let mut config = Config::default();
    config.server.tokens = vec![Secret::new(TOKEN)];
    config.store.path = dir.path().join("relay.db");
    config.xmatters.trigger_url = format!("http://{xmatters}/triggers");
    config.xmatters.api_key = Some(Secret::new("key"));
    config.delivery.concurrency = 16;

    let store = SqliteStore::open(&config.store.path, &StoreOptions::default())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let relay = Relay::start_with_store(listener, config, Arc::new(store.clone())).await?;
    let url = relay.intake_url(TOKEN);
    let client = reqwest::Client::new();

    let commits_before = store.commit_count();
    let started = Instant::now();
    let statuses: Vec<u16> = futures::stream::iter(0..alerts)
        .map(|n| {
            let request = client.post(&url).body(alert_body(n));
            async move {
                request
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let intake_time = started.elapsed();
    let accepted = statuses.iter().filter(|status| **status == 202).count();

    while store.backlog().await? > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let total_time = started.elapsed();
    let commits = store.commit_count() - commits_before;
    relay.shutdown().await?;

    println!("alerts posted:        {alerts} ({accepted} got 202), concurrency {concurrency}");
    println!(
        "intake:               {:.0} alerts/s ({intake_time:.2?})",
        alerts as f64 / intake_time.as_secs_f64()
    );
    println!("store commits:        {commits} (intake, claims and attempts together)");
    println!(
        "all delivered after:  {total_time:.2?} ({:.0} alerts/s end to end)",
        alerts as f64 / total_time.as_secs_f64()
    );
    Ok(())
}
