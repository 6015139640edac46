//! Assertions (api-cases §4.1) and relations (§5) of one step, on their rendered lists.

use super::request::CapturedResponse;
use crate::assertion::{self, Outcome};
use crate::extract;
use crate::value::Value;
use indexmap::IndexMap;
use std::borrow::Cow;

fn field<'a>(item: &'a Value, key: &str) -> Option<&'a Value> {
    match item {
        Value::Dict(d) => d.get(key),
        _ => None,
    }
}

fn text<'a>(item: &'a Value, key: &str) -> Cow<'a, str> {
    match field(item, key) {
        None | Some(Value::None) => Cow::Borrowed(""),
        Some(Value::Str(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.py_str()),
    }
}

/// The response header map as a dict of strings (server spelling).
pub fn header_dict(headers: &IndexMap<String, String>) -> Value {
    Value::Dict(
        headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
            .collect(),
    )
}

/// The assertion list used when a step has none: status code equals 200.
pub fn default_assertions() -> Value {
    let mut item = IndexMap::new();
    item.insert("from".to_string(), Value::Str("resCode".into()));
    item.insert("method".to_string(), Value::Str(String::new()));
    item.insert("expression".to_string(), Value::Str(String::new()));
    item.insert("assertion".to_string(), Value::Str("相等".into()));
    item.insert("expect".to_string(), Value::Str("200".into()));
    Value::List(vec![Value::Dict(item)])
}

/// Extraction from the response body; JSONPath reads the parsed JSON directly (no conversion).
fn extract_body(
    method: &str,
    expression: &str,
    resp: &CapturedResponse,
) -> Result<Value, extract::ExtractError> {
    match (resp.json_doc(), method) {
        (Some(doc), "jsonpath") => doc.jsonpath(expression),
        _ => extract::extract(method, expression, resp.body()),
    }
}

/// Evaluates assertions in order, stopping at the first failure (A46).
/// `Ok((messages, failed))`; `Err` is a step error (unknown comparator, type error).
pub fn assertions(list: &Value, resp: &CapturedResponse) -> Result<(Vec<String>, bool), String> {
    let items: &[Value] = match list {
        Value::List(items) => items,
        _ => &[],
    };
    let mut messages = Vec::new();
    for a in items {
        let from = text(a, "from");
        let method = text(a, "method");
        let expression = text(a, "expression");
        let comparator = text(a, "assertion");
        let expected = field(a, "expect").unwrap_or(&Value::None);
        let actual = match from.as_ref() {
            "resCode" => Ok(Value::Int(i64::from(resp.status))),
            "resHeader" => extract::extract(&method, &expression, &header_dict(&resp.headers))
                .map_err(|e| e.to_string()),
            "resBody" => extract_body(&method, &expression, resp).map_err(|e| e.to_string()),
            other => Err(format!("无法在{other}位置进行断言")),
        };
        let actual = match actual {
            Ok(v) => v,
            Err(e) => {
                messages.push(format!("接口响应失败或{e}"));
                return Ok((messages, true));
            }
        };
        match assertion::compare(&comparator, &actual, expected).map_err(|e| e.to_string())? {
            Outcome::Pass => messages.push("success".into()),
            Outcome::Fail(m) => {
                messages.push(m);
                return Ok((messages, true));
            }
        }
    }
    Ok((messages, false))
}

/// What relations can read besides the response (api-cases §5).
pub struct RequestView<'a> {
    pub headers: &'a IndexMap<String, String>,
    pub query: &'a Value,
    /// json body value, form object, the encoded string (form-urlencoded) or bytes (raw).
    pub body: &'a Value,
}

/// Runs the relations in order; each value goes into `vars`. The error is a step error.
pub fn relations(
    list: &Value,
    resp: &CapturedResponse,
    req: &RequestView,
    vars: &mut IndexMap<String, Value>,
) -> Result<(), String> {
    let items: &[Value] = match list {
        Value::List(items) => items,
        _ => &[],
    };
    for r in items {
        let name = text(r, "name");
        let from = text(r, "from");
        let method = text(r, "method");
        let raw_expression = text(r, "expression");
        let expression = raw_expression.trim();
        let value = if expression == "$" {
            Value::Bytes(resp.bytes().to_vec())
        } else if matches!(
            expression.to_ascii_lowercase().as_str(),
            "cookie" | "cookies"
        ) {
            Value::Str(resp.cookies.clone())
        } else {
            let data = match from.as_ref() {
                "resHeader" => header_dict(&resp.headers),
                "resBody" => {
                    vars.insert(
                        name.into_owned(),
                        extract_body(&method, expression, resp).map_err(|e| e.to_string())?,
                    );
                    continue;
                }
                "reqHeader" => header_dict(req.headers),
                "reqQuery" => req.query.clone(),
                "reqBody" => req.body.clone(),
                other => return Err(format!("无法从{other}位置提取依赖参数")),
            };
            extract::extract(&method, expression, &data).map_err(|e| e.to_string())?
        };
        vars.insert(name.into_owned(), value);
    }
    Ok(())
}
