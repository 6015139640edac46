//! `liuma-engine status`: what the engine store says, readable while the agent runs (WAL).

use crate::config::Home;
use crate::store::Store;

fn ago(ms: i64) -> String {
    let secs = (chrono::Utc::now().timestamp_millis() - ms).max(0) / 1000;
    match secs {
        s if s < 120 => format!("{s} s ago"),
        s if s < 7200 => format!("{} min ago", s / 60),
        s => format!("{} h ago", s / 3600),
    }
}

/// Prints the summary; returns the exit code.
pub fn run(home: &Home) -> i32 {
    let path = home.data.join("engine.db");
    if !path.exists() {
        println!(
            "no engine store at {} (the engine has not run with this --home yet)",
            path.display()
        );
        return 1;
    }
    let store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let summary = match store.summary() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    println!("engine store: {}", path.display());
    match summary.last_contact_ms {
        Some(ms) => println!(
            "last contact with the platform: {} ({ago})",
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string())
                .unwrap_or_default(),
            ago = ago(ms)
        ),
        None => println!("last contact with the platform: never"),
    }
    if summary.tasks.is_empty() {
        println!("tasks in progress: none");
    } else {
        println!("tasks in progress: {}", summary.tasks.len());
        for (id, recorded, acked) in &summary.tasks {
            println!("  {id}: {recorded} results recorded, {acked} acknowledged by the platform");
        }
    }
    println!("results waiting for upload: {}", summary.outbox_pending);
    if summary.outbox_dead > 0 {
        println!(
            "results the platform refused (kept, not resent): {}",
            summary.outbox_dead
        );
    }
    println!(
        "totals: {} results recorded, {} tasks completed",
        summary.results_total, summary.tasks_completed
    );
    print_lifecycle(&store);
    0
}

fn local_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// The disk guard and each lifecycle job's last run, as the agent recorded them.
fn print_lifecycle(store: &Store) {
    const MIB: u64 = 1024 * 1024;
    match store.disk_guard() {
        Ok(Some(g)) if g.active => println!(
            "disk guard: ACTIVE, not taking tasks: {} MiB free under data/, below {} MiB (checked {})",
            g.free_bytes / MIB,
            g.min_free_bytes / MIB,
            ago(g.checked_ms)
        ),
        Ok(Some(g)) if g.min_free_bytes > 0 => println!(
            "disk guard: off ({} MiB free under data/, threshold {} MiB, checked {})",
            g.free_bytes / MIB,
            g.min_free_bytes / MIB,
            ago(g.checked_ms)
        ),
        Ok(Some(g)) => println!(
            "disk guard: disabled ([Lifecycle] disk-min-free-mb = 0); {} MiB free under data/",
            g.free_bytes / MIB
        ),
        Ok(None) => println!("disk guard: not checked yet"),
        Err(e) => eprintln!("error: {e}"),
    }
    match store.jobs() {
        Ok(jobs) if jobs.is_empty() => println!("lifecycle jobs: none has run yet"),
        Ok(jobs) => {
            println!("lifecycle jobs (last run):");
            for j in jobs {
                println!(
                    "  {}: {} at {} ({}), took {} ms; {} runs, {} failed: {}",
                    j.name,
                    if j.ok { "ok" } else { "FAILED" },
                    local_time(j.last_start_ms),
                    ago(j.last_start_ms),
                    j.duration_ms,
                    j.runs,
                    j.failures,
                    j.message
                );
            }
        }
        Err(e) => eprintln!("error: {e}"),
    }
}
