//! The disk guard: below `[Lifecycle] disk-min-free-mb` of free space under `data/` the engine
//! stops fetching tasks (the platform gives them to other engines), logs an error, shows it in
//! `status` and the metrics, and fetches again by itself once space is back.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Bytes an unprivileged process may still write on the file system holding `path`.
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated path and `stat` a plain struct statvfs fills.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}

/// What changed at a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    None,
    /// Free space fell below the threshold: fetching stops.
    Engaged,
    /// Free space came back: fetching resumes.
    Released,
}

/// The guard's state, shared by the check job and the fetch loop.
#[derive(Debug, Default)]
pub struct DiskGuard {
    active: AtomicBool,
    free: AtomicU64,
}

impl DiskGuard {
    /// Whether new tasks must not be fetched now.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    pub fn free(&self) -> u64 {
        self.free.load(Ordering::Relaxed)
    }

    /// Records a measurement against `min_free` (0: the guard is off).
    pub fn update(&self, free: u64, min_free: u64) -> Transition {
        self.free.store(free, Ordering::Relaxed);
        let active = min_free > 0 && free < min_free;
        let was = self.active.swap(active, Ordering::AcqRel);
        metrics::gauge!("liuma_disk_free_bytes").set(free as f64);
        metrics::gauge!("liuma_disk_guard_active").set(if active { 1.0 } else { 0.0 });
        match (was, active) {
            (false, true) => Transition::Engaged,
            (true, false) => Transition::Released,
            _ => Transition::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engages_below_the_threshold_and_releases_above_it() {
        let g = DiskGuard::default();
        assert_eq!(g.update(500, 100), Transition::None);
        assert_eq!(g.update(50, 100), Transition::Engaged);
        assert!(g.is_active());
        assert_eq!(g.update(60, 100), Transition::None);
        assert_eq!(g.update(200, 100), Transition::Released);
        assert!(!g.is_active());
        assert_eq!(g.update(0, 0), Transition::None, "0 turns the guard off");
    }

    #[test]
    fn measures_a_real_file_system() {
        let dir = tempfile::tempdir().expect("tmp");
        assert!(free_bytes(dir.path()).is_ok());
        assert!(free_bytes(&dir.path().join("missing")).is_err());
    }
}
