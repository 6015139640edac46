//! `liuma-engine backup` and `liuma-engine restore FILE`.

use crate::config::{Config, Home};
use crate::lifecycle::backup;
use std::path::Path;

/// Writes a backup now (works while the agent runs); returns the exit code.
pub fn run_backup(home: &Home, config: &Path) -> i32 {
    // The config says what to keep; an unreadable config is still backed up with defaults.
    let (logs, keep) = match Config::load(config) {
        Ok(c) => (c.lifecycle.backup_logs, c.lifecycle.backup_keep),
        Err(e) => {
            eprintln!("warning: {e}; backing up with the default [Lifecycle] settings");
            let d = crate::config::LifecycleConfig::default();
            (d.backup_logs, d.backup_keep)
        }
    };
    match backup::create(home, config, logs, keep, chrono::Local::now()) {
        Ok(r) => {
            println!("backup written: {}", r.file.display());
            println!("  holds: {}", r.entries.join(", "));
            if r.removed > 0 {
                println!(
                    "  {} older backups removed ([Lifecycle] backup-keep = {keep})",
                    r.removed
                );
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Restores `file` into `config` and the store; refuses while an engine runs on `home`.
pub fn run_restore(home: &Home, config: &Path, file: &Path) -> i32 {
    match backup::restore(home, config, file, chrono::Local::now()) {
        Ok(r) => {
            println!("restored {} from {}", r.config.display(), file.display());
            match &r.store {
                Some(db) => println!("restored the engine store {}", db.display()),
                None => println!("the backup holds no engine store; the current one is kept"),
            }
            for s in &r.saved {
                println!("  the replaced file is kept as {}", s.display());
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
