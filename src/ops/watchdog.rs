//! systemd integration for `Type=notify` units: `READY=1` once the platform answered,
//! `WATCHDOG=1` every half `WATCHDOG_USEC` while every main loop turns (see [`liveness`]), and
//! `STOPPING=1` when draining starts. A hung engine stops pinging and systemd restarts it.
//!
//! The pings come from their own task: a main loop that stalls cannot ping on its own behalf,
//! and a runtime that stalls entirely cannot ping at all.

use super::liveness;
use super::notify::Notifier;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The watchdog period systemd asks for, when it is meant for this process.
pub fn watchdog_period() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.trim().parse().ok()?;
    if usec == 0 {
        return None;
    }
    if let Ok(pid) = std::env::var("WATCHDOG_PID")
        && pid.trim().parse::<u32>().ok() != Some(std::process::id())
    {
        return None;
    }
    Some(Duration::from_micros(usec))
}

/// Runs until `stop`. `ready` says whether the platform answered at least once. Without
/// `NOTIFY_SOCKET` (not under systemd) it returns at once.
pub async fn run(
    ready: impl Fn() -> bool + Send + 'static,
    drain: CancellationToken,
    stop: CancellationToken,
) {
    let notifier = match Notifier::from_env() {
        Ok(Some(n)) => n,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!("systemd notification disabled: {e}");
            return;
        }
    };
    let send = |state: &str| {
        if let Err(e) = notifier.notify(state) {
            tracing::warn!("{e}");
        }
    };
    let ping_every = watchdog_period().map(|d| d / 2);
    if let Some(p) = ping_every {
        tracing::info!(
            every_ms = p.as_millis() as u64,
            "systemd watchdog enabled: pinging while the main loops turn"
        );
    }
    let tick = ping_every
        .unwrap_or(Duration::from_millis(250))
        .min(Duration::from_millis(250));
    let mut ready_sent = false;
    let mut stopping_sent = false;
    let mut last_ping: Option<Instant> = None;
    let mut silent_loop: Option<liveness::Loop> = None;
    loop {
        if !ready_sent && ready() {
            send("READY=1\nSTATUS=online: the platform answered");
            tracing::info!("told systemd the engine is ready");
            ready_sent = true;
        }
        if !stopping_sent && drain.is_cancelled() {
            send("STOPPING=1\nSTATUS=draining: finishing running tasks");
            // The loops end on purpose now; the drain itself is bounded by drain-timeout.
            liveness::unwatch_all();
            stopping_sent = true;
        }
        if let Some(every) = ping_every
            && last_ping.is_none_or(|t| t.elapsed() >= every)
        {
            match liveness::stale() {
                None => {
                    send("WATCHDOG=1");
                    last_ping = Some(Instant::now());
                    if let Some(l) = silent_loop.take() {
                        tracing::warn!("the {} loop turns again: watchdog pings resumed", l.name());
                    }
                }
                Some((l, silent)) => {
                    if silent_loop.is_none() {
                        tracing::error!(
                            "the {} loop has been silent for {} s: watchdog pings stopped, systemd will restart the engine",
                            l.name(),
                            silent.as_secs()
                        );
                    }
                    silent_loop = Some(l);
                }
            }
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = drain.cancelled(), if !stopping_sent => {}
            _ = tokio::time::sleep(tick) => {}
        }
    }
    if !stopping_sent && drain.is_cancelled() {
        send("STOPPING=1");
    }
}
