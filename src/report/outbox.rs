//! A task's results waiting for the platform's acknowledgement. A result leaves only when an
//! upload that carried it succeeded (or it was proven poison and moved to the dead letters).
//! Bounded: when full, `push` waits, which slows the run instead of growing memory.
//! With a store, every result is committed to `engine.db` before it is queued for upload and
//! deleted there only when acknowledged, so it survives a crash; the queue in memory mirrors it.

use crate::ids::TaskId;
use crate::platform::wire::{SealedResult, WireCaseResult};
use crate::store::Store;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore};

/// A result and its position in the outbox. The result is shared: each upload attempt peeks
/// at the entries without copying their logs.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub result: Arc<SealedResult>,
}

#[derive(Debug, Default)]
struct State {
    pending: VecDeque<Entry>,
    dead: Vec<Entry>,
    next_seq: u64,
    closed: bool,
}

pub struct Outbox {
    state: Mutex<State>,
    space: Semaphore,
    changed: Notify,
    /// See [`Outbox::wake_at`].
    wake_len: AtomicUsize,
    durable: Option<(Arc<Store>, TaskId)>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("durable", &self.durable.is_some())
            .finish_non_exhaustive()
    }
}

/// Serialises results for the store and the platform. Plain strings and numbers always
/// serialise; should one ever not, it is logged and left out rather than queued unsendable.
fn seal_all(results: &[WireCaseResult]) -> Vec<SealedResult> {
    results
        .iter()
        .filter_map(|r| match SealedResult::seal(r) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(
                    collection = %r.collection_id,
                    case = %r.case_id,
                    index = r.index,
                    "cannot serialise a case result; it is not sent: {e}"
                );
                None
            }
        })
        .collect()
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            space: Semaphore::new(capacity.max(1)),
            changed: Notify::new(),
            wake_len: AtomicUsize::new(1),
            durable: None,
        }
    }

    /// An outbox backed by the engine store; results already waiting there (a resumed task) are
    /// queued first.
    pub fn durable(capacity: usize, store: Arc<Store>, task_id: TaskId) -> Self {
        let mut outbox = Self::new(capacity);
        match store.pending(&task_id, usize::MAX) {
            Ok(rows) => {
                let mut s = outbox.lock();
                for (seq, result) in rows {
                    s.next_seq = s.next_seq.max(seq + 1);
                    s.pending.push_back(Entry {
                        seq,
                        result: Arc::new(result),
                    });
                }
            }
            Err(e) => tracing::error!("cannot read the results waiting in the store: {e}"),
        }
        outbox.durable = Some((store, task_id));
        outbox
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds results, waiting while the outbox is full; with a store they are committed to it
    /// (one transaction) before they are queued. Each is serialised once, here: the store keeps
    /// those bytes and uploads send them.
    pub async fn push_many(&self, results: Vec<WireCaseResult>) {
        if results.is_empty() {
            return;
        }
        let count = results.len();
        match self
            .space
            .acquire_many(u32::try_from(count).unwrap_or(u32::MAX))
            .await
        {
            Ok(permit) => permit.forget(),
            // Discarded (the task was stopped): nothing is to be sent any more.
            Err(_) => return,
        }
        let sealed: Vec<Arc<SealedResult>> = seal_all(&results).into_iter().map(Arc::new).collect();
        drop(results);
        if sealed.len() < count {
            self.space.add_permits(count - sealed.len());
        }
        let seqs: Option<Vec<u64>> = match &self.durable {
            None => None,
            Some((store, task)) => {
                let (store, task, rows) = (store.clone(), task.clone(), sealed.clone());
                match tokio::task::spawn_blocking(move || store.record_results(&task, &rows)).await
                {
                    Ok(Ok(seqs)) => Some(seqs),
                    Ok(Err(e)) => {
                        tracing::error!(
                            "cannot commit results to the engine store (they stay in memory only): {e}"
                        );
                        None
                    }
                    Err(e) => {
                        tracing::error!("the store writer failed: {e}");
                        None
                    }
                }
            }
        };
        let wake = {
            let mut s = self.lock();
            for (i, result) in sealed.into_iter().enumerate() {
                let seq = match seqs.as_ref().and_then(|v| v.get(i)) {
                    Some(seq) => *seq,
                    None => s.next_seq,
                };
                s.next_seq = s.next_seq.max(seq + 1);
                s.pending.push_back(Entry { seq, result });
            }
            s.pending.len() >= self.wake_len.load(Ordering::Relaxed)
        };
        if wake {
            self.changed.notify_waiters();
        }
    }

    /// Pushes wake the uploader only once this many results wait (its batch size): a wake-up
    /// per result, on an otherwise idle thread, was a visible cost per case. Closing, acks and
    /// discards always wake it; its timer takes the rest.
    pub fn wake_at(&self, pending: usize) {
        self.wake_len.store(pending.max(1), Ordering::Relaxed);
    }

    /// Adds one result (see `push_many`).
    pub async fn push(&self, result: WireCaseResult) {
        self.push_many(vec![result]).await;
    }

    /// The oldest results, without removing them.
    pub fn peek(&self, max: usize) -> Vec<Entry> {
        self.lock().pending.iter().take(max).cloned().collect()
    }

    /// Removes acknowledged results (from the store first).
    pub fn ack(&self, seqs: &[u64]) {
        let wanted: std::collections::HashSet<u64> = seqs.iter().copied().collect();
        let acked: Vec<Entry> = {
            let mut s = self.lock();
            let (gone, kept): (VecDeque<Entry>, VecDeque<Entry>) = std::mem::take(&mut s.pending)
                .into_iter()
                .partition(|e| wanted.contains(&e.seq));
            s.pending = kept;
            gone.into()
        };
        if let Some((store, task)) = &self.durable {
            let keys: Vec<(u64, &crate::platform::wire::ResultKey)> =
                acked.iter().map(|e| (e.seq, &e.result.key)).collect();
            if let Err(e) = store.ack(task, &keys) {
                tracing::error!("cannot remove acknowledged results from the engine store: {e}");
            }
        }
        let removed = acked.len();
        self.space.add_permits(removed);
        self.changed.notify_waiters();
    }

    /// Moves a result the platform refuses on its own to the dead letters.
    pub fn dead_letter(&self, seq: u64) {
        if let Some((store, _)) = &self.durable
            && let Err(e) = store.dead_letter(seq)
        {
            tracing::error!("cannot mark a dead letter in the engine store: {e}");
        }
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
        // Wakes a producer waiting for space in a full outbox; later pushes are dropped.
        self.space.close();
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

    /// A future that completes at the next change. Enable it (`Notified::enable`) before
    /// reading the state it guards: a change between the read and the first poll is then
    /// not lost (a close missed that way used to hold the final upload a whole batch interval).
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }
}
