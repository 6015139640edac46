//! From a task object to a runnable plan: inline debug data, or a downloaded and verified bundle
//! (read in place, `data/<taskId>/bundle.zip`), or — when neither can be had — a plan whose every
//! case reports why.

pub mod archive;
pub mod plan;

pub use plan::{CaseSource, LoadedCase, Plan, PlannedCase, PlannedCollection};

use crate::backoff::Backoff;
use crate::platform::PlatformClient;
use crate::platform::client::DownloadError;
use crate::platform::wire::TaskObject;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct BundleSettings {
    pub attempts: u32,
    pub limits: archive::Limits,
    pub default_max_thread: usize,
    /// Largest download kept in memory and verified there (`[Agent] bundle-memory-kb`).
    pub memory_cap: u64,
}

/// Builds the plan of `task`, downloading its bundle to `data_dir/<taskId>/bundle.zip` when it
/// has one.
/// Never fails: what cannot be fetched becomes an `Unavailable` source with the reason.
/// `None` only when cancelled.
pub async fn prepare(
    client: &PlatformClient,
    task: &TaskObject,
    data_dir: &Path,
    settings: &BundleSettings,
    cancel: &CancellationToken,
) -> Option<Plan> {
    let task_id = task.task_id.as_str();
    if let Some(debug) = task.debug_data.as_ref().filter(|d| !d.is_null()) {
        tracing::info!("debug task: running the inline case data");
        return Some(Plan::inline(
            task,
            Arc::new(debug.clone()),
            settings.default_max_thread,
        ));
    }
    let Some(url) = task.download_url.as_deref().filter(|u| !u.is_empty()) else {
        tracing::warn!(
            "the platform sent neither debugData nor downloadUrl: every case is reported as error"
        );
        return Some(Plan::unavailable(
            task,
            "任务数据获取失败: the platform could not build the task data (downloadUrl and debugData are both null)",
            settings.default_max_thread,
        ));
    };
    let task_dir = data_dir.join(task_id);
    let zip_path = task_dir.join("bundle.zip");
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let mut last_error = String::new();
    for attempt in 1..=settings.attempts {
        let limit = settings.limits.max_total_bytes;
        if let Err(e) = tokio::fs::create_dir_all(&task_dir).await {
            last_error = format!("cannot create {}: {e}", task_dir.display());
            break;
        }
        let result = tokio::select! {
            _ = cancel.cancelled() => return None,
            r = client.download_bundle(url, &zip_path, limit, settings.memory_cap) => r,
        };
        let retryable = match result {
            Ok(dl) => {
                tracing::info!(
                    bytes = dl.bytes,
                    in_memory = dl.data.is_some(),
                    "bundle downloaded"
                );
                let (zp, tid, limits) = (zip_path.clone(), task_id.to_string(), settings.limits);
                let data = dl.data.map(Arc::new);
                let verifying = tokio::task::spawn_blocking({
                    let data = data.clone();
                    move || match data {
                        Some(data) => archive::Bundle::verified_in_memory(&zp, data, &tid, limits),
                        None => archive::Bundle::open_verified(&zp, &tid, limits),
                    }
                });
                // A bundle kept in memory is written to its file while it is verified: the
                // file is for the operator's eye, and the cases read from memory.
                let (verified, written) = match data.clone() {
                    Some(data) => {
                        let path = zip_path.clone();
                        let writing = tokio::task::spawn_blocking(move || {
                            // A part written onto a full disk would only hold its space.
                            std::fs::write(&path, &*data).inspect_err(|_| {
                                let _ = std::fs::remove_file(&path);
                            })
                        });
                        let (v, w) = tokio::join!(verifying, writing);
                        (v, w.map_err(std::io::Error::other).and_then(|w| w))
                    }
                    None => (verifying.await, Ok(())),
                };
                if let Err(e) = written {
                    tracing::warn!(
                        "cannot write {}: {e}; the cases are read from the download in memory",
                        zip_path.display()
                    );
                }
                match verified {
                    Ok(Ok(bundle)) => {
                        tracing::info!(
                            files = bundle.files,
                            bytes = bundle.bytes,
                            "bundle verified: {}",
                            zip_path.display()
                        );
                        log_md5(zip_path.clone(), data);
                        return Some(Plan::from_bundle(
                            task,
                            Arc::new(bundle),
                            settings.default_max_thread,
                        ));
                    }
                    Ok(Err(e)) => {
                        let _ = tokio::fs::remove_file(&zip_path).await;
                        last_error = e.to_string();
                        e.is_retryable() || matches!(e, archive::ExtractError::Disk { .. })
                    }
                    Err(join) => {
                        last_error = format!("verification failed: {join}");
                        false
                    }
                }
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&zip_path).await;
                last_error = e.to_string();
                match &e {
                    DownloadError::Platform(p) => !p.is_fatal(),
                    DownloadError::TooLarge { .. } => false,
                    DownloadError::Disk { .. } | DownloadError::NotZip { .. } => true,
                }
            }
        };
        if !retryable || attempt == settings.attempts {
            break;
        }
        let delay = backoff.next_delay();
        tracing::warn!(
            attempt,
            "bundle not usable: {last_error}; downloading again in {:.1}s",
            delay.as_secs_f64()
        );
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(delay) => {}
        }
    }
    tracing::error!("giving up on the bundle: {last_error}; every case is reported as error");
    Some(Plan::unavailable(
        task,
        &format!("任务数据下载失败: {last_error}"),
        settings.default_max_thread,
    ))
}

/// Logs the bundle's MD5, for the operator's eye only (the zip's own CRCs are what verification
/// checks). Worked out on a thread of its own in the scheduler's idle class while the cases
/// run: hashing it on the way in, or on a thread of normal priority beside the first cases,
/// was up to a millisecond of every task's start. `data` is the bundle when it was kept in
/// memory; otherwise the file is read.
fn log_md5(zip_path: std::path::PathBuf, data: Option<Arc<Vec<u8>>>) {
    use md5::Digest;
    use std::io::Read;
    // Opened here, before the cases start: the open file stays readable when a short task is
    // over, and its folder removed, before the hash is.
    let source = match data {
        Some(data) => Ok(data),
        None => match std::fs::File::open(&zip_path) {
            Ok(f) => Err(f),
            Err(e) => return tracing::warn!("bundle MD5 not worked out: {e}"),
        },
    };
    let span = tracing::Span::current();
    let spawned = std::thread::Builder::new()
        .name("bundle-md5".into())
        .spawn(move || {
            let _entered = span.enter();
            crate::background::at_idle_priority();
            let mut md5 = md5::Md5::new();
            match source {
                Ok(data) => md5.update(&*data),
                Err(mut file) => {
                    let mut buf = vec![0u8; 256 * 1024];
                    loop {
                        match file.read(&mut buf) {
                            Ok(0) => break,
                            Ok(n) => md5.update(&buf[..n]),
                            Err(e) => return tracing::warn!("bundle MD5 not worked out: {e}"),
                        }
                    }
                }
            }
            let hex = crate::template::md5::hex(&md5.finalize());
            tracing::info!(md5 = %hex, "bundle checksum: {}", zip_path.display());
        });
    if let Err(e) = spawned {
        tracing::warn!("bundle MD5 not worked out: {e}");
    }
}
