//! What MySQL (strict `sql_mode`) and Jackson would refuse in a
//! `result/upload` body (spec §7.1, §7.2, §7.9).
//!
//! Deliberate strictness: Jackson would truncate a float time and coerce a
//! numeric string; the double answers 500 for any non-integer number member
//! so that the engine is held to the spec's "send integers" rule.

use axum::http::StatusCode;
use serde_json::Value;
use serde_json::value::RawValue;

use super::json_node::Node;

/// Why an upload was refused, with the HTTP status Spring would answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub status: StatusCode,
    pub reason: String,
}

fn sql(reason: impl Into<String>) -> Reject {
    Reject {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        reason: reason.into(),
    }
}

fn unreadable(reason: impl Into<String>) -> Reject {
    Reject {
        status: StatusCode::BAD_REQUEST,
        reason: reason.into(),
    }
}

/// A `String` member as Jackson binds it: scalars are coerced, containers
/// are unreadable (400), null and absent are `None`.
fn string(obj: &Node, key: &str) -> Result<Option<String>, Reject> {
    match obj.get(key) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::String(s)) => Ok(Some(s.to_string())),
        Some(v @ (Node::Number(_) | Node::Bool(_))) => Ok(Some(v.to_string())),
        Some(_) => Err(unreadable(format!("{key}: not a string"))),
    }
}

/// A NOT NULL VARCHAR(max) column: length counted in characters.
fn varchar(obj: &Node, key: &str, max: usize) -> Result<String, Reject> {
    let s = string(obj, key)?.ok_or_else(|| sql(format!("{key} is null")))?;
    check_len(key, &s, max)?;
    Ok(s)
}

/// A nullable VARCHAR(max) column.
fn opt_varchar(obj: &Node, key: &str, max: usize) -> Result<(), Reject> {
    match string(obj, key)? {
        Some(s) => check_len(key, &s, max),
        None => Ok(()),
    }
}

fn check_len(key: &str, s: &str, max: usize) -> Result<(), Reject> {
    let n = s.chars().count();
    if n > max {
        return Err(sql(format!("{key}: {n} characters > {max}")));
    }
    Ok(())
}

/// A nullable TEXT column: at most 65 535 bytes.
fn opt_text(obj: &Node, key: &str) -> Result<(), Reject> {
    match string(obj, key)? {
        Some(s) if s.len() > 65_535 => Err(sql(format!("{key}: {} bytes > 65535", s.len()))),
        _ => Ok(()),
    }
}

/// A NOT NULL integer member (strict: JSON integers only).
fn integer(obj: &Node, key: &str) -> Result<i64, Reject> {
    match obj.get(key) {
        Some(Node::Number(n)) => n
            .as_i64()
            .ok_or_else(|| sql(format!("{key}: not an integer ({n})"))),
        None | Some(Node::Null) => Err(sql(format!("{key} is null"))),
        Some(v) => Err(sql(format!("{key}: not an integer ({v})"))),
    }
}

/// One stored CaseResult: the JSON the engine sent, as it sent it, and the columns the double
/// reads itself (the report's status, the delays). Parsed into a tree only when a test asks.
#[derive(Debug, Clone)]
pub struct StoredResult {
    pub raw: Box<RawValue>,
    /// `collectionId` as text (a string's own text, any other value's JSON).
    pub collection_id: String,
    pub index: i64,
    pub run_times: i64,
    pub status: i64,
    pub end_time: i64,
}

impl StoredResult {
    /// The result as a JSON tree.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }

    /// A result the double did not receive (tests of the double itself); `None` when it would
    /// be refused.
    pub fn from_value(v: &Value) -> Option<StoredResult> {
        let raw = RawValue::from_string(v.to_string()).ok()?;
        let node: Node = serde_json::from_str(raw.get()).ok()?;
        let columns = validate_case(&node).ok()?;
        Some(columns.stored(raw))
    }
}

/// The columns of a valid result, before its text is kept.
struct Columns {
    collection_id: String,
    index: i64,
    run_times: i64,
    status: i64,
    end_time: i64,
}

impl Columns {
    fn stored(self, raw: Box<RawValue>) -> StoredResult {
        StoredResult {
            raw,
            collection_id: self.collection_id,
            index: self.index,
            run_times: self.run_times,
            status: self.status,
            end_time: self.end_time,
        }
    }
}

/// `caseResultList` as sent, item by item: null or missing (MySQL refuses), or not an array
/// (Jackson cannot read it).
pub fn result_list(list: Option<&RawValue>) -> Result<Vec<&RawValue>, Reject> {
    let Some(raw) = list else {
        return Err(sql("caseResultList is null"));
    };
    match raw.get().trim_start().as_bytes().first() {
        Some(b'n') => Err(sql("caseResultList is null")),
        Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(raw.get())
            .map_err(|e| unreadable(format!("caseResultList: {e}"))),
        _ => Err(unreadable("caseResultList: not an array")),
    }
}

/// Validates every item of `caseResultList` and keeps each as sent, with its columns.
pub fn validate_results(items: &[&RawValue]) -> Result<Vec<StoredResult>, Reject> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefixed = |r: Reject| Reject {
            reason: format!("caseResultList[{i}].{}", r.reason),
            ..r
        };
        let node: Node =
            serde_json::from_str(item.get()).map_err(|e| prefixed(unreadable(e.to_string())))?;
        let columns = validate_case(&node).map_err(prefixed)?;
        out.push(columns.stored((*item).to_owned()));
    }
    Ok(out)
}

fn validate_case(obj: &Node) -> Result<Columns, Reject> {
    if !matches!(obj, Node::Object(_)) {
        return Err(unreadable("not an object"));
    }
    let status = integer(obj, "status")?;
    let start = integer(obj, "startTime")?;
    let end = integer(obj, "endTime")?;
    // The shown duration `end - start + "ms"` goes into a VARCHAR(10).
    check_len("during", &format!("{}ms", end.saturating_sub(start)), 10)?;
    let collection_id = varchar(obj, "collectionId", 50)?;
    varchar(obj, "caseId", 50)?;
    let case_type = varchar(obj, "caseType", 20)?;
    varchar(obj, "caseName", 100)?;
    opt_varchar(obj, "caseDesc", 200)?;
    let index = integer(obj, "index")?;
    let run_times = integer(obj, "runTimes")?;
    let trans = match obj.get("transactionList") {
        None | Some(Node::Null) => return Err(sql("transactionList is null")),
        Some(Node::Array(t)) => t,
        Some(_) => return Err(unreadable("transactionList: not an array")),
    };
    if trans.is_empty() {
        return Err(sql("transactionList is empty (empty multi-row INSERT)"));
    }
    for (j, t) in trans.iter().enumerate() {
        validate_transaction(t, case_type == "API").map_err(|r| Reject {
            reason: format!("transactionList[{j}].{}", r.reason),
            ..r
        })?;
    }
    Ok(Columns {
        collection_id,
        index,
        run_times,
        status,
        end_time: end,
    })
}

fn validate_transaction(obj: &Node, api: bool) -> Result<(), Reject> {
    if !matches!(obj, Node::Object(_)) {
        return Err(unreadable("not an object"));
    }
    varchar(obj, "id", 50)?;
    varchar(obj, "name", 100)?;
    opt_varchar(obj, "description", 200)?;
    integer(obj, "status")?;
    if api {
        varchar(obj, "content", 200)?;
        integer(obj, "during")?;
        string(obj, "log")?;
        return Ok(());
    }
    opt_text(obj, "content")?;
    opt_text(obj, "log")?;
    match obj.get("screenShotList") {
        None | Some(Node::Null) => Err(sql("screenShotList is null")),
        Some(Node::Array(ids)) => {
            for id in ids {
                match id {
                    Node::String(s) if s.contains('_') => {}
                    Node::String(s) => return Err(sql(format!("screenshot id {s:?} has no _"))),
                    other => return Err(unreadable(format!("screenshot id {other} not a string"))),
                }
            }
            Ok(())
        }
        Some(_) => Err(unreadable("screenShotList: not an array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api_case() -> Value {
        json!({"status":0,"startTime":1,"endTime":5,"collectionId":"c","caseId":"k",
               "caseType":"API","caseName":"n","caseDesc":null,"index":1,"runTimes":1,
               "transactionList":[{"id":"a","name":"b","content":"/p","description":null,
                                   "log":"","during":3,"status":0,"screenShotList":[]}]})
    }

    fn check_list(list: Value) -> Result<usize, Reject> {
        let raw = RawValue::from_string(list.to_string()).expect("JSON");
        let items = result_list(Some(&raw))?;
        validate_results(&items).map(|stored| stored.len())
    }

    fn check(v: Value) -> Result<usize, Reject> {
        check_list(json!([v]))
    }

    #[test]
    fn accepts_a_good_api_case() {
        assert_eq!(check(api_case()), Ok(1));
        assert_eq!(check_list(json!([])), Ok(0));
        let stored = StoredResult::from_value(&api_case()).expect("valid");
        assert_eq!(stored.value(), api_case());
        assert_eq!(
            (
                stored.collection_id.as_str(),
                stored.index,
                stored.run_times,
                stored.status,
                stored.end_time
            ),
            ("c", 1, 1, 0, 5)
        );
    }

    #[test]
    fn refuses_what_mysql_would() {
        let cases: Vec<(&str, Value)> = vec![
            ("/status", Value::Null),
            ("/startTime", json!(1.5)),
            ("/caseId", json!("x".repeat(51))),
            ("/caseName", json!("名".repeat(101))),
            ("/transactionList", json!([])),
            ("/transactionList/0/content", json!("p".repeat(201))),
            ("/transactionList/0/during", Value::Null),
        ];
        for (ptr, val) in cases {
            let mut v = api_case();
            *v.pointer_mut(ptr).unwrap() = val;
            let err = check(v).unwrap_err();
            assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR, "{ptr}");
        }
        assert!(result_list(None).is_err());
        assert_eq!(
            check_list(Value::Null).map_err(|r| r.status),
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        );
        assert_eq!(
            check_list(json!({})).map_err(|r| r.status),
            Err(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            check(json!(3)).map_err(|r| r.status),
            Err(StatusCode::BAD_REQUEST)
        );
    }

    #[test]
    fn web_needs_screenshot_list_with_underscores() {
        let mut v = api_case();
        v["caseType"] = json!("WEB");
        v["transactionList"][0]["content"] = json!("x".repeat(300));
        assert_eq!(check(v.clone()), Ok(1));
        v["transactionList"][0]["screenShotList"] = json!(["20240314uuid"]);
        assert!(check(v.clone()).is_err());
        v["transactionList"][0]["screenShotList"] = Value::Null;
        assert!(check(v).is_err());
    }
}
