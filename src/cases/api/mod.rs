//! API cases (api-cases.md): parse the case, walk its steps, decide the case status.

pub mod model;
pub mod request;
pub mod step;

use super::context::CollectionContext;
use super::log::StepLog;
use super::result::now_ms;
use super::{CaseEnv, CaseMeta, CaseResult, Status, Transaction};
use model::ApiCase;
use step::Verdict;
use tokio_util::sync::CancellationToken;

/// Runs an API case; `None` when cancelled midway.
pub async fn run_case(
    meta: &CaseMeta,
    json: &serde_json::Value,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    cancel: &CancellationToken,
) -> Option<CaseResult> {
    let start = now_ms();
    let case = match ApiCase::parse(json) {
        Ok(c) => c,
        Err(e) => {
            let name = json.get("caseName").and_then(|v| v.as_str());
            return Some(CaseResult::error(meta, name, start, &e.to_string()));
        }
    };
    let mut transactions: Vec<Transaction> = Vec::new();
    let mut any_error = false;
    let mut any_fail = false;
    for step in &case.steps {
        let error_continue = step.flag("errorContinue");
        let run = tokio::select! {
            _ = cancel.cancelled() => return None,
            r = step::run(step, ctx, env) => r,
        };
        let mut log: StepLog = run.log;
        let mut t = run.transaction;
        let stop = match &run.verdict {
            Verdict::Pass => false,
            Verdict::Fail(text) => {
                any_fail = true;
                if error_continue {
                    log.error(text);
                }
                !error_continue
            }
            Verdict::Error(text) => {
                any_error = true;
                log.error(text);
                if env.enable_stderr {
                    log.error(&format!("程序错误信息: <br>{text}"));
                }
                !error_continue
            }
        };
        t.log = log.join_api();
        transactions.push(t);
        if stop {
            break;
        }
    }
    if transactions.is_empty() {
        // `apiList: []` passes with the Python engine's dummy transaction (api-cases §8.4).
        transactions.push(Transaction::unknown(meta.case_id.as_str(), Status::Pass));
    }
    let status = if any_error {
        Status::Error
    } else if any_fail {
        Status::Fail
    } else {
        Status::Pass
    };
    Some(CaseResult {
        status,
        start_ms: start,
        end_ms: now_ms(),
        collection_id: meta.collection_id.clone(),
        case_id: meta.case_id.clone(),
        case_type: meta.case_type.clone(),
        case_name: case.name.clone(),
        case_desc: case.comment.clone(),
        index: meta.index,
        run_times: meta.run_times,
        transactions,
    })
}
