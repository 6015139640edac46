//! The `liuma-engine` binary: argument parsing and exit codes only.

use clap::{Parser, Subcommand};
use liuma_engine::agent::{self, Shutdown};
use liuma_engine::config::{self, Config, Home};
use liuma_engine::{cli, lifecycle};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Getting started:
  1. Register an engine on the LiuMa platform (Engine management) and copy its
     engine code and engine secret.
  2. Put them in config.ini under [Engine] (engine-code, engine-secret) and set
     [Platform] url to the platform's backend, e.g. http://10.0.0.5:8080.
     A Python engine's config/config.ini works unchanged.
  3. liuma-engine check    # verifies config, platform, token and WebSocket
  4. liuma-engine start    # runs until SIGTERM/Ctrl-C (twice to stop at once)

Files: config.ini (or config/config.ini) is read, never written. Working folders
data/ image/ log/ browser/ are created under --home (default: the current folder).
Logs: log/engine.log.<date> and log/error.log.<date>.";

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    if let Command::Status = cli.command {
        let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
        return ExitCode::from(u8::try_from(cli::status::run(&home)).unwrap_or(1));
    }
    let config_path = match config::locate(cli.config.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Check => {
            lifecycle::logging::init_console("warn");
            ExitCode::from(u8::try_from(cli::check::run(&config_path).await).unwrap_or(1))
        }
        Command::Status => ExitCode::SUCCESS,
        Command::Start => {
            let cfg = match Config::load(&config_path) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let home = Home::new(&cli.home.unwrap_or_else(|| PathBuf::from(".")));
            if let Err(e) = home.ensure() {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            let _guards = match lifecycle::logging::init_agent(&home.log, &cfg.agent.log_level) {
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
