//! Transaction log lines in the Python engine's format (api-cases §8.2), so the platform's
//! report page reads the same: `<local time> - Debug - <text>`.

/// The lines of one transaction, kept in one buffer: a step writes half a dozen lines, and a
/// `String` per line (plus one for its time stamp) was a visible share of the allocations.
#[derive(Debug, Default, Clone)]
pub struct StepLog {
    buf: String,
    /// Where each line ends in `buf`.
    ends: Vec<usize>,
}

/// The log line time format, parsed once (parsing it per line was a visible cost per step).
static STAMP: std::sync::LazyLock<Vec<chrono::format::Item<'static>>> =
    std::sync::LazyLock::new(|| {
        chrono::format::StrftimeItems::new("%Y-%m-%d %H:%M:%S%.6f")
            .parse_to_owned()
            .unwrap_or_default()
    });

impl StepLog {
    fn push(&mut self, level: &str, text: &str) {
        use std::fmt::Write;
        let stamp = chrono::Local::now().format_with_items(STAMP.iter());
        // Writing into a String cannot fail.
        let _ = write!(self.buf, "{stamp} - {level} - {text}");
        self.ends.push(self.buf.len());
    }

    pub fn debug(&mut self, text: &str) {
        self.push("Debug", text);
    }

    pub fn error(&mut self, text: &str) {
        self.push("Error", text);
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn join(&self, separator: &str) -> String {
        let mut out = String::with_capacity(self.buf.len() + separator.len() * self.ends.len());
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.push_str(&self.buf[start..end]);
            start = end;
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
