//! Running as a service: systemd notification and watchdog, liveness of the main loops, the
//! Prometheus recorder and the optional `/metrics`, `/healthz`, `/readyz` listener.
//!
//! None of this changes what the engine does with tasks; it only tells the outside (systemd,
//! Prometheus, a load balancer) how the engine is doing.

pub mod liveness;
pub mod metrics;
pub mod notify;
pub mod server;
pub mod watchdog;

/// Test hook, read once at start: `LIUMA_ENGINE_TEST_STALL_MAIN_LOOP_AFTER=<seconds>` makes the
/// agent's main loop stop turning that many seconds after start, as a hung engine would, so that
/// tests can watch the watchdog pings stop. Never set it in production.
pub const TEST_STALL_ENV: &str = "LIUMA_ENGINE_TEST_STALL_MAIN_LOOP_AFTER";

/// The stall delay of [`TEST_STALL_ENV`], when set to a number of seconds.
pub fn test_stall_after() -> Option<std::time::Duration> {
    let v = std::env::var(TEST_STALL_ENV).ok()?;
    let secs: f64 = v.trim().parse().ok()?;
    (secs >= 0.0 && secs.is_finite()).then(|| std::time::Duration::from_secs_f64(secs))
}

use crate::config::Config;
use liveness::Loop;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What [`start`] started; [`Ops::stop`] ends it.
pub struct Ops {
    /// The metrics listener's address, when `[Metrics]` is enabled.
    pub listen: Option<std::net::SocketAddr>,
    stop: CancellationToken,
    notifier: tokio::task::JoinHandle<()>,
}

impl Ops {
    /// Stops the listener and the notifier, letting the notifier send its last word
    /// (`STOPPING=1`) first.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.notifier).await;
    }
}

/// Starts what runs beside the agent: watches the main loops (with allowances derived from
/// their configured intervals), the systemd notifier/watchdog task and, when `[Metrics]` is
/// enabled, the listener. A listener that cannot start is logged as an error and the engine
/// runs on without it: tasks matter more than their metrics, and a scrape target that is down
/// is what Prometheus alerts on.
pub async fn start(cfg: &Config, probe: Arc<server::Probe>) -> Ops {
    let stop = CancellationToken::new();
    let a = &cfg.agent;
    // The longest normal silence of each loop, with room for a loaded machine.
    let slack = Duration::from_secs(5);
    liveness::watch(Loop::Supervisor, a.fetch_interval * 2 + slack);
    // A fetch may apply for a token first; each call is bounded by platform-timeout.
    liveness::watch(
        Loop::Fetch,
        a.fetch_interval * 2 + a.platform_timeout * 3 + slack,
    );
    // Reconnect back-off reaches 60 s, a connect attempt 15 s, a heartbeat send 10 s.
    liveness::watch(
        Loop::WebSocket,
        a.heartbeat_interval * 2 + Duration::from_secs(90) + slack,
    );

    let ready_probe = probe.clone();
    let notifier = tokio::spawn(watchdog::run(
        move || {
            ready_probe
                .client
                .stats
                .last_contact_ms
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0
                || ready_probe
                    .ws
                    .connected
                    .load(std::sync::atomic::Ordering::Relaxed)
        },
        probe.drain.clone(),
        stop.clone(),
    ));

    let mut ops = Ops {
        listen: None,
        stop: stop.clone(),
        notifier,
    };
    if cfg.metrics.enabled {
        let served = async {
            metrics::install()?;
            server::serve(cfg.metrics.listen, probe, stop).await
        };
        match served.await {
            Ok(addr) => ops.listen = Some(addr),
            Err(e) => tracing::error!("no metrics: {e}"),
        }
    }
    ops
}
