//! The API case JSON (api-cases §1) parsed once into typed structs. Every field the platform
//! may omit or send as null is optional; errors name the field.

use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("用例数据缺少字段 caseName (case JSON has no caseName)")]
    MissingCaseName,
    #[error("无法获取API相关数据, 请重试!!! (case JSON has no apiList)")]
    MissingApiList,
    #[error("用例数据不是JSON对象 (the case file is not a JSON object)")]
    NotAnObject,
    #[error("apiList 第{index}个步骤不是JSON对象")]
    StepNotObject { index: usize },
}

#[derive(Debug, Clone)]
pub struct ApiCase {
    pub name: String,
    pub comment: Option<String>,
    pub params: IndexMap<String, Value>,
    pub steps: Vec<ApiStep>,
}

/// One step as written in the case; rendering works on a copy per execution (A3 Fix).
#[derive(Debug, Clone)]
pub struct ApiStep {
    pub api_id: Option<String>,
    pub api_name: Option<String>,
    pub api_desc: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    pub headers: IndexMap<String, Json>,
    pub proxies: Option<Json>,
    pub query: IndexMap<String, Json>,
    pub rest: IndexMap<String, Json>,
    pub body: Option<Json>,
    pub assertions: Vec<Json>,
    pub relations: Vec<Json>,
    pub controller: IndexMap<String, Json>,
    /// Whether the `url` key exists at all (a missing key is an error, null is allowed).
    pub has_url_key: bool,
    pub has_path_key: bool,
}

// The case JSON is taken apart, not copied: its strings, objects and lists move into the
// model (copying them and dropping the original was a visible share of a case's CPU).

fn opt_string(v: Option<Json>) -> Option<String> {
    match v {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    }
}

fn object(v: Option<Json>) -> IndexMap<String, Json> {
    match v {
        Some(Json::Object(m)) => m.into_iter().collect(),
        _ => IndexMap::new(),
    }
}

fn array(v: Option<Json>) -> Vec<Json> {
    match v {
        Some(Json::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// Common parameters with their declared types (api-cases §1.3; A14 Fix: JSON, never code).
pub fn convert_param(kind: &str, text: &str) -> Value {
    match kind {
        "JSONObject" | "JSONArray" => match serde_json::from_str::<Json>(text) {
            Ok(j) => Value::from_json(&j),
            Err(_) => Value::Str(text.to_string()),
        },
        "Boolean" => Value::Bool(text.eq_ignore_ascii_case("true")),
        "Int" => {
            let t = text.trim().replace('_', "");
            t.parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::Str(text.to_string()))
        }
        "Float" => {
            let t = text.trim().to_ascii_lowercase();
            match t.as_str() {
                "inf" | "+inf" | "infinity" => Value::Float(f64::INFINITY),
                "-inf" | "-infinity" => Value::Float(f64::NEG_INFINITY),
                "nan" => Value::Float(f64::NAN),
                _ => t
                    .parse::<f64>()
                    .map(Value::Float)
                    .unwrap_or_else(|_| Value::Str(text.to_string())),
            }
        }
        _ => Value::Str(text.to_string()),
    }
}

impl ApiCase {
    pub fn parse(json: Json) -> Result<ApiCase, ModelError> {
        let Json::Object(mut obj) = json else {
            return Err(ModelError::NotAnObject);
        };
        let name = match obj.remove("caseName") {
            Some(Json::String(s)) => s,
            Some(Json::Null) | None => return Err(ModelError::MissingCaseName),
            Some(other) => other.to_string(),
        };
        let mut params = IndexMap::new();
        if let Some(Json::Object(p)) = obj.get("params") {
            for (k, v) in p {
                let kind = v.get("type").and_then(Json::as_str).unwrap_or("String");
                let value = match v.get("value") {
                    Some(Json::String(s)) => convert_param(kind, s),
                    Some(Json::Null) | None => Value::None,
                    Some(other) => Value::from_json(other),
                };
                params.insert(k.clone(), value);
            }
        }
        let steps = match obj.remove("apiList") {
            Some(Json::Array(list)) => list
                .into_iter()
                .enumerate()
                .map(|(i, s)| ApiStep::parse(s).ok_or(ModelError::StepNotObject { index: i + 1 }))
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(ModelError::MissingApiList),
        };
        Ok(ApiCase {
            name,
            comment: opt_string(obj.remove("comment")),
            params,
            steps,
        })
    }
}

impl ApiStep {
    fn parse(json: Json) -> Option<ApiStep> {
        let Json::Object(mut o) = json else {
            return None;
        };
        let (has_url_key, has_path_key) = (o.contains_key("url"), o.contains_key("path"));
        Some(ApiStep {
            api_id: opt_string(o.remove("apiId")),
            api_name: opt_string(o.remove("apiName")),
            api_desc: opt_string(o.remove("apiDesc")),
            url: opt_string(o.remove("url")),
            path: opt_string(o.remove("path")),
            method: opt_string(o.remove("method")),
            headers: object(o.remove("headers")),
            proxies: o.remove("proxies").filter(|p| !p.is_null()),
            query: object(o.remove("query")),
            rest: object(o.remove("rest")),
            body: o.remove("body").filter(|b| !b.is_null()),
            assertions: array(o.remove("assertions")),
            relations: array(o.remove("relations")),
            controller: object(o.remove("controller")),
            has_url_key,
            has_path_key,
        })
    }

    /// A controller flag: case-insensitive `"true"` (api-cases §1.9).
    pub fn flag(&self, key: &str) -> bool {
        match self.controller.get(key) {
            Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(Json::Bool(b)) => *b,
            _ => false,
        }
    }

    pub fn controller_text(&self, key: &str) -> Option<String> {
        match self.controller.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        }
    }

    pub fn display_name(&self) -> &str {
        self.api_name.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_convert_by_type() {
        assert_eq!(convert_param("Int", " 7 "), Value::Int(7));
        assert_eq!(convert_param("Int", "5.0"), Value::Str("5.0".into()));
        assert_eq!(convert_param("Boolean", "TRUE"), Value::Bool(true));
        assert_eq!(convert_param("Float", "1e3"), Value::Float(1000.0));
        assert!(matches!(
            convert_param("JSONObject", r#"{"a":true}"#),
            Value::Dict(_)
        ));
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            ApiCase::parse(serde_json::json!({"apiList": []})).err(),
            Some(ModelError::MissingCaseName)
        );
        assert_eq!(
            ApiCase::parse(serde_json::json!({"caseName": "x", "apiList": null})).err(),
            Some(ModelError::MissingApiList)
        );
    }
}
