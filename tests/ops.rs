//! Running as a service: encrypted config values, systemd READY/WATCHDOG/STOPPING on a test
//! `NOTIFY_SOCKET`, watchdog pings stopping when the main loop hangs (test hook), `/metrics`
//! read by a Prometheus text-format parser, `/healthz` and `/readyz`, the `.deb` and the unit.
//!
//! Every engine here is the real binary against the platform double on 127.0.0.1.

mod support;

use std::io::{Read, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::cases::{api_bundle_task, step};
use support::engine::{Engine, binary, config_text};
use support::{PlatformDouble, Target};

const KEY_ENV: &str = "LIUMA_OPS_TEST_KEY";

/// `liuma-engine secret keygen`: the key on stdout.
fn keygen() -> String {
    let out = Command::new(binary())
        .args(["secret", "keygen"])
        .output()
        .expect("run secret keygen");
    assert!(out.status.success(), "{out:?}");
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(key.len(), 44, "{key}");
    key
}

/// `liuma-engine secret encrypt` with the value on stdin and the key in `KEY_ENV`.
fn encrypt(key: &str, value: &str) -> String {
    let mut child = Command::new(binary())
        .args(["secret", "encrypt", "--key-env", KEY_ENV])
        .env(KEY_ENV, key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run secret encrypt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{value}\n").as_bytes())
        .expect("write value");
    let out = child.wait_with_output().expect("encrypt output");
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(line.starts_with("enc:gAAAAA"), "{line}");
    assert!(!line.contains(value));
    line
}

/// The config of the double with `engine-secret = secret_value` and `extra` sections.
fn config(p: &PlatformDouble, secret_value: &str, extra: &str) -> String {
    format!(
        "{}\n{extra}",
        config_text(&p.url(), &p.engine_code(), secret_value, 1, "")
    )
}

/// Polls `engine.output()` until `needle` shows up; returns the output.
fn wait_output(engine: &Engine, needle: &str, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let out = engine.output();
        if out.contains(needle) {
            return Some(out);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// The metrics listener's address, from its start-up log line.
fn metrics_addr(engine: &Engine) -> String {
    let out = wait_output(
        engine,
        "metrics listening on http://",
        Duration::from_secs(30),
    )
    .unwrap_or_else(|| panic!("no metrics listener: {}", engine.output()));
    let rest = &out[out.find("metrics listening on http://").expect("found")
        + "metrics listening on http://".len()..];
    rest.split_whitespace().next().expect("address").to_string()
}

/// A plain HTTP/1.1 GET: (status code, body).
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the metrics listener");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read answer");
    let status: u16 = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not HTTP: {raw}"));
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Collects notification datagrams until `until` says stop or `timeout` passes.
struct NotifyRx {
    _dir: tempfile::TempDir,
    path: PathBuf,
    sock: UnixDatagram,
    /// (arrival, message)
    got: Vec<(Instant, String)>,
}

impl NotifyRx {
    fn bind() -> NotifyRx {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("notify.sock");
        let sock = UnixDatagram::bind(&path).expect("bind NOTIFY_SOCKET");
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        NotifyRx {
            _dir: dir,
            path,
            sock,
            got: Vec::new(),
        }
    }

    fn path(&self) -> String {
        self.path.to_string_lossy().to_string()
    }

    /// Reads for at most `timeout`, until `done(messages so far)`.
    fn read_until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&[(Instant, String)]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            if done(&self.got) {
                return true;
            }
            if let Ok(n) = self.sock.recv(&mut buf) {
                self.got.push((
                    Instant::now(),
                    String::from_utf8_lossy(&buf[..n]).to_string(),
                ));
            }
        }
        done(&self.got)
    }
}

fn has(msgs: &[(Instant, String)], line: &str) -> bool {
    msgs.iter().any(|(_, m)| m.lines().any(|l| l == line))
}

/// Waits (bounded) for the engine to exit; returns its code.
fn wait_exit(engine: &mut Engine) -> Option<i32> {
    engine.wait_exit(Duration::from_secs(60))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_secret_runs_a_task_and_never_appears_in_logs_or_status() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let url = target.url();
    let (task_id, task) = api_bundle_task(&p, 1, 3, 1, false, |_, _| {
        vec![step("get", &url, "GET", "/json")]
    });
    p.add_task(task);
    let secret = p.engine_secret();
    let key = keygen();
    let enc = encrypt(&key, &secret);
    let text = config(&p, &enc, &format!("[Secrets]\nkey-env = {KEY_ENV}\n"));
    assert!(!text.contains(&secret));

    let mut engine = Engine::start_with(&text, &[(KEY_ENV, &key)]);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let status = Command::new(binary())
        .args(["status", "--home"])
        .arg(engine.path())
        .output()
        .expect("status");
    let check = Command::new(binary())
        .args(["check", "--config"])
        .arg(&engine.config)
        .env(KEY_ENV, &key)
        .output()
        .expect("check");
    engine.signal("TERM");
    assert_eq!(wait_exit(&mut engine), Some(0), "{}", engine.output());

    let logs = engine.logs();
    let all = format!(
        "{}\n{logs}\n{}\n{}\n{}\n{}",
        engine.output(),
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr),
    );
    // The grep means something only if the logs are there (debug level, a whole task).
    assert!(logs.contains("task completed"), "{logs}");
    assert!(
        logs.contains("obtained a new platform token") && logs.contains("WebSocket connected"),
        "{logs}"
    );
    assert!(check.status.success(), "{all}");
    for (n, line) in all.lines().enumerate() {
        assert!(!line.contains(&secret), "the secret is in line {n}: {line}");
        assert!(!line.contains(&key), "the key is in line {n}: {line}");
    }
}

#[test]
fn wrong_key_and_damaged_token_stop_the_start_naming_section_and_key() {
    // No platform is needed: the config is refused before any contact.
    let key = keygen();
    let other = keygen();
    let enc = encrypt(&key, "plain-secret-value-42");
    let damaged = enc[..enc.len() - 6].to_string();
    let cases = [
        (enc.clone(), Some(other.as_str()), "wrong key"),
        (damaged, Some(key.as_str()), ""),
        (enc.clone(), None, "no key was found"),
    ];
    for (value, key, why) in cases {
        let text = format!(
            "[Platform]\nurl = http://127.0.0.1:9\n\n[Engine]\nengine-code = code\nengine-secret = {value}\n\n[Secrets]\nkey-env = {KEY_ENV}\n"
        );
        let env: Vec<(&str, &str)> = key.map(|k| vec![(KEY_ENV, k)]).unwrap_or_default();
        let mut engine = Engine::start_with(&text, &env);
        let code = wait_exit(&mut engine);
        let out = engine.output();
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("[Engine] engine-secret"), "{out}");
        assert!(out.contains(why), "{out}");
        assert!(!out.contains("plain-secret-value-42"), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_health_and_systemd_ready_then_stopping_on_sigterm() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let url = target.url();
    let (task_id, task) = api_bundle_task(&p, 1, 4, 1, false, |_, _| {
        vec![
            step("one", &url, "GET", "/json"),
            step("two", &url, "GET", "/status/200"),
        ]
    });
    p.add_task(task);
    let mut rx = NotifyRx::bind();
    let text = config(
        &p,
        &p.engine_secret(),
        "[Metrics]\nenabled = true\nlisten = 127.0.0.1:0\n",
    );
    let mut engine = Engine::start_with(&text, &[("NOTIFY_SOCKET", &rx.path())]);
    let addr = metrics_addr(&engine);
    assert!(
        rx.read_until(Duration::from_secs(30), |m| has(m, "READY=1")),
        "no READY=1: {:?}\n{}",
        rx.got,
        engine.output()
    );
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(30))
            .await
    );

    let (code, body) = http_get(&addr, "/metrics");
    assert_eq!(code, 200, "{body}");
    let scrape = prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string())))
        .expect("the Prometheus text format parses");
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .and_then(|s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => Some(*v),
                _ => None,
            })
    };
    assert_eq!(
        value("liuma_cases_total", &[("status", "pass"), ("type", "API")]),
        Some(4.0),
        "{body}"
    );
    assert_eq!(
        value("liuma_tasks_total", &[("status", "completed")]),
        Some(1.0),
        "{body}"
    );
    assert_eq!(value("liuma_tasks_running", &[]), Some(0.0), "{body}");
    assert!(
        value("liuma_uploads_total", &[("kind", "results")]).is_some_and(|v| v >= 1.0),
        "{body}"
    );
    assert_eq!(value("liuma_outbox_pending", &[]), Some(0.0), "{body}");
    assert_eq!(value("liuma_screenshot_queue", &[]), Some(0.0), "{body}");
    assert_eq!(value("liuma_websocket_connected", &[]), Some(1.0), "{body}");
    assert!(
        value("liuma_websocket_reconnects_total", &[]).is_some(),
        "{body}"
    );
    assert!(
        value("liuma_platform_contact_age_seconds", &[]).is_some_and(|v| v >= 0.0),
        "{body}"
    );
    let steps = scrape
        .samples
        .iter()
        .find(|s| s.metric == "liuma_step_duration_seconds")
        .unwrap_or_else(|| panic!("no step histogram: {body}"));
    match &steps.value {
        prometheus_parse::Value::Histogram(buckets) => {
            let inf = buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .expect("+Inf bucket");
            assert_eq!(inf.count, 8.0, "{body}");
        }
        other => panic!("not a histogram: {other:?}\n{body}"),
    }

    assert_eq!(http_get(&addr, "/healthz"), (200, "ok\n".to_string()));
    let (code, ready) = http_get(&addr, "/readyz");
    assert_eq!(code, 200, "{ready}");

    engine.signal("TERM");
    assert!(
        rx.read_until(Duration::from_secs(30), |m| has(m, "STOPPING=1")),
        "no STOPPING=1: {:?}",
        rx.got
    );
    assert_eq!(wait_exit(&mut engine), Some(0), "{}", engine.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchdog_pings_while_the_loops_turn_and_stop_when_the_main_loop_hangs() {
    let p = PlatformDouble::start().await;
    let mut rx = NotifyRx::bind();
    // fetch-interval 0.5 s: the main loop counts as hung after 2 × 0.5 + 5 = 6 s of silence.
    // The hook stalls it after 10 s, so the pings run well past that allowance first.
    let text = config(
        &p,
        &p.engine_secret(),
        "[Metrics]\nenabled = true\nlisten = 127.0.0.1:0\n",
    );
    let mut engine = Engine::start_with(
        &text,
        &[
            ("NOTIFY_SOCKET", &rx.path()),
            ("WATCHDOG_USEC", "1000000"),
            (liuma_engine::ops::TEST_STALL_ENV, "10"),
        ],
    );
    let addr = metrics_addr(&engine);
    assert!(
        rx.read_until(Duration::from_secs(30), |m| has(m, "READY=1")),
        "no READY=1: {:?}\n{}",
        rx.got,
        engine.output()
    );
    // Until the hook fires.
    let engine_ref = &engine;
    assert!(
        rx.read_until(Duration::from_secs(60), |_| engine_ref
            .output()
            .contains("the main loop stalls now")),
        "{}",
        engine.output()
    );
    let stalled_at = Instant::now();
    let before = rx.got.iter().filter(|(_, m)| m == "WATCHDOG=1").count();
    assert!(before >= 5, "few pings while healthy: {:?}", rx.got);

    // Then the pings stop: a silence of 4 s (four ping periods) within a bounded wait.
    let silent = rx.read_until(Duration::from_secs(60), |m| {
        let last = m
            .iter()
            .rev()
            .find(|(_, msg)| msg == "WATCHDOG=1")
            .map(|(t, _)| *t)
            .unwrap_or(stalled_at)
            .max(stalled_at);
        last.elapsed() >= Duration::from_secs(4)
    });
    assert!(silent, "the pings did not stop: {:?}", rx.got);
    let out = wait_output(&engine, "watchdog pings stopped", Duration::from_secs(10))
        .unwrap_or_else(|| engine.output());
    assert!(
        out.contains("the supervisor loop has been silent")
            && out.contains("watchdog pings stopped"),
        "{out}"
    );
    let (code, body) = http_get(&addr, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("supervisor"), "{body}");
    // The hung engine does not drain: systemd would SIGKILL it after the stop timeout.
    engine.signal("KILL");
    assert!(wait_exit(&mut engine).is_some());
}

/// Where the test binary was built: `cargo deb --no-build` packages that build.
fn target_dir() -> Option<PathBuf> {
    let bin = PathBuf::from(binary());
    Some(bin.parent()?.parent()?.to_path_buf())
}

#[test]
fn deb_package_holds_binary_unit_config_and_folders() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let has_cargo_deb = Command::new("cargo")
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cargo_deb {
        println!(
            "SKIPPED (not a pass): cargo-deb is not installed (`cargo install cargo-deb`; .ci/packages does it)"
        );
        return;
    }
    if Command::new("dpkg-deb").arg("--version").output().is_err() {
        println!("SKIPPED (not a pass): dpkg-deb is missing");
        return;
    }
    let out_dir = tempfile::tempdir().expect("temp dir");
    let deb = out_dir.path().join("liuma-engine.deb");
    // The debug build the tests already made: `cargo deb` proper builds --release (minutes).
    let mut cmd = Command::new("cargo");
    cmd.current_dir(manifest)
        .args(["deb", "--no-build", "--profile", "dev", "--fast", "-o"])
        .arg(&deb);
    if let Some(dir) = target_dir() {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let built = cmd.output().expect("run cargo deb");
    assert!(
        built.status.success(),
        "cargo deb failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let listing = Command::new("dpkg-deb")
        .arg("-c")
        .arg(&deb)
        .output()
        .expect("dpkg-deb -c");
    let files = String::from_utf8_lossy(&listing.stdout).to_string();
    for want in [
        "./usr/bin/liuma-engine",
        "./usr/lib/systemd/system/liuma-engine.service",
        "./etc/liuma-engine/config.ini",
        "./var/lib/liuma-engine/",
        "./usr/share/doc/liuma-engine/README.md",
    ] {
        assert!(
            files.lines().any(|l| l.ends_with(want)),
            "{want} missing:\n{files}"
        );
    }
    let control = out_dir.path().join("control");
    let extracted = Command::new("dpkg-deb")
        .arg("-e")
        .arg(&deb)
        .arg(&control)
        .status()
        .expect("dpkg-deb -e");
    assert!(extracted.success());
    let postinst = std::fs::read_to_string(control.join("postinst")).expect("postinst");
    assert!(postinst.contains("adduser --system"), "{postinst}");
    assert!(
        postinst.contains("/var/lib/liuma-engine/data"),
        "{postinst}"
    );
    assert!(!postinst.contains("#DEBHELPER#"), "{postinst}");
    let conffiles = std::fs::read_to_string(control.join("conffiles")).expect("conffiles");
    assert!(conffiles.contains("/etc/liuma-engine/config.ini"));
}

#[test]
fn systemd_unit_verifies() {
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/liuma-engine.service");
    let text = std::fs::read_to_string(&unit).expect("the unit file");
    for want in [
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        "User=liuma-engine",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ] {
        assert!(text.lines().any(|l| l.starts_with(want)), "{want} missing");
    }
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        println!(
            "SKIPPED (not a pass): systemd-analyze is not installed; the unit was not verified"
        );
        return;
    }
    // `verify` wants ExecStart to exist: point it at the binary under test.
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("liuma-engine.service");
    let bin = std::fs::canonicalize(binary()).expect("binary path");
    std::fs::write(
        &copy,
        text.replace("/usr/bin/liuma-engine", &bin.to_string_lossy()),
    )
    .expect("write unit");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .expect("systemd-analyze verify");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        !said.contains("liuma-engine.service:"),
        "systemd-analyze has remarks: {said}"
    );
}

#[test]
fn sample_configs_document_the_secrets_and_metrics_defaults() {
    use liuma_engine::config::{Config, MetricsConfig, SecretsConfig};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fill = |text: String| {
        text.replacen("engine-code = ******", "engine-code = abc", 1)
            .replacen("engine-secret = ******", "engine-secret = def", 1)
    };
    let sample = std::fs::read_to_string(root.join("config.ini")).expect("config.ini");
    let cfg = Config::parse(Path::new("config.ini"), &fill(sample)).expect("the sample parses");
    assert_eq!(cfg.secrets, SecretsConfig::default());
    assert_eq!(cfg.metrics, MetricsConfig::default());

    // The packaged service's file: metrics on (loopback), the key file under /etc; otherwise
    // the same lines as the sample (two header comment lines differ).
    let packaged =
        std::fs::read_to_string(root.join("packaging/config.ini")).expect("packaging/config.ini");
    let sample = std::fs::read_to_string(root.join("config.ini")).expect("config.ini");
    assert_eq!(packaged.lines().count(), sample.lines().count());
    let differ: Vec<&str> = packaged
        .lines()
        .zip(sample.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        differ.len(),
        4,
        "packaging/config.ini drifted from config.ini: {differ:?}"
    );
    let cfg = Config::parse(Path::new("/etc/liuma-engine/config.ini"), &fill(packaged))
        .expect("the packaged sample parses");
    assert!(cfg.metrics.enabled);
    assert_eq!(cfg.metrics.listen, MetricsConfig::default().listen);
    assert_eq!(
        cfg.secrets.key_file.as_deref(),
        Some(Path::new("/etc/liuma-engine/engine.key"))
    );
}

/// Interoperability with the seed's Python code (`cryptography.fernet`, key = URL-safe base64 of
/// SHA-256 of the passphrase): its tokens, plain or base64-wrapped as the seed stores them,
/// open here, and ours open there.
#[test]
fn tokens_of_the_seed_python_code_decrypt_and_ours_decrypt_there() {
    let probe = Command::new("python3")
        .args(["-c", "import cryptography.fernet"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        println!(
            "SKIPPED (not a pass): python3 with the cryptography package is missing (pip install cryptography; .ci/packages does it)"
        );
        return;
    }
    const SEED: &str = "import base64,hashlib,sys\nfrom cryptography.fernet import Fernet\nf = Fernet(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()))\nif len(sys.argv) > 2:\n    print(f.decrypt(sys.argv[2].encode()).decode())\nelse:\n    t = f.encrypt('the-secret-%'.encode())\n    print(t.decode())\n    print(base64.urlsafe_b64encode(t).decode())\n";
    let passphrase = "a long pass phrase";
    let out = Command::new("python3")
        .args(["-c", SEED, passphrase])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("engine.key"), passphrase).expect("key file");
    for token in text.lines() {
        let ini = format!(
            "[Platform]\nurl = http://127.0.0.1:9\n[Engine]\nengine-code = c\nengine-secret = enc:{token}\n[Secrets]\nkey-env = LIUMA_OPS_TEST_UNSET\nkey-file = engine.key\n"
        );
        let cfg = liuma_engine::config::Config::parse(&dir.path().join("config.ini"), &ini)
            .expect("a seed token decrypts");
        assert_eq!(cfg.engine_secret.expose(), "the-secret-%");
    }

    let ours = liuma_engine::config::secrets::encrypt_value(
        &liuma_engine::config::secrets::fernet_from_material(passphrase),
        "from rust",
    );
    let token = ours.strip_prefix("enc:").expect("prefix");
    let back = Command::new("python3")
        .args(["-c", SEED, passphrase, token])
        .output()
        .expect("python3");
    assert!(back.status.success(), "{back:?}");
    assert_eq!(String::from_utf8_lossy(&back.stdout).trim(), "from rust");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_metrics_port_is_an_error_in_the_log_and_the_engine_runs_on() {
    let p = PlatformDouble::start().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let text = config(
        &p,
        &p.engine_secret(),
        &format!("[Metrics]\nenabled = true\nlisten = {addr}\n"),
    );
    let mut engine = Engine::start_with(&text, &[]);
    let out = wait_output(&engine, "no metrics:", Duration::from_secs(30))
        .unwrap_or_else(|| engine.output());
    assert!(
        out.contains(&format!("[Metrics] listen = {addr}: cannot listen")),
        "{out}"
    );
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    engine.signal("TERM");
    assert_eq!(wait_exit(&mut engine), Some(0), "{}", engine.output());
    drop(taken);
}
