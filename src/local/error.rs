//! What can be wrong with the input of a local run. Every message names the file (and the
//! field when there is one) so the user knows what to fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or folder")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}: not valid JSON: {reason}")]
    Json { path: PathBuf, reason: String },
    #[error("{path}: {field}: {reason}")]
    Field {
        path: PathBuf,
        field: String,
        reason: String,
    },
    #[error(
        "{path}: neither a task object (taskId, testCollectionList), a task/fetch answer (data.taskId) nor a case (caseName, apiList)"
    )]
    Unknown { path: PathBuf },
    #[error("{path}: the bundle cannot be used: {reason}")]
    Bundle { path: PathBuf, reason: String },
    #[error("{path}: no case files found (expected <collectionId>/<caseId>.json or *.json)")]
    Empty { path: PathBuf },
    #[error("--{option} {value:?}: {reason}")]
    Option {
        option: &'static str,
        value: String,
        reason: String,
    },
    #[error("no case left to run: {0}")]
    NothingToRun(String),
    #[error("cannot prepare the run: {0}")]
    Setup(String),
}
