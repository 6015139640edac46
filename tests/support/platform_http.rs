//! The `/openapi` endpoints (spec §3), dispatched by hand rather than by an
//! axum router so that Spring's ordering can be reproduced: handler mapping
//! (404/405) → token interceptor (2020/2030/2040, also on unknown paths) →
//! body binding (415/400) → the service, in one "transaction".

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::envelope::{download, error_envelope, html_oops, ok_json, ok_text, spring_error};
use super::platform_state::{DeferredUpload, ONLINE, RequestRecord, Shared, UploadRecord};
use super::validate::{StoredResult, result_list, validate_results};

/// Larger bodies are refused like a servlet container would.
const MAX_BODY: usize = 64 << 20;

/// A refusal that happens before the service runs.
enum Early {
    /// Handled exception: HTTP 200 envelope.
    Envelope(i64, &'static str),
    /// Unhandled: plain HTTP error.
    Http(StatusCode),
}

impl Early {
    fn response(&self, path: &str) -> Response {
        match self {
            Early::Envelope(code, reason) => error_envelope(*code, reason),
            Early::Http(status) => spring_error(*status, path),
        }
    }
}

/// The endpoints the double knows, after Spring's trailing-slash matching.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Apply,
    Heartbeat,
    Fetch,
    Status,
    Upload,
    Complete,
    Screenshot,
    Bundle,
    TestFile,
    Report,
}

pub fn record_request(sh: &Shared, method: &Method, path: &str) {
    sh.lock().requests.push(RequestRecord {
        method: method.to_string(),
        path: path.to_string(),
        at: Instant::now(),
    });
}

/// Axum fallback: everything except the WebSocket path lands here.
pub async fn dispatch(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    record_request(&sh, &parts.method, &path);
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return spring_error(StatusCode::BAD_REQUEST, &path);
    };
    // Tomcat finishes a request even when the client has gone away, so the
    // work must not be cancelled with the connection.
    let job = tokio::spawn({
        let sh = sh.clone();
        async move { handle(sh, parts, body).await }
    });
    let resp = job
        .await
        .unwrap_or_else(|_| spring_error(StatusCode::INTERNAL_SERVER_ERROR, &path));
    // Processed in full; the answer may be held back (and lost if the client dies meanwhile).
    let stall = sh.lock().take_stall(&path);
    if let Some(delay) = stall {
        tokio::time::sleep(delay).await;
    }
    resp
}

async fn handle(sh: Arc<Shared>, parts: Parts, body: Bytes) -> Response {
    let path = parts.uri.path().to_string();
    if !path.starts_with("/openapi/") {
        return spring_error(StatusCode::NOT_FOUND, &path);
    }
    let (delay, html) = {
        let mut st = sh.lock();
        let html = st.faults.non_json > 0;
        if html {
            st.faults.non_json -= 1;
        }
        (st.faults.delay, html)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if html {
        return html_oops();
    }
    if sh.lock().take_path_fault(&path) {
        return spring_error(StatusCode::INTERNAL_SERVER_ERROR, &path);
    }
    // Spring 5.3 matches `/x/` to `/x`, but the interceptor's regexes do not,
    // so a trailing slash makes even token/apply token-protected (§1.1).
    let trailing = path.len() > 1 && path.ends_with('/');
    let clean = if trailing {
        &path[..path.len() - 1]
    } else {
        &path[..]
    };
    let (route, id) = match route_of(clean) {
        Some(r) => r,
        None => {
            if let Err(e) = check_token(&sh, &parts) {
                return e.response(&path);
            }
            return spring_error(StatusCode::NOT_FOUND, &path);
        }
    };
    let want = if matches!(route, Route::Bundle | Route::TestFile) {
        Method::GET
    } else {
        Method::POST
    };
    if parts.method != want {
        return spring_error(StatusCode::METHOD_NOT_ALLOWED, &path);
    }
    let needs_token = trailing || !matches!(route, Route::Apply | Route::TestFile | Route::Report);
    if route == Route::Upload {
        return upload(&sh, &parts, &body, &path).await;
    }
    if needs_token && let Err(e) = check_token(&sh, &parts) {
        return e.response(&path);
    }
    let accept_json = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    match route {
        Route::Bundle => return bundle(&sh, &id, &path),
        Route::TestFile => return test_file(&sh, &id, &path),
        // No @RequestBody: the body is not bound.
        Route::Report => {
            settle_deferred(&sh);
            return report(&sh, &id);
        }
        _ => {}
    }
    let req = match bind_body(&parts, &body) {
        Ok(r) => r,
        Err(e) => return e.response(&path),
    };
    let result = match route {
        Route::Apply => apply(&sh, &req, accept_json),
        Route::Heartbeat => heartbeat(&sh, &req, accept_json),
        Route::Fetch => fetch(&sh, &req),
        Route::Status => status(&sh, &req, accept_json),
        Route::Complete => complete(&sh, &req),
        Route::Screenshot => screenshot(&sh, &req),
        Route::Upload | Route::Bundle | Route::TestFile | Route::Report => {
            Err(Early::Http(StatusCode::NOT_FOUND))
        }
    };
    result.unwrap_or_else(|e| e.response(&path))
}

fn route_of(path: &str) -> Option<(Route, String)> {
    let fixed = match path {
        "/openapi/engine/token/apply" => Some(Route::Apply),
        "/openapi/engine/heartbeat/send" => Some(Route::Heartbeat),
        "/openapi/engine/task/fetch" => Some(Route::Fetch),
        "/openapi/engine/task/status" => Some(Route::Status),
        "/openapi/engine/result/upload" => Some(Route::Upload),
        "/openapi/engine/task/complete" => Some(Route::Complete),
        "/openapi/engine/screenshot/upload" => Some(Route::Screenshot),
        _ => None,
    };
    if let Some(r) = fixed {
        return Some((r, String::new()));
    }
    let one_segment = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(str::to_string)
    };
    if let Some(id) = one_segment("/openapi/task/file/download/") {
        return Some((Route::Bundle, id));
    }
    if let Some(id) = one_segment("/openapi/exec/result/") {
        return Some((Route::Report, id));
    }
    one_segment("/openapi/download/test/file/").map(|id| (Route::TestFile, id))
}

fn status_text(code: Option<i64>) -> &'static str {
    match code {
        Some(0) => "success",
        Some(1) => "fail",
        Some(2) => "error",
        _ => "skip",
    }
}

/// `exec/result/{taskId}` (§3.11): `ReportService.getPlanResult` — the report with its
/// collections and, per collection, only the case rows with the highest `runTimes` per index
/// (the mapper's NOT EXISTS), ordered by index, each with its transactions.
fn report(sh: &Shared, task_id: &str) -> Response {
    let mut st = sh.lock();
    st.report_reads += 1;
    let Some(task) = st.tasks.get(task_id) else {
        return error_envelope(1000, "测试任务不存在");
    };
    let mut order: Vec<String> = Vec::new();
    let mut rows: std::collections::HashMap<String, Vec<&Value>> = Default::default();
    let values: Vec<Value> = task.results.iter().map(StoredResult::value).collect();
    for r in &values {
        let col = r.get("collectionId").map(value_text).unwrap_or_default();
        if !rows.contains_key(&col) {
            order.push(col.clone());
        }
        rows.entry(col).or_default().push(r);
    }
    let runs = |r: &Value| r.get("runTimes").and_then(Value::as_i64).unwrap_or(0);
    let index = |r: &Value| r.get("index").and_then(Value::as_i64).unwrap_or(0);
    let mut collections = Vec::new();
    let (mut pass, mut fail, mut error) = (0, 0, 0);
    for col in order {
        let list = &rows[&col];
        let mut shown: Vec<&Value> = list
            .iter()
            .copied()
            .filter(|r| {
                !list
                    .iter()
                    .any(|o| index(o) == index(r) && runs(o) > runs(r))
            })
            .collect();
        shown.sort_by_key(|r| index(r));
        let mut cases = Vec::new();
        for r in shown {
            let status = status_text(r.get("status").and_then(Value::as_i64));
            match status {
                "success" => pass += 1,
                "fail" => fail += 1,
                "error" => error += 1,
                _ => {}
            }
            let trans: Vec<Value> = r
                .get("transactionList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| {
                    json!({
                        "status": status_text(t.get("status").and_then(Value::as_i64)),
                        "transId": t.get("id"),
                        "transName": t.get("name"),
                        "content": t.get("content"),
                        "description": t.get("description"),
                        "execLog": t.get("log"),
                        "during": format!("{}ms", t.get("during").map(value_text).unwrap_or_default()),
                    })
                })
                .collect();
            cases.push(json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "reportCollectionId": format!("rc-{col}"),
                "collectionCaseIndex": index(r),
                "caseId": r.get("caseId"),
                "caseType": r.get("caseType"),
                "caseName": r.get("caseName"),
                "caseDesc": r.get("caseDesc"),
                "runTimes": runs(r),
                "startTime": r.get("startTime"),
                "endTime": r.get("endTime"),
                "during": null,
                "status": status,
                "transList": trans,
            }));
        }
        collections.push(json!({
            "id": format!("rc-{col}"),
            "reportId": format!("report-{task_id}"),
            "collectionId": col,
            "collectionName": "collection",
            "collectionVersion": null,
            "caseTotal": cases.len(),
            "caseList": cases,
            "passCount": null, "failCount": null, "errorCount": null,
        }));
    }
    ok_json(json!({
        "id": format!("report-{task_id}"),
        "name": "report",
        "taskId": task_id,
        "status": task.report_status,
        "passCount": pass,
        "failCount": fail,
        "errorCount": error,
        "collectionList": collections,
    }))
}

/// `LoginInterceptor`: header `token`, signature and expiry only (§2.3).
fn check_token(sh: &Shared, parts: &Parts) -> Result<(), Early> {
    let header = parts.headers.get("token").map(|v| v.to_str().unwrap_or(""));
    match sh.lock().token_error(header) {
        Some((code, reason)) => Err(Early::Envelope(code, reason)),
        None => Ok(()),
    }
}

/// `@RequestBody EngineRequest`: JSON content type and an object body.
fn bind_body(parts: &Parts, body: &[u8]) -> Result<Map<String, Value>, Early> {
    check_json_type(parts)?;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Early::Http(StatusCode::BAD_REQUEST)),
    }
}

/// A JSON content type, or 415.
fn check_json_type(parts: &Parts) -> Result<(), Early> {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "application/json"
        && !(media.starts_with("application/") && media.ends_with("+json"))
    {
        return Err(Early::Http(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    Ok(())
}

/// A String member of `EngineRequest` (scalars coerced like Jackson).
fn member(req: &Map<String, Value>, key: &str) -> Result<Option<String>, Early> {
    string_member(req.get(key))
}

/// A String member's value, coerced as [`member`] does.
fn string_member(value: Option<&Value>) -> Result<Option<String>, Early> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
        Some(_) => Err(Early::Http(StatusCode::BAD_REQUEST)),
    }
}

const NPE: Early = Early::Http(StatusCode::INTERNAL_SERVER_ERROR);

fn apply(sh: &Shared, req: &Map<String, Value>, accept_json: bool) -> Result<Response, Early> {
    let code = member(req, "engineCode")?;
    let secret = member(req, "engineSecret")?;
    let mut st = sh.lock();
    st.token_applies += 1;
    // Unknown engine or missing secret: a NullPointerException, not 2050 (§3.1).
    if code.as_deref() != Some(st.engine_code.as_str()) {
        return Err(NPE);
    }
    let Some(secret) = secret else {
        return Err(NPE);
    };
    if secret != st.engine_secret {
        return Err(Early::Envelope(2050, "id或secret填写不正确"));
    }
    Ok(ok_text(json!(st.issue_token()), accept_json))
}

fn known_engine(st: &super::platform_state::State, req: &Map<String, Value>) -> Result<(), Early> {
    if member(req, "engineCode")?.as_deref() == Some(st.engine_code.as_str()) {
        Ok(())
    } else {
        Err(Early::Envelope(2050, "引擎code不存在"))
    }
}

fn heartbeat(sh: &Shared, req: &Map<String, Value>, accept_json: bool) -> Result<Response, Early> {
    let mut st = sh.lock();
    known_engine(&st, req)?;
    st.wake();
    st.last_heartbeat = Some(Instant::now());
    st.http_heartbeats += 1;
    Ok(ok_text(json!("心跳成功"), accept_json))
}

fn fetch(sh: &Shared, req: &Map<String, Value>) -> Result<Response, Early> {
    let mut st = sh.lock();
    st.fetches += 1;
    known_engine(&st, req)?;
    Ok(ok_json(st.fetch_next().unwrap_or(Value::Null)))
}

fn status(sh: &Shared, req: &Map<String, Value>, accept_json: bool) -> Result<Response, Early> {
    let task_id = member(req, "taskId")?.unwrap_or_default();
    let mut st = sh.lock();
    st.status_polls += 1;
    let Some(task) = st.tasks.get(&task_id) else {
        return Err(NPE);
    };
    if task.status == "discontinue" {
        st.engine_status = ONLINE;
        return Ok(ok_text(json!("STOP"), accept_json));
    }
    Ok(ok_text(Value::Null, accept_json))
}

fn complete(sh: &Shared, req: &Map<String, Value>) -> Result<Response, Early> {
    let task_id = member(req, "taskId")?.unwrap_or_default();
    let code = member(req, "engineCode")?;
    if sh.lock().complete(&task_id, code.as_deref()) {
        Ok(ok_json(Value::Null))
    } else {
        Err(NPE)
    }
}

/// Does it look like something Java ImageIO can decode?
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF87a")
        || bytes.starts_with(b"GIF89a")
        || bytes.starts_with(b"BM")
}

fn screenshot(sh: &Shared, req: &Map<String, Value>) -> Result<Response, Early> {
    const FAILED: Early = Early::Envelope(1000, "截图文件上传失败");
    let Some(name) = member(req, "fileName")? else {
        return Err(NPE);
    };
    let data = member(req, "base64String")?.ok_or(FAILED)?;
    let bytes = STANDARD.decode(data.as_bytes()).map_err(|_| FAILED)?;
    if !is_image(&bytes) || !name.contains('_') {
        return Err(FAILED);
    }
    sh.lock().screenshots.push((name, bytes));
    Ok(ok_json(Value::Null))
}

fn bundle(sh: &Arc<Shared>, task_id: &str, path: &str) -> Response {
    let mut st = sh.lock();
    *st.downloads.entry(task_id.to_string()).or_default() += 1;
    if let Some(bytes) = st.bundles.get(task_id) {
        let slow = st.faults.slow_download;
        if !slow.is_zero() {
            st.downloads_in_flight += 1;
            drop(st);
            return slow_download(sh, bytes_of(sh, task_id), &format!("{task_id}.zip"), slow);
        }
        return download(bytes.clone(), &format!("{task_id}.zip"));
    }
    if st.tasks.contains_key(task_id) {
        return error_envelope(1000, "文件不存在");
    }
    spring_error(StatusCode::INTERNAL_SERVER_ERROR, path)
}

fn bytes_of(sh: &Shared, task_id: &str) -> Vec<u8> {
    sh.lock()
        .bundles
        .get(task_id)
        .map(|b| b.to_vec())
        .unwrap_or_default()
}

/// A download whose bytes trickle over `over` (64 pieces); `downloads_in_flight` counts it until
/// the last piece is sent or the client goes away.
fn slow_download(
    sh: &Arc<Shared>,
    bytes: Vec<u8>,
    name: &str,
    over: std::time::Duration,
) -> Response {
    /// Counts the download as in flight until dropped (end of stream or client gone).
    struct InFlight(Arc<Shared>);
    impl Drop for InFlight {
        fn drop(&mut self) {
            let mut st = self.0.lock();
            st.downloads_in_flight = st.downloads_in_flight.saturating_sub(1);
        }
    }
    let pieces: Vec<Vec<u8>> = bytes
        .chunks(bytes.len().div_ceil(64).max(1))
        .map(<[u8]>::to_vec)
        .collect();
    let step = over / 64;
    let counter = InFlight(sh.clone());
    let stream = futures_util::stream::unfold(
        (pieces.into_iter(), Some(counter)),
        move |(mut it, guard)| async move {
            tokio::time::sleep(step).await;
            match it.next() {
                Some(p) => Some((Ok::<_, std::io::Error>(Bytes::from(p)), (it, guard))),
                None => {
                    drop(guard);
                    None
                }
            }
        },
    );
    let mut resp = Response::new(axum::body::Body::from_stream(stream));
    if let Ok(v) = header::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

fn test_file(sh: &Shared, file_id: &str, path: &str) -> Response {
    let st = sh.lock();
    match st.test_files.get(file_id) {
        Some(f) => match &f.bytes {
            Some(bytes) => download(Bytes::copy_from_slice(bytes), &f.name),
            None => error_envelope(1000, "文件不存在"),
        },
        None => spring_error(StatusCode::INTERNAL_SERVER_ERROR, path),
    }
}

/// `result/upload`, recorded with its answer whatever happens.
async fn upload(sh: &Shared, parts: &Parts, body: &Bytes, path: &str) -> Response {
    if sh.lock().deferred_uploads.is_some()
        && check_token(sh, parts).is_ok()
        && check_json_type(parts).is_ok()
    {
        let mut st = sh.lock();
        let record = st.uploads.len();
        st.uploads.push(UploadRecord {
            task_id: None,
            http_status: 200,
            envelope_status: Some(0),
            results: 0,
            bytes: body.len(),
            error: None,
            at: Instant::now(),
        });
        let received_ms = unix_ms();
        if let Some(waiting) = st.deferred_uploads.as_mut() {
            waiting.push(DeferredUpload {
                body: body.clone(),
                received_ms,
                record,
            });
        }
        return ok_json(Value::Null);
    }
    let mut rec = UploadRecord {
        task_id: None,
        http_status: 200,
        envelope_status: None,
        results: 0,
        bytes: body.len(),
        error: None,
        at: Instant::now(),
    };
    let resp = match upload_inner(sh, parts, body, &mut rec).await {
        Ok(()) => {
            rec.envelope_status = Some(0);
            ok_json(Value::Null)
        }
        Err(e) => {
            if let Early::Envelope(code, _) = e {
                rec.envelope_status = Some(code);
            }
            e.response(path)
        }
    };
    rec.http_status = resp.status().as_u16();
    sh.lock().uploads.push(rec);
    resp
}

async fn upload_inner(
    sh: &Shared,
    parts: &Parts,
    body: &[u8],
    rec: &mut UploadRecord,
) -> Result<(), Early> {
    check_token(sh, parts)?;
    check_json_type(parts)?;
    let req = upload_members(body).ok_or(Early::Http(StatusCode::BAD_REQUEST))?;
    let task_id = match req.get("taskId") {
        None => None,
        Some(raw) => string_member(Some(
            &serde_json::from_str(raw.get()).map_err(|_| Early::Http(StatusCode::BAD_REQUEST))?,
        ))?,
    };
    rec.task_id.clone_from(&task_id);
    let items = result_list(req.get("caseResultList").copied());
    rec.results = items.as_ref().map_or(0, Vec::len);
    let fail = |rec: &mut UploadRecord, why: String| {
        rec.error = Some(why);
        NPE
    };
    let task_id = task_id.unwrap_or_default();
    if !sh.lock().tasks.contains_key(&task_id) {
        return Err(fail(rec, "unknown taskId".into()));
    }
    if sh.lock().take_upload_fault() {
        return Err(fail(rec, "injected failure".into()));
    }
    let results = match items.and_then(|items| validate_results(&items)) {
        Ok(results) => results,
        Err(r) => {
            rec.error = Some(r.reason);
            return Err(Early::Http(r.status));
        }
    };
    // Find or create the report collections; a concurrent creator of the
    // same collection makes the unique index reject this whole call (§7.5).
    let (new_cols, window) = {
        let mut st = sh.lock();
        let window = st.faults.create_delay;
        let Some(task) = st.tasks.get(&task_id) else {
            return Err(fail(rec, "unknown taskId".into()));
        };
        let mut cols: Vec<(String, String)> = Vec::new();
        for r in &results {
            let col = r.collection_id.clone();
            let key = (task_id.clone(), col.clone());
            if !task.collections.contains(&col) && !cols.contains(&key) {
                cols.push(key);
            }
        }
        if let Some(k) = cols.iter().find(|k| st.creating.contains(*k)) {
            let why = format!("duplicate key: report collection {} being created", k.1);
            return Err(fail(rec, why));
        }
        st.creating.extend(cols.iter().cloned());
        (cols, window)
    };
    if !new_cols.is_empty() {
        tokio::time::sleep(window).await;
    }
    let mut st = sh.lock();
    for k in &new_cols {
        st.creating.remove(k);
    }
    let Some(task) = st.tasks.get_mut(&task_id) else {
        return Err(fail(rec, "unknown taskId".into()));
    };
    task.collections.extend(new_cols.into_iter().map(|k| k.1));
    task.received_ms
        .extend(std::iter::repeat_n(unix_ms(), results.len()));
    task.results.extend(results);
    task.update_time = Some(Instant::now());
    Ok(())
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Checks and stores the uploads accepted unchecked (in arrival order, each with its arrival
/// time), as `upload` would have; a refused one keeps its reason in its record and stores
/// nothing. Report collections are created without the unique index's window.
pub fn settle_deferred(sh: &Shared) {
    let waiting = match sh.lock().deferred_uploads.as_mut() {
        Some(w) => std::mem::take(w),
        None => return,
    };
    for d in waiting {
        let checked = check_deferred(&d.body);
        let mut st = sh.lock();
        let outcome = match checked {
            Ok((task_id, results)) => match st.tasks.get_mut(&task_id) {
                Some(task) => {
                    let n = results.len();
                    for r in &results {
                        task.collections.insert(r.collection_id.clone());
                    }
                    task.received_ms
                        .extend(std::iter::repeat_n(d.received_ms, n));
                    task.results.extend(results);
                    (Some(task_id), n, None)
                }
                None => (Some(task_id), 0, Some("unknown taskId".to_string())),
            },
            Err(why) => (None, 0, Some(why)),
        };
        if let Some(rec) = st.uploads.get_mut(d.record) {
            (rec.task_id, rec.results, rec.error) = outcome;
        }
    }
}

/// An upload body's members, each kept as its JSON text: the results are checked item by item
/// and stored as sent (see `json_node`), not built into one tree.
fn upload_members(body: &[u8]) -> Option<std::collections::HashMap<String, &RawValue>> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| serde_json::from_str(text).ok())
}

/// An upload body's task and its results, checked as `upload_inner` checks them.
fn check_deferred(body: &[u8]) -> Result<(String, Vec<StoredResult>), String> {
    let req = upload_members(body).ok_or("the body is not a JSON object")?;
    let task_id = req
        .get("taskId")
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .ok_or("no taskId")?;
    let items = result_list(req.get("caseResultList").copied()).map_err(|r| r.reason)?;
    let results = validate_results(&items).map_err(|r| r.reason)?;
    Ok((task_id, results))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
