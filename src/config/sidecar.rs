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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Result<SidecarConfig, ConfigError> {
        let ini = IniFile::parse(Path::new("c.ini"), text)?;
        SidecarConfig::from_ini(&ini)
    }

    #[test]
    fn absent_section_means_python3_and_60_seconds() {
        let c = parse("[Platform]\nurl = http://x\n").expect("parses");
        assert_eq!(c.python, PathBuf::from("python3"));
        assert_eq!(c.timeout, Duration::from_secs(60));
    }

    #[test]
    fn keys_are_read() {
        let c = parse("[Sidecar]\npython = /opt/venv/bin/python\ntimeout = 2.5\n").expect("parses");
        assert_eq!(c.python, PathBuf::from("/opt/venv/bin/python"));
        assert_eq!(c.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn a_bad_timeout_names_the_section_and_key() {
        for bad in ["soon", "0", "100000"] {
            let msg = parse(&format!("[Sidecar]\ntimeout = {bad}\n"))
                .expect_err("refused")
                .to_string();
            assert!(
                msg.contains("[Sidecar] timeout") && msg.contains("c.ini"),
                "{msg}"
            );
        }
    }
}
