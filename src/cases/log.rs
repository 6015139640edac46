//! Transaction log lines in the Python engine's format (api-cases §8.2), so the platform's
//! report page reads the same: `<local time> - Debug - <text>`.

/// The lines of one transaction.
#[derive(Debug, Default, Clone)]
pub struct StepLog {
    lines: Vec<String>,
}

/// The log line time format, parsed once (parsing it per line was a visible cost per step).
static STAMP: std::sync::LazyLock<Vec<chrono::format::Item<'static>>> =
    std::sync::LazyLock::new(|| {
        chrono::format::StrftimeItems::new("%Y-%m-%d %H:%M:%S%.6f")
            .parse_to_owned()
            .unwrap_or_default()
    });

fn stamp() -> String {
    chrono::Local::now()
        .format_with_items(STAMP.iter())
        .to_string()
}

impl StepLog {
    pub fn debug(&mut self, text: &str) {
        self.lines.push(format!("{} - Debug - {text}", stamp()));
    }

    pub fn error(&mut self, text: &str) {
        self.lines.push(format!("{} - Error - {text}", stamp()));
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// API transactions join entries with `<br><br>`.
    pub fn join_api(&self) -> String {
        self.lines.join("<br><br>")
    }

    /// WEB/APP transactions join entries with `<br>`.
    pub fn join_web(&self) -> String {
        self.lines.join("<br>")
    }
}
