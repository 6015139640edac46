//! Key resolution and lookup order (§2.2).

use crate::extract;
use crate::value::Value;

use super::scan::Renderer;

/// What a placeholder key resolved to.
pub(crate) enum Outcome {
    Found(Value),
    /// Not a known name: the placeholder stays, silently (A4: `key` is logged).
    Unresolved(String),
    /// An exception in Python: the placeholder stays and the console gets
    /// `不存在的公共参数、关联变量或内置函数: <key>`; `reason` is the detail.
    Failed {
        key: String,
        reason: String,
    },
}

impl Renderer<'_, '_> {
    /// Resolves a (trimmed, JSON-escaped) key.
    pub(crate) fn resolve(&mut self, key: &str) -> Outcome {
        if key.starts_with('@') {
            return self.call_function(key);
        }
        let (name, path) = split_key(key);
        let scope = self.scope;
        let base = if let Some(v) = scope.context.get(name) {
            v
        } else if let Some(v) = scope.params.get(name) {
            v
        } else if let Some(v) = name
            .strip_prefix('$')
            .and_then(|rest| scope.params.get(rest))
        {
            v // legacy `{{$token}}`
        } else {
            return Outcome::Unresolved(key.to_owned());
        };
        match path {
            None => Outcome::Found(base.clone()),
            Some(path) => match extract::jsonpath(base, &path) {
                Ok(v) => Outcome::Found(v),
                Err(e) => Outcome::Failed {
                    key: name.to_owned(),
                    reason: format!("{name}: {e}"),
                },
            },
        }
    }
}

/// Python's `split_key`: the name and the `$.`-prefixed jsonpath, if any.
/// `list[0].id` → (`list`, `$.0.id`); `a[0][1]` → (`a`, `$.1`) (the `[0]` is lost).
pub(crate) fn split_key(key: &str) -> (&str, Option<String>) {
    let (mut name, mut path) = match key.split_once('.') {
        Some((n, rest)) => (n, Some(rest.to_owned())),
        None => (key, None),
    };
    if let Some(body) = name.strip_suffix(']')
        && let Some((first, _)) = name.split_once('[')
    {
        // Content of the last `[...]` (the text after the last `[`, minus the `]`).
        let last = body.rsplit_once('[').map_or("", |(_, l)| l);
        path = Some(match path {
            None => last.to_owned(),
            Some(p) => format!("{last}.{p}"),
        });
        name = first;
    }
    (name, path.map(|p| format!("$.{p}")))
}
