//! API cases (api-cases.md): parse the case, walk its steps with loops and conditions, decide
//! the case status from its transactions.

pub mod body;
pub mod check;
pub mod collect;
mod direct;
mod h1;
pub mod model;
pub mod recorder;
pub mod request;
pub mod scope;
pub mod scripts;
mod sql_step;
pub mod step;
mod transport;
mod url_cache;

use super::context::CollectionContext;
use super::result::now_ms;
use super::{CaseEnv, CaseMeta, CaseResult, Status, Transaction};
use crate::assertion::{self, Outcome};
use crate::value::Dict;
use crate::value::Value;
use model::ApiStep;
use recorder::Recorder;
use scope::CaseFunctions;
use serde_json::Value as Json;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;
use step::Verdict;
use tokio_util::sync::CancellationToken;

/// Whether the walk goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// An uncaught error or failure: the case ends here.
    Stop,
}

/// The state of one running case.
pub struct CaseRun<'a> {
    pub ctx: &'a mut CollectionContext,
    pub env: &'a CaseEnv,
    pub params: Dict,
    pub functions: CaseFunctions<'a>,
    pub rec: Recorder,
}

/// A parsed `loopExec` (api-cases §6.6).
enum LoopKind {
    For,
    While,
}

impl CaseRun<'_> {
    /// Walk(list, inner) of §6.6. Boxed (loops walk again). Unboxing it and boxing only the
    /// loop saved 1.5 % of a step's instructions but grew the binary by 2 MB and the idle
    /// engine's RSS by 1.3 MB (measured side by side), so it stays boxed.
    fn walk<'s>(
        &'s mut self,
        steps: &'s [ApiStep],
        inner: bool,
    ) -> Pin<Box<dyn Future<Output = Flow> + Send + 's>> {
        Box::pin(async move {
            let mut k = 0;
            while k < steps.len() {
                let step = &steps[k];
                let looped = !(inner && k == 0)
                    && step.controller_text("loopExec").is_some_and(|t| {
                        let t = t.trim();
                        !t.is_empty() && t != "{}"
                    });
                if looped {
                    let (flow, advance) = self.run_loop(steps, k).await;
                    if flow == Flow::Stop {
                        return Flow::Stop;
                    }
                    k += advance;
                } else {
                    if self.step(step).await == Flow::Stop {
                        return Flow::Stop;
                    }
                    k += 1;
                }
            }
            Flow::Continue
        })
    }

    /// A loop-controller error (A33 Fix): the loop-start step gets a transaction marked error,
    /// and `errorContinue` decides whether the case goes on.
    fn loop_error(&mut self, step: &ApiStep, text: String) -> Flow {
        self.rec.console(&mut self.ctx.console);
        self.rec.open(
            step.api_id.as_deref().unwrap_or(""),
            step.api_name.as_deref().unwrap_or(""),
            step.path.as_deref().unwrap_or(""),
            step.api_desc.as_deref(),
        );
        self.conclude(Verdict::Error(text), step.flag("errorContinue"))
    }

    /// Runs the loop starting at `steps[k]`; returns the flow and how many steps it covered.
    async fn run_loop(&mut self, steps: &[ApiStep], k: usize) -> (Flow, usize) {
        let start = &steps[k];
        let text = start.controller_text("loopExec").unwrap_or_default();
        let parsed = match crate::value::parse_json(&text) {
            Ok(Value::Dict(d)) => d,
            Ok(_) => {
                return (
                    self.loop_error(start, "循环控制器 loopExec 不是对象".into()),
                    1,
                );
            }
            Err(e) => {
                return (
                    self.loop_error(start, format!("循环控制器 loopExec 不是合法JSON: {e}")),
                    1,
                );
            }
        };
        let num = match parsed.get("num") {
            Some(Value::Int(n)) if *n > 0 => usize::try_from(*n).unwrap_or(1),
            Some(Value::Str(s)) => s.trim().parse::<usize>().unwrap_or(1).max(1),
            Some(Value::Float(f)) if *f >= 1.0 => *f as usize,
            _ => 1,
        };
        let end = (k + num).min(steps.len());
        let body = &steps[k..end];
        let kind = match parsed.get("type") {
            Some(Value::Str(t)) if t == "WHILE" => LoopKind::While,
            _ => LoopKind::For,
        };
        let raw = Value::Dict(parsed.clone());
        match kind {
            LoopKind::For => {
                let rendered = match self.render_value(&raw, None) {
                    Ok(v) => v,
                    Err(e) => return (self.loop_error(start, e), num),
                };
                let get = |key: &str| match &rendered {
                    Value::Dict(d) => d.get(key).cloned().unwrap_or(Value::None),
                    _ => Value::None,
                };
                let times = match get("times") {
                    Value::Int(n) => n,
                    Value::Str(s) => {
                        s.trim()
                            .replace('_', "")
                            .parse::<i64>()
                            .unwrap_or_else(|_| {
                                // A32 Compat: an unreadable count runs once.
                                self.rec
                                    .debug(&format!("循环次数 times={s:?} 不是整数, 按1次执行"));
                                1
                            })
                    }
                    other => {
                        self.rec.debug(&format!(
                            "循环次数 times={} 不是整数, 按1次执行",
                            other.py_str()
                        ));
                        1
                    }
                };
                let cap = self.env.max_loop_iterations;
                if times > cap {
                    return (
                        self.loop_error(
                            start,
                            format!(
                                "循环次数 {times} 超过上限 {cap} ([Agent] max-loop-iterations)"
                            ),
                        ),
                        num,
                    );
                }
                let index_name = get("indexName").py_str();
                for i in 0..times.max(0) {
                    self.ctx.vars.insert(index_name.clone(), Value::Int(i));
                    if self.walk(body, true).await == Flow::Stop {
                        return (Flow::Stop, num);
                    }
                }
            }
            LoopKind::While => {
                let timeout_ms = match parsed.get("timeout") {
                    Some(Value::Int(n)) if *n > 0 => u64::try_from(*n).unwrap_or(0),
                    Some(Value::Float(f)) if *f > 0.0 => *f as u64,
                    Some(Value::Str(s)) => s.trim().parse::<u64>().unwrap_or(0),
                    _ => 0,
                };
                let cap = self.env.loop_timeout_cap;
                let started = Instant::now();
                loop {
                    let elapsed = started.elapsed();
                    // A31 Fix: millisecond precision, and a hard cap when the case sets none.
                    if timeout_ms > 0 && elapsed.as_millis() >= u128::from(timeout_ms) {
                        break;
                    }
                    if elapsed >= cap {
                        self.rec.debug(&format!(
                            "WHILE循环达到上限 {}s ([Agent] loop-timeout-cap), 结束循环",
                            cap.as_secs()
                        ));
                        break;
                    }
                    let rendered = match self.render_value(&raw, None) {
                        Ok(v) => v,
                        Err(e) => return (self.loop_error(start, e), num),
                    };
                    let get = |key: &str| match &rendered {
                        Value::Dict(d) => d.get(key).cloned().unwrap_or(Value::None),
                        _ => Value::None,
                    };
                    match assertion::compare(
                        &get("assertion").py_str(),
                        &get("target"),
                        &get("expect"),
                    ) {
                        Ok(Outcome::Pass) => {}
                        Ok(Outcome::Fail(_)) => break,
                        Err(e) => {
                            return (
                                self.loop_error(start, format!("循环条件判断出错: {e}")),
                                num,
                            );
                        }
                    }
                    if self.walk(body, true).await == Flow::Stop {
                        return (Flow::Stop, num);
                    }
                    tokio::task::yield_now().await;
                }
            }
        }
        (Flow::Continue, num)
    }
}

/// The step's proxies object (`{}` when none).
pub(super) fn step_proxies(step: &ApiStep) -> Json {
    step.proxies
        .clone()
        .unwrap_or(Json::Object(Default::default()))
}

/// Runs an API case; `None` when cancelled midway. The case's model (and its parameters) are
/// left in `spent` (see [`super::Spent`]).
pub async fn run_case(
    meta: &CaseMeta,
    parsed: model::Parsed,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    cancel: &CancellationToken,
    spent: &mut super::Spent,
) -> Option<CaseResult> {
    let start = now_ms();
    let (mut case, functions) = match parsed {
        Ok(c) => c,
        Err(e) => {
            return Some(CaseResult::error(
                meta,
                e.case_name.as_deref(),
                start,
                &e.message,
            ));
        }
    };
    let functions = CaseFunctions::for_case(functions.as_ref(), env, ctx);
    let mut run = CaseRun {
        ctx,
        env,
        params: std::mem::take(&mut case.params),
        functions,
        rec: Recorder::default(),
    };
    let flow = tokio::select! {
        _ = cancel.cancelled() => return None,
        f = run.walk(&case.steps, false) => f,
    };
    let _ = flow;
    run.rec.console(&mut run.ctx.console);
    let status = run.rec.case_status();
    let mut transactions = run.rec.finish();
    if transactions.is_empty() {
        // `apiList: []` passes with the Python engine's dummy transaction (api-cases §8.4).
        transactions.push(Transaction::unknown(meta.case_id.as_str(), Status::Pass));
    }
    let result = CaseResult {
        status,
        start_ms: start,
        end_ms: now_ms(),
        collection_id: meta.collection_id.clone(),
        case_id: meta.case_id.clone(),
        case_type: meta.case_type.clone(),
        case_name: case.name.clone(),
        case_desc: case.comment.clone(),
        index: meta.index,
        run_times: meta.run_times,
        transactions,
    };
    *spent = Some(Box::new((case, run.params)));
    Some(result)
}
