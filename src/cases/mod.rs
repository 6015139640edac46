//! Case execution. Pure of platform I/O: a case gets its JSON and its collection context and
//! returns a plain `CaseResult`.

pub mod api;
pub mod context;
pub mod log;
pub mod result;
pub mod web;

pub use context::CollectionContext;
pub use result::{CaseMeta, CaseResult, Status, Transaction};

use tokio_util::sync::CancellationToken;

/// Engine-wide resources cases use: shared HTTP clients and limits.
pub struct CaseEnv {
    pub http: api::request::HttpClients,
    /// Applied to every step, also those that set no `timeout` (api-cases §6.3 Fix).
    pub step_timeout_cap: std::time::Duration,
    /// `[Platform] enable-stderr`: error entries also carry the error chain.
    pub enable_stderr: bool,
    /// Response bodies beyond this many bytes are refused (bounded memory).
    pub max_response_bytes: usize,
    /// Built-in template functions, shared by every case.
    pub functions: crate::functions::Library,
    /// FOR loops beyond this many iterations are a step error.
    pub max_loop_iterations: i64,
    /// WHILE loops end after this long even when the case sets no timeout (A31 Fix).
    pub loop_timeout_cap: std::time::Duration,
    /// WEB cases: driver mode and path, browser, screenshot folder and sink.
    pub web: web::WebEnv,
    /// `[Sidecar]`: the Python interpreter and time limit of users' Python code.
    pub sidecar: crate::config::SidecarConfig,
    /// `[Sql]`: pooling and deadlines of SQL entries.
    pub sql: crate::config::SqlConfig,
}

impl CaseEnv {
    /// A case environment without a config file: the defaults of `[Agent]`, `[Web]`
    /// (headless, `chromedriver` from PATH, browser profiles and screenshots under `home`),
    /// `[Sidecar]` and `[Sql]`, error chains in error entries, 64 MiB response bodies, no test
    /// files (`<home>/file`). Local runs start from it; tests and benchmarks change the fields
    /// they exercise.
    pub fn defaults(home: &std::path::Path) -> Result<CaseEnv, String> {
        let agent = crate::config::AgentSettings::default();
        Ok(CaseEnv {
            http: api::request::HttpClients::new()?,
            step_timeout_cap: agent.step_timeout_cap,
            enable_stderr: true,
            max_response_bytes: 64 * 1024 * 1024,
            functions: crate::functions::Library::new(None, home.join("file")),
            max_loop_iterations: agent.max_loop_iterations,
            loop_timeout_cap: agent.loop_timeout_cap,
            web: web::WebEnv::new(home),
            sidecar: crate::config::SidecarConfig::default(),
            sql: crate::config::SqlConfig::default(),
        })
    }
}

/// A case made ready to run: an API case parsed into its model, any other case as read. The
/// runner prepares a collection's next cases on a thread of their own ([`prepare`]) while the
/// current one waits on the network.
#[derive(Debug)]
pub enum PreparedCase {
    Read(crate::bundle::LoadedCase),
    Api(Box<api::model::Parsed>),
}

impl From<crate::bundle::LoadedCase> for PreparedCase {
    fn from(loaded: crate::bundle::LoadedCase) -> Self {
        PreparedCase::Read(loaded)
    }
}

impl From<serde_json::Value> for PreparedCase {
    fn from(j: serde_json::Value) -> Self {
        PreparedCase::Read(j.into())
    }
}

/// Prepares a case of type `case_type` as [`execute`] would when it starts it: parses an API
/// case (a case file's errors are kept for its result); leaves any other as read. Blocking.
pub fn prepare(case_type: &str, loaded: crate::bundle::LoadedCase) -> PreparedCase {
    if case_type == "API" {
        PreparedCase::Api(Box::new(api::model::ApiCase::load(loaded)))
    } else {
        PreparedCase::Read(loaded)
    }
}

/// Runs one case occurrence. `None` when cancelled before it finished: a cancelled case has no
/// result (it is not an error of the case).
pub async fn execute(
    meta: &CaseMeta,
    case: Result<PreparedCase, String>,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    cancel: &CancellationToken,
) -> Option<CaseResult> {
    execute_leaving(meta, case, ctx, env, cancel, &mut None).await
}

/// What a finished case leaves to be freed (its parsed model), for the runner to hand back to
/// the thread that read it: memory freed by the thread that allocated it goes back to that
/// thread's cache, where freed on another thread it went through the allocator's shared arena
/// (an API case's model is a few hundred small allocations).
pub type Spent = Option<Box<dyn std::any::Any + Send>>;

/// [`execute`], leaving the case's model in `spent` instead of freeing it.
pub async fn execute_leaving(
    meta: &CaseMeta,
    case: Result<PreparedCase, String>,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    cancel: &CancellationToken,
    spent: &mut Spent,
) -> Option<CaseResult> {
    let start = result::now_ms();
    // A case not read ahead is prepared here, the same way.
    let prepared = match case {
        Ok(PreparedCase::Read(loaded)) => prepare(&meta.case_type, loaded),
        Ok(prepared) => prepared,
        Err(reason) => return Some(CaseResult::error(meta, None, start, &reason)),
    };
    let loaded = match prepared {
        PreparedCase::Api(parsed) if meta.case_type == "API" => {
            return api::run_case(meta, *parsed, ctx, env, cancel, spent).await;
        }
        PreparedCase::Read(loaded) => loaded,
        PreparedCase::Api(_) => {
            let reason = format!("内部错误: a {} case was prepared as API", meta.case_type);
            return Some(CaseResult::error(meta, None, start, &reason));
        }
    };
    let json = match loaded.into_json() {
        Ok(j) => j,
        Err(reason) => return Some(CaseResult::error(meta, None, start, &reason)),
    };
    match meta.case_type.as_str() {
        // Boxed: a WEB case's future (4 KB) would otherwise size every API case's future,
        // which is moved (copied) on each call; a WEB case's steps dwarf one allocation.
        "WEB" => Box::pin(web::run_case(meta, &json, ctx, env, cancel)).await,
        "APP" => Some(web::app_unsupported(meta, &json, start)),
        other => {
            let name = json.get("caseName").and_then(|v| v.as_str());
            Some(CaseResult::error(
                meta,
                name,
                start,
                &format!("{other}用例暂不支持: this engine does not run {other} cases"),
            ))
        }
    }
}
