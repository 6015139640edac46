//! Custom functions (api-cases §3.5): the request for one call, and the answers to the
//! worker's `self.<builtin>(…)` callbacks.

use super::wire;
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::{Value as Json, json};

/// One custom function of a case: its code and parameter names.
#[derive(Debug, Clone)]
pub struct CustomFunction {
    pub code: String,
    pub names: Vec<String>,
}

/// The request line for a call of `name` with converted `args`. `functions` is the case's whole
/// table, so `self.<other custom>(…)` runs in the worker too.
pub fn request(
    name: &str,
    args: &[Value],
    functions: &IndexMap<String, CustomFunction>,
    context: &Dict,
    params: &Dict,
) -> Json {
    let table: serde_json::Map<String, Json> = functions
        .iter()
        .map(|(n, f)| (n.clone(), json!({"code": f.code, "names": f.names})))
        .collect();
    json!({
        "op": "function",
        "name": name,
        "args": Json::Array(args.iter().map(wire::encode).collect()),
        "functions": table,
        "context": wire::encode_map(context),
        "params": wire::encode_map(params),
    })
}

/// Answers a `{"cb": "builtin", "name": …, "args": […]}` callback with `call`, the engine's
/// built-in function table.
pub fn answer_builtin(
    msg: &Json,
    call: impl Fn(&str, Vec<Value>) -> Result<Value, String>,
) -> Json {
    if msg.get("cb").and_then(Json::as_str) != Some("builtin") {
        return json!({"error": format!("this code cannot make {} calls", msg.get("cb").unwrap_or(&Json::Null))});
    }
    let name = msg.get("name").and_then(Json::as_str).unwrap_or("");
    let args = match msg.get("args").map(wire::decode) {
        Some(Value::List(a)) => a,
        _ => Vec::new(),
    };
    match call(name, args) {
        Ok(v) => json!({"value": wire::encode(&v)}),
        Err(e) => json!({"error": e}),
    }
}
