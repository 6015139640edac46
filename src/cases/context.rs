//! What the cases of one collection share: variables, the HTTP session (cookies) and the
//! browser slot of WEB cases.
//! One per collection per task, kept across the re-run pass (api-cases §0, A45).

use crate::value::Dict;

/// Cookie persistence of a collection (api-cases §6.2).
#[derive(Debug, Default, Clone)]
pub struct HttpSession {
    pub jar: cookie_store::CookieStore,
}

#[derive(Debug, Default)]
pub struct CollectionContext {
    /// Relation results, SQL results, loop indexes, `sys_put` values.
    pub vars: Dict,
    pub session: HttpSession,
    /// Console capture (api-cases §8.3): template messages and script output, flushed into the
    /// next transaction's log.
    pub console: String,
    /// The collection's browser slot (web-cases §4.2) and its task, for screenshots.
    pub web: super::web::WebSlot,
    /// The collection's Python sidecar worker (scripts, custom functions, WEB custom
    /// operations): started on first use, killed with the collection.
    pub sidecar: crate::sidecar::SidecarSlot,
    /// The task's SQL connections (api-cases §6.8), shared by all its collections; the runner
    /// gives every context of a task the same pools and closes them when the task ends.
    pub sql: std::sync::Arc<crate::sql::TaskDatabases>,
}

impl CollectionContext {
    /// A context for a collection of task `task_id` (screenshots go to `image/<taskId>/`).
    pub fn for_task(task_id: &str) -> Self {
        Self {
            web: super::web::WebSlot::for_task(task_id),
            ..Self::default()
        }
    }
}
