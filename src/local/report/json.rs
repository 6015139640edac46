//! The results as the platform would receive them: for each PATH, the body of a
//! `result/upload` call (`taskId` and `caseResultList` of `WireCaseResult`, re-runs included),
//! plus a summary of the final statuses.

use crate::local::outcome::Outcome;
use crate::platform::wire::WireCaseResult;
use serde_json::json;

pub fn render(outcome: &Outcome) -> String {
    let c = outcome.counts();
    let tasks: Vec<serde_json::Value> = outcome
        .tasks
        .iter()
        .map(|t| {
            let list: Vec<WireCaseResult> = t.results.iter().map(WireCaseResult::from).collect();
            json!({
                "source": t.label,
                "taskId": t.task_id,
                "caseResultList": list,
            })
        })
        .collect();
    let doc = json!({
        "engine": format!("liuma-engine {}", env!("CARGO_PKG_VERSION")),
        "startTime": outcome.started.timestamp_millis(),
        "elapsedMs": u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
        "interrupted": outcome.interrupted,
        "summary": {
            "total": c.total,
            "passed": c.passed,
            "failed": c.failed,
            "errors": c.errors,
            "skipped": c.skipped,
        },
        "tasks": tasks,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
