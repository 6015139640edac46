//! The operation catalogue (web-cases §2): dispatch by group and name, with the helpers every
//! operation shares (element lookup with its log lines, ok/fail texts, data access).

pub mod browser;
pub mod page;
pub mod query;

use super::error::WebError;
use super::locator::Locator;
use super::session::{ElementRef, Session};
use super::settings::WebEnv;
use crate::assertion::Outcome;
use crate::cases::api::recorder::Recorder;
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;

/// What a step produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Produced {
    /// A browser or page operation ran.
    Done,
    /// An assertion or condition compared an actual value.
    Compared(Outcome),
    /// A relation obtained a value to store under `save_name`.
    Store(String, Value),
}

/// Everything an operation works with.
pub struct Op<'a> {
    pub s: &'a Session,
    pub rec: &'a mut Recorder,
    pub env: &'a WebEnv,
    pub elements: &'a IndexMap<String, Locator>,
    pub data: &'a Dict,
    pub task_id: Option<&'a str>,
    pub trans: &'a str,
}

/// `未定义操作` (§2.0 step 4).
pub fn undefined() -> WebError {
    WebError::Step("未定义操作".into())
}

impl Op<'_> {
    /// A data value (missing keys read as `None`, like a platform row with a null value).
    pub fn data(&self, key: &str) -> Value {
        self.data.get(key).cloned().unwrap_or(Value::None)
    }

    /// A data value that must be an integer.
    pub fn int(&self, key: &str) -> Result<i64, WebError> {
        super::data::int_of(key, &self.data(key))
    }

    /// A data value as text (Python `str()`).
    pub fn text(&self, key: &str) -> String {
        self.data(key).py_str()
    }

    pub fn locator(&self, slot: &str) -> Result<&Locator, WebError> {
        self.elements.get(slot).ok_or_else(|| {
            WebError::Step(format!(
                "操作缺少元素 {slot}: this operation needs the element slot {slot:?}"
            ))
        })
    }

    /// Find Element with the engine's log lines (§3.4).
    pub async fn find(&mut self, slot: &str) -> Result<ElementRef, WebError> {
        let loc = self.locator(slot)?.clone();
        match self.s.find(&loc).await {
            Ok(e) => {
                self.rec.debug(&format!("成功定位元素 {}", loc.describe()));
                Ok(e)
            }
            Err(e) => {
                self.rec.error(&format!("无法定位元素 {}", loc.describe()));
                Err(e)
            }
        }
    }

    /// `report` with the common texts `成功执行<what>` / `无法执行<what>`.
    pub fn done<T>(&mut self, r: Result<T, WebError>, what: &str) -> Result<T, WebError> {
        self.report(r, &format!("成功执行{what}"), &format!("无法执行{what}"))
    }

    /// Logs the outcome of an operation: `ok` on success, `fail` at Error level for anything
    /// but a missing element (whose lookup already logged it, §2.0).
    pub fn report<T>(
        &mut self,
        r: Result<T, WebError>,
        ok: &str,
        fail: &str,
    ) -> Result<T, WebError> {
        match r {
            Ok(v) => {
                self.rec.debug(ok);
                Ok(v)
            }
            Err(e @ WebError::NoSuchElement(_)) => Err(e),
            Err(e) => {
                self.rec.error(fail);
                Err(e)
            }
        }
    }
}

/// Runs one non-loop step's operation by group (§2.0).
pub async fn dispatch(group: &str, name: &str, op: &mut Op<'_>) -> Result<Produced, WebError> {
    match group {
        "browser" => browser::run(name, op).await.map(|()| Produced::Done),
        "page" => page::run(name, op).await.map(|()| Produced::Done),
        "assertion" => query::compare(name, "断言", op).await,
        "condition" => query::compare(name, "判断", op).await,
        "relation" => query::relation(name, op).await,
        // `自定义` never gets here: `WebRun::custom` runs it in the Python sidecar.
        _ => Err(undefined()),
    }
}
