//! Response shapes of the platform (spec §1.2–1.4).
//!
//! The quirks are deliberate: String-returning endpoints answer JSON text as
//! `text/plain;charset=UTF-8`, handled errors are HTTP 200 envelopes whose
//! reason sits in `data`, and unhandled errors are Spring Boot's default
//! error body, whose `status` member collides with the envelope's.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

pub const TEXT_PLAIN: &str = "text/plain;charset=UTF-8";
pub const APPLICATION_JSON: &str = "application/json";

/// The fixed `message` of each status code (`ResponseCode.java`).
pub fn message_for(code: i64) -> &'static str {
    match code {
        0 => "成功",
        1000 => "失败",
        1002 => "参数校验失败",
        1003 => "重复校验失败",
        2010 => "登录失败",
        2015 => "密码错误",
        2020 => "登录信息获取失败 请重新登录",
        2030 => "登录已过期 请重新登录",
        2040 => "登录信息校验失败 请重新登录",
        2050 => "引擎code及secret验证失败",
        3010 => "文件上传失败",
        _ => "未知错误",
    }
}

/// `{"status":..,"message":..,"data":..}` in exactly that member order.
pub fn envelope(code: i64, data: Value) -> Value {
    json!({"status": code, "message": message_for(code), "data": data})
}

fn with_type(status: StatusCode, content_type: Option<&str>, body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    if let Some(ct) = content_type {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).expect("ct"));
    }
    resp
}

/// Success of an object- or void-returning endpoint.
pub fn ok_json(data: Value) -> Response {
    with_type(
        StatusCode::OK,
        Some(APPLICATION_JSON),
        Body::from(envelope(0, data).to_string()),
    )
}

/// Success of a String-returning endpoint: the same JSON text, but labelled
/// `text/plain` unless the client asked for `application/json` (§1.2).
pub fn ok_text(data: Value, accept_json: bool) -> Response {
    let ct = if accept_json {
        APPLICATION_JSON
    } else {
        TEXT_PLAIN
    };
    with_type(
        StatusCode::OK,
        Some(ct),
        Body::from(envelope(0, data).to_string()),
    )
}

/// A handled exception: HTTP 200, fixed message, reason in `data` (§1.3).
pub fn error_envelope(code: i64, reason: &str) -> Response {
    with_type(
        StatusCode::OK,
        Some(APPLICATION_JSON),
        Body::from(envelope(code, json!(reason)).to_string()),
    )
}

/// An unhandled exception, rendered like Spring Boot's `BasicErrorController`.
pub fn spring_error(status: StatusCode, path: &str) -> Response {
    let body = json!({
        "timestamp": iso_now(),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "path": path,
    });
    with_type(status, Some(APPLICATION_JSON), Body::from(body.to_string()))
}

/// What a misconfigured reverse proxy in front of the platform might answer.
pub fn html_oops() -> Response {
    with_type(
        StatusCode::OK,
        Some("text/html"),
        Body::from("<html>oops</html>"),
    )
}

/// Raw bytes as the platform streams a download: no Content-Type, chunked (8 KB pieces, as
/// Tomcat's output buffer sends them). The pieces share `bytes`: nothing is copied.
pub fn download(bytes: axum::body::Bytes, file_name: &str) -> Response {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = (0..bytes.len())
        .step_by(8192)
        .map(|at| Ok(bytes.slice(at..(at + 8192).min(bytes.len()))))
        .collect();
    let mut resp = with_type(
        StatusCode::OK,
        None,
        Body::from_stream(futures_util::stream::iter(chunks)),
    );
    let disposition = format!("attachment; filename=\"{file_name}\"");
    // Tomcat writes header text byte-wise; non-ASCII names arrive as raw
    // UTF-8 bytes here (the spec calls the real encoding ambiguous).
    if let Ok(v) = HeaderValue::from_bytes(disposition.as_bytes()) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `2024-03-14T07:06:40.123+00:00`, the shape of Spring's error timestamp.
fn iso_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_member_order() {
        assert_eq!(
            envelope(2030, json!("token已过期")).to_string(),
            r#"{"status":2030,"message":"登录已过期 请重新登录","data":"token已过期"}"#
        );
    }

    #[test]
    fn timestamp_shape() {
        let t = iso_now();
        assert_eq!(t.len(), 29, "{t}");
        assert!(t.ends_with("+00:00"));
    }
}
