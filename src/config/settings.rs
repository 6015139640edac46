//! `[Agent]`: settings only this engine has. Every key is optional; the defaults are the values
//! documented in the sample `config.ini`.

use super::{ConfigError, IniFile};
use std::time::Duration;

const SECTION: &str = "Agent";

#[derive(Debug, Clone)]
pub struct AgentSettings {
    /// Seconds between WebSocket heartbeats (text frames). The platform marks an engine offline
    /// after 3 minutes without one; the Python engine sends every 30 s.
    pub heartbeat_interval: Duration,
    /// Seconds between `task/fetch` polls (pushes are hints and can be lost).
    pub fetch_interval: Duration,
    /// Seconds between `task/status` polls per running task (fallback for lost `stop` pushes).
    pub status_poll_interval: Duration,
    /// Seconds between result uploads of one task.
    pub result_batch_interval: Duration,
    /// Seconds without any upload after which an empty keep-alive upload is sent (the platform
    /// discontinues a task after 10 minutes without one).
    pub keepalive_interval: Duration,
    /// Seconds running tasks may take to finish after the first SIGTERM/SIGINT.
    pub drain_timeout: Duration,
    /// Timeout of one platform HTTP call, in seconds. Generous: uploads are not idempotent.
    pub platform_timeout: Duration,
    /// Bundle download attempts before every case of the task is reported as error.
    pub download_attempts: u32,
    /// Largest accepted bundle, uncompressed, in MiB.
    pub max_bundle_mb: u64,
    /// Largest number of entries in a bundle.
    pub max_bundle_entries: usize,
    /// Largest download, in KiB, kept in memory and verified there (the file is written
    /// beside); a larger one is streamed to its file first and verified from it.
    pub bundle_memory_kb: u64,
    /// Collection pool size when a task's `maxThread` is null.
    pub default_max_thread: usize,
    /// Upper bound of any single step in seconds, also when the case sets no `timeout`.
    pub step_timeout_cap: Duration,
    /// FOR loops beyond this many iterations are a step error.
    pub max_loop_iterations: i64,
    /// Seconds after which a WHILE loop ends even when the case sets no timeout.
    pub loop_timeout_cap: Duration,
    /// Most results held for upload per task before the run waits (memory bound).
    pub max_pending_results: usize,
    /// Most megabytes of result JSON held in memory for upload per task before the run waits
    /// (every result is in the store first; this bounds memory when the platform is slow and
    /// the results are long). A single larger result still goes, alone.
    pub max_pending_mb: usize,
    /// Most results sent in one upload call.
    pub max_batch: usize,
    /// Most kilobytes of result JSON in one upload call (a single larger result goes alone):
    /// keeps request bodies modest (platform-protocol §7.6) and sends long cases' results
    /// while the run goes on instead of at its end.
    pub max_batch_kb: usize,
    /// Log level for `log/` and stdout (`error`, `warn`, `info`, `debug`, `trace`).
    pub log_level: String,
}

impl Default for AgentSettings {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_secs(20),
            fetch_interval: Duration::from_secs(15),
            status_poll_interval: Duration::from_secs(30),
            result_batch_interval: Duration::from_secs(3),
            keepalive_interval: Duration::from_secs(240),
            drain_timeout: Duration::from_secs(60),
            platform_timeout: Duration::from_secs(60),
            download_attempts: 5,
            max_bundle_mb: 1024,
            max_bundle_entries: 100_000,
            bundle_memory_kb: 64 * 1024,
            default_max_thread: 5,
            step_timeout_cap: Duration::from_secs(600),
            max_loop_iterations: 100_000,
            loop_timeout_cap: Duration::from_secs(3600),
            max_pending_results: 10_000,
            max_pending_mb: 64,
            max_batch: 100,
            max_batch_kb: 1024,
            log_level: "info".to_string(),
        }
    }
}

impl AgentSettings {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = AgentSettings::default();
        let secs =
            |key: &str, default: Duration, min: f64, max: f64| -> Result<Duration, ConfigError> {
                let v: f64 = ini.parse_or(
                    SECTION,
                    key,
                    default.as_secs_f64(),
                    "expected a number of seconds",
                )?;
                if !(min..=max).contains(&v) {
                    return Err(ini.invalid(
                        SECTION,
                        key,
                        &v.to_string(),
                        &format!("must be between {min} and {max} seconds"),
                    ));
                }
                Ok(Duration::from_secs_f64(v))
            };
        let log_level = ini
            .get(SECTION, "log-level")
            .filter(|v| !v.is_empty())
            .unwrap_or(d.log_level.clone())
            .to_ascii_lowercase();
        if !["error", "warn", "info", "debug", "trace"].contains(&log_level.as_str()) {
            return Err(ini.invalid(
                SECTION,
                "log-level",
                &log_level,
                "expected error, warn, info, debug or trace",
            ));
        }
        let positive = |key: &str, v: usize| -> Result<usize, ConfigError> {
            if v == 0 {
                Err(ini.invalid(SECTION, key, "0", "must be at least 1"))
            } else {
                Ok(v)
            }
        };
        Ok(Self {
            heartbeat_interval: secs("heartbeat-interval", d.heartbeat_interval, 0.05, 30.0)?,
            fetch_interval: secs("fetch-interval", d.fetch_interval, 0.05, 3600.0)?,
            status_poll_interval: secs(
                "status-poll-interval",
                d.status_poll_interval,
                0.05,
                3600.0,
            )?,
            result_batch_interval: secs(
                "result-batch-interval",
                d.result_batch_interval,
                0.01,
                60.0,
            )?,
            keepalive_interval: secs("keepalive-interval", d.keepalive_interval, 0.05, 540.0)?,
            drain_timeout: secs("drain-timeout", d.drain_timeout, 0.0, 86_400.0)?,
            platform_timeout: secs("platform-timeout", d.platform_timeout, 1.0, 600.0)?,
            download_attempts: ini
                .parse_or(
                    SECTION,
                    "download-attempts",
                    d.download_attempts,
                    "expected a positive integer",
                )?
                .max(1),
            max_bundle_mb: ini.parse_or(
                SECTION,
                "max-bundle-mb",
                d.max_bundle_mb,
                "expected a number of MiB",
            )?,
            bundle_memory_kb: ini.parse_or(
                SECTION,
                "bundle-memory-kb",
                d.bundle_memory_kb,
                "expected a number of KiB",
            )?,
            max_bundle_entries: positive(
                "max-bundle-entries",
                ini.parse_or(
                    SECTION,
                    "max-bundle-entries",
                    d.max_bundle_entries,
                    "expected a positive integer",
                )?,
            )?,
            default_max_thread: positive(
                "default-max-thread",
                ini.parse_or(
                    SECTION,
                    "default-max-thread",
                    d.default_max_thread,
                    "expected a positive integer",
                )?,
            )?,
            step_timeout_cap: secs("step-timeout-cap", d.step_timeout_cap, 1.0, 86_400.0)?,
            max_loop_iterations: ini.parse_or(
                SECTION,
                "max-loop-iterations",
                d.max_loop_iterations,
                "expected a whole number",
            )?,
            loop_timeout_cap: secs("loop-timeout-cap", d.loop_timeout_cap, 0.001, 86_400.0)?,
            max_pending_results: positive(
                "max-pending-results",
                ini.parse_or(
                    SECTION,
                    "max-pending-results",
                    d.max_pending_results,
                    "expected a positive integer",
                )?,
            )?,
            max_pending_mb: positive(
                "max-pending-mb",
                ini.parse_or(
                    SECTION,
                    "max-pending-mb",
                    d.max_pending_mb,
                    "expected a positive integer (megabytes)",
                )?,
            )?,
            max_batch: positive(
                "max-batch",
                ini.parse_or(
                    SECTION,
                    "max-batch",
                    d.max_batch,
                    "expected a positive integer",
                )?,
            )?,
            max_batch_kb: positive(
                "max-batch-kb",
                ini.parse_or(
                    SECTION,
                    "max-batch-kb",
                    d.max_batch_kb,
                    "expected a positive integer (kilobytes)",
                )?,
            )?,
            log_level,
        })
    }
}
