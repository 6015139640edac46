//! The API case JSON (api-cases §1) parsed once into typed structs. Every field the platform
//! may omit or send as null is optional; errors name the field.

use super::check::{Assertion, Checks, Relation};
use crate::value::Dict;
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
    pub params: Dict,
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
    pub body: Option<StepBody>,
    /// As written, or the default "status code equals 200" when there are none (api-cases §4.1).
    pub assertions: Checks<Assertion>,
    pub relations: Checks<Relation>,
    pub controller: IndexMap<String, Json>,
    /// Whether the `url` key exists at all (a missing key is an error, null is allowed).
    pub has_url_key: bool,
    pub has_path_key: bool,
    /// The request parts, collected when the case was read.
    pub ahead: super::collect::CollectedAhead,
}

/// A step's `body` object: the fields the engine reads, taken straight from the case file
/// (a JSON object of its own cost five hashed keys and a map per step). Each is as written;
/// `None` when missing. A `body` that is not an object has none of them.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct StepBody {
    #[serde(default, rename = "type")]
    pub kind: Option<Json>,
    #[serde(default)]
    pub json: Option<Json>,
    #[serde(default)]
    pub form: Option<Json>,
    #[serde(default)]
    pub raw: Option<Json>,
    #[serde(default)]
    pub file: Option<Json>,
}

impl StepBody {
    /// The fields of a `body` read as a JSON tree (the lenient reading).
    fn of(json: Json) -> StepBody {
        let Json::Object(mut o) = json else {
            return StepBody::default();
        };
        StepBody {
            kind: o.remove("type"),
            json: o.remove("json"),
            form: o.remove("form"),
            raw: o.remove("raw"),
            file: o.remove("file"),
        }
    }

    /// `body.type` when it is a string, else the empty string (no body).
    pub fn kind(&self) -> &str {
        self.kind.as_ref().and_then(Json::as_str).unwrap_or("")
    }
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

/// A step's assertions, converted once when the case is read.
fn assertions_of(list: impl IntoIterator<Item = Value>) -> Checks<Assertion> {
    let list: Vec<Value> = list.into_iter().collect();
    if list.is_empty() {
        Checks::new(super::check::default_assertions())
    } else {
        Checks::new(Value::List(list))
    }
}

/// A step's relations, converted once when the case is read.
fn relations_of(list: impl IntoIterator<Item = Value>) -> Checks<Relation> {
    Checks::new(Value::List(list.into_iter().collect()))
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

/// The case's common parameters, converted by their declared types.
fn params_of(params: Option<&Json>) -> Dict {
    let mut out = Dict::default();
    if let Some(Json::Object(p)) = params {
        for (k, v) in p {
            let kind = v.get("type").and_then(Json::as_str).unwrap_or("String");
            let value = match v.get("value") {
                Some(Json::String(s)) => convert_param(kind, s),
                Some(Json::Null) | None => Value::None,
                Some(other) => Value::from_json(other),
            };
            out.insert(k.clone(), value);
        }
    }
    out
}

impl ApiCase {
    /// Reads a case from its JSON tree, leniently (see [`ApiCase::load`]).
    pub fn parse(json: Json) -> Result<ApiCase, ModelError> {
        let Json::Object(mut obj) = json else {
            return Err(ModelError::NotAnObject);
        };
        let name = match obj.remove("caseName") {
            Some(Json::String(s)) => s,
            Some(Json::Null) | None => return Err(ModelError::MissingCaseName),
            Some(other) => other.to_string(),
        };
        let params = params_of(obj.get("params"));
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

/// Why a case could not be loaded, with its name when the file has one (the result shows it).
#[derive(Debug, PartialEq)]
pub struct LoadError {
    pub case_name: Option<String>,
    pub message: String,
}

/// A case file parsed: the case and its `functions` list, or what is wrong with the file.
pub type Parsed = Result<(ApiCase, Option<Json>), LoadError>;

impl ApiCase {
    /// Parses a case as read, with its `functions` list. A well-formed file (the platform's)
    /// is read straight into the model; anything unusual (a field of an unexpected type, a
    /// duplicate key, a missing `caseName` or `apiList`) is read again as a JSON tree by
    /// [`ApiCase::parse`], which is lenient where the Python engine was and names what is wrong.
    /// Each step's request parts are collected here too (see [`super::collect::CollectedAhead`]).
    pub fn load(loaded: crate::bundle::LoadedCase) -> Parsed {
        let parsed = ApiCase::read(loaded);
        if let Ok((case, _)) = &parsed {
            for step in &case.steps {
                if let Ok(c) = super::collect::collect(step, &super::step_proxies(step)) {
                    step.ahead.fill(c);
                }
            }
        }
        parsed
    }

    fn read(loaded: crate::bundle::LoadedCase) -> Parsed {
        let json = match loaded {
            crate::bundle::LoadedCase::Bytes { bytes, label } => {
                // The whole file is checked as UTF-8 once (fast), rather than string by string.
                if let Some(parsed) = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|text| serde_json::from_str::<doc::CaseDoc>(text).ok())
                    .and_then(doc::CaseDoc::into_case)
                {
                    return Ok(parsed);
                }
                crate::bundle::LoadedCase::Bytes { bytes, label }
                    .into_json()
                    .map_err(|message| LoadError {
                        case_name: None,
                        message,
                    })?
            }
            crate::bundle::LoadedCase::Json(j) => j,
        };
        let functions = json.get("functions").filter(|f| !f.is_null()).cloned();
        let case_name = json
            .get("caseName")
            .and_then(Json::as_str)
            .map(str::to_string);
        ApiCase::parse(json)
            .map(|c| (c, functions))
            .map_err(|e| LoadError {
                case_name,
                message: e.to_string(),
            })
    }
}

/// The case file's shape for reading it straight into the model: strict, so that anything
/// the lenient tree reading would treat specially fails here and takes that path instead.
mod doc {
    use super::super::check::{Assertion, ListDoc, Relation};
    use super::{ApiCase, ApiStep, Checks, Json, StepBody, Value, opt_string, params_of};
    use indexmap::IndexMap;
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(super) struct CaseDoc {
        #[serde(default)]
        case_name: Option<Json>,
        #[serde(default)]
        comment: Option<Json>,
        #[serde(default)]
        functions: Option<Json>,
        #[serde(default)]
        params: Option<Json>,
        #[serde(default, deserialize_with = "steps")]
        api_list: Option<Vec<StepDoc>>,
    }

    /// `apiList` read into a list sized for a typical case: `serde_json` cannot tell a list's
    /// length, and growing a list of these large items moved them twice per case.
    fn steps<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<StepDoc>>, D::Error> {
        struct Steps;
        impl<'de> serde::de::Visitor<'de> for Steps {
            type Value = Option<Vec<StepDoc>>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of steps")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut steps = Vec::with_capacity(seq.size_hint().unwrap_or(8).min(64));
                while let Some(step) = seq.next_element()? {
                    steps.push(step);
                }
                Ok(Some(steps))
            }
        }
        d.deserialize_option(Steps)
    }

    /// `Some(None)` for a key present as `null`, `None` for a missing key.
    fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Json>>, D::Error> {
        Option::<Json>::deserialize(d).map(Some)
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct StepDoc {
        #[serde(default)]
        api_id: Option<Json>,
        #[serde(default)]
        api_name: Option<Json>,
        #[serde(default)]
        api_desc: Option<Json>,
        #[serde(default, deserialize_with = "present")]
        url: Option<Option<Json>>,
        #[serde(default, deserialize_with = "present")]
        path: Option<Option<Json>>,
        #[serde(default)]
        method: Option<Json>,
        #[serde(default)]
        headers: Option<IndexMap<String, Json>>,
        #[serde(default)]
        proxies: Option<Json>,
        #[serde(default)]
        query: Option<IndexMap<String, Json>>,
        #[serde(default)]
        rest: Option<IndexMap<String, Json>>,
        #[serde(default)]
        body: Option<StepBody>,
        /// Read straight into their items unless they hold a placeholder (`ListDoc`).
        #[serde(default)]
        assertions: Option<ListDoc<Assertion>>,
        #[serde(default)]
        relations: Option<ListDoc<Relation>>,
        #[serde(default)]
        controller: Option<IndexMap<String, Json>>,
    }

    impl CaseDoc {
        /// `None` when `caseName` or `apiList` is missing or null (the tree reading names it).
        pub(super) fn into_case(self) -> Option<(ApiCase, Option<Json>)> {
            let name = match self.case_name? {
                Json::String(s) => s,
                other => other.to_string(),
            };
            let steps = self
                .api_list?
                .into_iter()
                .map(StepDoc::into_step)
                .collect::<Option<Vec<_>>>()?;
            let case = ApiCase {
                name,
                comment: opt_string(self.comment),
                params: params_of(self.params.as_ref()),
                steps,
            };
            Some((case, self.functions))
        }
    }

    impl StepDoc {
        /// `None` when `assertions` or `relations` is not a list (the tree reading decides).
        fn into_step(self) -> Option<ApiStep> {
            let assertions = match self.assertions {
                None => Checks::new(super::super::check::default_assertions()),
                Some(list) => list.into_checks(super::super::check::default_assertions),
            };
            let relations = match self.relations {
                None => Checks::new(Value::List(Vec::new())),
                Some(list) => list.into_checks(|| Value::List(Vec::new())),
            };
            Some(ApiStep {
                api_id: opt_string(self.api_id),
                api_name: opt_string(self.api_name),
                api_desc: opt_string(self.api_desc),
                has_url_key: self.url.is_some(),
                has_path_key: self.path.is_some(),
                url: opt_string(self.url.flatten()),
                path: opt_string(self.path.flatten()),
                method: opt_string(self.method),
                headers: self.headers.unwrap_or_default(),
                proxies: self.proxies,
                query: self.query.unwrap_or_default(),
                rest: self.rest.unwrap_or_default(),
                body: self.body,
                assertions,
                relations,
                controller: self.controller.unwrap_or_default(),
                ahead: Default::default(),
            })
        }
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
            body: o.remove("body").filter(|b| !b.is_null()).map(StepBody::of),
            assertions: assertions_of(array(o.remove("assertions")).iter().map(Value::from_json)),
            relations: relations_of(array(o.remove("relations")).iter().map(Value::from_json)),
            controller: object(o.remove("controller")),
            has_url_key,
            has_path_key,
            ahead: Default::default(),
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

    /// A read case carries each valid step's request parts, the same as collecting them when
    /// the step runs; a step that cannot be collected carries none (its error comes then).
    #[test]
    fn reading_a_case_collects_its_steps_ahead() {
        let text = r#"{"caseName": "c", "apiList": [
            {"apiId": "a1", "apiName": "one", "url": "http://h", "path": "/p/{id}", "method": "post",
             "headers": {"Cookie": "x=1", "H": "{{v}}"}, "rest": {"id": "7"},
             "body": {"type": "json", "json": "{\"k\": \"{{v}}\", \"n\": 1}"}},
            {"apiName": "no id", "url": "http://h", "path": "/p", "method": "GET"}
        ]}"#;
        let loaded = crate::bundle::LoadedCase::Bytes {
            bytes: bytes::Bytes::from(text.as_bytes().to_vec()),
            label: "c.json".into(),
        };
        let (case, _) = ApiCase::load(loaded).expect("reads");
        let first = &case.steps[0];
        let ahead = first.ahead.take().expect("collected ahead");
        let now = super::super::collect::collect(first, &super::super::step_proxies(first))
            .expect("collects");
        assert_eq!(format!("{ahead:?}"), format!("{now:?}"));
        assert_eq!(ahead.path, "/p/7");
        assert!(first.ahead.take().is_none(), "taken once");
        assert!(case.steps[1].ahead.take().is_none());
    }

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

    fn read_both(text: &str) -> (String, String) {
        let loaded = crate::bundle::LoadedCase::Bytes {
            bytes: text.as_bytes().to_vec().into(),
            label: "c.json".into(),
        };
        let direct = format!("{:?}", ApiCase::load(loaded));
        let tree = match serde_json::from_str::<Json>(text) {
            Err(e) => format!("not JSON: {e}"),
            Ok(j) => {
                let functions = j.get("functions").filter(|f| !f.is_null()).cloned();
                let case_name = j.get("caseName").and_then(Json::as_str).map(str::to_string);
                let parsed = ApiCase::parse(j)
                    .map(|c| (c, functions))
                    .map_err(|e| LoadError {
                        case_name,
                        message: e.to_string(),
                    });
                format!("{parsed:?}")
            }
        };
        (direct, tree)
    }

    /// Reading a file straight into the model gives what the tree reading gives, for
    /// well-formed files and for every oddity the tree reading handles (which then reads it).
    #[test]
    fn the_direct_reading_agrees_with_the_tree_reading() {
        let step = r#"{"apiId":"a1","apiName":"n","apiDesc":null,"url":"http://x","path":"/p/{{n}}",
            "method":"POST","protocol":"HTTP","headers":{"b":"1","a":{"k":[1,2.5,null]}},"proxies":{},
            "body":{"type":"json","json":"{\"a\":1}"},"query":{"q":"1"},"rest":{},
            "assertions":[{"from":"resCode","expect":"200"}],"relations":[{"name":"id"}],
            "controller":{"errorContinue":"true","sleepBeforeRun":"0"},"extra":5}"#;
        let cases = [
            format!(
                r#"{{"caseName":"c","comment":"x","functions":[{{"name":"f"}}],"params":{{"n":{{"type":"Int","value":"5"}},"o":{{"type":"JSONObject","value":"{{\"a\":1}}"}}}},"apiList":[{step},{step}]}}"#
            ),
            r#"{"caseName":7,"apiList":[{"url":null}]}"#.to_string(),
            r#"{"caseName":"c","comment":null,"params":null,"functions":null,"apiList":[{}]}"#
                .to_string(),
            r#"{"caseName":"c","apiList":[{"headers":"x","assertions":{},"controller":[]}]}"#
                .to_string(),
            r#"{"caseName":"c","apiList":[{"apiId":1,"apiId":2}]}"#.to_string(),
            r#"{"caseName":"c","caseName":"d","apiList":[]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"headers":{"a":"1","a":"2"}}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"url":"u"},3]}"#.to_string(),
            r#"{"caseName":"c","apiList":null}"#.to_string(),
            r#"{"caseName":null,"apiList":[]}"#.to_string(),
            r#"{"apiList":[]}"#.to_string(),
            r#"[1,2]"#.to_string(),
            r#"{"caseName":"c","apiList":[}"#.to_string(),
            // Assertions and relations read straight into items, and every way off that path:
            // a placeholder, an escape, a repeated or unknown key, a non-object item, typed
            // fields, an empty list, null, and not a list.
            r#"{"caseName":"c","apiList":[{"assertions":[{"from":"resBody","method":"jsonpath","expression":"$.a","assertion":"equals","expect":{"k":[1,2.5]},"x":1},{"from":7,"method":null,"assertion":true}],"relations":[{"name":"id","from":"resBody","method":"jsonpath","expression":" $.id "}]}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":[{"from":"resCode","expect":"{{code}}"}],"relations":[{"name":"{{n}}"}]}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":[{"from":"res\u0043ode","expect":"\u007b{x}}"}]}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":[{"from":"a","from":"resCode"}],"relations":[{"name":"a","name":"b"}]}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":[3,"x",null,[]],"relations":[{"{{k}}":1}]}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":[],"relations":[]},{"assertions":null,"relations":null}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"assertions":"x","relations":{}}]}"#.to_string(),
            // The body's fields: all of them, extra and repeated keys, nulls, other types, and
            // a body that is not an object.
            r#"{"caseName":"c","apiList":[{"body":{"type":"form-data","form":[{"name":"a","value":"1","type":"String"}],"json":"","raw":"r","file":[{"id":"1","name":"f"}],"x":{"y":1}}}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"body":{"type":"text","type":"json","json":{"a":[1]}}},{"body":{"type":null,"raw":3}}]}"#.to_string(),
            r#"{"caseName":"c","apiList":[{"body":"x"},{"body":[1]},{"body":null},{"body":{}}]}"#.to_string(),
        ];
        for text in &cases {
            let (direct, tree) = read_both(text);
            if text.ends_with("[}") {
                assert!(direct.contains("用例数据不是合法JSON: c.json:"), "{direct}");
                continue;
            }
            assert_eq!(direct, tree, "{text}");
        }
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
