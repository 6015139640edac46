//! A log file that rotates by size and at local midnight: `log/engine.log` is always the
//! current file; a rotated one becomes `engine.log.YYYY-MM-DD.N` (the day its lines were
//! written, N counting from 1) and waits there for the archive job. tracing-appender rotates
//! by time only, so the engine has its own writer. The clock is injectable so that tests
//! cross a date boundary without waiting for one.

use chrono::{DateTime, Local, NaiveDate};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where "now" comes from (the system clock, or a test's).
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Local>;
}

/// The real local time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Local> {
        Local::now()
    }
}

/// When a file is rotated; changed at run time by a config reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Rotate before a write would take the file past this size (0: never by size).
    pub max_bytes: u64,
    /// Rotate when the local date changes.
    pub daily: bool,
}

/// One rotating file. Writes go through [`SharedLogFile`], usually from the file's
/// [`super::batch_writer`] thread, one line per write.
pub struct LogFile {
    dir: PathBuf,
    name: String,
    rotation: Rotation,
    clock: Arc<dyn Clock>,
    file: Option<File>,
    size: u64,
    day: NaiveDate,
}

impl LogFile {
    /// Prepares `dir/name` (appended to). A file left from an earlier day is rotated at the first
    /// write, as if the engine had run through midnight.
    pub fn open(
        dir: &Path,
        name: &str,
        rotation: Rotation,
        clock: Arc<dyn Clock>,
    ) -> io::Result<LogFile> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(name);
        let (size, day) = match std::fs::metadata(&path) {
            Ok(m) => {
                let day = m
                    .modified()
                    .map(|t| DateTime::<Local>::from(t).date_naive())
                    .unwrap_or_else(|_| clock.now().date_naive());
                (m.len(), day)
            }
            Err(_) => (0, clock.now().date_naive()),
        };
        // The file itself is created at the first line (an unused api.log never appears).
        Ok(LogFile {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            rotation,
            clock,
            file: None,
            size,
            day,
        })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    pub fn set_rotation(&mut self, rotation: Rotation) {
        self.rotation = rotation;
    }

    fn needs_rotation(&self, incoming: usize, today: NaiveDate) -> bool {
        if self.size == 0 {
            // Nothing to rotate; a new day simply starts in this file.
            return false;
        }
        (self.rotation.daily && today != self.day)
            || (self.rotation.max_bytes > 0
                && self.size.saturating_add(incoming as u64) > self.rotation.max_bytes)
    }

    /// Renames the current file to the first free `name.DAY.N` and starts a new one.
    fn rotate(&mut self) -> io::Result<()> {
        if let Some(f) = self.file.take() {
            let _ = f.sync_all();
        }
        let stamp = self.day.format("%Y-%m-%d");
        let mut n = 1u32;
        let target = loop {
            let candidate = self.dir.join(format!("{}.{stamp}.{n}", self.name));
            let taken = candidate.exists()
                || self
                    .dir
                    .join(format!("{}.{stamp}.{n}.gz", self.name))
                    .exists();
            if !taken {
                break candidate;
            }
            n += 1;
        };
        std::fs::rename(self.path(), &target)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let today = self.clock.now().date_naive();
        if self.needs_rotation(buf.len(), today) {
            // A failed rotation must not lose the line: keep writing to whatever is open.
            if let Err(e) = self.rotate() {
                eprintln!("cannot rotate {}: {e}", self.path().display());
            }
        }
        if self.size == 0 {
            self.day = today;
        }
        if self.file.is_none() {
            self.file = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.path())?,
            );
        }
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("log file not open"))?;
        file.write_all(buf)?;
        self.size = self.size.saturating_add(buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// A [`LogFile`] shared between its writer thread and a config reload.
#[derive(Clone)]
pub struct SharedLogFile(pub Arc<Mutex<LogFile>>);

impl SharedLogFile {
    pub fn new(file: LogFile) -> Self {
        Self(Arc::new(Mutex::new(file)))
    }

    pub fn set_rotation(&self, rotation: Rotation) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .set_rotation(rotation);
    }
}

impl Write for SharedLogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// A clock the test moves by hand.
    struct ManualClock(AtomicI64);

    impl Clock for ManualClock {
        fn now(&self) -> DateTime<Local> {
            Local
                .timestamp_opt(self.0.load(Ordering::SeqCst), 0)
                .single()
                .unwrap_or_else(Local::now)
        }
    }

    fn noon(y: i32, m: u32, d: u32) -> i64 {
        Local
            .with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("a plain noon exists")
            .timestamp()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn rotates_before_passing_the_size_and_keeps_every_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let clock = Arc::new(ManualClock(AtomicI64::new(noon(2026, 3, 5))));
        let mut f = LogFile::open(
            dir.path(),
            "engine.log",
            Rotation {
                max_bytes: 100,
                daily: true,
            },
            clock,
        )
        .expect("open");
        for i in 0..10 {
            f.write_all(format!("line {i:02} {}\n", "x".repeat(30)).as_bytes())
                .expect("write");
        }
        f.flush().expect("flush");
        // 41-byte lines, at most 100 bytes a file: 2 lines each, 5 files.
        assert_eq!(
            names(dir.path()),
            vec![
                "engine.log",
                "engine.log.2026-03-05.1",
                "engine.log.2026-03-05.2",
                "engine.log.2026-03-05.3",
                "engine.log.2026-03-05.4"
            ]
        );
        let mut all = String::new();
        for n in 1..=4 {
            let text =
                std::fs::read_to_string(dir.path().join(format!("engine.log.2026-03-05.{n}")))
                    .expect("read");
            assert!(text.len() <= 100, "{text}");
            all.push_str(&text);
        }
        all.push_str(&std::fs::read_to_string(dir.path().join("engine.log")).expect("read"));
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 10);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.starts_with(&format!("line {i:02} ")), "{l}");
        }
    }

    #[test]
    fn rotates_at_the_date_boundary_naming_the_day_of_the_lines() {
        let dir = tempfile::tempdir().expect("tmp");
        let clock = Arc::new(ManualClock(AtomicI64::new(noon(2026, 12, 31))));
        let mut f = LogFile::open(
            dir.path(),
            "error.log",
            Rotation {
                max_bytes: 0,
                daily: true,
            },
            clock.clone(),
        )
        .expect("open");
        f.write_all(b"old year\n").expect("write");
        f.write_all(b"still old\n").expect("write");
        clock.0.store(noon(2027, 1, 1), Ordering::SeqCst);
        f.write_all(b"new year\n").expect("write");
        f.flush().expect("flush");
        assert_eq!(
            names(dir.path()),
            vec!["error.log", "error.log.2026-12-31.1"]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("error.log.2026-12-31.1")).expect("read"),
            "old year\nstill old\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("error.log")).expect("read"),
            "new year\n"
        );

        // Without daily rotation the date changes nothing.
        f.set_rotation(Rotation {
            max_bytes: 0,
            daily: false,
        });
        clock.0.store(noon(2027, 1, 2), Ordering::SeqCst);
        f.write_all(b"same file\n").expect("write");
        assert_eq!(names(dir.path()).len(), 2);
    }
}
