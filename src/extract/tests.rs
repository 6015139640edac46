//! Tests for the extraction module. `jp082` holds expectations produced by
//! running the Python jsonpath 0.82 library; the tests never call Python.

mod jp082;
mod misc;

pub(crate) mod testutil {
    pub use crate::extract::{ExtractError, JsonDoc, extract, jsonpath, regex_findall};
    pub use crate::value::Value;

    /// A document with lists, and things that are not lists, for the list-length tests.
    pub const LIST_DOC: &str = r#"{"data": {"list": [1, 2, 3]}, "empty": [], "obj": {"a": 1},
        "s": "[1, 2]", "n": 5, "nested": [[1], [2, 3]], "none": null,
        "items": [{"id": 1}, {"id": 2}]}"#;

    /// JSONPath expressions over [`LIST_DOC`]: one array, several matches, one match that is
    /// not an array, no match, and invalid expressions.
    pub const LIST_EXPRS: [&str; 16] = [
        "$.data.list",
        "$.empty",
        "$.obj",
        "$.s",
        "$.n",
        "$.none",
        "$.nested",
        "$.nested[*]",
        "$.nested[0]",
        "$..id",
        "$.items[*].id",
        "$.items[0]",
        "$.data.list[*]",
        "$.missing",
        "$[",
        "",
    ];

    pub fn data(d: &str) -> Value {
        Value::from_json(&serde_json::from_str(d).expect("test data"))
    }

    pub fn to_j(v: &Value) -> serde_json::Value {
        use serde_json::Value as J;
        match v {
            Value::None => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Bytes(b) => J::String(String::from_utf8_lossy(b).into_owned()),
            Value::List(l) | Value::Tuple(l) => J::Array(l.iter().map(to_j).collect()),
            Value::Dict(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), to_j(v))).collect()),
        }
    }

    /// Both entry points (owned `Value` and borrowed JSON) must agree.
    fn both(d: &str, expr: &str) -> Result<serde_json::Value, ExtractError> {
        let j: serde_json::Value = serde_json::from_str(d).expect("test data");
        let a = jsonpath(&Value::from_json(&j), expr).map(|v| to_j(&v));
        let b = JsonDoc::from_json(&j).jsonpath(expr).map(|v| to_j(&v));
        assert_eq!(a, b, "entry points disagree on {expr}");
        a
    }

    #[track_caller]
    pub fn ok(d: &str, expr: &str, want: &str) {
        let want: serde_json::Value = serde_json::from_str(want).expect("expectation");
        assert_eq!(both(d, expr), Ok(want), "expr {expr}");
    }

    #[track_caller]
    pub fn no_match(d: &str, expr: &str) {
        assert_eq!(
            both(d, expr),
            Err(ExtractError::JsonPathNoMatch(expr.to_string())),
            "expr {expr}"
        );
    }

    #[track_caller]
    pub fn py_exc(d: &str, expr: &str) {
        let r = both(d, expr);
        assert!(
            matches!(r, Err(ExtractError::Python(_))),
            "expr {expr}: {r:?}"
        );
    }

    #[track_caller]
    #[allow(dead_code)]
    pub fn not_json(d: &str, expr: &str) {
        assert_eq!(
            jsonpath(&data(d), expr),
            Err(ExtractError::NotJson),
            "expr {expr}"
        );
    }
}
