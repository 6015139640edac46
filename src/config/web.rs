//! `[Web]`: WEB-case settings only this engine has. The Python engine's `[WebDriver]` keys
//! (`options`, `path`) keep their meaning and are read in `config/mod.rs`; everything here is
//! optional, so a Python engine's file works unchanged.

use super::{ConfigError, IniFile};
use std::path::PathBuf;
use std::time::Duration;

const SECTION: &str = "Web";

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `[Web] browser`: the Chrome/Chromium binary for local modes. Empty: `chromium`, then
    /// `google-chrome`, `google-chrome-stable`, `chromium-browser` on PATH. A case's own
    /// `driverSetting.binary` wins over it.
    pub browser: Option<PathBuf>,
    /// `[Web] skip-after-stop` (web-cases Q17): `true` reports the steps after a stopping
    /// failure as skipped (status 3); `false` (the Python engine's report shape) leaves them out.
    pub skip_after_stop: bool,
    /// `[Web] new-window-timeout` (Q7): seconds `单击跳转新窗口` waits for the new window
    /// before the step errors.
    pub new_window_timeout: Duration,
    /// `[Web] driver-start-timeout`: seconds to wait for a spawned chromedriver to answer
    /// `/status` and for the browser session to be created.
    pub driver_start_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            browser: None,
            skip_after_stop: false,
            new_window_timeout: Duration::from_secs(60),
            driver_start_timeout: Duration::from_secs(60),
        }
    }
}

impl WebConfig {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = WebConfig::default();
        let browser = ini
            .get(SECTION, "browser")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let skip_after_stop = match ini.get(SECTION, "skip-after-stop") {
            None => d.skip_after_stop,
            Some(v) if v.is_empty() => d.skip_after_stop,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => true,
                "false" | "no" | "off" | "0" => false,
                _ => {
                    return Err(ini.invalid(
                        SECTION,
                        "skip-after-stop",
                        &v,
                        "expected true or false",
                    ));
                }
            },
        };
        let secs = |key: &str, default: Duration| -> Result<Duration, ConfigError> {
            let v: f64 = ini.parse_or(SECTION, key, default.as_secs_f64(), "expected seconds")?;
            if !(0.1..=86_400.0).contains(&v) {
                return Err(ini.invalid(
                    SECTION,
                    key,
                    &v.to_string(),
                    "expected 0.1 to 86400 seconds",
                ));
            }
            Ok(Duration::from_secs_f64(v))
        };
        Ok(Self {
            browser,
            skip_after_stop,
            new_window_timeout: secs("new-window-timeout", d.new_window_timeout)?,
            driver_start_timeout: secs("driver-start-timeout", d.driver_start_timeout)?,
        })
    }
}
