//! Request references `#{…}` in function-argument pieces (§2.6, quirk A13):
//! Python's `replace_param`.

use crate::extract;
use crate::value::{Value, py_strip};

use super::scan::Renderer;

/// The request state `#{_request_*}` references read. `Value::None` stands for
/// a part the step does not have. [`super::render_request`] builds and updates
/// it; its final state is what assertions and relations of the step see.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRefs {
    /// The step's `url` (the environment domain), never rendered.
    pub url: Value,
    /// The rendered path.
    pub path: Value,
    /// The headers object (current state).
    pub headers: Value,
    /// The query object (current state).
    pub query: Value,
    /// The body: an object/list for json and form bodies, the text for raw bodies.
    pub body: Value,
}

impl Default for RequestRefs {
    fn default() -> Self {
        RequestRefs {
            url: Value::None,
            path: Value::None,
            headers: Value::None,
            query: Value::None,
            body: Value::None,
        }
    }
}

const NONE: Value = Value::None;

impl Renderer<'_, '_> {
    /// Resolves one argument piece: trimmed, and if it contains `#{…}` the first
    /// reference replaces the whole piece. `Err` is an exception in Python (an
    /// unknown `#{bytes_…}` key), which fails the call.
    pub(crate) fn reference(&self, raw: &str) -> Result<Value, String> {
        let param = py_strip(raw);
        let Some(inner) = first_reference(param) else {
            return Ok(Value::Str(param.to_owned()));
        };
        let expr = py_strip(inner);
        let refs = self.scope.request;
        let part = |f: fn(&RequestRefs) -> &Value| refs.map_or(&NONE, f);
        let lower = expr.to_ascii_lowercase();
        match lower.as_str() {
            "_request_url" => return Ok(part(|r| &r.url).clone()),
            "_request_path" => return Ok(part(|r| &r.path).clone()),
            "_request_header" => return Ok(part(|r| &r.headers).clone()),
            "_request_body" => return Ok(part(|r| &r.body).clone()),
            "_request_query" => return Ok(part(|r| &r.query).clone()),
            _ => {}
        }
        if expr.starts_with("bytes_") {
            return match self.bytes.get(expr) {
                Some(b) => Ok(Value::Bytes(b.to_vec())),
                None => Err(format!("KeyError: '{expr}'")),
            };
        }
        let (data, path) = if lower.starts_with("_request_header.") {
            (part(|r| &r.headers), format!("$.{}", tail(expr, 16)))
        } else if lower.starts_with("_request_query.") {
            (part(|r| &r.query), format!("$.{}", tail(expr, 15)))
        } else if lower.starts_with("_request_body.") {
            (part(|r| &r.body), format!("$.{}", tail(expr, 14)))
        } else if expr.starts_with('$') {
            (part(|r| &r.body), expr.to_owned())
        } else {
            (part(|r| &r.body), format!("$.{expr}"))
        };
        Ok(extract::jsonpath(data, &path).unwrap_or_else(|_| Value::Str(param.to_owned())))
    }
}

/// The text after an ASCII prefix of `n` bytes (the prefix matched
/// case-insensitively, so it is ASCII and `n` is a char boundary).
fn tail(s: &str, n: usize) -> &str {
    s.get(n..).unwrap_or_default()
}

/// The byte range of the group of the first match of `#\{(.*?)\}` (`.`
/// excludes `\n`).
fn find_reference(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|r| r.find("#{")) {
        let open = from + pos + 2;
        let end = s.get(open..)?.find(['}', '\n']).map(|e| open + e);
        match end {
            Some(end) if s.as_bytes().get(end) == Some(&b'}') => return Some((open, end)),
            // A newline before the `}`: a later `#{` may still match.
            _ => from = from + pos + 1,
        }
    }
    None
}

/// The group of the first match of `#\{(.*?)\}`.
pub(crate) fn first_reference(s: &str) -> Option<&str> {
    find_reference(s).and_then(|(a, b)| s.get(a..b))
}

/// Every `#{…}` group in `s`, in order (for dependency ordering, A10).
pub(crate) fn all_references(s: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some((a, b)) = s.get(from..).and_then(find_reference) {
        found.extend(s.get(from + a..from + b));
        from += b + 1;
    }
    found
}
