//! Backups: `backup/backup_YYYYmmdd_HHMMSS.zip` holding `config.ini`, a consistent copy of
//! `data/engine.db` made with SQLite's online backup API (a raw copy of a WAL database can be
//! torn), and optionally the current logs. `restore` puts config and store back, only while no
//! engine runs on the home (it takes the engine lock itself for the duration). Blocking work.

use super::lock::{EngineLock, LockError};
use crate::config::Home;
use chrono::{DateTime, Local};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CONFIG_ENTRY: &str = "config.ini";
const DB_ENTRY: &str = "engine.db";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot copy the engine store {path}: {reason}")]
    Sqlite { path: PathBuf, reason: String },
    #[error("{path} is not a usable backup: {reason}")]
    BadArchive { path: PathBuf, reason: String },
    #[error("restore refused: {0}")]
    Locked(#[from] LockError),
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> BackupError + 'a {
    move |source| BackupError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// The folder backups go to.
pub fn dir(home: &Home) -> PathBuf {
    home.root.join("backup")
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub file: PathBuf,
    pub entries: Vec<String>,
    /// Older backups deleted to keep the last N.
    pub removed: usize,
}

/// Copies the store at `src` into a new file `dest` with the online backup API, in one step:
/// the copy is one read transaction, so it is consistent while the agent writes.
pub fn copy_store(src: &Path, dest: &Path) -> Result<(), BackupError> {
    let fail = |e: rusqlite::Error| BackupError::Sqlite {
        path: src.to_path_buf(),
        reason: e.to_string(),
    };
    let from = Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail)?;
    from.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
    let _ = std::fs::remove_file(dest);
    let mut to = Connection::open(dest).map_err(fail)?;
    let backup = Backup::new(&from, &mut to).map_err(fail)?;
    // Busy/Locked: a writer holds a lock for a moment; bounded retries.
    for _ in 0..100 {
        match backup.step(-1).map_err(fail)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(BackupError::Sqlite {
        path: src.to_path_buf(),
        reason: "the store stayed busy for 5 s".to_string(),
    })
}

fn add_file<W: Write + io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    name: &str,
    path: &Path,
    out: &Path,
) -> Result<(), BackupError> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file(name, options)
        .map_err(|e| io_err("cannot write", out)(io::Error::other(e)))?;
    let mut f = std::fs::File::open(path).map_err(io_err("cannot read", path))?;
    io::copy(&mut f, zip).map_err(io_err("cannot write", out))?;
    Ok(())
}

/// Writes a backup of `config` and the home's store (and logs) and keeps the last `keep`.
pub fn create(
    home: &Home,
    config: &Path,
    include_logs: bool,
    keep: usize,
    now: DateTime<Local>,
) -> Result<BackupReport, BackupError> {
    let dir = dir(home);
    std::fs::create_dir_all(&dir).map_err(io_err("cannot create", &dir))?;
    let stamp = now.format("%Y%m%d_%H%M%S").to_string();
    let mut file = dir.join(format!("backup_{stamp}.zip"));
    let mut n = 1;
    while file.exists() {
        file = dir.join(format!("backup_{stamp}_{n}.zip"));
        n += 1;
    }
    let part = file.with_extension("zip.part");
    let db_copy = dir.join(format!(".engine.db.{}.tmp", std::process::id()));
    let result = (|| {
        let out = std::fs::File::create(&part).map_err(io_err("cannot create", &part))?;
        let mut zip = zip::ZipWriter::new(io::BufWriter::new(out));
        let mut entries = Vec::new();
        add_file(&mut zip, CONFIG_ENTRY, config, &part)?;
        entries.push(CONFIG_ENTRY.to_string());
        let db = home.data.join("engine.db");
        if db.exists() {
            copy_store(&db, &db_copy)?;
            add_file(&mut zip, DB_ENTRY, &db_copy, &part)?;
            entries.push(DB_ENTRY.to_string());
        }
        if include_logs {
            for name in super::archive::ACTIVE {
                let p = home.log.join(name);
                if p.is_file() {
                    let entry = format!("log/{name}");
                    add_file(&mut zip, &entry, &p, &part)?;
                    entries.push(entry);
                }
            }
        }
        let w = zip
            .finish()
            .map_err(|e| io_err("cannot write", &part)(io::Error::other(e)))?;
        let f = w
            .into_inner()
            .map_err(|e| io_err("cannot write", &part)(e.into_error()))?;
        f.sync_all().map_err(io_err("cannot write", &part))?;
        std::fs::rename(&part, &file).map_err(io_err("cannot create", &file))?;
        Ok(entries)
    })();
    let _ = std::fs::remove_file(&db_copy);
    let _ = std::fs::remove_file(db_copy.with_extension("tmp-journal"));
    let entries = match result {
        Ok(e) => e,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    let removed = prune(&dir, keep)?;
    Ok(BackupReport {
        file,
        entries,
        removed,
    })
}

/// The backups in `dir`, oldest first (their names sort by time).
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(io_err("cannot read", dir)(e)),
    };
    for e in entries {
        let e = e.map_err(io_err("cannot read", dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("backup_") && name.ends_with(".zip") {
            files.push(e.path());
        }
    }
    files.sort();
    Ok(files)
}

fn prune(dir: &Path, keep: usize) -> Result<usize, BackupError> {
    let files = list(dir)?;
    let excess = files.len().saturating_sub(keep.max(1));
    for f in &files[..excess] {
        std::fs::remove_file(f).map_err(io_err("cannot delete", f))?;
    }
    Ok(excess)
}

/// What a restore put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub config: PathBuf,
    pub store: Option<PathBuf>,
    /// Where the replaced files were moved (nothing is lost by a restore).
    pub saved: Vec<PathBuf>,
}

fn extract(
    zip: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    dest: &Path,
    archive: &Path,
) -> Result<bool, BackupError> {
    let mut entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(false),
        Err(e) => {
            return Err(BackupError::BadArchive {
                path: archive.to_path_buf(),
                reason: format!("{name}: {e}"),
            });
        }
    };
    let mut out = std::fs::File::create(dest).map_err(io_err("cannot create", dest))?;
    io::copy(&mut entry, &mut out).map_err(|e| BackupError::BadArchive {
        path: archive.to_path_buf(),
        reason: format!("{name}: {e}"),
    })?;
    out.sync_all().map_err(io_err("cannot write", dest))?;
    Ok(true)
}

/// Restores `archive` into `config` and the home's store. Refuses while an engine runs on the
/// home; checks both files before replacing anything; keeps the replaced files beside them.
pub fn restore(
    home: &Home,
    config: &Path,
    archive: &Path,
    now: DateTime<Local>,
) -> Result<RestoreReport, BackupError> {
    let _lock = EngineLock::acquire(&home.data)?;
    let bad = |reason: String| BackupError::BadArchive {
        path: archive.to_path_buf(),
        reason,
    };
    let f = std::fs::File::open(archive).map_err(io_err("cannot open", archive))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| bad(e.to_string()))?;
    let stamp = now.format("%Y%m%d_%H%M%S").to_string();
    let new_config = home.data.join(format!(".restore-config.{stamp}.tmp"));
    let new_db = home.data.join(format!(".restore-engine.db.{stamp}.tmp"));
    let cleanup = || {
        let _ = std::fs::remove_file(&new_config);
        let _ = std::fs::remove_file(&new_db);
    };
    let checked = (|| {
        if !extract(&mut zip, CONFIG_ENTRY, &new_config, archive)? {
            return Err(bad(format!("it holds no {CONFIG_ENTRY}")));
        }
        let mut text = String::new();
        std::fs::File::open(&new_config)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| bad(format!("{CONFIG_ENTRY}: {e}")))?;
        crate::config::IniFile::parse(config, &text)
            .map_err(|e| bad(format!("{CONFIG_ENTRY}: {e}")))?;
        let has_db = extract(&mut zip, DB_ENTRY, &new_db, archive)?;
        if has_db {
            let conn = Connection::open_with_flags(&new_db, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| bad(format!("{DB_ENTRY}: {e}")))?;
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| bad(format!("{DB_ENTRY}: {e}")))?;
            if check != "ok" {
                return Err(bad(format!(
                    "{DB_ENTRY} fails its integrity check: {check}"
                )));
            }
        }
        Ok(has_db)
    })();
    let has_db = match checked {
        Ok(h) => h,
        Err(e) => {
            cleanup();
            return Err(e);
        }
    };
    let mut saved = Vec::new();
    let mut keep_aside = |path: &Path| -> Result<(), BackupError> {
        if path.exists() {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".before-restore-{stamp}"));
            let aside = PathBuf::from(name);
            std::fs::rename(path, &aside).map_err(io_err("cannot move", path))?;
            saved.push(aside);
        }
        Ok(())
    };
    keep_aside(config)?;
    std::fs::rename(&new_config, config).map_err(io_err("cannot write", config))?;
    let mut store = None;
    if has_db {
        let db = home.data.join("engine.db");
        // The WAL belongs to the replaced database: it goes aside with it.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            keep_aside(Path::new(&p))?;
        }
        std::fs::rename(&new_db, &db).map_err(io_err("cannot write", &db))?;
        store = Some(db);
    }
    cleanup();
    Ok(RestoreReport {
        config: config.to_path_buf(),
        store,
        saved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TaskId;
    use crate::platform::wire::SealedResult;
    use crate::store::Store;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn result(index: i64) -> SealedResult {
        SealedResult::sample("c", index, 1)
    }

    fn home() -> (tempfile::TempDir, Home, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let home = Home::new(dir.path());
        home.ensure().expect("folders");
        let config = dir.path().join("config.ini");
        std::fs::write(&config, "[Platform]\nurl = http://127.0.0.1:1\n").expect("config");
        (dir, home, config)
    }

    fn count(db: &Path, sql: &str) -> i64 {
        Connection::open(db)
            .expect("open")
            .query_row(sql, [], |r| r.get(0))
            .expect("query")
    }

    #[test]
    fn backup_then_restore_round_trip_keeps_the_replaced_files() {
        let (_dir, home, config) = home();
        let db = home.data.join("engine.db");
        let task = TaskId("t1".into());
        {
            let s = Store::open(&db).expect("store");
            s.accept_task(&task, "{}").expect("accept");
            s.record_results(&task, &[result(1), result(2)])
                .expect("record");
        }
        std::fs::write(home.log.join("engine.log"), "a line\n").expect("log");
        let r = create(&home, &config, true, 3, Local::now()).expect("backup");
        assert_eq!(r.entries, vec!["config.ini", "engine.db", "log/engine.log"]);
        let name = r
            .file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with("backup_") && name.ends_with(".zip"),
            "{name}"
        );

        // Everything changes after the backup…
        std::fs::write(&config, "[Platform]\nurl = http://changed\n").expect("config");
        {
            let s = Store::open(&db).expect("store");
            s.finish_task(&task, true).expect("finish");
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox"), 0);
        // …and the restore brings the backed-up state back.
        let back = restore(&home, &config, &r.file, Local::now()).expect("restore");
        assert_eq!(
            std::fs::read_to_string(&config).expect("config"),
            "[Platform]\nurl = http://127.0.0.1:1\n"
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox"), 2);
        let s = Store::open(&db).expect("restored store opens");
        assert_eq!(s.unfinished_tasks().expect("tasks").len(), 1);
        assert!(back.saved.iter().any(|p| {
            p.to_string_lossy().contains("config.ini.before-restore-")
                && std::fs::read_to_string(p).is_ok_and(|t| t.contains("changed"))
        }));
    }

    #[test]
    fn only_the_last_n_backups_are_kept() {
        let (_dir, home, config) = home();
        for _ in 0..4 {
            create(&home, &config, false, 2, Local::now()).expect("backup");
        }
        assert_eq!(list(&dir(&home)).expect("list").len(), 2);
    }

    #[test]
    fn restore_refuses_while_an_engine_holds_the_home_and_bad_archives() {
        let (_dir, home, config) = home();
        let r = create(&home, &config, false, 3, Local::now()).expect("backup");
        let lock = EngineLock::acquire(&home.data).expect("lock");
        let err = restore(&home, &config, &r.file, Local::now()).expect_err("refused");
        assert!(matches!(err, BackupError::Locked(_)), "{err}");
        assert!(err.to_string().contains("stop it first"), "{err}");
        drop(lock);
        let junk = home.root.join("junk.zip");
        std::fs::write(&junk, "not a zip").expect("junk");
        let err = restore(&home, &config, &junk, Local::now()).expect_err("bad");
        assert!(err.to_string().contains("not a usable backup"), "{err}");
        // Nothing was touched by the refused restores.
        assert!(std::fs::read_to_string(&config).is_ok_and(|t| t.contains("127.0.0.1")));
    }

    /// Results are written in transactions of 10 (outbox rows + the results_total counter);
    /// every backup taken meanwhile must hold whole transactions only.
    #[test]
    fn the_backup_is_consistent_while_results_are_written() {
        let (_dir, home, config) = home();
        let db = home.data.join("engine.db");
        let store = Arc::new(Store::open(&db).expect("store"));
        let task = TaskId("busy".into());
        store.accept_task(&task, "{}").expect("accept");
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (store, stop, task) = (store.clone(), stop.clone(), task.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) && i < 200_000 {
                    let batch: Vec<_> = (i..i + 10).map(result).collect();
                    store.record_results(&task, &batch).expect("record");
                    i += 10;
                }
                i
            })
        };
        let out = home.root.join("check");
        for _ in 0..5 {
            let r = create(&home, &config, false, 10, Local::now()).expect("backup");
            let mut zip =
                zip::ZipArchive::new(std::fs::File::open(&r.file).expect("open")).expect("zip");
            std::fs::create_dir_all(&out).expect("mkdir");
            let copy = out.join("engine.db");
            extract(&mut zip, DB_ENTRY, &copy, &r.file).expect("extract");
            let rows = count(&copy, "SELECT COUNT(*) FROM outbox");
            let total = count(
                &copy,
                "SELECT COALESCE((SELECT value FROM totals WHERE key = 'results_total'), 0)",
            );
            assert_eq!(rows, total, "a torn copy");
            assert_eq!(rows % 10, 0, "a partial transaction");
            let check: String = Connection::open(&copy)
                .expect("open")
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .expect("check");
            assert_eq!(check, "ok");
            std::fs::remove_file(&copy).expect("rm");
        }
        stop.store(true, Ordering::Relaxed);
        let written = writer.join().expect("writer");
        assert!(written > 0);
    }
}
