//! What MySQL (strict `sql_mode`) and Jackson would refuse in a
//! `result/upload` body (spec §7.1, §7.2, §7.9).
//!
//! Deliberate strictness: Jackson would truncate a float time and coerce a
//! numeric string; the double answers 500 for any non-integer number member
//! so that the engine is held to the spec's "send integers" rule.

use axum::http::StatusCode;
use serde_json::{Map, Value};

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
fn string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, Reject> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
        Some(_) => Err(unreadable(format!("{key}: not a string"))),
    }
}

/// A NOT NULL VARCHAR(max) column: length counted in characters.
fn varchar(obj: &Map<String, Value>, key: &str, max: usize) -> Result<String, Reject> {
    let s = string(obj, key)?.ok_or_else(|| sql(format!("{key} is null")))?;
    check_len(key, &s, max)?;
    Ok(s)
}

/// A nullable VARCHAR(max) column.
fn opt_varchar(obj: &Map<String, Value>, key: &str, max: usize) -> Result<(), Reject> {
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
fn opt_text(obj: &Map<String, Value>, key: &str) -> Result<(), Reject> {
    match string(obj, key)? {
        Some(s) if s.len() > 65_535 => Err(sql(format!("{key}: {} bytes > 65535", s.len()))),
        _ => Ok(()),
    }
}

/// A NOT NULL integer member (strict: JSON integers only).
fn integer(obj: &Map<String, Value>, key: &str) -> Result<i64, Reject> {
    match obj.get(key) {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| sql(format!("{key}: not an integer ({n})"))),
        None | Some(Value::Null) => Err(sql(format!("{key} is null"))),
        Some(v) => Err(sql(format!("{key}: not an integer ({v})"))),
    }
}

/// Validates `caseResultList`; returns how many results it holds.
pub fn validate_results(list: Option<&Value>) -> Result<usize, Reject> {
    let items = match list {
        None | Some(Value::Null) => return Err(sql("caseResultList is null")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(unreadable("caseResultList: not an array")),
    };
    for (i, item) in items.iter().enumerate() {
        validate_case(item).map_err(|r| Reject {
            reason: format!("caseResultList[{i}].{}", r.reason),
            ..r
        })?;
    }
    Ok(items.len())
}

fn validate_case(item: &Value) -> Result<(), Reject> {
    let Some(obj) = item.as_object() else {
        return Err(unreadable("not an object"));
    };
    integer(obj, "status")?;
    let start = integer(obj, "startTime")?;
    let end = integer(obj, "endTime")?;
    // The shown duration `end - start + "ms"` goes into a VARCHAR(10).
    check_len("during", &format!("{}ms", end.saturating_sub(start)), 10)?;
    varchar(obj, "collectionId", 50)?;
    varchar(obj, "caseId", 50)?;
    let case_type = varchar(obj, "caseType", 20)?;
    varchar(obj, "caseName", 100)?;
    opt_varchar(obj, "caseDesc", 200)?;
    integer(obj, "index")?;
    integer(obj, "runTimes")?;
    let trans = match obj.get("transactionList") {
        None | Some(Value::Null) => return Err(sql("transactionList is null")),
        Some(Value::Array(t)) => t,
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
    Ok(())
}

fn validate_transaction(t: &Value, api: bool) -> Result<(), Reject> {
    let Some(obj) = t.as_object() else {
        return Err(unreadable("not an object"));
    };
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
        None | Some(Value::Null) => Err(sql("screenShotList is null")),
        Some(Value::Array(ids)) => {
            for id in ids {
                match id {
                    Value::String(s) if s.contains('_') => {}
                    Value::String(s) => return Err(sql(format!("screenshot id {s:?} has no _"))),
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

    fn check(v: Value) -> Result<usize, Reject> {
        validate_results(Some(&json!([v])))
    }

    #[test]
    fn accepts_a_good_api_case() {
        assert_eq!(check(api_case()), Ok(1));
        assert_eq!(validate_results(Some(&json!([]))), Ok(0));
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
        assert!(validate_results(None).is_err());
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
