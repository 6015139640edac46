//! Runs the real `liuma-engine` binary against a platform double, in a throwaway home folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Engine {
    pub home: tempfile::TempDir,
    pub config: PathBuf,
    child: Option<Child>,
    /// Extra environment of the engine process (e.g. `NOTIFY_SOCKET`, a secrets key).
    env: Vec<(String, String)>,
}

/// Fast intervals so tests finish quickly; every value is a real `[Agent]` setting.
pub const FAST_AGENT: &str = "heartbeat-interval = 0.5\nfetch-interval = 0.5\nstatus-poll-interval = 0.5\nresult-batch-interval = 0.2\nkeepalive-interval = 5\ndrain-timeout = 10\nplatform-timeout = 15\ndownload-attempts = 3\nlog-level = debug\n";

pub fn config_text(
    url: &str,
    code: &str,
    secret: &str,
    max_run: usize,
    agent_extra: &str,
) -> String {
    format!(
        "[Platform]\nurl = {url}\nenable-stderr = true\n\n[Engine]\nengine-code = {code}\nengine-secret = {secret}\n\n[Header]\ncontent-type = application/json;charset=utf-8\ntoken = ******\n\n[WebDriver]\noptions = headless\npath = chromedriver\n\n[RunSetting]\nmax-run = {max_run}\n\n[Agent]\n{FAST_AGENT}{agent_extra}"
    )
}

pub fn binary() -> &'static str {
    // Integration tests get the path from Cargo; examples that reuse this module do not run it.
    option_env!("CARGO_BIN_EXE_liuma-engine").unwrap_or("liuma-engine")
}

impl Engine {
    /// Writes the config and starts `liuma-engine start`.
    pub fn start(url: &str, code: &str, secret: &str, max_run: usize, agent_extra: &str) -> Engine {
        let home = tempfile::tempdir().expect("temp dir");
        let config = home.path().join("config.ini");
        std::fs::write(
            &config,
            config_text(url, code, secret, max_run, agent_extra),
        )
        .expect("write config");
        let mut e = Engine {
            home,
            config,
            child: None,
            env: Vec::new(),
        };
        e.spawn();
        e
    }

    /// Writes `config_text` as the config and starts `liuma-engine start` with `env` added to
    /// its environment.
    pub fn start_with(config_text: &str, env: &[(&str, &str)]) -> Engine {
        let home = tempfile::tempdir().expect("temp dir");
        let config = home.path().join("config.ini");
        std::fs::write(&config, config_text).expect("write config");
        let mut e = Engine {
            home,
            config,
            child: None,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        e.spawn();
        e
    }

    /// Writes `config_text` into a new home without starting the engine (the test prepares
    /// the home first, then calls `spawn`).
    pub fn prepare(config_text: &str) -> Engine {
        let home = tempfile::tempdir().expect("temp dir");
        let config = home.path().join("config.ini");
        std::fs::write(&config, config_text).expect("write config");
        Engine {
            home,
            config,
            child: None,
            env: Vec::new(),
        }
    }

    pub fn spawn(&mut self) {
        let log = std::fs::File::create(self.home.path().join("stdout.txt")).expect("stdout file");
        let child = Command::new(binary())
            .arg("start")
            .arg("--config")
            .arg(&self.config)
            .arg("--home")
            .arg(self.home.path())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("clone")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn liuma-engine");
        self.child = Some(child);
    }

    pub fn path(&self) -> &Path {
        self.home.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Sends a signal by name (TERM, INT, KILL).
    pub fn signal(&self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .arg(format!("-{sig}"))
                .arg(c.id().to_string())
                .status();
        }
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                self.child = None;
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Everything the engine printed (stdout and stderr).
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.home.path().join("stdout.txt")).unwrap_or_default()
    }

    /// Whether the logs show `text` within 10 s: the log files are written by a background
    /// thread (within 0.1 s of a line, warnings at once), so a line just logged may not be
    /// there yet.
    #[allow(dead_code)]
    pub async fn log_shows(&self, text: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if self.logs().contains(text) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Concatenated contents of every file under log/.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        if let Ok(dir) = std::fs::read_dir(self.home.path().join("log")) {
            for e in dir.flatten() {
                all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        all
    }
}

/// SIGKILLs the engine and waits (off the async runtime) until it is gone.
pub async fn kill_and_wait(mut engine: Engine) -> Engine {
    engine.signal("KILL");
    tokio::task::spawn_blocking(move || {
        assert!(
            engine.wait_exit(Duration::from_secs(10)).is_some(),
            "the engine did not die"
        );
        engine
    })
    .await
    .expect("join")
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
