//! Extraction for assertions, relations and template paths (spec §4.2, §5).
//!
//! * `jsonpath` — the semantics of the Python `jsonpath` 0.82 library as the
//!   Python engine uses it (`extract_by_jsonpath`): one match is returned
//!   unwrapped, several as a list in match order, none is an error. It is a
//!   compatibility layer over the maintained RFC 9535 crate `serde_json_path`:
//!   0.82's path syntax is normalised exactly as 0.82 does it, the segments
//!   RFC 9535 expresses with identical meaning (names, digit segments,
//!   wildcards, `..` before those) are translated into RFC queries and
//!   evaluated by the crate, and only what RFC 9535 cannot express is
//!   evaluated here: Python filter/script expressions (`?(…)`, `(…)`,
//!   `@.length`, `&&`/`||`, `!@.x`, errors counting as false), 0.82 slices,
//!   unions, the `!` keys segment, trailing `..`, the "existing key first"
//!   precedence, and the empty-root / `$`-alone rules. See `jsonpath.rs` for
//!   the exact split and the reasons.
//! * `regular` — Python `re.findall` semantics on `fancy-regex` (see
//!   `regex.rs`), with quirk A25 fixed: any value is searched as text (JSON
//!   text for containers and numbers, UTF-8 for bytes).
//!
//! Known divergences from Python (all outside realistic use):
//! * filter/script expressions support the Python subset listed in
//!   `pyexpr.rs`; method calls, attribute access, slices, dict/set displays,
//!   other builtins and the names of the engine's `utils.py` globals evaluate
//!   to false here; integers beyond i64 (literals or results) too;
//! * `is`/`is not` are exact for `None`/`True`/`False` only (CPython object
//!   identity elsewhere is approximated by equality);
//! * non-ASCII Unicode digits (`isdigit()` in Python) are not array indexes;
//! * tuples, bytes and non-finite floats inside data are seen as `None` by
//!   filters (they are still returned unchanged when matched);
//! * 0.82's `RecursionError` (e.g. a key `*` under `*`) is raised after 100
//!   nested re-fed segments; Python exception texts are not reproduced;
//! * regex: `\N{name}` escapes are unsupported; the retry after an empty
//!   match searches a slice starting at that position (lookbehinds there see
//!   no earlier text); Unicode classes follow Rust (`\w` also has marks).

mod jsonpath;
mod pyexpr;
mod regex;

pub use jsonpath::{JsonDoc, json_has_special_keys};
pub(crate) use jsonpath::{is_special_key, is_special_key_bytes};

/// Compiles the JSONPath layer's fixed patterns (about a millisecond of CPU, measured in the
/// first case of a task, where every collection waited for it). The agent calls this on a
/// blocking thread when it starts, so that its first task does not pay for it; without it
/// they compile at their first use (a local run does that).
pub fn warm_up() {
    jsonpath::warm_up();
    pyexpr::warm_up();
}

use crate::value::Value;

/// Extraction errors. The first four are the Python engine's
/// `ExtractValueError`s (texts verbatim): an assertion reports them as a
/// failure `接口响应失败或<text>`. The others are exceptions Python would raise
/// from inside the libraries; the engine treats those as step errors.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum ExtractError {
    #[error("被提取的值不是json, 不支持jsonpath")]
    NotJson,
    #[error("jsonpath表达式错误: {0}")]
    JsonPathNoMatch(String),
    #[error("正则表达式匹配失败: {0}")]
    RegexNoMatch(String),
    #[error("未定义提取函数: {0}")]
    UnknownMethod(String),
    /// A Python exception escaping jsonpath 0.82 (`ValueError` for `[::0]` or
    /// `[-:]`, `IndexError` for a stray `#<n>`, `RecursionError`).
    #[error("jsonpath执行异常: {0}")]
    Python(String),
    /// The pattern does not compile (Python: `re.error`), or the regex engine
    /// gave up (backtracking limit).
    #[error("正则表达式错误: {0}")]
    InvalidRegex(String),
}

impl ExtractError {
    /// True for the engine's own `ExtractValueError`s (assertion → failure);
    /// false for the exceptions that make a step an error.
    pub fn is_extract_value_error(&self) -> bool {
        matches!(
            self,
            ExtractError::NotJson
                | ExtractError::JsonPathNoMatch(_)
                | ExtractError::RegexNoMatch(_)
                | ExtractError::UnknownMethod(_)
        )
    }
}

/// `extract_by_jsonpath(data, expr)`: `data` must be a dict or list.
/// For several extractions on the same data, prepare a [`JsonDoc`] once.
pub fn jsonpath(data: &Value, expr: &str) -> Result<Value, ExtractError> {
    JsonDoc::from_value(data).jsonpath(expr)
}

/// `extract_by_regex(data, pattern)` with A25 fixed: one match → the match
/// (a string, or a tuple for ≥ 2 groups), several → a list, none → error.
pub fn regex_findall(data: &Value, pattern: &str) -> Result<Value, ExtractError> {
    let text = regex::subject(data);
    let mut found = regex::findall(pattern, &text)?;
    match found.len() {
        0 => Err(ExtractError::RegexNoMatch(pattern.to_string())),
        1 => Ok(found.pop().unwrap_or(Value::None)),
        _ => Ok(Value::List(found)),
    }
}

/// `extract(method, data, expression)`: `jsonpath` or `regular`.
pub fn extract(method: &str, expression: &str, data: &Value) -> Result<Value, ExtractError> {
    match method {
        "jsonpath" => jsonpath(data, expression),
        "regular" => regex_findall(data, expression),
        other => Err(ExtractError::UnknownMethod(other.to_string())),
    }
}

#[cfg(test)]
pub(crate) mod tests;
