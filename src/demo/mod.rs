//! `liuma-engine demo`: the engine's main job in one command, with no platform and no network.
//! Starts the embedded shop API ([`shop`]) on 127.0.0.1, runs the example bundle shipped in
//! `examples/demo/` (built into the binary) against it through the same code as `run` (and so
//! the agent's runner), shows progress, prints the summary and writes the three reports.
//!
//! One demo case (`intentional-failure`) fails on purpose so the reports show a failure. The demo
//! exits 0 when the run went as intended (that case failed, every other case passed) and 1
//! otherwise; 3 when the reports folder or the shop cannot be set up.

pub mod shop;

use crate::cases::Status;
use crate::local::adjust::{Adjustments, BaseUrl};
use crate::local::exit;
use crate::local::input::Scratch;
use crate::local::progress::Progress;
use crate::local::report::Format;
use crate::local::report::html::HtmlOptions;
use crate::local::run::{self, print_summary, write_reports};
use std::path::{Path, PathBuf};

/// The example bundle, as shipped in `examples/demo/`.
pub const BUNDLE: &[(&str, &str)] = &[
    ("task.json", include_str!("../../examples/demo/task.json")),
    (
        "01-account/login-and-profile.json",
        include_str!("../../examples/demo/01-account/login-and-profile.json"),
    ),
    (
        "01-account/wrong-password.json",
        include_str!("../../examples/demo/01-account/wrong-password.json"),
    ),
    (
        "01-account/list-users-paged.json",
        include_str!("../../examples/demo/01-account/list-users-paged.json"),
    ),
    (
        "02-orders/create-and-read-order.json",
        include_str!("../../examples/demo/02-orders/create-and-read-order.json"),
    ),
    (
        "02-orders/conditional-steps.json",
        include_str!("../../examples/demo/02-orders/conditional-steps.json"),
    ),
    (
        "02-orders/wait-for-job.json",
        include_str!("../../examples/demo/02-orders/wait-for-job.json"),
    ),
    (
        "03-quality/slow-endpoint.json",
        include_str!("../../examples/demo/03-quality/slow-endpoint.json"),
    ),
    (
        "03-quality/unstable-endpoint.json",
        include_str!("../../examples/demo/03-quality/unstable-endpoint.json"),
    ),
    (
        "03-quality/templates-and-functions.json",
        include_str!("../../examples/demo/03-quality/templates-and-functions.json"),
    ),
    (
        "03-quality/intentional-failure.json",
        include_str!("../../examples/demo/03-quality/intentional-failure.json"),
    ),
];

/// The case that fails on purpose.
pub const INTENTIONAL_FAILURE: &str = "intentional-failure";

pub const DEMO_AFTER_HELP: &str = "\
The demo starts a small shop API inside the engine on 127.0.0.1 (login with a cookie, users,
orders, a slow endpoint, an endpoint that fails on purpose), runs the example bundle of
examples/demo/ against it with the same code as `run`, and writes junit.xml, results.json and
report.html. No platform and no network beyond loopback.

One case (intentional-failure) fails on purpose so the reports show a failure.
Exit codes: 0 the demo went as intended (that case failed, all others passed); 1 it did not;
3 the shop or the reports folder could not be set up.

`liuma-engine demo --serve --port 8080` only starts the shop, to try the cases of
examples/cases/ with `liuma-engine run examples/cases --base-url http://127.0.0.1:8080`.";

#[derive(clap::Args, Debug, Clone)]
#[command(after_help = DEMO_AFTER_HELP)]
pub struct DemoArgs {
    /// Where the reports go
    #[arg(long, value_name = "DIR", default_value = "liuma-demo-report")]
    pub report_dir: PathBuf,
    /// Only start the shop API and keep it running until Ctrl-C
    #[arg(long)]
    pub serve: bool,
    /// Port of the shop API (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Print only the summary
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print every step's log: request, response, assertions
    #[arg(short, long)]
    pub verbose: bool,
}

/// Writes the bundle into `dir`.
pub fn write_bundle(dir: &Path) -> std::io::Result<()> {
    for (name, text) in BUNDLE {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

async fn serve(port: u16) -> u8 {
    let server = match shop::start(port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the demo shop on 127.0.0.1:{port}: {e}");
            return exit::INVALID;
        }
    };
    println!("Demo shop API on {} (Ctrl-C to stop)", server.url());
    println!(
        "Try: liuma-engine run examples/cases --base-url {}",
        server.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    exit::PASSED
}

/// `liuma-engine demo`: returns the exit code.
pub async fn run(args: DemoArgs, home: &Path) -> u8 {
    if args.serve {
        return serve(args.port).await;
    }
    let server = match shop::start(args.port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the demo shop on 127.0.0.1: {e}");
            return exit::INVALID;
        }
    };
    let scratch = match Scratch::new() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let bundle = scratch.path().join("liuma-demo");
    if let Err(e) = write_bundle(&bundle) {
        eprintln!(
            "error: cannot write the demo bundle into {}: {e}",
            bundle.display()
        );
        return exit::INVALID;
    }
    println!(
        "LiuMa engine demo: a shop API runs inside the engine on {}; running {} cases of examples/demo against it.\n",
        server.url(),
        BUNDLE.len() - 1
    );
    let adj = Adjustments {
        base_urls: vec![BaseUrl {
            old: None,
            new: server.url(),
        }],
        ..Default::default()
    };
    let mut inputs = match run::load_inputs(&[bundle], &adj).await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    for (input, _) in inputs.iter_mut() {
        input.label = "examples/demo (built into the binary)".into();
    }
    let env = match run::local_case_env(None, home) {
        Ok(e) => std::sync::Arc::new(e),
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let total = inputs.iter().map(|(i, _)| i.plan.case_count()).sum();
    let mode = run::output_mode(args.quiet);
    let mut progress = Progress::new(mode, args.verbose, total);
    let cancel = tokio_util::sync::CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c.cancel();
        }
    });
    let outcome = run::execute(inputs, env, &mut progress, cancel).await;
    print_summary(&outcome, mode);
    let html = HtmlOptions {
        image_dir: Some(home.join("image")),
    };
    if !write_reports(&outcome, Some(&args.report_dir), &Format::ALL, &html) {
        return exit::INVALID;
    }
    let html_path = args.report_dir.join(Format::Html.file_name());
    let shown = std::fs::canonicalize(&html_path).unwrap_or(html_path);
    println!("\nOpen the HTML report: {}", shown.display());
    drop(server);

    // As intended: the one case that fails on purpose failed, everything else passed.
    let mut surprises = Vec::new();
    let mut seen = 0;
    for task in &outcome.tasks {
        for r in task.finals() {
            seen += 1;
            let expected = if r.case_id.as_str() == INTENTIONAL_FAILURE {
                Status::Fail
            } else {
                Status::Pass
            };
            if r.status != expected {
                surprises.push(format!(
                    "{} ({}) ended {}, expected {}",
                    r.case_name,
                    r.case_id,
                    r.status.label(),
                    expected.label()
                ));
            }
        }
    }
    if seen != total || outcome.interrupted {
        surprises.push(format!("only {seen} of {total} cases finished"));
    }
    if surprises.is_empty() {
        println!(
            "The demo went as intended: \"{INTENTIONAL_FAILURE}\" fails on purpose to show a failure in the reports; every other case passed."
        );
        exit::PASSED
    } else {
        println!("The demo did not go as intended:");
        for s in surprises {
            println!("  {s}");
        }
        exit::FAILED
    }
}
