//! Liveness of the agent's main loops: each loop calls [`beat`] whenever it turns; the watchdog
//! and `/healthz` ask [`stale`] whether every watched loop turned recently enough.
//!
//! Process-wide, like the loops it watches (one agent per process): a loop records a beat with
//! one call and needs no handle threaded through its arguments.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The loops whose silence means the engine hangs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// The supervisor: pushes, polls, signals (`agent::run`).
    Supervisor,
    /// `task/fetch` whenever triggered.
    Fetch,
    /// The WebSocket channel: heartbeats, pushes, reconnects.
    WebSocket,
}

impl Loop {
    const ALL: [Loop; 3] = [Loop::Supervisor, Loop::Fetch, Loop::WebSocket];

    fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Loop::Supervisor => "supervisor",
            Loop::Fetch => "fetch",
            Loop::WebSocket => "websocket",
        }
    }
}

struct Slot {
    /// Milliseconds since [`epoch`] of the last beat.
    last_ms: AtomicU64,
    /// Longest normal silence in milliseconds; 0 = not watched.
    allowance_ms: AtomicU64,
}

static SLOTS: [Slot; 3] = [const {
    Slot {
        last_ms: AtomicU64::new(0),
        allowance_ms: AtomicU64::new(0),
    }
}; 3];

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Records that `which` is turning.
pub fn beat(which: Loop) {
    SLOTS[which.index()]
        .last_ms
        .store(now_ms(), Ordering::Relaxed);
}

/// Starts watching `which`: silent for longer than `allowance`, it counts as hung. Counts as a
/// beat, so a loop is fresh when it starts.
pub fn watch(which: Loop, allowance: Duration) {
    beat(which);
    let ms = u64::try_from(allowance.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    SLOTS[which.index()]
        .allowance_ms
        .store(ms, Ordering::Relaxed);
}

/// Stops watching every loop (draining: the loops end on purpose; the drain is bounded).
pub fn unwatch_all() {
    for slot in &SLOTS {
        slot.allowance_ms.store(0, Ordering::Relaxed);
    }
}

/// The first watched loop silent for longer than its allowance, with its silence.
pub fn stale() -> Option<(Loop, Duration)> {
    let now = now_ms();
    Loop::ALL.into_iter().find_map(|l| {
        let slot = &SLOTS[l.index()];
        let allowance = slot.allowance_ms.load(Ordering::Relaxed);
        let silent = now.saturating_sub(slot.last_ms.load(Ordering::Relaxed));
        (allowance > 0 && silent > allowance).then(|| (l, Duration::from_millis(silent)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_watched_loop_is_stale_until_it_beats() {
        // One test touches the process-wide slots: no interference between tests.
        watch(Loop::Fetch, Duration::from_millis(30));
        assert_eq!(stale(), None);
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(stale().map(|(l, _)| l), Some(Loop::Fetch));
        beat(Loop::Fetch);
        assert_eq!(stale(), None);
        std::thread::sleep(Duration::from_millis(80));
        unwatch_all();
        assert_eq!(stale(), None);
    }
}
