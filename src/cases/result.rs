//! Plain results: what a case produced, independent of how it is reported (platform upload,
//! JUnit, HTML). Built by `cases`, serialised by `platform::wire` and `report`.

use crate::ids::{CaseId, CollectionId};
use serde::{Deserialize, Serialize};

/// Step and case status, with the platform's codes (§7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Fail,
    Error,
    Skip,
}

impl Status {
    pub fn code(self) -> i32 {
        match self {
            Status::Pass => 0,
            Status::Fail => 1,
            Status::Error => 2,
            Status::Skip => 3,
        }
    }

    pub fn from_code(code: i64) -> Status {
        match code {
            0 => Status::Pass,
            1 => Status::Fail,
            2 => Status::Error,
            _ => Status::Skip,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "success",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skip => "skip",
        }
    }

    /// Whether a re-run pass runs the case again.
    pub fn needs_rerun(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

/// One executed, skipped or failed step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    pub name: String,
    pub content: String,
    pub description: Option<String>,
    /// HTML log as the platform's report page shows it.
    pub log: String,
    pub during_ms: u64,
    pub status: Status,
    pub screenshots: Vec<String>,
}

impl Transaction {
    /// The Python engine's stand-in when a case produced no transaction (`未知`).
    pub fn unknown(case_id: &str, status: Status) -> Transaction {
        Transaction {
            id: case_id.to_string(),
            name: "未知".to_string(),
            content: "未知".to_string(),
            description: None,
            log: String::new(),
            during_ms: 0,
            status,
            screenshots: Vec::new(),
        }
    }
}

/// The result of one case occurrence in one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub status: Status,
    pub start_ms: i64,
    pub end_ms: i64,
    pub collection_id: CollectionId,
    pub case_id: CaseId,
    pub case_type: String,
    pub case_name: String,
    pub case_desc: Option<String>,
    pub index: i64,
    pub run_times: u32,
    pub transactions: Vec<Transaction>,
}

/// Identity of a case occurrence, carried from the task object to the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMeta {
    pub collection_id: CollectionId,
    pub case_id: CaseId,
    /// As the task object names it (`API`, `WEB`, `APP`), or `API` when it named none.
    pub case_type: String,
    pub index: i64,
    pub run_times: u32,
}

impl CaseResult {
    /// A case that could not run at all: one `未知` transaction holding the reason.
    pub fn error(
        meta: &CaseMeta,
        case_name: Option<&str>,
        start_ms: i64,
        reason: &str,
    ) -> CaseResult {
        let mut log = super::log::StepLog::default();
        log.error(reason);
        let mut t = Transaction::unknown(meta.case_id.as_str(), Status::Error);
        t.log = log.join_api();
        CaseResult {
            status: Status::Error,
            start_ms,
            end_ms: now_ms().max(start_ms),
            collection_id: meta.collection_id.clone(),
            case_id: meta.case_id.clone(),
            case_type: meta.case_type.clone(),
            case_name: case_name.unwrap_or("未知").to_string(),
            case_desc: None,
            index: meta.index,
            run_times: meta.run_times,
            transactions: vec![t],
        }
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
