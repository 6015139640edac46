//! Transactions of one case and the status rules of api-cases §8.4: opening a transaction
//! settles the previous one, console output goes to the latest one, an uncaught error or failure
//! marks the latest one and ends the case.

use crate::cases::log::StepLog;
use crate::cases::{Status, Transaction};

#[derive(Debug, Default)]
pub struct Recorder {
    entries: Vec<(Transaction, StepLog, Option<Status>)>,
    pub any_error: bool,
    pub any_fail: bool,
}

impl Recorder {
    /// Opens a transaction; a previous one without a status passed.
    pub fn open(&mut self, id: &str, name: &str, content: &str, description: Option<&str>) {
        if let Some((_, _, status)) = self.entries.last_mut()
            && status.is_none()
        {
            *status = Some(Status::Pass);
        }
        self.entries.push((
            Transaction {
                id: id.to_string(),
                name: name.to_string(),
                content: content.to_string(),
                description: description.map(str::to_string),
                log: String::new(),
                during_ms: 0,
                status: Status::Pass,
                screenshots: Vec::new(),
            },
            StepLog::default(),
            None,
        ));
    }

    pub fn has_transaction(&self) -> bool {
        !self.entries.is_empty()
    }

    /// Lines written before the first transaction are dropped, as in the Python engine.
    pub fn debug(&mut self, text: &str) {
        if let Some((_, log, _)) = self.entries.last_mut() {
            log.debug(text);
        }
    }

    /// A debug line written in place by `write`; nothing before the first transaction.
    pub fn debug_with(&mut self, write: impl FnOnce(&mut String)) {
        if let Some((_, log, _)) = self.entries.last_mut() {
            log.debug_with(write);
        }
    }

    pub fn error(&mut self, text: &str) {
        if let Some((_, log, _)) = self.entries.last_mut() {
            log.error(text);
        }
    }

    pub fn set_during(&mut self, ms: u64) {
        if let Some((t, _, _)) = self.entries.last_mut() {
            t.during_ms = ms;
        }
    }

    /// Sets the `during` of transaction `index` (a loop's own transaction, once its body ran).
    pub fn set_during_at(&mut self, index: usize, ms: u64) {
        if let Some((t, _, _)) = self.entries.get_mut(index) {
            t.during_ms = ms;
        }
    }

    /// Records the latest transaction's status; errors and failures count for the case.
    pub fn set_status(&mut self, status: Status) {
        match status {
            Status::Error => self.any_error = true,
            Status::Fail => self.any_fail = true,
            _ => {}
        }
        if let Some((_, _, s)) = self.entries.last_mut() {
            *s = Some(status);
        }
    }

    /// Appends captured console output (§8.3) to the latest transaction.
    pub fn console(&mut self, buffer: &mut String) {
        if buffer.is_empty() {
            return;
        }
        let text = std::mem::take(buffer).replace('\n', "<br>");
        self.debug(&format!("控制台输出:<br> {text}"));
    }

    /// The case status: error wins over failure, which wins over success.
    pub fn case_status(&self) -> Status {
        if self.any_error {
            Status::Error
        } else if self.any_fail {
            Status::Fail
        } else {
            Status::Pass
        }
    }

    pub fn finish(self) -> Vec<Transaction> {
        self.finish_with(StepLog::join_api)
    }

    /// WEB/APP transactions: log entries joined with `<br>` (web-cases §7.1).
    pub fn finish_web(self) -> Vec<Transaction> {
        self.finish_with(StepLog::join_web)
    }

    fn finish_with(self, join: fn(&StepLog) -> String) -> Vec<Transaction> {
        self.entries
            .into_iter()
            .map(|(mut t, log, status)| {
                t.status = status.unwrap_or(Status::Pass);
                t.log = join(&log);
                t
            })
            .collect()
    }

    /// Attaches a screenshot id to the latest transaction (web-cases §5.2).
    pub fn add_screenshot(&mut self, id: String) {
        if let Some((t, _, _)) = self.entries.last_mut() {
            t.screenshots.push(id);
        }
    }

    /// The latest transaction's status, when already decided.
    pub fn last_status(&self) -> Option<Status> {
        self.entries.last().and_then(|(_, _, s)| *s)
    }

    /// How many transactions were opened.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
