//! `liuma-engine run PATH…`: loads each PATH into a plan, runs it with the agent's runner
//! (`runner::run_plan`, the same `CaseEnv` and case code), shows progress, writes the reports
//! and turns the results into an exit code.

use super::adjust::{self, Adjustments, BaseUrl, CaseNames};
use super::error::InputError;
use super::files::{LocalFiles, NoFiles};
use super::input::{self, Input};
use super::outcome::{Outcome, TaskOutcome, exit};
use super::progress::{Mode, Progress};
use super::report::{self, Format, html::HtmlOptions};
use crate::cases::CaseEnv;
use crate::functions::FileSource;
use crate::runner::{self, RunEvent};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const RUN_AFTER_HELP: &str = "\
PATH kinds:
  bundle.zip        a task bundle as the platform builds it (/<taskId>/<collectionId>/<caseId>.json)
  folder/           bundle layout: with folder/task.json (a task object) the task says which cases
                    run; without it every *.json in the folder is a case of a collection named
                    after the folder, and every sub-folder holding *.json files is a collection
                    (folder name = collectionId, file name = caseId), all in name order
  task.json         a task object as task/fetch returns it (whole answer or its data): debugData
                    runs inline; otherwise the bundle is downloadUrl read as a path relative to the
                    task file, else <taskId>.zip or <taskId>/ next to it, else the task file's folder
  case.json         a single API case (caseName, apiList)
Several PATHs run one after another and share the reports.

Exit codes:
  0  every case passed (or was skipped)
  1  at least one case failed (an assertion), none errored
  2  at least one case errored (request error, bad case data, unsupported step)
  3  invalid input: a PATH or an option that cannot be used; nothing ran
  4  interrupted (Ctrl-C) or the reports could not be written

Reports (written when --report-dir or --format is given):
  junit.xml     JUnit XML (collection = testsuite, case = testcase) for Jenkins, GitLab, GitHub
  results.json  the CaseResult JSON the platform would receive (result/upload bodies)
  report.html   one self-contained HTML page (works offline)

Examples:
  liuma-engine run examples/cases/assertions.json --base-url http://127.0.0.1:8080
  liuma-engine run bundle.zip --max-thread 4 --rerun --report-dir reports --format junit,html
  liuma-engine run task.json --case 用户登录 --param env=staging --quiet";

/// Options of `run`.
#[derive(clap::Args, Debug, Clone, Default)]
#[command(after_help = RUN_AFTER_HELP)]
pub struct RunArgs {
    /// Bundle zip, bundle folder, task JSON or case JSON (see PATH kinds below)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Collections run at once [default: the task's maxThread, else 5]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_thread: Option<u16>,
    /// Run failed and errored cases once more (runTimes 2), as a plan with "retry on failure"
    #[arg(long)]
    pub rerun: bool,
    /// Run only this collection (its id or folder name); repeat or comma-separate for several
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub collection: Vec<String>,
    /// Run only this case (its caseId or caseName); repeat or comma-separate for several
    #[arg(long = "case", value_name = "ID|NAME", value_delimiter = ',')]
    pub cases: Vec<String>,
    /// Override (or add) a common parameter of every case; keeps the parameter's declared type
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Point steps at another environment: URL replaces every step's domain, OLD=URL only the
    /// steps whose domain is OLD (repeatable)
    #[arg(long = "base-url", value_name = "[OLD=]URL")]
    pub base_urls: Vec<String>,
    /// Write reports into DIR [default when only --format is given: ./liuma-report]
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Report formats, comma separated: junit, json, html [default when only --report-dir is
    /// given: all three]
    #[arg(long, value_name = "LIST")]
    pub format: Vec<String>,
    /// Folder with the test files loadfile/savefile/b64encode_file use, named by file id:
    /// DIR/<fileId> or DIR/<fileId>/<name> (there is no platform to download them from)
    #[arg(long, value_name = "DIR")]
    pub files: Option<PathBuf>,
    /// Print only the summary (no progress, no case lines)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print every step's log: request, response, assertions, relations
    #[arg(short, long)]
    pub verbose: bool,
}

/// Everything a run needs, once the command line was checked.
pub struct Prepared {
    pub inputs: Vec<(Input, CaseNames)>,
    pub report_dir: Option<PathBuf>,
    pub formats: Vec<Format>,
    pub mode: Mode,
    pub verbose: bool,
    pub env: Arc<CaseEnv>,
    pub html: HtmlOptions,
}

/// The case environment of a local run: the agent's defaults (`[Agent]` settings), test files
/// from `--files`.
pub fn local_case_env(files: Option<&Path>, home: &Path) -> Result<CaseEnv, InputError> {
    let (source, dir): (Arc<dyn FileSource>, PathBuf) = match files {
        Some(d) => {
            if !d.is_dir() {
                return Err(InputError::Option {
                    option: "files",
                    value: d.display().to_string(),
                    reason: "not a folder".into(),
                });
            }
            (Arc::new(LocalFiles::new(d.to_path_buf())), d.to_path_buf())
        }
        None => (Arc::new(NoFiles), home.join("file")),
    };
    // WEB cases run headless with `chromedriver` from PATH, screenshots under `<home>/image`;
    // scripts run with `python3` from PATH; SQL entries use the `[Sql]` defaults.
    Ok(CaseEnv {
        functions: crate::functions::Library::new(Some(source), dir),
        ..CaseEnv::defaults(home).map_err(InputError::Setup)?
    })
}

pub fn output_mode(quiet: bool) -> Mode {
    if quiet {
        Mode::Quiet
    } else if std::io::stdout().is_terminal()
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
    {
        Mode::Live
    } else {
        Mode::Lines
    }
}

/// Loads the inputs and applies the adjustments; fails when nothing can run.
pub async fn load_inputs(
    paths: &[PathBuf],
    adj: &Adjustments,
) -> Result<Vec<(Input, CaseNames)>, InputError> {
    let mut inputs = Vec::new();
    for p in paths {
        let path = p.clone();
        let mut input = tokio::task::spawn_blocking(move || input::load(&path))
            .await
            .map_err(|e| InputError::Setup(e.to_string()))??;
        let names = adjust::apply(&mut input.plan, adj).await;
        inputs.push((input, names));
    }
    let total: usize = inputs.iter().map(|(i, _)| i.plan.case_count()).sum();
    if total == 0 {
        let filters = !adj.collections.is_empty() || !adj.cases.is_empty();
        return Err(InputError::NothingToRun(if filters {
            format!(
                "no case matches the filters (--collection {:?}, --case {:?})",
                adj.collections, adj.cases
            )
        } else {
            "the inputs list no case".into()
        }));
    }
    Ok(inputs)
}

/// Checks the command line and loads everything.
pub async fn prepare(args: &RunArgs, home: &Path) -> Result<Prepared, InputError> {
    let mut adj = Adjustments {
        collections: args
            .collection
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect(),
        cases: args
            .cases
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect(),
        max_thread: args.max_thread.map(usize::from),
        rerun: args.rerun,
        ..Default::default()
    };
    for p in &args.params {
        adj.params.push(adjust::parse_param(p)?);
    }
    for b in &args.base_urls {
        adj.base_urls.push(BaseUrl::parse(b)?);
    }
    let mut formats = Vec::new();
    for f in &args.format {
        for g in Format::parse_list(f)? {
            if !formats.contains(&g) {
                formats.push(g);
            }
        }
    }
    let report_dir = match (&args.report_dir, formats.is_empty()) {
        (Some(d), _) => Some(d.clone()),
        (None, false) => Some(PathBuf::from("liuma-report")),
        (None, true) => None,
    };
    if report_dir.is_some() && formats.is_empty() {
        formats = Format::ALL.to_vec();
    }
    let env = Arc::new(local_case_env(args.files.as_deref(), home)?);
    let inputs = load_inputs(&args.paths, &adj).await?;
    Ok(Prepared {
        inputs,
        report_dir,
        formats,
        mode: output_mode(args.quiet),
        verbose: args.verbose,
        env,
        html: HtmlOptions {
            image_dir: Some(report::html::default_image_dir(home)),
        },
    })
}

/// Cancels the run on the first Ctrl-C/SIGTERM (cases stop, the reports hold what finished).
fn cancel_on_signal() -> CancellationToken {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            r = tokio::signal::ctrl_c() => if r.is_err() { return },
        }
        c.cancel();
    });
    cancel
}

/// Runs every input, one after another, through the agent's runner.
pub async fn execute(
    inputs: Vec<(Input, CaseNames)>,
    env: Arc<CaseEnv>,
    progress: &mut Progress,
    cancel: CancellationToken,
) -> Outcome {
    let started = chrono::Local::now();
    let clock = std::time::Instant::now();
    let mut tasks = Vec::new();
    let mut interrupted = false;
    for (i, (input, names)) in inputs.into_iter().enumerate() {
        let Input {
            label,
            plan,
            scratch,
            ..
        } = input;
        let mut outcome = TaskOutcome {
            label,
            task_id: plan.task_id.clone(),
            collections: plan.collections.iter().map(|c| c.id.clone()).collect(),
            results: Vec::new(),
            names,
        };
        if cancel.is_cancelled() {
            interrupted = true;
            tasks.push(outcome);
            continue;
        }
        let (tx, mut rx) = runner::batch::channel::<RunEvent>(64);
        let handle = tokio::spawn(runner::run_plan(
            Arc::new(plan),
            env.clone(),
            runner::Events::plain(tx, true),
            cancel.clone(),
        ));
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(RunEvent::CaseStarted { collection_id, index, case_id, run_times }) => {
                        let name = outcome
                            .names
                            .get(&(collection_id.as_str().to_string(), index))
                            .cloned()
                            .unwrap_or_else(|| case_id.as_str().to_string());
                        progress.started(collection_id.as_str(), index, &name, run_times);
                    }
                    Some(RunEvent::CaseFinished(r)) => {
                        progress.finished(i, &r);
                        outcome.results.push(*r);
                    }
                    None => break,
                },
                _ = tick.tick() => progress.redraw(),
            }
        }
        match handle.await {
            Ok(summary) => interrupted |= summary.cancelled,
            Err(e) => {
                eprintln!("error: the run of {} failed: {e}", outcome.label);
                interrupted = true;
            }
        }
        interrupted |= cancel.is_cancelled();
        // The extracted bundle (if any) is no longer needed.
        drop(scratch);
        tasks.push(outcome);
    }
    progress.finish();
    Outcome {
        tasks,
        started,
        elapsed: clock.elapsed(),
        interrupted,
    }
}

/// The summary printed after every run, also with `--quiet`.
pub fn print_summary(outcome: &Outcome, mode: Mode) {
    let c = outcome.counts();
    let took = super::report::text::human_ms(
        u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
    );
    if mode != Mode::Quiet {
        let bad: Vec<String> = outcome
            .tasks
            .iter()
            .flat_map(|t| t.finals())
            .filter(|r| r.status.needs_rerun())
            .map(|r| {
                format!(
                    "  {} {} · {} #{}: {}",
                    r.status.label().to_uppercase(),
                    r.case_name,
                    r.collection_id,
                    r.index,
                    super::outcome::failure_message(r).unwrap_or_default()
                )
            })
            .collect();
        if !bad.is_empty() {
            println!("\nNot passed:");
            for line in bad {
                println!("{line}");
            }
        }
        println!();
    }
    println!(
        "{} cases: {} passed, {} failed, {} errors, {} skipped in {took}{}",
        c.total,
        c.passed,
        c.failed,
        c.errors,
        c.skipped,
        if outcome.interrupted {
            " (interrupted)"
        } else {
            ""
        }
    );
}

/// Writes the reports (if asked) and prints where they are; `false` when one failed.
pub fn write_reports(
    outcome: &Outcome,
    prepared_dir: Option<&Path>,
    formats: &[Format],
    html: &HtmlOptions,
) -> bool {
    let Some(dir) = prepared_dir else {
        return true;
    };
    match report::write_all(outcome, dir, formats, html) {
        Ok(files) => {
            for f in files {
                println!("report: {}", f.display());
            }
            true
        }
        Err(e) => {
            eprintln!("error: cannot write the report {e}");
            false
        }
    }
}

/// `liuma-engine run`: returns the exit code.
pub async fn run(args: RunArgs, home: &Path) -> u8 {
    let prepared = match prepare(&args, home).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let total = prepared
        .inputs
        .iter()
        .map(|(i, _)| i.plan.case_count())
        .sum();
    let mut progress = Progress::new(prepared.mode, prepared.verbose, total);
    let outcome = execute(
        prepared.inputs,
        prepared.env,
        &mut progress,
        cancel_on_signal(),
    )
    .await;
    print_summary(&outcome, prepared.mode);
    let reports_ok = write_reports(
        &outcome,
        prepared.report_dir.as_deref(),
        &prepared.formats,
        &prepared.html,
    );
    if !reports_ok {
        return exit::INCOMPLETE;
    }
    outcome.exit_code()
}
