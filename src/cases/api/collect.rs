//! The collect phase (api-cases §7.1): validate the step and turn it into unrendered request
//! parts. Works on copies, so loops re-render from the pristine case every time (A3 Fix).

use super::model::{ApiStep, convert_param};
use crate::value::{Dict, Value};
use indexmap::IndexMap;
use serde_json::Value as Json;

/// How the body goes on the wire (api-cases §7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyType {
    None,
    Json,
    FormUrlencoded,
    FormData,
    Raw,
    File,
}

/// A multipart file part: its content is a `{{@loadfile(id)}}` placeholder until rendered.
#[derive(Debug, Clone)]
pub struct FilePart {
    pub field: String,
    pub filename: String,
    pub content: Value,
}

#[derive(Debug, Clone)]
pub struct Collected {
    pub method: String,
    pub url: Option<String>,
    /// After rest substitution, before rendering.
    pub path: String,
    pub headers: Option<Value>,
    /// The proxy URL with credentials, applied to http and https targets (A29 Fix).
    pub proxy: Option<String>,
    pub query: Option<Value>,
    pub body_type: BodyType,
    pub body: Option<Value>,
    pub files: Vec<FilePart>,
    pub verify: Option<bool>,
    pub stream: Option<bool>,
    pub timeout: Option<u64>,
    pub sleep_before: u64,
    pub sleep_after: u64,
    /// Notes for the log (e.g. file entries without an id, A49).
    pub notes: Vec<String>,
}

/// A step's request parts collected when its case was read, on the thread that reads cases
/// ahead while others run: collecting parses the step's JSON body and copies its headers, a
/// visible share of a step on the runner's threads. The first execution takes them; a later
/// one (a loop) collects again, which gives the same parts ([`collect`] reads the step only).
/// A copy of the step starts empty.
#[derive(Default)]
pub struct CollectedAhead(std::sync::Mutex<Option<Collected>>);

impl CollectedAhead {
    pub fn fill(&self, collected: Collected) {
        *self.lock() = Some(collected);
    }

    pub fn take(&self) -> Option<Collected> {
        self.lock().take()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Collected>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clone for CollectedAhead {
    fn clone(&self) -> Self {
        CollectedAhead::default()
    }
}

impl std::fmt::Debug for CollectedAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CollectedAhead")
    }
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => Value::from_json(other).py_str(),
    }
}

/// Rest substitution (api-cases §1.5): `{name}` and legacy `#{name}` (the `#` is dropped when
/// there is no rest value).
pub fn substitute_rest(path: &str, rest: &IndexMap<String, Json>) -> String {
    let mut out = String::with_capacity(path.len());
    let mut remaining = path;
    while let Some(open) = remaining.find('{') {
        let Some(close_rel) = remaining[open + 1..].find('}') else {
            break;
        };
        let close = open + 1 + close_rel;
        let name = &remaining[open + 1..close];
        let legacy = open > 0 && remaining.as_bytes()[open - 1] == b'#';
        out.push_str(&remaining[..if legacy { open - 1 } else { open }]);
        match rest.get(name) {
            Some(v) => out.push_str(&json_text(v)),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        remaining = &remaining[close + 1..];
    }
    out.push_str(remaining);
    out
}

/// `proxies_join` with the A29 Fix: `socks5://` and other schemes are kept, not prefixed.
fn proxy(step: &ApiStep, proxies: &Json) -> Result<Option<String>, String> {
    let Some(obj) = proxies.as_object() else {
        return Ok(None);
    };
    if obj.is_empty() {
        return Ok(None);
    }
    let field = |k: &str| obj.get(k).map(json_text).unwrap_or_default();
    let url = field("url");
    if url.trim().is_empty() {
        return Err("未设置代理网址".into());
    }
    let url = if url.contains("://") {
        url
    } else {
        format!("http://{url}")
    };
    let (user, pass) = (field("username"), field("password"));
    match (user.is_empty(), pass.is_empty()) {
        (true, true) => Ok(Some(url)),
        (false, false) => {
            let enc = |s: &str| {
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            };
            let (scheme, rest) = url.split_once("://").unwrap_or(("http", url.as_str()));
            Ok(Some(format!(
                "{scheme}://{}:{}@{rest}",
                enc(&user),
                enc(&pass)
            )))
        }
        _ => Err(format!(
            "接口{}未设置代理账号或密码",
            step.api_id.as_deref().unwrap_or("")
        )),
    }
}

fn controller_int(step: &ApiStep, key: &str) -> Result<Option<u64>, String> {
    match step.controller_text(key) {
        None => Ok(None),
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => t
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("控制器 {key}={t:?} 不是整数 (expected whole seconds)")),
    }
}

fn controller_bool(step: &ApiStep, key: &str) -> Option<bool> {
    step.controller_text(key)
        .map(|v| v.eq_ignore_ascii_case("true"))
}

/// The elements of a body field that should be a list (none when it is missing or not one).
fn items(field: &Option<Json>) -> impl Iterator<Item = &Json> {
    field
        .as_ref()
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// Collects the request of `step`; the error text is the step error.
pub fn collect(step: &ApiStep, proxies: &Json) -> Result<Collected, String> {
    let api_id = match step.api_id.as_deref() {
        None => return Err("接口数据apiId字段不存在或为空".into()),
        Some("") => return Err("接口数据apiId字段长度为0".into()),
        Some(id) => id,
    };
    match step.api_name.as_deref() {
        None => return Err("接口数据apiName字段不存在或为空".into()),
        Some("") => return Err("接口数据apiName字段长度为0".into()),
        Some(_) => {}
    }
    if !step.has_url_key {
        return Err(format!("接口{api_id}未设置域名"));
    }
    if !step.has_path_key {
        return Err(format!("接口{api_id}未设置路径"));
    }
    let method = match step.method.as_deref() {
        Some(m) if !m.trim().is_empty() => m.trim().to_ascii_uppercase(),
        _ => return Err(format!("接口{api_id}未定义请求方法")),
    };
    const METHODS: [&str; 8] = [
        "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
    ];
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "接口{api_id}的请求方法 method={method:?} 无效 (expected one of {})",
            METHODS.join(", ")
        ));
    }
    let path = substitute_rest(step.path.as_deref().unwrap_or(""), &step.rest);
    let sleep_before = controller_int(step, "sleepBeforeRun")?.unwrap_or(0);
    let sleep_after = controller_int(step, "sleepAfterRun")?.unwrap_or(0);

    // The first header named cookie/cookies (trimmed, any case) is renamed `cookie`, moved last.
    let headers = if step.headers.is_empty() {
        None
    } else {
        let mut map: Dict = Dict::default();
        let mut cookie: Option<Value> = None;
        for (k, v) in &step.headers {
            let lower = k.trim().to_ascii_lowercase();
            if cookie.is_none() && (lower == "cookie" || lower == "cookies") {
                cookie = Some(Value::from_json(v));
                continue;
            }
            map.insert(k.clone(), Value::from_json(v));
        }
        if let Some(c) = cookie {
            map.insert("cookie".into(), c);
        }
        Some(Value::Dict(map))
    };
    let proxy = proxy(step, proxies)?;
    let query = if step.query.is_empty() {
        None
    } else {
        Some(Value::Dict(
            step.query
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
        ))
    };

    let mut notes = Vec::new();
    let mut files = Vec::new();
    let (body_type, body) = match &step.body {
        None => (BodyType::None, None),
        Some(b) => {
            let kind = b.kind();
            match kind {
                "json" => match &b.json {
                    None | Some(Json::Null) => (BodyType::None, None),
                    Some(Json::String(text)) if text.trim().is_empty() => (BodyType::None, None),
                    Some(Json::String(text)) => {
                        let v = crate::value::parse_json(text).map_err(|e| {
                            format!("接口{api_id}的JSON请求体 (body.json) 不是合法JSON: {e}")
                        })?;
                        match &v {
                            Value::Dict(d) if d.is_empty() => (BodyType::None, None),
                            Value::List(l) if l.is_empty() => (BodyType::None, None),
                            _ => (BodyType::Json, Some(v)),
                        }
                    }
                    Some(other) => (BodyType::Json, Some(Value::from_json(other))),
                },
                "form-urlencoded" | "form-data" => {
                    let mut fields: Dict = Dict::default();
                    for item in items(&b.form) {
                        let name = item.get("name").map(json_text).unwrap_or_default();
                        let value = item.get("value").cloned().unwrap_or(Json::Null);
                        match item.get("type").and_then(Json::as_str) {
                            Some("File") => {
                                let id = json_text(&value);
                                files.push(FilePart {
                                    field: name.clone(),
                                    filename: name,
                                    content: Value::Str(format!("{{{{@loadfile({id})}}}}")),
                                });
                            }
                            Some(t) => {
                                let v = match &value {
                                    Json::String(s) => convert_param(t, s),
                                    other => Value::from_json(other),
                                };
                                fields.insert(name, v);
                            }
                            None => {
                                fields.insert(name, Value::from_json(&value));
                            }
                        }
                    }
                    let t = if kind == "form-data" {
                        BodyType::FormData
                    } else {
                        BodyType::FormUrlencoded
                    };
                    (t, Some(Value::Dict(fields)))
                }
                "text" | "xml" | "html" => match &b.raw {
                    Some(Json::String(s)) if !s.is_empty() => {
                        (BodyType::Raw, Some(Value::Str(s.clone())))
                    }
                    _ => (BodyType::None, None),
                },
                "file" => {
                    for entry in items(&b.file) {
                        match (entry.get("id").map(json_text), entry.get("name").map(json_text)) {
                            (Some(id), Some(name)) if !id.is_empty() => files.push(FilePart {
                                field: "file".into(),
                                filename: name,
                                content: Value::Str(format!("{{{{@loadfile({id})}}}}")),
                            }),
                            _ => notes.push(format!(
                                "接口{api_id}的文件请求体中有一项缺少id或name, 已跳过 (a body.file entry without id/name was skipped)"
                            )),
                        }
                    }
                    (BodyType::File, None)
                }
                // The Python engine silently sent no body; a typo there hides a broken case, so
                // it is an error naming the field (the "bad cases" rule).
                "" | "none" => (BodyType::None, None),
                other => {
                    return Err(format!(
                        "接口{api_id}的请求体类型 body.type={other:?} 无效 (expected json, form-urlencoded, form-data, text, xml, html or file)"
                    ));
                }
            }
        }
    };

    Ok(Collected {
        method,
        url: step.url.clone(),
        path,
        headers,
        proxy,
        query,
        body_type,
        body,
        files,
        verify: controller_bool(step, "requireVerify"),
        stream: controller_bool(step, "requireStream"),
        timeout: controller_int(step, "timeout")?,
        sleep_before,
        sleep_after,
        notes,
    })
}

/// `url_join` of api-cases §7.2.
pub fn url_join(url: Option<&str>, path: &str) -> String {
    let base = url.unwrap_or("");
    let path = path.strip_prefix('/').unwrap_or(path);
    // Written in place: two `format!`s were about 1 % of a step.
    let mut out = String::with_capacity(base.len() + 1 + path.len());
    out.push_str(base);
    if !base.is_empty() && !base.ends_with('/') {
        out.push('/');
    }
    out.push_str(path);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_join_matches_python() {
        assert_eq!(url_join(Some("http://a"), "/b"), "http://a/b");
        assert_eq!(url_join(Some("http://a/x/"), "//b"), "http://a/x//b");
        assert_eq!(url_join(None, "http://z/q"), "http://z/q");
        assert_eq!(url_join(Some("http://a"), ""), "http://a/");
    }

    #[test]
    fn rest_substitution() {
        let mut rest = IndexMap::new();
        rest.insert("id".to_string(), Json::String("7".into()));
        assert_eq!(substitute_rest("/u/{id}/o/{x}", &rest), "/u/7/o/{x}");
        assert_eq!(substitute_rest("/u/#{id}/#{y}", &rest), "/u/7/{y}");
    }
}
