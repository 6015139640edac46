//! What a local run produced, the counts every report shows, and the exit code.

use super::adjust::CaseNames;
use crate::cases::{CaseResult, Status};
use crate::ids::{CollectionId, TaskId};
use std::collections::HashMap;
use std::time::Duration;

/// Exit codes of `run` (and `demo`), documented in `--help` and the README.
pub mod exit {
    /// Every case passed (or was skipped).
    pub const PASSED: u8 = 0;
    /// At least one case failed an assertion, none errored.
    pub const FAILED: u8 = 1;
    /// At least one case errored (request error, bad case data, unsupported step…).
    pub const ERRORED: u8 = 2;
    /// Invalid input: a PATH or option that cannot be used; nothing ran.
    pub const INVALID: u8 = 3;
    /// Interrupted (Ctrl-C) or the reports could not be written.
    pub const INCOMPLETE: u8 = 4;
}

/// The results of one PATH.
pub struct TaskOutcome {
    pub label: String,
    pub task_id: TaskId,
    /// Collections in plan order (reports keep this order).
    pub collections: Vec<CollectionId>,
    /// Every result, re-runs included, in arrival order.
    pub results: Vec<CaseResult>,
    pub names: CaseNames,
}

pub struct Outcome {
    pub tasks: Vec<TaskOutcome>,
    pub started: chrono::DateTime<chrono::Local>,
    pub elapsed: Duration,
    pub interrupted: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Error => self.errors += 1,
            Status::Skip => self.skipped += 1,
        }
    }
}

impl TaskOutcome {
    /// The result that counts for each case occurrence (the highest `runTimes`, as on the
    /// platform), ordered by collection (plan order) and `index`.
    pub fn finals(&self) -> Vec<&CaseResult> {
        let mut best: HashMap<(&str, i64), &CaseResult> = HashMap::new();
        for r in &self.results {
            let key = (r.collection_id.as_str(), r.index);
            match best.get(&key) {
                Some(prev) if prev.run_times >= r.run_times => {}
                _ => {
                    best.insert(key, r);
                }
            }
        }
        let pos: HashMap<&str, usize> = self
            .collections
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut out: Vec<&CaseResult> = best.into_values().collect();
        out.sort_by_key(|r| {
            (
                pos.get(r.collection_id.as_str())
                    .copied()
                    .unwrap_or(usize::MAX),
                r.index,
            )
        });
        out
    }

    /// Earlier attempts of an occurrence that was re-run.
    pub fn earlier_attempts(&self, r: &CaseResult) -> Vec<&CaseResult> {
        self.results
            .iter()
            .filter(|o| {
                o.collection_id == r.collection_id
                    && o.index == r.index
                    && o.run_times < r.run_times
            })
            .collect()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in self.finals() {
            c.add(r.status);
        }
        c
    }
}

impl Outcome {
    pub fn counts(&self) -> Counts {
        let mut all = Counts::default();
        for t in &self.tasks {
            for r in t.finals() {
                all.add(r.status);
            }
        }
        all
    }

    pub fn exit_code(&self) -> u8 {
        let c = self.counts();
        if self.interrupted {
            exit::INCOMPLETE
        } else if c.errors > 0 {
            exit::ERRORED
        } else if c.failed > 0 {
            exit::FAILED
        } else {
            exit::PASSED
        }
    }
}

/// Milliseconds a case took.
pub fn duration_ms(r: &CaseResult) -> u64 {
    u64::try_from(r.end_ms.saturating_sub(r.start_ms)).unwrap_or(0)
}

/// Why a case did not pass, in one line: the first failed or errored step and its last error
/// entry (`[step] message`). `None` for passed cases.
pub fn failure_message(r: &CaseResult) -> Option<String> {
    if matches!(r.status, Status::Pass | Status::Skip) {
        return None;
    }
    let t = r
        .transactions
        .iter()
        .find(|t| matches!(t.status, Status::Fail | Status::Error))
        .or_else(|| r.transactions.last())?;
    let text = super::report::text::log_text(&t.log);
    let message = text
        .split("\n\n")
        .filter_map(|entry| entry.split_once(" - Error - ").map(|(_, m)| m.trim()))
        .find(|m| !m.starts_with("程序错误信息"))
        .map(|m| m.lines().next().unwrap_or(m).to_string())
        .unwrap_or_else(|| format!("step {}", t.status.label()));
    let prefix = format!("[{}]", t.name);
    if message.starts_with(&prefix) {
        Some(message)
    } else {
        Some(format!("{prefix} {message}"))
    }
}
