//! A task's results waiting for the platform's acknowledgement. A result leaves only when an
//! upload that carried it succeeded (or it was proven poison and moved to the dead letters).
//! Bounded: when full, `push` waits, which slows the run instead of growing memory.
//! In memory for now; the durable store replaces the storage, not the contract.

use crate::platform::wire::WireCaseResult;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::{Notify, Semaphore};

/// A result and its position in the outbox.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub result: WireCaseResult,
}

#[derive(Debug, Default)]
struct State {
    pending: VecDeque<Entry>,
    dead: Vec<Entry>,
    next_seq: u64,
    closed: bool,
}

#[derive(Debug)]
pub struct Outbox {
    state: Mutex<State>,
    space: Semaphore,
    changed: Notify,
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            space: Semaphore::new(capacity.max(1)),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a result, waiting while the outbox is full.
    pub async fn push(&self, result: WireCaseResult) {
        if let Ok(permit) = self.space.acquire().await {
            permit.forget();
        }
        {
            let mut s = self.lock();
            let seq = s.next_seq;
            s.next_seq += 1;
            s.pending.push_back(Entry { seq, result });
        }
        self.changed.notify_waiters();
    }

    /// The oldest results, without removing them.
    pub fn peek(&self, max: usize) -> Vec<Entry> {
        self.lock().pending.iter().take(max).cloned().collect()
    }

    /// Removes acknowledged results.
    pub fn ack(&self, seqs: &[u64]) {
        let removed = {
            let mut s = self.lock();
            let before = s.pending.len();
            s.pending.retain(|e| !seqs.contains(&e.seq));
            before - s.pending.len()
        };
        self.space.add_permits(removed);
        self.changed.notify_waiters();
    }

    /// Moves a result the platform refuses on its own to the dead letters.
    pub fn dead_letter(&self, seq: u64) {
        let moved = {
            let mut s = self.lock();
            match s.pending.iter().position(|e| e.seq == seq) {
                Some(pos) => {
                    if let Some(e) = s.pending.remove(pos) {
                        s.dead.push(e);
                    }
                    true
                }
                None => false,
            }
        };
        if moved {
            self.space.add_permits(1);
            self.changed.notify_waiters();
        }
    }

    /// No more results will come.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_waiters();
    }

    /// Drops everything (the platform stopped the task: nothing more is to be sent).
    pub fn discard(&self) {
        let n = {
            let mut s = self.lock();
            s.closed = true;
            let n = s.pending.len();
            s.pending.clear();
            n
        };
        self.space.add_permits(n);
        self.changed.notify_waiters();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub fn len(&self) -> usize {
        self.lock().pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dead_letters(&self) -> Vec<Entry> {
        self.lock().dead.clone()
    }

    /// Resolves on the next change (push, ack, close).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}
