//! Template rendering (api-cases §2), the replacement for the Python engine's
//! `core/template.py`.
//!
//! * [`render`] renders one value: it is serialised to its Python JSON text
//!   (`json.dumps(v, ensure_ascii=False)`), `{{…}}` placeholders are replaced in
//!   one linear left-to-right pass with exactly the Python tokenisation (§2.1,
//!   quirks A2, A9, A53), keys are resolved against context → params → legacy
//!   `$name` (§2.2) or called as functions with typed arguments (§2.3, A7, A8,
//!   A47), values are inserted per §2.4 (A5), the text is parsed back and
//!   bytes placeholders are restored (§2.5, A6).
//! * [`render_request`] renders the request parts of an API step in the order
//!   of §2.7, with `#{_request_*}` references (§2.6) seeing the current state,
//!   leaves ordered by parsed references (A10) and written back by tree
//!   position (A11), from the copies the caller passes (A3).
//!
//! Differences from the Python engine (deliberate, api-cases §9):
//! * A2: linear scanner (no quadratic joins); identical tokens and text.
//! * A5: an embedded placeholder that is not nested inside another open
//!   placeholder is inserted JSON-escaped (strings always, objects/lists as
//!   their JSON text), so backslashes, newlines, tabs and containers no longer
//!   break the surrounding string. Placeholders nested inside another one
//!   (function arguments, A8) keep the Python insertion text exactly.
//! * A7: a bytes value reaching a `Bytes`-typed parameter is passed as bytes.
//! * A10/A11: see [`render_request`].
//! * A47: an empty piece for a `str` parameter is the empty string.
//! * A53: a `}}` at the very end of the text that would make Python crash is
//!   literal text.
//! * `eval` of `dict`/`list` arguments is replaced by the safe Python-literal
//!   parser (expressions, names and sets are no longer evaluated; such text is
//!   passed as a string, as Python does when `eval` fails).
//! * A `#{bytes_…}` reference to an unknown key in the rendered result is left
//!   as text (Python raised a `KeyError`).
//!
//! Cost: one pass; the text between braces is copied in bulk and every
//! placeholder costs work proportional to its own text (key lookup, argument
//! parsing), so flat inputs render in linear time. Nested placeholders are
//! inspected once per nesting level, as their keys contain the inner text.
//!
//! Typical use: `render(&value, &scope)` for whole structures (conditions,
//! loop settings, SQL, assertions, relations); [`render_request`] for the
//! request parts of an API step, then `render` of the step's assertions and
//! relations with `request: Some(&rendered.refs())`.

mod bytes;
mod call;
mod leaves;
mod lookup;
pub(crate) mod md5;
mod pynum;
mod refs;
mod request;
mod scan;
mod simple;

#[cfg(test)]
mod tests;

use crate::value::Dict;

use crate::value::{Value, ValueError};

pub use refs::RequestRefs;
pub use request::{BodyKind, RenderedRequest, RequestParts, mentions, render_request};

/// What a function call needs; implemented by the functions library and by tests.
pub trait FunctionCaller {
    /// The declared parameter types of `name`, or `None` when it has no type table
    /// (its arguments are then passed as raw string pieces).
    fn param_types(&self, name: &str) -> Option<Vec<ParamType>>;
    /// Whether the function exists.
    fn exists(&self, name: &str) -> bool;
    /// Calls `name` with converted arguments. An `Err` keeps the placeholder and
    /// prints the engine's "unknown name" console line; its text goes to
    /// [`Rendered::warnings`].
    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String>;
}

/// Declared parameter types (api-cases §3.2, §3.5). `Other` is Python's `None`
/// (untyped: the text is passed unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Str,
    Int,
    Float,
    Bool,
    Dict,
    List,
    Bytes,
    Other,
}

/// Everything a render reads.
pub struct Scope<'a> {
    /// Collection variables (relations, SQL results, loop indexes, `sys_put`);
    /// they win over `params`.
    pub context: &'a Dict,
    /// Case common parameters.
    pub params: &'a Dict,
    pub functions: &'a dyn FunctionCaller,
    /// State for `#{_request_*}` references (§2.6). `None` behaves like a
    /// template whose request state was never set: every reference is `None`
    /// (`#{_request_url}` → the text `None`, path references fail and keep the
    /// piece). [`render_request`] ignores this field and uses the step's state.
    pub request: Option<&'a RequestRefs>,
}

/// A successful render.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub value: Value,
    /// Console-capture lines (§8.3), e.g.
    /// `不存在的公共参数、关联变量或内置函数: <key>`, in order.
    pub console: Vec<String>,
    /// A4: keys of placeholders left unrendered silently (name not found), for a
    /// Debug log line. Keys whose resolution failed are not listed here: they
    /// have a console line.
    pub unresolved: Vec<String>,
    /// Warning-level notes: A6 (bytes embedded in a longer string replaced the
    /// whole string) and the reason of each failed function call or path lookup.
    pub warnings: Vec<String>,
}

/// Why a render failed (a step error in the Python engine).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderErrorKind {
    /// The input, or a value to insert, cannot be written as JSON
    /// (`Object of type bytes is not JSON serializable`).
    #[error("{0}")]
    NotSerializable(ValueError),
    /// The rendered text is not valid JSON (`json.loads` error text).
    #[error("{0}")]
    InvalidJson(ValueError),
}

/// A failed render; `console` holds the lines printed before the failure (the
/// Python engine had already written them to the console capture).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct RenderError {
    pub kind: RenderErrorKind,
    pub console: Vec<String>,
}

/// Renders `input` (§2.1–2.5): `Template.init(input)` + `Template.render()`.
pub fn render(input: &Value, scope: &Scope) -> Result<Rendered, RenderError> {
    // Most assertions, relations and conditions hold no placeholder: the JSON round trip of
    // plain JSON data is the data itself, so it is skipped (a visible share of a step's CPU).
    if is_plain_json_without_placeholder(input) {
        return Ok(unchanged(input.clone()));
    }
    if let Value::Str(s) = input
        && let Some(value) = simple::render(s, scope)
    {
        return Ok(unchanged(value));
    }
    scan::Renderer::new(scope).render(input)
}

/// Whether rendering `v` could change it: `false` when it holds no placeholder (and only JSON's
/// own types), so a part of a case that is rendered at every execution can be read once.
pub fn needs_render(v: &Value) -> bool {
    !is_plain_json_without_placeholder(v)
}

/// [`render`] of a value the caller no longer needs: without placeholders it is handed back
/// as it is, not copied.
pub fn render_owned(input: Value, scope: &Scope) -> Result<Rendered, RenderError> {
    if is_plain_json_without_placeholder(&input) {
        return Ok(unchanged(input));
    }
    if let Value::Str(s) = &input
        && let Some(value) = simple::render(s, scope)
    {
        return Ok(unchanged(value));
    }
    scan::Renderer::new(scope).render(&input)
}

/// What rendering a value without placeholders gives: the value, nothing printed or noted.
fn unchanged(value: Value) -> Rendered {
    Rendered {
        value,
        console: Vec::new(),
        unresolved: Vec::new(),
        warnings: Vec::new(),
    }
}

/// `s.contains("{{")` for the short strings of a case.
fn has_open_marker(s: &str) -> bool {
    leaves::has_pair(s, b'{', b'{')
}

/// True when `v` holds only JSON's own types (finite floats) and no string, key or value,
/// contains `{{`. In the JSON text of such a value `{{` cannot occur (after a `{` comes a
/// `"` or a `}`), so the scan would find no placeholder and parsing would give `v` back.
fn is_plain_json_without_placeholder(v: &Value) -> bool {
    match v {
        Value::None | Value::Bool(_) | Value::Int(_) => true,
        Value::Float(f) => f.is_finite(),
        Value::Str(s) => !has_open_marker(s),
        Value::List(items) => items.iter().all(is_plain_json_without_placeholder),
        Value::Dict(d) => d
            .iter()
            .all(|(k, v)| !has_open_marker(k) && is_plain_json_without_placeholder(v)),
        Value::Bytes(_) | Value::Tuple(_) => false,
    }
}

/// The console line printed when a key cannot be resolved because of an error.
pub(crate) fn unknown_key_line(key: &str) -> String {
    format!("不存在的公共参数、关联变量或内置函数: {key}")
}
