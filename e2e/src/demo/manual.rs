//! What `--keep-running` prints: the URLs and ready-to-paste commands to
//! send alerts and responses by hand.

use std::io::Write;
use std::path::Path;

use super::DemoError;
use super::render::Palette;
use crate::harness::Harness;

/// A NEW_EVENT alert small enough to paste. The relay treats alerts with
/// the same view, application, error and link as repeats for 10 minutes,
/// so the instructions say to change `event=manual-1` for a new one.
const MANUAL_ALERT: &str = r#"{"type":"ALERT","date":1767258000000,"service_id":"S1","service_name":"Production","data":{"type":"NEW_EVENT","summary":"NullPointerException in CheckoutService.pay","view_name":"New Errors","added_by":["you@example.com"],"data":{"type":"EXCEPTION","name":"NullPointerException","app_name":"checkout-api","level":"ERROR","is_caught":false,"link":"https://app.overops.com/tale.html?event=manual-1"}}}"#;

/// Writes the URLs and commands for the services `harness` runs.
/// `next_event_id` is the eventId xMatters gives the next event.
pub(crate) fn print_instructions(
    harness: &Harness,
    next_event_id: u64,
    out: &mut impl Write,
    palette: Palette,
) -> Result<(), DemoError> {
    let intake = harness.intake_url()?;
    let relay_base = format!("http://{}", harness.relay()?.local_addr());
    let xmatters = harness.simulator().base_url().to_owned();
    let payload =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/threshold-string-numbers.json");
    let rest_user = harness
        .xmatters()
        .world()
        .rest_users
        .first()
        .map(|user| format!("{}:{}", user.username, user.password));

    let heading = |text: &str| palette.bold(text);
    let lines = [
        String::new(),
        heading(
            "Everything keeps running until Ctrl-C. Simulated time now follows the wall clock.",
        ),
        format!("  relay webhook URL    {}", palette.cyan(&intake)),
        format!("  relay metrics        {relay_base}/metrics"),
        format!("  simulated xMatters   {xmatters}"),
        String::new(),
        heading("Send an alert as OverOps would (change event=manual-1 to send another):"),
        format!(
            "  curl -sS -H 'Content-Type: application/json' --data '{MANUAL_ALERT}' '{intake}'"
        ),
        heading("Send one of the customer payloads:"),
        format!(
            "  curl -sS -H 'Content-Type: application/json' --data-binary @'{}' '{intake}'",
            payload.display()
        ),
        heading(&format!(
            "Respond as a recipient (the next event is {next_event_id}; later ones count up):"
        )),
        format!(
            "  curl -sS -H 'Content-Type: application/json' \
             --data '{{\"event\": {next_event_id}, \"recipient\": \"alice\", \"response\": \"Ignore\"}}' \
             {xmatters}/mock/respond"
        ),
        format!(
            "  curl -sS -H 'Content-Type: application/json' \
             --data '{{\"event\": {next_event_id}, \"recipient\": \"bob\", \"response\": \"Acknowledge\"}}' \
             {xmatters}/mock/respond"
        ),
        heading("Watch what xMatters did, or move its clock 15 minutes ahead:"),
        format!("  curl -sS {xmatters}/mock/timeline"),
        format!(
            "  curl -sS -H 'Content-Type: application/json' --data '{{\"seconds\": 900}}' \
             {xmatters}/mock/clock/advance"
        ),
    ];
    for line in lines {
        writeln!(out, "{line}")?;
    }
    if let Some(credentials) = rest_user {
        writeln!(
            out,
            "{}",
            heading("List events through the xMatters REST API:")
        )?;
        writeln!(
            out,
            "  curl -sS -u '{credentials}' {xmatters}/api/xm/1/events"
        )?;
    }
    writeln!(
        out,
        "{}",
        palette.dim(
            "Beyond 4 alerts a minute to the same group, the relay holds alerts and sends \
             one digest a minute later, because xMatters' flood control would suppress \
             them. Set RUST_LOG=info to see the services' logs."
        )
    )?;
    out.flush()?;
    Ok(())
}
