//! The purge job: `data/<taskId>` folders of tasks that are over (finished past their
//! retention, or left by a crash or a stop) and screenshots in `image/<taskId>/` that the
//! platform already has. Never a folder of a task the engine holds (running, or in the store
//! because its results or `complete` are still owed), never a screenshot the store still lists
//! as waiting for upload. Blocking file work: run it on a blocking thread.

use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What must stay, read *after* the folders were listed: a task's folder is created only after
/// the task is in the store and in the registry, so a folder seen by the listing belongs to a
/// task these sets know about, unless that task is over.
pub struct Keep {
    /// Tasks running or in the store.
    pub tasks: HashSet<String>,
    /// Screenshot ids waiting for upload.
    pub screenshots: HashSet<String>,
}

/// What one purge did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub data_dirs: usize,
    pub screenshots: usize,
    pub kept_for_retention: usize,
}

impl std::fmt::Display for PurgeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} task folders and {} screenshots removed, {} folders kept for their retention",
            self.data_dirs, self.screenshots, self.kept_for_retention
        )
    }
}

fn dirs(path: &Path) -> io::Result<Vec<(String, std::path::PathBuf)>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for e in entries {
        let e = e?;
        if e.file_type()?.is_dir() {
            out.push((e.file_name().to_string_lossy().into_owned(), e.path()));
        }
    }
    Ok(out)
}

/// Runs the purge once. `keep` is called after listing (see [`Keep`]).
pub fn run(
    data: &Path,
    image: &Path,
    retention: Duration,
    now: SystemTime,
    keep: impl FnOnce() -> io::Result<Keep>,
) -> io::Result<PurgeReport> {
    let data_dirs = dirs(data)?;
    let image_dirs = dirs(image)?;
    let keep = keep()?;
    let mut report = PurgeReport::default();
    let mut errors = Vec::new();
    for (name, path) in data_dirs {
        if keep.tasks.contains(&name) {
            continue;
        }
        let age = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map(|t| now.duration_since(t).unwrap_or_default())
            .unwrap_or_default();
        if age < retention {
            report.kept_for_retention += 1;
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => report.data_dirs += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    for (name, path) in image_dirs {
        if keep.tasks.contains(&name) {
            continue;
        }
        // The uploader removes a folder when its last screenshot is acknowledged.
        let files = match std::fs::read_dir(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for f in files {
            let f = f?;
            let file_name = f.file_name().to_string_lossy().into_owned();
            let id = file_name
                .strip_suffix(".png.tmp")
                .or_else(|| file_name.strip_suffix(".png"))
                .unwrap_or(&file_name);
            if keep.screenshots.contains(id) || !f.file_type()?.is_file() {
                continue;
            }
            match std::fs::remove_file(f.path()) {
                Ok(()) => report.screenshots += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => errors.push(format!("{}: {e}", f.path().display())),
            }
        }
        // Only an empty folder goes.
        let _ = std::fs::remove_dir(&path);
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(io::Error::other(format!(
            "cannot remove {} (did {report})",
            errors.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn removes_what_is_over_and_never_what_is_held() {
        let home = tempfile::tempdir().expect("tmp");
        let data = home.path().join("data");
        let image = home.path().join("image");
        for d in ["running", "crashed", "finished"] {
            std::fs::create_dir_all(data.join(d).join("sub")).expect("mkdir");
            std::fs::write(data.join(d).join("sub/case.json"), "{}").expect("write");
        }
        std::fs::write(data.join("engine.db"), "db").expect("write");
        std::fs::create_dir_all(image.join("running")).expect("mkdir");
        std::fs::create_dir_all(image.join("done")).expect("mkdir");
        std::fs::write(image.join("running/20260101_a.png"), "png").expect("write");
        std::fs::write(image.join("running/20260101_t.png.tmp"), "png").expect("write");
        std::fs::write(image.join("done/20260101_up.png"), "png").expect("write");
        std::fs::write(image.join("done/20260101_wait.png"), "png").expect("write");

        let report = run(&data, &image, Duration::ZERO, SystemTime::now(), || {
            Ok(Keep {
                tasks: set(&["running"]),
                screenshots: set(&["20260101_wait"]),
            })
        })
        .expect("purge");
        assert_eq!(report.data_dirs, 2);
        assert_eq!(report.screenshots, 1);
        assert!(data.join("running/sub/case.json").exists());
        assert!(!data.join("crashed").exists() && !data.join("finished").exists());
        assert!(data.join("engine.db").exists());
        assert!(image.join("running/20260101_a.png").exists());
        assert!(image.join("running/20260101_t.png.tmp").exists());
        assert!(image.join("done/20260101_wait.png").exists());
        assert!(!image.join("done/20260101_up.png").exists());
    }

    #[test]
    fn a_retention_keeps_young_folders() {
        let home = tempfile::tempdir().expect("tmp");
        let data = home.path().join("data");
        std::fs::create_dir_all(data.join("young")).expect("mkdir");
        let now = SystemTime::now();
        let keep = || {
            Ok(Keep {
                tasks: HashSet::new(),
                screenshots: HashSet::new(),
            })
        };
        let report = run(
            &data,
            &home.path().join("image"),
            Duration::from_secs(3600),
            now,
            keep,
        )
        .expect("purge");
        assert_eq!(report.kept_for_retention, 1);
        assert!(data.join("young").exists());
        let later = now + Duration::from_secs(7200);
        let report = run(
            &data,
            &home.path().join("image"),
            Duration::from_secs(3600),
            later,
            keep,
        )
        .expect("purge");
        assert_eq!(report.data_dirs, 1);
        assert!(!data.join("young").exists());
    }
}
