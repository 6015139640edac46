//! Jobs beside the data flow that keep a long-running engine healthy: logging with rotation
//! and archives, purge of finished work, store maintenance, the disk guard, backups, and the
//! SIGHUP config reload. One scheduler runs them ([`scheduler`]); each reports its last run to
//! the store (`liuma-engine status`) and the metrics.

pub mod api_log;
pub mod archive;
pub mod backup;
pub mod batch_writer;
pub mod disk;
pub mod live;
pub mod lock;
pub mod logfile;
pub mod logging;
pub mod purge;
pub mod reload;
pub mod resident;
pub mod scheduler;

pub use live::Live;

use crate::agent::Shared;
use crate::config::Config;
use scheduler::Job;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

const MIB: u64 = 1024 * 1024;

/// The jobs of a running agent, by name: `log-archive`, `purge`, `store-maintenance`,
/// `disk-guard`, `backup`.
pub fn jobs(shared: &Arc<Shared>) -> Vec<Job> {
    let s = shared.clone();
    let log_archive = Job {
        name: "log-archive",
        interval: |c: &Config| c.lifecycle.log_archive_interval,
        at_start: false,
        quiet: false,
        run: Arc::new(move |c: &Config| {
            archive::run(&s.home.log, &c.lifecycle.log, SystemTime::now())
                .map(|r| format!("log archive: {r}"))
                .map_err(|e| format!("log archive in {}: {e}", s.home.log.display()))
        }),
    };
    let s = shared.clone();
    let purge = Job {
        name: "purge",
        interval: |c: &Config| c.lifecycle.purge_interval,
        at_start: true,
        quiet: false,
        run: Arc::new(move |c: &Config| {
            let keep = || {
                let err = |e: crate::store::StoreError| std::io::Error::other(e.to_string());
                let mut tasks: HashSet<String> =
                    s.store.task_ids().map_err(err)?.into_iter().collect();
                tasks.extend(
                    s.registry
                        .ids()
                        .into_iter()
                        .map(|id| id.as_str().to_string()),
                );
                let screenshots = s.store.screenshot_ids().map_err(err)?.into_iter().collect();
                Ok(purge::Keep { tasks, screenshots })
            };
            purge::run(
                &s.home.data,
                &s.home.image,
                c.lifecycle.data_retention,
                SystemTime::now(),
                keep,
            )
            .map(|r| format!("purge: {r}"))
            .map_err(|e| format!("purge: {e}"))
        }),
    };
    let s = shared.clone();
    let store = Job {
        name: "store-maintenance",
        interval: |c: &Config| c.lifecycle.store_maintenance_interval,
        at_start: false,
        quiet: false,
        run: Arc::new(move |_c: &Config| {
            s.store
                .maintain()
                .map(|m| {
                    format!(
                        "store maintenance: {} acknowledged rows pruned, {} KiB -> {} KiB",
                        m.pruned_rows,
                        m.bytes_before / 1024,
                        m.bytes_after / 1024
                    )
                })
                .map_err(|e| format!("store maintenance: {e}"))
        }),
    };
    let s = shared.clone();
    let disk = Job {
        name: "disk-guard",
        interval: |c: &Config| c.lifecycle.disk_check_interval,
        at_start: true,
        quiet: true,
        run: Arc::new(move |c: &Config| check_disk(&s, c)),
    };
    let s = shared.clone();
    let backup = Job {
        name: "backup",
        interval: |c: &Config| c.lifecycle.backup_interval,
        at_start: false,
        quiet: false,
        run: Arc::new(move |c: &Config| {
            backup::create(
                &s.home,
                &c.file,
                c.lifecycle.backup_logs,
                c.lifecycle.backup_keep,
                chrono::Local::now(),
            )
            .map(|r| {
                format!(
                    "backup written: {} ({}); {} older removed",
                    r.file.display(),
                    r.entries.join(", "),
                    r.removed
                )
            })
            .map_err(|e| format!("backup: {e}"))
        }),
    };
    vec![log_archive, purge, store, disk, backup]
}

/// One disk-guard check (also run by the agent before its first fetch): measures, engages or releases, records the state for `status`.
pub fn check_disk(s: &Shared, c: &Config) -> Result<String, String> {
    let min = c.lifecycle.disk_min_free_bytes;
    let free = disk::free_bytes(&s.home.data).map_err(|e| {
        format!(
            "cannot measure free space under {}: {e}",
            s.home.data.display()
        )
    })?;
    let transition = s.disk_guard.update(free, min);
    match transition {
        disk::Transition::Engaged => tracing::error!(
            free_mib = free / MIB,
            min_free_mib = min / MIB,
            "disk guard: free space under {} is below [Lifecycle] disk-min-free-mb; no new tasks until space returns",
            s.home.data.display()
        ),
        disk::Transition::Released => {
            tracing::warn!(
                free_mib = free / MIB,
                "disk guard released: free space is back; taking tasks again"
            );
            let _ = s.fetch_trigger.try_send(());
        }
        disk::Transition::None => {}
    }
    let record = crate::store::DiskGuardRecord {
        active: s.disk_guard.is_active(),
        free_bytes: free,
        min_free_bytes: min,
        checked_ms: chrono::Utc::now().timestamp_millis(),
    };
    if let Err(e) = s.store.set_disk_guard(&record) {
        tracing::warn!("cannot record the disk guard state: {e}");
    }
    Ok(format!(
        "disk: {} MiB free, guard {}",
        free / MIB,
        if record.active { "active" } else { "off" }
    ))
}

/// Starts every job and the SIGHUP reload; they end with `stop`.
pub fn start(shared: &Arc<Shared>, stop: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
    reload::spawn_sighup(shared.clone(), stop.clone());
    jobs(shared)
        .into_iter()
        .map(|job| scheduler::spawn(job, &shared.live, shared.store.clone(), stop.clone()))
        .collect()
}

/// How long the agent waits for a running job at shutdown before leaving it.
pub const STOP_GRACE: Duration = Duration::from_secs(10);
