//! Settling calls whose answer was lost. Result uploads are not idempotent (platform-protocol
//! §7.4): when an upload's answer never arrived — the connection broke, the engine was killed —
//! the engine asks the platform what it stored (`exec/result/{taskId}`) instead of guessing, and
//! acknowledges the results that are already there. The same view tells whether a `complete`
//! that was in flight took effect. What is left is the short moment in which the platform is
//! still inside the lost call while the engine asks.

use crate::ids::TaskId;
use crate::platform::wire::{ReportView, ResultKey};
use crate::platform::{PlatformClient, PlatformError};
use std::collections::HashMap;

/// What the platform holds for one task.
#[derive(Debug, Clone, Default)]
pub struct PlatformRecord {
    /// (collectionId, index) → the highest `runTimes` stored.
    stored: HashMap<(String, i64), i64>,
    status: Option<String>,
}

impl PlatformRecord {
    pub async fn fetch(client: &PlatformClient, task_id: &TaskId) -> Result<Self, PlatformError> {
        Ok(Self::from_view(client.report(task_id).await?))
    }

    pub fn from_view(view: ReportView) -> Self {
        let mut stored: HashMap<(String, i64), i64> = HashMap::new();
        for c in view.collections.into_iter().flatten() {
            let Some(collection) = c.collection_id else {
                continue;
            };
            for case in c.cases.into_iter().flatten() {
                if let Some(index) = case.index {
                    let runs = case.run_times.unwrap_or(0);
                    let e = stored.entry((collection.clone(), index)).or_insert(runs);
                    *e = (*e).max(runs);
                }
            }
        }
        Self {
            stored,
            status: view.status,
        }
    }

    /// Whether the platform already holds `result` — or a later run of the same case, which
    /// hides it from every count and page anyway.
    pub fn holds(&self, result: &ResultKey) -> bool {
        self.stored
            .get(&(result.collection_id.as_str().to_string(), result.index))
            .is_some_and(|runs| *runs >= i64::from(result.run_times))
    }

    /// `complete` took effect: the report has its final status.
    pub fn completed(&self) -> bool {
        matches!(
            self.status.as_deref(),
            Some("success" | "fail" | "error" | "skip")
        )
    }

    /// The task was stopped (by a user or the platform's timeout job).
    pub fn stopped(&self) -> bool {
        self.status.as_deref() == Some("discontinue")
    }

    pub fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("unknown")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(collection: &str, index: i64, run_times: u32) -> ResultKey {
        crate::platform::wire::SealedResult::sample(collection, index, run_times).key
    }

    #[test]
    fn holds_the_same_or_a_later_run() {
        let view: ReportView = serde_json::from_value(json!({
            "status": "running",
            "collectionList": [
                {"collectionId": "A", "caseList": [
                    {"collectionCaseIndex": 1, "runTimes": 1},
                    {"collectionCaseIndex": 2, "runTimes": 2}
                ]},
                {"collectionId": null, "caseList": null},
                {"collectionId": "B"}
            ],
            "unknown": true
        }))
        .expect("view");
        let rec = PlatformRecord::from_view(view);
        assert!(rec.holds(&result("A", 1, 1)));
        assert!(!rec.holds(&result("A", 1, 2)));
        assert!(rec.holds(&result("A", 2, 1)));
        assert!(!rec.holds(&result("A", 3, 1)));
        assert!(!rec.holds(&result("B", 1, 1)));
        assert!(!rec.completed() && !rec.stopped());
    }

    #[test]
    fn final_statuses() {
        for (s, done, stopped) in [
            ("success", true, false),
            ("fail", true, false),
            ("error", true, false),
            ("skip", true, false),
            ("running", false, false),
            ("discontinue", false, true),
        ] {
            let rec = PlatformRecord::from_view(
                serde_json::from_value(json!({ "status": s })).expect("view"),
            );
            assert_eq!((rec.completed(), rec.stopped()), (done, stopped), "{s}");
        }
        let empty = PlatformRecord::from_view(serde_json::from_value(json!({})).expect("view"));
        assert!(!empty.completed());
    }
}
