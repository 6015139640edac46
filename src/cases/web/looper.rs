//! Loop steps (web-cases §2.6): `For循环` and `While循环` own the next `steps` entries of the
//! current list. Q14 Fix: all loop data is rendered before use, While timeouts have
//! millisecond precision, and `timeout = 0` is bounded by `[Agent] loop-timeout-cap`.

use super::WebRun;
use super::error::WebError;
use super::model::WebStep;
use super::step::Flow;
use crate::assertion::{self, Outcome};
use crate::value::Dict;
use crate::value::Value;
use std::time::Instant;

/// The body length from the raw `steps` data (used to skip a skipped loop's body).
pub fn body_len(step: &WebStep) -> usize {
    match step.data.get("steps").map(|d| &d.value) {
        Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(0),
        Some(Value::Str(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

impl WebRun<'_> {
    /// The loop data rendered as a whole, then each entry coerced by its type.
    fn loop_data(&mut self, step: &WebStep) -> Result<Dict, WebError> {
        let mut raw = Dict::default();
        for (k, d) in &step.data {
            raw.insert(k.clone(), d.value.clone());
        }
        let rendered = self.render(&Value::Dict(raw))?;
        let Value::Dict(values) = rendered else {
            return Err(WebError::Step("循环数据渲染后不是对象".into()));
        };
        let mut out = Dict::default();
        for (k, v) in values {
            let kind = step
                .data
                .get(&k)
                .map(|d| d.kind.as_str())
                .unwrap_or("String");
            out.insert(k.clone(), super::data::coerce(kind, v)?);
        }
        Ok(out)
    }

    /// Runs the loop at `steps[k]`; returns the flow and how many entries it covered.
    pub(super) async fn run_loop(&mut self, steps: &[WebStep], k: usize) -> (Flow, usize) {
        let step = &steps[k];
        let fallback = body_len(step) + 1;
        let data = match self.loop_data(step) {
            Ok(d) => d,
            Err(e) => return (self.fail_with_error(&e), fallback),
        };
        let get = |d: &Dict, key: &str| d.get(key).cloned().unwrap_or(Value::None);
        let n = match get(&data, "steps") {
            Value::Int(n) if n > 0 => usize::try_from(n).unwrap_or(0),
            _ => 0,
        };
        let body = &steps[(k + 1).min(steps.len())..(k + 1 + n).min(steps.len())];
        let index_name = get(&data, "indexName").py_str();
        if step.trans == "While循环" {
            let timeout_ms = match get(&data, "timeout") {
                Value::Int(t) if t > 0 => u128::try_from(t).unwrap_or(0),
                _ => 0,
            };
            let cap = self.env.loop_timeout_cap;
            let started = Instant::now();
            let mut index = 0i64;
            loop {
                let elapsed = started.elapsed();
                if timeout_ms > 0 && elapsed.as_millis() >= timeout_ms {
                    break;
                }
                if elapsed >= cap {
                    self.rec.debug(&format!(
                        "While循环达到上限 {}s ([Agent] loop-timeout-cap), 结束循环",
                        cap.as_secs()
                    ));
                    break;
                }
                self.ctx.vars.insert(index_name.clone(), Value::Int(index));
                // Re-rendered every iteration: target and expect see fresh context values.
                let current = match self.loop_data(step) {
                    Ok(d) => d,
                    Err(e) => return (self.fail_with_error(&e), n + 1),
                };
                index += 1;
                let comparator = get(&current, "assertion").py_str();
                match assertion::compare(
                    &comparator,
                    &get(&current, "target"),
                    &get(&current, "expect"),
                ) {
                    Ok(Outcome::Pass) => {}
                    Ok(Outcome::Fail(_)) => break,
                    Err(e) => {
                        return (
                            self.fail_with_error(&WebError::Step(format!("循环条件判断出错: {e}"))),
                            n + 1,
                        );
                    }
                }
                if self.walk(body).await == Flow::Stop {
                    return (Flow::Stop, n + 1);
                }
                tokio::task::yield_now().await;
            }
        } else {
            let times = match get(&data, "times") {
                Value::Int(t) => t,
                _ => 1,
            };
            let cap = self.env.max_loop_iterations;
            if times > cap {
                let e = WebError::Step(format!(
                    "循环次数 {times} 超过上限 {cap} ([Agent] max-loop-iterations)"
                ));
                return (self.fail_with_error(&e), n + 1);
            }
            for i in 0..times.max(0) {
                self.ctx.vars.insert(index_name.clone(), Value::Int(i));
                if self.walk(body).await == Flow::Stop {
                    return (Flow::Stop, n + 1);
                }
            }
        }
        (Flow::Continue, n + 1)
    }
}
