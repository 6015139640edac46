//! The `liuma-engine` binary: argument parsing and exit codes only.

use clap::{Parser, Subcommand};
use liuma_engine::agent::{self, Shutdown};
use liuma_engine::config::{self, Config, Home};
use liuma_engine::{cli, lifecycle};
use std::path::PathBuf;
use std::process::ExitCode;

/// jemalloc instead of glibc's malloc: the engine allocates many small, short-lived strings
/// and values per step, and in the end-to-end benchmark glibc's malloc and free were a fifth
/// of its CPU. Measured side by side (BENCHMARKS.md): CPU per step −20 to −40 %, peak RSS
/// under 1 MB higher with one arena.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena (the engine's threads mostly wait on I/O;
/// more arenas only raised the peak RSS, 38 → 42 MB, for no measurable speed).
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static _rjem_malloc_conf: &[u8; 10] = b"narenas:1\0";

/// The C code linked in (SQLite above all) allocates with glibc's malloc. Called from the
/// store's threads, that memory came from a thread arena, which grows a page at a time with an
/// `mprotect`: about 350 of them in a run of 500 cases, each a TLB flush on every core the
/// engine runs on. One arena grows with `brk`, 128 KB at a time: 23 `mprotect` and 17 `brk`
/// in the same run. The engine's own allocations are jemalloc's and do not change.
fn one_c_heap() {
    // SAFETY: mallopt only sets a glibc tunable; it runs before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

const AFTER_HELP: &str = "\
Getting started:
  1. Register an engine on the LiuMa platform (Engine management) and copy its
     engine code and engine secret.
  2. Put them in config.ini under [Engine] (engine-code, engine-secret) and set
     [Platform] url to the platform's backend, e.g. http://10.0.0.5:8080.
     A Python engine's config/config.ini works unchanged.
  3. liuma-engine check    # verifies config, platform, token and WebSocket
  4. liuma-engine start    # runs until SIGTERM/Ctrl-C (twice to stop at once)

Without a platform:
  liuma-engine demo                  # runs the example bundle against a built-in shop API
  liuma-engine run PATH... [options] # runs a bundle, folder, task or case JSON locally;
                                     # exit 0 passed, 1 failed, 2 errored, 3 invalid input,
                                     # 4 interrupted (see `liuma-engine run --help`)

Files: config.ini (or config/config.ini) is read, never written. Working folders
data/ image/ log/ browser/ are created under --home (default: the current folder).
Logs: log/engine.log and log/error.log (rotated files and log/archive/ beside them).
SIGHUP reloads config.ini (log level, max-run, intervals, headers, [Log], [Lifecycle]).
Backups: liuma-engine backup; liuma-engine restore FILE (engine stopped).";

#[derive(Parser)]
#[command(name = "liuma-engine", version, about = "Test-execution engine agent for the LiuMa platform", after_help = AFTER_HELP)]
struct Cli {
    /// Path of config.ini [default: ./config.ini, else ./config/config.ini]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Folder holding data/ image/ log/ browser/ [default: current folder]
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the agent in the foreground: connect to the platform, take tasks, run them, report.
    /// The first SIGTERM/SIGINT stops taking tasks and lets running ones finish (up to
    /// [Agent] drain-timeout); a second one stops at once.
    Start,
    /// Check config.ini, reach the platform, apply for a token and open the WebSocket; one line
    /// per check, non-zero exit at the first failure.
    Check,
    /// Show what the engine store (data/engine.db under --home) holds: tasks in progress, results
    /// waiting for upload, last contact with the platform, totals. Works while the agent runs.
    Status,
    /// Run a bundle zip, a bundle folder, a task JSON or a case JSON here, without a platform:
    /// progress on the terminal, JUnit/JSON/HTML reports, an exit code for CI pipelines.
    Run(liuma_engine::local::RunArgs),
    /// Run the example bundle against a shop API started inside the engine (no platform, no
    /// network): shows progress, the summary and writes the reports.
    Demo(liuma_engine::demo::DemoArgs),
    /// Write backup/backup_YYYYmmdd_HHMMSS.zip under --home: config.ini, a consistent copy of
    /// data/engine.db (SQLite online backup; safe while the agent runs) and, with [Lifecycle]
    /// backup-logs, the logs. Keeps the last [Lifecycle] backup-keep backups.
    Backup,
    /// Restore config.ini and data/engine.db from a backup zip. Refuses while an engine runs
    /// with this --home; the replaced files are kept beside them (*.before-restore-*).
    Restore {
        /// The backup zip (e.g. backup/backup_20260101_030000.zip)
        file: PathBuf,
    },
    /// Keep secrets out of config.ini in plain text: `secret keygen` prints a new key,
    /// `secret encrypt` prints `enc:<token>` for a value (see `liuma-engine secret encrypt --help`).
    Secret(cli::secret::SecretArgs),
}

/// Usage errors of `run` and `demo` exit with the documented "invalid input" code.
fn parse_cli() -> Result<Cli, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return Err(ExitCode::SUCCESS);
            }
            let local = std::env::args()
                .skip(1)
                .find(|a| !a.starts_with('-'))
                .is_some_and(|a| a == "run" || a == "demo");
            Err(if local {
                ExitCode::from(liuma_engine::local::exit::INVALID)
            } else {
                ExitCode::from(2)
            })
        }
    }
}

fn main() -> ExitCode {
    one_c_heap();
    let cli = match parse_cli() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async_main(cli))
}

async fn async_main(cli: Cli) -> ExitCode {
    let home = cli.home.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Run(args) => {
            return ExitCode::from(liuma_engine::local::run::run(args, &home).await);
        }
        Command::Demo(args) => {
            return ExitCode::from(liuma_engine::demo::run(args, &home).await);
        }
        Command::Secret(args) => {
            let code = cli::secret::run(args, cli.config.as_deref());
            return ExitCode::from(u8::try_from(code).unwrap_or(1));
        }
        _ => {}
    }
    if let Command::Status = cli.command {
        let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
        return ExitCode::from(u8::try_from(cli::status::run(&home)).unwrap_or(1));
    }
    if let Command::Restore { file } = &cli.command {
        // A fresh machine has no config yet: restore writes ./config.ini unless told otherwise.
        let config_path =
            config::locate(cli.config.as_deref()).unwrap_or_else(|_| PathBuf::from("config.ini"));
        let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
        return ExitCode::from(
            u8::try_from(cli::backup::run_restore(&home, &config_path, file)).unwrap_or(1),
        );
    }
    let config_path = match config::locate(cli.config.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Backup => {
            let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
            ExitCode::from(u8::try_from(cli::backup::run_backup(&home, &config_path)).unwrap_or(1))
        }
        Command::Restore { .. } => ExitCode::SUCCESS,
        Command::Check => {
            lifecycle::logging::init_console("warn");
            ExitCode::from(u8::try_from(cli::check::run(&config_path).await).unwrap_or(1))
        }
        Command::Status | Command::Run(_) | Command::Demo(_) | Command::Secret(_) => {
            ExitCode::SUCCESS
        }
        Command::Start => {
            let cfg = match Config::load(&config_path) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            // Before anything records a metric, so that no early count is lost.
            if cfg.metrics.enabled
                && let Err(e) = liuma_engine::ops::metrics::install()
            {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
            if let Err(e) = home.ensure() {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            // Held until the agent ends: `restore` refuses while it is, and two agents never
            // share a home.
            let _lock = match lifecycle::lock::EngineLock::acquire(&home.data) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let _guards = match lifecycle::logging::init_agent(
                &home.log,
                &cfg.agent.log_level,
                &cfg.lifecycle.log,
            ) {
                Ok(g) => g,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            match agent::run(cfg, home, Shutdown::from_signals()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e}");
                    eprintln!("error: {e}");
                    ExitCode::from(3)
                }
            }
        }
    }
}
