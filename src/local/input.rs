//! Turns a PATH given to `liuma-engine run` into a task object and a [`Plan`], the same plan
//! type the agent builds from a fetched task, so the run goes through the same runner.
//!
//! A PATH is one of:
//! - a **bundle zip** as the platform builds it (`/<taskId>/<collectionId>/<caseId>.json`); it is
//!   extracted with the agent's safe extractor into a scratch folder, then read as a folder;
//! - a **folder** in bundle layout: with a `task.json` (a task object) the task says which cases
//!   run (case files in `<folder>/<collectionId>/<caseId>.json`, or `<folder>/<taskId>/…` when
//!   that exists); without one, every `*.json` file directly in the folder is a case of a
//!   collection named after the folder, then every sub-folder holding `*.json` files is a
//!   collection (its name is the collection id, each file name the case id), all in name order;
//! - a **task JSON** as `task/fetch` returns it (the whole answer or its `data`): with
//!   `debugData` its inline case runs; otherwise its bundle is found next to it: `downloadUrl`
//!   read as a path relative to the task file (a `.zip` or a folder), else `<taskId>.zip`, else a
//!   `<taskId>/` folder, else the task file's own folder when it holds `<collectionId>/` folders;
//! - a **single case JSON** (`caseName`, `apiList`): one collection named after the file.

use super::error::InputError;
use crate::bundle::archive::{self as extract, Limits};
use crate::bundle::{CaseSource, Plan};
use crate::ids::{CaseId, CollectionId, TaskId, is_safe_path_component};
use crate::platform::wire::{TaskObject, WireCaseRef, WireCollection};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `maxThread` when the task names none (the platform's default for plans).
pub const DEFAULT_MAX_THREAD: usize = 5;

/// One loaded PATH.
pub struct Input {
    /// The PATH as the user gave it.
    pub label: String,
    pub task: TaskObject,
    pub plan: Plan,
    /// A scratch folder holding an extracted zip; removed when the input is dropped.
    pub scratch: Option<Scratch>,
}

/// A temporary folder removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Result<Scratch, InputError> {
        let dir = std::env::temp_dir().join(format!("liuma-run-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).map_err(|e| InputError::Read {
            path: dir.clone(),
            reason: e.to_string(),
        })?;
        Ok(Scratch(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_err(path: &Path, e: std::io::Error) -> InputError {
    if e.kind() == std::io::ErrorKind::NotFound {
        InputError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        InputError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

fn read_json(path: &Path) -> Result<Json, InputError> {
    let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| InputError::Json {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn is_zip(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return true;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

/// Loads one PATH.
pub fn load(path: &Path) -> Result<Input, InputError> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| read_err(path, e))?;
    let (task, plan, scratch) = if meta.is_dir() {
        let (task, plan) = load_dir(path)?;
        (task, plan, None)
    } else if is_zip(path) {
        let scratch = Scratch::new()?;
        let dir = extract_zip(path, scratch.path())?;
        let (task, plan) = load_dir(&dir)?;
        (task, plan, Some(scratch))
    } else {
        let json = read_json(path)?;
        load_json_file(path, json)?
    };
    Ok(Input {
        label,
        task,
        plan,
        scratch,
    })
}

/// The task folder name shared by every entry (`/<taskId>/…`), if there is one.
fn zip_top_folder(path: &Path) -> Result<Option<String>, InputError> {
    let file = std::fs::File::open(path).map_err(|e| read_err(path, e))?;
    let archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| InputError::Bundle {
            path: path.to_path_buf(),
            reason: format!("not a readable zip: {e}"),
        })?;
    let mut top: Option<String> = None;
    for name in archive.file_names() {
        let Ok(name) = name else {
            return Ok(None);
        };
        let trimmed = name.trim_start_matches('/');
        if trimmed.is_empty() {
            continue;
        }
        let Some((first, _)) = trimmed.split_once('/') else {
            return Ok(None);
        };
        match &top {
            None => top = Some(first.to_string()),
            Some(t) if t == first => {}
            Some(_) => return Ok(None),
        }
    }
    Ok(top)
}

/// Extracts a bundle zip with the agent's extractor; returns the folder holding the collections.
fn extract_zip(path: &Path, scratch: &Path) -> Result<PathBuf, InputError> {
    let top = zip_top_folder(path)?;
    let dest = scratch.join(
        top.as_deref()
            .filter(|t| is_safe_path_component(t))
            .unwrap_or("bundle"),
    );
    // An id that matches no entry keeps every path as it is (a zip without a task folder).
    let strip = top.clone().unwrap_or_default();
    extract::extract_bundle(path, &strip, &dest, Limits::default()).map_err(|e| {
        InputError::Bundle {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    Ok(dest)
}

/// `API`, `WEB` or `APP` from what the case JSON holds.
pub fn sniff_case_type(json: &Json) -> &'static str {
    if json.get("apiList").is_some() {
        "API"
    } else if json.get("deviceSystem").is_some() || json.get("appId").is_some() {
        "APP"
    } else if json.get("optList").is_some() {
        "WEB"
    } else {
        "API"
    }
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| read_err(dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| e == "json")
                && p.file_name().is_some_and(|n| n != "task.json")
        })
        .collect();
    files.sort();
    Ok(files)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn folder_name(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "local".to_string())
}

fn load_dir(dir: &Path) -> Result<(TaskObject, Plan), InputError> {
    let task_file = dir.join("task.json");
    if task_file.is_file() {
        let json = read_json(&task_file)?;
        let task = parse_task(&task_file, json)?;
        let plan = plan_for_task(&task, &task_file, Some(dir))?;
        return Ok((task, plan));
    }
    derive_from_layout(dir)
}

/// A task object made up from the folder layout (no task.json).
fn derive_from_layout(dir: &Path) -> Result<(TaskObject, Plan), InputError> {
    let mut groups: Vec<(String, Vec<PathBuf>)> = Vec::new();
    let top = json_files(dir)?;
    if !top.is_empty() {
        groups.push((folder_name(dir), top));
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| read_err(dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let files = json_files(&sub)?;
        if !files.is_empty() {
            groups.push((
                sub.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                files,
            ));
        }
    }
    // An extracted bundle whose task folder was not stripped: `<taskId>/<collectionId>/…`.
    if groups.is_empty() {
        let mut only = std::fs::read_dir(dir)
            .map_err(|e| read_err(dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir());
        if let (Some(one), None) = (only.next(), only.next()) {
            return load_dir(&one);
        }
        return Err(InputError::Empty {
            path: dir.to_path_buf(),
        });
    }
    let mut collections = Vec::new();
    let mut files_of: Vec<Vec<PathBuf>> = Vec::new();
    for (id, files) in groups {
        let cases = files
            .iter()
            .enumerate()
            .map(|(i, f)| WireCaseRef {
                index: i as i64 + 1,
                case_id: CaseId(stem(f)),
                case_type: Some(
                    read_json(f)
                        .map(|j| sniff_case_type(&j))
                        .unwrap_or("API")
                        .to_string(),
                ),
            })
            .collect();
        collections.push(WireCollection {
            collection_id: CollectionId(id),
            device_id: None,
            cases: Some(cases),
        });
        files_of.push(files);
    }
    let task = TaskObject {
        task_id: TaskId(folder_name(dir)),
        task_type: Some("local".into()),
        download_url: None,
        max_thread: None,
        re_run: Some(false),
        collections: Some(collections),
        debug_data: None,
    };
    let mut plan = Plan::from_files(&task, dir, DEFAULT_MAX_THREAD);
    // Sources point at the files found, whatever folder they are in.
    for (coll, files) in plan.collections.iter_mut().zip(files_of) {
        for case in coll.cases.iter_mut() {
            if let Some(f) = usize::try_from(case.index - 1)
                .ok()
                .and_then(|i| files.get(i))
            {
                case.source = CaseSource::File(f.clone());
            }
        }
    }
    Ok((task, plan))
}

/// The task object of a task file: the whole `task/fetch` answer or its `data`.
fn parse_task(path: &Path, json: Json) -> Result<TaskObject, InputError> {
    let json = match json {
        Json::Object(mut o) if o.get("data").is_some_and(|d| d.get("taskId").is_some()) => {
            o.remove("data").unwrap_or(Json::Null)
        }
        other => other,
    };
    serde_json::from_value::<TaskObject>(json).map_err(|e| InputError::Field {
        path: path.to_path_buf(),
        field: "task object".into(),
        reason: e.to_string(),
    })
}

fn load_json_file(
    path: &Path,
    json: Json,
) -> Result<(TaskObject, Plan, Option<Scratch>), InputError> {
    let is_task =
        json.get("taskId").is_some() || json.get("data").is_some_and(|d| d.get("taskId").is_some());
    if is_task {
        let task = parse_task(path, json)?;
        let (plan, scratch) = plan_with_bundle(&task, path)?;
        return Ok((task, plan, scratch));
    }
    if json.get("apiList").is_some() || json.get("caseName").is_some() {
        let name = stem(path);
        let case_id = json
            .get("caseId")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| name.clone());
        let task = TaskObject {
            task_id: TaskId(format!("local-{name}")),
            task_type: Some("debug".into()),
            download_url: None,
            max_thread: Some(1),
            re_run: Some(false),
            collections: Some(vec![WireCollection {
                collection_id: CollectionId(name),
                device_id: None,
                cases: Some(vec![WireCaseRef {
                    index: 1,
                    case_id: CaseId(case_id),
                    case_type: Some(sniff_case_type(&json).to_string()),
                }]),
            }]),
            debug_data: Some(json.clone()),
        };
        let plan = Plan::inline(&task, Arc::new(json), 1);
        return Ok((task, plan, None));
    }
    Err(InputError::Unknown {
        path: path.to_path_buf(),
    })
}

/// A task file outside a folder input: its bundle may be a zip that must be extracted.
fn plan_with_bundle(task: &TaskObject, path: &Path) -> Result<(Plan, Option<Scratch>), InputError> {
    if has_debug_data(task) {
        return Ok((plan_for_task(task, path, None)?, None));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    for candidate in bundle_candidates(task, base) {
        if candidate.is_file() && is_zip(&candidate) {
            let scratch = Scratch::new()?;
            let dir = extract_zip(&candidate, scratch.path())?;
            let dir = task_folder(&dir, task);
            return Ok((
                Plan::from_files(task, &dir, DEFAULT_MAX_THREAD),
                Some(scratch),
            ));
        }
        if candidate.is_dir() {
            let dir = task_folder(&candidate, task);
            return Ok((Plan::from_files(task, &dir, DEFAULT_MAX_THREAD), None));
        }
    }
    Ok((plan_for_task(task, path, None)?, None))
}

fn has_debug_data(task: &TaskObject) -> bool {
    task.debug_data.as_ref().is_some_and(|d| !d.is_null())
}

/// Where the bundle of a task file may be, in the order they are tried.
fn bundle_candidates(task: &TaskObject, base: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(url) = task.download_url.as_deref().filter(|u| !u.is_empty())
        && !url.contains("://")
        && !url.starts_with("/openapi/")
    {
        out.push(base.join(url));
    }
    if is_safe_path_component(task.task_id.as_str()) {
        out.push(base.join(format!("{}.zip", task.task_id)));
        out.push(base.join(task.task_id.as_str()));
    }
    out
}

/// `<dir>/<taskId>` when the task's collections live one level down.
fn task_folder(dir: &Path, task: &TaskObject) -> PathBuf {
    let nested = dir.join(task.task_id.as_str());
    if is_safe_path_component(task.task_id.as_str())
        && nested.is_dir()
        && !holds_collections(dir, task)
    {
        nested
    } else {
        dir.to_path_buf()
    }
}

fn holds_collections(dir: &Path, task: &TaskObject) -> bool {
    task.collections.iter().flatten().any(|c| {
        is_safe_path_component(c.collection_id.as_str())
            && dir.join(c.collection_id.as_str()).is_dir()
    })
}

/// The plan of a task whose bundle (if any) is a folder: `folder` for a folder input, else the
/// task file's own folder when it holds the collections.
fn plan_for_task(
    task: &TaskObject,
    task_file: &Path,
    folder: Option<&Path>,
) -> Result<Plan, InputError> {
    if has_debug_data(task) {
        let data = task.debug_data.clone().unwrap_or(Json::Null);
        return Ok(Plan::inline(task, Arc::new(data), DEFAULT_MAX_THREAD));
    }
    let cases = task.case_count();
    if cases == 0 {
        return Err(InputError::Field {
            path: task_file.to_path_buf(),
            field: "testCollectionList".into(),
            reason: "lists no case".into(),
        });
    }
    let base = folder
        .map(Path::to_path_buf)
        .unwrap_or_else(|| task_file.parent().unwrap_or(Path::new(".")).to_path_buf());
    if let Some(folder) = folder {
        let dir = task_folder(folder, task);
        return Ok(Plan::from_files(task, &dir, DEFAULT_MAX_THREAD));
    }
    if holds_collections(&base, task) {
        return Ok(Plan::from_files(task, &base, DEFAULT_MAX_THREAD));
    }
    Err(InputError::Field {
        path: task_file.to_path_buf(),
        field: "downloadUrl".into(),
        reason: format!(
            "{:?} is not a local bundle, and there is no {id}.zip, no {id}/ folder and no <collectionId>/ folder next to the task file (or give the task debugData)",
            task.download_url.as_deref().unwrap_or(""),
            id = task.task_id
        ),
    })
}
