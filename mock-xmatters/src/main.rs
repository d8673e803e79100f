//! `mock-xmatters`: serves a simulated xMatters until Ctrl-C.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use mock_xmatters::server::{self, ServerOptions};
use mock_xmatters::world::IntegrationKind;
use mock_xmatters::{ClockMode, World};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// A stateful xMatters simulator: inbound triggers, REST API, escalation,
/// responses, outbound webhooks and /mock test hooks.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address or host name, and port, to listen on, such as
    /// 127.0.0.1:8090 or localhost:8090.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,

    /// World file (TOML) with people, groups, forms and integrations. The
    /// built-in default world is used when absent; worlds/original.toml
    /// contains the vendor's original configuration.
    #[arg(long)]
    world: Option<PathBuf>,

    /// `real`: simulated time follows the wall clock, so escalations happen
    /// by themselves. `manual`: time moves only through
    /// POST /mock/clock/advance, starting at 2026-01-01T09:00:00Z.
    #[arg(long, default_value = "real")]
    clock: ClockMode,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let world = match &args.world {
        Some(path) => World::load(path)?,
        None => World::default_world(),
    };
    let listener = TcpListener::bind(args.listen.as_str())
        .await
        .with_context(|| {
            format!(
                "cannot listen on {:?}; give --listen an address or host name and a free \
                 port, such as 127.0.0.1:8090",
                args.listen
            )
        })?;
    let address = listener.local_addr()?;

    print!("{}", startup_banner(&world, address, args.clock));
    let options = ServerOptions {
        clock: args.clock,
        ..ServerOptions::default()
    };
    server::run(listener, world, options, shutdown_signal()).await?;
    Ok(())
}

/// Describes where the simulator listens and how to reach it, credentials
/// included, because a local demo needs them.
fn startup_banner(world: &World, address: SocketAddr, clock: ClockMode) -> String {
    let base = format!("http://{address}");
    let clock = match clock {
        ClockMode::Real => "real",
        ClockMode::Manual => "manual",
    };
    let mut text = format!("mock-xmatters listening on {base} (clock: {clock})\n");

    for integration in &world.integrations {
        let kind = match integration.kind {
            IntegrationKind::Trigger => "trigger object",
            IntegrationKind::OriginalScript => "raw OverOps webhook, original script",
        };
        text.push_str(&format!(
            "  trigger ({:?}, {kind}): POST {base}/api/integration/1/functions/{}/triggers?apiKey={}\n",
            integration.name, integration.uuid, integration.api_key
        ));
    }
    for form in &world.forms {
        text.push_str(&format!(
            "  legacy form trigger ({:?}): POST {base}/reapi/2015-04-01/forms/{}/triggers\n",
            form.name, form.uuid
        ));
    }
    for user in &world.rest_users {
        text.push_str(&format!(
            "  REST user (Basic auth on {base}/api/xm/1/...): {} / {}\n",
            user.username, user.password
        ));
    }
    if let Some(integration) = world.integrations.first() {
        text.push_str(&format!(
            "Try: curl -X POST '{base}/api/integration/1/functions/{}/triggers?apiKey={}' \\\n       -d '{{\"properties\": {{\"Summary\": \"DB down\"}}}}'\n",
            integration.uuid, integration.api_key
        ));
    }
    text
}

/// Joins an error and its causes with ": ", skipping a cause whose text
/// the previous message already contains.
fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if !text.contains(&message) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&message);
        }
    }
    text
}

/// Completes on Ctrl-C, or on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}
