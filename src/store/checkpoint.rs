//! Copies the write-ahead log back into the database file off the commit path.
//!
//! SQLite's own rule checkpoints inside whichever commit takes the log past 1,000 pages: that
//! commit copies the pages and syncs the file (8–12 ms on the benchmark's machine). Here that
//! commit was often a result acknowledgement or a task's state, made on an async worker while
//! cases waited, or the state written just before `task/complete`. The commit hook only starts
//! a short-lived thread with its own connection; a PASSIVE checkpoint there blocks no writer.

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Log pages after a commit beyond which a checkpoint starts (SQLite's default threshold).
pub(super) const CHECKPOINT_PAGES: i32 = 1000;

/// Log pages beyond which the commit checkpoints itself, as SQLite would. The log restarts from
/// its beginning only when a checkpoint has copied all of it before the next write begins, which
/// a background checkpoint never achieves under back-to-back commits; this bounds the log then.
pub(super) const INLINE_CHECKPOINT_PAGES: i32 = 4 * CHECKPOINT_PAGES;

/// Replaces SQLite's automatic checkpoint of `conn` (the database at `path`) with a background
/// one; `running` is set while a checkpoint thread works, so that commits start at most one.
pub(super) fn install(
    conn: &mut Connection,
    path: &Path,
    running: Arc<AtomicBool>,
) -> rusqlite::Result<()> {
    let path = path.to_path_buf();
    conn.wal_hook(Some(
        move |wal: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
            if pages >= INLINE_CHECKPOINT_PAGES {
                inline(wal);
            } else if pages >= CHECKPOINT_PAGES
                && !running.swap(true, Ordering::AcqRel)
                && let Err(e) = spawn(path.clone(), running.clone())
            {
                // No thread to be had: checkpoint here, as SQLite would have.
                running.store(false, Ordering::Release);
                tracing::warn!("engine store: no checkpoint thread ({e}); checkpointing inline");
                inline(wal);
            }
            Ok(())
        },
    ))
}

/// A checkpoint inside the commit. Its failure (busy: the background checkpoint or a backup
/// holds the log) is not the commit's, which has succeeded: an error from the hook would make
/// the caller believe its results were not recorded. SQLite's own hook ignores it too.
fn inline(wal: &mut rusqlite::hooks::Wal) {
    if let Err(e) = wal.checkpoint() {
        tracing::debug!("engine store: checkpoint inside a commit skipped: {e}");
    }
}

fn spawn(path: PathBuf, running: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("store-checkpoint".into())
        .spawn(move || {
            // The copy (several MB at the end of a fast task) would otherwise take a core from
            // the task's last uploads and its `complete`; a PASSIVE checkpoint blocks no writer,
            // and a log that outgrows it is checkpointed inline (INLINE_CHECKPOINT_PAGES).
            crate::background::at_idle_priority();
            let started = Instant::now();
            match checkpoint(&path) {
                Ok((log, done)) => tracing::debug!(
                    log_pages = log,
                    checkpointed = done,
                    took_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "engine store checkpointed"
                ),
                Err(e) => tracing::warn!("engine store {}: checkpoint failed: {e}", path.display()),
            }
            running.store(false, Ordering::Release);
        })
        .map(|_| ())
}

/// A PASSIVE checkpoint through a connection of its own: (log pages, pages checkpointed).
fn checkpoint(path: &Path) -> rusqlite::Result<(i64, i64)> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(1))?;
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}
