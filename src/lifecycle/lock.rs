//! `data/engine.lock`: held (`flock`) by a running agent for its whole life, so that `restore`
//! can tell "engine stopped" for sure (a pid file can be stale; a lock dies with its process)
//! and two agents never share one home.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The lock of one home; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct EngineLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("an engine (pid {pid}) is running with this home ({path} is locked): stop it first")]
    Held { path: PathBuf, pid: String },
    #[error("cannot open the engine lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// The lock file of a home's `data/` folder.
pub fn path(data: &Path) -> PathBuf {
    data.join("engine.lock")
}

impl EngineLock {
    /// Takes the lock without waiting and writes this process's id into the file.
    pub fn acquire(data: &Path) -> Result<EngineLock, LockError> {
        let path = path(data);
        let io_err = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data).map_err(io_err)?;
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        // SAFETY: flock on an open descriptor we own.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(LockError::Held {
                    path,
                    pid: if pid.is_empty() {
                        "?".into()
                    } else {
                        pid.into()
                    },
                });
            }
            return Err(io_err(err));
        }
        file.set_len(0).map_err(io_err)?;
        file.rewind().map_err(io_err)?;
        write!(file, "{}", std::process::id()).map_err(io_err)?;
        Ok(EngineLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = EngineLock::acquire(dir.path()).expect("first");
        let err = EngineLock::acquire(dir.path()).expect_err("held");
        let msg = err.to_string();
        assert!(
            msg.contains(&std::process::id().to_string()) && msg.contains("stop it first"),
            "{msg}"
        );
        drop(first);
        assert!(EngineLock::acquire(dir.path()).is_ok());
    }
}
