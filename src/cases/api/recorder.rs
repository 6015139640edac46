//! Transactions of one case and the status rules of api-cases §8.4: opening a transaction
//! settles the previous one, console output goes to the latest one, an uncaught error or failure
//! marks the latest one and ends the case.

use crate::cases::log::{LineSlot, StepLog};
use crate::cases::{Status, Transaction};

#[derive(Default)]
pub struct Recorder {
    entries: Vec<(Transaction, StepLog, Option<Status>)>,
    pub any_error: bool,
    pub any_fail: bool,
    /// A line kept in its place whose text is still to be written (see [`Recorder::later`]).
    late: Option<Late>,
}

/// A reserved line of transaction `entry`, and what writes it.
struct Late {
    entry: usize,
    slot: LineSlot,
    write: Box<dyn FnOnce(&mut String) + Send + Sync>,
}

/// A debug line kept in its place and at its time by [`Recorder::reserve_debug`].
#[derive(Debug)]
pub struct ReservedLine {
    entry: usize,
    slot: LineSlot,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("entries", &self.entries)
            .field("any_error", &self.any_error)
            .field("any_fail", &self.any_fail)
            .field("late", &self.late.is_some())
            .finish()
    }
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

    /// Keeps the latest transaction's next debug line in its place and at its time, for a
    /// text that [`Recorder::later`] writes; `None` before the first transaction.
    pub fn reserve_debug(&mut self) -> Option<ReservedLine> {
        let entry = self.entries.len().checked_sub(1)?;
        let slot = self.entries[entry].1.reserve("Debug");
        Some(ReservedLine { entry, slot })
    }

    /// Has `write` write a reserved line when [`Recorder::settle`] next runs (at the latest
    /// when the transactions are finished). An API step's response line is written so during
    /// the next step's wait for its own answer, where a worker has nothing else to do, instead
    /// of between the answer and the next request. One line waits at a time: an earlier one
    /// is written now.
    pub fn later(
        &mut self,
        line: Option<ReservedLine>,
        write: impl FnOnce(&mut String) + Send + Sync + 'static,
    ) {
        self.settle();
        if let Some(ReservedLine { entry, slot }) = line {
            self.late = Some(Late {
                entry,
                slot,
                write: Box::new(write),
            });
        }
    }

    /// Writes a reserved line now.
    pub fn fill(&mut self, line: Option<ReservedLine>, write: impl FnOnce(&mut String)) {
        if let Some(ReservedLine { entry, slot }) = line
            && let Some((_, log, _)) = self.entries.get_mut(entry)
        {
            log.fill(slot, write);
        }
    }

    /// Writes the line that waits, if any.
    pub fn settle(&mut self) {
        if let Some(Late { entry, slot, write }) = self.late.take() {
            self.fill(Some(ReservedLine { entry, slot }), write);
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

    fn finish_with(mut self, join: fn(&StepLog) -> String) -> Vec<Transaction> {
        self.settle();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(log: &str) -> Vec<String> {
        log.split("<br><br>").map(|l| l[26..].to_string()).collect()
    }

    /// A line written later lands in its own transaction, in its place, whether the next
    /// transaction's wait writes it or the finish does; one line waits at a time.
    #[test]
    fn lines_written_later_land_in_their_place() {
        let mut rec = Recorder::default();
        assert!(rec.reserve_debug().is_none(), "no transaction, no line");
        rec.open("1", "one", "/1", None);
        rec.debug("start 1");
        let first = rec.reserve_debug();
        rec.debug("end 1");
        rec.later(first, |out| out.push_str("response 1"));
        rec.open("2", "two", "/2", None);
        rec.debug("start 2");
        rec.settle();
        let second = rec.reserve_debug();
        rec.debug("end 2");
        rec.later(second, |out| out.push_str("response 2"));
        rec.open("3", "three", "/3", None);
        let third = rec.reserve_debug();
        rec.debug("end 3");
        // A second line handed over while one waits: the waiting one is written first.
        rec.later(third, |out| out.push_str("response 3"));
        let done = rec.finish();
        assert_eq!(
            texts(&done[0].log),
            [
                " - Debug - start 1",
                " - Debug - response 1",
                " - Debug - end 1"
            ]
        );
        assert_eq!(
            texts(&done[1].log),
            [
                " - Debug - start 2",
                " - Debug - response 2",
                " - Debug - end 2"
            ]
        );
        assert_eq!(
            texts(&done[2].log),
            [" - Debug - response 3", " - Debug - end 3"]
        );
    }
}
