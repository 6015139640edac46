//! The worker of one collection: started on first use, reused by the collection's cases,
//! replaced after a timeout or crash, killed on stop and at the collection's end.

use super::process::{Callbacks, Worker};
use super::{KillSwitch, SidecarError};
use crate::config::SidecarConfig;
use serde_json::Value as Json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Python start-up under load can be slow; a short `[Sidecar] timeout` does not apply to it.
const MIN_START_TIME: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Inner {
    /// Held for the whole of one exchange: a collection runs one piece of user code at a time.
    worker: Mutex<Option<Worker>>,
    kill: KillSwitch,
}

/// A collection's sidecar worker (cheap to clone: clones share the worker).
#[derive(Clone, Default)]
pub struct SidecarSlot(Arc<Inner>);

impl std::fmt::Debug for SidecarSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pid = self
            .0
            .worker
            .try_lock()
            .ok()
            .and_then(|w| w.as_ref().map(Worker::pid));
        f.debug_struct("SidecarSlot").field("pid", &pid).finish()
    }
}

impl SidecarSlot {
    /// Runs one request on the collection's worker, starting one when there is none. Blocks:
    /// call it from a blocking thread (or through [`SidecarSlot::call`]). After an error the
    /// worker is gone and the next call starts a fresh one.
    pub fn call_blocking(
        &self,
        settings: &SidecarConfig,
        request: &Json,
        callbacks: &mut Callbacks<'_>,
    ) -> Result<Json, SidecarError> {
        let mut guard = self.0.worker.lock().unwrap_or_else(|p| p.into_inner());
        let worker = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(Worker::start(
                &settings.python,
                self.0.kill.clone(),
                settings.timeout.max(MIN_START_TIME),
            )?),
        };
        let started = std::time::Instant::now();
        let result = worker.exchange(request, settings.timeout, callbacks);
        metrics::histogram!("liuma_sidecar_call_seconds").record(started.elapsed().as_secs_f64());
        if let Err(e) = &result {
            tracing::warn!("sidecar worker replaced: {e}");
            *guard = None;
        }
        result
    }

    /// [`SidecarSlot::call_blocking`] on a blocking thread. If the awaiting future is dropped
    /// (the run was cancelled), the stop kills the worker and the thread ends with it.
    pub async fn call(
        &self,
        settings: &SidecarConfig,
        request: Json,
        mut callbacks: impl FnMut(&Json) -> Json + Send + 'static,
    ) -> Result<Json, SidecarError> {
        let slot = self.clone();
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || slot.call_blocking(&settings, &request, &mut callbacks))
            .await
            .map_err(|e| SidecarError::Internal(e.to_string()))?
    }

    /// The switch that kills this collection's worker on stop.
    pub fn kill_switch(&self) -> KillSwitch {
        self.0.kill.clone()
    }

    /// Stop: the worker (and anything it started) is killed now, and so is any worker started
    /// after this.
    pub fn kill(&self) {
        self.0.kill.trip();
        if let Ok(mut w) = self.0.worker.try_lock() {
            w.take();
        }
    }

    /// End of the collection (or of a pass): the worker is killed and reaped. Never waits for
    /// an exchange still in flight (a cancelled one): its worker is killed and the thread that
    /// talks to it drops it.
    pub fn close(&self) {
        match self.0.worker.try_lock() {
            Ok(mut w) => {
                w.take();
            }
            Err(std::sync::TryLockError::Poisoned(p)) => {
                p.into_inner().take();
            }
            Err(std::sync::TryLockError::WouldBlock) => self.0.kill.kill_current(),
        }
    }

    /// The live worker's process id, if any (tests and diagnostics).
    pub fn pid(&self) -> Option<u32> {
        self.0
            .worker
            .try_lock()
            .ok()
            .and_then(|w| w.as_ref().map(Worker::pid))
    }
}

/// Runs blocking sidecar work from synchronous code that may sit on an async worker thread
/// (template rendering calls custom functions synchronously): on a multi-thread runtime the
/// thread is handed over with `block_in_place`; elsewhere the work simply runs.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
