//! WEB cases. Not yet supported by this version: every WEB case is reported as an error that
//! says so, never dropped.

use super::{CaseMeta, CaseResult};

pub fn unsupported(meta: &CaseMeta, json: &serde_json::Value, start_ms: i64) -> CaseResult {
    let name = json.get("caseName").and_then(|v| v.as_str());
    CaseResult::error(
        meta,
        name,
        start_ms,
        "WEB用例暂不支持: this engine version does not run WEB cases yet",
    )
}
