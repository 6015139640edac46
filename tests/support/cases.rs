//! Case JSON builders in the platform's shape (api-cases §1), for tests.

use serde_json::{Value, json};

/// An API step against `base` (the target's URL).
pub fn step(name: &str, base: &str, method: &str, path: &str) -> Value {
    json!({
        "apiId": format!("api-{name}"),
        "apiName": name,
        "apiDesc": null,
        "url": base,
        "path": path,
        "method": method,
        "protocol": "HTTP",
        "headers": {},
        "proxies": {},
        "body": null,
        "query": {},
        "rest": {},
        "assertions": null,
        "relations": null,
        "controller": {}
    })
}

pub fn api_case(case_id: &str, name: &str, steps: Vec<Value>) -> Value {
    json!({
        "comment": format!("{name} description"),
        "caseId": case_id,
        "caseName": name,
        "functions": [],
        "params": {},
        "apiList": steps
    })
}

/// A dashed UUID-like id, unique per call.
pub fn uid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The task object (data of task/fetch) for a bundle task.
pub fn bundle_task(
    task_id: &str,
    collections: &[(String, Vec<String>)],
    max_thread: i64,
    rerun: bool,
) -> Value {
    let list: Vec<Value> = collections
        .iter()
        .map(|(cid, cases)| {
            json!({
                "collectionId": cid,
                "deviceId": null,
                "testCaseList": cases.iter().enumerate().map(|(i, case)| json!({"index": i + 1, "caseId": case, "caseType": "API"})).collect::<Vec<_>>()
            })
        })
        .collect();
    json!({
        "taskId": task_id,
        "taskType": "run",
        "downloadUrl": format!("/openapi/task/file/download/{task_id}"),
        "maxThread": max_thread,
        "reRun": rerun,
        "testCollectionList": list,
        "debugData": null
    })
}

/// The sorted (collectionId, index, runTimes) of uploaded results: what identifies a result.
pub fn result_keys(results: &[Value]) -> Vec<(String, i64, i64)> {
    let mut keys: Vec<_> = results
        .iter()
        .map(|r| {
            (
                r["collectionId"].as_str().unwrap_or_default().to_string(),
                r["index"].as_i64().unwrap_or(-1),
                r["runTimes"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// A bundle task of `collections` × `cases_per` cases; `make_case(collection, case, case_id)`
/// gives each case's JSON. The bundle is registered with the double `p`; the task object is
/// returned (queue it with `p.add_task`). Returns (task id, task object).
pub fn bundle_task_with(
    p: &super::platform::PlatformDouble,
    collections: usize,
    cases_per: usize,
    max_thread: i64,
    rerun: bool,
    make_case: impl Fn(usize, usize, &str) -> Value,
) -> (String, Value) {
    let task_id = uid();
    let mut files: Vec<(String, String, String)> = Vec::new();
    let mut layout: Vec<(String, Vec<String>)> = Vec::new();
    for c in 0..collections {
        let cid = uid();
        let mut ids = Vec::new();
        for k in 0..cases_per {
            let case_id = uid();
            files.push((
                cid.clone(),
                case_id.clone(),
                make_case(c, k, &case_id).to_string(),
            ));
            ids.push(case_id);
        }
        layout.push((cid, ids));
    }
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    p.add_bundle(&task_id, super::bundle::make_bundle(&task_id, &refs));
    let task = bundle_task(&task_id, &layout, max_thread, rerun);
    (task_id, task)
}

/// `bundle_task_with` for API cases named `case <collection>-<case>` doing `steps(c, k)`.
pub fn api_bundle_task(
    p: &super::platform::PlatformDouble,
    collections: usize,
    cases_per: usize,
    max_thread: i64,
    rerun: bool,
    steps: impl Fn(usize, usize) -> Vec<Value>,
) -> (String, Value) {
    bundle_task_with(p, collections, cases_per, max_thread, rerun, |c, k, id| {
        api_case(id, &format!("case {c}-{k}"), steps(c, k))
    })
}
