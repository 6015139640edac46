//! Reading a collection's next cases ahead, on a thread of idle priority: a case file is read
//! and parsed (an API case into its model) while the collection's current case waits on the
//! network, on a core that would otherwise idle, instead of on the collection's own turn.
//!
//! The runner never waits for it: a case the thread has not finished when its turn comes is
//! read by the runner as before (and whatever the thread then makes of it is dropped). So a
//! machine with no idle core loses nothing but a thread's start, and every error is the one
//! the case would have had when read in its turn.

use crate::bundle::Plan;
use crate::cases::PreparedCase;
use std::sync::{Arc, Condvar, Mutex};

/// How many cases the thread may hold ready ahead of the one that runs: enough to cover a
/// burst of short cases, few enough that the memory they hold does not matter.
const AHEAD: usize = 8;

/// A thread that has read [`AHEAD`] cases sleeps until this many have been taken: one wake-up
/// (a system call, and on a virtual machine an interrupt between cores) per few cases
/// instead of one per case.
const BATCH: usize = 4;

/// The largest case file read ahead; a larger one is read in its turn.
const MAX_BYTES: u64 = 64 * 1024;

/// The case files' bytes a collection may hold read ahead (a parsed case takes a few times its
/// file): with [`MAX_BYTES`], what reading ahead holds stays well under a megabyte per running
/// collection whatever the bundle holds, also at `maxThread` 64.
const HELD_BYTES: u64 = 256 * 1024;

/// Where one case occurrence stands.
enum Slot {
    /// Not read ahead (yet, or at all: the runner reads it in its turn).
    Waiting,
    /// The thread is reading it.
    Reading,
    /// Read ahead, not yet taken, with its file's size.
    Ready(Result<PreparedCase, String>, u64),
    /// The runner has taken it (read ahead or not): whatever the thread makes of it is dropped.
    Taken,
}

struct State {
    slots: Vec<Slot>,
    /// The position the runner takes next; the thread stays within [`AHEAD`] of it.
    next_taken: usize,
    /// The runner has gone (end of the collection, cancellation): the thread stops.
    closed: bool,
    /// Cases the runner took read ahead (the debug log tells how well reading ahead keeps up).
    hits: usize,
    /// The thread sleeps until `next_taken` reaches this.
    wake_at: Option<usize>,
    /// The file bytes of the cases held ready (at most about [`HELD_BYTES`]).
    held: u64,
    /// Finished cases' models handed back, freed by the thread when it next runs (at most the
    /// few taken between two of its wake-ups).
    spent: Vec<Box<dyn std::any::Any + Send>>,
    /// The thread has ended: what is handed back is freed at once.
    reader_gone: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the thread when the runner moves on or goes.
    moved: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The cases of one collection's pass, read ahead in the order they run. Dropping it stops the
/// thread (after the case it is reading, if any); nothing waits for it.
pub struct Lookahead {
    shared: Option<Arc<Shared>>,
}

impl Lookahead {
    /// Starts reading ahead the cases at `positions` of collection `ci` of `plan`. With fewer
    /// than two cases, or when no thread can be had, nothing is read ahead.
    pub fn start(plan: &Arc<Plan>, ci: usize, positions: &[usize]) -> Lookahead {
        if positions.len() < 2 {
            return Lookahead { shared: None };
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                slots: positions.iter().map(|_| Slot::Waiting).collect(),
                next_taken: 0,
                closed: false,
                hits: 0,
                wake_at: None,
                held: 0,
                spent: Vec::new(),
                reader_gone: false,
            }),
            moved: Condvar::new(),
        });
        let (worker, plan, positions) = (shared.clone(), plan.clone(), positions.to_vec());
        let spawned = std::thread::Builder::new()
            .name("case-reader".into())
            .spawn(move || {
                crate::background::at_idle_priority();
                read_ahead(&worker, &plan, ci, &positions);
                let rest = {
                    let mut state = worker.lock();
                    state.reader_gone = true;
                    std::mem::take(&mut state.spent)
                };
                drop(rest);
            });
        match spawned {
            Ok(_) => Lookahead {
                shared: Some(shared),
            },
            Err(e) => {
                tracing::debug!("cases are read in their turn: no thread to read ahead ({e})");
                Lookahead { shared: None }
            }
        }
    }

    /// Hands a finished case's model back to the thread that read it, to be freed there (see
    /// [`crate::cases::Spent`]); freed here when there is no such thread any more.
    pub fn give_back(&self, spent: crate::cases::Spent) {
        let (Some(spent), Some(shared)) = (spent, self.shared.as_ref()) else {
            return;
        };
        let refused = {
            let mut state = shared.lock();
            if state.reader_gone {
                Some(spent)
            } else {
                state.spent.push(spent);
                None
            }
        };
        drop(refused);
    }

    /// The case at ordinal `k` of the positions (taken in order), when it was read ahead;
    /// `None` when the runner is to read it itself. Never waits for the thread.
    pub fn take(&self, k: usize) -> Option<Result<PreparedCase, String>> {
        let shared = self.shared.as_ref()?;
        let mut state = shared.lock();
        state.next_taken = state.next_taken.max(k + 1);
        let slot = state
            .slots
            .get_mut(k)
            .map(|s| std::mem::replace(s, Slot::Taken));
        if let Some(Slot::Ready(_, bytes)) = &slot {
            state.hits += 1;
            state.held = state.held.saturating_sub(*bytes);
        }
        let wake = state.wake_at.is_some_and(|at| state.next_taken >= at);
        if wake {
            state.wake_at = None;
        }
        drop(state);
        if wake {
            shared.moved.notify_one();
        }
        match slot {
            Some(Slot::Ready(prepared, _)) => Some(prepared),
            _ => None,
        }
    }
}

impl Drop for Lookahead {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            let mut state = shared.lock();
            state.closed = true;
            state.wake_at = None;
            tracing::debug!(
                read_ahead = state.hits,
                cases = state.slots.len(),
                "cases read ahead of their turn"
            );
            drop(state);
            shared.moved.notify_one();
        }
    }
}

/// The thread's loop: each waiting case in turn, at most [`AHEAD`] beyond the runner. It
/// starts at the second case: the runner takes the first at once.
fn read_ahead(shared: &Shared, plan: &Plan, ci: usize, positions: &[usize]) {
    let Some(coll) = plan.collections.get(ci) else {
        return;
    };
    let mut k = 1;
    loop {
        // Freed outside the lock.
        let spent = std::mem::take(&mut shared.lock().spent);
        drop(spent);
        let mut state = shared.lock();
        if k >= state.slots.len() {
            return;
        }
        let full = k >= state.next_taken + AHEAD || state.held >= HELD_BYTES;
        if !state.closed && full {
            // Woken when BATCH more have been taken (at most all of them: the runner gets
            // there unless it goes, which wakes the thread too).
            state.wake_at = Some((state.next_taken + BATCH).min(state.slots.len()));
            while state.wake_at.is_some() {
                state = shared.moved.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        }
        if state.closed {
            return;
        }
        k = k.max(state.next_taken);
        let Some(slot) = state.slots.get_mut(k) else {
            return;
        };
        if !matches!(slot, Slot::Waiting) {
            k += 1;
            continue;
        }
        *slot = Slot::Reading;
        drop(state);
        let case = positions.get(k).and_then(|&pos| coll.cases.get(pos));
        let prepared = case.and_then(|case| {
            case.source.read_small(MAX_BYTES).map(|(size, read)| {
                let prepared = read.map(|loaded| crate::cases::prepare(&case.case_type, loaded));
                (prepared, size)
            })
        });
        let mut state = shared.lock();
        if let Some(slot) = state.slots.get_mut(k)
            && matches!(slot, Slot::Reading)
        {
            match prepared {
                Some((p, size)) => {
                    *slot = Slot::Ready(p, size);
                    state.held += size;
                }
                // Too large to hold ahead: read in its turn.
                None => *slot = Slot::Waiting,
            }
        }
        k += 1;
    }
}

#[cfg(test)]
impl Lookahead {
    /// Cases read ahead and not yet taken.
    fn ready(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| {
            s.lock()
                .slots
                .iter()
                .filter(|s| matches!(s, Slot::Ready(..)))
                .count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{CaseSource, PlannedCase, PlannedCollection};
    use std::time::{Duration, Instant};

    fn plan_of(sources: Vec<CaseSource>) -> Arc<Plan> {
        Arc::new(Plan {
            task_id: "t".into(),
            collections: vec![PlannedCollection {
                id: "c".into(),
                cases: sources
                    .into_iter()
                    .enumerate()
                    .map(|(i, source)| PlannedCase {
                        index: i as i64 + 1,
                        case_id: format!("case{i}").as_str().into(),
                        case_type: "API".into(),
                        source,
                    })
                    .collect(),
            }],
            max_thread: 1,
            rerun: false,
            done: Default::default(),
        })
    }

    fn case_file(dir: &std::path::Path, i: usize, padding: usize) -> CaseSource {
        let path = dir.join(format!("case{i}.json"));
        let case = serde_json::json!({
            "caseName": format!("case {i}"), "comment": "x".repeat(padding), "apiList": []
        });
        std::fs::write(&path, serde_json::to_vec(&case).expect("json")).expect("write");
        CaseSource::File(path)
    }

    /// Waits (at most 10 s) until `ahead` holds `n` cases read ahead.
    fn wait_ready(ahead: &Lookahead, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while ahead.ready() < n {
            assert!(
                Instant::now() < deadline,
                "{} of {n} read ahead",
                ahead.ready()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn name_of(prepared: Result<PreparedCase, String>) -> String {
        match prepared {
            Ok(PreparedCase::Api(parsed)) => match *parsed {
                Ok((case, _)) => case.name,
                Err(e) => panic!("parse error: {}", e.message),
            },
            other => panic!("not an API case read ahead: {other:?}"),
        }
    }

    /// A lookahead over `n` small case files, with the folder that holds them.
    fn reading(n: usize) -> (tempfile::TempDir, Lookahead) {
        let dir = tempfile::tempdir().expect("dir");
        let plan = plan_of((0..n).map(|i| case_file(dir.path(), i, 0)).collect());
        let positions: Vec<usize> = (0..n).collect();
        let ahead = Lookahead::start(&plan, 0, &positions);
        (dir, ahead)
    }

    #[test]
    fn each_case_is_read_ahead_once_in_order_and_never_beyond_the_window() {
        let n = 20;
        let (_dir, ahead) = reading(n);
        // The first case is the runner's; the thread fills the window after it and stops.
        wait_ready(&ahead, AHEAD - 1);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            ahead.ready(),
            AHEAD - 1,
            "the thread went beyond its window"
        );
        assert!(
            ahead.take(0).is_none(),
            "the first case is read in its turn"
        );
        for k in 1..n {
            // Taking a batch wakes the thread, which reads the next ones.
            wait_ready(&ahead, 1);
            let prepared = ahead.take(k).expect("read ahead");
            assert_eq!(name_of(prepared), format!("case {k}"));
            assert!(ahead.take(k).is_none(), "a case is taken once");
        }
        assert_eq!(ahead.ready(), 0);
    }

    /// Sends the name of the thread that drops it.
    struct Probe(std::sync::mpsc::Sender<Option<String>>);

    impl Drop for Probe {
        fn drop(&mut self) {
            let _ = self
                .0
                .send(std::thread::current().name().map(str::to_string));
        }
    }

    #[test]
    fn a_finished_case_handed_back_is_freed_by_the_reading_thread() {
        let n = 20;
        let (_dir, ahead) = reading(n);
        wait_ready(&ahead, AHEAD - 1);
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = ahead.take(0);
        ahead.give_back(Some(Box::new(Probe(tx))));
        // Taking a batch wakes the thread, which frees what it was given first.
        for k in 1..=BATCH {
            let _ = ahead.take(k);
        }
        let freed_by = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the model was freed");
        assert_eq!(freed_by.as_deref(), Some("case-reader"));
        // Once the thread has ended, what is handed back is freed at once, here.
        for k in BATCH + 1..n {
            wait_ready(&ahead, 1);
            let _ = ahead.take(k);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ahead.shared.as_ref().is_some_and(|s| s.lock().reader_gone) {
            assert!(Instant::now() < deadline, "the reading thread did not end");
            std::thread::sleep(Duration::from_millis(2));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        ahead.give_back(Some(Box::new(Probe(tx))));
        assert_eq!(
            rx.try_recv().expect("freed at once"),
            std::thread::current().name().map(str::to_string)
        );
    }

    #[test]
    fn a_large_or_missing_case_file_is_left_to_its_turn() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = CaseSource::File(dir.path().join("missing.json"));
        let plan = plan_of(vec![
            case_file(dir.path(), 0, 0),
            case_file(dir.path(), 1, MAX_BYTES as usize + 1),
            missing,
            case_file(dir.path(), 3, 0),
        ]);
        let ahead = Lookahead::start(&plan, 0, &[0, 1, 2, 3]);
        wait_ready(&ahead, 1);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(ahead.ready(), 1);
        assert!(ahead.take(1).is_none(), "a large file is read in its turn");
        assert!(ahead.take(2).is_none(), "a missing file errs in its turn");
        assert_eq!(name_of(ahead.take(3).expect("read ahead")), "case 3");
    }

    #[test]
    fn what_is_held_ahead_stays_within_its_byte_budget() {
        let dir = tempfile::tempdir().expect("dir");
        let n = 20;
        let size = (MAX_BYTES - 1024) as usize;
        let plan = plan_of((0..n).map(|i| case_file(dir.path(), i, size)).collect());
        let positions: Vec<usize> = (0..n).collect();
        let file = std::fs::metadata(dir.path().join("case0.json"))
            .expect("a case file")
            .len();
        let ahead = Lookahead::start(&plan, 0, &positions);
        // Read until the budget is reached, with the case that reaches it.
        let most = usize::try_from(HELD_BYTES.div_ceil(file)).expect("a count");
        wait_ready(&ahead, most);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(ahead.ready(), most, "the thread went beyond its budget");
        assert!(most < AHEAD - 1, "the budget binds before the window");
        for k in 1..n {
            wait_ready(&ahead, 1);
            assert_eq!(
                name_of(ahead.take(k).expect("read ahead")),
                format!("case {k}")
            );
            assert!(ahead.ready() <= most);
        }
    }

    #[test]
    fn a_dropped_lookahead_ends_its_thread_and_a_single_case_starts_none() {
        let dir = tempfile::tempdir().expect("dir");
        let plan = plan_of((0..30).map(|i| case_file(dir.path(), i, 0)).collect());
        let positions: Vec<usize> = (0..30).collect();
        let ahead = Lookahead::start(&plan, 0, &positions);
        wait_ready(&ahead, AHEAD - 1);
        let shared = ahead.shared.clone().expect("a thread");
        drop(ahead);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&shared) > 1 {
            assert!(Instant::now() < deadline, "the thread still runs");
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(Lookahead::start(&plan, 0, &[5]).shared.is_none());
    }
}
