//! A task's results waiting for the platform's acknowledgement. A result leaves only when an
//! upload that carried it succeeded (or it was proven poison and moved to the dead letters).
//! Bounded, by results and by bytes: when full, `push` waits, which slows the run instead of
//! growing memory.
//! With a store, every result is committed to `engine.db` before it is queued for upload and
//! deleted there only when acknowledged, so it survives a crash; the queue in memory mirrors it.

use crate::ids::TaskId;
use crate::platform::wire::{SealedResult, WireCaseResult};
use crate::store::Store;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, Semaphore};

/// A result and its position in the outbox. The result is shared: each upload attempt peeks
/// at the entries without copying their logs.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub result: Arc<SealedResult>,
    /// Kilobytes of the memory budget this entry holds until it leaves.
    kb: usize,
}

#[derive(Debug, Default)]
struct State {
    pending: VecDeque<Entry>,
    /// The JSON bytes of `pending`: a batch is also full by size (see [`Outbox::wake_at`]).
    pending_bytes: usize,
    dead: Vec<Entry>,
    next_seq: u64,
    closed: bool,
}

pub struct Outbox {
    state: Mutex<State>,
    space: Semaphore,
    /// The memory budget in kilobytes of result JSON (see [`Outbox::with_memory_budget`]).
    space_kb: Semaphore,
    max_kb: usize,
    /// A push waits for memory: the uploader should send what it has, not wait for a batch.
    starved: AtomicBool,
    changed: Notify,
    /// See [`Outbox::wake_at`].
    wake_len: AtomicUsize,
    wake_bytes: AtomicUsize,
    /// Results queued so far, and from how many on the run is in its closing stretch (see
    /// [`Outbox::closing_from`]).
    queued: AtomicUsize,
    closing_from: AtomicUsize,
    durable: Option<(Arc<Store>, TaskId)>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("durable", &self.durable.is_some())
            .finish_non_exhaustive()
    }
}

/// Serialises a result for the store and the platform. Plain strings and numbers always
/// serialise; should one ever not, it is logged and left out rather than queued unsendable.
pub fn seal(r: &WireCaseResult) -> Option<SealedResult> {
    match SealedResult::seal(r) {
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
    }
}

/// The memory budget of an outbox built without one: 64 MB of result JSON.
const DEFAULT_MAX_KB: usize = 64 * 1024;

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            space: Semaphore::new(capacity.max(1)),
            space_kb: Semaphore::new(DEFAULT_MAX_KB),
            max_kb: DEFAULT_MAX_KB,
            starved: AtomicBool::new(false),
            changed: Notify::new(),
            wake_len: AtomicUsize::new(1),
            wake_bytes: AtomicUsize::new(usize::MAX),
            queued: AtomicUsize::new(0),
            closing_from: AtomicUsize::new(usize::MAX),
            durable: None,
        }
    }

    /// Bounds the results held in memory to `max_kb` kilobytes of their JSON as well (a single
    /// larger result still goes through, alone): a platform that is down while long cases run
    /// then slows the run instead of filling memory. Every result is in the store before it is
    /// queued, so nothing waits only in memory.
    pub fn with_memory_budget(mut self, max_kb: usize) -> Self {
        let max_kb = max_kb.clamp(1, u32::MAX as usize / 2);
        self.space_kb = Semaphore::new(max_kb);
        self.max_kb = max_kb;
        self
    }

    /// The budget one result takes: its JSON in whole kilobytes, at most the whole budget.
    fn kb_of(&self, result: &SealedResult) -> usize {
        result.json.get().len().div_ceil(1024).clamp(1, self.max_kb)
    }

    /// An outbox backed by the engine store; results already waiting there (a resumed task) are
    /// queued first.
    pub fn durable(capacity: usize, max_kb: usize, store: Arc<Store>, task_id: TaskId) -> Self {
        let mut outbox = Self::new(capacity).with_memory_budget(max_kb);
        match store.pending(&task_id, usize::MAX) {
            Ok(rows) => {
                let mut s = outbox.state.lock().unwrap_or_else(|p| p.into_inner());
                for (seq, result) in rows {
                    s.next_seq = s.next_seq.max(seq + 1);
                    s.pending_bytes += result.json.get().len();
                    // What waited in the store is queued whatever the budget; it holds what
                    // is left of it.
                    let want = outbox.kb_of(&result);
                    let kb = match outbox.space_kb.try_acquire_many(want as u32) {
                        Ok(p) => {
                            p.forget();
                            want
                        }
                        Err(_) => 0,
                    };
                    s.pending.push_back(Entry {
                        seq,
                        result: Arc::new(result),
                        kb,
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
    pub async fn push_many(&self, results: Vec<WireCaseResult<'_>>) {
        let sealed: Vec<SealedResult> = results.iter().filter_map(seal).collect();
        drop(results);
        self.push_sealed(sealed).await;
    }

    /// Adds results already sealed ([`seal`]), as [`Outbox::push_many`] does.
    pub async fn push_sealed(&self, sealed: Vec<SealedResult>) {
        if sealed.is_empty() {
            return;
        }
        let count = sealed.len();
        match self
            .space
            .acquire_many(u32::try_from(count).unwrap_or(u32::MAX))
            .await
        {
            Ok(permit) => permit.forget(),
            // Discarded (the task was stopped): nothing is to be sent any more.
            Err(_) => return,
        }
        let sealed: Vec<Arc<SealedResult>> = sealed.into_iter().map(Arc::new).collect();
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
        let items: Vec<(Option<u64>, Arc<SealedResult>, usize)> = sealed
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let kb = self.kb_of(&r);
                (seqs.as_ref().and_then(|v| v.get(i)).copied(), r, kb)
            })
            .collect();
        let total_kb: usize = items.iter().map(|i| i.2).sum();
        // Usually the whole group fits at once; otherwise each result waits for its share, in
        // order, while those before it are already queued (and can be sent and acknowledged).
        let whole = u32::try_from(total_kb).ok();
        if let Some(p) = whole.and_then(|n| self.space_kb.try_acquire_many(n).ok()) {
            p.forget();
            self.enqueue(items);
            return;
        }
        for item in items {
            let permit = match self.space_kb.try_acquire_many(item.2 as u32) {
                Ok(p) => p,
                Err(_) => {
                    self.starved.store(true, Ordering::Relaxed);
                    self.changed.notify_waiters();
                    let got = self.space_kb.acquire_many(item.2 as u32).await;
                    self.starved.store(false, Ordering::Relaxed);
                    match got {
                        Ok(p) => p,
                        // Discarded meanwhile: nothing is to be sent any more.
                        Err(_) => return,
                    }
                }
            };
            permit.forget();
            self.enqueue(vec![item]);
        }
    }

    /// Queues sealed results (their budget already taken) and wakes the uploader at a batch.
    fn enqueue(&self, items: Vec<(Option<u64>, Arc<SealedResult>, usize)>) {
        let wake = {
            let mut s = self.lock();
            self.queued.fetch_add(items.len(), Ordering::Relaxed);
            for (seq, result, kb) in items {
                let seq = seq.unwrap_or(s.next_seq);
                s.next_seq = s.next_seq.max(seq + 1);
                s.pending_bytes += result.json.get().len();
                s.pending.push_back(Entry { seq, result, kb });
            }
            s.pending.len() >= self.wake_len.load(Ordering::Relaxed)
                || s.pending_bytes >= self.wake_bytes.load(Ordering::Relaxed)
                || self.closing()
        };
        if wake {
            self.changed.notify_waiters();
        }
    }

    /// Pushes wake the uploader only once a batch is full: this many results, or this many
    /// bytes of their JSON, wait. A wake-up per result, on an otherwise idle thread, was a
    /// visible cost per case. Closing, acks and discards always wake it; its timer takes the
    /// rest.
    pub fn wake_at(&self, pending: usize, bytes: usize) {
        self.wake_len.store(pending.max(1), Ordering::Relaxed);
        self.wake_bytes.store(bytes.max(1), Ordering::Relaxed);
    }

    /// The run's closing stretch begins once `queued` results have been queued (the run's
    /// results less one batch): from then on every result is sent as soon as no upload is
    /// under way, so that what is left to send after the last case is a few results, not a
    /// whole batch that the platform then takes milliseconds to read.
    pub fn closing_from(&self, queued: usize) {
        self.closing_from.store(queued, Ordering::Relaxed);
        if self.closing() {
            self.changed.notify_waiters();
        }
    }

    /// Whether the run is in its closing stretch (see [`Outbox::closing_from`]).
    pub fn closing(&self) -> bool {
        self.queued.load(Ordering::Relaxed) >= self.closing_from.load(Ordering::Relaxed)
    }

    /// Whether a whole batch waits: `max` results, or `max_bytes` of their JSON, or as much as
    /// the memory budget holds (a push is waiting for room); in the run's closing stretch, any.
    pub fn holds_batch(&self, max: usize, max_bytes: usize) -> bool {
        let s = self.lock();
        s.pending.len() >= max
            || s.pending_bytes >= max_bytes
            || ((self.starved.load(Ordering::Relaxed) || self.closing()) && !s.pending.is_empty())
    }

    /// The oldest results for one upload, without removing them: at most `max` of them and,
    /// beyond the first, no more than `max_bytes` of JSON in all (a single larger result goes
    /// on its own).
    pub fn peek_batch(&self, max: usize, max_bytes: usize) -> Vec<Entry> {
        let s = self.lock();
        let mut bytes = 0usize;
        let mut batch = Vec::new();
        for e in s.pending.iter().take(max) {
            let len = e.result.json.get().len();
            if !batch.is_empty() && bytes.saturating_add(len) > max_bytes {
                break;
            }
            bytes = bytes.saturating_add(len);
            batch.push(e.clone());
        }
        batch
    }

    /// Adds one result (see `push_many`).
    pub async fn push(&self, result: WireCaseResult<'_>) {
        self.push_many(vec![result]).await;
    }

    /// The oldest results, without removing them.
    pub fn peek(&self, max: usize) -> Vec<Entry> {
        self.lock().pending.iter().take(max).cloned().collect()
    }

    /// Removes acknowledged results: from memory, then from the store, then their room is
    /// given back.
    pub async fn ack(&self, seqs: &[u64]) {
        let wanted: std::collections::HashSet<u64> = seqs.iter().copied().collect();
        let acked: Vec<Entry> = {
            let mut s = self.lock();
            let (gone, kept): (VecDeque<Entry>, VecDeque<Entry>) = std::mem::take(&mut s.pending)
                .into_iter()
                .partition(|e| wanted.contains(&e.seq));
            s.pending = kept;
            let gone_bytes: usize = gone.iter().map(|e| e.result.json.get().len()).sum();
            s.pending_bytes = s.pending_bytes.saturating_sub(gone_bytes);
            gone.into()
        };
        if let Some((store, task)) = &self.durable {
            // On a blocking thread: the store's commit writes its log, and waits for the
            // connection while a group of results is being committed.
            let seqs: Vec<u64> = acked.iter().map(|e| e.seq).collect();
            let (store, task) = (store.clone(), task.clone());
            match tokio::task::spawn_blocking(move || store.ack(&task, &seqs)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::error!("cannot remove acknowledged results from the engine store: {e}")
                }
                Err(e) => tracing::error!("the store's acknowledgement failed: {e}"),
            }
        }
        let removed = acked.len();
        self.space.add_permits(removed);
        self.space_kb.add_permits(acked.iter().map(|e| e.kb).sum());
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
                Some(pos) => s.pending.remove(pos).map(|e| {
                    s.pending_bytes = s.pending_bytes.saturating_sub(e.result.json.get().len());
                    let kb = e.kb;
                    s.dead.push(e);
                    kb
                }),
                None => None,
            }
        };
        if let Some(kb) = moved {
            self.space.add_permits(1);
            self.space_kb.add_permits(kb);
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
        let (n, kb) = {
            let mut s = self.lock();
            s.closed = true;
            let n = s.pending.len();
            let kb = s.pending.iter().map(|e| e.kb).sum();
            s.pending.clear();
            s.pending_bytes = 0;
            (n, kb)
        };
        self.space.add_permits(n);
        self.space_kb.add_permits(kb);
        // Wakes a producer waiting for space in a full outbox; later pushes are dropped.
        self.space.close();
        self.space_kb.close();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A result whose case name makes its JSON about `size` bytes long.
    fn result(index: i64, size: usize) -> WireCaseResult<'static> {
        WireCaseResult {
            status: 0,
            start_time: 1,
            end_time: 2,
            collection_id: "c1".into(),
            case_id: "k1".into(),
            case_type: "API".into(),
            case_name: "x".repeat(size).into(),
            case_desc: None,
            index,
            run_times: 1,
            transactions: Vec::new(),
        }
    }

    fn indexes(batch: &[Entry]) -> Vec<i64> {
        batch.iter().map(|e| e.result.key.index).collect()
    }

    #[tokio::test]
    async fn a_batch_is_full_by_count_or_by_bytes_and_a_big_result_goes_alone() {
        let outbox = Outbox::new(100);
        for i in 0..3 {
            outbox.push(result(i, 1000)).await;
        }
        assert!(!outbox.holds_batch(10, 10_000));
        assert!(outbox.holds_batch(3, 10_000), "full by count");
        assert!(outbox.holds_batch(10, 2_500), "full by bytes");
        assert_eq!(indexes(&outbox.peek_batch(10, 10_000)), [0, 1, 2]);
        assert_eq!(indexes(&outbox.peek_batch(2, 10_000)), [0, 1]);
        // Each result is a little over 1,000 bytes: two do not fit in 2,100.
        assert_eq!(indexes(&outbox.peek_batch(10, 2_100)), [0]);
        assert_eq!(indexes(&outbox.peek_batch(10, 2_500)), [0, 1]);
        // A result larger than the budget still goes, on its own.
        assert_eq!(indexes(&outbox.peek_batch(10, 10)), [0]);
        // Acknowledged results no longer count.
        outbox.ack(&[0, 1]).await;
        assert!(!outbox.holds_batch(10, 2_500));
        assert!(outbox.holds_batch(10, 1_000));
        outbox.dead_letter(2);
        assert!(!outbox.holds_batch(10, 1));
        assert!(outbox.peek_batch(10, 10).is_empty());
    }

    #[tokio::test]
    async fn memory_is_bounded_by_bytes_and_a_waiting_push_asks_for_an_upload() {
        let outbox = Arc::new(Outbox::new(100).with_memory_budget(3));
        // Each result is under 1,024 bytes: one kilobyte of the budget each.
        assert_eq!(
            outbox.kb_of(&SealedResult::seal(&result(0, 700)).expect("seal")),
            1
        );
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            outbox.push_many(vec![result(0, 700), result(1, 700)]),
        )
        .await
        .expect("two kilobytes fit in three");
        assert!(!outbox.holds_batch(100, usize::MAX));
        let pusher = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.push_many(vec![result(2, 700), result(3, 700)]).await }
        });
        // Result 2 takes the last kilobyte; result 3 waits for room, and the uploader is told to
        // send what it has.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !outbox.holds_batch(100, usize::MAX) {
            assert!(
                std::time::Instant::now() < deadline,
                "the push never waited"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(indexes(&outbox.peek_batch(100, usize::MAX)), [0, 1, 2]);
        assert!(!pusher.is_finished());
        outbox.ack(&[0]).await;
        tokio::time::timeout(std::time::Duration::from_secs(5), pusher)
            .await
            .expect("the push goes on once a result is acknowledged")
            .expect("push");
        assert_eq!(indexes(&outbox.peek_batch(100, usize::MAX)), [1, 2, 3]);
        assert!(
            !outbox.holds_batch(100, usize::MAX),
            "no push waits any more"
        );
        // A result larger than the whole budget still goes, alone, once the rest has left.
        outbox.ack(&[1, 2, 3]).await;
        tokio::time::timeout(
            std::time::Duration::from_secs(5),
            outbox.push(result(4, 10_000)),
        )
        .await
        .expect("a big result is not held back for ever");
        assert_eq!(indexes(&outbox.peek_batch(100, usize::MAX)), [4]);
    }

    #[tokio::test]
    async fn a_push_waiting_for_memory_ends_when_the_task_is_discarded() {
        let outbox = Arc::new(Outbox::new(100).with_memory_budget(1));
        outbox.push(result(0, 700)).await;
        let pusher = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.push(result(1, 700)).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!pusher.is_finished(), "no room: the push waits");
        outbox.discard();
        tokio::time::timeout(std::time::Duration::from_secs(5), pusher)
            .await
            .expect("a discarded outbox releases a waiting push")
            .expect("push");
        assert!(outbox.is_empty());
    }

    #[tokio::test]
    async fn pushes_wake_the_uploader_when_a_batch_is_full_by_bytes() {
        let outbox = Outbox::new(100);
        outbox.wake_at(100, 3_000);
        let mut first = Box::pin(outbox.changed());
        first.as_mut().enable();
        outbox.push(result(0, 1000)).await;
        outbox.push(result(1, 1000)).await;
        assert!(
            futures_util::FutureExt::now_or_never(first.as_mut()).is_none(),
            "2,000 bytes of 3,000: no wake-up yet"
        );
        outbox.push(result(2, 1000)).await;
        assert!(
            futures_util::FutureExt::now_or_never(first.as_mut()).is_some(),
            "3,000 bytes: the uploader is woken"
        );
    }

    #[tokio::test]
    async fn in_the_closing_stretch_any_result_is_a_batch_and_wakes_the_uploader() {
        let outbox = Outbox::new(100);
        outbox.wake_at(100, usize::MAX);
        outbox.closing_from(3);
        for i in 0..2 {
            outbox.push(result(i, 100)).await;
        }
        assert!(
            !outbox.holds_batch(100, usize::MAX),
            "2 results queued of the 3 before the closing stretch"
        );
        let mut woken = Box::pin(outbox.changed());
        woken.as_mut().enable();
        outbox.push(result(2, 100)).await;
        assert!(
            futures_util::FutureExt::now_or_never(woken.as_mut()).is_some(),
            "the third result starts the closing stretch: the uploader is woken"
        );
        assert!(outbox.holds_batch(100, usize::MAX));
        outbox.ack(&[0, 1, 2]).await;
        assert!(!outbox.holds_batch(100, usize::MAX), "nothing waits");
        let mut woken = Box::pin(outbox.changed());
        woken.as_mut().enable();
        outbox.push(result(3, 100)).await;
        assert!(futures_util::FutureExt::now_or_never(woken.as_mut()).is_some());
        assert_eq!(indexes(&outbox.peek_batch(100, usize::MAX)), [3]);
        // Set when the stretch has already begun (a task smaller than one batch), it wakes the
        // uploader at once.
        let small = Outbox::new(100);
        small.push(result(0, 100)).await;
        assert!(!small.holds_batch(100, usize::MAX));
        small.closing_from(0);
        assert!(small.holds_batch(100, usize::MAX));
    }
}
