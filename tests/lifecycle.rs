//! Lifecycle jobs of a running engine (issue 10): SIGHUP reload of `max-run` and the log level,
//! log rotation and archive, purge around a running task, the disk guard on a small tmpfs,
//! backups on schedule and through the CLI, restore refused while running and done after.
//! The engine is the real binary against the platform double; every wait is bounded.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::cases::step;
use support::engine::{Engine, binary, config_text};
use support::{PlatformDouble, Target};

const WAIT: Duration = Duration::from_secs(40);

/// The test config at log level `level`, with `extra` sections appended.
fn config(p: &PlatformDouble, max_run: usize, level: &str, extra: &str) -> String {
    config_text(&p.url(), &p.engine_code(), &p.engine_secret(), max_run, "")
        .replace("log-level = debug\n", &format!("log-level = {level}\n"))
        + "\n"
        + extra
}

/// A task of `cases` cases each waiting `ms` at the target; queued, not pushed.
fn slow_task(p: &PlatformDouble, target: &Target, cases: usize, ms: u64) -> String {
    let base = target.url();
    let (task_id, task) = support::cases::api_bundle_task(p, 1, cases, 1, false, |_, k| {
        vec![step(
            &format!("slow{k}"),
            &base,
            "GET",
            &format!("/delay/{ms}"),
        )]
    });
    p.add_task(task);
    task_id
}

async fn wait_for(what: &str, engine: &Engine, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            engine.output()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn status(home: &Path) -> String {
    let out = Command::new(binary())
        .arg("status")
        .arg("--home")
        .arg(home)
        .output()
        .expect("run status");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cli(engine: &Engine, args: &[&str]) -> (i32, String) {
    let out = Command::new(binary())
        .args(args)
        .arg("--config")
        .arg(&engine.config)
        .arg("--home")
        .arg(engine.path())
        .output()
        .expect("run the engine binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_changes_max_run_and_the_log_level_of_a_running_engine() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let lifecycle = "[Lifecycle]\ndisk-check-interval = 0.2\npurge-interval = 0.2\n";
    let mut engine = Engine::prepare(&config(&p, 1, "info", lifecycle));
    // A leftover of a crashed task: purged at start.
    let leftover = engine.data_dir().join("crashed-task");
    std::fs::create_dir_all(leftover.join("case")).expect("mkdir");
    engine.spawn();

    let first = slow_task(&p, &target, 4, 2000);
    wait_for("the first task to run", &engine, || {
        p.task_status(&first).as_deref() == Some("running")
    })
    .await;
    let second = slow_task(&p, &target, 1, 10);
    // With max-run 1 the second task waits while the first runs.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_ne!(p.task_status(&second).as_deref(), Some("running"));
    assert_eq!(p.completes(&second), 0);
    // Purges ran meanwhile (every 0.2 s): the running task's folder stays, the leftover went.
    assert!(
        engine.logs().matches("purge: ").count() >= 2,
        "{}",
        engine.logs()
    );
    assert!(engine.data_dir().join(&first).exists());
    assert!(!leftover.exists(), "a crashed task's folder was not purged");
    // Debug lines (the quiet disk check) are not written at info; api.log is off.
    assert!(!engine.logs().contains("disk: "));
    let api_log = engine.path().join("log").join("api.log");
    assert!(!api_log.exists());

    // An invalid file changes nothing.
    std::fs::write(
        &engine.config,
        config(&p, 1, "info", lifecycle).replace("max-run = 1", "max-run = many"),
    )
    .expect("config");
    engine.signal("HUP");
    wait_for("the refused reload", &engine, || {
        engine.logs().contains("config not reloaded")
    })
    .await;

    std::fs::write(
        &engine.config,
        config(
            &p,
            2,
            "debug",
            &format!("{lifecycle}\n[Log]\napi-log = true\n"),
        )
        .replace("heartbeat-interval = 0.5", "heartbeat-interval = 0.6"),
    )
    .expect("config");
    engine.signal("HUP");
    wait_for("the second task to be taken", &engine, || {
        p.task_status(&second).as_deref() == Some("running") || p.completes(&second) == 1
    })
    .await;
    assert_eq!(
        p.completes(&first),
        0,
        "the first task ended before the reload"
    );
    wait_for("debug lines", &engine, || engine.logs().contains("disk: ")).await;
    let logs = engine.logs();
    assert!(
        logs.contains("applied: [RunSetting] max-run, [Agent] log-level"),
        "{logs}"
    );
    assert!(
        logs.contains("need a restart to take effect: [Agent] heartbeat-interval"),
        "{logs}"
    );
    wait_for("both tasks", &engine, || {
        p.completes(&first) == 1 && p.completes(&second) == 1
    })
    .await;
    // api.log: the second task's request and response, and only there.
    let api = std::fs::read_to_string(&api_log).expect("api.log");
    assert!(
        api.contains("/delay/10") && api.contains("request") && api.contains("status=200"),
        "{api}"
    );
    let main_log = std::fs::read_to_string(engine.path().join("log/engine.log")).expect("log");
    assert!(!main_log.contains("elapsed_ms="), "api lines in engine.log");
    assert!(!engine.output().contains("panicked"));
}

fn gunzip(path: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_string(&mut s)
        .expect("valid gzip");
    s
}

fn archives(log: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for month in std::fs::read_dir(log.join("archive"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for f in std::fs::read_dir(month.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.file_name().to_string_lossy().ends_with(".gz") {
                v.push(f.path());
            }
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_rotate_by_size_and_are_archived_as_gzip_holding_whole_lines() {
    let p = PlatformDouble::start().await;
    // Debug lines every 0.1 s (the disk check) and more; files of at most 4194 bytes
    // (0.004 MiB); archived at once every 0.3 s.
    let extra = "[Log]\nmax-size-mb = 0.004\narchive-after-days = 0\n\n[Lifecycle]\ndisk-check-interval = 0.1\nlog-archive-interval = 0.3\n";
    let mut engine = Engine::prepare(&config(&p, 1, "debug", extra));
    engine.spawn();
    let log = engine.path().join("log");
    wait_for("two archived log files", &engine, || {
        archives(&log).len() >= 2
    })
    .await;
    let mut seen_start = false;
    for gz in archives(&log) {
        let name = gz.file_name().expect("name").to_string_lossy().into_owned();
        assert!(
            name.starts_with("engine.log.") || name.starts_with("error.log."),
            "{name}"
        );
        let month = gz.parent().and_then(|m| m.file_name()).expect("month");
        assert_eq!(month.len(), 7, "archive/YYYY-MM/: {month:?}");
        let text = gunzip(&gz);
        assert!(text.len() <= 4194, "{name} passed the size: {}", text.len());
        assert!(text.ends_with('\n'), "{name} ends inside a line");
        seen_start |= text.contains("liuma-engine starting");
    }
    assert!(seen_start, "the first lines were not archived");
    assert!(log.join("engine.log").exists());
    let st = status(engine.path());
    assert!(st.contains("log-archive: ok"), "{st}");
}

/// A tmpfs mounted over a folder for the test; unmounted when dropped (as in tests/faults.rs).
struct SmallFs(PathBuf);

impl SmallFs {
    /// `None` when this machine does not let the test mount (not root).
    fn mount(at: &Path, size: &str) -> Option<SmallFs> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| SmallFs(at.to_path_buf()))
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_disk_guard_stops_fetching_on_a_full_disk_and_resumes_by_itself() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let extra = "[Lifecycle]\ndisk-min-free-mb = 4\ndisk-check-interval = 0.2\n";
    let mut engine = Engine::prepare(&config(&p, 1, "info", extra));
    let Some(_fs) = SmallFs::mount(&engine.data_dir(), "8m") else {
        eprintln!("SKIPPED: mounting a tmpfs needs root; run the tests as root (CI does)");
        return;
    };
    let filler = engine.data_dir().join("filler");
    std::fs::write(&filler, vec![7u8; 5 * 1024 * 1024]).expect("fill");
    engine.spawn();
    let task = slow_task(&p, &target, 1, 10);
    wait_for("the guard in the log", &engine, || {
        engine.logs().contains("below [Lifecycle] disk-min-free-mb")
    })
    .await;
    wait_for("the guard in status", &engine, || {
        status(engine.path()).contains("disk guard: ACTIVE")
    })
    .await;
    // Heartbeats go on, fetching does not.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(p.fetches(), 0, "fetched with the guard active");
    assert_eq!(p.completes(&task), 0);

    std::fs::remove_file(&filler).expect("free the space");
    wait_for("the task after the space came back", &engine, || {
        p.completes(&task) == 1
    })
    .await;
    assert!(engine.log_shows("disk guard released").await);
    wait_for("status to show the guard off", &engine, || {
        status(engine.path()).contains("disk guard: off")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_on_schedule_and_by_cli_and_restore_only_when_stopped() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let extra = "[Lifecycle]\nbackup-interval = 0.5\nbackup-keep = 2\n";
    let mut engine = Engine::prepare(&config(&p, 1, "info", extra));
    engine.spawn();
    let task = slow_task(&p, &target, 2, 10);
    wait_for("the task", &engine, || p.completes(&task) == 1).await;
    let backups = engine.path().join("backup");
    let count = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".zip"))
                    .count()
            })
            .unwrap_or(0)
    };
    wait_for("scheduled backups", &engine, || {
        status(engine.path()).contains("backup: ok") && count(&backups) == 2
    })
    .await;
    // Never more than backup-keep.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(count(&backups), 2);

    let (code, out) = cli(&engine, &["backup"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("config.ini, engine.db"), "{out}");
    let file = out
        .lines()
        .find_map(|l| l.strip_prefix("backup written: "))
        .map(PathBuf::from)
        .expect("the backup file is named");
    let original = std::fs::read_to_string(&engine.config).expect("config");

    let (code, out) = cli(&engine, &["restore", &file.display().to_string()]);
    assert_ne!(code, 0, "restored under a running engine: {out}");
    assert!(out.contains("stop it first"), "{out}");
    // A second agent on the same home is refused too (bounded: killed if it runs).
    let mut second = Command::new(binary())
        .args(["start", "--config"])
        .arg(&engine.config)
        .arg("--home")
        .arg(engine.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Ok(Some(status)) = second.try_wait() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            panic!("a second agent started on the same home");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut err = String::new();
    if let Some(mut e) = second.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is running with this home"), "{err}");

    engine.signal("TERM");
    let mut engine = tokio::task::spawn_blocking(move || {
        assert_eq!(engine.wait_exit(Duration::from_secs(20)), Some(0));
        engine
    })
    .await
    .expect("join");
    std::fs::write(&engine.config, "[Platform]\nurl = http://broken\n").expect("break config");
    let (code, out) = cli(&engine, &["restore", &file.display().to_string()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(&engine.config).expect("config"),
        original
    );
    // The restored engine starts and works.
    engine.spawn();
    let again = slow_task(&p, &target, 1, 10);
    wait_for("a task after the restore", &engine, || {
        p.completes(&again) == 1
    })
    .await;
}
