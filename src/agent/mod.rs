//! The supervisor: owns the platform session (WebSocket, polling), capacity and the running
//! tasks; reacts to pushes; drains on the first signal and cancels on the second.

pub mod capacity;
pub mod files;
pub mod registry;
pub mod task;

use crate::bundle::BundleSettings;
use crate::bundle::archive::Limits;
use crate::cases::CaseEnv;
use crate::cases::api::request::HttpClients;
use crate::config::{Config, Home};
use crate::platform::wire::PushMessage;
use crate::platform::ws::{self, ChannelConfig, ChannelEvent, ChannelStats};
use crate::platform::{PlatformClient, PlatformError};
use capacity::Capacity;
use registry::Registry;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What every part of the agent shares.
pub struct Shared {
    pub cfg: Arc<Config>,
    pub home: Home,
    pub client: Arc<PlatformClient>,
    pub registry: Registry,
    pub capacity: Arc<Capacity>,
    pub env: Arc<CaseEnv>,
    pub bundle: BundleSettings,
    /// Cancels all execution at once (second signal, drain deadline, fatal error).
    pub force: CancellationToken,
    pub fetch_trigger: mpsc::Sender<()>,
    /// `data/engine.db`: accepted tasks and the result outbox survive a crash.
    pub store: Arc<crate::store::Store>,
    /// The configuration as reloaded by SIGHUP (`cfg` stays the start-time one).
    pub live: crate::lifecycle::Live,
    /// Set while free space under `data/` is too low: no fetching.
    pub disk_guard: Arc<crate::lifecycle::disk::DiskGuard>,
}

/// The signals the agent obeys: `drain` = stop taking work and finish; `force` = stop now.
#[derive(Clone, Default)]
pub struct Shutdown {
    pub drain: CancellationToken,
    pub force: CancellationToken,
}

impl Shutdown {
    /// First SIGTERM/SIGINT drains, the second forces.
    pub fn from_signals() -> Self {
        let s = Shutdown::default();
        let sig = s.clone();
        tokio::spawn(async move {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!("cannot listen for SIGTERM: {e}");
                        return;
                    }
                };
            let mut count = 0;
            loop {
                tokio::select! {
                    _ = term.recv() => {}
                    r = tokio::signal::ctrl_c() => if r.is_err() { return },
                }
                count += 1;
                if count == 1 {
                    tracing::warn!(
                        "shutdown requested: no new tasks; running tasks may finish (a second signal stops them at once)"
                    );
                    sig.drain.cancel();
                } else {
                    tracing::warn!("second signal: cancelling running tasks now");
                    sig.force.cancel();
                    return;
                }
            }
        });
        s
    }
}

/// Builds what cases need from the configuration; `files` serves `loadfile` and friends.
pub fn case_env(
    cfg: &Config,
    home: &Home,
    files: Option<Arc<dyn crate::functions::FileSource>>,
    file_dir: std::path::PathBuf,
) -> Result<CaseEnv, String> {
    Ok(CaseEnv {
        http: HttpClients::new()?,
        step_timeout_cap: cfg.agent.step_timeout_cap,
        enable_stderr: cfg.enable_stderr,
        max_response_bytes: 64 * 1024 * 1024,
        functions: crate::functions::Library::new(files, file_dir),
        max_loop_iterations: cfg.agent.max_loop_iterations,
        loop_timeout_cap: cfg.agent.loop_timeout_cap,
        web: crate::cases::web::WebEnv::from_config(cfg, home),
        sidecar: cfg.sidecar.clone(),
        sql: cfg.sql.clone(),
    })
}

pub fn bundle_settings(cfg: &Config) -> BundleSettings {
    BundleSettings {
        attempts: cfg.agent.download_attempts,
        limits: Limits {
            max_total_bytes: cfg.agent.max_bundle_mb.saturating_mul(1024 * 1024),
            max_entries: cfg.agent.max_bundle_entries,
            ..Limits::default()
        },
        default_max_thread: cfg.agent.default_max_thread,
        memory_cap: cfg.agent.bundle_memory_kb.saturating_mul(1024),
    }
}

/// Runs the agent until `shutdown` completes. An error is fatal (wrong credentials).
/// The caller holds the home's [`crate::lifecycle::lock::EngineLock`] for the whole run.
pub async fn run(cfg: Config, home: Home, shutdown: Shutdown) -> Result<(), PlatformError> {
    for notice in &cfg.notices {
        tracing::warn!("{notice}");
    }
    let cfg = Arc::new(cfg);
    // While the agent connects, not in its first task's first case.
    tokio::task::spawn_blocking(crate::extract::warm_up);
    let client = PlatformClient::new(&cfg)?;
    let file_dir = home.root.join("file");
    let files: Arc<dyn crate::functions::FileSource> =
        Arc::new(files::PlatformFiles::new(client.clone(), file_dir.clone()));
    let mut env = case_env(&cfg, &home, Some(files), file_dir).map_err(|reason| {
        PlatformError::Transport {
            endpoint: "engine".into(),
            reason,
        }
    })?;
    let db = home.data.join("engine.db");
    let store = Arc::new(
        crate::store::Store::open(&db).map_err(|e| PlatformError::Protocol {
            endpoint: "engine store".into(),
            reason: e.to_string(),
        })?,
    );
    // Screenshots (WEB cases): recorded in the store, uploaded by one engine-wide uploader,
    // which also uploads what an earlier run left.
    let screenshots =
        crate::report::ScreenshotUploader::new(client.clone(), store.clone(), home.image.clone());
    env.web.sink = Some(screenshots.clone());
    // Before the purge job can see them: an orphan is not in the store yet.
    let adopting = screenshots.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || adopting.adopt_orphans()).await {
        tracing::error!("adopting screenshots left by an earlier run failed: {e}");
    }
    let screenshots_stop = CancellationToken::new();
    let screenshots_task = tokio::spawn(screenshots.run(screenshots_stop.clone()));
    let (fetch_tx, fetch_rx) = mpsc::channel::<()>(8);
    let shared = Arc::new(Shared {
        store,
        home,
        client: client.clone(),
        registry: Registry::default(),
        capacity: Capacity::new(cfg.max_run),
        env: Arc::new(env),
        bundle: bundle_settings(&cfg),
        force: shutdown.force.clone(),
        fetch_trigger: fetch_tx.clone(),
        live: crate::lifecycle::Live::new(cfg.clone()),
        disk_guard: Arc::default(),
        cfg: cfg.clone(),
    });
    // The disk guard decides before the first fetch; then the lifecycle jobs keep it current.
    if let Err(e) = crate::lifecycle::check_disk(&shared, &cfg) {
        tracing::warn!("{e}");
    }
    let lifecycle_stop = CancellationToken::new();
    let lifecycle_jobs = crate::lifecycle::start(&shared, lifecycle_stop.clone());
    let mut live_changes = shared.live.subscribe();
    tracing::info!(
        platform = %cfg.platform_url,
        engine = %cfg.engine_code,
        max_run = cfg.max_run,
        version = env!("CARGO_PKG_VERSION"),
        "liuma-engine starting"
    );

    let (events_tx, mut events_rx) = mpsc::channel::<ChannelEvent>(64);
    let ws_stop = CancellationToken::new();
    let ws_stats = Arc::new(ChannelStats::default());
    let ws_task = tokio::spawn(ws::run_channel(
        ChannelConfig {
            base_url: cfg.platform_url.clone(),
            engine_code: cfg.engine_code.clone(),
            engine_secret: client.engine_secret().clone(),
            heartbeat_interval: cfg.agent.heartbeat_interval,
        },
        events_tx,
        ws_stats.clone(),
        ws_stop.clone(),
    ));

    // Beside the agent: loop liveness, systemd READY/WATCHDOG, the optional metrics listener.
    let probe = Arc::new(crate::ops::server::Probe {
        client: client.clone(),
        ws: ws_stats,
        store: shared.store.clone(),
        drain: shutdown.drain.clone(),
    });
    let ops = crate::ops::start(&cfg, probe).await;
    // Test hook (see `ops::TEST_STALL_ENV`): the main loop stops turning, as a hung one would.
    let stall = crate::ops::test_stall_after();
    let stall_timer = async move {
        match stall {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stall_timer);

    let tracker = TaskTracker::new();
    resume_unfinished(&shared, &tracker);
    let (fatal_tx, mut fatal_rx) = mpsc::channel::<PlatformError>(1);
    let fetcher = tokio::spawn(fetch_loop(
        shared.clone(),
        fetch_rx,
        tracker.clone(),
        shutdown.drain.clone(),
        fatal_tx,
    ));
    let _ = fetch_tx.try_send(());

    let mut poll = tokio::time::interval(cfg.agent.fetch_interval);
    poll.tick().await;
    let mut http_heartbeat = tokio::time::interval(Duration::from_secs(300));
    http_heartbeat.tick().await;
    let mut fatal: Option<PlatformError> = None;
    // The tasks started when the code pages were last given back (`None`: not yet).
    let mut released_after: Option<u64> = None;

    // Working: react to pushes, poll, until asked to drain.
    loop {
        crate::ops::liveness::beat(crate::ops::liveness::Loop::Supervisor);
        tokio::select! {
            _ = &mut stall_timer => {
                tracing::warn!("test hook {}: the main loop stalls now", crate::ops::TEST_STALL_ENV);
                std::future::pending::<()>().await;
            }
            _ = shutdown.drain.cancelled() => break,
            _ = shutdown.force.cancelled() => break,
            Some(err) = fatal_rx.recv() => {
                tracing::error!("{err}");
                fatal = Some(err);
                shutdown.drain.cancel();
                shutdown.force.cancel();
                break;
            }
            Some(ev) = events_rx.recv() => handle_event(&shared, ev),
            _ = poll.tick() => {
                let _ = fetch_tx.try_send(());
                record_contact(&shared);
                release_code_pages_when_idle(&shared, &mut released_after);
            }
            _ = http_heartbeat.tick() => spawn_http_heartbeat(&shared),
            Ok(()) = live_changes.changed() => {
                let every = live_changes.borrow_and_update().agent.fetch_interval;
                if every != poll.period() {
                    poll = tokio::time::interval(every);
                    poll.tick().await;
                }
            }
        }
    }

    // Draining: no fetches; stops still reach running tasks; bounded by the drain timeout.
    fetcher.abort();
    tracker.close();
    if !tracker.is_empty() && !shutdown.force.is_cancelled() {
        let drain_timeout = shared.live.get().agent.drain_timeout;
        tracing::info!(
            tasks = shared.registry.len(),
            timeout_s = drain_timeout.as_secs(),
            "waiting for running tasks"
        );
        let deadline = tokio::time::sleep(drain_timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = tracker.wait() => break,
                _ = &mut deadline => {
                    tracing::warn!("drain timeout reached: cancelling running tasks");
                    shutdown.force.cancel();
                    break;
                }
                _ = shutdown.force.cancelled() => break,
                Some(ev) = events_rx.recv() => handle_event(&shared, ev),
            }
        }
    }
    if tokio::time::timeout(Duration::from_secs(20), tracker.wait())
        .await
        .is_err()
    {
        tracing::error!("tasks did not end within 20 s after cancellation");
    }
    ws_stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), ws_task).await;
    lifecycle_stop.cancel();
    let _ = tokio::time::timeout(
        crate::lifecycle::STOP_GRACE,
        futures_util::future::join_all(lifecycle_jobs),
    )
    .await;
    // Screenshots not uploaded yet stay in the store and on disk for the next start.
    screenshots_stop.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), screenshots_task).await;
    ops.stop().await;
    tracing::info!("liuma-engine stopped");
    match fatal {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Tasks accepted before a restart and not finished: they are run to their end first (they
/// hold capacity even beyond `max-run`: they were accepted already).
fn resume_unfinished(shared: &Arc<Shared>, tracker: &TaskTracker) {
    let tasks = match shared.store.unfinished_tasks() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("cannot read unfinished tasks from the engine store: {e}");
            return;
        }
    };
    for stored in tasks {
        match serde_json::from_str::<crate::platform::wire::TaskObject>(&stored.task_json) {
            Ok(task) => {
                tracing::warn!(task = %task.task_id, "resuming a task accepted before the restart");
                let slot = shared.capacity.reserve_anyway();
                tracker.spawn(task::drive(shared.clone(), task, slot, true));
            }
            Err(e) => {
                tracing::error!(task = %stored.task_id, "a stored task does not parse ({e}); forgetting it");
                let _ = shared.store.finish_task(&stored.task_id, false);
            }
        }
    }
}

/// Keeps the last successful platform contact in the store, for `liuma-engine status`.
fn record_contact(shared: &Arc<Shared>) {
    let ms = shared
        .client
        .stats
        .last_contact_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    if ms > 0
        && let Err(e) = shared.store.set_last_contact(ms)
    {
        tracing::warn!("cannot record the last platform contact: {e}");
    }
}

/// Once per idle period (no task running, and none started since the last time), gives the
/// pages of code that start-up and the last tasks used back ([`crate::lifecycle::resident`]).
fn release_code_pages_when_idle(shared: &Shared, released_after: &mut Option<u64>) {
    let started = shared.registry.started();
    if !shared.registry.is_empty() || *released_after == Some(started) {
        return;
    }
    *released_after = Some(started);
    match crate::lifecycle::resident::release_code_pages() {
        Ok(bytes) => tracing::debug!(bytes, "idle: code pages given back"),
        Err(e) => tracing::debug!("idle: code pages not given back: {e}"),
    }
}

fn spawn_http_heartbeat(shared: &Arc<Shared>) {
    let client = shared.client.clone();
    tokio::spawn(async move {
        match client.heartbeat().await {
            Ok(()) => tracing::debug!("heartbeat/send ok"),
            Err(e) => tracing::warn!("heartbeat/send failed: {e}"),
        }
    });
}

fn handle_event(shared: &Arc<Shared>, ev: ChannelEvent) {
    match ev {
        ChannelEvent::Connected => {
            let _ = shared.fetch_trigger.try_send(());
            spawn_http_heartbeat(shared);
        }
        ChannelEvent::Push(PushMessage::Start) => {
            // `start` is sent before the platform commits the task: fetch now and shortly after.
            let _ = shared.fetch_trigger.try_send(());
            let trigger = shared.fetch_trigger.clone();
            tokio::spawn(async move {
                for delay in [1, 2] {
                    tokio::time::sleep(Duration::from_secs(delay)).await;
                    let _ = trigger.try_send(());
                }
            });
        }
        ChannelEvent::Push(PushMessage::Stop(id)) => {
            if shared.registry.stop(&id) {
                tracing::warn!(task = %id, "stop pushed by the platform");
            } else {
                tracing::info!(task = %id, "stop for a task this engine does not run: ignored");
            }
        }
        ChannelEvent::Push(PushMessage::StopAll) => {
            let n = shared.registry.stop_all();
            tracing::warn!(tasks = n, "stopAll pushed by the platform");
        }
    }
}

/// Fetches while there is capacity, whenever triggered (push, poll, freed slot, reconnect).
async fn fetch_loop(
    shared: Arc<Shared>,
    mut triggers: mpsc::Receiver<()>,
    tracker: TaskTracker,
    drain: CancellationToken,
    fatal: mpsc::Sender<PlatformError>,
) {
    while triggers.recv().await.is_some() {
        while triggers.try_recv().is_ok() {}
        loop {
            crate::ops::liveness::beat(crate::ops::liveness::Loop::Fetch);
            if drain.is_cancelled() {
                return;
            }
            // Not fetching is how a full disk tells the platform this engine is busy.
            if shared.disk_guard.is_active() {
                break;
            }
            let Some(slot) = shared.capacity.try_reserve() else {
                break;
            };
            match shared.client.fetch_task().await {
                Ok(Some((task, raw))) => {
                    // Recorded before anything else: a crash from here on resumes the task.
                    if let Err(e) = shared.store.accept_task(&task.task_id, &raw.to_string()) {
                        tracing::error!(task = %task.task_id, "cannot record the task in the engine store: {e}");
                    }
                    tracker.spawn(task::drive(shared.clone(), task, slot, false));
                }
                Ok(None) => break,
                Err(e) if e.is_fatal() => {
                    let _ = fatal.send(e).await;
                    return;
                }
                Err(e) => {
                    tracing::warn!("task/fetch failed: {e}; trying again at the next poll");
                    break;
                }
            }
        }
    }
}
