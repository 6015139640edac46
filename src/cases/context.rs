//! What the cases of one collection share: variables and the HTTP session (cookies).
//! One per collection per task, kept across the re-run pass (api-cases §0, A45).

use crate::value::Value;
use indexmap::IndexMap;

/// Cookie persistence of a collection (api-cases §6.2).
#[derive(Debug, Default, Clone)]
pub struct HttpSession {
    pub jar: cookie_store::CookieStore,
}

#[derive(Debug, Default)]
pub struct CollectionContext {
    /// Relation results, SQL results, loop indexes, `sys_put` values.
    pub vars: IndexMap<String, Value>,
    pub session: HttpSession,
    /// Console capture (api-cases §8.3): template messages and script output, flushed into the
    /// next transaction's log.
    pub console: String,
}
