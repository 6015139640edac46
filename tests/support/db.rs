//! Throwaway MariaDB and PostgreSQL servers for the SQL-entry tests: Debian's packages
//! (`.ci/databases` installs them when missing), a data folder under a temp dir, loopback only,
//! a free port, and a guard that stops the server (its whole process group) when dropped, also
//! when a test panics. Every wait is bounded and a server that does not come up fails the test
//! with the tail of its log.
//!
//! Run as root (CI containers), PostgreSQL refuses to start, so it runs as the `postgres` user
//! (or `nobody`); MariaDB gets `--user=root`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to initialise its data folder and to start.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running test server; dropped, it is stopped and its data folder removed.
pub struct DbServer {
    pub kind: &'static str,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
    child: Option<Child>,
    stop_signal: i32,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl DbServer {
    /// The `db` object the platform puts into a SQL entry.
    pub fn db_json(&self) -> serde_json::Value {
        serde_json::json!({
            "host": "127.0.0.1",
            "port": self.port.to_string(),
            "user": self.user,
            "password": self.password,
            "tpz": self.kind,
            "db": self.database,
        })
    }

    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

impl Drop for DbServer {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pgid = child.id() as i32;
        // The server runs in its own process group (see `spawn`): signal all of it, then wait
        // (bounded) until the whole group is gone.
        unsafe {
            libc::kill(-pgid, self.stop_signal);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut reaped = false;
        while Instant::now() < deadline {
            if !reaped {
                reaped = matches!(child.try_wait(), Ok(Some(_)));
            }
            if reaped && unsafe { libc::kill(-pgid, 0) } != 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        if !reaped {
            let _ = child.wait();
        }
    }
}

fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// `name` on PATH or in one of `dirs` (Debian keeps server binaries off PATH).
fn find(name: &str, dirs: &[PathBuf]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(dirs.iter().cloned())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} not found on PATH or in {dirs:?}: install the test databases with `bash .ci/databases` (Debian packages mariadb-server, postgresql)"
            )
        })
}

/// PostgreSQL's versioned binary folders, newest first.
fn pg_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort_by_key(|d| {
        std::cmp::Reverse(
            d.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    dirs
}

/// Runs a setup command to its end within [`START_TIMEOUT`], output appended to `log`.
fn run_bounded(mut cmd: Command, what: &str, log: &Path) {
    let out = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let err = out.try_clone().expect("log file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return,
            Ok(Some(status)) => panic!("{what} failed ({status}):\n{}", tail(log)),
            Ok(None) if Instant::now() > deadline => {
                unsafe {
                    libc::kill(-(child.id() as i32), libc::SIGKILL);
                }
                let _ = child.wait();
                panic!("{what} did not finish in {START_TIMEOUT:?}:\n{}", tail(log));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

use std::os::unix::process::CommandExt;

/// Starts the server in its own process group, output to `log`.
fn spawn(mut cmd: Command, what: &str, log: &Path) -> Child {
    let out = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let err = out.try_clone().expect("log file");
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
}

/// Waits until `log` contains `ready` (the server's own "accepting connections" line).
fn wait_ready(server: &mut DbServer, ready: &str, what: &str) {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if fs::read_to_string(&server.log)
            .map(|t| t.contains(ready))
            .unwrap_or(false)
            && std::net::TcpStream::connect(("127.0.0.1", server.port)).is_ok()
        {
            return;
        }
        if let Some(child) = server.child.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            panic!(
                "{what} exited ({status}) before it was ready:\n{}",
                server.log_tail()
            );
        }
        if Instant::now() > deadline {
            panic!(
                "{what} not ready within {START_TIMEOUT:?}:\n{}",
                server.log_tail()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A user id to run PostgreSQL as when we are root.
fn pg_os_user() -> (String, u32, u32) {
    for name in ["postgres", "nobody"] {
        let id = |flag: &str| {
            Command::new("id")
                .args([flag, name])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .trim()
                        .parse::<u32>()
                        .ok()
                })
        };
        if let (Some(uid), Some(gid)) = (id("-u"), id("-g")) {
            return (name.to_string(), uid, gid);
        }
    }
    panic!("running as root and neither a postgres nor a nobody user exists to run PostgreSQL");
}

/// A PostgreSQL server with user `liuma` (password `liuma-pw`, SCRAM over TCP), database
/// `shop`.
pub fn postgres() -> DbServer {
    let dirs = pg_bin_dirs();
    let initdb = find("initdb", &dirs);
    let postgres = find("postgres", &dirs);
    let dir = tempfile::Builder::new()
        .prefix("liuma-pg")
        .tempdir()
        .expect("temp dir");
    let base = dir.path().to_path_buf();
    let data = base.join("data");
    let log = base.join("server.log");
    let pwfile = base.join("pw");
    let sockets = base.join("sock");
    fs::create_dir(&sockets).expect("socket dir");
    fs::write(&pwfile, "liuma-pw\n").expect("password file");
    let as_user = is_root().then(pg_os_user);
    if let Some((_, uid, gid)) = &as_user {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&base, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o644)).expect("chmod");
        fs::create_dir(&data).expect("data dir");
        std::os::unix::fs::chown(&data, Some(*uid), Some(*gid)).expect("chown data dir");
        std::os::unix::fs::chown(&sockets, Some(*uid), Some(*gid)).expect("chown socket dir");
        fs::write(&log, "").expect("log");
        std::os::unix::fs::chown(&log, Some(*uid), Some(*gid)).expect("chown log");
    }
    let command = |program: &Path| -> Command {
        let mut c = Command::new(program);
        c.current_dir(&base);
        if let Some((_, uid, gid)) = &as_user {
            c.uid(*uid).gid(*gid);
        }
        c
    };
    let mut init = command(&initdb);
    init.arg("-D")
        .arg(&data)
        .args([
            "-U",
            "liuma",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .arg(format!("--pwfile={}", pwfile.display()));
    run_bounded(init, "initdb", &log);
    let port = free_port();
    let mut run = command(&postgres);
    run.arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1"])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", sockets.display()))
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=40"]);
    let child = spawn(run, "postgres", &log);
    let mut server = DbServer {
        kind: "pgsql",
        port,
        user: "liuma".into(),
        password: "liuma-pw".into(),
        database: "postgres".into(),
        child: Some(child),
        // Fast shutdown: open client connections do not hold it up.
        stop_signal: libc::SIGINT,
        log,
        _dir: dir,
    };
    wait_ready(
        &mut server,
        "database system is ready to accept connections",
        "postgres",
    );
    server
}

/// A MariaDB server with user `liuma` (password `liuma-pw`, mysql_native_password over TCP)
/// and database `shop`.
pub fn mariadb() -> DbServer {
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")];
    let install = find("mariadb-install-db", &sbin);
    let server_bin = find("mariadbd", &sbin);
    let client = find("mariadb", &sbin);
    let dir = tempfile::Builder::new()
        .prefix("liuma-my")
        .tempdir()
        .expect("temp dir");
    let base = dir.path().to_path_buf();
    let data = base.join("data");
    let log = base.join("server.log");
    let socket = base.join("my.sock");
    let root = is_root();
    let mut init = Command::new(&install);
    init.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
    if root {
        init.arg("--user=root");
    }
    run_bounded(init, "mariadb-install-db", &log);
    let port = free_port();
    let mut run = Command::new(&server_bin);
    run.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--pid-file={}", base.join("my.pid").display()))
        .args([
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--skip-name-resolve",
        ]);
    if root {
        run.arg("--user=root");
    }
    let child = spawn(run, "mariadbd", &log);
    let mut server = DbServer {
        kind: "mysql",
        port,
        user: "liuma".into(),
        password: "liuma-pw".into(),
        database: "shop".into(),
        child: Some(child),
        stop_signal: libc::SIGTERM,
        log: log.clone(),
        _dir: dir,
    };
    wait_ready(&mut server, "ready for connections", "mariadbd");
    let mut setup = Command::new(&client);
    setup
        .arg("--no-defaults")
        .arg(format!("--socket={}", socket.display()))
        .args(["-u", "root", "-e"])
        .arg(
            "CREATE DATABASE shop CHARACTER SET utf8mb4; \
             CREATE USER 'liuma'@'%' IDENTIFIED BY 'liuma-pw'; \
             GRANT ALL ON *.* TO 'liuma'@'%';",
        );
    run_bounded(setup, "mariadb (create user and database)", &log);
    server
}
