//! The log archive job: rotated files (`engine.log.2026-03-05.1`, and the `engine.2026-03-05.log`
//! files of earlier engine versions) older than `archive-after-days` are gzip-compressed into
//! `log/archive/YYYY-MM/` and removed; archives older than `delete-after-days` are deleted, and
//! the oldest go while the archive is larger than `archive-max-mb`. Blocking file work: run it
//! on a blocking thread.

use crate::config::LogConfig;
use chrono::{DateTime, Local};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The files the engine writes under `log/`; only their rotated siblings are archived.
pub const ACTIVE: [&str; 3] = ["engine.log", "error.log", "api.log"];

/// What one archive run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArchiveReport {
    pub compressed: usize,
    pub deleted: usize,
    pub archive_bytes: u64,
}

impl std::fmt::Display for ArchiveReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} compressed, {} deleted, archive {} KiB",
            self.compressed,
            self.deleted,
            self.archive_bytes / 1024
        )
    }
}

/// Whether `name` is a rotated engine log (not the active file, not compressed yet).
fn is_rotated(name: &str) -> bool {
    if ACTIVE.contains(&name) || name.ends_with(".gz") {
        return false;
    }
    ["engine.", "error.", "api."]
        .iter()
        .any(|p| name.starts_with(p))
}

fn age(now: SystemTime, path: &Path) -> Option<std::time::Duration> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    Some(now.duration_since(modified).unwrap_or_default())
}

/// Compresses `src` into `dest` and removes `src`; `dest` is complete before `src` goes.
fn gzip_into(src: &Path, dest: &Path) -> io::Result<()> {
    let modified = std::fs::metadata(src)?.modified()?;
    let tmp = dest.with_extension("gz.part");
    {
        let mut input = std::fs::File::open(src)?;
        let out = std::fs::File::create(&tmp)?;
        let mut enc = GzEncoder::new(out, Compression::default());
        io::copy(&mut input, &mut enc)?;
        let out = enc.finish()?;
        out.sync_all()?;
        // The archive keeps the age of its lines, which the delete rule goes by.
        out.set_modified(modified)?;
    }
    std::fs::rename(&tmp, dest)?;
    std::fs::remove_file(src)
}

/// Runs the archive rules once over `log_dir` as of `now`.
pub fn run(log_dir: &Path, cfg: &LogConfig, now: SystemTime) -> io::Result<ArchiveReport> {
    let mut report = ArchiveReport::default();
    let archive = log_dir.join("archive");
    let mut errors = Vec::new();
    for entry in std::fs::read_dir(log_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || !is_rotated(&name) {
            continue;
        }
        let path = entry.path();
        if age(now, &path).is_none_or(|a| a < cfg.archive_after) {
            continue;
        }
        let month = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map(|t| DateTime::<Local>::from(t).format("%Y-%m").to_string())?;
        let dir = archive.join(month);
        std::fs::create_dir_all(&dir)?;
        let mut dest = dir.join(format!("{name}.gz"));
        let mut n = 1;
        while dest.exists() {
            dest = dir.join(format!("{name}.{n}.gz"));
            n += 1;
        }
        match gzip_into(&path, &dest) {
            Ok(()) => report.compressed += 1,
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    let (deleted, bytes) = prune(&archive, cfg, now)?;
    report.deleted = deleted;
    report.archive_bytes = bytes;
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(io::Error::other(format!(
            "cannot archive {} (did {report})",
            errors.join("; ")
        )))
    }
}

/// Deletes archives past their age, then the oldest while over the size cap; removes empty
/// month folders. Returns (files deleted, bytes left).
fn prune(archive: &Path, cfg: &LogConfig, now: SystemTime) -> io::Result<(usize, u64)> {
    let mut files: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let months = match std::fs::read_dir(archive) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(e),
    };
    let mut month_dirs = Vec::new();
    for month in months {
        let month = month?;
        if !month.file_type()?.is_dir() {
            continue;
        }
        month_dirs.push(month.path());
        for f in std::fs::read_dir(month.path())? {
            let f = f?;
            let m = f.metadata()?;
            if m.is_file() {
                files.push((m.modified()?, m.len(), f.path()));
            }
        }
    }
    files.sort();
    let mut deleted = 0;
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    for (modified, len, path) in &files {
        let old = !cfg.delete_after.is_zero()
            && now.duration_since(*modified).unwrap_or_default() >= cfg.delete_after;
        let over = cfg.archive_max_bytes > 0 && total > cfg.archive_max_bytes;
        if !(old || over) {
            continue;
        }
        std::fs::remove_file(path)?;
        total -= len;
        deleted += 1;
    }
    for dir in month_dirs {
        // Only empty folders go; a non-empty one is an error we ignore on purpose.
        let _ = std::fs::remove_dir(dir);
    }
    Ok((deleted, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::time::Duration;

    const DAY: Duration = Duration::from_secs(86_400);

    fn write_aged(path: &Path, text: &str, now: SystemTime, age: Duration) {
        std::fs::write(path, text).expect("write");
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_modified(now - age).expect("mtime");
    }

    fn gunzip(path: &Path) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
            .read_to_string(&mut s)
            .expect("valid gzip");
        s
    }

    fn archived(log: &Path) -> Vec<PathBuf> {
        let mut v = Vec::new();
        if let Ok(months) = std::fs::read_dir(log.join("archive")) {
            for m in months.flatten() {
                for f in std::fs::read_dir(m.path()).expect("month").flatten() {
                    v.push(f.path());
                }
            }
        }
        v.sort();
        v
    }

    #[test]
    fn old_rotated_files_become_valid_gzip_with_their_lines_and_the_rest_stays() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path();
        let now = SystemTime::now();
        let lines: String = (0..500).map(|i| format!("2026 INFO line {i}\n")).collect();
        write_aged(&log.join("engine.log.2026-03-05.1"), &lines, now, 3 * DAY);
        write_aged(&log.join("error.2026-03-04.log"), "legacy\n", now, 4 * DAY);
        write_aged(
            &log.join("engine.log.2026-03-07.1"),
            "fresh\n",
            now,
            Duration::ZERO,
        );
        write_aged(&log.join("engine.log"), "active\n", now, 10 * DAY);
        write_aged(&log.join("other.txt"), "not ours\n", now, 10 * DAY);
        let cfg = LogConfig::default();
        let report = run(log, &cfg, now).expect("archive");
        assert_eq!(report.compressed, 2);
        let files = archived(log);
        assert_eq!(files.len(), 2, "{files:?}");
        let month = DateTime::<Local>::from(now - 3 * DAY)
            .format("%Y-%m")
            .to_string();
        let engine = log
            .join("archive")
            .join(&month)
            .join("engine.log.2026-03-05.1.gz");
        assert_eq!(gunzip(&engine), lines);
        assert!(!log.join("engine.log.2026-03-05.1").exists());
        assert!(log.join("engine.log.2026-03-07.1").exists());
        assert!(log.join("engine.log").exists() && log.join("other.txt").exists());
    }

    #[test]
    fn archives_go_by_age_and_by_size_cap_oldest_first() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path();
        let now = SystemTime::now();
        let month = log.join("archive").join("2026-01");
        std::fs::create_dir_all(&month).expect("mkdir");
        write_aged(&month.join("a.gz"), &"a".repeat(1000), now, 40 * DAY);
        write_aged(&month.join("b.gz"), &"b".repeat(1000), now, 20 * DAY);
        write_aged(&month.join("c.gz"), &"c".repeat(1000), now, 10 * DAY);
        write_aged(&month.join("d.gz"), &"d".repeat(1000), now, 5 * DAY);
        let cfg = LogConfig {
            archive_max_bytes: 2500,
            ..LogConfig::default()
        };
        let report = run(log, &cfg, now).expect("archive");
        // a: older than 30 days; b: over the 2500-byte cap; c and d stay.
        assert_eq!(report.deleted, 2);
        assert_eq!(report.archive_bytes, 2000);
        assert_eq!(archived(log), vec![month.join("c.gz"), month.join("d.gz")]);
    }
}
