//! Transaction log lines in the Python engine's format (api-cases §8.2), so the platform's
//! report page reads the same: `<local time> - Debug - <text>`.

/// The lines of one transaction, kept in one buffer: a step writes half a dozen lines, and a
/// `String` per line (plus one for its time stamp) was a visible share of the allocations.
#[derive(Debug, Default, Clone)]
pub struct StepLog {
    buf: String,
    /// Where each line is in `buf`, in the lines' order: a line reserved in its place and
    /// written later ([`StepLog::reserve`]) is empty until then, and its text then comes after
    /// the lines written meanwhile.
    spans: Vec<(usize, usize)>,
}

/// A line of a [`StepLog`] kept in its place and at its time, to be written later
/// ([`StepLog::fill`]).
#[derive(Debug)]
pub struct LineSlot {
    line: usize,
    at: std::time::SystemTime,
    level: &'static str,
}

/// What one step's log lines usually take, reserved at its first line.
const TYPICAL_STEP_LOG: usize = 2048;

/// The local date and time of one second, `YYYY-mm-dd HH:MM:SS`, as last formatted on this
/// thread: a step writes half a dozen lines within the same second, and asking the time zone
/// and formatting the date per line was a visible share of a step's CPU.
struct SecondStamp {
    unix_second: i64,
    text: String,
}

thread_local! {
    static SECOND: std::cell::RefCell<SecondStamp> = const {
        std::cell::RefCell::new(SecondStamp { unix_second: i64::MIN, text: String::new() })
    };
}

/// Appends `YYYY-mm-dd HH:MM:SS.ffffff` of `at` (local time, the Python engine's
/// `%Y-%m-%d %H:%M:%S.%f`).
fn write_stamp(out: &mut String, at: std::time::SystemTime) {
    use std::fmt::Write;
    let now = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let second = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.unix_second != second {
            cached.text.clear();
            if let Some(t) = chrono::DateTime::from_timestamp(second, 0) {
                let local = t.with_timezone(&chrono::Local);
                // Writing into a String cannot fail.
                let _ = write!(cached.text, "{}", local.format("%Y-%m-%d %H:%M:%S"));
            }
            cached.unix_second = second;
        }
        out.push_str(&cached.text);
    });
    // `.{:06}` of the microseconds, written by hand (the formatter was most of this function).
    let mut micros = now.subsec_micros();
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        *d = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    out.push('.');
    out.extend(digits.iter().map(|&d| char::from(d)));
}

impl StepLog {
    fn push(&mut self, level: &str, text: &str) {
        self.push_with(level, |out| out.push_str(text));
    }

    /// A line whose text `write` appends in place (long lines are not built apart and copied).
    fn push_with(&mut self, level: &str, write: impl FnOnce(&mut String)) {
        if self.buf.capacity() == 0 {
            // An API step writes about 1.5 KB; growing the buffer from nothing moved it several
            // times per step (each move an allocation and a copy).
            self.buf.reserve(TYPICAL_STEP_LOG);
        }
        let start = self.buf.len();
        write_stamp(&mut self.buf, std::time::SystemTime::now());
        self.buf.push_str(" - ");
        self.buf.push_str(level);
        self.buf.push_str(" - ");
        write(&mut self.buf);
        self.spans.push((start, self.buf.len()));
    }

    /// Keeps the next line's place and time for a text written later by [`StepLog::fill`]
    /// (until then the line is empty).
    pub fn reserve(&mut self, level: &'static str) -> LineSlot {
        self.spans.push((0, 0));
        LineSlot {
            line: self.spans.len() - 1,
            at: std::time::SystemTime::now(),
            level,
        }
    }

    /// Writes a reserved line: its time is when it was reserved.
    pub fn fill(&mut self, slot: LineSlot, write: impl FnOnce(&mut String)) {
        let start = self.buf.len();
        write_stamp(&mut self.buf, slot.at);
        self.buf.push_str(" - ");
        self.buf.push_str(slot.level);
        self.buf.push_str(" - ");
        write(&mut self.buf);
        if let Some(span) = self.spans.get_mut(slot.line) {
            *span = (start, self.buf.len());
        }
    }

    pub fn debug(&mut self, text: &str) {
        self.push("Debug", text);
    }

    /// A `Debug` line written in place by `write`.
    pub fn debug_with(&mut self, write: impl FnOnce(&mut String)) {
        self.push_with("Debug", write);
    }

    pub fn error(&mut self, text: &str) {
        self.push("Error", text);
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn join(&self, separator: &str) -> String {
        let mut out = String::with_capacity(self.buf.len() + separator.len() * self.spans.len());
        for (i, &(start, end)) in self.spans.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.push_str(&self.buf[start..end]);
        }
        out
    }

    /// API transactions join entries with `<br><br>`.
    pub fn join_api(&self) -> String {
        self.join("<br><br>")
    }

    /// WEB/APP transactions join entries with `<br>`.
    pub fn join_web(&self) -> String {
        self.join("<br>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reserved line keeps its place and its time, whenever and in whatever order it is
    /// written.
    #[test]
    fn reserved_lines_keep_their_place_and_time() {
        let mut log = StepLog::default();
        log.debug("one");
        let first = log.reserve("Debug");
        let reserved_at = chrono::Local::now();
        log.debug("three");
        let second = log.reserve("Error");
        log.debug("five");
        std::thread::sleep(std::time::Duration::from_millis(20));
        log.fill(second, |out| out.push_str("four"));
        log.fill(first, |out| out.push_str("two"));
        let text = log.join_web();
        let lines: Vec<&str> = text.split("<br>").collect();
        let texts: Vec<&str> = lines.iter().map(|l| &l[26..]).collect();
        assert_eq!(
            texts,
            [
                " - Debug - one",
                " - Debug - two",
                " - Debug - three",
                " - Error - four",
                " - Debug - five"
            ]
        );
        let stamp = chrono::NaiveDateTime::parse_from_str(&lines[1][..26], "%Y-%m-%d %H:%M:%S%.6f")
            .expect("stamp format");
        let late = (stamp - reserved_at.naive_local()).num_milliseconds().abs();
        assert!(
            late < 15,
            "the line's time is its reservation's, not its writing's ({late} ms)"
        );
    }

    #[test]
    fn lines_carry_the_local_time_with_microseconds() {
        let mut log = StepLog::default();
        let before = chrono::Local::now();
        log.debug("one");
        log.error("two");
        let after = chrono::Local::now();
        let text = log.join_web();
        let lines: Vec<&str> = text.split("<br>").collect();
        assert_eq!(lines.len(), 2);
        for (line, (level, msg)) in lines.iter().zip([("Debug", "one"), ("Error", "two")]) {
            let (stamp, rest) = line.split_at(26);
            assert_eq!(rest, format!(" - {level} - {msg}"));
            let parsed = chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.6f")
                .expect("stamp format");
            let (lo, hi) = (
                before.naive_local() - chrono::Duration::microseconds(1),
                after.naive_local() + chrono::Duration::microseconds(1),
            );
            assert!(lo <= parsed && parsed <= hi, "{stamp} not within the call");
        }
    }
}
