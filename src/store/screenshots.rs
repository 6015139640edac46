//! Screenshots waiting for upload (web-cases §5, Q19). A screenshot is recorded here once its
//! file is complete, and forgotten only after the platform acknowledged it (or its task was
//! stopped), so a restart uploads what was left.

use super::{Store, StoreError, now_ms};
use rusqlite::params;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS screenshot (
    id         TEXT PRIMARY KEY,
    task_id    TEXT NOT NULL,
    path       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS screenshot_by_task ON screenshot (task_id);
";

/// A screenshot to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScreenshot {
    pub id: String,
    pub task_id: String,
    pub path: String,
}

impl Store {
    /// Records a written screenshot file (idempotent).
    pub fn record_screenshot(&self, task_id: &str, id: &str, path: &str) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO screenshot (id, task_id, path, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![id, task_id, path, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Screenshots waiting for upload, oldest first.
    pub fn pending_screenshots(&self, limit: usize) -> Result<Vec<StoredScreenshot>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT id, task_id, path FROM screenshot ORDER BY created_ms, id LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(StoredScreenshot {
                    id: r.get(0)?,
                    task_id: r.get(1)?,
                    path: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Results waiting for upload (outbox, not refused) and screenshots waiting for upload: two
    /// cheap counts for `/metrics`.
    pub fn queue_depths(&self) -> Result<(i64, i64), StoreError> {
        let conn = self.lock();
        let count = |sql: &str| -> Result<i64, StoreError> {
            conn.query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        Ok((
            count("SELECT COUNT(*) FROM outbox WHERE dead = 0")?,
            count("SELECT COUNT(*) FROM screenshot")?,
        ))
    }

    /// Forgets an uploaded (or unrecoverable) screenshot.
    pub fn forget_screenshot(&self, id: &str) -> Result<(), StoreError> {
        self.lock()
            .execute("DELETE FROM screenshot WHERE id = ?1", params![id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Forgets every screenshot of a stopped task.
    pub fn forget_task_screenshots(&self, task_id: &str) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "DELETE FROM screenshot WHERE task_id = ?1",
                params![task_id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// How many screenshots of `task_id` still wait for upload.
    pub fn screenshots_pending_for(&self, task_id: &str) -> Result<i64, StoreError> {
        self.lock()
            .query_row(
                "SELECT COUNT(*) FROM screenshot WHERE task_id = ?1",
                params![task_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Whether a screenshot is recorded.
    pub fn has_screenshot(&self, id: &str) -> Result<bool, StoreError> {
        self.lock()
            .query_row(
                "SELECT COUNT(*) FROM screenshot WHERE id = ?1",
                params![id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshots_survive_reopening_until_forgotten() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("engine.db");
        {
            let s = Store::open(&db).expect("open");
            s.record_screenshot("t1", "20240101_a", "/x/a.png")
                .expect("record");
            s.record_screenshot("t1", "20240101_b", "/x/b.png")
                .expect("record");
            s.record_screenshot("t2", "20240101_c", "/x/c.png")
                .expect("record");
        }
        let s = Store::open(&db).expect("reopen");
        assert_eq!(s.pending_screenshots(10).expect("pending").len(), 3);
        s.forget_screenshot("20240101_a").expect("forget");
        assert_eq!(s.screenshots_pending_for("t1").expect("count"), 1);
        s.forget_task_screenshots("t1").expect("forget task");
        let left = s.pending_screenshots(10).expect("pending");
        assert_eq!(
            left.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
            vec!["20240101_c"]
        );
        assert!(s.has_screenshot("20240101_c").expect("has"));
    }
}
