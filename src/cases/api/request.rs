//! Sending one API request: cookies from the collection's session, redirects followed by hand
//! (so every hop's cookies are kept, api-cases §7.2), one deadline for the whole exchange
//! (§6.3 Fix), bounded response size, and the response captured the way cases read it.

use super::body::WireBody;
use crate::cases::context::HttpSession;
use crate::value::Value;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared clients: connection pools are reused by every case; cookies are ours, not reqwest's.
/// One reqwest client per (TLS verification, proxy) pair, made on first use, and one direct
/// hyper client for plain HTTP ([`super::transport`]).
#[derive(Clone)]
pub struct HttpClients {
    clients: Arc<Mutex<HashMap<ClientKey, reqwest::Client>>>,
    /// `None` when the environment names a proxy ([`super::transport::environment_proxy`]).
    direct: Option<super::direct::DirectPool>,
}

/// (TLS verification on, proxy URL).
type ClientKey = (bool, Option<String>);

/// Most distinct proxy clients kept; beyond it the cache starts over (bounded memory).
const MAX_CLIENTS: usize = 64;

fn build_client(verify: bool, proxy: Option<&str>) -> Result<reqwest::Client, String> {
    crate::net::ensure_crypto_provider();
    // Bodies are decoded by the engine ([`decode_body`]) for both transports, so reqwest's own
    // decoding is off: the response keeps its Content-Encoding header, as in Python requests.
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(!verify)
        .pool_idle_timeout(super::direct::POOL_IDLE)
        .tcp_keepalive(super::direct::TCP_KEEPALIVE)
        .no_gzip()
        .no_deflate()
        .tcp_nodelay(true);
    if let Some(p) = proxy {
        // Applied to http and https targets alike (api-cases A29 Fix).
        let proxy = reqwest::Proxy::all(p).map_err(|e| format!("代理地址无效 ({e})"))?;
        b = b.proxy(proxy);
    }
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

impl HttpClients {
    pub fn new() -> Result<Self, String> {
        let mut map = HashMap::new();
        map.insert((true, None), build_client(true, None)?);
        map.insert((false, None), build_client(false, None)?);
        Ok(Self {
            clients: Arc::new(Mutex::new(map)),
            direct: match super::transport::environment_proxy() {
                Some(var) => {
                    tracing::info!(
                        variable = var,
                        "a proxy is set in the environment: every API request goes through it"
                    );
                    None
                }
                None => Some(super::direct::DirectPool::default()),
            },
        })
    }

    fn client(&self, verify: bool, proxy: Option<&str>) -> Result<reqwest::Client, SendError> {
        let key = (verify, proxy.map(str::to_string));
        let mut map = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(&key) {
            return Ok(c.clone());
        }
        let c = build_client(verify, proxy).map_err(SendError::BadUrl)?;
        if map.len() >= MAX_CLIENTS {
            map.retain(|(_, p), _| p.is_none());
        }
        map.insert(key, c.clone());
        Ok(c)
    }
}

/// Request and response headers, in their order. Keys are hashed with foldhash: SipHash (the
/// standard default) was a visible share of reading a response's few headers.
pub type Headers = IndexMap<String, String, foldhash::fast::RandomState>;

/// A request ready to send (after collection and rendering).
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: WireBody,
    pub verify: bool,
    pub proxy: Option<String>,
}

/// What cases see of a response.
#[derive(Debug, Clone)]
pub struct CapturedResponse {
    pub status: u16,
    /// Header names in the server's conventional spelling, repeated headers joined with ", ".
    pub headers: Headers,
    /// The raw body when it differs from the text in `body` (non-UTF-8, Latin-1); `None`
    /// when the body is UTF-8 text or JSON, so a large body is held once, not twice.
    pub raw: Option<Vec<u8>>,
    /// The body as a Python value: the text of a body that is not JSON, set at once; the
    /// JSON converted on first use ([`CapturedResponse::body`]), since most steps only log it
    /// and extract by JSONPath, both of which read the JSON itself.
    body: std::sync::OnceLock<Value>,
    /// The body when it is JSON: its text, read through an index (no tree unless needed).
    pub json: Option<crate::value::IndexedJson>,
    /// `name=value` pairs set by the final response, joined with `;`.
    pub cookies: String,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("请求超时: no complete answer within {0:?}")]
    Timeout(Duration),
    #[error("请求失败: {0}")]
    Transport(String),
    #[error("请求地址无效: {0}")]
    BadUrl(String),
    #[error("响应体超过 {limit} 字节上限")]
    TooLarge { limit: usize },
    #[error("重定向次数超过30次")]
    TooManyRedirects,
}

/// HTTP/1 servers send `Content-Type`; hyper kept names lower-case, and names are read as
/// written now, so each is given the conventional spelling (`Content-Type` whatever the
/// server wrote) for lookups such as `$.Content-Type` (api-cases §4.2).
fn display_header_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if upper {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        upper = c == '-';
    }
    out
}

/// Sends `req` with the session's cookies unless the request carries its own `cookie` header
/// (api-cases A42); cookies set by every hop are stored in `session`.
pub async fn send(
    clients: &HttpClients,
    session: &mut HttpSession,
    req: &OutgoingRequest,
    deadline: Duration,
    max_bytes: usize,
) -> Result<CapturedResponse, SendError> {
    let started = Instant::now();
    let outcome =
        match tokio::time::timeout(deadline, send_inner(clients, session, req, max_bytes)).await {
            Ok(r) => r.map(|mut resp| {
                resp.elapsed = started.elapsed();
                resp
            }),
            Err(_) => Err(SendError::Timeout(deadline)),
        };
    crate::lifecycle::api_log::record(req, &outcome);
    outcome
}

async fn send_inner(
    clients: &HttpClients,
    session: &mut HttpSession,
    req: &OutgoingRequest,
    max_bytes: usize,
) -> Result<CapturedResponse, SendError> {
    use super::transport;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    // The reqwest client, made or looked up only when a hop needs it.
    let mut client = None;
    let mut url = super::url_cache::parse(&req.url)
        .map_err(|e| SendError::BadUrl(format!("{} ({e})", req.url)))?;
    let mut method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| SendError::BadUrl(format!("invalid method {}", req.method)))?;
    // The step's own headers, made for each hop (a redirect is rare: building them again costs
    // what a copy kept for it would, on every request).
    let has = |name: &str| req.headers.keys().any(|k| k.eq_ignore_ascii_case(name));
    let own = || -> Result<HeaderMap, SendError> {
        let mut own = HeaderMap::with_capacity(req.headers.len() + 4);
        for (default_name, default_value) in [
            (reqwest::header::USER_AGENT, "python-requests/2.24.0"),
            (reqwest::header::ACCEPT_ENCODING, "gzip, deflate"),
            (reqwest::header::ACCEPT, "*/*"),
        ] {
            if !has(default_name.as_str()) {
                own.append(default_name, HeaderValue::from_static(default_value));
            }
        }
        for (k, v) in &req.headers {
            let name = HeaderName::from_bytes(k.trim().as_bytes())
                .map_err(|_| SendError::BadUrl(format!("invalid header name {k:?}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| SendError::BadUrl(format!("invalid value of header {k}")))?;
            own.append(name, value);
        }
        Ok(own)
    };
    let explicit_cookie = has("cookie");
    let mut body = std::borrow::Cow::Borrowed(&req.body);
    let mut redirects = 0;
    loop {
        let mut headers = own()?;
        if !explicit_cookie {
            let cookies: Vec<String> = session
                .jar
                .get_request_values(&url)
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            if !cookies.is_empty() {
                let value = HeaderValue::from_str(&cookies.join("; "))
                    .map_err(|_| SendError::BadUrl("invalid cookie value".into()))?;
                headers.append(reqwest::header::COOKIE, value);
            }
        }
        let direct = clients.direct.as_ref().filter(|_| {
            transport::direct_allowed(&method, &url, &headers, &body, req.proxy.as_deref())
        });
        if direct.is_none() && client.is_none() {
            client = Some(clients.client(req.verify, req.proxy.as_deref())?);
        }
        let answer = transport::exchange(direct, client.as_ref(), &method, &url, headers, &body)
            .await
            .map_err(SendError::from)?;
        let mut set_cookies = Vec::new();
        for v in answer.headers.get_all(reqwest::header::SET_COOKIE.as_str()) {
            if let Some(s) = super::h1::header_str(v) {
                let _ = session.jar.parse(s, &url);
                if let Some(pair) = s.split(';').next() {
                    set_cookies.push(pair.trim().to_string());
                }
            }
        }
        let status = answer.status;
        if status.is_redirection()
            && let Some(loc) = answer.headers.get_str(reqwest::header::LOCATION.as_str())
        {
            redirects += 1;
            if redirects > 30 {
                return Err(SendError::TooManyRedirects);
            }
            url = url
                .join(loc)
                .map_err(|e| SendError::BadUrl(format!("redirect to {loc} ({e})")))?;
            let code = status.as_u16();
            if (code == 303 && method != reqwest::Method::HEAD)
                || ((code == 301 || code == 302) && method == reqwest::Method::POST)
            {
                method = reqwest::Method::GET;
                body = std::borrow::Cow::Owned(WireBody::None);
            }
            continue;
        }
        let mut headers: Headers = Headers::default();
        for (name, value) in answer.headers.iter() {
            // Checked first the fast way: a header is nearly always plain text.
            let text = match std::str::from_utf8(value) {
                Ok(t) => t.to_owned(),
                Err(_) => String::from_utf8_lossy(value).into_owned(),
            };
            headers
                .entry(display_header_name(name))
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&text);
                })
                .or_insert(text);
        }
        let content_type = headers.get("Content-Type").cloned().unwrap_or_default();
        let encoding = answer
            .headers
            .get_str(reqwest::header::CONTENT_ENCODING.as_str())
            .map(str::to_ascii_lowercase);
        let bytes = answer
            .read_capped(max_bytes)
            .await
            .map_err(SendError::from)?;
        let bytes = decode_body(bytes, encoding.as_deref(), max_bytes)?;
        let cookies = set_cookies.join(";");
        // UTF-8 is checked once for the whole body, not string by string; JSON is UTF-8 anyway.
        let doc = match String::from_utf8(bytes) {
            Ok(text) => crate::value::IndexedJson::parse(text).map_err(String::into_bytes),
            Err(e) => Err(e.into_bytes()),
        };
        return Ok(match doc {
            Ok(doc) => CapturedResponse::json(status.as_u16(), headers, doc, cookies),
            Err(bytes) => {
                let (text, raw) = text_body(bytes, &content_type);
                CapturedResponse {
                    status: status.as_u16(),
                    headers,
                    raw,
                    body: std::sync::OnceLock::from(text),
                    json: None,
                    cookies,
                    elapsed: Duration::ZERO,
                }
            }
        });
    }
}

impl From<super::transport::TransportError> for SendError {
    fn from(e: super::transport::TransportError) -> Self {
        use super::transport::TransportError;
        match e {
            TransportError::BadUrl(m) => SendError::BadUrl(m),
            TransportError::Failed(m) => SendError::Transport(m),
            TransportError::TooLarge { limit } => SendError::TooLarge { limit },
        }
    }
}

/// A body sent with `Content-Encoding: gzip` or `deflate` decoded as Python requests does
/// (zlib-wrapped deflate, else raw deflate; concatenated gzip members), within `max_bytes`.
/// Other encodings are kept as received.
fn decode_body(
    bytes: Vec<u8>,
    encoding: Option<&str>,
    max_bytes: usize,
) -> Result<Vec<u8>, SendError> {
    use std::io::Read;
    let Some(encoding) = encoding.map(str::trim) else {
        return Ok(bytes);
    };
    if bytes.is_empty() {
        return Ok(bytes);
    }
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let read = |mut r: Box<dyn Read + '_>| -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(max_bytes));
        (&mut r).take(limit).read_to_end(&mut out)?;
        Ok(out)
    };
    let decoded = match encoding {
        "gzip" | "x-gzip" => read(Box::new(flate2::read::MultiGzDecoder::new(&bytes[..]))),
        "deflate" => read(Box::new(flate2::read::ZlibDecoder::new(&bytes[..])))
            .or_else(|_| read(Box::new(flate2::read::DeflateDecoder::new(&bytes[..])))),
        _ => return Ok(bytes),
    };
    match decoded {
        Ok(out) if out.len() > max_bytes => Err(SendError::TooLarge { limit: max_bytes }),
        Ok(out) => Ok(out),
        Err(e) => Err(SendError::Transport(format!(
            "响应体无法按 Content-Encoding: {encoding} 解压 ({e})"
        ))),
    }
}

impl CapturedResponse {
    /// A JSON response, its body read into `doc`.
    pub fn json(
        status: u16,
        headers: Headers,
        doc: crate::value::IndexedJson,
        cookies: String,
    ) -> CapturedResponse {
        CapturedResponse {
            status,
            headers,
            raw: None,
            body: std::sync::OnceLock::new(),
            json: Some(doc),
            cookies,
            elapsed: Duration::ZERO,
        }
    }

    /// The JSON body prepared for JSONPath; `None` when the body is not JSON.
    pub fn json_doc(&self) -> Option<crate::extract::JsonDoc<'_>> {
        self.json
            .as_ref()
            .map(crate::extract::JsonDoc::from_indexed)
    }

    /// The body as received.
    pub fn bytes(&self) -> &[u8] {
        match (&self.raw, &self.json, self.body.get()) {
            (Some(raw), _, _) => raw,
            (None, Some(doc), _) => doc.text().as_bytes(),
            (None, None, Some(Value::Str(text))) => text.as_bytes(),
            (None, None, _) => &[],
        }
    }

    /// The body as the Python engine's cases saw it: JSON as a Python value, else the text.
    pub fn body(&self) -> &Value {
        self.body.get_or_init(|| {
            self.json.as_ref().map_or(Value::Str(String::new()), |doc| {
                Value::from_json(doc.tree())
            })
        })
    }

    /// `str()` of [`Self::body`], written from the JSON when it was never converted.
    pub fn body_py_str(&self) -> String {
        let mut out = String::new();
        self.write_body_py_str(&mut out);
        out
    }

    /// [`Self::body_py_str`] appended to `out`.
    pub fn write_body_py_str(&self, out: &mut String) {
        match (self.body.get(), &self.json) {
            (None, Some(doc)) => doc.write_py_str(out),
            _ => self.body().write_py_str(out),
        }
    }
}

/// A body that is not JSON: text, and the raw bytes only when they differ from the text.
fn text_body(bytes: Vec<u8>, content_type: &str) -> (Value, Option<Vec<u8>>) {
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("text") && !ct.contains("charset") {
        return (body_value(&bytes, content_type), Some(bytes));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (Value::Str(text), None),
        Err(e) => {
            let bytes = e.into_bytes();
            (
                Value::Str(String::from_utf8_lossy(&bytes).into_owned()),
                Some(bytes),
            )
        }
    }
}

/// JSON first (api-cases §7.6); otherwise text: ISO-8859-1 for `text/*` without a charset
/// (A40 Compat), else UTF-8 with replacement.
pub fn body_value(bytes: &[u8], content_type: &str) -> Value {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
        return Value::from_json(&v);
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("text") && !ct.contains("charset") {
        return Value::Str(bytes.iter().map(|&b| b as char).collect());
    }
    Value::Str(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_get_conventional_spelling() {
        assert_eq!(display_header_name("content-type"), "Content-Type");
        assert_eq!(display_header_name("x-mark"), "X-Mark");
        assert_eq!(display_header_name("x--a-"), "X--A-");
        assert_eq!(display_header_name("etag"), "Etag");
    }

    #[test]
    fn quirk_a40_text_without_charset_is_latin1() {
        assert_eq!(body_value(&[0xe9], "text/plain"), Value::Str("é".into()));
        assert_eq!(
            body_value(b"{\"a\":1}", "text/plain"),
            Value::from_json(&serde_json::json!({"a":1}))
        );
    }
}
