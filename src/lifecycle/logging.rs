//! Logs to stdout and to `log/`: `engine.log` (everything at the configured level),
//! `error.log` (warnings and errors) and, when `[Log] api-log` is on, `api.log` (each API
//! step's request and response). The files rotate by size and by day ([`super::logfile`]);
//! the archive job compresses the rotated ones. Level, rotation and `api-log` change at run
//! time (SIGHUP). Secrets are never logged: the config types redact them and the WebSocket URL
//! is never printed.

use super::batch_writer::{BatchGuard, BatchWriter};
use super::logfile::{LogFile, Rotation, SharedLogFile, SystemClock};
use crate::config::{LogConfig, LogFormat};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tracing_subscriber::filter::{FilterExt, FilterFn, LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt, reload};

/// The target of `api.log` events; never shown on stdout or in `engine.log`.
pub const API_TARGET: &str = "liuma_api";

/// Keeps the background log writers alive; drop it last.
pub struct LogGuards(#[allow(dead_code)] Vec<BatchGuard>);

type SetLevel = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// What a reload may change in the running logger.
struct Controls {
    set_level: SetLevel,
    files: Vec<SharedLogFile>,
    api_log: Arc<AtomicBool>,
}

static CONTROLS: OnceLock<Controls> = OnceLock::new();

fn filter(level: &str) -> EnvFilter {
    // RUST_LOG, when set, wins over the configured level. thirtyfour at debug would log every
    // WebDriver answer, screenshots in base64 included.
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{level},hyper=warn,hyper_util=warn,reqwest=warn,rustls=warn,tungstenite=warn,tokio_tungstenite=warn,thirtyfour=info,{API_TARGET}=off"
        ))
    })
}

fn rotation(cfg: &LogConfig) -> Rotation {
    Rotation {
        max_bytes: cfg.max_size_bytes,
        daily: cfg.rotate_daily,
    }
}

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// A formatting layer writing to `writer`, in the configured format, behind `f`.
fn layer<W, F>(format: LogFormat, ansi: bool, target: bool, writer: W, f: F) -> BoxedLayer
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
    F: tracing_subscriber::layer::Filter<Registry> + Send + Sync + 'static,
{
    match format {
        LogFormat::Text => fmt::layer()
            .with_ansi(ansi)
            .with_target(target)
            .with_writer(writer)
            .with_filter(f)
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .with_target(target)
            .with_writer(writer)
            .with_filter(f)
            .boxed(),
    }
}

/// Logging for `start`: stdout plus files under `log_dir`.
pub fn init_agent(
    log_dir: &std::path::Path,
    level: &str,
    cfg: &LogConfig,
) -> Result<LogGuards, String> {
    let open = |name: &str| {
        LogFile::open(log_dir, name, rotation(cfg), Arc::new(SystemClock))
            .map(SharedLogFile::new)
            .map_err(|e| format!("cannot open {}: {e}", log_dir.join(name).display()))
    };
    let main = open("engine.log")?;
    let errors = open("error.log")?;
    let api = open("api.log")?;
    // One background writer per file (see `batch_writer`: no thread wake-up per line).
    let writer = |file: &SharedLogFile, thread: &str| {
        BatchWriter::spawn(file.clone(), thread)
            .map_err(|e| format!("cannot start the log writer {thread}: {e}"))
    };
    let (main_writer, g1) = writer(&main, "log-engine")?;
    let (error_writer, g2) = writer(&errors, "log-error")?;
    let (api_writer, g3) = writer(&api, "log-api")?;
    let (stdout_filter, stdout_handle) = reload::Layer::new(filter(level));
    let (file_filter, file_handle) = reload::Layer::new(filter(level));
    let api_log = Arc::new(AtomicBool::new(cfg.api_log));
    let api_on = api_log.clone();
    let layers: Vec<BoxedLayer> = vec![
        layer(cfg.format, true, false, std::io::stdout, stdout_filter),
        layer(cfg.format, false, true, main_writer, file_filter),
        // Static per-target filters, not closures: a callsite they never pass is then known
        // once (tracing caches the interest) instead of asked at every event, and the
        // process-wide maximum level stays the configured one, so debug and trace records
        // of the HTTP stack cost nothing at `info`.
        layer(
            cfg.format,
            false,
            true,
            error_writer,
            Targets::new()
                .with_default(LevelFilter::WARN)
                .with_target(API_TARGET, LevelFilter::OFF),
        ),
        layer(
            cfg.format,
            false,
            false,
            api_writer,
            Targets::new()
                .with_target(API_TARGET, LevelFilter::INFO)
                .and(FilterFn::new(move |_| api_on.load(Ordering::Relaxed))),
        ),
    ];
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .map_err(|e| format!("cannot set up logging: {e}"))?;
    let set_level: SetLevel = Box::new(move |level: &str| {
        stdout_handle
            .reload(filter(level))
            .and_then(|()| file_handle.reload(filter(level)))
            .map_err(|e| format!("cannot change the log level: {e}"))
    });
    let _ = CONTROLS.set(Controls {
        set_level,
        files: vec![main, errors, api],
        api_log,
    });
    Ok(LogGuards(vec![g1, g2, g3]))
}

/// Changes the level of stdout and `engine.log` (a config reload).
pub fn set_level(level: &str) -> Result<(), String> {
    match CONTROLS.get() {
        Some(c) => (c.set_level)(level),
        None => Err("the agent's logging is not set up".to_string()),
    }
}

/// Applies `[Log]` rotation and `api-log` to the running logger (a config reload).
pub fn apply(cfg: &LogConfig) {
    if let Some(c) = CONTROLS.get() {
        for f in &c.files {
            f.set_rotation(rotation(cfg));
        }
        c.api_log.store(cfg.api_log, Ordering::Relaxed);
    }
}

/// Whether `api.log` is being written: callers skip building its (large) lines otherwise.
pub fn api_log_enabled() -> bool {
    CONTROLS
        .get()
        .is_some_and(|c| c.api_log.load(Ordering::Relaxed))
}

/// Logging for short commands (`check`): stderr only, warnings and errors.
pub fn init_console(level: &str) {
    let _ = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_target(false)
                .with_writer(std::io::stderr)
                .with_filter(filter(level)),
        )
        .try_init();
}
