//! What the lifecycle jobs report, kept in the store so that `liuma-engine status` (another
//! process) sees each job's last run and the disk guard while the agent runs (WAL readers do
//! not block the writer). Also the store's own housekeeping: prune, checkpoint, `VACUUM`.

use super::{Store, StoreError};
use rusqlite::{OptionalExtension, params};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS lifecycle_job (
    name          TEXT PRIMARY KEY,
    last_start_ms INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    ok            INTEGER NOT NULL,
    message       TEXT NOT NULL,
    runs          INTEGER NOT NULL,
    failures      INTEGER NOT NULL
);
";

/// The last run of one lifecycle job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub name: String,
    pub last_start_ms: i64,
    pub duration_ms: i64,
    pub ok: bool,
    /// What the job did, or why it failed.
    pub message: String,
    pub runs: i64,
    pub failures: i64,
}

/// The disk guard as last decided by the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskGuardRecord {
    pub active: bool,
    pub free_bytes: u64,
    pub min_free_bytes: u64,
    pub checked_ms: i64,
}

/// What one store maintenance run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintenance {
    /// Rows of tasks the store no longer holds (results, screenshots) that were removed.
    pub pruned_rows: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

impl Store {
    /// Records a job's run (upsert; counters accumulate).
    pub fn record_job(
        &self,
        name: &str,
        start_ms: i64,
        duration_ms: i64,
        ok: bool,
        message: &str,
    ) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO lifecycle_job (name, last_start_ms, duration_ms, ok, message, runs, failures)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
                 ON CONFLICT(name) DO UPDATE SET last_start_ms = ?2, duration_ms = ?3, ok = ?4,
                     message = ?5, runs = runs + 1, failures = failures + ?6",
                params![name, start_ms, duration_ms, ok, message, i64::from(!ok)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Every job that ran at least once, by name.
    pub fn jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT name, last_start_ms, duration_ms, ok, message, runs, failures FROM lifecycle_job ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(JobRecord {
                    name: r.get(0)?,
                    last_start_ms: r.get(1)?,
                    duration_ms: r.get(2)?,
                    ok: r.get(3)?,
                    message: r.get(4)?,
                    runs: r.get(5)?,
                    failures: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    pub fn set_disk_guard(&self, g: &DiskGuardRecord) -> Result<(), StoreError> {
        let text = format!(
            "{} {} {} {}",
            u8::from(g.active),
            g.free_bytes,
            g.min_free_bytes,
            g.checked_ms
        );
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('disk_guard', ?1)",
                params![text],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn disk_guard(&self) -> Result<Option<DiskGuardRecord>, StoreError> {
        let text: Option<String> = self
            .lock()
            .query_row("SELECT value FROM meta WHERE key = 'disk_guard'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(text.and_then(|t| {
            let parts: Vec<&str> = t.split(' ').collect();
            match parts.as_slice() {
                [a, f, m, c] => Some(DiskGuardRecord {
                    active: *a == "1",
                    free_bytes: f.parse().ok()?,
                    min_free_bytes: m.parse().ok()?,
                    checked_ms: c.parse().ok()?,
                }),
                _ => None,
            }
        }))
    }

    /// Task ids the store holds (accepted, not finished): their folders must stay.
    pub fn task_ids(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT task_id FROM task")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Ids of the screenshots not yet acknowledged by the platform: never purged.
    pub fn screenshot_ids(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT id FROM screenshot")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Removes acknowledged case rows of tasks the store no longer holds (outbox rows waiting
    /// for upload are never touched), then checkpoints the WAL and rebuilds the file.
    pub fn maintain(&self) -> Result<Maintenance, StoreError> {
        let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let wal = self.path.with_extension("db-wal");
        let bytes_before = size(&self.path) + size(&wal);
        let conn = self.lock();
        let pruned_rows = conn
            .execute(
                // `acked` is set by engines before results left the outbox by runs of
                // sequence numbers; since then a row is acknowledged when its task has no
                // result waiting.
                "DELETE FROM case_result WHERE task_id NOT IN (SELECT task_id FROM task)
                 AND (acked = 1 OR task_id NOT IN (SELECT task_id FROM outbox))",
                [],
            )
            .map_err(|e| self.err(e))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| self.err(e))?;
        conn.execute_batch("VACUUM").map_err(|e| self.err(e))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| self.err(e))?;
        drop(conn);
        Ok(Maintenance {
            pruned_rows,
            bytes_before,
            bytes_after: size(&self.path) + size(&wal),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TaskId;
    use crate::platform::wire::SealedResult;

    fn result(index: i64) -> SealedResult {
        SealedResult::sample("c", index, 1)
    }

    #[test]
    fn maintenance_never_touches_what_a_held_task_still_needs() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Store::open(&dir.path().join("engine.db")).expect("open");
        let task = TaskId("held".into());
        s.accept_task(&task, "{}").expect("accept");
        let seqs = s
            .record_results(&task, &[result(1), result(2), result(3)])
            .expect("record");
        s.ack(&task, &[seqs[0]]).expect("ack");
        s.record_screenshot("held", "20260101_a", "/x/a.png")
            .expect("shot");
        // An acknowledged row of a task the store no longer holds: prunable.
        s.lock()
            .execute(
                "INSERT INTO case_result (task_id, collection_id, idx, run_times, status, acked) VALUES ('gone', 'c', 1, 1, 0, 1)",
                [],
            )
            .expect("orphan");
        let m = s.maintain().expect("maintain");
        assert_eq!(m.pruned_rows, 1);
        assert_eq!(s.pending(&task, 10).expect("pending").len(), 2);
        assert_eq!(s.recorded_cases(&task).expect("cases").len(), 3);
        assert_eq!(s.screenshot_ids().expect("ids"), vec!["20260101_a"]);
        assert_eq!(s.task_ids().expect("tasks"), vec!["held"]);
    }

    #[test]
    fn job_runs_and_the_disk_guard_are_readable_by_another_connection() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("engine.db");
        let s = Store::open(&path).expect("open");
        s.record_job("purge", 1000, 5, true, "done").expect("job");
        s.record_job("purge", 2000, 7, false, "broken")
            .expect("job");
        let g = DiskGuardRecord {
            active: true,
            free_bytes: 10,
            min_free_bytes: 20,
            checked_ms: 3000,
        };
        s.set_disk_guard(&g).expect("guard");
        // As `liuma-engine status` does while the agent runs.
        let other = Store::open(&path).expect("second connection");
        let jobs = other.jobs().expect("jobs");
        assert_eq!(
            jobs,
            vec![JobRecord {
                name: "purge".into(),
                last_start_ms: 2000,
                duration_ms: 7,
                ok: false,
                message: "broken".into(),
                runs: 2,
                failures: 1,
            }]
        );
        assert_eq!(other.disk_guard().expect("guard"), Some(g));
    }
}
