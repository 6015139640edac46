//! Custom operations (`自定义`, web-cases §2.7, Q21): the step's Python code runs in the
//! collection's sidecar worker with `element`, `data`, `driver` (a facade forwarding the common
//! Selenium calls to this case's browser session), `test`, `print`, `sys_get`, `sys_put` and,
//! for assertion, condition and relation steps, `sys_return`.

use super::WebRun;
use super::error::WebError;
use super::locator::Locator;
use super::model::WebStep;
use super::ops::Produced;
use crate::sidecar::{self, Ending, Reply};
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;

impl WebRun<'_> {
    /// Runs a custom operation; logs `成功执行 <trans>` / `无法执行 <trans>` like the Python engine.
    pub(super) async fn custom(
        &mut self,
        step: &WebStep,
        elements: &IndexMap<String, Locator>,
        data: &Dict,
    ) -> Result<Produced, WebError> {
        let group = step.op_type.as_str();
        let wants_return = matches!(group, "assertion" | "condition" | "relation");
        let request = sidecar::web::request(
            step.code.as_deref().unwrap_or(""),
            elements,
            data,
            wants_return,
            &self.ctx.vars,
            &self.params,
        );
        let session = self.session.clone();
        let handle = tokio::runtime::Handle::current();
        let slot = self.ctx.sidecar.clone();
        // The callbacks run on the sidecar's blocking thread, where waiting on the runtime for
        // one WebDriver command is allowed.
        let answer = slot
            .call(&self.env.sidecar, request, move |msg: &Json| {
                handle.block_on(sidecar::web::answer(&session, msg))
            })
            .await;
        let trans = step.trans.clone();
        let reply = match answer {
            Ok(a) => Reply::read(&a),
            Err(e) => {
                self.rec.error(&format!("无法执行 {trans}"));
                return Err(WebError::Step(format!("自定义操作执行失败: {e}")));
            }
        };
        if let Some(c) = reply.context {
            self.ctx.vars = c;
        }
        if let Some(p) = reply.params {
            self.params = p;
        }
        self.ctx.console.push_str(&reply.console);
        match reply.ending {
            Ending::Ok => self.rec.debug(&format!("成功执行 {trans}")),
            Ending::Fail(m) => {
                self.rec.error(&format!("无法执行 {trans}"));
                return Err(WebError::Step(format!("AssertionError: {m}")));
            }
            Ending::Error(m) => {
                self.rec.error(&format!("无法执行 {trans}"));
                return Err(WebError::Step(m));
            }
        }
        let value = reply.value.unwrap_or(Value::None);
        let get = |k: &str| data.get(k).cloned().unwrap_or(Value::None);
        match group {
            "assertion" | "condition" => {
                crate::assertion::compare(&get("assertion").py_str(), &value, &get("expect"))
                    .map(Produced::Compared)
                    .map_err(|e| WebError::Step(e.to_string()))
            }
            "relation" => Ok(Produced::Store(get("save_name").py_str(), value)),
            _ => Ok(Produced::Done),
        }
    }
}
