//! The tasks the engine runs now, so that `stop`/`stopAll`/STOP reach them.

use crate::ids::TaskId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Handles of one running task.
#[derive(Debug, Clone)]
pub struct TaskHandle {
    /// Cancels execution (cases, download). Child of the engine's force token.
    pub exec: CancellationToken,
    /// Stops everything of the task, uploads included.
    pub halt: CancellationToken,
    stopped: Arc<AtomicBool>,
}

impl TaskHandle {
    /// Whether the platform stopped the task: no more uploads, no complete.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.exec.cancel();
        self.halt.cancel();
    }
}

#[derive(Debug, Default)]
pub struct Registry {
    tasks: Mutex<HashMap<TaskId, TaskHandle>>,
    /// Tasks registered since the engine started (to tell one idle period from the next).
    started: std::sync::atomic::AtomicU64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TaskId, TaskHandle>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, id: &TaskId, force: &CancellationToken) -> TaskHandle {
        let handle = TaskHandle {
            exec: force.child_token(),
            halt: CancellationToken::new(),
            stopped: Arc::new(AtomicBool::new(false)),
        };
        self.lock().insert(id.clone(), handle.clone());
        self.started.fetch_add(1, Ordering::Relaxed);
        handle
    }

    /// How many tasks were registered since the engine started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    pub fn remove(&self, id: &TaskId) {
        self.lock().remove(id);
    }

    /// Stops a task; `false` for ids this engine does not run (ignored, §4.3).
    pub fn stop(&self, id: &TaskId) -> bool {
        match self.lock().get(id) {
            Some(h) => {
                h.stop();
                true
            }
            None => false,
        }
    }

    pub fn stop_all(&self) -> usize {
        let tasks = self.lock();
        for h in tasks.values() {
            h.stop();
        }
        tasks.len()
    }

    pub fn ids(&self) -> Vec<TaskId> {
        self.lock().keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
