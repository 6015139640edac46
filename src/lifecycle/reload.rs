//! SIGHUP reloads `config.ini` without a restart. What can change in a running engine does at
//! once: the log level, `[Log]` rotation and `api-log`, `max-run`, the `[Header]` headers, the
//! `[Agent]` intervals (the fetch poll at once; per-task ones for tasks started afterwards) and
//! every `[Lifecycle]` setting. The log lists what changed and which changed settings need a
//! restart. An invalid file changes nothing.

use crate::agent::Shared;
use crate::config::Config;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What a reload found, by `[Section] key`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Changed and applied.
    pub applied: Vec<String>,
    /// Changed, but only read at start: they take effect at the next restart.
    pub need_restart: Vec<String>,
}

/// `[Agent]` keys the running engine follows (read from the live config where used).
const LIVE_AGENT: [&str; 10] = [
    "log-level",
    "fetch-interval",
    "status-poll-interval",
    "result-batch-interval",
    "keepalive-interval",
    "drain-timeout",
    "max-pending-results",
    "max-pending-mb",
    "max-batch",
    "max-batch-kb",
];

/// Compares two configurations key by key.
pub fn diff(old: &Config, new: &Config) -> Changes {
    let mut c = Changes::default();
    let mut note = |changed: bool, key: &str, live: bool| {
        if changed {
            if live {
                c.applied.push(key.to_string());
            } else {
                c.need_restart.push(key.to_string());
            }
        }
    };
    note(
        old.platform_url != new.platform_url,
        "[Platform] url",
        false,
    );
    note(
        old.enable_stderr != new.enable_stderr,
        "[Platform] enable-stderr",
        false,
    );
    note(
        old.engine_code != new.engine_code,
        "[Engine] engine-code",
        false,
    );
    note(
        old.engine_secret != new.engine_secret,
        "[Engine] engine-secret",
        false,
    );
    note(old.headers != new.headers, "[Header]", true);
    note(
        old.initial_token != new.initial_token,
        "[Header] token",
        false,
    );
    note(
        old.webdriver_mode != new.webdriver_mode || old.webdriver_path != new.webdriver_path,
        "[WebDriver]",
        false,
    );
    note(
        format!("{:?}", old.web) != format!("{:?}", new.web),
        "[Web]",
        false,
    );
    note(
        format!("{:?}", old.sidecar) != format!("{:?}", new.sidecar),
        "[Sidecar]",
        false,
    );
    note(
        format!("{:?}", old.sql) != format!("{:?}", new.sql),
        "[Sql]",
        false,
    );
    note(
        format!("{:?}", old.metrics) != format!("{:?}", new.metrics),
        "[Metrics]",
        false,
    );
    note(
        format!("{:?}", old.secrets) != format!("{:?}", new.secrets),
        "[Secrets]",
        false,
    );
    note(old.max_run != new.max_run, "[RunSetting] max-run", true);
    macro_rules! agent {
        ($($field:ident => $key:literal),* $(,)?) => {
            $(note(
                format!("{:?}", old.agent.$field) != format!("{:?}", new.agent.$field),
                concat!("[Agent] ", $key),
                LIVE_AGENT.contains(&$key),
            );)*
        };
    }
    agent!(
        heartbeat_interval => "heartbeat-interval",
        fetch_interval => "fetch-interval",
        status_poll_interval => "status-poll-interval",
        result_batch_interval => "result-batch-interval",
        keepalive_interval => "keepalive-interval",
        drain_timeout => "drain-timeout",
        platform_timeout => "platform-timeout",
        download_attempts => "download-attempts",
        max_bundle_mb => "max-bundle-mb",
        max_bundle_entries => "max-bundle-entries",
        bundle_memory_kb => "bundle-memory-kb",
        default_max_thread => "default-max-thread",
        step_timeout_cap => "step-timeout-cap",
        max_loop_iterations => "max-loop-iterations",
        loop_timeout_cap => "loop-timeout-cap",
        max_pending_results => "max-pending-results",
        max_pending_mb => "max-pending-mb",
        max_batch => "max-batch",
        max_batch_kb => "max-batch-kb",
        log_level => "log-level",
    );
    let (ol, nl) = (&old.lifecycle.log, &new.lifecycle.log);
    note(ol.format != nl.format, "[Log] format", false);
    let mut log_rest = nl.clone();
    log_rest.format = ol.format;
    note(&log_rest != ol, "[Log]", true);
    let mut rest = new.lifecycle.clone();
    rest.log = old.lifecycle.log.clone();
    note(rest != old.lifecycle, "[Lifecycle]", true);
    // Sections not named above are not compared: they are only read at start.
    c
}

/// Applies `new` to the running engine and makes it the live configuration.
pub fn apply(shared: &Shared, new: Config) -> Changes {
    let old = shared.live.get();
    let changes = diff(&old, &new);
    if old.agent.log_level != new.agent.log_level
        && let Err(e) = super::logging::set_level(&new.agent.log_level)
    {
        tracing::error!("{e}");
    }
    super::logging::apply(&new.lifecycle.log);
    if old.max_run != new.max_run {
        shared.capacity.set_limit(new.max_run);
    }
    if old.headers != new.headers {
        shared.client.set_headers(&new.headers);
    }
    shared.live.replace(Arc::new(new));
    // More capacity or a released guard: look for work now.
    let _ = shared.fetch_trigger.try_send(());
    changes
}

/// Reloads the file `shared` was started with at every SIGHUP, until `stop`.
pub fn spawn_sighup(shared: Arc<Shared>, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(h) => h,
            Err(e) => {
                tracing::error!("cannot listen for SIGHUP (config reload): {e}");
                return;
            }
        };
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                r = hup.recv() => if r.is_none() { return },
            }
            let file = shared.cfg.file.clone();
            let loaded = tokio::task::spawn_blocking(move || Config::load(&file)).await;
            let new = match loaded {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    tracing::error!("SIGHUP: config not reloaded, the current settings stay: {e}");
                    continue;
                }
                Err(e) => {
                    tracing::error!("SIGHUP: config not reloaded: {e}");
                    continue;
                }
            };
            let changes = apply(&shared, new);
            if changes.applied.is_empty() && changes.need_restart.is_empty() {
                tracing::info!("SIGHUP: config reloaded, nothing changed");
                continue;
            }
            let live = shared.live.get();
            tracing::info!(
                max_run = live.max_run,
                log_level = %live.agent.log_level,
                "SIGHUP: config reloaded; applied: {}",
                if changes.applied.is_empty() {
                    "nothing".to_string()
                } else {
                    changes.applied.join(", ")
                }
            );
            if !changes.need_restart.is_empty() {
                tracing::warn!(
                    "SIGHUP: changed settings that need a restart to take effect: {}",
                    changes.need_restart.join(", ")
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BASE: &str = "[Platform]\nurl = http://127.0.0.1:1\n[Engine]\nengine-code = a\nengine-secret = b\n[RunSetting]\nmax-run = 2\n";

    fn cfg(extra: &str) -> Config {
        Config::parse(Path::new("c.ini"), &format!("{BASE}{extra}")).expect("parses")
    }

    #[test]
    fn names_applied_changes_and_those_needing_a_restart() {
        let old = cfg("[Agent]\nlog-level = info\n");
        let new = Config::parse(
            Path::new("c.ini"),
            &format!("{BASE}[Agent]\nlog-level = debug\nheartbeat-interval = 5\n[Lifecycle]\npurge-interval = 60\n[Log]\nformat = json\n")
                .replace("max-run = 2", "max-run = 4")
                .replace("engine-code = a", "engine-code = z"),
        )
        .expect("parses");
        let c = diff(&old, &new);
        assert_eq!(
            c.applied,
            vec!["[RunSetting] max-run", "[Agent] log-level", "[Lifecycle]"]
        );
        assert_eq!(
            c.need_restart,
            vec![
                "[Engine] engine-code",
                "[Agent] heartbeat-interval",
                "[Log] format"
            ]
        );
        assert_eq!(diff(&old, &old.clone()), Changes::default());
    }
}
