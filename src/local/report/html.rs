//! One self-contained HTML file, readable offline: inline CSS and JS, screenshots embedded as
//! data URIs. A summary (pass/fail chart, counts, durations, the slowest cases), then the
//! collections, cases and steps with their logs; failed and errored ones first and expanded.
//! Every text that comes from cases or responses is escaped.
//!
//! The page's script marks `<body data-ready="1">` when it ran, and records any script error in
//! `#js-errors` (and `data-js-error` on the body) so a headless browser test can see both.

use super::text::{html, human_ms, log_text};
use crate::cases::{CaseResult, Status, Transaction};
use crate::local::outcome::{Counts, Outcome, TaskOutcome, duration_ms, failure_message};
use base64::Engine;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Largest screenshot embedded (bigger ones are named, not shown).
const MAX_SCREENSHOT_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Where screenshots are looked up: `<image_dir>/<taskId>/<id>.png` or `<image_dir>/<id>.png`.
    pub image_dir: Option<PathBuf>,
}

fn class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Skip => "skip",
    }
}

fn badge(s: Status) -> String {
    let word = match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Skip => "SKIP",
    };
    format!("<span class=\"badge {}\">{word}</span>", class(s))
}

fn bad(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Error)
}

const STYLE: &str = r#"
:root{--pass:#2e9d5b;--fail:#d9453b;--error:#b5338a;--skip:#8a8f98;--bg:#f6f7f9;--fg:#1d2330;--line:#dde1e7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;background:var(--bg);color:var(--fg)}
header{padding:18px 28px;background:#1d2330;color:#fff}
header h1{margin:0 0 4px;font-size:20px}
header p{margin:0;opacity:.8}
main{padding:18px 28px;max-width:1400px}
.summary{display:flex;gap:28px;flex-wrap:wrap;align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px;margin-bottom:16px}
.counts{display:flex;gap:10px;flex-wrap:wrap}
.count{min-width:96px;padding:10px 14px;border-radius:6px;background:var(--bg);border-left:5px solid var(--skip)}
.count b{display:block;font-size:24px}
.count.pass{border-color:var(--pass)}.count.fail{border-color:var(--fail)}.count.error{border-color:var(--error)}.count.total{border-color:#1d2330}
.slow{min-width:280px;flex:1}
.slow h3{margin:0 0 6px;font-size:14px}
.bar{display:flex;align-items:center;gap:8px;margin:3px 0}
.bar span.fill{display:inline-block;height:8px;border-radius:4px;background:#5b7bd5}
.bar .label{flex:0 0 45%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
nav{margin:0 0 12px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
nav button{border:1px solid var(--line);background:#fff;border-radius:16px;padding:4px 12px;cursor:pointer}
nav button.active{background:#1d2330;color:#fff}
nav input{padding:4px 10px;border:1px solid var(--line);border-radius:16px;min-width:220px}
details{background:#fff;border:1px solid var(--line);border-radius:6px;margin:6px 0}
details>summary{cursor:pointer;padding:8px 12px;list-style-position:inside}
details.collection>summary{font-weight:600;font-size:15px}
details .body{padding:0 12px 10px}
details.case{margin-left:6px}
details.step{margin-left:6px;background:#fbfbfc}
.badge{display:inline-block;min-width:52px;text-align:center;padding:1px 6px;border-radius:4px;color:#fff;font-size:12px;font-weight:600;margin-right:6px}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.error{background:var(--error)}.badge.skip{background:var(--skip)}
.dur{color:#667;margin-left:8px;font-size:12px}
.msg{display:block;color:var(--fail);margin:4px 0 0 64px;font-size:13px;white-space:pre-wrap;word-break:break-word}
.meta{color:#556;font-size:12px;margin:2px 0 6px}
pre.log{white-space:pre-wrap;word-break:break-word;background:#11151c;color:#dfe3ea;padding:10px;border-radius:4px;font:12px/1.5 ui-monospace,Menlo,Consolas,monospace;max-height:480px;overflow:auto}
img.shot{max-width:100%;border:1px solid var(--line);margin:6px 0}
#js-errors{background:#fee;color:#900;padding:8px 28px;white-space:pre-wrap}
.hidden{display:none}
"#;

const SCRIPT: &str = r#"
window.addEventListener('error', function (ev) {
  var box = document.getElementById('js-errors');
  box.hidden = false;
  box.textContent += (ev.message || 'script error') + '\n';
  document.body.setAttribute('data-js-error', '1');
});
(function () {
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('nav button[data-filter]'));
  var search = document.getElementById('search');
  var current = 'all';
  function apply() {
    var q = (search.value || '').toLowerCase();
    cases.forEach(function (c) {
      var st = c.getAttribute('data-status');
      var okStatus = current === 'all' || (current === 'bad' ? (st === 'fail' || st === 'error') : st === current);
      var okText = !q || c.textContent.toLowerCase().indexOf(q) >= 0;
      c.classList.toggle('hidden', !(okStatus && okText));
    });
    document.querySelectorAll('details.collection').forEach(function (col) {
      var shown = col.querySelectorAll('details.case:not(.hidden)').length;
      col.classList.toggle('hidden', shown === 0);
    });
    buttons.forEach(function (b) { b.classList.toggle('active', b.getAttribute('data-filter') === current); });
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () { current = b.getAttribute('data-filter'); apply(); });
  });
  search.addEventListener('input', apply);
  document.getElementById('expand').addEventListener('click', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  document.getElementById('collapse').addEventListener('click', function () {
    document.querySelectorAll('details.case,details.step').forEach(function (d) { d.open = false; });
  });
  apply();
  document.body.setAttribute('data-ready', '1');
})();
"#;

/// The pass/fail/error/skip donut as inline SVG (a circle of circumference 100).
fn chart(c: &Counts) -> String {
    let total = c.total.max(1) as f64;
    let mut svg = String::from(
        "<svg id=\"chart\" width=\"140\" height=\"140\" viewBox=\"0 0 42 42\" role=\"img\" aria-label=\"results chart\"><circle cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"#e6e8ec\" stroke-width=\"6\"/>",
    );
    let mut offset = 25.0;
    for (n, color, name) in [
        (c.passed, "#2e9d5b", "pass"),
        (c.failed, "#d9453b", "fail"),
        (c.errors, "#b5338a", "error"),
        (c.skipped, "#8a8f98", "skip"),
    ] {
        if n == 0 {
            continue;
        }
        let pct = n as f64 * 100.0 / total;
        let _ = write!(
            svg,
            "<circle class=\"seg-{name}\" cx=\"21\" cy=\"21\" r=\"15.915\" fill=\"none\" stroke=\"{color}\" stroke-width=\"6\" stroke-dasharray=\"{pct:.3} {:.3}\" stroke-dashoffset=\"{offset:.3}\"/>",
            100.0 - pct
        );
        offset -= pct;
    }
    let pass_rate = if c.total == 0 {
        0.0
    } else {
        c.passed as f64 * 100.0 / c.total as f64
    };
    let _ = write!(
        svg,
        "<text x=\"21\" y=\"22.5\" text-anchor=\"middle\" font-size=\"6\" font-weight=\"600\">{pass_rate:.0}%</text><text x=\"21\" y=\"28\" text-anchor=\"middle\" font-size=\"3\">passed</text></svg>"
    );
    svg
}

fn screenshot(opts: &HtmlOptions, task: &TaskOutcome, id: &str) -> String {
    let Some(dir) = &opts.image_dir else {
        return format!("<p class=\"meta\">screenshot {}</p>", html(id));
    };
    let safe = crate::ids::is_safe_path_component(id);
    let candidates = [
        dir.join(task.task_id.as_str()).join(format!("{id}.png")),
        dir.join(format!("{id}.png")),
    ];
    let found = candidates.iter().find(|p| {
        safe && std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= MAX_SCREENSHOT_BYTES)
    });
    match found.and_then(|p| std::fs::read(p).ok()) {
        Some(bytes) => format!(
            "<img class=\"shot\" alt=\"{}\" src=\"data:image/png;base64,{}\">",
            html(id),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        None => format!(
            "<p class=\"meta\">screenshot {} (not found under {})</p>",
            html(id),
            html(&dir.display().to_string())
        ),
    }
}

fn step(out: &mut String, t: &Transaction, opts: &HtmlOptions, task: &TaskOutcome) {
    let _ = write!(
        out,
        "<details class=\"step {}\"{}><summary>{}{} <span class=\"meta\">{}</span><span class=\"dur\">{} ms</span></summary><div class=\"body\">",
        class(t.status),
        if bad(t.status) { " open" } else { "" },
        badge(t.status),
        html(&t.name),
        html(&t.content),
        t.during_ms
    );
    if let Some(d) = t.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(out, "<p class=\"meta\">{}</p>", html(d));
    }
    let _ = write!(out, "<pre class=\"log\">{}</pre>", html(&log_text(&t.log)));
    for id in &t.screenshots {
        out.push_str(&screenshot(opts, task, id));
    }
    out.push_str("</div></details>");
}

fn case(out: &mut String, r: &CaseResult, opts: &HtmlOptions, task: &TaskOutcome) {
    let _ = write!(
        out,
        "<details class=\"case {c}\" data-status=\"{c}\"{open}><summary>{}{}<span class=\"dur\">{}</span>",
        badge(r.status),
        html(&r.case_name),
        html(&human_ms(duration_ms(r))),
        c = class(r.status),
        open = if bad(r.status) { " open" } else { "" },
    );
    if let Some(m) = failure_message(r) {
        let _ = write!(out, "<span class=\"msg\">{}</span>", html(&m));
    }
    let _ = write!(
        out,
        "</summary><div class=\"body\"><p class=\"meta\">caseId {} · index {} · runTimes {} · {}</p>",
        html(r.case_id.as_str()),
        r.index,
        r.run_times,
        html(&r.case_type)
    );
    if let Some(d) = r.case_desc.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(out, "<p class=\"meta\">{}</p>", html(d));
    }
    for earlier in task.earlier_attempts(r) {
        let _ = write!(
            out,
            "<p class=\"meta\">attempt {}: {} {}</p>",
            earlier.run_times,
            badge(earlier.status),
            html(&failure_message(earlier).unwrap_or_default())
        );
    }
    for t in &r.transactions {
        step(out, t, opts, task);
    }
    out.push_str("</div></details>");
}

pub fn render(outcome: &Outcome, opts: &HtmlOptions) -> String {
    let c = outcome.counts();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>LiuMa run report: {} passed, {} failed, {} errors</title><style>{STYLE}</style></head><body data-ready=\"0\"><div id=\"js-errors\" hidden></div>",
        c.passed, c.failed, c.errors
    );
    let sources: Vec<String> = outcome.tasks.iter().map(|t| t.label.clone()).collect();
    let _ = write!(
        out,
        "<header><h1>LiuMa run report</h1><p>{} · started {} · took {} · liuma-engine {}{}</p></header><main>",
        html(&sources.join(", ")),
        outcome.started.format("%Y-%m-%d %H:%M:%S"),
        html(&human_ms(
            u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX)
        )),
        env!("CARGO_PKG_VERSION"),
        if outcome.interrupted {
            " · <b>interrupted</b>"
        } else {
            ""
        }
    );

    // Summary: chart, counts, slowest cases.
    out.push_str("<section class=\"summary\">");
    out.push_str(&chart(&c));
    let _ = write!(
        out,
        "<div class=\"counts\"><div class=\"count total\" id=\"count-total\"><b>{}</b>cases</div><div class=\"count pass\" id=\"count-passed\"><b>{}</b>passed</div><div class=\"count fail\" id=\"count-failed\"><b>{}</b>failed</div><div class=\"count error\" id=\"count-errors\"><b>{}</b>errors</div><div class=\"count skip\" id=\"count-skipped\"><b>{}</b>skipped</div></div>",
        c.total, c.passed, c.failed, c.errors, c.skipped
    );
    let mut all: Vec<(&TaskOutcome, &CaseResult)> = outcome
        .tasks
        .iter()
        .flat_map(|t| t.finals().into_iter().map(move |r| (t, r)))
        .collect();
    let total_ms: u64 = all.iter().map(|(_, r)| duration_ms(r)).sum();
    all.sort_by_key(|(_, r)| std::cmp::Reverse(duration_ms(r)));
    let longest = all.first().map(|(_, r)| duration_ms(r)).unwrap_or(0).max(1);
    let _ = write!(
        out,
        "<div class=\"slow\"><h3>Durations: {} wall clock, {} summed over cases</h3>",
        html(&human_ms(
            u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX)
        )),
        html(&human_ms(total_ms))
    );
    for (_, r) in all.iter().take(5) {
        let ms = duration_ms(r);
        let _ = write!(
            out,
            "<div class=\"bar\"><span class=\"label\">{}</span><span class=\"fill\" style=\"width:{}px\"></span><span class=\"dur\">{}</span></div>",
            html(&r.case_name),
            (ms * 160 / longest).max(2),
            html(&human_ms(ms))
        );
    }
    out.push_str("</div></section>");

    out.push_str("<nav><button data-filter=\"all\">All</button><button data-filter=\"bad\">Failed and errors</button><button data-filter=\"pass\">Passed</button><button data-filter=\"skip\">Skipped</button><input id=\"search\" type=\"search\" placeholder=\"Search cases and logs\"><button id=\"expand\">Expand all</button><button id=\"collapse\">Collapse</button></nav>");

    // Collections with failures first, then the others, each keeping plan order.
    let mut blocks: Vec<(bool, String)> = Vec::new();
    for task in &outcome.tasks {
        let finals = task.finals();
        for coll in &task.collections {
            let mut cases: Vec<&CaseResult> = finals
                .iter()
                .copied()
                .filter(|r| r.collection_id == *coll)
                .collect();
            if cases.is_empty() {
                continue;
            }
            let mut counts = Counts::default();
            for r in &cases {
                counts.add(r.status);
            }
            let has_bad = counts.failed + counts.errors > 0;
            // Failed and errored cases first (stable: index order within each group).
            cases.sort_by_key(|r| !bad(r.status));
            let mut block = String::new();
            let _ = write!(
                block,
                "<details class=\"collection\" open><summary>{} <span class=\"meta\">{} cases · {} passed · {} failed · {} errors · {} skipped{}</span></summary><div class=\"body\">",
                html(coll.as_str()),
                counts.total,
                counts.passed,
                counts.failed,
                counts.errors,
                counts.skipped,
                if outcome.tasks.len() > 1 {
                    format!(" · {}", html(&task.label))
                } else {
                    String::new()
                }
            );
            for r in cases {
                case(&mut block, r, opts, task);
            }
            block.push_str("</div></details>");
            blocks.push((has_bad, block));
        }
    }
    blocks.sort_by_key(|(has_bad, _)| !has_bad);
    out.push_str("<section class=\"collections\">");
    for (_, b) in blocks {
        out.push_str(&b);
    }
    if c.total == 0 {
        out.push_str("<p>No case finished.</p>");
    }
    let _ = writeln!(
        out,
        "</section></main><script>{SCRIPT}</script></body></html>"
    );
    out
}

/// Where screenshots of a local run are: `<home>/image`.
pub fn default_image_dir(home: &Path) -> PathBuf {
    home.join("image")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseResult;
    use crate::ids::{CaseId, CollectionId, TaskId};
    use crate::local::outcome::TaskOutcome;

    fn result(case: &str, status: Status, shots: Vec<String>) -> CaseResult {
        CaseResult {
            status,
            start_ms: 1_700_000_000_000,
            end_ms: 1_700_000_000_120,
            collection_id: CollectionId("c1".into()),
            case_id: CaseId(case.into()),
            case_type: "WEB".into(),
            case_name: format!("name <{case}>"),
            case_desc: None,
            index: if case == "a" { 1 } else { 2 },
            run_times: 1,
            transactions: vec![Transaction {
                id: "t".into(),
                name: "step".into(),
                content: "/x".into(),
                description: None,
                log: "2024-01-01 - Error - boom<br>line2".into(),
                during_ms: 5,
                status,
                screenshots: shots,
            }],
        }
    }

    #[test]
    fn embeds_screenshots_and_puts_failures_first() {
        let dir = std::env::temp_dir().join(format!("liuma-html-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("task-1")).expect("mkdir");
        std::fs::write(dir.join("task-1").join("20240101_abc.png"), b"\x89PNG fake").expect("png");
        let outcome = Outcome {
            tasks: vec![TaskOutcome {
                label: "x".into(),
                task_id: TaskId("task-1".into()),
                collections: vec![CollectionId("c1".into())],
                results: vec![
                    result("a", Status::Pass, vec![]),
                    result(
                        "b",
                        Status::Fail,
                        vec!["20240101_abc".into(), "20240101_gone".into()],
                    ),
                ],
                names: Default::default(),
            }],
            started: chrono::Local::now(),
            elapsed: std::time::Duration::from_millis(200),
            interrupted: false,
        };
        let page = render(
            &outcome,
            &HtmlOptions {
                image_dir: Some(dir.clone()),
            },
        );
        let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG fake");
        assert!(page.contains(&format!("src=\"data:image/png;base64,{png}\"")));
        assert!(page.contains("screenshot 20240101_gone (not found under"));
        let list = &page[page.find("<section class=\"collections\">").expect("list")..];
        let fail = list.find("name &lt;b&gt;").expect("failed case");
        let pass = list.find("name &lt;a&gt;").expect("passed case");
        assert!(fail < pass, "failed case first");
        assert!(page.contains("boom\nline2"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
