//! The plan: which cases run, in which collection and order, and where each case's JSON is.
//! Built from the task object's ids (never from file names).

use super::archive::Bundle;
use crate::cases::Status;
use crate::ids::{CaseId, CollectionId, TaskId, is_safe_path_component};
use crate::platform::wire::TaskObject;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a case's JSON comes from; read when the case runs, so memory stays bounded.
#[derive(Debug, Clone)]
pub enum CaseSource {
    /// A case file in a folder (local runs of a bundle folder).
    File(PathBuf),
    /// `<collectionId>/<caseId>.json` inside the verified bundle.
    Entry(Arc<Bundle>, String),
    Inline(Arc<serde_json::Value>),
    /// The data could not be had; the case is reported as error with this reason.
    Unavailable(String),
}

#[derive(Debug, Clone)]
pub struct PlannedCase {
    pub index: i64,
    pub case_id: CaseId,
    pub case_type: String,
    pub source: CaseSource,
}

#[derive(Debug, Clone)]
pub struct PlannedCollection {
    pub id: CollectionId,
    pub cases: Vec<PlannedCase>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub task_id: TaskId,
    pub collections: Vec<PlannedCollection>,
    pub max_thread: usize,
    pub rerun: bool,
    /// Case occurrences (collection, index, runTimes) that already have a result (a task
    /// resumed after a restart) and their status: they are not run again.
    pub done: HashMap<(String, i64, u32), Status>,
}

impl Plan {
    fn build(
        task: &TaskObject,
        default_max_thread: usize,
        mut source: impl FnMut(&CollectionId, &CaseId) -> CaseSource,
    ) -> Plan {
        let mut collections = Vec::new();
        for c in task.collections.iter().flatten() {
            let mut cases: Vec<PlannedCase> = c
                .cases
                .iter()
                .flatten()
                .map(|r| {
                    let (case_type, src) = match r.case_type.as_deref() {
                        Some(t) if !t.is_empty() => (t.to_string(), source(&c.collection_id, &r.case_id)),
                        _ => (
                            "API".to_string(),
                            CaseSource::Unavailable(
                                "用例类型为空: the task lists this case without a type (was it deleted?)".into(),
                            ),
                        ),
                    };
                    PlannedCase {
                        index: r.index,
                        case_id: r.case_id.clone(),
                        case_type,
                        source: src,
                    }
                })
                .collect();
            cases.sort_by_key(|c| c.index);
            // The same collection twice (web-cases §4.2, Q28 Fix): its second list is appended
            // to the first, so both run in one sequence with one context and one browser slot.
            match collections
                .iter_mut()
                .find(|p: &&mut PlannedCollection| p.id == c.collection_id)
            {
                Some(first) => first.cases.extend(cases),
                None => collections.push(PlannedCollection {
                    id: c.collection_id.clone(),
                    cases,
                }),
            }
        }
        let max_thread = task
            .max_thread
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(default_max_thread)
            .min(64);
        Plan {
            task_id: task.task_id.clone(),
            collections,
            max_thread,
            rerun: task.re_run.unwrap_or(false),
            done: HashMap::new(),
        }
    }

    /// A bundle folder: `<task_dir>/<collectionId>/<caseId>.json`.
    pub fn from_files(task: &TaskObject, task_dir: &Path, default_max_thread: usize) -> Plan {
        Self::build(task, default_max_thread, |coll, case| {
            if is_safe_path_component(coll.as_str()) && is_safe_path_component(case.as_str()) {
                CaseSource::File(
                    task_dir
                        .join(coll.as_str())
                        .join(format!("{}.json", case.as_str())),
                )
            } else {
                CaseSource::Unavailable(format!(
                    "用例数据路径无效: collectionId {coll:?} or caseId {case:?} is not a plain id"
                ))
            }
        })
    }

    /// A bundle task: `<collectionId>/<caseId>.json` entries of the verified bundle.
    pub fn from_bundle(task: &TaskObject, bundle: Arc<Bundle>, default_max_thread: usize) -> Plan {
        Self::build(task, default_max_thread, |coll, case| {
            if is_safe_path_component(coll.as_str()) && is_safe_path_component(case.as_str()) {
                CaseSource::Entry(
                    bundle.clone(),
                    format!("{}/{}.json", coll.as_str(), case.as_str()),
                )
            } else {
                CaseSource::Unavailable(format!(
                    "用例数据路径无效: collectionId {coll:?} or caseId {case:?} is not a plain id"
                ))
            }
        })
    }

    /// A debug task: only the first case of the first collection, with the inline data
    /// (the Python engine does the same; the platform sends exactly one).
    pub fn inline(
        task: &TaskObject,
        data: Arc<serde_json::Value>,
        default_max_thread: usize,
    ) -> Plan {
        let mut plan = Self::build(task, default_max_thread, |_, _| {
            CaseSource::Inline(data.clone())
        });
        plan.collections.truncate(1);
        if let Some(c) = plan.collections.first_mut() {
            c.cases.truncate(1);
        }
        plan
    }

    /// Every case errors with `reason`: the task still ends instead of hanging.
    pub fn unavailable(task: &TaskObject, reason: &str, default_max_thread: usize) -> Plan {
        Self::build(task, default_max_thread, |_, _| {
            CaseSource::Unavailable(reason.to_string())
        })
    }

    pub fn case_count(&self) -> usize {
        self.collections.iter().map(|c| c.cases.len()).sum()
    }
}

/// A case as read, not yet parsed: each case type parses it its own way (an API case straight
/// into its typed model, which skips building a JSON tree of the whole file first).
#[derive(Debug)]
pub enum LoadedCase {
    /// The file's bytes (shared with the bundle's kept copy when it has one), and how an error
    /// names the file.
    Bytes { bytes: bytes::Bytes, label: String },
    /// Already parsed (a debug task's inline data, a local run's adjusted case).
    Json(serde_json::Value),
}

impl From<serde_json::Value> for LoadedCase {
    fn from(j: serde_json::Value) -> Self {
        LoadedCase::Json(j)
    }
}

impl LoadedCase {
    /// `case` written out as a bundle file holds it (tests and benchmarks take the path of a
    /// real task this way).
    pub fn file_of(label: &str, case: &serde_json::Value) -> LoadedCase {
        LoadedCase::Bytes {
            bytes: serde_json::to_vec(case).unwrap_or_default().into(),
            label: label.to_string(),
        }
    }

    /// The case as a JSON tree; the error names the file.
    pub fn into_json(self) -> Result<serde_json::Value, String> {
        match self {
            LoadedCase::Json(j) => Ok(j),
            LoadedCase::Bytes { bytes, label } => serde_json::from_slice(&bytes)
                .map_err(|e| format!("用例数据不是合法JSON: {label}: {e}")),
        }
    }
}

impl CaseSource {
    /// Reads the case JSON; the error names the file.
    pub async fn load(&self) -> Result<serde_json::Value, String> {
        self.read().await?.into_json()
    }

    /// Reads the case without parsing it; the error names the file.
    pub async fn read(&self) -> Result<LoadedCase, String> {
        match self {
            CaseSource::Inline(v) => Ok(LoadedCase::Json((**v).clone())),
            CaseSource::Unavailable(reason) => Err(reason.clone()),
            CaseSource::File(path) => {
                let read = tokio::fs::read(path).await;
                file_read(path, read)
            }
            CaseSource::Entry(bundle, rel) => {
                // A typical case is a few KB: reading it in place costs less than a thread hop.
                let bytes = if bundle.size_of(rel).is_some_and(|n| n <= 256 * 1024) {
                    bundle.read(rel)?
                } else {
                    let (b, r) = (bundle.clone(), rel.clone());
                    tokio::task::spawn_blocking(move || b.read(&r))
                        .await
                        .map_err(|e| format!("用例数据文件读取失败: {rel}: {e}"))??
                };
                Ok(entry_read(bundle, rel, bytes))
            }
        }
    }

    /// [`CaseSource::read`] on a plain thread, for a case file of at most `max_bytes`, with the
    /// file's size (`None` for a larger one, one that is not there to read, or a case that is
    /// not a file: its case reads it when it runs, so that reading ahead holds little memory
    /// and changes no error). Blocking.
    pub fn read_small(&self, max_bytes: u64) -> Option<(u64, Result<LoadedCase, String>)> {
        match self {
            CaseSource::Inline(_) | CaseSource::Unavailable(_) => None,
            CaseSource::File(path) => {
                let size = std::fs::metadata(path).ok()?.len();
                (size <= max_bytes).then(|| (size, file_read(path, std::fs::read(path))))
            }
            CaseSource::Entry(bundle, rel) => {
                let size = bundle.size_of(rel)?;
                (size <= max_bytes).then(|| {
                    let read = bundle.read(rel).map(|b| entry_read(bundle, rel, b));
                    (size, read)
                })
            }
        }
    }
}

/// A case file's bytes as read from a folder, or the error that names the file.
fn file_read(path: &std::path::Path, read: std::io::Result<Vec<u8>>) -> Result<LoadedCase, String> {
    let bytes = read.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "用例数据文件不存在: {} is not in the bundle",
                path.display()
            )
        } else {
            format!("用例数据文件读取失败: {}: {e}", path.display())
        }
    })?;
    Ok(LoadedCase::Bytes {
        bytes: bytes.into(),
        label: path.display().to_string(),
    })
}

/// A case file's bytes as read from the bundle, labelled for errors.
fn entry_read(bundle: &Bundle, rel: &str, bytes: bytes::Bytes) -> LoadedCase {
    LoadedCase::Bytes {
        bytes,
        label: format!("{rel} in {}", bundle.path().display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_collection_twice_is_one_sequence() {
        let task: TaskObject = serde_json::from_value(serde_json::json!({
            "taskId": "t1",
            "maxThread": 2,
            "testCollectionList": [
                {"collectionId": "c1", "testCaseList": [
                    {"index": 2, "caseId": "b", "caseType": "WEB"},
                    {"index": 1, "caseId": "a", "caseType": "WEB"}]},
                {"collectionId": "c2", "testCaseList": [
                    {"index": 1, "caseId": "x", "caseType": "API"}]},
                {"collectionId": "c1", "testCaseList": [
                    {"index": 3, "caseId": "c", "caseType": "WEB"}]}
            ]
        }))
        .expect("task object");
        let plan = Plan::unavailable(&task, "test", 5);
        let lists: Vec<(&str, Vec<&str>)> = plan
            .collections
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.cases.iter().map(|k| k.case_id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(lists, vec![("c1", vec!["a", "b", "c"]), ("c2", vec!["x"])]);
        assert_eq!(plan.case_count(), 4);
    }
}
