//! The engine's own state in one SQLite file (`data/engine.db`, WAL mode, zero configuration):
//! the tasks it accepted, the result outbox and which case occurrences already have a result.
//! A result is committed here before it is uploaded and deleted only after the platform
//! acknowledged it (the Vector disk-buffer rule), so a crash at any instant loses nothing.
//!
//! `synchronous = NORMAL` in WAL mode: a commit survives a killed process (what the engine must
//! survive); only a power loss can drop the last commits. Writes come in batches (one
//! transaction for many results) so the store costs little per step, and the log is copied back
//! into the database by a background checkpoint (`checkpoint`), not inside a commit.

mod checkpoint;
mod lifecycle;
mod packed;
mod screenshots;

pub use lifecycle::{DiskGuardRecord, JobRecord, Maintenance};
pub use screenshots::StoredScreenshot;

use crate::ids::TaskId;
use crate::platform::wire::SealedResult;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS task (
    task_id     TEXT PRIMARY KEY,
    task_json   TEXT NOT NULL,
    state       TEXT NOT NULL,
    accepted_ms INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS case_result (
    task_id       TEXT NOT NULL,
    collection_id TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    run_times     INTEGER NOT NULL,
    status        INTEGER NOT NULL,
    acked         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, collection_id, idx, run_times)
);
CREATE TABLE IF NOT EXISTS outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     TEXT NOT NULL,
    result_json TEXT NOT NULL,
    dead        INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_task ON outbox (task_id, dead, seq);
CREATE TABLE IF NOT EXISTS totals (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("engine store {path}: {reason}")]
    Sqlite { path: String, reason: String },
    #[error(
        "engine store {path}: written by a newer engine (schema {found}, this engine knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("engine store: a stored result does not parse: {0}")]
    Corrupt(String),
}

/// Where a task stands, as far as a restart is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Cases still run or results still go up.
    Running,
    /// Every result is acknowledged; only `complete` is left.
    Completing,
}

impl TaskState {
    fn as_str(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Completing => "completing",
        }
    }

    fn parse(s: &str) -> TaskState {
        if s == "completing" {
            TaskState::Completing
        } else {
            TaskState::Running
        }
    }
}

/// A task as stored.
#[derive(Debug, Clone)]
pub struct StoredTask {
    pub task_id: TaskId,
    pub task_json: String,
    pub state: TaskState,
    pub accepted_ms: i64,
}

/// What `liuma-engine status` shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// (task, results recorded, results acknowledged)
    pub tasks: Vec<(String, i64, i64)>,
    pub outbox_pending: i64,
    pub outbox_dead: i64,
    pub last_contact_ms: Option<i64>,
    pub results_total: i64,
    pub tasks_completed: i64,
}

pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// Set while a background checkpoint runs (the commit hook holds the other handle; the
    /// tests wait on this one).
    #[cfg_attr(not(test), allow(dead_code))]
    checkpointing: Arc<AtomicBool>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }

    /// Opens (creating when missing) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |e: rusqlite::Error| StoreError::Sqlite {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        let checkpointing = Arc::new(AtomicBool::new(false));
        checkpoint::install(&mut conn, path, checkpointing.clone()).map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        conn.execute_batch(screenshots::SCHEMA).map_err(fail)?;
        conn.execute_batch(lifecycle::SCHEMA).map_err(fail)?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(fail)?;
        match version.and_then(|v| v.parse::<i64>().ok()) {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::TooNew {
                    path: path.display().to_string(),
                    found: v,
                    known: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )
                .map_err(fail)?;
            }
        }
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            checkpointing,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a fetched task before anything else happens to it.
    pub fn accept_task(&self, task_id: &TaskId, task_json: &str) -> Result<(), StoreError> {
        let now = now_ms();
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO task (task_id, task_json, state, accepted_ms, updated_ms) VALUES (?1, ?2, 'running', ?3, ?3)",
                params![task_id.as_str(), task_json, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn set_task_state(&self, task_id: &TaskId, state: TaskState) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "UPDATE task SET state = ?2, updated_ms = ?3 WHERE task_id = ?1",
                params![task_id.as_str(), state.as_str(), now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Forgets a finished (completed or stopped) task and everything recorded for it.
    pub fn finish_task(&self, task_id: &TaskId, completed: bool) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        for sql in [
            "DELETE FROM outbox WHERE task_id = ?1",
            "DELETE FROM case_result WHERE task_id = ?1",
            "DELETE FROM task WHERE task_id = ?1",
        ] {
            tx.execute(sql, params![task_id.as_str()])
                .map_err(|e| self.err(e))?;
        }
        if completed {
            bump(&tx, "tasks_completed", 1).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Tasks accepted and not finished, oldest first (what a restart resumes).
    pub fn unfinished_tasks(&self) -> Result<Vec<StoredTask>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT task_id, task_json, state, accepted_ms FROM task ORDER BY accepted_ms, task_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredTask {
                    task_id: TaskId(r.get(0)?),
                    task_json: r.get(1)?,
                    state: TaskState::parse(&r.get::<_, String>(2)?),
                    accepted_ms: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Commits results to the outbox in one transaction; returns their sequence numbers.
    pub fn record_results<R: std::borrow::Borrow<SealedResult>>(
        &self,
        task_id: &TaskId,
        results: &[R],
    ) -> Result<Vec<u64>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let mut seqs = Vec::with_capacity(results.len());
        {
            let mut outbox = tx
                .prepare_cached(
                    "INSERT INTO outbox (task_id, result_json, created_ms) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| self.err(e))?;
            let mut case = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO case_result (task_id, collection_id, idx, run_times, status, acked) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                )
                .map_err(|e| self.err(e))?;
            let now = now_ms();
            let mut packer = packed::Packer::default();
            for r in results {
                let r: &SealedResult = r.borrow();
                let json = r.json.get();
                // Packed as a BLOB (see `packed`); short ones, or one that could not be packed,
                // as the JSON text.
                let blob = (json.len() >= packed::PACK_FROM)
                    .then(|| packer.pack(json))
                    .flatten();
                let row = rusqlite::types::ToSqlOutput::Borrowed(match blob {
                    Some(blob) => rusqlite::types::ValueRef::Blob(blob),
                    None => rusqlite::types::ValueRef::Text(json.as_bytes()),
                });
                outbox
                    .execute(params![task_id.as_str(), row, now])
                    .map_err(|e| self.err(e))?;
                seqs.push(u64::try_from(tx.last_insert_rowid()).unwrap_or(0));
                let k = &r.key;
                case.execute(params![
                    task_id.as_str(),
                    k.collection_id.as_str(),
                    k.index,
                    k.run_times,
                    k.status
                ])
                .map_err(|e| self.err(e))?;
            }
        }
        bump(&tx, "results_total", results.len() as i64).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(seqs)
    }

    /// The oldest results of `task_id` not yet acknowledged (dead letters excluded).
    pub fn pending(
        &self,
        task_id: &TaskId,
        limit: usize,
    ) -> Result<Vec<(u64, SealedResult)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT seq, result_json FROM outbox WHERE task_id = ?1 AND dead = 0 ORDER BY seq LIMIT ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![task_id.as_str(), limit as i64], |r| {
                let json = match r.get_ref(1)? {
                    rusqlite::types::ValueRef::Blob(b) => {
                        packed::unpack(b).map_err(|e| e.to_string())
                    }
                    other => other
                        .as_str()
                        .map(str::to_string)
                        .map_err(|e| e.to_string()),
                };
                Ok((r.get::<_, i64>(0)?, json))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, json) = row.map_err(|e| self.err(e))?;
            let json = json.map_err(|e| StoreError::Corrupt(format!("outbox row {seq}: {e}")))?;
            let result =
                SealedResult::from_json(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.push((u64::try_from(seq).unwrap_or(0), result));
        }
        Ok(out)
    }

    /// Deletes acknowledged results: one statement per run of consecutive sequence numbers
    /// (an upload's results are usually one run), not one per result. A case occurrence counts
    /// as acknowledged once its result has left the outbox ([`Store::summary`]), so nothing
    /// else is written.
    pub fn ack(&self, task_id: &TaskId, seqs: &[u64]) -> Result<(), StoreError> {
        let mut seqs: Vec<i64> = seqs
            .iter()
            .map(|s| i64::try_from(*s).unwrap_or(i64::MAX))
            .collect();
        seqs.sort_unstable();
        seqs.dedup();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        {
            let mut delete = tx.prepare_cached(ACK_RUN).map_err(|e| self.err(e))?;
            for (first, last) in consecutive_runs(&seqs) {
                delete
                    .execute(params![task_id.as_str(), first, last])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Keeps a result the platform refuses on its own, without sending it again.
    pub fn dead_letter(&self, seq: u64) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "UPDATE outbox SET dead = 1 WHERE seq = ?1",
                params![i64::try_from(seq).unwrap_or(i64::MAX)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Case occurrences (collection, index, runTimes) that already have a result, acknowledged
    /// or waiting in the outbox: a resumed task does not run them again.
    pub fn recorded_cases(
        &self,
        task_id: &TaskId,
    ) -> Result<HashMap<(String, i64, u32), i64>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT collection_id, idx, run_times, status FROM case_result WHERE task_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![task_id.as_str()], |r| {
                Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))
    }

    pub fn set_last_contact(&self, ms: i64) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_contact_ms', ?1)",
                params![ms.to_string()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn summary(&self) -> Result<Summary, StoreError> {
        let conn = self.lock();
        let count = |sql: &str| -> Result<i64, StoreError> {
            conn.query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let total = |key: &str| -> Result<i64, StoreError> {
            conn.query_row(
                "SELECT value FROM totals WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0))
            .map_err(|e| self.err(e))
        };
        let mut stmt = conn
            .prepare(
                "SELECT t.task_id,
                        (SELECT COUNT(*) FROM case_result c WHERE c.task_id = t.task_id),
                        max(0, (SELECT COUNT(*) FROM case_result c WHERE c.task_id = t.task_id)
                               - (SELECT COUNT(*) FROM outbox o WHERE o.task_id = t.task_id))
                 FROM task t ORDER BY t.accepted_ms",
            )
            .map_err(|e| self.err(e))?;
        let tasks = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        let last_contact_ms = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_contact_ms'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .and_then(|v| v.parse().ok());
        Ok(Summary {
            tasks,
            outbox_pending: count("SELECT COUNT(*) FROM outbox WHERE dead = 0")?,
            outbox_dead: count("SELECT COUNT(*) FROM outbox WHERE dead = 1")?,
            last_contact_ms,
            results_total: total("results_total")?,
            tasks_completed: total("tasks_completed")?,
        })
    }
}

/// Deletes one run of acknowledged results. The run is found by the sequence numbers (the
/// table's rowid); `+task_id` keeps SQLite from choosing the task's index instead, which made
/// each acknowledgement read every result of the task still waiting (62 ms for one result
/// among thousands, against 0.03 ms).
const ACK_RUN: &str = "DELETE FROM outbox WHERE seq BETWEEN ?2 AND ?3 AND +task_id = ?1";

/// `(first, last)` of each run of consecutive numbers in `sorted` (sorted, no repeats).
fn consecutive_runs(sorted: &[i64]) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &n in sorted {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(n) => *last = n,
            _ => runs.push((n, n)),
        }
    }
    runs
}

fn bump(tx: &rusqlite::Transaction<'_>, key: &str, by: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO totals (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = value + ?2",
    )?
    .execute(params![key, by])
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(coll: &str, index: i64, run_times: u32) -> SealedResult {
        SealedResult::sample(coll, index, run_times)
    }

    #[test]
    fn the_write_ahead_log_stays_bounded_without_checkpoints_inside_commits() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("engine.db");
        let s = Store::open(&path).expect("open");
        let payload = "x".repeat(8000);
        // Commits in bursts, as results and acknowledgements come: about 6,000 log pages
        // (24 MB) if nothing ever copied the log back, 4,000 if only the commits' own
        // fallback did. Between bursts the test lets a running background checkpoint finish
        // (bounded): on a loaded machine (CI runs tests side by side) its thread may not be
        // scheduled within a burst's pause, and the log then grows to the fallback's bound,
        // which is by design and not what this test is about.
        let settle = |s: &Store| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while s.checkpointing.load(std::sync::atomic::Ordering::Acquire)
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        for _ in 0..50 {
            for _ in 0..30 {
                s.lock()
                    .execute(
                        "INSERT INTO outbox (task_id, result_json, created_ms) VALUES ('t', ?1, 0)",
                        params![payload],
                    )
                    .expect("insert");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            settle(&s);
        }
        settle(&s);
        let wal = std::fs::metadata(dir.path().join("engine.db-wal"))
            .expect("the store is in WAL mode")
            .len();
        assert!(
            wal < 12 * 1024 * 1024,
            "the log grew to {wal} bytes: the background checkpoint did not keep up"
        );
        let rows: i64 = s
            .lock()
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 1500);
    }

    #[test]
    fn results_survive_reopening_until_acknowledged() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("engine.db");
        let task = TaskId("t1".into());
        {
            let s = Store::open(&path).expect("open");
            s.accept_task(&task, "{\"taskId\":\"t1\"}").expect("accept");
            let seqs = s
                .record_results(
                    &task,
                    &[result("c", 1, 1), result("c", 2, 1), result("c", 3, 1)],
                )
                .expect("record");
            s.ack(&task, &[seqs[0]]).expect("ack");
        }
        // As after a crash: a new process opens the same file.
        let s = Store::open(&path).expect("reopen");
        let pending = s.pending(&task, 10).expect("pending");
        assert_eq!(
            pending.iter().map(|(_, r)| r.key.index).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert_eq!(s.recorded_cases(&task).expect("cases").len(), 3);
        let tasks = s.unfinished_tasks().expect("tasks");
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].state, TaskState::Running);
        let sum = s.summary().expect("summary");
        assert_eq!(sum.outbox_pending, 2);
        assert_eq!(sum.tasks, vec![("t1".to_string(), 3, 1)]);
        assert_eq!(sum.results_total, 3);
    }

    #[test]
    fn acknowledging_deletes_exactly_the_acknowledged_rows() {
        assert_eq!(consecutive_runs(&[]), vec![]);
        assert_eq!(
            consecutive_runs(&[1, 2, 3, 5, 7, 8, i64::MAX]),
            vec![(1, 3), (5, 5), (7, 8), (i64::MAX, i64::MAX)]
        );
        let dir = tempfile::tempdir().expect("tmp");
        let s = Store::open(&dir.path().join("engine.db")).expect("open");
        let (a, b) = (TaskId("a".into()), TaskId("b".into()));
        s.accept_task(&a, "{}").expect("accept");
        s.accept_task(&b, "{}").expect("accept");
        // Two tasks' results interleave in the sequence; a dead letter sits among them.
        let mut mine = Vec::new();
        for i in 0..6 {
            mine.extend(s.record_results(&a, &[result("c", i, 1)]).expect("a"));
            s.record_results(&b, &[result("c", i, 1)]).expect("b");
        }
        s.dead_letter(mine[2]).expect("dead");
        let acked = [mine[0], mine[1], mine[3], mine[4]];
        s.ack(&a, &acked).expect("ack");
        let left: Vec<i64> = s
            .pending(&a, 10)
            .expect("pending")
            .iter()
            .map(|(_, r)| r.key.index)
            .collect();
        assert_eq!(left, vec![5]);
        assert_eq!(s.pending(&b, 10).expect("b").len(), 6);
        let mut sum = s.summary().expect("summary");
        assert_eq!(sum.outbox_dead, 1);
        sum.tasks.sort();
        assert_eq!(
            sum.tasks,
            vec![("a".to_string(), 6, 4), ("b".to_string(), 6, 0)]
        );
    }

    #[test]
    fn an_acknowledgement_finds_its_rows_by_their_sequence_numbers() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Store::open(&dir.path().join("engine.db")).expect("open");
        let plan: String = s
            .lock()
            .query_row(
                &format!("EXPLAIN QUERY PLAN {ACK_RUN}"),
                params!["t", 1, 2],
                |r| r.get(3),
            )
            .expect("plan");
        assert!(plan.contains("INTEGER PRIMARY KEY"), "{plan}");
    }

    /// A result with steps' logs, long enough to be packed.
    fn long_result(index: i64) -> SealedResult {
        let mut r = crate::platform::wire::WireCaseResult::sample("c", index, 1);
        r.transactions = (0..5)
            .map(|i| crate::platform::wire::WireTransaction {
                id: format!("api-{i}").into(),
                name: format!("步骤 {i}").into(),
                content: "/api/items/{{n}}".into(),
                description: None,
                log: "2026-11-24 05:18:56.104887 - Debug - 【请求信息】:<br>POST http://127.0.0.1/api<br>"
                    .repeat(4)
                    .into(),
                during: 1,
                status: 0,
                screenshots: Vec::new(),
            })
            .collect();
        SealedResult::seal(&r).expect("seal")
    }

    #[test]
    fn long_results_are_kept_packed_and_come_back_byte_for_byte() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("engine.db");
        let task = TaskId("t1".into());
        let (long, short) = (long_result(1), result("c", 2, 1));
        assert!(long.json.get().len() >= packed::PACK_FROM);
        assert!(short.json.get().len() < packed::PACK_FROM);
        {
            let s = Store::open(&path).expect("open");
            s.accept_task(&task, "{}").expect("accept");
            s.record_results(&task, &[long.clone(), short.clone()])
                .expect("record");
            // A row as an engine before packing wrote it: the JSON as text.
            s.lock()
                .execute(
                    "INSERT INTO outbox (task_id, result_json, created_ms) VALUES ('t1', ?1, 0)",
                    params![long_result(3).json.get()],
                )
                .expect("insert");
            let (kinds, bytes): (String, i64) = s
                .lock()
                .query_row(
                    "SELECT group_concat(typeof(result_json)), sum(length(result_json)) FROM outbox",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .expect("kinds");
            assert_eq!(kinds, "blob,text,text");
            let plain = (long.json.get().len() * 2 + short.json.get().len()) as i64;
            assert!(
                bytes < plain * 3 / 4,
                "{bytes} bytes stored for {plain} of JSON"
            );
        }
        let s = Store::open(&path).expect("reopen");
        let pending = s.pending(&task, 10).expect("pending");
        let texts: Vec<&str> = pending.iter().map(|(_, r)| r.json.get()).collect();
        assert_eq!(
            texts,
            vec![long.json.get(), short.json.get(), long_result(3).json.get()]
        );
        // A damaged packed row is named, not a panic.
        s.lock()
            .execute(
                "UPDATE outbox SET result_json = X'4C5A3401FFFFFF7F00' WHERE seq = 1",
                [],
            )
            .expect("damage");
        let err = s.pending(&task, 10).expect_err("damaged");
        assert!(err.to_string().contains("outbox row 1"), "{err}");
    }

    #[test]
    fn dead_letters_leave_the_queue_and_finishing_forgets_the_task() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Store::open(&dir.path().join("engine.db")).expect("open");
        let task = TaskId("t".into());
        s.accept_task(&task, "{}").expect("accept");
        let seqs = s
            .record_results(&task, &[result("c", 1, 1), result("c", 1, 2)])
            .expect("record");
        s.dead_letter(seqs[0]).expect("dead");
        assert_eq!(s.pending(&task, 10).expect("pending").len(), 1);
        assert_eq!(s.summary().expect("summary").outbox_dead, 1);
        s.set_task_state(&task, TaskState::Completing)
            .expect("state");
        assert_eq!(
            s.unfinished_tasks().expect("tasks")[0].state,
            TaskState::Completing
        );
        s.finish_task(&task, true).expect("finish");
        assert!(s.unfinished_tasks().expect("tasks").is_empty());
        let sum = s.summary().expect("summary");
        assert_eq!(
            (sum.outbox_pending, sum.outbox_dead, sum.tasks_completed),
            (0, 0, 1)
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("engine.db");
        {
            let s = Store::open(&path).expect("open");
            s.lock()
                .execute(
                    "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                    [],
                )
                .expect("update");
        }
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
