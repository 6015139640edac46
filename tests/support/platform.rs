//! [`PlatformDouble`]: an in-process LiuMa platform for one engine.
//!
//! It serves the engine endpoints of spec §3 and the WebSocket of §4 on
//! `127.0.0.1:<ephemeral>`, keeps task/report/engine state like the Java
//! platform (quirks included), lets a test inject faults at any time, and
//! records every interaction for assertions.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::any;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::listener::{ListenerControl, RebindingListener};
use super::platform_http::dispatch;
use super::platform_state::{Shared, State, TaskRec, TestFile, now_secs};
use super::platform_ws::{close_all, close_every_job, ws_handler};
use super::validate::StoredResult;

pub use super::platform_state::{RequestRecord, UploadRecord};

/// Polling period of [`PlatformDouble::wait_until`].
const POLL: Duration = Duration::from_millis(20);

/// Stops the server tasks when the last handle goes away.
struct Guard {
    tasks: Vec<JoinHandle<()>>,
    control: ListenerControl,
}

impl Drop for Guard {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        self.control.kill_connections();
    }
}

/// The platform test double. Cheap to clone; all clones share one server.
#[derive(Clone)]
pub struct PlatformDouble {
    shared: Arc<Shared>,
    _guard: Arc<Guard>,
}

/// 32 lowercase hex characters, different for every call.
fn hex32(label: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{label}/{n}/{nanos}/{}", std::process::id()));
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl PlatformDouble {
    /// Starts the double on 127.0.0.1 with a fresh engine code and secret;
    /// the engine starts `offline`, tokens live 7 days.
    pub async fn start() -> PlatformDouble {
        let (listener, control) = RebindingListener::bind()
            .await
            .expect("bind 127.0.0.1:0 for the platform double");
        let addr = axum::serve::Listener::local_addr(&listener).expect("local addr");
        let (close_every, close_rx) = watch::channel(Duration::ZERO);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(hex32("code"), hex32("secret"))),
            control: control.clone(),
            addr,
            close_every,
        });
        let app = Router::new()
            .route("/websocket/engine/heartbeat", any(ws_handler))
            .fallback(dispatch)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let closer = tokio::spawn(close_every_job(shared.clone(), close_rx));
        PlatformDouble {
            shared,
            _guard: Arc::new(Guard {
                tasks: vec![server, closer],
                control,
            }),
        }
    }

    fn st(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.lock()
    }

    // ----- identity -------------------------------------------------------

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The full WebSocket URL with this engine's code and secret.
    pub fn ws_url(&self) -> String {
        format!(
            "ws://{}/websocket/engine/heartbeat?engineCode={}&engineSecret={}",
            self.shared.addr,
            self.engine_code(),
            self.engine_secret()
        )
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The engine's code (32 hex), fixed for this double.
    pub fn engine_code(&self) -> String {
        self.st().engine_code.clone()
    }

    /// The engine's secret (32 hex), fixed for this double.
    pub fn engine_secret(&self) -> String {
        self.st().engine_secret.clone()
    }

    // ----- tokens ---------------------------------------------------------

    /// Lifetime of tokens issued from now on (default 7 days).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.st().token_lifetime = lifetime;
    }

    /// A valid token, as `token/apply` would issue it (not counted as an apply).
    pub fn issue_token(&self) -> String {
        self.st().issue_token()
    }

    /// Every token issued so far answers 2030 from now on; new applies get
    /// fresh, valid tokens.
    pub fn expire_tokens(&self) {
        let mut st = self.st();
        let cut = st.last_iat.max(now_secs());
        st.expired_upto_iat = Some(cut);
    }

    // ----- tasks and files -------------------------------------------------

    /// Queues a prepared task; `task` is the `data` object task/fetch returns
    /// (it must have a string `taskId`; `taskType` defaults to `run`).
    pub fn add_task(&self, task: Value) {
        let id = task
            .get("taskId")
            .and_then(Value::as_str)
            .expect("add_task: task needs a string taskId")
            .to_string();
        let task_type = task
            .get("taskType")
            .and_then(Value::as_str)
            .unwrap_or("run")
            .to_string();
        let mut st = self.st();
        st.queue.push(id.clone());
        st.tasks.insert(
            id,
            TaskRec {
                data: task,
                task_type,
                status: "prepared",
                report_status: "prepared",
                update_time: None,
                results: Vec::new(),
                received_ms: Vec::new(),
                collections: Default::default(),
                completes: 0,
                fetched_at: None,
                completed_at: None,
            },
        );
    }

    /// The zip served at `/openapi/task/file/download/{task_id}`.
    pub fn add_bundle(&self, task_id: &str, bytes: Vec<u8>) {
        self.st()
            .bundles
            .insert(task_id.to_string(), axum::body::Bytes::from(bytes));
    }

    /// Removes a bundle, as if the zip had vanished from disk (→ 1000 文件不存在).
    pub fn remove_bundle(&self, task_id: &str) {
        self.st().bundles.remove(task_id);
    }

    /// A file of the platform's file manager (`/openapi/download/test/file/{id}`).
    pub fn add_test_file(&self, id: &str, name: &str, bytes: Vec<u8>) {
        let file = TestFile {
            name: name.to_string(),
            bytes: Some(bytes),
        };
        self.st().test_files.insert(id.to_string(), file);
    }

    /// A file row whose content is missing on disk (→ 1000 文件不存在).
    pub fn add_missing_test_file(&self, id: &str, name: &str) {
        let file = TestFile {
            name: name.to_string(),
            bytes: None,
        };
        self.st().test_files.insert(id.to_string(), file);
    }

    // ----- pushes and stops -------------------------------------------------

    /// Sends a text frame to the registered session; `false` if none.
    pub fn push(&self, msg: &str) -> bool {
        self.st().push(msg)
    }

    /// Pushes `{"type":"start"}`.
    pub fn push_start(&self) -> bool {
        self.push(r#"{"type":"start"}"#)
    }

    /// A user stops one task: task and report → discontinue, engine status by
    /// heartbeat age, then `{"data":"<id>","type":"stop"}` is pushed.
    /// Returns whether the push reached a session.
    pub fn stop_task(&self, task_id: &str) -> bool {
        let mut st = self.st();
        st.discontinue(task_id);
        st.after_user_stop();
        st.push(&json!({"data": task_id, "type": "stop"}).to_string())
    }

    /// Marks the task discontinued without any push (the `task/status` fallback).
    pub fn discontinue_silently(&self, task_id: &str) {
        self.st().discontinue(task_id);
    }

    /// "Stop all": every prepared/running task → discontinue, `{"type":"stopAll"}` pushed.
    pub fn stop_all(&self) -> bool {
        let mut st = self.st();
        let ids: Vec<String> = st
            .tasks
            .iter()
            .filter(|(_, t)| matches!(t.status, "prepared" | "running"))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            st.discontinue(id);
        }
        st.after_user_stop();
        st.push(r#"{"type":"stopAll"}"#)
    }

    /// One run of the platform's task-timeout job with a test-chosen idle
    /// limit (real: 10 min): running tasks whose report was not updated for
    /// `idle` are discontinued and get a `stop` push. Returns their ids.
    pub fn run_timeout_job(&self, idle: Duration) -> Vec<String> {
        let mut st = self.st();
        let ids: Vec<String> = st
            .tasks
            .iter()
            .filter(|(_, t)| t.status == "running")
            .filter(|(_, t)| t.update_time.is_none_or(|u| u.elapsed() >= idle))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            st.discontinue(id);
            st.push(&json!({"data": id, "type": "stop"}).to_string());
        }
        ids
    }

    /// One run of the engine-offline job with a test-chosen age (real: 3 min).
    pub fn run_offline_check(&self, max_age: Duration) {
        let mut st = self.st();
        if st.last_heartbeat.is_none_or(|t| t.elapsed() > max_age) {
            st.engine_status = super::platform_state::OFFLINE;
        }
    }

    // ----- fault injection --------------------------------------------------

    /// How long an upload that creates a new report collection takes (default
    /// 30 ms); a second upload creating the same collection meanwhile gets
    /// HTTP 500, like the platform's unique index (§7.5).
    pub fn set_unique_index_window(&self, window: Duration) {
        self.st().faults.create_delay = window;
    }

    /// The next `n` result uploads answer HTTP 500 and store nothing.
    pub fn fail_uploads_with_500(&self, n: usize) {
        self.st().faults.upload_500 = n;
    }

    /// Every result upload before `until` answers HTTP 500.
    pub fn fail_uploads_until(&self, until: Instant) {
        self.st().faults.uploads_fail_until = Some(until);
    }

    /// The next `n` requests whose path starts with `path_prefix` answer HTTP 500
    /// without any effect (e.g. the fetch bug of §1.4).
    pub fn fail_requests_with_500(&self, path_prefix: &str, n: usize) {
        self.st().faults.path_500.insert(path_prefix.to_string(), n);
    }

    /// Every `/openapi` request and WebSocket handshake waits this long before
    /// it is processed (zero = off). The processing then completes even if
    /// the client has given up, as in Tomcat.
    pub fn delay_answers(&self, delay: Duration) {
        self.st().faults.delay = delay;
    }

    /// The next `n` `/openapi` answers are HTTP 200 `<html>oops</html>`
    /// (nothing is processed, as if a proxy answered).
    pub fn non_json_answers(&self, n: usize) {
        self.st().faults.non_json = n;
    }

    /// Closes the listening socket and every open connection (WebSocket
    /// included), then binds the same port again after `pause`. Returns once
    /// connections are being refused.
    pub async fn refuse_connections_for(&self, pause: Duration) {
        self.shared.control.refuse_for(pause).await;
    }

    /// The next `n` requests to `path` are processed in full, then their answer is held back for
    /// `delay` — kill the engine meanwhile and the answer is lost although the platform acted.
    pub fn stall_answers_after_processing(&self, path: &str, n: usize, delay: Duration) {
        self.st()
            .faults
            .stall_after
            .insert(path.to_string(), (n, delay));
    }

    /// Answers held back so far by `stall_answers_after_processing` for `path`.
    pub fn stalls(&self, path: &str) -> usize {
        self.st().stalls.iter().filter(|(p, _)| p == path).count()
    }

    /// The platform loses the task (deleted with its report): uploads, status and complete for
    /// it answer HTTP 500, its report "测试任务不存在".
    pub fn forget_task(&self, task_id: &str) {
        let mut st = self.st();
        st.tasks.remove(task_id);
        st.bundles.remove(task_id);
    }

    /// Bundle downloads stream their bytes over `over` (zero = at once).
    pub fn slow_downloads(&self, over: Duration) {
        self.st().faults.slow_download = over;
    }

    /// Bundle downloads being streamed right now.
    pub fn downloads_in_flight(&self) -> usize {
        self.st().downloads_in_flight
    }

    /// How often `exec/result/{taskId}` was read.
    pub fn report_reads(&self) -> usize {
        self.st().report_reads
    }

    /// Whether the listening socket is bound right now.
    pub fn accepting(&self) -> bool {
        self.shared.control.accepting()
    }

    /// Closes every open WebSocket session each `every` (zero = off).
    pub fn close_ws_every(&self, every: Duration) {
        self.shared.close_every.send_replace(every);
    }

    /// Closes every open WebSocket session now (close code 1001); returns how many.
    pub fn close_ws_now(&self) -> usize {
        close_all(&self.shared)
    }

    // ----- records ------------------------------------------------------------

    /// Result uploads are answered at once and checked and stored later, when the results,
    /// their delays, the uploads or the report are read (a refused one then shows in its
    /// `UploadRecord`). For the benchmark: the platform runs on a machine of its own, while
    /// this double takes its CPU from the engine's; its check of each upload (several passes
    /// over about 530 KB of results) would then be charged to the engine's run. Each result
    /// keeps its arrival time. Tests keep the inline checks, which answer refusals.
    pub fn defer_result_checks(&self) {
        self.st().deferred_uploads.get_or_insert_with(Vec::new);
    }

    /// How long each stored result took to arrive: storage time − the result's `endTime`, in ms.
    pub fn result_delays_ms(&self, task_id: &str) -> Vec<i64> {
        super::platform_http::settle_deferred(&self.shared);
        self.st()
            .tasks
            .get(task_id)
            .map(|t| {
                t.results
                    .iter()
                    .zip(&t.received_ms)
                    .map(|(r, at)| at - r.end_time)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every stored CaseResult of the task, in insertion order.
    pub fn results(&self, task_id: &str) -> Vec<Value> {
        super::platform_http::settle_deferred(&self.shared);
        self.st()
            .tasks
            .get(task_id)
            .map(|t| t.results.iter().map(StoredResult::value).collect())
            .unwrap_or_default()
    }

    /// Every `result/upload` call (keep-alives and refused ones included).
    pub fn uploads(&self) -> Vec<UploadRecord> {
        super::platform_http::settle_deferred(&self.shared);
        self.st().uploads.clone()
    }

    /// From the `task/fetch` that handed the task out to its first successful `task/complete`.
    pub fn fetch_to_complete(&self, task_id: &str) -> Option<Duration> {
        let (fetched, completed) = self.fetched_and_completed(task_id)?;
        Some(completed.duration_since(fetched))
    }

    /// When `task/fetch` handed the task out and `task/complete` first succeeded.
    pub fn fetched_and_completed(&self, task_id: &str) -> Option<(Instant, Instant)> {
        let st = self.st();
        let t = st.tasks.get(task_id)?;
        Some((t.fetched_at?, t.completed_at?))
    }

    /// How many times `task/complete` succeeded for the task.
    pub fn completes(&self, task_id: &str) -> usize {
        self.st().tasks.get(task_id).map_or(0, |t| t.completes)
    }

    /// `prepared`, `running`, `completed` or `discontinue`.
    pub fn task_status(&self, task_id: &str) -> Option<String> {
        self.st().tasks.get(task_id).map(|t| t.status.to_string())
    }

    /// `prepared`, `running`, `success`, `fail`, `error`, `skip` or `discontinue`.
    pub fn report_status(&self, task_id: &str) -> Option<String> {
        self.st()
            .tasks
            .get(task_id)
            .map(|t| t.report_status.to_string())
    }

    /// The report's `update_time` (fetch and every upload refresh it).
    pub fn report_update_time(&self, task_id: &str) -> Option<Instant> {
        self.st().tasks.get(task_id).and_then(|t| t.update_time)
    }

    /// WebSocket text frames received (each one is a heartbeat).
    pub fn heartbeats(&self) -> usize {
        self.st().heartbeats
    }

    /// Successful `heartbeat/send` calls.
    pub fn http_heartbeats(&self) -> usize {
        self.st().http_heartbeats
    }

    pub fn last_heartbeat(&self) -> Option<Instant> {
        self.st().last_heartbeat
    }

    /// Successful WebSocket handshakes so far.
    pub fn ws_connections(&self) -> usize {
        self.st().ws_connections
    }

    /// WebSocket sessions open right now.
    pub fn ws_open(&self) -> usize {
        self.st().live_sessions.len()
    }

    /// Whether a session is registered (i.e. pushes can be delivered).
    pub fn ws_registered(&self) -> bool {
        self.st().session.is_some()
    }

    /// `offline`, `online` or `running`.
    pub fn engine_status(&self) -> String {
        self.st().engine_status.to_string()
    }

    /// Calls of `token/apply`, successful or not.
    pub fn token_applies(&self) -> usize {
        self.st().token_applies
    }

    /// Accepted screenshots: (fileName, decoded bytes).
    pub fn screenshots(&self) -> Vec<(String, Vec<u8>)> {
        self.st().screenshots.clone()
    }

    /// Calls of `task/fetch` that passed the token check.
    pub fn fetches(&self) -> usize {
        self.st().fetches
    }

    /// Calls of `task/status` that passed the token check.
    pub fn status_polls(&self) -> usize {
        self.st().status_polls
    }

    /// Bundle download requests for the task that passed the token check.
    pub fn downloads(&self, task_id: &str) -> usize {
        self.st().downloads.get(task_id).copied().unwrap_or(0)
    }

    /// Every HTTP request and handshake: (method, path, time).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.st().requests.clone()
    }

    /// Polls `cond` every 20 ms until it holds or `timeout` passes.
    pub async fn wait_until(
        &self,
        cond: impl Fn(&PlatformDouble) -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if cond(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}
