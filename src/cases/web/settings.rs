//! What WEB cases need from the engine: the `[WebDriver]` mode and driver, our `[Web]`
//! settings, the working folders and where screenshots are reported. One per engine.

use super::screenshot::ScreenshotSink;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// `[WebDriver] options` (web-cases §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A local chromedriver and a visible browser.
    Normal,
    /// A local chromedriver and a headless browser.
    Headless,
    /// A WebDriver server at `path` (Selenium Grid, a chromedriver elsewhere).
    Remote,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Headless => "headless",
            Mode::Remote => "remote",
        }
    }
}

#[derive(Clone)]
pub struct WebEnv {
    pub mode: Mode,
    /// `[WebDriver] path` as written: a chromedriver name or path, or the remote URL.
    pub driver_path: String,
    /// `[Web] browser`, when set.
    pub browser: Option<PathBuf>,
    /// `<home>/browser`: where a bare driver name is looked up (Python engine) and where each
    /// browser gets its fresh profile folder.
    pub browser_dir: PathBuf,
    /// `<home>/image`: screenshots go to `image/<taskId>/<id>.png`.
    pub image_dir: PathBuf,
    /// Q17: report the steps after a stopping failure as skipped.
    pub skip_after_stop: bool,
    /// Q7: how long `单击跳转新窗口` waits for the new window.
    pub new_window_timeout: Duration,
    /// How long a local chromedriver may take to become ready and to open a session.
    pub driver_start_timeout: Duration,
    /// Q1: the implicit wait set at browser start and by `打开网页` (unset: the Python engine's).
    pub implicit_wait: Option<Duration>,
    /// Q11: what `startDriver`/`closeDriver` of `null` mean.
    pub null_driver_flags: bool,
    /// Q12: reset frame and window before a case that reuses the browser.
    pub reset_on_reuse: bool,
    /// Upper bound of one WebDriver command (a page load included).
    pub command_timeout: Duration,
    /// Told about every saved screenshot (agent mode: the store and the uploader).
    pub sink: Option<Arc<dyn ScreenshotSink>>,
}

impl std::fmt::Debug for WebEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebEnv")
            .field("mode", &self.mode)
            .field("driver_path", &self.driver_path)
            .finish_non_exhaustive()
    }
}

impl WebEnv {
    /// Defaults for a home folder: headless, `chromedriver`, no sink.
    pub fn new(home: &std::path::Path) -> Self {
        Self {
            mode: Mode::Headless,
            driver_path: "chromedriver".into(),
            browser: None,
            browser_dir: home.join("browser"),
            image_dir: home.join("image"),
            skip_after_stop: false,
            new_window_timeout: Duration::from_secs(60),
            driver_start_timeout: Duration::from_secs(60),
            implicit_wait: None,
            null_driver_flags: false,
            reset_on_reuse: false,
            command_timeout: Duration::from_secs(600),
            sink: None,
        }
    }

    /// From the configuration and the home folder.
    pub fn from_config(cfg: &crate::config::Config, home: &crate::config::Home) -> Self {
        use crate::config::WebDriverMode;
        Self {
            mode: match cfg.webdriver_mode {
                WebDriverMode::Normal => Mode::Normal,
                WebDriverMode::Headless => Mode::Headless,
                WebDriverMode::Remote => Mode::Remote,
            },
            driver_path: cfg.webdriver_path.clone(),
            browser: cfg.web.browser.clone(),
            browser_dir: home.browser.clone(),
            image_dir: home.image.clone(),
            skip_after_stop: cfg.web.skip_after_stop,
            new_window_timeout: cfg.web.new_window_timeout,
            driver_start_timeout: cfg.web.driver_start_timeout,
            implicit_wait: cfg.web.implicit_wait,
            null_driver_flags: cfg.web.null_driver_flags,
            reset_on_reuse: cfg.web.reset_on_reuse,
            command_timeout: cfg.agent.step_timeout_cap,
            sink: None,
        }
    }
}
