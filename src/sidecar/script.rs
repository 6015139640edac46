//! API pre/post scripts (api-cases §6.7): the request the worker runs them from.

use super::wire;
use crate::value::Dict;
use serde_json::{Value as Json, json};

/// What a script sees besides the context and params.
pub struct ScriptRequest<'a> {
    /// `preScript` / `postScript`: the file name tracebacks show.
    pub label: &'a str,
    pub code: &'a str,
    /// `self.collector` (`apiId`, `apiName`, `method`, `url`, `path`, `body_type`,
    /// `controller`, `others`), already on the wire.
    pub collector: Json,
    /// `res_*` (`code`, `header`, `data`, `cookies`, `bytes`, `request`); `None` in pre scripts.
    pub response: Option<Json>,
}

impl ScriptRequest<'_> {
    /// The request line for the worker.
    pub fn to_json(&self, context: &Dict, params: &Dict) -> Json {
        json!({
            "op": "script",
            "label": format!("<{}>", self.label),
            "code": self.code,
            "context": wire::encode_map(context),
            "params": wire::encode_map(params),
            "step": {"collector": self.collector},
            "response": self.response,
        })
    }
}
