//! WEB cases (web-cases.md) on a real browser through WebDriver: the case JSON is walked with
//! the Python engine's statuses, transactions and log lines, reusing the shared template
//! renderer, function library and comparators (§6). One browser slot per collection (§4);
//! no browser outlives its collection, a cancellation or an error (Q10).
//!
//! Module map: `model` (case JSON) · `locator` (§1.5) · `data` (§1.6 coercion, URL join) ·
//! `settings` (config) · `driver` (chromedriver process, capabilities, browser life) ·
//! `session` (raw W3C commands) · `actions`/`keys`/`atoms` (Selenium 3.141 semantics) ·
//! `ops` (the catalogue of §2) · `step` (one step and its controllers) · `looper` (§2.6) ·
//! `screenshot` (§5) · `slot` (the collection's driver slot).

pub mod actions;
pub mod atoms;
mod custom;
pub mod data;
pub mod driver;
pub mod error;
pub mod keys;
pub mod locator;
mod looper;
pub mod model;
pub mod ops;
pub mod screenshot;
pub mod session;
pub mod settings;
pub mod slot;
mod step;

pub use settings::{Mode, WebEnv};
pub use slot::WebSlot;

use super::api::recorder::Recorder;
use super::api::scope::CaseFunctions;
use super::context::CollectionContext;
use super::result::now_ms;
use super::{CaseEnv, CaseMeta, CaseResult, Status};
use crate::value::Dict;
use crate::value::Value;
use driver::Browser;
use error::WebError;
use model::{WebCase, WebStep};
use serde_json::Value as Json;
use session::Session;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;
use step::Flow;
use tokio_util::sync::CancellationToken;

/// The state of one running WEB case.
pub struct WebRun<'a> {
    pub(crate) ctx: &'a mut CollectionContext,
    pub(crate) env: &'a CaseEnv,
    pub(crate) params: Dict,
    pub(crate) functions: CaseFunctions<'a>,
    pub(crate) rec: Recorder,
    pub(crate) session: Session,
    pub(crate) task_id: Option<String>,
}

impl WebRun<'_> {
    /// Walks a list of steps (the case's, or one loop-body iteration) with its own skip set.
    fn walk<'s>(
        &'s mut self,
        steps: &'s [WebStep],
    ) -> Pin<Box<dyn Future<Output = Flow> + Send + 's>> {
        Box::pin(async move {
            let mut skip: HashSet<usize> = HashSet::new();
            let mut k = 0;
            while k < steps.len() {
                let step = &steps[k];
                self.open(step);
                if skip.contains(&k) {
                    self.rec.set_status(Status::Skip);
                    self.rec
                        .debug(&format!("[{}]操作在条件控制之外不被执行", step.trans));
                    if step.is_loop() {
                        // Q15 Fix: a skipped loop skips its body too.
                        let n = looper::body_len(step);
                        for body in steps.iter().skip(k + 1).take(n) {
                            self.open(body);
                            self.rec.set_status(Status::Skip);
                            self.rec
                                .debug(&format!("[{}]操作在条件控制之外不被执行", body.trans));
                        }
                        k += n + 1;
                    } else {
                        k += 1;
                    }
                    continue;
                }
                let (flow, advance) = if step.is_loop() {
                    // Q18: the loop's own transaction lasts as long as the whole loop.
                    let (own, started) = (self.rec.len().saturating_sub(1), Instant::now());
                    let ran = self.run_loop(steps, k).await;
                    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    self.rec.set_during_at(own, ms);
                    ran
                } else {
                    (self.step(step, k, &mut skip).await, 1)
                };
                if flow == Flow::Stop {
                    self.skip_rest(&steps[(k + advance).min(steps.len())..]);
                    return Flow::Stop;
                }
                k += advance;
            }
            Flow::Continue
        })
    }

    /// Q17: with `[Web] skip-after-stop`, the steps after a stopping failure are reported as
    /// skipped; by default they are left out (the Python engine's report shape).
    fn skip_rest(&mut self, rest: &[WebStep]) {
        if !self.env.web.skip_after_stop {
            return;
        }
        for s in rest {
            self.open(s);
            self.rec.set_status(Status::Skip);
            self.rec.debug(&format!(
                "[{}]前序步骤失败, 本步骤未执行 (skipped after a stopping failure)",
                s.trans
            ));
        }
    }
}

fn result(
    meta: &CaseMeta,
    case: &WebCase,
    start: i64,
    status: Status,
    transactions: Vec<super::Transaction>,
) -> CaseResult {
    CaseResult {
        status,
        start_ms: start,
        end_ms: now_ms().max(start),
        collection_id: meta.collection_id.clone(),
        case_id: meta.case_id.clone(),
        case_type: meta.case_type.clone(),
        case_name: case.name.clone(),
        case_desc: case.comment.clone(),
        index: meta.index,
        run_times: meta.run_times,
        transactions,
    }
}

/// Renders `driverSetting` with the case's scope (§6.2).
fn render_setting(
    case: &WebCase,
    ctx: &CollectionContext,
    functions: &CaseFunctions<'_>,
) -> Result<Json, String> {
    let scope = crate::template::Scope {
        context: &ctx.vars,
        params: &case.params,
        functions,
        request: None,
    };
    functions.begin(&ctx.vars, &case.params);
    let rendered = crate::template::render(&Value::from_json(&case.driver_setting), &scope);
    // What custom functions change while the browser settings render is not kept.
    functions.end();
    let rendered = rendered.map_err(|e| format!("driverSetting 渲染失败: {e}"))?;
    rendered
        .value
        .to_json()
        .map_err(|e| format!("driverSetting 渲染失败: {e}"))
}

/// Runs a WEB case; `None` when cancelled (the browser of the case is killed on the way out).
pub async fn run_case(
    meta: &CaseMeta,
    json: &Json,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    cancel: &CancellationToken,
) -> Option<CaseResult> {
    let start = now_ms();
    let case = match WebCase::parse(json) {
        Ok(c) => c,
        Err(e) => {
            let name = json.get("caseName").and_then(|v| v.as_str());
            return Some(CaseResult::error(meta, name, start, &e));
        }
    };
    let functions = CaseFunctions::for_case(json.get("functions"), env, ctx);
    if case.start_driver.is_none() || case.close_driver.is_none() {
        // Q11: null reads as false (the Python engine), or as true with [Web] null-driver-flags.
        tracing::warn!(
            case = %meta.case_id,
            "startDriver/closeDriver is null in this case (an older case?): treated as {}",
            env.web.null_driver_flags
        );
    }
    let start_driver = case.start_driver.unwrap_or(env.web.null_driver_flags);
    let close_driver = case.close_driver.unwrap_or(env.web.null_driver_flags);
    // §4.3 before the case: a new browser, or the one the collection kept.
    let browser = if start_driver {
        let setting = match render_setting(&case, ctx, &functions) {
            Ok(s) => s,
            Err(e) => return Some(CaseResult::error(meta, Some(&case.name), start, &e)),
        };
        ctx.web.close().await;
        let started = tokio::select! {
            _ = cancel.cancelled() => return None,
            b = Browser::start(&env.web, &setting) => b,
        };
        match started {
            Ok(b) => match configured_wait(&env.web, &b).await {
                Ok(()) => b,
                Err(e) => {
                    return Some(CaseResult::error(
                        meta,
                        Some(&case.name),
                        start,
                        &format!("浏览器启动失败: [Web] implicit-wait: {e}"),
                    ));
                }
            },
            Err(e) => {
                return Some(CaseResult::error(
                    meta,
                    Some(&case.name),
                    start,
                    &format!("浏览器启动失败: {e}"),
                ));
            }
        }
    } else {
        match ctx.web.browser.take() {
            Some(b) => {
                if env.web.reset_on_reuse {
                    reset_for_reuse(&b).await;
                }
                b
            }
            None => {
                return Some(CaseResult::error(
                    meta,
                    Some(&case.name),
                    start,
                    "无法找到已启动的浏览器进程 请检查用例开关驱动配置",
                ));
            }
        }
    };
    let task_id = ctx.web.task_id.clone();
    let mut run = WebRun {
        session: browser.session().clone(),
        ctx,
        env,
        params: case.params.clone(),
        functions,
        rec: Recorder::default(),
        task_id,
    };
    let outcome = match &case.steps {
        None => None,
        Some(steps) => {
            // Dropping the walk on cancellation drops `browser` too: its process group dies.
            let flow = tokio::select! {
                _ = cancel.cancelled() => {
                    drop(browser);
                    return None;
                }
                f = run.walk(steps) => f,
            };
            Some(flow)
        }
    };
    run.rec.console(&mut run.ctx.console);
    let status = run.rec.case_status();
    let transactions = run.rec.finish_web();
    // §4.4 after the case: quit, or keep the browser for the next case of the collection.
    if close_driver {
        if let Err(e) = browser.quit().await {
            tracing::warn!(case = %meta.case_id, "quitting the browser after the case: {e}");
        }
    } else {
        ctx_keep(run.ctx, browser);
    }
    if outcome.is_none() {
        return Some(CaseResult::error(
            meta,
            Some(&case.name),
            start,
            "无法获取WEB测试相关数据, 请重试!!!",
        ));
    }
    let mut transactions = transactions;
    if transactions.is_empty() {
        transactions.push(super::Transaction::unknown(
            meta.case_id.as_str(),
            Status::Pass,
        ));
    }
    Some(result(meta, &case, start, status, transactions))
}

/// Q1: `[Web] implicit-wait`, when set, holds from the browser's start.
async fn configured_wait(env: &WebEnv, browser: &Browser) -> Result<(), WebError> {
    match env.implicit_wait {
        Some(w) => {
            let ms = u64::try_from(w.as_millis()).unwrap_or(u64::MAX);
            browser.session().set_timeouts_implicit(ms).await
        }
        None => Ok(()),
    }
}

/// Q12 (`[Web] reset-on-reuse`): the page's top frame and the first window, so that a case
/// does not inherit where the previous one left the browser. Failures are logged: the case's own
/// steps report what they then cannot find.
async fn reset_for_reuse(browser: &Browser) {
    let s = browser.session();
    let reset = async {
        let handles = s.window_handles().await?;
        if let Some(first) = handles.first() {
            s.switch_window(first).await?;
        }
        s.post("frame", serde_json::json!({ "id": null }))
            .await
            .map(drop)
    };
    if let Err(e) = reset.await {
        tracing::warn!("[Web] reset-on-reuse: cannot reset the reused browser: {e}");
    }
}

fn ctx_keep(ctx: &mut CollectionContext, browser: Browser) {
    ctx.web.browser = Some(browser);
}

/// APP cases are not supported by this engine (web-cases §8): a clear case error.
pub fn app_unsupported(meta: &CaseMeta, json: &Json, start_ms: i64) -> CaseResult {
    let name = json.get("caseName").and_then(|v| v.as_str());
    CaseResult::error(
        meta,
        name,
        start_ms,
        "APP用例暂不支持: this engine does not run APP cases (Android/iOS devices need the Python engine)",
    )
}
