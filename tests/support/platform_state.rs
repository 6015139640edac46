//! The platform's "database": engine row, tasks, reports, uploads, and the
//! records tests assert on. Kept behind one `std::sync::Mutex` that is never
//! held across an `.await`, so every query from a test is synchronous.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::jwt::{self, Claims, JwtError};
use super::listener::ListenerControl;
use super::validate::StoredResult;

/// Everything the handlers and the test-side handle share.
pub struct Shared {
    pub state: Mutex<State>,
    pub control: ListenerControl,
    pub addr: SocketAddr,
    /// Interval of the `close_ws_every` job; zero = off.
    pub close_every: watch::Sender<Duration>,
}

impl Shared {
    /// Locks the state; a panicking test thread must not wedge the double.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub const OFFLINE: &str = "offline";
pub const ONLINE: &str = "online";
pub const RUNNING: &str = "running";

/// How long a heartbeat keeps an engine "online" for the user-stop rule (§4.5).
const HEARTBEAT_FRESH: Duration = Duration::from_secs(180);

/// A command for the task that owns the WebSocket session.
#[derive(Debug)]
pub enum WsCmd {
    Text(String),
    Close(u16, String),
}

/// The registered WebSocket session (`WsSessionManager`, §4.4).
pub struct Session {
    pub tx: mpsc::UnboundedSender<WsCmd>,
}

/// One row of the task table plus its report.
pub struct TaskRec {
    pub data: Value,
    pub task_type: String,
    /// `prepared`, `running`, `completed` or `discontinue`.
    pub status: &'static str,
    /// `prepared`, `running`, `success`, `fail`, `error`, `skip`, `discontinue`.
    pub report_status: &'static str,
    /// The report's `update_time`, refreshed by fetch and by every upload.
    pub update_time: Option<Instant>,
    pub results: Vec<StoredResult>,
    /// When each of `results` was stored (Unix ms), in the same order.
    pub received_ms: Vec<i64>,
    /// Report collections created so far (unique per report + collection).
    pub collections: HashSet<String>,
    pub completes: usize,
    /// When `task/fetch` handed the task out, and when `task/complete` first succeeded: the
    /// span the end-to-end benchmark measures, taken where it happens instead of by polling.
    pub fetched_at: Option<Instant>,
    pub completed_at: Option<Instant>,
}

/// One `result/upload` call as the double answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadRecord {
    pub task_id: Option<String>,
    /// HTTP status of the answer (200, 400, 415, 500 …).
    pub http_status: u16,
    /// Envelope `status` when the answer was an HTTP 200 envelope.
    pub envelope_status: Option<i64>,
    /// Length of `caseResultList` as sent (0 for keep-alives and unreadable bodies).
    pub results: usize,
    /// Size of the request body in bytes.
    pub bytes: usize,
    /// Why the double refused the call (validation, fault, unique index …).
    pub error: Option<String>,
    pub at: Instant,
}

/// One HTTP request (or WebSocket handshake) seen by the double.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub at: Instant,
}

/// Fault injection switches (all settable while the engine runs).
pub struct Faults {
    /// How long a new report collection is "being created" (unique index window).
    pub create_delay: Duration,
    pub upload_500: usize,
    pub uploads_fail_until: Option<Instant>,
    pub delay: Duration,
    pub non_json: usize,
    pub path_500: HashMap<String, usize>,
    /// Path → (count, delay): the next `count` requests to the path are processed in full, then
    /// their answer waits `delay` (a lost answer when the client dies meanwhile).
    pub stall_after: HashMap<String, (usize, Duration)>,
    /// Bundle downloads stream their bytes over this long (zero = at once).
    pub slow_download: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            create_delay: Duration::from_millis(30),
            upload_500: 0,
            uploads_fail_until: None,
            delay: Duration::ZERO,
            non_json: 0,
            path_500: HashMap::new(),
            stall_after: HashMap::new(),
            slow_download: Duration::ZERO,
        }
    }
}

/// A file of the platform's file manager.
pub struct TestFile {
    pub name: String,
    /// `None` models "row exists, file missing on disk".
    pub bytes: Option<Vec<u8>>,
}

pub struct State {
    pub engine_code: String,
    pub engine_secret: String,
    pub engine_status: &'static str,
    pub last_heartbeat: Option<Instant>,
    pub heartbeats: usize,
    pub http_heartbeats: usize,
    pub ws_connections: usize,
    pub session: Option<Session>,
    pub next_session_id: u64,
    pub token_lifetime: Duration,
    /// Tokens with `iat` up to this value answer 2030 (`expire_tokens`).
    pub expired_upto_iat: Option<i64>,
    pub last_iat: i64,
    pub token_applies: usize,
    pub queue: Vec<String>,
    pub tasks: HashMap<String, TaskRec>,
    /// (taskId, collectionId) pairs whose report collection is being created.
    pub creating: HashSet<(String, String)>,
    /// Shared with every download of it (a download is not a copy).
    pub bundles: HashMap<String, axum::body::Bytes>,
    pub test_files: HashMap<String, TestFile>,
    pub screenshots: Vec<(String, Vec<u8>)>,
    pub uploads: Vec<UploadRecord>,
    pub requests: Vec<RequestRecord>,
    pub downloads: HashMap<String, usize>,
    /// Every open WebSocket session, registered or not (for `close_ws_now`).
    pub live_sessions: HashMap<u64, mpsc::UnboundedSender<WsCmd>>,
    pub fetches: usize,
    pub status_polls: usize,
    pub faults: Faults,
    /// Answers held back by `stall_after` so far: (path, when the stall began).
    pub stalls: Vec<(String, Instant)>,
    /// Bundle downloads whose streaming has begun and not ended.
    pub downloads_in_flight: usize,
    pub report_reads: usize,
    /// `Some` when result uploads are accepted unchecked and checked later
    /// (`PlatformDouble::defer_result_checks`): the uploads waiting for that.
    pub deferred_uploads: Option<Vec<DeferredUpload>>,
}

/// A `result/upload` body accepted unchecked, with when it arrived and its record.
pub struct DeferredUpload {
    pub body: axum::body::Bytes,
    /// Unix ms of its arrival: the results' storage time.
    pub received_ms: i64,
    /// Its index in `State::uploads`.
    pub record: usize,
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl State {
    pub fn new(engine_code: String, engine_secret: String) -> Self {
        Self {
            engine_code,
            engine_secret,
            engine_status: OFFLINE,
            last_heartbeat: None,
            heartbeats: 0,
            http_heartbeats: 0,
            ws_connections: 0,
            session: None,
            next_session_id: 1,
            token_lifetime: Duration::from_secs(604_800),
            expired_upto_iat: None,
            last_iat: 0,
            token_applies: 0,
            queue: Vec::new(),
            tasks: HashMap::new(),
            creating: HashSet::new(),
            bundles: HashMap::new(),
            test_files: HashMap::new(),
            screenshots: Vec::new(),
            uploads: Vec::new(),
            requests: Vec::new(),
            downloads: HashMap::new(),
            live_sessions: HashMap::new(),
            fetches: 0,
            status_polls: 0,
            stalls: Vec::new(),
            downloads_in_flight: 0,
            report_reads: 0,
            deferred_uploads: None,
            faults: Faults::default(),
        }
    }

    /// Issues a token. `iat` is pushed past any expired cut-off so a token
    /// applied for right after `expire_tokens` is a different, valid string
    /// (tokens issued in the same second would otherwise be identical).
    pub fn issue_token(&mut self) -> String {
        let mut iat = now_secs();
        if let Some(cut) = self.expired_upto_iat {
            iat = iat.max(cut + 1);
        }
        self.last_iat = self.last_iat.max(iat);
        let claims = Claims {
            engine_id: self.engine_code.clone(),
            engine_secret: self.engine_secret.clone(),
            exp: iat + self.token_lifetime.as_secs() as i64,
            iat,
        };
        jwt::sign(&claims)
    }

    /// The interceptor's verdict on a `token` header (§2.3): `None` = pass.
    pub fn token_error(&self, header: Option<&str>) -> Option<(i64, &'static str)> {
        let Some(token) = header else {
            return Some((2020, "token不能为空"));
        };
        match jwt::verify(token, now_secs()) {
            Ok(c) if self.expired_upto_iat.is_some_and(|cut| c.iat <= cut) => {
                Some((2030, "token已过期"))
            }
            Ok(_) => None,
            Err(JwtError::Expired) => Some((2030, "token已过期")),
            Err(JwtError::Invalid) => Some((2040, "token校验出错")),
        }
    }

    /// Handshake and `heartbeat/send`: offline → online, others unchanged.
    pub fn wake(&mut self) {
        if self.engine_status == OFFLINE {
            self.engine_status = ONLINE;
        }
    }

    /// `task/fetch`: the oldest prepared task, now running (§3.3).
    pub fn fetch_next(&mut self) -> Option<Value> {
        let pos = self
            .queue
            .iter()
            .position(|id| self.tasks.get(id).is_some_and(|t| t.status == "prepared"))?;
        let id = self.queue.remove(pos);
        let task = self.tasks.get_mut(&id)?;
        task.status = RUNNING;
        task.report_status = RUNNING;
        task.update_time = Some(Instant::now());
        task.fetched_at = Some(Instant::now());
        self.engine_status = RUNNING;
        Some(task.data.clone())
    }

    /// `task/complete` (§3.6); `false` for an unknown task (HTTP 500).
    pub fn complete(&mut self, task_id: &str, engine_code: Option<&str>) -> bool {
        let Some(task) = self.tasks.get_mut(task_id) else {
            return false;
        };
        task.status = "completed";
        task.report_status = report_status(&task.results);
        task.update_time = Some(Instant::now());
        task.completes += 1;
        task.completed_at.get_or_insert_with(Instant::now);
        if task.task_type != "debug" {
            self.bundles.remove(task_id);
        }
        if engine_code == Some(self.engine_code.as_str()) {
            self.engine_status = ONLINE;
        }
        true
    }

    /// A user stop or the timeout job: task and report → discontinue.
    pub fn discontinue(&mut self, task_id: &str) -> bool {
        match self.tasks.get_mut(task_id) {
            Some(t) => {
                t.status = "discontinue";
                t.report_status = "discontinue";
                true
            }
            None => false,
        }
    }

    /// Engine status after a user stop / stop-all (§4.5).
    pub fn after_user_stop(&mut self) {
        let fresh = self
            .last_heartbeat
            .is_some_and(|t| t.elapsed() < HEARTBEAT_FRESH);
        self.engine_status = if fresh { ONLINE } else { OFFLINE };
    }

    /// Sends a text frame to the registered session, if any.
    pub fn push(&self, msg: &str) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.tx.send(WsCmd::Text(msg.to_string())).is_ok())
    }

    /// Consumes one count of a per-path 500 fault.
    pub fn take_path_fault(&mut self, path: &str) -> bool {
        match self.faults.path_500.get_mut(path) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Consumes one count of a stall fault for `path`; the delay to hold the answer back.
    pub fn take_stall(&mut self, path: &str) -> Option<Duration> {
        match self.faults.stall_after.get_mut(path) {
            Some((n, delay)) if *n > 0 => {
                *n -= 1;
                let delay = *delay;
                self.stalls.push((path.to_string(), Instant::now()));
                Some(delay)
            }
            _ => None,
        }
    }

    /// Whether the next upload is to fail with HTTP 500 (consumes a count).
    pub fn take_upload_fault(&mut self) -> bool {
        if self.faults.upload_500 > 0 {
            self.faults.upload_500 -= 1;
            return true;
        }
        self.faults
            .uploads_fail_until
            .is_some_and(|t| Instant::now() < t)
    }
}

/// The report status `complete` derives from the counts (§3.6, §7.3): per
/// (collection, index) only the rows with the highest `runTimes` count.
pub fn report_status(results: &[StoredResult]) -> &'static str {
    let mut highest: HashMap<(&str, i64), i64> = HashMap::new();
    for r in results {
        let e = highest
            .entry((r.collection_id.as_str(), r.index))
            .or_insert(i64::MIN);
        *e = (*e).max(r.run_times);
    }
    let (mut pass, mut fail, mut error) = (0, 0, 0);
    for r in results
        .iter()
        .filter(|r| highest.get(&(r.collection_id.as_str(), r.index)) == Some(&r.run_times))
    {
        match r.status {
            0 => pass += 1,
            1 => fail += 1,
            2 => error += 1,
            _ => {}
        }
    }
    if error > 0 {
        "error"
    } else if fail > 0 {
        "fail"
    } else if pass > 0 {
        "success"
    } else {
        "skip"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rerun_hides_first_pass() {
        let row = |index, run_times, status| StoredResult {
            raw: serde_json::value::RawValue::from_string("{}".into()).expect("JSON"),
            collection_id: "c".into(),
            index,
            run_times,
            status,
            end_time: 0,
        };
        let rs = vec![row(1, 1, 1), row(1, 2, 0), row(2, 1, 3)];
        assert_eq!(report_status(&rs), "success");
        assert_eq!(report_status(&[]), "skip");
    }

    #[test]
    fn expired_cutoff_and_fresh_token() {
        let mut s = State::new("c".into(), "s".into());
        let old = s.issue_token();
        assert_eq!(s.token_error(Some(&old)), None);
        s.expired_upto_iat = Some(s.last_iat);
        assert_eq!(s.token_error(Some(&old)).map(|e| e.0), Some(2030));
        let new = s.issue_token();
        assert_ne!(old, new);
        assert_eq!(s.token_error(Some(&new)), None);
        assert_eq!(s.token_error(None).map(|e| e.0), Some(2020));
        assert_eq!(s.token_error(Some("******")).map(|e| e.0), Some(2040));
    }
}
