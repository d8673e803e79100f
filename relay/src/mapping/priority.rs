//! Choosing the event priority from the alert.

use super::Priority;
use crate::config::PriorityTable;
use crate::payload::{Alert, AlertKind, Level, MessageType};

/// Returns the highest priority among the table rows that apply to the
/// alert, as [`PriorityTable`] describes.
pub(crate) fn resolve(alert: &Alert, table: &PriorityTable) -> Priority {
    if alert.message_type == MessageType::Test {
        return table.test;
    }

    let mut applicable = Vec::new();
    if alert.kind == Some(AlertKind::Threshold) {
        applicable.push(table.threshold);
    }
    if let Some(event) = alert.event() {
        match event.level {
            Some(Level::Fatal) => applicable.push(table.fatal),
            Some(Level::Error) => applicable.push(table.error),
            Some(Level::Warn) => applicable.push(table.warn),
            Some(Level::Other(_)) | None => {}
        }
        if event.is_caught == Some(false) {
            applicable.push(table.uncaught);
        }
    }
    applicable.into_iter().max().unwrap_or(table.default)
}
