//! The WEB case JSON (web-cases §1.2–1.4), parsed once with every key optional; key order of
//! elements and data is kept (it shows in logs).

use super::locator;
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;

/// One element slot as the platform wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementSpec {
    pub by: String,
    pub expression: String,
    pub target: String,
}

/// One data entry `{type, value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub kind: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebStep {
    pub op_type: String,
    pub op_id: String,
    pub name: String,
    pub desc: Option<String>,
    pub trans: String,
    pub code: Option<String>,
    pub elements: IndexMap<String, ElementSpec>,
    pub data: IndexMap<String, DataSpec>,
}

#[derive(Debug, Clone)]
pub struct WebCase {
    pub name: String,
    pub comment: Option<String>,
    pub params: Dict,
    /// `null` (older cases) reads as false (Q11 Compat); `None` when absent or null.
    pub start_driver: Option<bool>,
    pub close_driver: Option<bool>,
    pub driver_setting: Json,
    /// `None`: `optList` null → case error (§1.2).
    pub steps: Option<Vec<WebStep>>,
}

fn text(v: Option<&Json>) -> Option<String> {
    match v {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

fn flag(v: Option<&Json>) -> Option<bool> {
    match v {
        Some(Json::Bool(b)) => Some(*b),
        Some(Json::String(s)) => Some(s.eq_ignore_ascii_case("true")),
        Some(Json::Number(n)) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        _ => None,
    }
}

impl WebStep {
    fn parse(v: &Json) -> WebStep {
        let mut elements = IndexMap::new();
        if let Some(Json::Object(m)) = v.get("operationElement") {
            for (slot, e) in m {
                elements.insert(
                    slot.clone(),
                    ElementSpec {
                        by: text(e.get("by")).unwrap_or_default(),
                        expression: text(e.get("expression")).unwrap_or_default(),
                        target: text(e.get("target")).unwrap_or_else(|| "None".into()),
                    },
                );
            }
        }
        let mut data = IndexMap::new();
        if let Some(Json::Object(m)) = v.get("operationData") {
            for (k, d) in m {
                data.insert(
                    k.clone(),
                    DataSpec {
                        kind: text(d.get("type")).unwrap_or_else(|| "String".into()),
                        value: Value::from_json(d.get("value").unwrap_or(&Json::Null)),
                    },
                );
            }
        }
        WebStep {
            op_type: text(v.get("operationType")).unwrap_or_default(),
            op_id: text(v.get("operationId")).unwrap_or_default(),
            name: text(v.get("operationName")).unwrap_or_default(),
            desc: text(v.get("operationDesc")),
            trans: text(v.get("operationTrans")).unwrap_or_default(),
            code: text(v.get("operationCode")),
            elements,
            data,
        }
    }

    /// Transaction content (§7.1): `"\n <slot>: <target>"` per element.
    pub fn content(&self) -> String {
        self.elements
            .iter()
            .map(|(slot, e)| format!("\n {slot}: {}", e.target))
            .collect()
    }

    /// Q16 Fix: the first unsupported locator, checked before the step runs.
    pub fn locator_error(&self) -> Option<super::error::WebError> {
        self.elements
            .iter()
            .find(|(_, e)| locator::selenium_name(&e.by).is_none())
            .map(|(slot, e)| locator::unsupported(&e.by, slot))
    }

    pub fn is_loop(&self) -> bool {
        self.op_type == "looper"
    }
}

impl WebCase {
    pub fn parse(json: &Json) -> Result<WebCase, String> {
        let obj = json
            .as_object()
            .ok_or_else(|| "用例数据不是JSON对象: the WEB case is not a JSON object".to_string())?;
        let mut params = Dict::default();
        if let Some(Json::Object(p)) = obj.get("params") {
            for (k, v) in p {
                let kind = v.get("type").and_then(Json::as_str).unwrap_or("String");
                let value = match v.get("value") {
                    Some(Json::String(s)) => crate::cases::api::model::convert_param(kind, s),
                    Some(Json::Null) | None => Value::None,
                    Some(other) => Value::from_json(other),
                };
                params.insert(k.clone(), value);
            }
        }
        let steps = match obj.get("optList") {
            Some(Json::Array(list)) => Some(list.iter().map(WebStep::parse).collect()),
            _ => None,
        };
        Ok(WebCase {
            name: text(obj.get("caseName")).unwrap_or_else(|| "未知".into()),
            comment: text(obj.get("comment")),
            params,
            start_driver: flag(obj.get("startDriver")),
            close_driver: flag(obj.get("closeDriver")),
            driver_setting: match obj.get("driverSetting") {
                Some(Json::Object(m)) => Json::Object(m.clone()),
                _ => Json::Object(Default::default()),
            },
            steps,
        })
    }
}
