//! `[Log]` and `[Lifecycle]`: how the engine keeps itself tidy while it runs for months (log
//! rotation and archives, purge of finished work, disk guard, store maintenance, backups).
//! Every key is optional; the defaults keep the behaviour of an engine without them (task data
//! removed at once, no `api.log`, no disk guard, no scheduled backups).

use super::{ConfigError, IniFile};
use std::time::Duration;

const LOG: &str = "Log";
const LIFECYCLE: &str = "Lifecycle";

/// How lines are written to `log/` and stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `[Log]`: files under `log/`, their rotation and archive.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// `[Log] format`: `text` or `json`.
    pub format: LogFormat,
    /// `[Log] max-size-mb`: a log file is rotated when it passes this size (0: never by size).
    pub max_size_bytes: u64,
    /// `[Log] rotate-daily`: a log file is rotated at local midnight.
    pub rotate_daily: bool,
    /// `[Log] archive-after-days`: rotated files older than this are gzip-compressed into
    /// `log/archive/YYYY-MM/` (0: at the next archive run).
    pub archive_after: Duration,
    /// `[Log] delete-after-days`: archived files older than this are deleted (0: never by age).
    pub delete_after: Duration,
    /// `[Log] archive-max-mb`: the oldest archives are deleted while `log/archive` is larger
    /// (0: no cap).
    pub archive_max_bytes: u64,
    /// `[Log] api-log`: write each API step's request and response to `log/api.log`.
    pub api_log: bool,
}

/// `[Lifecycle]`: the scheduled jobs. An interval of 0 turns its job off.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleConfig {
    pub log: LogConfig,
    /// `[Lifecycle] log-archive-interval`: seconds between log archive runs.
    pub log_archive_interval: Duration,
    /// `[Lifecycle] purge-interval`: seconds between purges of `data/` and `image/`.
    pub purge_interval: Duration,
    /// `[Lifecycle] data-retention-hours`: a finished task's `data/<taskId>` is kept this long
    /// (0: removed when the task ends, as the Python engine does).
    pub data_retention: Duration,
    /// `[Lifecycle] store-maintenance-interval`: seconds between prunes, WAL checkpoints and
    /// `VACUUM` of `data/engine.db`.
    pub store_maintenance_interval: Duration,
    /// `[Lifecycle] disk-min-free-mb`: below this much free space under `data/` the engine
    /// takes no new task (0: no disk guard).
    pub disk_min_free_bytes: u64,
    /// `[Lifecycle] disk-check-interval`: seconds between free-space checks.
    pub disk_check_interval: Duration,
    /// `[Lifecycle] backup-interval`: seconds between scheduled backups (0: only
    /// `liuma-engine backup`).
    pub backup_interval: Duration,
    /// `[Lifecycle] backup-keep`: how many `backup/backup_*.zip` are kept.
    pub backup_keep: usize,
    /// `[Lifecycle] backup-logs`: also put `log/*.log` into backups.
    pub backup_logs: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            max_size_bytes: 100 * 1024 * 1024,
            rotate_daily: true,
            archive_after: days(1),
            delete_after: days(30),
            archive_max_bytes: 1024 * 1024 * 1024,
            api_log: false,
        }
    }
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            log: LogConfig::default(),
            log_archive_interval: Duration::from_secs(3600),
            purge_interval: Duration::from_secs(3600),
            data_retention: Duration::ZERO,
            store_maintenance_interval: Duration::from_secs(86_400),
            disk_min_free_bytes: 0,
            disk_check_interval: Duration::from_secs(30),
            backup_interval: Duration::ZERO,
            backup_keep: 7,
            backup_logs: false,
        }
    }
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

const MIB: f64 = 1024.0 * 1024.0;

fn boolean(ini: &IniFile, section: &str, key: &str, default: bool) -> Result<bool, ConfigError> {
    match ini.get(section, key) {
        None => Ok(default),
        Some(v) if v.is_empty() => Ok(default),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(ini.invalid(section, key, &v, "expected true or false")),
        },
    }
}

/// A non-negative number (fractions allowed) of `unit` seconds, at most `max` units.
fn duration(
    ini: &IniFile,
    section: &str,
    key: &str,
    default: Duration,
    unit: f64,
    max: f64,
) -> Result<Duration, ConfigError> {
    let v: f64 = ini.parse_or(
        section,
        key,
        default.as_secs_f64() / unit,
        "expected a number",
    )?;
    if !(0.0..=max).contains(&v) {
        return Err(ini.invalid(
            section,
            key,
            &v.to_string(),
            &format!("expected 0 to {max}"),
        ));
    }
    Ok(Duration::from_secs_f64(v * unit))
}

fn mebibytes(ini: &IniFile, section: &str, key: &str, default: u64) -> Result<u64, ConfigError> {
    let v: f64 = ini.parse_or(
        section,
        key,
        default as f64 / MIB,
        "expected a number of MiB",
    )?;
    if !(0.0..=1.0e9).contains(&v) {
        return Err(ini.invalid(section, key, &v.to_string(), "expected 0 or more MiB"));
    }
    Ok((v * MIB) as u64)
}

impl LifecycleConfig {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = LifecycleConfig::default();
        let format = match ini.get(LOG, "format").map(|v| v.to_ascii_lowercase()) {
            None => d.log.format,
            Some(v) if v.is_empty() || v == "text" => LogFormat::Text,
            Some(v) if v == "json" => LogFormat::Json,
            Some(v) => return Err(ini.invalid(LOG, "format", &v, "expected text or json")),
        };
        let log = LogConfig {
            format,
            max_size_bytes: mebibytes(ini, LOG, "max-size-mb", d.log.max_size_bytes)?,
            rotate_daily: boolean(ini, LOG, "rotate-daily", d.log.rotate_daily)?,
            archive_after: duration(
                ini,
                LOG,
                "archive-after-days",
                d.log.archive_after,
                86_400.0,
                36_500.0,
            )?,
            delete_after: duration(
                ini,
                LOG,
                "delete-after-days",
                d.log.delete_after,
                86_400.0,
                36_500.0,
            )?,
            archive_max_bytes: mebibytes(ini, LOG, "archive-max-mb", d.log.archive_max_bytes)?,
            api_log: boolean(ini, LOG, "api-log", d.log.api_log)?,
        };
        let secs = |key: &str, default: Duration| {
            duration(ini, LIFECYCLE, key, default, 1.0, 365.0 * 86_400.0)
        };
        let backup_keep: usize = ini.parse_or(
            LIFECYCLE,
            "backup-keep",
            d.backup_keep,
            "expected a positive integer",
        )?;
        if backup_keep == 0 {
            return Err(ini.invalid(LIFECYCLE, "backup-keep", "0", "must be at least 1"));
        }
        let disk_check_interval = secs("disk-check-interval", d.disk_check_interval)?;
        if disk_check_interval.is_zero() {
            return Err(ini.invalid(
                LIFECYCLE,
                "disk-check-interval",
                "0",
                "must be more than 0 (turn the guard off with disk-min-free-mb = 0)",
            ));
        }
        Ok(Self {
            log,
            log_archive_interval: secs("log-archive-interval", d.log_archive_interval)?,
            purge_interval: secs("purge-interval", d.purge_interval)?,
            data_retention: duration(
                ini,
                LIFECYCLE,
                "data-retention-hours",
                d.data_retention,
                3600.0,
                24.0 * 36_500.0,
            )?,
            store_maintenance_interval: secs(
                "store-maintenance-interval",
                d.store_maintenance_interval,
            )?,
            disk_min_free_bytes: mebibytes(
                ini,
                LIFECYCLE,
                "disk-min-free-mb",
                d.disk_min_free_bytes,
            )?,
            disk_check_interval,
            backup_interval: secs("backup-interval", d.backup_interval)?,
            backup_keep,
            backup_logs: boolean(ini, LIFECYCLE, "backup-logs", d.backup_logs)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Result<LifecycleConfig, ConfigError> {
        LifecycleConfig::from_ini(&IniFile::parse(Path::new("c.ini"), text)?)
    }

    #[test]
    fn absent_sections_mean_the_defaults() {
        assert_eq!(
            parse("[Agent]\n").expect("parses"),
            LifecycleConfig::default()
        );
    }

    #[test]
    fn values_are_read_and_bad_ones_named() {
        let c = parse("[Log]\nformat = JSON\nmax-size-mb = 0.5\napi-log = true\n[Lifecycle]\ndata-retention-hours = 2\nbackup-interval = 60\n")
            .expect("parses");
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.log.max_size_bytes, 512 * 1024);
        assert!(c.log.api_log);
        assert_eq!(c.data_retention, Duration::from_secs(7200));
        assert_eq!(c.backup_interval, Duration::from_secs(60));
        let msg = parse("[Lifecycle]\nbackup-keep = 0\n")
            .expect_err("fails")
            .to_string();
        assert!(msg.contains("[Lifecycle] backup-keep"), "{msg}");
        let msg = parse("[Log]\nrotate-daily = sometimes\n")
            .expect_err("fails")
            .to_string();
        assert!(msg.contains("[Log] rotate-daily"), "{msg}");
    }
}
