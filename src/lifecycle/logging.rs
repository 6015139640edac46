//! Logs to stdout and to `log/`: `engine.log` (everything at the configured level) and
//! `error.log` (warnings and errors), both rotated daily. Secrets are never logged: the config
//! types redact them and the WebSocket URL is never printed.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

/// Keeps the background log writers alive; drop it last.
pub struct LogGuards(#[allow(dead_code)] Vec<WorkerGuard>);

fn filter(level: &str) -> EnvFilter {
    // RUST_LOG, when set, wins over the configured level. thirtyfour at debug would log every
    // WebDriver answer, screenshots in base64 included.
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{level},hyper=warn,hyper_util=warn,reqwest=warn,rustls=warn,tungstenite=warn,tokio_tungstenite=warn,thirtyfour=info"
        ))
    })
}

/// Logging for `start`: stdout plus files under `log_dir`.
pub fn init_agent(log_dir: &std::path::Path, level: &str) -> Result<LogGuards, String> {
    let main = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("engine")
        .filename_suffix("log")
        .build(log_dir)
        .map_err(|e| format!("cannot open the log file in {}: {e}", log_dir.display()))?;
    let errors = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("error")
        .filename_suffix("log")
        .build(log_dir)
        .map_err(|e| format!("cannot open the error log in {}: {e}", log_dir.display()))?;
    let (main_writer, g1) = tracing_appender::non_blocking(main);
    let (error_writer, g2) = tracing_appender::non_blocking(errors);
    let registry = tracing_subscriber::registry()
        .with(fmt::layer().with_target(false).with_filter(filter(level)))
        .with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(main_writer)
                .with_filter(filter(level)),
        )
        .with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(error_writer)
                .with_filter(LevelFilter::WARN),
        );
    registry
        .try_init()
        .map_err(|e| format!("cannot set up logging: {e}"))?;
    Ok(LogGuards(vec![g1, g2]))
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
