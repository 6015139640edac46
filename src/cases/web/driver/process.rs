//! A chromedriver the engine spawned: its own process group (so the browser it starts dies
//! with it), a free loopback port, readiness through `/status`, and a kill that leaves nothing
//! behind — also from `Drop`, so no error path or cancellation can leak a browser (Q10).

use super::super::error::WebError;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A running chromedriver and the browser profile folder its session uses.
#[derive(Debug)]
pub struct DriverProcess {
    child: Option<tokio::process::Child>,
    /// Process group id (= the chromedriver's pid, spawned with `process_group(0)`).
    pgid: Option<i32>,
    pub port: u16,
    /// A fresh `--user-data-dir` under `browser/`, removed at kill. Processes that still name
    /// it on their command line are killed too (a browser that left the process group).
    pub profile: Option<PathBuf>,
}

/// Looks a program up on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `[WebDriver] path` for local modes (web-cases §4.1): used as is when it contains `/`; a
/// bare name is looked up in `browser/` (the Python engine's place) and then on PATH.
pub fn resolve_driver(path: &str, browser_dir: &Path) -> Result<PathBuf, WebError> {
    let path = path.trim();
    if path.is_empty() {
        return Err(WebError::Setup(
            "chromedriver not configured: set [WebDriver] path in config.ini (e.g. path = chromedriver)".into(),
        ));
    }
    if path.contains('/') {
        let p = PathBuf::from(path);
        return if is_executable(&p) {
            Ok(p)
        } else {
            Err(WebError::Setup(format!(
                "chromedriver not found: [WebDriver] path = {path} is not an executable file (install chromedriver, e.g. apt-get install chromium-driver)"
            )))
        };
    }
    let local = browser_dir.join(path);
    if is_executable(&local) {
        return Ok(local);
    }
    which(path).ok_or_else(|| {
        WebError::Setup(format!(
            "chromedriver not found: [WebDriver] path = {path} is neither in {} nor on PATH (install chromedriver, e.g. apt-get install chromium-driver, or set [WebDriver] path to its full path)",
            browser_dir.display()
        ))
    })
}

/// The browser binary: the case's `driverSetting.binary`, else `[Web] browser`, else the
/// usual names on PATH.
pub fn resolve_browser(
    case_binary: Option<&str>,
    configured: Option<&Path>,
) -> Result<PathBuf, WebError> {
    if let Some(b) = case_binary.filter(|b| !b.trim().is_empty()) {
        return Ok(PathBuf::from(b.trim()));
    }
    if let Some(p) = configured {
        if p.components().count() > 1 || p.is_absolute() {
            return if is_executable(p) {
                Ok(p.to_path_buf())
            } else {
                Err(WebError::Setup(format!(
                    "browser not found: [Web] browser = {} is not an executable file",
                    p.display()
                )))
            };
        }
        return which(&p.to_string_lossy()).ok_or_else(|| {
            WebError::Setup(format!(
                "browser not found: [Web] browser = {} is not on PATH",
                p.display()
            ))
        });
    }
    for name in [
        "chromium",
        "google-chrome",
        "google-chrome-stable",
        "chromium-browser",
        "chrome",
    ] {
        if let Some(p) = which(name) {
            return Ok(p);
        }
    }
    Err(WebError::Setup(
        "browser not found: no chromium or google-chrome on PATH; install one (e.g. apt-get install chromium) or set [Web] browser in config.ini".into(),
    ))
}

fn free_port() -> Result<u16, WebError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| WebError::Setup(format!("no free loopback port for chromedriver: {e}")))
}

impl DriverProcess {
    /// Spawns `driver --port=<free port>` in its own process group and waits until `/status`
    /// says ready. A port taken in between (another process won the race) is retried.
    pub async fn spawn(
        driver: &Path,
        profile: Option<PathBuf>,
        timeout: Duration,
    ) -> Result<DriverProcess, WebError> {
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let mut cmd = tokio::process::Command::new(driver);
            cmd.arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .kill_on_drop(true);
            let child = cmd.spawn().map_err(|e| {
                WebError::Setup(format!(
                    "cannot start chromedriver {} ([WebDriver] path): {e}",
                    driver.display()
                ))
            })?;
            let pgid = child.id().and_then(|p| i32::try_from(p).ok());
            let mut proc = DriverProcess {
                child: Some(child),
                pgid,
                port,
                profile: profile.clone(),
            };
            match proc.wait_ready(timeout).await {
                Ok(()) => return Ok(proc),
                Err(e) => {
                    last = e;
                    proc.kill();
                }
            }
        }
        Err(WebError::Setup(format!(
            "chromedriver {} ([WebDriver] path) did not become ready: {last}",
            driver.display()
        )))
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + timeout;
        let url = format!("{}/status", self.url());
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("it exited with {status}"));
            }
            if let Ok(resp) = client.get(&url).send().await
                && let Ok(body) = resp.json::<serde_json::Value>().await
                && body
                    .pointer("/value/ready")
                    .and_then(serde_json::Value::as_bool)
                    == Some(true)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "no ready answer on port {} within {:?}",
                    self.port, timeout
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process group (chromedriver and the browser it started), any process still
    /// naming the profile folder, and removes the folder. Idempotent; never blocks for long.
    pub fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take()
            && pgid > 1
        {
            // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            // Reap at once when possible; otherwise tokio reaps the orphan in the background.
            let _ = child.try_wait();
        }
        if let Some(profile) = self.profile.take() {
            kill_processes_naming(&profile);
            let _ = std::fs::remove_dir_all(&profile);
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// SIGKILLs every process whose command line contains `--user-data-dir=<profile>`.
pub fn kill_processes_naming(profile: &Path) {
    let needle = format!("--user-data-dir={}", profile.display());
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return;
    };
    let me = std::process::id();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        if u32::try_from(pid).ok() == Some(me) {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline);
        if text.split('\0').any(|arg| arg == needle) {
            // SAFETY: kill(2) on a pid; no memory involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}
