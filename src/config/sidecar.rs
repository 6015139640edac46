//! `[Sidecar]`: the Python sidecar that runs users' scripts, custom functions and WEB custom
//! operations (a setting of our own; the Python engine ran them in-process). Everything is
//! optional.

use super::{ConfigError, IniFile};
use std::path::PathBuf;
use std::time::Duration;

const SECTION: &str = "Sidecar";

#[derive(Debug, Clone)]
pub struct SidecarConfig {
    /// `[Sidecar] python`: the interpreter workers run with — a virtualenv's `bin/python` makes
    /// the modules installed there importable from scripts. Default `python3` on PATH.
    pub python: PathBuf,
    /// `[Sidecar] timeout`: seconds one execution (a script, a function call, a custom
    /// operation) may take; then its worker is killed and the step errors. Default 60.
    pub timeout: Duration,
}

impl Default for SidecarConfig {
    fn default() -> Self {
        Self {
            python: PathBuf::from("python3"),
            timeout: Duration::from_secs(60),
        }
    }
}

impl SidecarConfig {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = SidecarConfig::default();
        let python = ini
            .get(SECTION, "python")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or(d.python);
        let secs: f64 = ini.parse_or(
            SECTION,
            "timeout",
            d.timeout.as_secs_f64(),
            "expected seconds",
        )?;
        if !(0.1..=86_400.0).contains(&secs) {
            return Err(ini.invalid(
                SECTION,
                "timeout",
                &secs.to_string(),
                "expected 0.1 to 86400 seconds",
            ));
        }
        Ok(Self {
            python,
            timeout: Duration::from_secs_f64(secs),
        })
    }
}
