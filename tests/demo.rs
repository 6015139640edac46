//! `liuma-engine demo` runs to the end with no network (a network namespace with only loopback
//! when the machine allows one) and writes all three reports.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::engine::binary;

/// Whether `unshare -rn` can give us a network namespace with only loopback.
fn netns_available() -> bool {
    Command::new("unshare")
        .args(["-rn", "sh", "-c", "ip link set lo up"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run_bounded(mut cmd: Command, cwd: &Path) -> (i32, String) {
    let out_path = cwd.join("demo-output.txt");
    let file = std::fs::File::create(&out_path).expect("output file");
    let mut child = cmd
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("clone"))
        .stderr(file)
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(120);
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("demo did not end within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, std::fs::read_to_string(out_path).unwrap_or_default())
}

#[test]
fn demo_runs_without_network_and_writes_three_reports() {
    let dir = tempfile::tempdir().expect("tmp");
    let isolated = netns_available();
    let cmd = if isolated {
        let mut c = Command::new("unshare");
        c.args([
            "-rn",
            "sh",
            "-c",
            "ip link set lo up && exec \"$0\" demo --report-dir reports",
            binary(),
        ]);
        c
    } else {
        eprintln!("note: no network namespace here (unshare -rn failed); running demo directly");
        let mut c = Command::new(binary());
        c.args(["demo", "--report-dir", "reports"]);
        c
    };
    let (code, out) = run_bounded(cmd, dir.path());
    assert_eq!(code, 0, "demo (isolated: {isolated}):\n{out}");
    assert!(
        out.contains("10 cases: 9 passed, 1 failed, 0 errors"),
        "{out}"
    );
    assert!(out.contains("[10/10]"), "no progress lines: {out}");
    assert!(out.contains("Open the HTML report: "), "{out}");
    assert!(out.contains("went as intended"), "{out}");
    for f in ["junit.xml", "results.json", "report.html"] {
        let p = dir.path().join("reports").join(f);
        let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        assert!(len > 500, "{} is {len} bytes", p.display());
    }
    let html = std::fs::read_to_string(dir.path().join("reports/report.html")).expect("html");
    assert!(html.contains("故意失败的断言"));
}

#[test]
fn demo_help_explains_the_exit_codes() {
    let out = Command::new(binary())
        .args(["demo", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("fails on purpose") && text.contains("Exit codes"),
        "{text}"
    );
    let out = Command::new(binary())
        .args(["run", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "0  every case passed",
        "1  at least one case failed",
        "2  at least one case errored",
        "3  invalid input",
        "4  interrupted",
        "task.json",
        "--param",
        "--files",
    ] {
        assert!(text.contains(needle), "run --help lacks {needle:?}: {text}");
    }
}
