//! State shared by the HTTP handlers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::clock::Clock;
use crate::config::Config;
use crate::delivery::WorkerHandle;
use crate::metrics::Metrics;
use crate::store::Store;

/// Everything a handler needs, behind one `Arc`.
pub(crate) struct AppState {
    /// Full configuration; the intake reads the mapping and limits from it.
    pub(crate) config: Arc<Config>,
    /// Durable outbox the intake commits to before responding 202.
    pub(crate) store: Arc<dyn Store>,
    /// Counters for `/metrics`.
    pub(crate) metrics: Arc<Metrics>,
    /// Wakes the delivery worker after each stored alert.
    pub(crate) worker: WorkerHandle,
    /// Time source for receive times.
    pub(crate) clock: Arc<dyn Clock>,
    /// Set once shutdown starts, after which the intake responds 503.
    draining: AtomicBool,
}

impl AppState {
    pub(crate) fn new(
        config: Arc<Config>,
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        worker: WorkerHandle,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            config,
            store,
            metrics,
            worker,
            clock,
            draining: AtomicBool::new(false),
        }
    }

    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}
