//! `log/api.log` (`[Log] api-log = true`): one line per API request a case step sends and one
//! per answer (or failure), inside the task/case spans, so a run can be followed request by
//! request without the platform. Off by default: building the lines costs copies of bodies.
//! Credentials in headers are masked; bodies are cut at [`MAX_BODY`] bytes.

use super::logging::API_TARGET;
use crate::cases::api::body::WireBody;
use crate::cases::api::request::Headers;
use crate::cases::api::request::{CapturedResponse, OutgoingRequest, SendError};

/// Longest body written to `api.log`, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

const MASKED: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "token"];

fn headers(h: &Headers) -> String {
    let shown: serde_json::Map<String, serde_json::Value> = h
        .iter()
        .map(|(k, v)| {
            let v = if MASKED.contains(&k.to_ascii_lowercase().as_str()) {
                "***".to_string()
            } else {
                v.clone()
            };
            (k.clone(), serde_json::Value::String(v))
        })
        .collect();
    serde_json::Value::Object(shown).to_string()
}

fn cut(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_BODY)]).into_owned();
    if bytes.len() > MAX_BODY {
        format!("{text}… ({} bytes in all)", bytes.len())
    } else {
        text
    }
}

/// Writes the request and its outcome when `api.log` is on.
pub fn record(req: &OutgoingRequest, outcome: &Result<CapturedResponse, SendError>) {
    if !super::logging::api_log_enabled() {
        return;
    }
    let body = match &req.body {
        WireBody::None => String::new(),
        WireBody::Bytes(b) => cut(b),
        WireBody::Multipart(parts) => format!(
            "multipart: {}",
            parts
                .iter()
                .map(|p| format!("{} ({} bytes)", p.name, p.bytes.len()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    tracing::info!(
        target: API_TARGET,
        method = %req.method,
        url = %req.url,
        headers = %headers(&req.headers),
        body = %body,
        "request"
    );
    match outcome {
        Ok(resp) => {
            let body = match (&resp.raw, &resp.json) {
                (Some(raw), _) => cut(raw),
                (None, Some(doc)) => cut(doc.text().as_bytes()),
                (None, None) => cut(resp.body_py_str().as_bytes()),
            };
            tracing::info!(
                target: API_TARGET,
                status = resp.status,
                elapsed_ms = resp.elapsed.as_millis() as u64,
                headers = %headers(&resp.headers),
                body = %body,
                "response"
            );
        }
        Err(e) => tracing::info!(target: API_TARGET, error = %e, "no response"),
    }
}
