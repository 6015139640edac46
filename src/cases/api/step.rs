//! One API step in the order of api-cases §0.4: open the transaction, condition, collect, then
//! the protected section (pre entries, render, send, log, assert, relations, sleeps, post
//! entries), and the `errorContinue` rules of §6.4 / §8.4.

use super::body::{self, WireBody};
use super::check::{self, RequestView};
use super::collect::{self, BodyType, Collected};
use super::model::ApiStep;
use super::request::{self, CapturedResponse, Headers, OutgoingRequest};
use super::scripts::{self, Exchange};
use super::{CaseRun, Flow};
use crate::assertion::{self, Outcome};
use crate::cases::Status;
use crate::cases::context::HttpSession;
use crate::template::{
    self, BodyKind, RenderedRequest, RequestParts, RequestRefs, Scope, mentions,
};
use crate::value::Dict;
use crate::value::Value;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::time::Duration;

/// How the protected section ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// An assertion failed; the text is the py_str of the message list.
    Fail(String),
    Error(String),
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn as_dict_of_strings(v: &Value) -> Headers {
    match v {
        Value::Dict(d) => d.iter().map(|(k, v)| (k.clone(), v.py_str())).collect(),
        _ => Headers::default(),
    }
}

/// Pre/post entries (api-cases §6.7, §6.8) in list order: an entry named exactly
/// `preScript`/`postScript` is a Python script (run in the sidecar), any other is SQL
/// (`sql_step`); `{}` is an empty SQL entry.
impl CaseRun<'_> {
    async fn entries(
        &mut self,
        step: &ApiStep,
        key: &str,
        c: &mut Collected,
        exchange: Option<&Exchange<'_>>,
    ) -> Result<(), Verdict> {
        let Some(Json::Array(list)) = step.controller.get(key) else {
            return Ok(());
        };
        for e in list {
            let name = e.get("name").and_then(Json::as_str).unwrap_or("");
            let value = e.get("value");
            if name.strip_suffix("Script") == Some(key) {
                let code = value.and_then(Json::as_str).unwrap_or("");
                // Scripts and SQL entries are boxed: their futures (7 KB for SQL, whose
                // clients hold large states) would otherwise be part of every step's future,
                // which is moved (copied) at each call, though few steps have entries at all.
                Box::pin(self.script(step, name, code, c, exchange)).await?;
                continue;
            }
            if value
                .and_then(Json::as_str)
                .is_some_and(|v| v.trim() == "{}")
            {
                continue;
            }
            Box::pin(self.sql_entry(name, value))
                .await
                .map_err(Verdict::Error)?;
        }
        Ok(())
    }
}

impl CaseRun<'_> {
    fn scope<'s>(&'s self, request: Option<&'s RequestRefs>) -> Scope<'s> {
        Scope {
            context: &self.ctx.vars,
            params: &self.params,
            functions: &self.functions,
            request,
        }
    }

    /// Renders a whole structure (conditions, loops, assertions, relations).
    pub(super) fn render_value(
        &mut self,
        v: &Value,
        refs: Option<&RequestRefs>,
    ) -> Result<Value, String> {
        self.functions_begin();
        let result = template::render(v, &self.scope(refs));
        self.functions_end();
        self.rendered(result)
    }

    /// The items of a step's assertions or relations: rendered when the list has placeholders,
    /// else as read with the case.
    fn render_checks<'v, T: check::CheckItem>(
        &mut self,
        checks: &'v check::Checks<T>,
        refs: Option<&RequestRefs>,
    ) -> Result<Cow<'v, [T]>, String> {
        match checks {
            check::Checks::Read(items) => Ok(Cow::Borrowed(items)),
            check::Checks::Templated(written) => self
                .render_value(written, refs)
                .map(|list| Cow::Owned(check::list_of(&list))),
        }
    }

    /// [`Self::render_value`] of a value used only once (no copy without placeholders).
    fn render_owned_value(
        &mut self,
        v: Value,
        refs: Option<&RequestRefs>,
    ) -> Result<Value, String> {
        self.functions_begin();
        let result = template::render_owned(v, &self.scope(refs));
        self.functions_end();
        self.rendered(result)
    }

    fn rendered(
        &mut self,
        result: Result<template::Rendered, template::RenderError>,
    ) -> Result<Value, String> {
        match result {
            Ok(r) => {
                self.take_console(&r.console);
                if !r.unresolved.is_empty() {
                    self.rec.debug(&format!(
                        "未解析的占位符 (left as written): {}",
                        r.unresolved.join(", ")
                    ));
                }
                Ok(r.value)
            }
            Err(e) => {
                self.take_console(&e.console);
                Err(format!("模板渲染失败: {e}"))
            }
        }
    }

    fn take_console(&mut self, lines: &[String]) {
        for l in lines {
            self.ctx.console.push_str(l);
            self.ctx.console.push('\n');
        }
    }

    /// `whetherExec` (§6.5): `Ok(None)` run, `Ok(Some(msg))` skip, `Err` a step error.
    fn condition(&mut self, step: &ApiStep) -> Result<Option<String>, String> {
        let Some(text) = step.controller_text("whetherExec") else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        let list = crate::value::parse_json(&text)
            .map_err(|e| format!("条件控制器 whetherExec 不是合法JSON: {e}"))?;
        if matches!(&list, Value::List(l) if l.is_empty()) {
            return Ok(None);
        }
        let rendered = self.render_owned_value(list, None)?;
        let Value::List(items) = rendered else {
            return Err("条件控制器 whetherExec 不是列表".into());
        };
        for item in &items {
            let get = |k: &str| match item {
                Value::Dict(d) => d.get(k).cloned().unwrap_or(Value::None),
                _ => Value::None,
            };
            let comparator = get("assertion").py_str();
            match assertion::compare(&comparator, &get("target"), &get("expect")) {
                Ok(Outcome::Pass) => {}
                Ok(Outcome::Fail(m)) => return Ok(Some(m)),
                Err(e) => return Ok(Some(e.to_string())),
            }
        }
        Ok(None)
    }

    /// Records the end of a step; `Stop` ends the case.
    pub(super) fn conclude(&mut self, verdict: Verdict, error_continue: bool) -> Flow {
        match verdict {
            Verdict::Pass => {
                self.rec.set_status(Status::Pass);
                Flow::Continue
            }
            Verdict::Fail(text) => {
                self.rec.set_status(Status::Fail);
                if error_continue {
                    self.rec.error(&text);
                    Flow::Continue
                } else {
                    Flow::Stop
                }
            }
            Verdict::Error(text) => {
                self.rec.set_status(Status::Error);
                if !error_continue {
                    self.rec.console(&mut self.ctx.console);
                }
                self.rec.error(&text);
                if self.env.enable_stderr {
                    self.rec.error(&format!("程序错误信息: <br>{text}"));
                }
                if error_continue {
                    Flow::Continue
                } else {
                    Flow::Stop
                }
            }
        }
    }

    /// Runs one step (one transaction).
    pub(super) async fn step(&mut self, step: &ApiStep) -> Flow {
        self.rec.console(&mut self.ctx.console);
        self.rec.open(
            step.api_id.as_deref().unwrap_or(""),
            step.api_name.as_deref().unwrap_or(""),
            step.path.as_deref().unwrap_or(""),
            step.api_desc.as_deref(),
        );
        let error_continue = step.flag("errorContinue");
        let name = step.display_name().to_string();
        match self.condition(step) {
            Ok(None) => {}
            Ok(Some(msg)) => {
                self.rec
                    .debug(&format!("[{name}]接口条件控制器判断为否: {msg}"));
                self.rec.set_status(Status::Skip);
                return Flow::Continue;
            }
            // A33 Fix: condition errors obey errorContinue.
            Err(e) => return self.conclude(Verdict::Error(e), error_continue),
        }
        // A34 Fix: collect errors obey errorContinue too.
        let collected = match step
            .ahead
            .take()
            .map_or_else(|| collect::collect(step, &super::step_proxies(step)), Ok)
        {
            Ok(c) => c,
            Err(e) => return self.conclude(Verdict::Error(e), error_continue),
        };
        self.rec
            .debug_with(|out| bracketed(out, &name, "接口执行开始"));
        for n in &collected.notes {
            self.rec.debug(n);
        }
        let verdict = self.protected(step, &name, collected).await;
        self.conclude(verdict, error_continue)
    }

    async fn protected(&mut self, step: &ApiStep, name: &str, mut c: Collected) -> Verdict {
        if let Err(v) = self.entries(step, "pre", &mut c, None).await {
            return v;
        }
        let (rendered, order) = match self.render_request(&mut c) {
            Ok(r) => r,
            Err(e) => return Verdict::Error(e),
        };
        let url = match &rendered.path {
            Value::Str(path) => collect::url_join(c.url.as_deref(), path),
            other => collect::url_join(c.url.as_deref(), &other.py_str()),
        };
        let mut headers = rendered
            .headers
            .as_ref()
            .map(as_dict_of_strings)
            .unwrap_or_default();
        let others = rendered.others.clone().unwrap_or(Value::None);
        let files = rendered_files(&others, &c);
        let proxy = match &others {
            Value::Dict(d) => d.get("proxies").map(Value::py_str),
            _ => None,
        };
        // The request's line keeps its place and time here, and is written while the request
        // waits for its answer (or now, when it is not sent).
        let request_line = self.rec.reserve_debug();
        let wire = match body::encode(c.body_type, rendered.body.as_ref(), &files, &mut headers) {
            Ok(w) => w,
            Err(e) => {
                self.rec.fill(request_line, |out| {
                    request_log(out, &c, &url, &rendered, &order, &files, proxy.as_deref());
                });
                return Verdict::Error(e);
            }
        };
        const NO_BODY: Value = Value::None;
        let req_body_view: Cow<'_, Value> = match (&c.body_type, &wire) {
            (BodyType::FormUrlencoded, WireBody::Bytes(b)) => {
                Cow::Owned(Value::Str(String::from_utf8_lossy(b).into_owned()))
            }
            (BodyType::Raw, WireBody::Bytes(b)) => Cow::Owned(Value::Bytes(b.clone())),
            _ => Cow::Borrowed(rendered.body.as_ref().unwrap_or(&NO_BODY)),
        };
        let outgoing = OutgoingRequest {
            method: c.method.clone(),
            url: body::append_query(&url, rendered.query.as_ref()),
            headers,
            body: wire,
            verify: c.verify.unwrap_or(true),
            proxy,
        };
        let headers = &outgoing.headers;
        if c.sleep_before > 0 {
            tokio::time::sleep(Duration::from_secs(c.sleep_before)).await;
            self.rec.debug(&format!("请求前等待{}S", c.sleep_before));
        }
        let deadline = c
            .timeout
            .map(Duration::from_secs)
            .unwrap_or(self.env.step_timeout_cap)
            .min(self.env.step_timeout_cap);
        // Sessions (§6.2): use the collection's cookies or not, keep what the response set or not.
        let (use_shared, save) = (step.flag("useSession"), step.flag("saveSession"));
        let mut session = match (use_shared, save) {
            (true, true) => None,
            (true, false) => Some(self.ctx.session.clone()),
            (false, _) => Some(HttpSession::default()),
        };
        // This request's line and the previous step's response line are written while the
        // request waits for its answer (see `Recorder::later`): the request is sent first.
        let rec = &mut self.rec;
        let (sent, ()) = tokio::join!(
            biased;
            request::send(
                &self.env.http,
                session.as_mut().unwrap_or(&mut self.ctx.session),
                &outgoing,
                deadline,
                self.env.max_response_bytes,
            ),
            async {
                rec.settle();
                rec.fill(request_line, |out| {
                    let proxy = outgoing.proxy.as_deref();
                    request_log(out, &c, &url, &rendered, &order, &files, proxy);
                });
            },
        );
        if let (false, true, Some(fresh)) = (use_shared, save, session) {
            self.ctx.session = fresh;
        }
        let resp: CapturedResponse = match sent {
            Ok(r) => r,
            Err(e) => {
                self.sleep_after(&c).await;
                return Verdict::Error(e.to_string());
            }
        };
        self.rec
            .set_during(u64::try_from(resp.elapsed.as_millis()).unwrap_or(u64::MAX));
        let response_line = self.rec.reserve_debug();
        self.rec
            .debug_with(|out| bracketed(out, name, "接口执行结束"));
        let verdict = 'checked: {
            self.sleep_after(&c).await;

            // The request's state, for lists with placeholders only (most have none): a copy of
            // its headers, query and body.
            let refs = (step.assertions.written().is_some() || step.relations.written().is_some())
                .then(|| rendered.refs());
            let refs = refs.as_ref();
            let checked = self
                .render_checks(&step.assertions, refs)
                .and_then(|list| check::assertions(&list, &resp));
            let related = self.render_checks(&step.relations, refs).and_then(|list| {
                let view = RequestView {
                    headers,
                    query: rendered.query.as_ref().unwrap_or(&Value::None),
                    body: &req_body_view,
                };
                check::relations(&list, &resp, &view, &mut self.ctx.vars)
            });
            let (messages, failed) = match checked {
                Ok(x) => x,
                Err(e) => break 'checked Verdict::Error(e),
            };
            // Relations run before the assertion outcome is raised, so their error wins (A24).
            if let Err(e) = related {
                break 'checked Verdict::Error(e);
            }
            if step.controller.get("post").is_some_and(|p| !p.is_null()) {
                let exchange = Exchange {
                    outgoing: &outgoing,
                    response: &resp,
                    others: scripts::rendered_others(
                        &c,
                        headers,
                        rendered.query.as_ref(),
                        rendered.body.as_ref(),
                    ),
                };
                if let Err(v) = self.entries(step, "post", &mut c, Some(&exchange)).await {
                    break 'checked v;
                }
            }
            let list = Value::List(messages.into_iter().map(Value::Str).collect()).py_str();
            if failed {
                self.rec.error(&format!("[{name}]接口断言失败: {list}"));
                Verdict::Fail(list)
            } else {
                self.rec.debug_with(|out| {
                    bracketed(out, name, "接口断言成功: ");
                    out.push_str(&list);
                });
                Verdict::Pass
            }
        };
        // The response is not needed past this point: its line is written later.
        self.rec
            .later(response_line, move |out| response_log(out, &resp));
        verdict
    }

    async fn sleep_after(&mut self, c: &Collected) {
        if c.sleep_after > 0 {
            tokio::time::sleep(Duration::from_secs(c.sleep_after)).await;
            self.rec.debug(&format!("请求后等待{}S", c.sleep_after));
        }
    }

    /// Renders path, others, headers, query and body (§2.7); also returns the order in which
    /// headers (`h`), query (`q`) and body (`b`) were rendered, for the request log. The
    /// headers, query and body move out of `c`: past this point only their rendered state
    /// is read (a post script's `collector.others` holds the rendered ones).
    fn render_request(
        &mut self,
        c: &mut Collected,
    ) -> Result<(RenderedRequest, [char; 3]), String> {
        let mut others: Dict = Dict::default();
        if let Some(p) = &c.proxy {
            others.insert("proxies".into(), Value::Str(p.clone()));
        }
        if !c.files.is_empty() {
            others.insert(
                "files".into(),
                Value::List(c.files.iter().map(|f| f.content.clone()).collect()),
            );
        }
        let body_kind = match c.body_type {
            BodyType::Json => BodyKind::Json,
            BodyType::FormData | BodyType::FormUrlencoded => BodyKind::Form,
            _ => BodyKind::Raw,
        };
        let parts = RequestParts {
            url: c.url.clone().map(Value::Str).unwrap_or(Value::None),
            path: Value::Str(c.path.clone()),
            others: (!others.is_empty()).then_some(Value::Dict(others)),
            headers: c.headers.take(),
            query: c.query.take(),
            body: c.body.take(),
            body_kind,
        };
        let order = render_order(&parts);
        self.functions_begin();
        let result = template::render_request(parts, &self.scope(None));
        self.functions_end();
        match result {
            Ok(r) => {
                self.take_console(&r.console);
                if !r.unresolved.is_empty() {
                    self.rec.debug(&format!(
                        "未解析的占位符 (left as written): {}",
                        r.unresolved.join(", ")
                    ));
                }
                for w in &r.warnings {
                    self.rec.debug(w);
                }
                Ok((r, order))
            }
            Err(e) => {
                self.take_console(&e.console);
                Err(format!("模板渲染失败: {e}"))
            }
        }
    }
}

/// The order §2.7 renders headers, query and body in, from substring tests on their repr.
fn render_order(p: &RequestParts) -> [char; 3] {
    // A needle is plain ASCII that `repr` never escapes, so it is in the lower-cased repr
    // exactly when it is in one of the value's strings (any case): those are searched in
    // place instead of writing the repr of every header and query per step.
    let holds = |v: &Option<Value>, needle: &str| v.as_ref().is_some_and(|v| mentions(v, needle));
    let headers_late =
        holds(&p.headers, "#{_request_query") || holds(&p.headers, "#{_request_body");
    let query_late = holds(&p.query, "#{_request_body");
    match (headers_late, query_late) {
        (true, true) => ['b', 'q', 'h'],
        (true, false) => ['q', 'b', 'h'],
        (false, true) => ['h', 'b', 'q'],
        (false, false) => ['h', 'q', 'b'],
    }
}

/// (field, filename, rendered content) of each file part.
fn rendered_files(others: &Value, c: &Collected) -> Vec<(String, String, Value)> {
    let contents: Vec<Value> = match others {
        Value::Dict(d) => match d.get("files") {
            Some(Value::List(l)) => l.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    c.files
        .iter()
        .zip(contents)
        .map(|(f, v)| (f.field.clone(), f.filename.clone(), v))
        .collect()
}

fn byte_len(v: &Value) -> usize {
    match v {
        Value::Bytes(b) => b.len(),
        Value::Str(s) => s.len(),
        other => other.py_str().len(),
    }
}

/// `【请求信息】` (§8.2): options in their order — proxies, files, verify, stream, timeout, then
/// headers, query and body in render order.
fn request_log(
    out: &mut String,
    c: &Collected,
    url: &str,
    r: &RenderedRequest,
    order: &[char; 3],
    files: &[(String, String, Value)],
    proxy: Option<&str>,
) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "【请求信息】:<br>{} {}", c.method, url);
    if let Some(p) = proxy {
        let mut d = Dict::default();
        d.insert("http".to_string(), Value::Str(p.to_string()));
        d.insert("https".to_string(), Value::Str(p.to_string()));
        out.push_str("<br>代理: ");
        Value::Dict(d).write_py_str(out);
    }
    if !files.is_empty() {
        let list: Vec<Value> = if c.body_type == BodyType::File {
            files
                .iter()
                .map(|(_, name, _)| Value::Str(name.clone()))
                .collect()
        } else {
            files
                .iter()
                .map(|(field, _, v)| Value::Str(format!("文件长度{field}: {}", byte_len(v))))
                .collect()
        };
        out.push_str("<br>上传文件: ");
        Value::List(list).write_py_str(out);
    }
    if let Some(v) = c.verify {
        let _ = write!(out, "<br>verify: {}", py_bool(v));
    }
    if let Some(v) = c.stream {
        let _ = write!(out, "<br>stream: {}", py_bool(v));
    }
    if let Some(t) = c.timeout {
        let _ = write!(out, "<br>timeout: {t}");
    }
    for part in order {
        match part {
            'h' => {
                if let Some(h) = &r.headers {
                    out.push_str("<br>请求头: ");
                    h.write_py_str(out);
                }
            }
            'q' => {
                if let Some(q) = &r.query {
                    out.push_str("<br>查询参数: ");
                    q.write_py_str(out);
                }
            }
            _ => {
                if let Some(b) = &r.body {
                    out.push_str("<br><span>请求体: ");
                    b.write_py_str(out);
                    out.push_str("</span>");
                }
            }
        }
    }
}

/// Largest response body copied into a transaction log.
const LOGGED_BODY_MAX: usize = 64 * 1024;

fn response_log(out: &mut String, r: &CapturedResponse) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "【响应信息】:<br>响应码: {}<br>响应头: ", r.status);
    crate::value::write_str_dict_repr(&r.headers, out);
    out.push_str("<br><b>响应体: ");
    if r.headers
        .keys()
        .any(|k| k.eq_ignore_ascii_case("content-disposition"))
    {
        let _ = write!(out, "文件内容暂不展示, 长度{}", r.bytes().len());
    } else if r.bytes().len() > LOGGED_BODY_MAX {
        // A huge body is not copied into the log (memory stays bounded; the platform would cut
        // the log anyway): its start and its length are shown.
        out.push_str(&String::from_utf8_lossy(&r.bytes()[..LOGGED_BODY_MAX]));
        let _ = write!(
            out,
            "...(响应体过长, 共{}字节, 日志只保留前{LOGGED_BODY_MAX}字节)",
            r.bytes().len()
        );
    } else {
        r.write_body_py_str(out);
    }
    out.push_str("</b>");
}

/// `[name]text`, the Python engine's step log lines, written in place (a `format!` per
/// line was a visible share of a step).
fn bracketed(out: &mut String, name: &str, text: &str) {
    out.push('[');
    out.push_str(name);
    out.push(']');
    out.push_str(text);
}
