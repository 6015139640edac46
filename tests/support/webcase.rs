//! WEB case JSON builders (the platform's shape, web-cases §1) and a look at the browser
//! processes an engine started, for the WEB tests.

use super::PlatformDouble;
use super::cases::uid;
use serde_json::{Value, json};
use std::path::Path;

/// One step. `elements`: (slot, by, expression); `data`: (key, type, value).
pub fn op(
    group: &str,
    name: &str,
    elements: &[(&str, &str, &str)],
    data: &[(&str, &str, &str)],
) -> Value {
    let mut el = serde_json::Map::new();
    for (slot, by, expr) in elements {
        el.insert(
            (*slot).into(),
            json!({"by": by, "expression": expr, "target": format!("page / {slot}")}),
        );
    }
    let mut d = serde_json::Map::new();
    for (k, t, v) in data {
        d.insert((*k).into(), json!({"type": t, "value": v}));
    }
    json!({
        "operationType": group, "operationId": format!("op-{name}"), "operationName": name,
        "operationDesc": null, "operationTrans": name, "operationCode": null,
        "operationElement": el, "operationData": d
    })
}

pub fn open(base: &str, path: &str) -> Value {
    op(
        "browser",
        "打开网页",
        &[],
        &[("domain", "String", base), ("path", "String", path)],
    )
}

pub fn assert_op(
    name: &str,
    elements: &[(&str, &str, &str)],
    extra: &[(&str, &str, &str)],
    cmp: &str,
    expect_type: &str,
    expect: &str,
) -> Value {
    let mut data = vec![
        ("assertion", "String", cmp),
        ("expect", expect_type, expect),
        ("continue", "Boolean", "false"),
    ];
    data.extend_from_slice(extra);
    op("assertion", name, elements, &data)
}

pub fn save(
    name: &str,
    elements: &[(&str, &str, &str)],
    extra: &[(&str, &str, &str)],
    save_name: &str,
) -> Value {
    let mut data = vec![("save_name", "String", save_name)];
    data.extend_from_slice(extra);
    op("relation", name, elements, &data)
}

pub fn web_case(id: &str, start: bool, close: bool, steps: Vec<Value>) -> Value {
    json!({
        "comment": "web test", "caseId": id, "caseName": id, "functions": [], "params": {},
        "startDriver": start, "closeDriver": close, "driverSetting": {}, "optList": steps
    })
}

fn parent(pid: u32) -> Option<(u32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let mut parts = after.split(' ');
    let state = parts.next()?.chars().next()?;
    let ppid = parts.next()?.parse().ok()?;
    Some((ppid, state))
}

/// Live (not zombie) processes started by the engine `engine_pid` (its descendants) or naming a
/// profile folder under `home/browser`: chromedriver and browser processes.
pub fn engine_browsers(home: &Path, engine_pid: u32) -> Vec<(u32, String)> {
    let profile = home.join("browser").display().to_string();
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == engine_pid {
            continue;
        }
        let Some((_, state)) = parent(pid) else {
            continue;
        };
        if state == 'Z' {
            continue;
        }
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        let mut descendant = false;
        let mut cur = pid;
        for _ in 0..64 {
            match parent(cur) {
                Some((pp, _)) if pp == engine_pid => {
                    descendant = true;
                    break;
                }
                Some((pp, _)) if pp > 1 => cur = pp,
                _ => break,
            }
        }
        if descendant || cmd.contains(&profile) {
            out.push((pid, cmd));
        }
    }
    out
}

/// How many distinct browser profiles under `home/browser` have a live process.
pub fn live_profiles(home: &Path, engine_pid: u32) -> usize {
    let marker = format!("--user-data-dir={}", home.join("browser").display());
    let mut profiles: Vec<String> = engine_browsers(home, engine_pid)
        .into_iter()
        .filter_map(|(pid, _)| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            String::from_utf8_lossy(&cmd)
                .split('\0')
                .find(|a| a.starts_with(&marker))
                .map(str::to_string)
        })
        .collect();
    profiles.sort();
    profiles.dedup();
    profiles.len()
}

/// Registers a WEB task: `collections` of (case id, case JSON). Returns the task id.
pub fn web_task(p: &PlatformDouble, max_thread: i64, collections: Vec<Vec<Value>>) -> String {
    let task_id = uid();
    let mut files = Vec::new();
    let mut list = Vec::new();
    for cases in collections {
        let cid = uid();
        let mut refs = Vec::new();
        for (i, case) in cases.into_iter().enumerate() {
            let case_id = case["caseId"].as_str().unwrap_or_default().to_string();
            files.push((cid.clone(), case_id.clone(), case.to_string()));
            refs.push(json!({"index": i + 1, "caseId": case_id, "caseType": "WEB"}));
        }
        list.push(json!({"collectionId": cid, "deviceId": null, "testCaseList": refs}));
    }
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    p.add_bundle(&task_id, super::make_bundle(&task_id, &refs));
    p.add_task(json!({
        "taskId": task_id, "taskType": "run",
        "downloadUrl": format!("/openapi/task/file/download/{task_id}"),
        "maxThread": max_thread, "reRun": false, "testCollectionList": list, "debugData": null
    }));
    task_id
}
