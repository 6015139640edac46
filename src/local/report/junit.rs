//! JUnit XML as Jenkins, GitLab and GitHub Actions read it: one `<testsuite>` per collection,
//! one `<testcase>` per case occurrence (its final attempt), `<failure>` for an assertion failure
//! and `<error>` for an error, each with the message and the failed step's log; the whole case
//! log in `<system-out>`. Valid against the Jenkins xUnit plugin's `junit-10` schema
//! (`tests/junit-10.xsd` checks it).

use super::text::{log_text, seconds, xml, xml_text};
use crate::cases::{CaseResult, Status, Transaction};
use crate::local::outcome::{Counts, Outcome, duration_ms, failure_message};
use std::collections::HashMap;
use std::fmt::Write;

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Skip => "SKIP",
    }
}

/// One step as text: a header line and its log.
pub fn step_text(t: &Transaction) -> String {
    let mut s = format!(
        "== [{}] {} {} ({} ms)\n",
        status_word(t.status),
        t.name,
        t.content,
        t.during_ms
    );
    s.push_str(&log_text(&t.log));
    s.push('\n');
    s
}

/// Every step of a case as text.
pub fn case_text(r: &CaseResult) -> String {
    r.transactions
        .iter()
        .map(step_text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

pub fn render(outcome: &Outcome) -> String {
    let all = outcome.counts();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"liuma-engine\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
        all.total,
        all.failed,
        all.errors,
        seconds(u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX))
    );
    let mut suite_id = 0;
    for task in &outcome.tasks {
        let finals = task.finals();
        for coll in &task.collections {
            let cases: Vec<&CaseResult> = finals
                .iter()
                .copied()
                .filter(|r| r.collection_id == *coll)
                .collect();
            if cases.is_empty() {
                continue;
            }
            let mut counts = Counts::default();
            let mut time = 0;
            for r in &cases {
                counts.add(r.status);
                time += duration_ms(r);
            }
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" id=\"{suite_id}\" package=\"{}\" hostname=\"localhost\" timestamp=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
                xml(coll.as_str()),
                xml(task.task_id.as_str()),
                timestamp(cases.iter().map(|r| r.start_ms).min().unwrap_or(0)),
                counts.total,
                counts.failed,
                counts.errors,
                counts.skipped,
                seconds(time)
            );
            suite_id += 1;
            let _ = writeln!(out, "    <properties>");
            for (name, value) in [
                ("taskId", task.task_id.as_str()),
                ("collectionId", coll.as_str()),
                ("source", task.label.as_str()),
            ] {
                let _ = writeln!(
                    out,
                    "      <property name=\"{name}\" value=\"{}\"/>",
                    xml(value)
                );
            }
            let _ = writeln!(out, "    </properties>");
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for r in &cases {
                *seen.entry(r.case_name.as_str()).or_default() += 1;
            }
            for r in cases {
                let name = if seen.get(r.case_name.as_str()).copied().unwrap_or(0) > 1 {
                    format!("{} (#{})", r.case_name, r.index)
                } else {
                    r.case_name.clone()
                };
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\">",
                    xml(&name),
                    xml(coll.as_str()),
                    seconds(duration_ms(r))
                );
                let message = failure_message(r).unwrap_or_default();
                let failed_step = r
                    .transactions
                    .iter()
                    .filter(|t| matches!(t.status, Status::Fail | Status::Error))
                    .map(step_text)
                    .collect::<Vec<_>>()
                    .join("\n");
                match r.status {
                    Status::Fail => {
                        let _ = writeln!(
                            out,
                            "      <failure message=\"{}\" type=\"AssertionFailure\">{}</failure>",
                            xml(&message),
                            xml_text(&failed_step)
                        );
                    }
                    Status::Error => {
                        let _ = writeln!(
                            out,
                            "      <error message=\"{}\" type=\"Error\">{}</error>",
                            xml(&message),
                            xml_text(&failed_step)
                        );
                    }
                    Status::Skip => {
                        let _ = writeln!(out, "      <skipped message=\"skipped\"/>");
                    }
                    Status::Pass => {}
                }
                let mut system_out = format!(
                    "case {} (caseId {}, index {}, runTimes {})\n",
                    r.case_name, r.case_id, r.index, r.run_times
                );
                for earlier in task.earlier_attempts(r) {
                    let _ = writeln!(
                        system_out,
                        "attempt {}: {}{}",
                        earlier.run_times,
                        earlier.status.label(),
                        failure_message(earlier)
                            .map(|m| format!(" - {m}"))
                            .unwrap_or_default()
                    );
                }
                system_out.push('\n');
                system_out.push_str(&case_text(r));
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml_text(&system_out)
                );
                let _ = writeln!(out, "    </testcase>");
            }
            let _ = writeln!(out, "  </testsuite>");
        }
    }
    out.push_str("</testsuites>\n");
    out
}
