//! One browser: a WebDriver session plus, in the local modes, the chromedriver the engine
//! spawned for it (web-cases §4.6). Quitting is explicit and async (`quit`); `Drop` is the
//! safety net that kills the process group synchronously, so a cancelled or panicking case
//! never leaves a browser behind (Q10).

pub mod caps;
pub mod process;

use super::error::WebError;
use super::session::Session;
use super::settings::{Mode, WebEnv};
use caps::ChromeOptions;
use process::DriverProcess;
use serde_json::Value as Json;
use std::time::Duration;

pub struct Browser {
    driver: Option<thirtyfour::WebDriver>,
    session: Session,
    process: Option<DriverProcess>,
    mode: Mode,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("mode", &self.mode)
            .field("port", &self.process.as_ref().map(|p| p.port))
            .finish_non_exhaustive()
    }
}

fn http_client(timeout: Duration, local: bool) -> Result<reqwest::Client, WebError> {
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10));
    if local {
        b = b.no_proxy();
    }
    b.build()
        .map_err(|e| WebError::Setup(format!("cannot build the WebDriver HTTP client: {e}")))
}

impl Browser {
    /// Starts a browser for a case's rendered `driverSetting` (§4.3).
    pub async fn start(env: &WebEnv, setting: &Json) -> Result<Browser, WebError> {
        crate::net::ensure_crypto_provider();
        let options = ChromeOptions::from_setting(setting)?;
        match env.mode {
            Mode::Remote => {
                let url = env.driver_path.trim();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(WebError::Setup(format!(
                        "remote WebDriver: [WebDriver] path = {url:?} is not an http(s) URL (options = remote needs the server's URL, e.g. http://grid:4444/wd/hub)"
                    )));
                }
                let caps = options.capabilities(Mode::Remote, None, None);
                let driver = tokio::time::timeout(
                    env.driver_start_timeout,
                    thirtyfour::WebDriver::builder(url, caps)
                        .client(http_client(env.command_timeout, false)?)
                        .request_timeout(env.command_timeout)
                        .connect(),
                )
                .await
                .map_err(|_| {
                    WebError::Setup(format!(
                        "remote WebDriver {url} ([WebDriver] path) did not create a session within {:?}",
                        env.driver_start_timeout
                    ))
                })?
                .map_err(|e| {
                    WebError::Setup(format!(
                        "remote WebDriver {url} ([WebDriver] path) refused a session: {}",
                        WebError::from_driver(e)
                    ))
                })?;
                Ok(Browser {
                    session: Session::new(driver.clone()),
                    driver: Some(driver),
                    process: None,
                    mode: Mode::Remote,
                })
            }
            Mode::Normal | Mode::Headless => {
                let driver_bin = process::resolve_driver(&env.driver_path, &env.browser_dir)?;
                let browser_bin =
                    process::resolve_browser(options.binary.as_deref(), env.browser.as_deref())?;
                let profile = if options.has_profile() {
                    None
                } else {
                    let p = env
                        .browser_dir
                        .join(format!("profile-{}", uuid::Uuid::new_v4().simple()));
                    std::fs::create_dir_all(&p).map_err(|e| {
                        WebError::Setup(format!(
                            "cannot create the browser profile {}: {e}",
                            p.display()
                        ))
                    })?;
                    Some(p)
                };
                let mut proc =
                    DriverProcess::spawn(&driver_bin, profile.clone(), env.driver_start_timeout)
                        .await
                        .inspect_err(|_| {
                            if let Some(p) = &profile {
                                let _ = std::fs::remove_dir_all(p);
                            }
                        })?;
                let caps = options.capabilities(env.mode, Some(&browser_bin), profile.as_deref());
                let created = tokio::time::timeout(
                    env.driver_start_timeout,
                    thirtyfour::WebDriver::builder(proc.url(), caps)
                        .client(http_client(env.command_timeout, true)?)
                        .request_timeout(env.command_timeout)
                        .connect(),
                )
                .await;
                let driver = match created {
                    Ok(Ok(d)) => d,
                    Ok(Err(e)) => {
                        proc.kill();
                        return Err(WebError::Setup(format!(
                            "cannot start the browser {} through chromedriver {}: {} (browser: [Web] browser or driverSetting.binary; driver: [WebDriver] path)",
                            browser_bin.display(),
                            driver_bin.display(),
                            WebError::from_driver(e)
                        )));
                    }
                    Err(_) => {
                        proc.kill();
                        return Err(WebError::Setup(format!(
                            "the browser {} did not start within {:?} ([Web] driver-start-timeout)",
                            browser_bin.display(),
                            env.driver_start_timeout
                        )));
                    }
                };
                Ok(Browser {
                    session: Session::new(driver.clone()),
                    driver: Some(driver),
                    process: Some(proc),
                    mode: env.mode,
                })
            }
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Quits the session (bounded in time), then kills what the engine spawned. Errors are
    /// returned for logging only: the browser is gone either way (Q10).
    pub async fn quit(mut self) -> Result<(), String> {
        let result = match self.driver.take() {
            Some(d) => match tokio::time::timeout(Duration::from_secs(5), d.quit()).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(WebError::from_driver(e).to_string()),
                Err(_) => Err("the driver did not answer quit within 5 s".to_string()),
            },
            None => Ok(()),
        };
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
        result
    }

    /// Ends the browser at once without asking the driver (cancellation, shutdown).
    pub fn kill(&mut self) {
        if let Some(d) = self.driver.take() {
            if self.process.is_some() {
                // The process group is killed below: no blocking DELETE /session from Drop.
                let _ = d.leak();
            } else if let Ok(handle) = tokio::runtime::Handle::try_current() {
                // Remote: ask the server to end the session, in the background.
                handle.spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(5), d.quit()).await;
                });
            } else {
                let _ = d.leak();
            }
        }
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.kill();
    }
}
