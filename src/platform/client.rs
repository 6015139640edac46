//! The platform's HTTP API (platform-protocol §3) with the token handled once for every caller.

use super::error::{BAD_CREDENTIALS, PlatformError, is_token_status};
use super::wire::{Envelope, ReportView, SealedResult, TaskObject};
use crate::config::{Config, Secret};
use crate::ids::TaskId;
use futures_util::StreamExt;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, RwLock};

/// What stays literal in an id put into a URL path segment.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The room a download of unknown length starts with (at most the memory cap): a task's
/// bundle is typically a few hundred KB.
const UNSIZED_DOWNLOAD_BYTES: u64 = 1024 * 1024;

/// What a successful bundle download produced. Its MD5 is worked out afterwards, off the
/// task's path ([`crate::bundle`]): it is only logged.
#[derive(Debug, Clone)]
pub struct Download {
    pub bytes: u64,
    /// The bundle's bytes when it is at most the memory cap: the file was not written, and
    /// the caller verifies from memory while it writes the file.
    pub data: Option<Vec<u8>>,
}

/// Why a download failed: either the platform (retry may help) or the file itself.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error("writing {path}: {reason}")]
    Disk { path: String, reason: String },
    #[error("the download is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the download is not a zip file (it starts with {start:?})")]
    NotZip { start: String },
}

/// The current token and a generation counter, so that many callers that saw the same expired
/// token trigger exactly one `token/apply` (single flight).
struct TokenState {
    token: Option<Secret>,
    generation: u64,
}

/// Counters the `status` command and tests read.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub token_applies: AtomicUsize,
    /// Epoch milliseconds of the last answer from the platform (any HTTP 200).
    pub last_contact_ms: AtomicI64,
    pub calls: AtomicU64,
}

pub struct PlatformClient {
    http: reqwest::Client,
    base: String,
    engine_code: String,
    engine_secret: Secret,
    /// `[Header]` without the token; replaced by a config reload.
    headers: std::sync::RwLock<reqwest::header::HeaderMap>,
    token: RwLock<TokenState>,
    refresh_lock: Mutex<()>,
    /// Epoch seconds of the last proactive refresh: at most one an hour, whatever the platform
    /// issues (a platform with short-lived tokens must not cause a refresh per call).
    last_proactive: AtomicI64,
    pub stats: ClientStats,
}

impl std::fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whether the JWT's `exp` is less than a day away. The payload is read without the key (the
/// engine cannot verify it and does not need to); an unreadable token is left to the platform.
fn expires_soon(token: &Secret) -> bool {
    use base64::Engine as _;
    let Some(payload) = token.expose().split('.').nth(1) else {
        return false;
    };
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))
    else {
        return false;
    };
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    claims
        .get("exp")
        .and_then(serde_json::Value::as_i64)
        .is_some_and(|exp| exp - now_secs() < 86_400)
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]);
    text.replace(['\n', '\r'], " ")
}

/// The `[Header]` entries as HTTP headers (checked when the config was read).
fn header_map(entries: &[(String, String)]) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in entries {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            headers.insert(name, value);
        }
    }
    headers
}

impl PlatformClient {
    /// The headers sent on every platform request now.
    fn headers(&self) -> reqwest::header::HeaderMap {
        self.headers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the `[Header]` headers (a config reload); calls made from now on send them.
    pub fn set_headers(&self, entries: &[(String, String)]) {
        *self.headers.write().unwrap_or_else(|p| p.into_inner()) = header_map(entries);
    }

    pub fn new(cfg: &Config) -> Result<Arc<Self>, PlatformError> {
        crate::net::ensure_crypto_provider();
        let headers = header_map(&cfg.headers);
        let http = reqwest::Client::builder()
            .timeout(cfg.agent.platform_timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(50))
            .no_proxy()
            .build()
            .map_err(|e| PlatformError::Transport {
                endpoint: "client".into(),
                reason: e.to_string(),
            })?;
        Ok(Arc::new(Self {
            http,
            base: cfg.platform_url.clone(),
            engine_code: cfg.engine_code.clone(),
            engine_secret: cfg.engine_secret.clone(),
            headers: std::sync::RwLock::new(headers),
            token: RwLock::new(TokenState {
                token: cfg.initial_token.clone(),
                generation: 0,
            }),
            refresh_lock: Mutex::new(()),
            last_proactive: AtomicI64::new(0),
            stats: ClientStats::default(),
        }))
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn engine_code(&self) -> &str {
        &self.engine_code
    }

    pub(crate) fn engine_secret(&self) -> &Secret {
        &self.engine_secret
    }

    fn proactive_refresh_due(&self) -> bool {
        let now = now_secs();
        let last = self.last_proactive.load(Ordering::Relaxed);
        now - last >= 3600
            && self
                .last_proactive
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
    }

    fn touch(&self) {
        self.stats
            .last_contact_ms
            .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    /// `sent`: the request may have reached the platform (it failed after the connection was
    /// made), which makes the failure ambiguous for calls that are not idempotent.
    fn transport(endpoint: &str, e: reqwest::Error, sent: bool) -> PlatformError {
        // reqwest's Display can include the URL; ours carry no secrets, but keep it short.
        let mut reason = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            reason.push_str(": ");
            reason.push_str(&s.to_string());
            src = s.source();
        }
        let endpoint = endpoint.to_string();
        if sent && !e.is_connect() && !e.is_builder() {
            PlatformError::NoAnswer { endpoint, reason }
        } else {
            PlatformError::Transport { endpoint, reason }
        }
    }

    /// HTTP status first; then the body is the envelope whatever its Content-Type says.
    fn decode(endpoint: &str, status: u16, body: &[u8]) -> Result<Envelope, PlatformError> {
        if status != 200 {
            return Err(PlatformError::Http {
                endpoint: endpoint.to_string(),
                status,
            });
        }
        serde_json::from_slice::<Envelope>(body).map_err(|_| PlatformError::NotJson {
            endpoint: endpoint.to_string(),
            snippet: snippet(body),
        })
    }

    async fn current_token(&self) -> (Option<Secret>, u64) {
        let t = self.token.read().await;
        (t.token.clone(), t.generation)
    }

    /// Applies for a new token unless another caller already replaced generation `seen`.
    async fn refresh_token(&self, seen: u64) -> Result<(), PlatformError> {
        let _guard = self.refresh_lock.lock().await;
        if self.token.read().await.generation != seen {
            return Ok(());
        }
        let token = self.apply_token().await?;
        let mut t = self.token.write().await;
        t.token = Some(token);
        t.generation += 1;
        Ok(())
    }

    /// `POST /openapi/engine/token/apply` (no token needed).
    pub async fn apply_token(&self) -> Result<Secret, PlatformError> {
        const EP: &str = "token/apply";
        self.stats.token_applies.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "engineCode": self.engine_code,
            "engineSecret": self.engine_secret.expose(),
            "timestamp": now_secs(),
        });
        let env = self
            .send_once(EP, "/openapi/engine/token/apply", &body, 0, None)
            .await?;
        match env.status {
            0 => match env.data.as_str() {
                Some(t) if !t.is_empty() => {
                    tracing::info!("obtained a new platform token");
                    Ok(Secret::new(t))
                }
                _ => Err(PlatformError::Protocol {
                    endpoint: EP.into(),
                    reason: "token/apply succeeded without a token".into(),
                }),
            },
            BAD_CREDENTIALS => Err(PlatformError::BadCredentials {
                detail: env.data.as_str().unwrap_or_default().to_string(),
            }),
            s => Err(PlatformError::Rejected {
                endpoint: EP.into(),
                status: s,
                message: env.message.unwrap_or_default(),
                detail: env.data.to_string(),
            }),
        }
    }

    async fn send_once<B: serde::Serialize + ?Sized>(
        &self,
        endpoint: &str,
        path: &str,
        body: &B,
        size_hint: usize,
        token: Option<&Secret>,
    ) -> Result<Envelope, PlatformError> {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        // Written straight from the caller's types: a result upload is never built as a JSON
        // tree first.
        let mut json = Vec::with_capacity(size_hint.max(128));
        serde_json::to_writer(&mut json, body).map_err(|e| PlatformError::Protocol {
            endpoint: endpoint.into(),
            reason: format!("cannot serialise the request: {e}"),
        })?;
        let mut req = self
            .http
            .post(format!("{}{}", self.base, path))
            .headers(self.headers())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=utf-8",
            )
            .body(json);
        if let Some(t) = token {
            req = req.header("token", t.expose());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| Self::transport(endpoint, e, true))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Self::transport(endpoint, e, true))?;
        let env = Self::decode(endpoint, status, &bytes)?;
        self.touch();
        Ok(env)
    }

    /// A token-protected call: one refresh on 2020/2030/2040 shared by every caller, then one retry.
    async fn call<B: serde::Serialize + ?Sized>(
        &self,
        endpoint: &str,
        path: &str,
        body: &B,
    ) -> Result<serde_json::Value, PlatformError> {
        self.call_sized(endpoint, path, body, 0).await
    }

    /// [`Self::call`] for a body of about `size_hint` bytes, written into a buffer of that size
    /// from the start: a result upload of half a megabyte grew through a dozen reallocations,
    /// each copying the body into fresh pages.
    async fn call_sized<B: serde::Serialize + ?Sized>(
        &self,
        endpoint: &str,
        path: &str,
        body: &B,
        size_hint: usize,
    ) -> Result<serde_json::Value, PlatformError> {
        let mut refreshed = false;
        loop {
            let (token, generation) = self.current_token().await;
            if token.is_none() {
                self.refresh_token(generation).await?;
                refreshed = true;
                continue;
            }
            if !refreshed
                && token.as_ref().is_some_and(expires_soon)
                && self.proactive_refresh_due()
            {
                // Refresh a day ahead instead of waiting for the platform to refuse the token.
                refreshed = true;
                match self.refresh_token(generation).await {
                    Ok(()) => continue,
                    Err(e) => tracing::warn!("proactive token refresh failed: {e}"),
                }
            }
            let env = self
                .send_once(endpoint, path, body, size_hint, token.as_ref())
                .await?;
            match env.status {
                0 => return Ok(env.data),
                s if is_token_status(s) && !refreshed => {
                    tracing::info!(
                        endpoint,
                        status = s,
                        "token refused by the platform; applying for a new one"
                    );
                    self.refresh_token(generation).await?;
                    refreshed = true;
                }
                s if is_token_status(s) => {
                    return Err(PlatformError::Token {
                        endpoint: endpoint.to_string(),
                        status: s,
                        detail: env.data.as_str().unwrap_or_default().to_string(),
                    });
                }
                BAD_CREDENTIALS => {
                    return Err(PlatformError::BadCredentials {
                        detail: env.data.as_str().unwrap_or_default().to_string(),
                    });
                }
                _ => return Err(PlatformError::rejected(endpoint, env)),
            }
        }
    }

    fn base_body(&self) -> serde_json::Value {
        json!({"engineCode": self.engine_code, "timestamp": now_secs()})
    }

    fn task_body(&self, task_id: &TaskId) -> serde_json::Value {
        json!({"engineCode": self.engine_code, "timestamp": now_secs(), "taskId": task_id})
    }

    /// `heartbeat/send`: the HTTP heartbeat that also turns `offline` back into `online`.
    pub async fn heartbeat(&self) -> Result<(), PlatformError> {
        self.call(
            "heartbeat/send",
            "/openapi/engine/heartbeat/send",
            &self.base_body(),
        )
        .await
        .map(|_| ())
    }

    /// `task/fetch`: at most one task; `None` is the normal "nothing for you now".
    pub async fn fetch_task(
        &self,
    ) -> Result<Option<(TaskObject, serde_json::Value)>, PlatformError> {
        const EP: &str = "task/fetch";
        let data = self
            .call(EP, "/openapi/engine/task/fetch", &self.base_body())
            .await?;
        if data.is_null() {
            return Ok(None);
        }
        // Read from the tree in place: a clone of the tree (the task lists every case) would be
        // dropped right after.
        let task = <TaskObject as serde::Deserialize>::deserialize(&data).map_err(|e| {
            PlatformError::Protocol {
                endpoint: EP.into(),
                reason: format!("the task object does not parse: {e}"),
            }
        })?;
        Ok(Some((task, data)))
    }

    /// `task/status`: `true` when the platform says STOP.
    pub async fn task_stopped(&self, task_id: &TaskId) -> Result<bool, PlatformError> {
        let data = self
            .call(
                "task/status",
                "/openapi/engine/task/status",
                &self.task_body(task_id),
            )
            .await?;
        Ok(data.as_str() == Some("STOP"))
    }

    /// `result/upload`: not idempotent; the caller serialises calls per task.
    pub async fn upload_results(
        &self,
        task_id: &TaskId,
        results: &[&SealedResult],
    ) -> Result<(), PlatformError> {
        /// The task body of [`PlatformClient::task_body`] with the results.
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Upload<'a> {
            engine_code: &'a str,
            timestamp: i64,
            task_id: &'a TaskId,
            case_result_list: &'a [&'a SealedResult],
        }
        let body = Upload {
            engine_code: &self.engine_code,
            timestamp: now_secs(),
            task_id,
            case_result_list: results,
        };
        // The results' JSON, a comma each, and the envelope's members.
        let size = results
            .iter()
            .map(|r| r.json.get().len() + 1)
            .sum::<usize>()
            + self.engine_code.len()
            + task_id.as_str().len()
            + 128;
        let r = self
            .call_sized(
                "result/upload",
                "/openapi/engine/result/upload",
                &body,
                size,
            )
            .await
            .map(|_| ());
        crate::ops::metrics::upload("results", r.is_ok());
        r
    }

    /// `screenshot/upload` (§3.7): `fileName` = `<id>.png`, standard base64 with padding. Not
    /// tied to a task on the platform; the token is refreshed like every other call.
    pub async fn upload_screenshot(
        &self,
        file_name: &str,
        png: &[u8],
    ) -> Result<(), PlatformError> {
        use base64::Engine as _;
        let mut body = self.base_body();
        body["fileName"] = json!(file_name);
        body["base64String"] = json!(base64::engine::general_purpose::STANDARD.encode(png));
        let r = self
            .call(
                "screenshot/upload",
                "/openapi/engine/screenshot/upload",
                &body,
            )
            .await
            .map(|_| ());
        crate::ops::metrics::upload("screenshot", r.is_ok());
        r
    }

    /// `task/complete`: only after every result was acknowledged, never after a stop.
    pub async fn complete(&self, task_id: &TaskId) -> Result<(), PlatformError> {
        self.call(
            "task/complete",
            "/openapi/engine/task/complete",
            &self.task_body(task_id),
        )
        .await
        .map(|_| ())
    }

    /// `POST /openapi/exec/result/{taskId}` (no token; the CI read endpoint, §3.11): what the
    /// platform stored for the task — its report status and, per report collection, the case
    /// rows with the highest `runTimes`. The engine reads it only to settle calls whose answer
    /// was lost (an upload or a `complete` in flight when the engine died or the connection
    /// broke), so that a result the platform already holds is not sent again.
    pub async fn report(&self, task_id: &TaskId) -> Result<ReportView, PlatformError> {
        const EP: &str = "exec/result";
        let id = percent_encoding::utf8_percent_encode(task_id.as_str(), PATH_SEGMENT);
        let env = self
            .send_once(
                EP,
                &format!("/openapi/exec/result/{id}"),
                &json!({}),
                0,
                None,
            )
            .await?;
        if env.status != 0 {
            return Err(PlatformError::rejected(EP, env));
        }
        serde_json::from_value(env.data).map_err(|e| PlatformError::Protocol {
            endpoint: EP.into(),
            reason: format!("the report does not parse: {e}"),
        })
    }

    /// Downloads a bundle (relative `downloadUrl`) to `dest`, streaming, with the token, and tells
    /// an envelope (an error) from a zip by content.
    pub async fn download_bundle(
        &self,
        url_path: &str,
        dest: &Path,
        limit: u64,
        memory_cap: u64,
    ) -> Result<Download, DownloadError> {
        const EP: &str = "task/file/download";
        let url = if url_path.starts_with("http://") || url_path.starts_with("https://") {
            url_path.to_string()
        } else {
            format!("{}/{}", self.base, url_path.trim_start_matches('/'))
        };
        let mut refreshed = false;
        loop {
            let (token, generation) = self.current_token().await;
            if token.is_none() {
                self.refresh_token(generation).await?;
                refreshed = true;
                continue;
            }
            let mut req = self.http.get(&url).headers(self.headers());
            if let Some(t) = &token {
                req = req.header("token", t.expose());
            }
            let resp = req
                .send()
                .await
                .map_err(|e| Self::transport(EP, e, false))?;
            let status = resp.status().as_u16();
            if status != 200 {
                return Err(PlatformError::Http {
                    endpoint: EP.into(),
                    status,
                }
                .into());
            }
            let disk = |e: std::io::Error| DownloadError::Disk {
                path: dest.display().to_string(),
                reason: e.to_string(),
            };
            // Kept in memory up to `memory_cap` (a task's bundle is typically a few hundred
            // KB; the cap bounds memory whatever the platform sends): verification then reads it
            // there, and writing the file is no longer on the way to the first case. Beyond
            // the cap it spills to the file, whose each write is a hop to a blocking thread,
            // so chunks are gathered into 256 KB writes. No fsync: the file is for the
            // operator's eye, and after a crash the task downloads its bundle again anyway.
            // Without a length (Tomcat streams a download chunked), room for a typical bundle
            // up front: grown from nothing, the buffer was copied a dozen times into fresh
            // pages. Pages reserved and not written cost nothing.
            let expected = resp
                .content_length()
                .filter(|&n| n > 0)
                .unwrap_or(UNSIZED_DOWNLOAD_BYTES);
            let mut memory = Some(Vec::with_capacity(
                usize::try_from(expected.min(memory_cap)).unwrap_or(0),
            ));
            let mut file: Option<tokio::io::BufWriter<tokio::fs::File>> = None;
            let mut stream = resp.bytes_stream();
            let mut total: u64 = 0;
            let mut head: Vec<u8> = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| Self::transport(EP, e, false))?;
                total += chunk.len() as u64;
                if total > limit {
                    return Err(DownloadError::TooLarge { limit });
                }
                if head.len() < 4096 {
                    head.extend_from_slice(&chunk[..chunk.len().min(4096 - head.len())]);
                }
                match memory.as_mut() {
                    Some(kept) if total <= memory_cap => {
                        kept.extend_from_slice(&chunk);
                        continue;
                    }
                    _ => {}
                }
                let out = match file.as_mut() {
                    Some(out) => out,
                    None => {
                        let created = tokio::fs::File::create(dest).await.map_err(disk)?;
                        let out =
                            file.insert(tokio::io::BufWriter::with_capacity(256 * 1024, created));
                        if let Some(kept) = memory.take() {
                            out.write_all(&kept).await.map_err(disk)?;
                        }
                        out
                    }
                };
                out.write_all(&chunk).await.map_err(disk)?;
            }
            if let Some(mut out) = file.take() {
                out.flush().await.map_err(disk)?;
            }
            self.touch();
            if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
                return Ok(Download {
                    bytes: total,
                    data: memory,
                });
            }
            // Not a zip: an envelope (token error, 1000 文件不存在) or garbage.
            let _ = tokio::fs::remove_file(dest).await;
            match serde_json::from_slice::<Envelope>(&head) {
                Ok(env) if is_token_status(env.status) && !refreshed => {
                    tracing::info!(
                        status = env.status,
                        "bundle download refused the token; applying for a new one"
                    );
                    self.refresh_token(generation).await?;
                    refreshed = true;
                }
                Ok(env) => {
                    return Err(PlatformError::rejected(EP, env).into());
                }
                Err(_) => {
                    return Err(DownloadError::NotZip {
                        start: snippet(&head),
                    });
                }
            }
        }
    }
}

/// The file name of a `Content-Disposition: attachment; filename="…"` header, properly parsed
/// (quoted or not, `filename*=UTF-8''…` preferred), instead of cutting characters (§10.16).
pub fn content_disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let v = v.trim_matches('"');
            let encoded = v.split_once("''").map_or(v, |(_, rest)| rest);
            if let Ok(decoded) = percent_encoding::percent_decode_str(encoded).decode_utf8() {
                return Some(decoded.into_owned());
            }
        } else if let Some(v) = part.strip_prefix("filename=") {
            plain = Some(v.trim().trim_matches('"').to_string());
        }
    }
    plain.filter(|n| !n.is_empty())
}

impl PlatformClient {
    /// `GET /openapi/download/test/file/{fileId}` (no token needed): the file's name and bytes.
    /// An envelope instead of a file (1000 文件不存在) or a non-200 answer is an error.
    pub async fn download_test_file(
        &self,
        file_id: &str,
        limit: usize,
    ) -> Result<(String, Vec<u8>), PlatformError> {
        const EP: &str = "download/test/file";
        let id = percent_encoding::utf8_percent_encode(file_id, PATH_SEGMENT);
        let resp = self
            .http
            .get(format!("{}/openapi/download/test/file/{id}", self.base))
            .headers(self.headers())
            .send()
            .await
            .map_err(|e| Self::transport(EP, e, false))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(PlatformError::Http {
                endpoint: EP.into(),
                status,
            });
        }
        let name = resp
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .and_then(|h| content_disposition_filename(&h));
        let mut resp = resp;
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Self::transport(EP, e, false))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(PlatformError::Protocol {
                    endpoint: EP.into(),
                    reason: format!("the file is larger than {limit} bytes"),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        self.touch();
        match name {
            Some(n) => Ok((n, bytes)),
            None => match serde_json::from_slice::<Envelope>(&bytes) {
                Ok(env) => Err(PlatformError::rejected(EP, env)),
                Err(_) => Ok((file_id.to_string(), bytes)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn jwt(exp: i64) -> Secret {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        Secret::new(format!(
            "{}.{}.sig",
            b.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            b.encode(format!(r#"{{"engineId":"x","exp":{exp}}}"#))
        ))
    }

    #[test]
    fn parses_content_disposition() {
        assert_eq!(
            content_disposition_filename(r#"attachment; filename="a b.png""#).as_deref(),
            Some("a b.png")
        );
        assert_eq!(
            content_disposition_filename("attachment; filename=x.txt").as_deref(),
            Some("x.txt")
        );
        assert_eq!(
            content_disposition_filename(
                "attachment; filename=\"f\"; filename*=UTF-8''%E4%B8%AD.txt"
            )
            .as_deref(),
            Some("中.txt")
        );
        assert_eq!(content_disposition_filename("attachment"), None);
    }

    #[test]
    fn knows_when_a_token_is_about_to_expire() {
        assert!(expires_soon(&jwt(now_secs() + 3600)));
        assert!(!expires_soon(&jwt(now_secs() + 7 * 86_400)));
        assert!(!expires_soon(&Secret::new("not-a-jwt")));
    }
}
