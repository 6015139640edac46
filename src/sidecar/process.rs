//! One `python3` worker process: spawned in its own process group (so a kill reaches anything
//! user code started too), told to die with the engine (`PR_SET_PDEATHSIG`), spoken to in JSON
//! lines, killed as a group on timeout, stop and drop. Blocking I/O only: callers run it on a
//! blocking thread.

use super::{KillSwitch, SidecarError};
use serde_json::Value as Json;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The worker program, shipped inside the binary.
const PROGRAM: &str = include_str!("worker.py");

/// How many of the worker's last stderr lines a crash report quotes.
const STDERR_TAIL: usize = 8;

/// Answers for one callback line the worker wrote while running user code.
pub type Callbacks<'a> = dyn FnMut(&Json) -> Json + 'a;

/// A running worker.
pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    kill: KillSwitch,
    python: PathBuf,
}

type SpawnJob = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Children are spawned from one thread that lives as long as the engine: `PR_SET_PDEATHSIG`
/// fires when the *thread* that forked the child ends, so spawning from a short-lived blocking
/// thread would kill idle workers; spawning from here kills them only with the engine.
fn spawn_from_keeper(cmd: Command) -> std::io::Result<Child> {
    static KEEPER: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        let started = std::thread::Builder::new()
            .name("sidecar-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            });
        if let Err(e) = started {
            tracing::error!("cannot start the sidecar spawner thread: {e}");
        }
        Mutex::new(tx)
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    let sent = keeper
        .lock()
        .map_err(|_| std::io::Error::other("sidecar spawner lock poisoned"))?
        .send((cmd, reply_tx));
    if sent.is_err() {
        return Err(std::io::Error::other("the sidecar spawner thread is gone"));
    }
    reply_rx
        .recv()
        .map_err(|_| std::io::Error::other("the sidecar spawner thread is gone"))?
}

impl Worker {
    /// Starts a worker with `python` and waits (until `deadline`) for its ready line.
    pub fn start(python: &Path, kill: KillSwitch, limit: Duration) -> Result<Self, SidecarError> {
        let deadline = Instant::now() + limit;
        let mut cmd = Command::new(python);
        cmd.arg("-c")
            .arg(PROGRAM)
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let parent = std::process::id();
        // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let mut child = spawn_from_keeper(cmd).map_err(|e| SidecarError::Start {
            python: python.to_path_buf(),
            reason: if e.kind() == std::io::ErrorKind::NotFound {
                "no such program".to_string()
            } else {
                e.to_string()
            },
        })?;
        let pid = child.id() as i32;
        kill.arm(pid);
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill.disarm_and_kill(pid);
            let _ = child.wait();
            return Err(SidecarError::Start {
                python: python.to_path_buf(),
                reason: "its standard streams could not be opened".into(),
            });
        };
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::Builder::new()
            .name("sidecar-out".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = stderr_tail.clone();
        let err_reader = std::thread::Builder::new()
            .name("sidecar-err".into())
            .spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    tracing::debug!(target: "liuma_engine::sidecar", pid, "python: {line}");
                    if let Ok(mut t) = tail.lock() {
                        if t.len() == STDERR_TAIL {
                            t.pop_front();
                        }
                        t.push_back(line);
                    }
                }
            });
        let mut worker = Worker {
            child,
            stdin,
            lines,
            stderr_tail,
            kill,
            python: python.to_path_buf(),
        };
        if let Err(e) = reader.and(err_reader) {
            return Err(SidecarError::Start {
                python: worker.python.clone(),
                reason: format!("cannot start its reader thread: {e}"),
            });
        }
        match worker.next_line(deadline, limit) {
            Ok(ready) if ready.get("ready").is_some() => {
                tracing::debug!(
                    pid,
                    python = %worker.python.display(),
                    version = ready.get("python").and_then(Json::as_str).unwrap_or("?"),
                    "sidecar worker started"
                );
                metrics::counter!("liuma_sidecar_workers_started_total").increment(1);
                Ok(worker)
            }
            Ok(other) => Err(SidecarError::Start {
                python: worker.python.clone(),
                reason: format!("unexpected first line {other}"),
            }),
            Err(SidecarError::Crashed { detail, .. }) => Err(SidecarError::Start {
                python: worker.python.clone(),
                reason: detail,
            }),
            Err(e) => Err(e),
        }
    }

    /// The worker's process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `request` and returns the final answer, answering callback lines (`{"cb": …}`) with
    /// `callbacks` in between. After `limit` the worker is killed and the call is a timeout.
    /// After any `Err` the worker is dead and must be dropped.
    pub fn exchange(
        &mut self,
        request: &Json,
        limit: Duration,
        callbacks: &mut Callbacks<'_>,
    ) -> Result<Json, SidecarError> {
        let deadline = Instant::now() + limit;
        self.write_line(request)?;
        loop {
            let msg = self.next_line(deadline, limit)?;
            if msg.get("cb").is_none() {
                return Ok(msg);
            }
            let answer = callbacks(&msg);
            self.write_line(&answer)?;
        }
    }

    fn write_line(&mut self, v: &Json) -> Result<(), SidecarError> {
        let mut text = v.to_string();
        text.push('\n');
        if self
            .stdin
            .write_all(text.as_bytes())
            .and_then(|_| self.stdin.flush())
            .is_err()
        {
            return Err(self.crashed());
        }
        Ok(())
    }

    fn next_line(&mut self, deadline: Instant, limit: Duration) -> Result<Json, SidecarError> {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(wait) {
            Ok(line) => serde_json::from_str(&line).map_err(|e| {
                self.kill_group();
                SidecarError::Protocol(format!("{e}: {}", truncate(&line, 200)))
            }),
            Err(RecvTimeoutError::Timeout) => {
                metrics::counter!("liuma_sidecar_timeouts_total").increment(1);
                self.kill_group();
                Err(SidecarError::Timeout(limit))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.crashed()),
        }
    }

    /// The error for a worker whose output ended: killed by us (stop), or crashed.
    fn crashed(&mut self) -> SidecarError {
        let stopped = self.kill.was_tripped();
        self.kill_group();
        let status = self
            .child
            .wait()
            .map(|s| s.to_string())
            .unwrap_or_else(|e| e.to_string());
        if stopped {
            return SidecarError::Stopped;
        }
        let tail: Vec<String> = self
            .stderr_tail
            .lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        metrics::counter!("liuma_sidecar_worker_crashes_total").increment(1);
        SidecarError::Crashed {
            status,
            detail: if tail.is_empty() {
                "no error output".to_string()
            } else {
                tail.join(" | ")
            },
        }
    }

    fn kill_group(&mut self) {
        self.kill.disarm_and_kill(self.child.id() as i32);
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill_group();
        let _ = self.child.wait();
    }
}
