//! [`Target`]: a local HTTP server for API test cases to call.
//!
//! Every request is logged with its start and end `Instant`, so a test can
//! prove that two requests overlapped (parallel collections) or did not
//! (sequential cases of one collection).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value, json};
use tokio::task::JoinHandle;

/// Longest sleep `/delay/{ms}` honours, so a bad test cannot hang for long.
const MAX_DELAY_MS: u64 = 60_000;
const MAX_BODY: usize = 64 << 20;

/// One request as the target saw it.
#[derive(Debug, Clone)]
pub struct TargetRequest {
    pub method: String,
    pub path: String,
    /// Raw query string (without `?`), empty if none.
    pub query: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub start: Instant,
    /// `None` while the answer is still being produced.
    pub end: Option<Instant>,
}

impl TargetRequest {
    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Whether both requests were being served at the same moment.
    pub fn overlaps(&self, other: &TargetRequest) -> bool {
        let far = Instant::now() + Duration::from_secs(3600);
        self.start < other.end.unwrap_or(far) && other.start < self.end.unwrap_or(far)
    }
}

#[derive(Default)]
struct TargetState {
    log: Vec<TargetRequest>,
    hits: HashMap<String, u64>,
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<TargetState>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, TargetState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Guard(JoinHandle<()>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The local HTTP target. Cheap to clone.
#[derive(Clone)]
pub struct Target {
    shared: Shared,
    addr: SocketAddr,
    _guard: Arc<Guard>,
}

impl Target {
    /// Starts the target on 127.0.0.1:<ephemeral>.
    pub async fn start() -> Target {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0 for the target");
        let addr = listener.local_addr().expect("local addr");
        let shared = Shared::default();
        let app = Router::new()
            .route("/echo", any(echo))
            .route("/echo/{*rest}", any(echo))
            .route("/status/{code}", any(status))
            .route("/delay/{ms}", any(delay))
            .route("/json", any(fixed_json))
            .route("/login", any(login))
            .route("/whoami", any(whoami))
            .route("/flaky/{key}", any(flaky))
            .route("/count/{key}", any(count))
            .route("/bytes/{n}", any(bytes_n))
            .route("/encoded/{kind}", any(encoded))
            .route("/api/v1/auth/login", any(shop_login))
            .route("/api/v1/users/{id}/orders", any(shop_orders))
            .route("/api/v1/users/avatar", any(shop_avatar))
            .layer(middleware::from_fn_with_state(shared.clone(), log))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Target {
            shared,
            addr,
            _guard: Arc::new(Guard(server)),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<TargetRequest> {
        self.shared.lock().log.clone()
    }

    /// Requests whose path starts with `path_prefix`.
    pub fn requests_to(&self, path_prefix: &str) -> Vec<TargetRequest> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }
}

/// Buffers the body, logs the request, and stamps the end time.
async fn log(State(sh): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let index = {
        let mut st = sh.lock();
        st.log.push(TargetRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    (k.as_str().to_string(), v)
                })
                .collect(),
            body: bytes.to_vec(),
            start,
            end: None,
        });
        st.log.len() - 1
    };
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if let Some(r) = sh.lock().log.get_mut(index) {
        r.end = Some(Instant::now());
    }
    resp
}

/// Percent-decoding for query strings (`+` is a space).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query as an object; a repeated key becomes an array of its values.
fn query_object(raw: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), Value::String(decode(v)));
        match out.get_mut(&k) {
            Some(Value::Array(a)) => a.push(v),
            Some(prev) => *prev = Value::Array(vec![prev.take(), v]),
            None => {
                out.insert(k, v);
            }
        }
    }
    out
}

fn json_response(status: StatusCode, v: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

async fn echo(req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut headers = Map::new();
    for (k, v) in &parts.headers {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        match headers.get_mut(k.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&v);
            }
            _ => {
                headers.insert(k.as_str().to_string(), Value::String(v));
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let parsed = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
    json_response(
        StatusCode::OK,
        json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "query": query_object(parts.uri.query().unwrap_or("")),
            "headers": headers,
            "body": text,
            "json": parsed,
            "bodyLength": bytes.len(),
        }),
    )
}

async fn status(Path(code): Path<String>) -> Response {
    match code
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
    {
        Some(s) => json_response(s, json!({"status": s.as_u16()})),
        None => json_response(StatusCode::BAD_REQUEST, json!({"error": "bad status code"})),
    }
}

async fn delay(Path(ms): Path<String>) -> Response {
    let Ok(ms) = ms.parse::<u64>() else {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "bad delay"}));
    };
    tokio::time::sleep(Duration::from_millis(ms.min(MAX_DELAY_MS))).await;
    json_response(StatusCode::OK, json!({"slept": ms}))
}

/// The fixed document extractors and assertions can be tested against.
pub fn fixed_document() -> Value {
    json!({"code": 0, "data": {"token": "t-123", "userId": 7, "list": [{"id": 1}, {"id": 2}]}})
}

async fn fixed_json() -> Response {
    json_response(StatusCode::OK, fixed_document())
}

/// `n` bytes of text (capped at 256 MiB), for response-size tests.
async fn bytes_n(Path(n): Path<usize>) -> Response {
    let body = "x".repeat(n.min(256 * 1024 * 1024));
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// The fixed document compressed as `kind` says (`gzip`, `deflate` zlib-wrapped, `rawdeflate`
/// sent as `deflate`, `bomb`: 64 MiB of zeros gzipped), with the matching Content-Encoding.
async fn encoded(Path(kind): Path<String>) -> Response {
    use flate2::Compression;
    use std::io::Write;
    let doc = serde_json::to_vec(&fixed_document()).unwrap_or_default();
    let (encoding, bytes) = match kind.as_str() {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(&doc);
            ("gzip", e.finish().unwrap_or_default())
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(&doc);
            ("deflate", e.finish().unwrap_or_default())
        }
        "rawdeflate" => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(&doc);
            ("deflate", e.finish().unwrap_or_default())
        }
        "bomb" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::best());
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..64 {
                let _ = e.write_all(&zeros);
            }
            ("gzip", e.finish().unwrap_or_default())
        }
        _ => ("gzip", b"not gzip at all".to_vec()),
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static(encoding),
    );
    resp
}

/// The endpoints of api-cases §1.11's example case (a small shop API).
async fn shop_login() -> Response {
    let mut resp = json_response(
        StatusCode::OK,
        json!({"code": 0, "data": {"token": "tk-0001", "userId": 7}}),
    );
    resp.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_static("SESSION=s1; Path=/"),
    );
    resp
}

async fn shop_orders(Path(id): Path<String>) -> Response {
    json_response(
        StatusCode::OK,
        json!({"code": 0, "data": {"userId": id, "list": [{"orderNo": "A100"}, {"orderNo": "A101"}]}}),
    )
}

async fn shop_avatar() -> Response {
    json_response(
        StatusCode::OK,
        json!({"code": 0, "data": {"url": "/avatars/7.png"}}),
    )
}

async fn login() -> Response {
    let mut resp = json_response(StatusCode::OK, json!({"login": "ok"}));
    resp.headers_mut().insert(
        header::SET_COOKIE,
        header::HeaderValue::from_static("sid=abc; Path=/"),
    );
    resp
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

async fn whoami(headers: HeaderMap) -> Response {
    let cookie = headers
        .get(header::COOKIE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    json_response(
        StatusCode::OK,
        json!({"cookie": cookie, "sid": cookie_value(&headers, "sid")}),
    )
}

fn hit(sh: &Shared, key: String) -> u64 {
    let mut st = sh.lock();
    let n = st.hits.entry(key).or_default();
    *n += 1;
    *n
}

async fn flaky(State(sh): State<Shared>, Path(key): Path<String>) -> Response {
    let n = hit(&sh, format!("flaky/{key}"));
    let status = if n == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    json_response(status, json!({"key": key, "attempt": n}))
}

async fn count(State(sh): State<Shared>, Path(key): Path<String>) -> Response {
    let n = hit(&sh, format!("count/{key}"));
    json_response(StatusCode::OK, json!({"key": key, "count": n}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = query_object("a=1&b=x+y&a=2&c=%E4%B8%AD&d=%zz&e");
        assert_eq!(
            Value::Object(q),
            json!({"a": ["1", "2"], "b": "x y", "c": "中", "d": "%zz", "e": ""})
        );
        assert_eq!(decode("%4"), "%4");
    }
}
