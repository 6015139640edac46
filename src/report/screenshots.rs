//! Uploads screenshots (web-cases §5.3, platform-protocol §3.7) for the whole engine: each
//! saved file is recorded in the store, uploaded concurrently (bounded), retried with
//! back-off (the client refreshes the token), and deleted only after the platform
//! acknowledged it (Q19 Fix). `image/<taskId>` goes when its last screenshot is uploaded.
//! At start, what the store still lists is uploaded, and finished files that never reached
//! the store (a crash between write and record) are adopted.

use crate::backoff::Backoff;
use crate::cases::web::screenshot::{ScreenshotSink, is_id};
use crate::platform::PlatformClient;
use crate::store::{Store, StoredScreenshot};
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Uploads at once at most.
const CONCURRENCY: usize = 4;

/// Times the platform may refuse a screenshot's content (status 1000: it cannot decode or store
/// it) before the engine stops offering it.
const REFUSALS: u32 = 3;

pub struct ScreenshotUploader {
    client: Arc<PlatformClient>,
    store: Arc<Store>,
    image_dir: PathBuf,
    wake: Notify,
    /// Per screenshot: its back-off and when it may be tried again.
    retry: Mutex<HashMap<String, (Backoff, Instant)>>,
    /// Per screenshot: how often the platform refused its content.
    refusals: Mutex<HashMap<String, u32>>,
}

impl ScreenshotSink for ScreenshotUploader {
    fn saved(&self, task_id: &str, id: &str, path: &Path) {
        if let Err(e) = self
            .store
            .record_screenshot(task_id, id, &path.display().to_string())
        {
            // The file stays on disk: the next start adopts it.
            tracing::error!("cannot record screenshot {id} in the engine store: {e}");
        }
        self.wake.notify_one();
    }
}

impl ScreenshotUploader {
    pub fn new(client: Arc<PlatformClient>, store: Arc<Store>, image_dir: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            client,
            store,
            image_dir,
            wake: Notify::new(),
            retry: Mutex::new(HashMap::new()),
            refusals: Mutex::new(HashMap::new()),
        })
    }

    fn retry_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Backoff, Instant)>> {
        self.retry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records finished screenshot files under `image/` that the store does not list (a crash
    /// between write and record), and removes leftover temporary files of interrupted writes.
    /// Must run before the first purge: the purge deletes every screenshot the store does not
    /// list, taking it for one the platform already has.
    pub fn adopt_orphans(&self) {
        let Ok(tasks) = std::fs::read_dir(&self.image_dir) else {
            return;
        };
        for task in tasks.flatten() {
            let task_id = task.file_name().to_string_lossy().to_string();
            let Ok(files) = std::fs::read_dir(task.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().to_string();
                if name.ends_with(".png.tmp") {
                    let _ = std::fs::remove_file(f.path());
                    continue;
                }
                let Some(id) = name.strip_suffix(".png") else {
                    continue;
                };
                if is_id(id) && !self.store.has_screenshot(id).unwrap_or(true) {
                    tracing::info!(task = %task_id, "adopting screenshot {id} left by an earlier run");
                    let _ =
                        self.store
                            .record_screenshot(&task_id, id, &f.path().display().to_string());
                }
            }
        }
    }

    /// Runs until `stop`. Call [`Self::adopt_orphans`] first.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
        loop {
            let due: Vec<StoredScreenshot> = match self.store.pending_screenshots(256) {
                Ok(rows) => {
                    let now = Instant::now();
                    let retry = self.retry_map();
                    rows.into_iter()
                        .filter(|r| retry.get(&r.id).is_none_or(|(_, at)| *at <= now))
                        .take(CONCURRENCY * 4)
                        .collect()
                }
                Err(e) => {
                    tracing::error!("cannot read pending screenshots: {e}");
                    Vec::new()
                }
            };
            if !due.is_empty() {
                let this = self.clone();
                let flight = in_flight.clone();
                let batch =
                    futures_util::stream::iter(due).for_each_concurrent(CONCURRENCY, move |shot| {
                        let this = this.clone();
                        let flight = flight.clone();
                        async move {
                            if !flight
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .insert(shot.id.clone())
                            {
                                return;
                            }
                            this.upload_one(&shot).await;
                            flight
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .remove(&shot.id);
                        }
                    });
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = batch => {}
                }
                continue;
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }

    async fn upload_one(&self, shot: &StoredScreenshot) {
        let bytes = match tokio::fs::read(&shot.path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(task = %shot.task_id, "screenshot {} is gone from disk ({}); forgetting it", shot.id, shot.path);
                let _ = self.store.forget_screenshot(&shot.id);
                return;
            }
            Err(e) => {
                tracing::warn!("cannot read screenshot {}: {e}", shot.path);
                self.later(&shot.id, Duration::from_secs(30));
                return;
            }
        };
        match self
            .client
            .upload_screenshot(&format!("{}.png", shot.id), &bytes)
            .await
        {
            Ok(()) => {
                tracing::debug!(task = %shot.task_id, "screenshot {} uploaded", shot.id);
                if let Err(e) = self.store.forget_screenshot(&shot.id) {
                    tracing::error!("cannot forget uploaded screenshot {}: {e}", shot.id);
                }
                self.retry_map().remove(&shot.id);
                let _ = tokio::fs::remove_file(&shot.path).await;
                if self
                    .store
                    .screenshots_pending_for(&shot.task_id)
                    .unwrap_or(1)
                    == 0
                    && crate::ids::is_safe_path_component(&shot.task_id)
                {
                    // Fails harmlessly when a new screenshot of a running task is being written.
                    let _ = tokio::fs::remove_dir(self.image_dir.join(&shot.task_id)).await;
                }
            }
            Err(e) => {
                if matches!(
                    e,
                    crate::platform::PlatformError::Rejected { status: 1000, .. }
                ) && self.refused(shot)
                {
                    return;
                }
                let delay = {
                    let mut map = self.retry_map();
                    let entry = map.entry(shot.id.clone()).or_insert_with(|| {
                        (
                            Backoff::new(Duration::from_millis(500), Duration::from_secs(60)),
                            Instant::now(),
                        )
                    });
                    let d = entry.0.next_delay();
                    entry.1 = Instant::now() + d;
                    d
                };
                tracing::warn!(
                    "screenshot {} upload failed: {e}; retrying in {:.1}s",
                    shot.id,
                    delay.as_secs_f64()
                );
            }
        }
    }

    /// Counts a refusal of `shot`'s content; after `REFUSALS` the screenshot is set aside: kept
    /// on disk as `<id>.rejected.png` for a person to look at, forgotten by the store, and not
    /// offered again. Returns whether it was set aside.
    fn refused(&self, shot: &StoredScreenshot) -> bool {
        let n = {
            let mut map = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
            let n = map.entry(shot.id.clone()).or_insert(0);
            *n += 1;
            *n
        };
        if n < REFUSALS {
            return false;
        }
        let kept = Path::new(&shot.path).with_extension("rejected.png");
        let _ = std::fs::rename(&shot.path, &kept);
        tracing::error!(
            task = %shot.task_id,
            "the platform refused screenshot {} {REFUSALS} times (it cannot decode or store it); not offering it again, kept as {}",
            shot.id,
            kept.display()
        );
        if let Err(e) = self.store.forget_screenshot(&shot.id) {
            tracing::error!("cannot forget screenshot {}: {e}", shot.id);
        }
        self.retry_map().remove(&shot.id);
        self.refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&shot.id);
        true
    }

    fn later(&self, id: &str, delay: Duration) {
        let mut map = self.retry_map();
        let entry = map.entry(id.to_string()).or_insert_with(|| {
            (
                Backoff::new(Duration::from_millis(500), Duration::from_secs(60)),
                Instant::now(),
            )
        });
        entry.1 = Instant::now() + delay;
    }
}
