//! One WEB step (web-cases §2.0, §2.3, §2.4, §7.1): locator check (Q16), rendering through
//! the shared template engine, coercion, dispatch, then the assertion and condition controllers,
//! failure screenshots (Q9: best effort, exactly one) and the per-step duration (Q18).

use super::WebRun;
use super::error::WebError;
use super::locator::Locator;
use super::model::WebStep;
use super::ops::{self, Op, Produced};
use crate::assertion::Outcome;
use crate::cases::Status;
use crate::template::{self, Scope};
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;
use std::collections::HashSet;
use std::time::Instant;

/// How the walk goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The case ends here (an error, or an assertion failure without `continue`).
    Stop,
}

fn has_placeholder(s: &str) -> bool {
    s.find("{{").is_some_and(|i| s[i + 2..].contains("}}"))
}

impl WebRun<'_> {
    /// Renders one value with the case's scope; console lines go to the capture (§7.2) and
    /// unresolved placeholders get a Debug line (Q23).
    pub(super) fn render(&mut self, v: &Value) -> Result<Value, WebError> {
        let scope = Scope {
            context: &self.ctx.vars,
            params: &self.params,
            functions: &self.functions,
            request: None,
        };
        self.functions.begin(&self.ctx.vars, &self.params);
        let result = template::render(v, &scope);
        // What custom functions changed and printed comes back into the case.
        let st = self.functions.end();
        if st.changed {
            self.ctx.vars = st.context;
            self.params = st.params;
        }
        self.ctx.console.push_str(&st.console);
        match result {
            Ok(r) => {
                for l in &r.console {
                    self.ctx.console.push_str(l);
                    self.ctx.console.push('\n');
                }
                if !r.unresolved.is_empty() {
                    self.rec.debug(&format!(
                        "未解析的占位符 (left as written): {}",
                        r.unresolved.join(", ")
                    ));
                }
                Ok(r.value)
            }
            Err(e) => {
                for l in &e.console {
                    self.ctx.console.push_str(l);
                    self.ctx.console.push('\n');
                }
                Err(WebError::Step(format!("模板渲染失败: {e}")))
            }
        }
    }

    /// Element locators with rendered expressions.
    fn locators(&mut self, step: &WebStep) -> Result<IndexMap<String, Locator>, WebError> {
        let mut out = IndexMap::new();
        for (slot, e) in &step.elements {
            let expr = if has_placeholder(&e.expression) {
                self.render(&Value::Str(e.expression.clone()))?.py_str()
            } else {
                e.expression.clone()
            };
            out.insert(slot.clone(), Locator::new(&e.by, slot, &expr)?);
        }
        Ok(out)
    }

    /// Data values, rendered where they hold placeholders, then coerced (§1.6).
    fn data(&mut self, step: &WebStep) -> Result<Dict, WebError> {
        let mut out = Dict::default();
        for (k, d) in &step.data {
            let v = match &d.value {
                Value::Str(s) if has_placeholder(s) => self.render(&d.value)?,
                other => other.clone(),
            };
            out.insert(k.clone(), super::data::coerce(&d.kind, v)?);
        }
        Ok(out)
    }

    /// Opens the step's transaction (console output of the previous step goes first).
    pub(super) fn open(&mut self, step: &WebStep) {
        self.rec.console(&mut self.ctx.console);
        self.rec.open(
            &step.op_id,
            &step.trans,
            &step.content(),
            step.desc.as_deref(),
        );
    }

    /// A failure screenshot (§5.1, Q9): best effort, the original error stays.
    pub(super) async fn failure_screenshot(&mut self, name: &str) {
        match self.session.screenshot_png().await {
            Ok(png) => {
                let (no_elements, no_data) = (IndexMap::new(), Dict::default());
                let mut op = self.op_for(&no_elements, &no_data, name);
                ops::browser::save_screenshot(&mut op, png, name).await;
            }
            Err(e) => self
                .rec
                .debug(&format!("failure screenshot not taken: {e}")),
        }
    }

    fn op_for<'s>(
        &'s mut self,
        elements: &'s IndexMap<String, Locator>,
        data: &'s Dict,
        trans: &'s str,
    ) -> Op<'s> {
        Op {
            s: &self.session,
            rec: &mut self.rec,
            env: &self.env.web,
            elements,
            data,
            task_id: self.task_id.as_deref(),
            trans,
        }
    }

    /// Records an error on the current transaction and stops the case (§7.1).
    pub(super) fn fail_with_error(&mut self, e: &WebError) -> Flow {
        self.rec.set_status(Status::Error);
        self.rec.console(&mut self.ctx.console);
        let text = e.to_string();
        self.rec.error(&text);
        if self.env.enable_stderr {
            self.rec.error(&format!("程序错误信息: <br>{text}"));
        }
        Flow::Stop
    }

    /// Runs one non-loop step at index `k` of the current list; may add to `skip`.
    pub(super) async fn step(
        &mut self,
        step: &WebStep,
        k: usize,
        skip: &mut HashSet<usize>,
    ) -> Flow {
        let started = Instant::now();
        let flow = self.step_inner(step, k, skip).await;
        self.rec
            .set_during(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        flow
    }

    async fn step_inner(&mut self, step: &WebStep, k: usize, skip: &mut HashSet<usize>) -> Flow {
        // Q16 Fix: a clear error, no screenshot (nothing ran).
        if let Some(e) = step.locator_error() {
            return self.fail_with_error(&e);
        }
        let prepared = match self.locators(step) {
            Ok(l) => self.data(step).map(|d| (l, d)),
            Err(e) => Err(e),
        };
        let (elements, data) = match prepared {
            Ok(p) => p,
            Err(e) => {
                self.failure_screenshot(&step.trans).await;
                return self.fail_with_error(&e);
            }
        };
        self.rec.debug(&format!("WEB操作[{}]开始", step.name));
        let result = if step.name == "自定义" {
            self.custom(step, &elements, &data).await
        } else {
            let mut op = self.op_for(&elements, &data, &step.trans);
            ops::dispatch(&step.op_type, &step.name, &mut op).await
        };
        if result.is_ok() {
            self.info_block(&elements, &data, step);
        }
        self.rec.debug(&format!("WEB操作[{}]结束", step.name));
        let produced = match result {
            Ok(p) => p,
            Err(e) => {
                self.failure_screenshot(&step.trans).await;
                return self.fail_with_error(&e);
            }
        };
        match produced {
            Produced::Done => Flow::Continue,
            Produced::Store(name, value) => {
                self.ctx.vars.insert(name, value);
                Flow::Continue
            }
            Produced::Compared(outcome) if step.op_type == "assertion" => {
                self.assertion(step, &data, outcome).await
            }
            Produced::Compared(outcome) => {
                self.condition(step, &data, outcome, k, skip);
                Flow::Continue
            }
        }
    }

    /// The "operation info" block (§2.0 item 3).
    fn info_block(&mut self, elements: &IndexMap<String, Locator>, data: &Dict, step: &WebStep) {
        let mut msg = String::new();
        for (slot, l) in elements {
            msg.push_str(&format!("元素定位: {slot}: {}<br>", l.py_tuple()));
        }
        if !step.data.is_empty() {
            let items: Vec<String> = data
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.py_str()))
                .collect();
            msg.push_str(&format!("操作数据: {{{}}}", items.join(", ")));
        }
        if !msg.is_empty() {
            self.rec.debug(&format!("操作信息: <br>{msg}"));
        }
    }

    /// The assertion controller (§2.3).
    async fn assertion(&mut self, step: &WebStep, data: &Dict, outcome: Outcome) -> Flow {
        match outcome {
            Outcome::Pass => {
                self.rec
                    .debug(&format!("[{}]断言成功: success", step.trans));
                Flow::Continue
            }
            Outcome::Fail(msg) => {
                self.rec.error(&format!("[{}]断言失败: {msg}", step.trans));
                self.failure_screenshot(&step.trans).await;
                self.rec.set_status(Status::Fail);
                if data.get("continue") == Some(&Value::Bool(true)) {
                    self.rec.error(&msg);
                    Flow::Continue
                } else {
                    self.rec.console(&mut self.ctx.console);
                    self.rec.error(&msg);
                    Flow::Stop
                }
            }
        }
    }

    /// The condition controller (§2.4): which following steps of this list are skipped.
    fn condition(
        &mut self,
        step: &WebStep,
        data: &Dict,
        outcome: Outcome,
        k: usize,
        skip: &mut HashSet<usize>,
    ) {
        let offset = |key: &str| match data.get(key) {
            Some(Value::Int(n)) if *n > 0 => usize::try_from(*n).unwrap_or(0),
            _ => 0,
        };
        let (m, n) = (offset("true"), offset("false"));
        match outcome {
            Outcome::Pass => {
                self.rec
                    .debug(&format!("[{}]判断成功, 执行成功分支: success", step.name));
                skip.extend((k + m + 1)..=(k + m + n));
            }
            Outcome::Fail(msg) => {
                // Q27 Compat: a normal outcome logged at Error level.
                self.rec
                    .error(&format!("[{}]判断失败, 执行失败分支: {msg}", step.name));
                skip.extend((k + 1)..=(k + m));
            }
        }
    }
}
