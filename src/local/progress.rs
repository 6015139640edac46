//! Progress of a local run on stdout.
//!
//! - `Live` (stdout is a terminal): one line per finished case, and below them a block redrawn in
//!   place with ANSI codes: cases done/total, pass/fail/error/skip counts, elapsed time and ETA,
//!   and the case running in each collection.
//! - `Lines` (CI logs, pipes): one plain line per finished case, no escape codes.
//! - `Quiet`: nothing (the summary is printed by the caller).
//!
//! `verbose` adds every step's log (request and response) under its case line.

use super::outcome::Counts;
use super::report::junit::step_text;
use super::report::text::human_ms;
use crate::cases::{CaseResult, Status};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Lines,
    Quiet,
}

/// Longest line of the live block, in terminal columns (the rest is cut).
const BLOCK_WIDTH: usize = 110;
/// Running collections shown in the live block.
const MAX_RUNNING_SHOWN: usize = 8;

pub struct Progress {
    mode: Mode,
    verbose: bool,
    total: usize,
    done: usize,
    /// The latest status of every case occurrence: (input, collection, index).
    statuses: HashMap<(usize, String, i64), Status>,
    /// Collection → the case it is running.
    running: BTreeMap<String, String>,
    started: Instant,
    drawn: usize,
    out: std::io::Stdout,
}

fn width(c: char) -> usize {
    let u = c as u32;
    // East Asian wide and full-width ranges (enough for CJK case names).
    if (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x1F300..=0x1FAFF).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u)
    {
        2
    } else {
        1
    }
}

/// `s` cut to `max` terminal columns.
fn clip(s: &str, max: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = width(c);
        if used + w > max {
            out.push('…');
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// One line, no control characters (a case name cannot move the cursor).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Progress {
    pub fn new(mode: Mode, verbose: bool, total: usize) -> Self {
        Self {
            mode,
            verbose,
            total,
            done: 0,
            statuses: HashMap::new(),
            running: BTreeMap::new(),
            started: Instant::now(),
            drawn: 0,
            out: std::io::stdout(),
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in self.statuses.values() {
            c.add(*s);
        }
        c
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn color(&self, code: &str, text: &str) -> String {
        if self.mode == Mode::Live {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn status_word(&self, s: Status) -> String {
        match s {
            Status::Pass => self.color("32", "PASS "),
            Status::Fail => self.color("31;1", "FAIL "),
            Status::Error => self.color("35;1", "ERROR"),
            Status::Skip => self.color("90", "SKIP "),
        }
    }

    pub fn started(&mut self, collection: &str, index: i64, name: &str, run_times: u32) {
        if run_times > 1 {
            self.total += 1;
        }
        let label = if run_times > 1 {
            format!("{name} (#{index}, re-run)")
        } else {
            format!("{name} (#{index})")
        };
        self.running.insert(collection.to_string(), label);
        self.redraw();
    }

    pub fn finished(&mut self, input: usize, r: &CaseResult) {
        self.done += 1;
        self.statuses.insert(
            (input, r.collection_id.as_str().to_string(), r.index),
            r.status,
        );
        self.running.remove(r.collection_id.as_str());
        if self.mode == Mode::Quiet {
            return;
        }
        let digits = self.total.max(1).to_string().len();
        let mut text = format!(
            "[{:>digits$}/{}] {} {} · {} #{}{} · {}\n",
            self.done,
            self.total,
            self.status_word(r.status),
            one_line(&r.case_name),
            one_line(r.collection_id.as_str()),
            r.index,
            if r.run_times > 1 { " (re-run)" } else { "" },
            human_ms(super::outcome::duration_ms(r)),
        );
        if let Some(m) = super::outcome::failure_message(r) {
            text.push_str(&format!("        {}\n", one_line(&m)));
        }
        if self.verbose {
            for t in &r.transactions {
                for line in step_text(t).lines() {
                    text.push_str("    ");
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
        self.print_above(&text);
    }

    /// Prints permanent text above the live block.
    fn print_above(&mut self, text: &str) {
        self.clear_block();
        let _ = self.out.write_all(text.as_bytes());
        self.draw_block();
    }

    fn clear_block(&mut self) {
        if self.mode == Mode::Live && self.drawn > 0 {
            let _ = write!(self.out, "\x1b[{}A\r\x1b[J", self.drawn);
            self.drawn = 0;
        }
    }

    fn block_lines(&self) -> Vec<String> {
        let c = self.counts();
        let elapsed = self.elapsed();
        let eta = if self.done > 0 && self.done < self.total {
            let per = elapsed.as_secs_f64() / self.done as f64;
            let left = per * (self.total - self.done) as f64;
            format!(", ETA {}", human_ms((left * 1000.0) as u64))
        } else {
            String::new()
        };
        let mut lines = vec![format!(
            "{}/{} done  {} passed  {} failed  {} errors  {} skipped  {} elapsed{eta}",
            self.done,
            self.total,
            self.color("32", &c.passed.to_string()),
            self.color("31", &c.failed.to_string()),
            self.color("35", &c.errors.to_string()),
            self.color("90", &c.skipped.to_string()),
            human_ms(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)),
        )];
        for (coll, case) in self.running.iter().take(MAX_RUNNING_SHOWN) {
            lines.push(clip(&one_line(&format!("  ▸ {coll}: {case}")), BLOCK_WIDTH));
        }
        if self.running.len() > MAX_RUNNING_SHOWN {
            lines.push(format!(
                "  … and {} more collections",
                self.running.len() - MAX_RUNNING_SHOWN
            ));
        }
        lines
    }

    fn draw_block(&mut self) {
        if self.mode != Mode::Live {
            let _ = self.out.flush();
            return;
        }
        let lines = self.block_lines();
        // Auto-wrap off while drawing: a long line cannot spoil the line count.
        let mut text = String::from("\x1b[?7l");
        for l in &lines {
            text.push_str(l);
            text.push_str("\x1b[K\n");
        }
        text.push_str("\x1b[?7h");
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
        self.drawn = lines.len();
    }

    pub fn redraw(&mut self) {
        if self.mode == Mode::Live {
            self.clear_block();
            self.draw_block();
        }
    }

    /// Removes the live block (before the summary).
    pub fn finish(&mut self) {
        self.clear_block();
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_by_columns() {
        assert_eq!(clip("abcdef", 4), "abcd…");
        assert_eq!(clip("中文字符", 5), "中文…");
        assert_eq!(one_line("a\nb\x1b[2J"), "a b [2J");
    }
}
