//! The Python sidecar: users' Python code (API pre/post scripts, custom functions, WEB custom
//! operations) runs in `python3` worker processes instead of inside the engine (api-cases A37,
//! web-cases Q21). A script can then hang, crash or leak memory without touching the engine: it
//! is bounded by a timeout, killed (with everything it started) on stop, and replaced when it
//! dies.
//!
//! * [`process`]: one worker process and the JSON-lines exchange with it.
//! * [`SidecarSlot`]: the worker of one collection, started on first use, reused by its cases.
//! * [`wire`]: engine values on the wire (bytes, tuples and big ints keep their types).
//! * [`script`], [`function`], [`web`]: the requests of API scripts, custom functions and WEB
//!   custom operations, and how their answers come back into the case.
//!
//! The worker program (`worker.py`) ships inside the binary and binds the names of the Python
//! engine's contract (`sys_put`, `sys_get`, `sys_return`, `print`, `res_*`, `self`, `driver`…).

pub mod function;
pub mod process;
pub mod script;
mod slot;
pub mod web;
pub mod wire;

pub use slot::{SidecarSlot, blocking};

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a sidecar call did not produce an answer. Every text names what to change.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SidecarError {
    #[error(
        "the Python sidecar cannot start {python:?} ([Sidecar] python in config.ini names the interpreter): {reason}"
    )]
    Start { python: PathBuf, reason: String },
    #[error(
        "the Python code ran longer than {}s ([Sidecar] timeout in config.ini): its worker was killed",
        .0.as_secs_f64()
    )]
    Timeout(Duration),
    #[error("the Python sidecar worker exited unexpectedly ({status}): {detail}")]
    Crashed { status: String, detail: String },
    #[error("the Python sidecar worker was killed because the run was stopped")]
    Stopped,
    #[error("the Python sidecar worker answered something unexpected: {0}")]
    Protocol(String),
    #[error("the Python sidecar call could not run: {0}")]
    Internal(String),
}

#[derive(Debug, Default)]
struct KillState {
    /// Process group of the live worker, 0 when none.
    pgid: i32,
    /// The run was stopped: kill the live worker and any worker started later.
    tripped: bool,
}

/// Kills a collection's worker from outside the thread that talks to it (stop, timeout), by
/// process group, without waiting for that thread.
#[derive(Debug, Clone, Default)]
pub struct KillSwitch(Arc<Mutex<KillState>>);

fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) with a negative pid signals exactly the worker's process group.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

impl KillSwitch {
    fn state(&self) -> std::sync::MutexGuard<'_, KillState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A worker with process group `pgid` is live (killed at once when the run was stopped).
    fn arm(&self, pgid: i32) {
        let mut s = self.state();
        s.pgid = pgid;
        if s.tripped {
            kill_group(pgid);
        }
    }

    /// Kills group `pgid` (not yet reaped, so the id cannot have been reused) and forgets it.
    fn disarm_and_kill(&self, pgid: i32) {
        let mut s = self.state();
        kill_group(pgid);
        if s.pgid == pgid {
            s.pgid = 0;
        }
    }

    /// Stop: kills the live worker now and every worker started after this.
    pub fn trip(&self) {
        let mut s = self.state();
        s.tripped = true;
        kill_group(s.pgid);
    }

    /// Kills the live worker, if any, without stopping later ones.
    fn kill_current(&self) {
        let s = self.state();
        kill_group(s.pgid);
    }

    fn was_tripped(&self) -> bool {
        self.state().tripped
    }
}

/// How user code ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Ok,
    /// `AssertionError` (a failure, status 1), with `str(e)`.
    Fail(String),
    /// Any other exception (status 2), with the last line of its traceback.
    Error(String),
}

/// A worker's final answer, read back into engine values.
#[derive(Debug, Clone)]
pub struct Reply {
    pub ending: Ending,
    /// What user code printed (console capture, api-cases §8.3).
    pub console: String,
    /// The collection context and case params as user code left them (`None`: unchanged).
    pub context: Option<crate::value::Dict>,
    pub params: Option<crate::value::Dict>,
    /// `sys_return`'s value (custom functions, WEB custom operations).
    pub value: Option<crate::value::Value>,
}

impl Reply {
    /// Reads the `ok` / `kind` / `message` / `console` / `context` / `params` / `value` fields.
    pub fn read(reply: &serde_json::Value) -> Self {
        use serde_json::Value as Json;
        let text = |k: &str| {
            reply
                .get(k)
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string()
        };
        let ending = if reply.get("ok").and_then(Json::as_bool) == Some(true) {
            Ending::Ok
        } else if reply.get("kind").and_then(Json::as_str) == Some("fail") {
            Ending::Fail(text("message"))
        } else {
            Ending::Error(text("message"))
        };
        Reply {
            ending,
            console: text("console"),
            context: reply.get("context").and_then(wire::decode_map),
            params: reply.get("params").and_then(wire::decode_map),
            value: reply.get("value").map(wire::decode),
        }
    }
}
