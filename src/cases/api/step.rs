//! One API step: collect the request from the step, send it, log it, assert, extract relations
//! (api-cases §0 step order, §7 request building, §8.2 log lines).

use super::model::ApiStep;
use super::request::{self, CapturedResponse, OutgoingRequest};
use crate::assertion::{self, Outcome};
use crate::cases::context::CollectionContext;
use crate::cases::log::StepLog;
use crate::cases::{CaseEnv, Status, Transaction};
use crate::extract;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::time::Duration;

/// How a step ended, before the case decides whether to go on (`errorContinue`).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// An assertion failed; the text is the py_str of the message list.
    Fail(String),
    /// Anything else went wrong; the text says what.
    Error(String),
}

pub struct StepRun {
    pub transaction: Transaction,
    pub log: StepLog,
    pub verdict: Verdict,
}

/// The request body as collected.
#[derive(Debug, Clone)]
enum BodyPlan {
    None,
    Json(Value),
    Raw(String),
}

struct Collected {
    method: String,
    base_url: Option<String>,
    path: String,
    headers: IndexMap<String, String>,
    query: Option<IndexMap<String, Value>>,
    body: BodyPlan,
    timeout: Option<u64>,
    verify: Option<bool>,
    stream: Option<bool>,
}

/// `url_join` of api-cases §7.2.
pub fn url_join(url: Option<&str>, path: &str) -> String {
    let base = match url {
        None | Some("") => String::new(),
        Some(u) if u.ends_with('/') => u.to_string(),
        Some(u) => format!("{u}/"),
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("{base}{path}")
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => Value::from_json(other).py_str(),
    }
}

/// Rest substitution (api-cases §1.5): `{name}` and legacy `#{name}`.
pub fn substitute_rest(path: &str, rest: &IndexMap<String, Json>) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest_of = path;
    while let Some(open) = rest_of.find('{') {
        let Some(close_rel) = rest_of[open + 1..].find('}') else {
            break;
        };
        let close = open + 1 + close_rel;
        let name = &rest_of[open + 1..close];
        let legacy = open > 0 && rest_of.as_bytes()[open - 1] == b'#';
        let prefix_end = if legacy { open - 1 } else { open };
        out.push_str(&rest_of[..prefix_end]);
        match rest.get(name) {
            Some(v) => out.push_str(&json_text(v)),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest_of = &rest_of[close + 1..];
    }
    out.push_str(rest_of);
    out
}

/// `quote_plus` of Python: unreserved characters kept, space → `+`.
fn quote_plus(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Query pairs per api-cases §7.4: null omitted, lists repeated, objects one entry per key.
fn query_pairs(query: &IndexMap<String, Value>) -> Vec<(String, Vec<u8>)> {
    let mut pairs = Vec::new();
    for (k, v) in query {
        match v {
            Value::None => {}
            Value::Bytes(b) => pairs.push((k.clone(), b.clone())),
            Value::List(items) | Value::Tuple(items) => {
                for i in items {
                    if !matches!(i, Value::None) {
                        pairs.push((k.clone(), i.py_str().into_bytes()));
                    }
                }
            }
            Value::Dict(d) => {
                for key in d.keys() {
                    pairs.push((k.clone(), key.clone().into_bytes()));
                }
            }
            other => pairs.push((k.clone(), other.py_str().into_bytes())),
        }
    }
    pairs
}

fn append_query(url: &str, pairs: &[(String, Vec<u8>)]) -> String {
    if pairs.is_empty() {
        return url.to_string();
    }
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k.as_bytes()), quote_plus(v)))
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encoded.join("&"))
}

fn collect(step: &ApiStep) -> Result<Collected, String> {
    let api_id = match step.api_id.as_deref() {
        Some(id) if !id.is_empty() => id,
        _ => return Err("接口数据apiId字段不存在或为空".into()),
    };
    if step.api_name.as_deref().is_none_or(str::is_empty) {
        return Err("接口数据apiName字段不存在或为空".into());
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
    if reqwest::Method::from_bytes(method.as_bytes()).is_err()
        || !method.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Err(format!("接口{api_id}的请求方法 method={method:?} 无效"));
    }
    let path = substitute_rest(step.path.as_deref().unwrap_or(""), &step.rest);

    // The first header named cookie/cookies (any case, trimmed) becomes `cookie`, last (§7.3).
    let mut headers: IndexMap<String, String> = IndexMap::new();
    let mut cookie: Option<String> = None;
    for (k, v) in &step.headers {
        let lower = k.trim().to_ascii_lowercase();
        if cookie.is_none() && (lower == "cookie" || lower == "cookies") {
            cookie = Some(json_text(v));
            continue;
        }
        headers.insert(k.clone(), json_text(v));
    }
    if let Some(c) = cookie {
        headers.insert("cookie".into(), c);
    }

    let query = if step.query.is_empty() {
        None
    } else {
        Some(
            step.query
                .iter()
                .map(|(k, v)| (k.clone(), Value::from_json(v)))
                .collect(),
        )
    };

    let body = match &step.body {
        None => BodyPlan::None,
        Some(b) => {
            let kind = b.get("type").and_then(Json::as_str).unwrap_or("");
            match kind {
                "json" => match b.get("json") {
                    None | Some(Json::Null) => BodyPlan::None,
                    Some(Json::String(text)) if text.trim().is_empty() => BodyPlan::None,
                    Some(Json::String(text)) => {
                        let parsed: Json = serde_json::from_str(text).map_err(|e| {
                            format!("接口{api_id}的请求体不是合法JSON (body.json): {e}")
                        })?;
                        match &parsed {
                            Json::Object(o) if o.is_empty() => BodyPlan::None,
                            Json::Array(a) if a.is_empty() => BodyPlan::None,
                            _ => BodyPlan::Json(Value::from_json(&parsed)),
                        }
                    }
                    Some(other) => BodyPlan::Json(Value::from_json(other)),
                },
                "text" | "xml" | "html" => match b.get("raw") {
                    Some(Json::String(s)) if !s.is_empty() => BodyPlan::Raw(s.clone()),
                    _ => BodyPlan::None,
                },
                "form-urlencoded" | "form-data" | "file" => {
                    return Err(format!(
                        "接口{api_id}的请求体类型 body.type={kind:?} 暂不支持: this engine version does not send form or file bodies yet"
                    ));
                }
                // Unknown body types send no body (api-cases §1.8, Compat).
                _ => BodyPlan::None,
            }
        }
    };

    let timeout =
        match step.controller_text("timeout") {
            None => None,
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(t.trim().parse::<u64>().map_err(|_| {
                format!("接口{api_id}的超时设置 controller.timeout={t:?} 不是整数")
            })?),
        };
    let verify = step
        .controller_text("requireVerify")
        .map(|v| v.eq_ignore_ascii_case("true"));
    let stream = step
        .controller_text("requireStream")
        .map(|v| v.eq_ignore_ascii_case("true"));

    Ok(Collected {
        method,
        base_url: step.url.clone(),
        path,
        headers,
        query,
        body,
        timeout,
        verify,
        stream,
    })
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn dict_of_strings(m: &IndexMap<String, String>) -> Value {
    Value::Dict(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
            .collect(),
    )
}

fn request_log(c: &Collected, url: &str) -> String {
    let mut s = format!("【请求信息】:<br>{} {}", c.method, url);
    if let Some(v) = c.verify {
        s.push_str(&format!("<br>verify: {}", py_bool(v)));
    }
    if let Some(v) = c.stream {
        s.push_str(&format!("<br>stream: {}", py_bool(v)));
    }
    if let Some(t) = c.timeout {
        s.push_str(&format!("<br>timeout: {t}"));
    }
    if !c.headers.is_empty() {
        s.push_str(&format!(
            "<br>请求头: {}",
            dict_of_strings(&c.headers).py_str()
        ));
    }
    if let Some(q) = &c.query {
        s.push_str(&format!(
            "<br>查询参数: {}",
            Value::Dict(q.clone()).py_str()
        ));
    }
    match &c.body {
        BodyPlan::None => {}
        BodyPlan::Json(v) => s.push_str(&format!("<br><span>请求体: {}</span>", v.py_str())),
        BodyPlan::Raw(t) => s.push_str(&format!("<br><span>请求体: {t}</span>")),
    }
    s
}

fn response_log(r: &CapturedResponse) -> String {
    let body = if r
        .headers
        .keys()
        .any(|k| k.eq_ignore_ascii_case("content-disposition"))
    {
        format!("文件内容暂不展示, 长度{}", r.bytes.len())
    } else {
        r.body.py_str()
    };
    format!(
        "【响应信息】:<br>响应码: {}<br>响应头: {}<br><b>响应体: {}</b>",
        r.status,
        dict_of_strings(&r.headers).py_str(),
        body
    )
}

/// Assertions in order, stopping at the first failure (api-cases §4.1, A46).
/// `Ok(messages, failed)`; `Err` is a step error (unknown comparator, type error).
fn check(assertions: &[Json], resp: &CapturedResponse) -> Result<(Vec<String>, bool), String> {
    let default = [
        serde_json::json!({"from": "resCode", "method": "", "expression": "", "assertion": "相等", "expect": "200"}),
    ];
    let list: &[Json] = if assertions.is_empty() {
        &default
    } else {
        assertions
    };
    let mut messages = Vec::new();
    for a in list {
        let from = a.get("from").and_then(Json::as_str).unwrap_or("");
        let method = a.get("method").and_then(Json::as_str).unwrap_or("");
        let expression = a.get("expression").and_then(Json::as_str).unwrap_or("");
        let comparator = a.get("assertion").and_then(Json::as_str).unwrap_or("");
        let expected = a.get("expect").map(Value::from_json).unwrap_or(Value::None);
        let actual = match from {
            "resCode" => Ok(Value::Int(i64::from(resp.status))),
            "resHeader" => extract::extract(method, expression, &dict_of_strings(&resp.headers))
                .map_err(|e| e.to_string()),
            "resBody" => {
                extract::extract(method, expression, &resp.body).map_err(|e| e.to_string())
            }
            other => Err(format!("无法在{other}位置进行断言")),
        };
        let actual = match actual {
            Ok(v) => v,
            Err(e) => {
                messages.push(format!("接口响应失败或{e}"));
                return Ok((messages, true));
            }
        };
        match assertion::compare(comparator, &actual, &expected).map_err(|e| e.to_string())? {
            Outcome::Pass => messages.push("success".into()),
            Outcome::Fail(m) => {
                messages.push(m);
                return Ok((messages, true));
            }
        }
    }
    Ok((messages, false))
}

/// Relations (api-cases §5): values go into the collection context.
fn relate(
    relations: &[Json],
    c: &Collected,
    resp: &CapturedResponse,
    ctx: &mut CollectionContext,
) -> Result<(), String> {
    for r in relations {
        let name = r.get("name").and_then(Json::as_str).unwrap_or("");
        let from = r.get("from").and_then(Json::as_str).unwrap_or("");
        let method = r.get("method").and_then(Json::as_str).unwrap_or("");
        let expression = r
            .get("expression")
            .and_then(Json::as_str)
            .unwrap_or("")
            .trim();
        let value = if expression == "$" {
            Value::Bytes(resp.bytes.clone())
        } else if ["cookie", "cookies"].contains(&expression.to_ascii_lowercase().as_str()) {
            Value::Str(resp.cookies.clone())
        } else {
            let data = match from {
                "resHeader" => dict_of_strings(&resp.headers),
                "resBody" => resp.body.clone(),
                "reqHeader" => dict_of_strings(&c.headers),
                "reqQuery" => c.query.clone().map(Value::Dict).unwrap_or(Value::None),
                "reqBody" => match &c.body {
                    BodyPlan::None => Value::None,
                    BodyPlan::Json(v) => v.clone(),
                    BodyPlan::Raw(t) => Value::Bytes(t.clone().into_bytes()),
                },
                other => return Err(format!("无法从{other}位置提取依赖参数")),
            };
            extract::extract(method, expression, &data).map_err(|e| e.to_string())?
        };
        ctx.vars.insert(name.to_string(), value);
    }
    Ok(())
}

/// Runs one step and returns its transaction (status decided) and verdict.
pub async fn run(step: &ApiStep, ctx: &mut CollectionContext, env: &CaseEnv) -> StepRun {
    let mut log = StepLog::default();
    let mut transaction = Transaction {
        id: step.api_id.clone().unwrap_or_default(),
        name: step.api_name.clone().unwrap_or_default(),
        content: step.path.clone().unwrap_or_default(),
        description: step.api_desc.clone(),
        log: String::new(),
        during_ms: 0,
        status: Status::Pass,
        screenshots: Vec::new(),
    };
    let name = step.display_name().to_string();
    let finish = |mut t: Transaction, log: StepLog, verdict: Verdict| {
        t.status = match &verdict {
            Verdict::Pass => Status::Pass,
            Verdict::Fail(_) => Status::Fail,
            Verdict::Error(_) => Status::Error,
        };
        StepRun {
            transaction: t,
            log,
            verdict,
        }
    };

    let collected = match collect(step) {
        Ok(c) => c,
        Err(e) => return finish(transaction, log, Verdict::Error(e)),
    };
    log.debug(&format!("[{name}]接口执行开始"));

    let url = url_join(collected.base_url.as_deref(), &collected.path);
    let pairs = collected
        .query
        .as_ref()
        .map(query_pairs)
        .unwrap_or_default();
    let full_url = append_query(&url, &pairs);
    let mut headers = collected.headers.clone();
    let body = match &collected.body {
        BodyPlan::None => None,
        BodyPlan::Json(v) => {
            if !headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
            {
                headers.insert("Content-Type".into(), "application/json".into());
            }
            match v.to_json_text() {
                Ok(t) => Some(t.into_bytes()),
                Err(e) => {
                    return finish(
                        transaction,
                        log,
                        Verdict::Error(format!("请求体无法序列化为JSON: {e}")),
                    );
                }
            }
        }
        BodyPlan::Raw(t) => Some(t.clone().into_bytes()),
    };
    log.debug(&request_log(&collected, &url));

    let deadline = collected
        .timeout
        .map(Duration::from_secs)
        .unwrap_or(env.step_timeout_cap)
        .min(env.step_timeout_cap);
    let outgoing = OutgoingRequest {
        method: collected.method.clone(),
        url: full_url,
        headers,
        body,
        verify: collected.verify.unwrap_or(true),
    };
    let resp = match request::send(
        &env.http,
        &mut ctx.session,
        &outgoing,
        deadline,
        env.max_response_bytes,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return finish(transaction, log, Verdict::Error(e.to_string())),
    };
    transaction.during_ms = u64::try_from(resp.elapsed.as_millis()).unwrap_or(u64::MAX);
    log.debug(&response_log(&resp));
    log.debug(&format!("[{name}]接口执行结束"));

    let checked = check(&step.assertions, &resp);
    let related = relate(&step.relations, &collected, &resp, ctx);
    let (messages, failed) = match checked {
        Ok(x) => x,
        Err(e) => return finish(transaction, log, Verdict::Error(e)),
    };
    // Relations run before the assertion outcome is raised, so their error wins (A24).
    if let Err(e) = related {
        return finish(transaction, log, Verdict::Error(e));
    }
    let list = Value::List(messages.into_iter().map(Value::Str).collect()).py_str();
    if failed {
        log.error(&format!("[{name}]接口断言失败: {list}"));
        finish(transaction, log, Verdict::Fail(list))
    } else {
        log.debug(&format!("[{name}]接口断言成功: {list}"));
        finish(transaction, log, Verdict::Pass)
    }
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

    #[test]
    fn query_encoding() {
        let mut q = IndexMap::new();
        q.insert("s".to_string(), Value::Str("a b&c".into()));
        q.insert(
            "l".to_string(),
            Value::List(vec![Value::Int(1), Value::Int(2)]),
        );
        q.insert("n".to_string(), Value::None);
        assert_eq!(
            append_query("http://h/p", &query_pairs(&q)),
            "http://h/p?s=a+b%26c&l=1&l=2"
        );
        assert_eq!(
            append_query("http://h/p?x=1", &query_pairs(&q)),
            "http://h/p?x=1&s=a+b%26c&l=1&l=2"
        );
    }
}
