//! The state that the HTTP handlers and the background tasks share: the
//! simulator behind one lock, the logs, the fault plans, the rate limiter
//! and the queues to the trigger worker and the webhook sender.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Notify, mpsc};

use crate::activity::ActivityLog;
use crate::clock::{ClockMode, SimTime};
use crate::engine::{Effect, OutboundWebhook, Simulator, WebhookResult};
use crate::faults::Faults;
use crate::inbound::QueuedTrigger;
use crate::journal::Journal;
use crate::outbound::Delivery;
use crate::ratelimit::RateLimiter;
use crate::world::World;

pub(crate) type SharedState = Arc<AppState>;

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
/// Every critical section here leaves the data consistent between
/// statements, so the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug)]
pub(crate) struct AppState {
    /// The world that `/mock/reset` starts again from.
    pub(crate) world: World,
    pub(crate) clock_mode: ClockMode,
    /// Start time of a manual clock, after a reset too.
    manual_start: SimTime,
    core: Mutex<Core>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) journal: Mutex<Journal>,
    pub(crate) activity: Mutex<ActivityLog>,
    pub(crate) limiter: Mutex<RateLimiter>,
    /// Queue of accepted inbound triggers, processed after their 202.
    inbound: mpsc::UnboundedSender<QueuedTrigger>,
    /// Queue of outbound webhooks to send.
    outbound: mpsc::UnboundedSender<Delivery>,
    /// Triggers and webhooks queued but not finished, for `/mock/settle`.
    pub(crate) work: WorkTracker,
}

#[derive(Debug)]
struct Core {
    sim: Simulator,
    /// Incremented by every reset. Queued triggers and webhooks carry the
    /// generation they were created in, and results from an older one are
    /// dropped.
    generation: u64,
    /// In real clock mode, how far simulated time runs ahead of the wall
    /// clock: the sum of all `/mock/clock/advance` calls since the reset.
    offset: Duration,
}

impl AppState {
    pub(crate) fn new(
        world: World,
        clock_mode: ClockMode,
        manual_start: SimTime,
        inbound: mpsc::UnboundedSender<QueuedTrigger>,
        outbound: mpsc::UnboundedSender<Delivery>,
    ) -> Self {
        let start = start_time(clock_mode, manual_start);
        let limiter = new_limiter(&world);
        AppState {
            core: Mutex::new(Core {
                sim: Simulator::new(world.clone(), start),
                generation: 0,
                offset: Duration::ZERO,
            }),
            world,
            clock_mode,
            manual_start,
            faults: Mutex::default(),
            journal: Mutex::default(),
            activity: Mutex::default(),
            limiter: Mutex::new(limiter),
            inbound,
            outbound,
            work: WorkTracker::default(),
        }
    }

    /// Runs `f` on the simulator and sends the webhooks it produced. In
    /// real clock mode the simulator first catches up with the wall clock.
    pub(crate) fn with_sim<R>(&self, f: impl FnOnce(&mut Simulator) -> R) -> R {
        let mut core = lock(&self.core);
        self.catch_up(&mut core);
        let result = f(&mut core.sim);
        self.flush_effects(&mut core);
        result
    }

    /// Like [`AppState::with_sim`], but only while the simulator is still
    /// in `generation`; returns `None` after a reset.
    pub(crate) fn with_sim_in<R>(
        &self,
        generation: u64,
        f: impl FnOnce(&mut Simulator) -> R,
    ) -> Option<R> {
        let mut core = lock(&self.core);
        if core.generation != generation {
            return None;
        }
        self.catch_up(&mut core);
        let result = f(&mut core.sim);
        self.flush_effects(&mut core);
        Some(result)
    }

    /// Like [`AppState::with_sim`], and also returns the generation that
    /// `f` ran in, for work queued from its result.
    pub(crate) fn with_sim_tagged<R>(&self, f: impl FnOnce(&mut Simulator) -> R) -> (R, u64) {
        let mut core = lock(&self.core);
        self.catch_up(&mut core);
        let result = f(&mut core.sim);
        self.flush_effects(&mut core);
        (result, core.generation)
    }

    /// Returns the current simulated time.
    pub(crate) fn now(&self) -> SimTime {
        self.with_sim(|sim| sim.now())
    }

    /// Moves simulated time forward, firing due timers, and returns the
    /// new time with the number of webhooks queued.
    pub(crate) fn advance(&self, duration: Duration) -> (SimTime, usize) {
        let mut core = lock(&self.core);
        self.catch_up(&mut core);
        // Saturates like `SimTime::plus`, so huge advances cannot overflow.
        core.offset = core.offset.saturating_add(duration);
        let mut effects = core.sim.advance_by(duration);
        effects.extend(core.sim.take_effects());
        let now = core.sim.now();
        let count = effects.len();
        self.dispatch(core.generation, effects);
        (now, count)
    }

    /// Replaces the simulator with a fresh one from the same world and
    /// clears faults, logs and the rate limit window. Triggers and
    /// webhooks still queued are dropped when their turn comes.
    pub(crate) fn reset(&self) -> SimTime {
        let start = start_time(self.clock_mode, self.manual_start);
        {
            let mut core = lock(&self.core);
            core.sim = Simulator::new(self.world.clone(), start);
            core.generation += 1;
            core.offset = Duration::ZERO;
        }
        lock(&self.faults).clear_all();
        *lock(&self.journal) = Journal::default();
        *lock(&self.activity) = ActivityLog::default();
        *lock(&self.limiter) = new_limiter(&self.world);
        tracing::info!(start = %start, "simulator reset");
        start
    }

    /// Queues an accepted trigger for the background worker.
    pub(crate) fn enqueue_trigger(&self, trigger: QueuedTrigger) {
        self.work.begin();
        if let Err(error) = self.inbound.send(trigger) {
            self.work.end();
            tracing::error!(request_id = %error.0.request_id, "trigger worker stopped; the trigger is dropped");
        }
    }

    /// Stores how sending a webhook ended, unless a reset came in between.
    pub(crate) fn record_webhook_result(
        &self,
        generation: u64,
        webhook: &OutboundWebhook,
        result: WebhookResult,
    ) {
        let recorded =
            self.with_sim_in(generation, |sim| sim.record_webhook_result(webhook, result));
        if recorded.is_none() {
            tracing::debug!(
                webhook_id = webhook.id,
                "webhook result dropped after a reset"
            );
        }
    }

    /// In real clock mode, advances the simulator to wall time plus offset.
    fn catch_up(&self, core: &mut Core) {
        if self.clock_mode != ClockMode::Real {
            return;
        }
        let target = SimTime::from_timestamp(Timestamp::now()).plus(core.offset);
        let effects = core.sim.advance_to(target);
        self.dispatch(core.generation, effects);
    }

    fn flush_effects(&self, core: &mut Core) {
        let effects = core.sim.take_effects();
        self.dispatch(core.generation, effects);
    }

    fn dispatch(&self, generation: u64, effects: Vec<Effect>) {
        for effect in effects {
            let Effect::Webhook(webhook) = effect;
            self.work.begin();
            if let Err(error) = self.outbound.send(Delivery {
                generation,
                webhook,
            }) {
                self.work.end();
                tracing::error!(
                    webhook_id = error.0.webhook.id,
                    "webhook sender stopped; the webhook is dropped"
                );
            }
        }
    }
}

fn start_time(clock_mode: ClockMode, manual_start: SimTime) -> SimTime {
    match clock_mode {
        ClockMode::Manual => manual_start,
        ClockMode::Real => SimTime::from_timestamp(Timestamp::now()),
    }
}

fn new_limiter(world: &World) -> RateLimiter {
    RateLimiter::new(
        Some(u64::from(world.rate_limit.limit)),
        world.rate_limit.period_seconds,
    )
}

/// A count of queued work items with a way to wait until it drops to zero.
#[derive(Debug, Default)]
pub(crate) struct WorkTracker {
    pending: AtomicUsize,
    idle: Notify,
}

impl WorkTracker {
    pub(crate) fn begin(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn end(&self) {
        if self.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Waits until no work is pending; returns false if `timeout` passes
    /// first.
    pub(crate) async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            // Registering before the check means a notification sent
            // between the check and the await is not lost.
            notified.as_mut().enable();
            if self.pending() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.pending() == 0;
            }
        }
    }
}
