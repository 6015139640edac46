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
    /// `[Web] implicit-wait` (Q1): seconds of implicit wait set when a browser starts and by
    /// `打开网页`. Unset: the Python engine's behaviour (none until the first `打开网页`, which
    /// sets 2 s).
    pub implicit_wait: Option<Duration>,
    /// `[Web] null-driver-flags` (Q11): how a case's `startDriver`/`closeDriver` of `null`
    /// (older cases) reads: `false` as the Python engine, or `true` as the platform's UI default.
    pub null_driver_flags: bool,
    /// `[Web] reset-on-reuse` (Q12): before a case that reuses the collection's browser, switch
    /// to the page's top frame and the first window (the Python engine keeps whatever frame,
    /// window or alert the previous case left).
    pub reset_on_reuse: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            browser: None,
            skip_after_stop: false,
            new_window_timeout: Duration::from_secs(60),
            driver_start_timeout: Duration::from_secs(60),
            implicit_wait: None,
            null_driver_flags: false,
            reset_on_reuse: false,
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
        let flag = |key: &str, default: bool| -> Result<bool, ConfigError> {
            match ini.get(SECTION, key) {
                None => Ok(default),
                Some(v) if v.is_empty() => Ok(default),
                Some(v) => match v.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" | "1" => Ok(true),
                    "false" | "no" | "off" | "0" => Ok(false),
                    _ => Err(ini.invalid(SECTION, key, &v, "expected true or false")),
                },
            }
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
        let implicit_wait = match ini.get(SECTION, "implicit-wait") {
            Some(v) if !v.trim().is_empty() => match v.trim().parse::<f64>() {
                Ok(n) if (0.0..=3600.0).contains(&n) => Some(Duration::from_secs_f64(n)),
                _ => {
                    return Err(ini.invalid(
                        SECTION,
                        "implicit-wait",
                        &v,
                        "expected 0 to 3600 seconds, or nothing for the Python engine's behaviour",
                    ));
                }
            },
            _ => None,
        };
        Ok(Self {
            browser,
            skip_after_stop: flag("skip-after-stop", d.skip_after_stop)?,
            implicit_wait,
            null_driver_flags: flag("null-driver-flags", d.null_driver_flags)?,
            reset_on_reuse: flag("reset-on-reuse", d.reset_on_reuse)?,
            new_window_timeout: secs("new-window-timeout", d.new_window_timeout)?,
            driver_start_timeout: secs("driver-start-timeout", d.driver_start_timeout)?,
        })
    }
}
