//! Function calls `{{@name(args)}}` (§2.3): Python's `split_func`, the typed
//! argument conversion, `quotation_marks` and `concat`; quirks A7, A8, A47.

use crate::value::{Value, parse_json, parse_py_literal};

use super::ParamType;
use super::lookup::Outcome;
use super::pynum::{py_float, py_int};
use super::scan::Renderer;

/// One argument piece after reference resolution (§2.6): the resolved value
/// (bytes kept for A7) and its `str()` text.
struct Piece {
    value: Value,
    text: String,
}

impl Renderer<'_, '_> {
    /// Parses and calls a function key (starting with `@`).
    pub(crate) fn call_function(&mut self, key: &str) -> Outcome {
        let fail = |reason: String| Outcome::Failed {
            key: key.to_owned(),
            reason,
        };
        let Some(name) = function_name(key) else {
            return fail(format!("函数错误: {key}"));
        };
        let functions = self.scope.functions;
        if !functions.exists(name) {
            // Python fails later, in `getattr`; the outcome is the same.
            return fail(format!("不存在的函数: {name}"));
        }
        let args = match self.function_args(key, name) {
            Ok(a) => a,
            Err(e) => return fail(format!("{key}: {e}")),
        };
        match functions.call(name, args) {
            Ok(v) => Outcome::Found(v),
            Err(e) => fail(format!("{key}: {e}")),
        }
    }

    /// The converted arguments of a call of `name`.
    fn function_args(&mut self, key: &str, name: &str) -> Result<Vec<Value>, String> {
        // Every occurrence of `@name` is removed, then the first and last characters.
        let args = key.replace(&format!("@{name}"), "");
        if args == "()" {
            return Ok(Vec::new());
        }
        let inner = drop_first_last(&args);
        let mut pieces = Vec::new();
        for raw in inner.split(',') {
            let value = self.reference(raw)?;
            let text = value.py_str();
            pieces.push(Piece { value, text });
        }
        if pieces.len() == 1 && pieces[0].text.is_empty() {
            return Ok(Vec::new());
        }
        match self.scope.functions.param_types(name) {
            None => Ok(pieces.into_iter().map(|p| Value::Str(p.text)).collect()),
            Some(types) => convert_typed(name, &types, pieces),
        }
    }
}

/// `@([_a-zA-Z][_a-zA-Z0-9]*)` at the start of the key.
fn function_name(key: &str) -> Option<&str> {
    let rest = key.strip_prefix('@')?;
    let first = rest.chars().next()?;
    if !(first == '_' || first.is_ascii_alphabetic()) {
        return None;
    }
    let end = rest
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(rest.len());
    rest.get(..end)
}

/// Python's `s[1:-1]`.
fn drop_first_last(s: &str) -> &str {
    let mut chars = s.chars();
    chars.next();
    chars.next_back();
    chars.as_str()
}

/// Converts pieces per the declared types, stopping when pieces run out and
/// ignoring surplus pieces.
fn convert_typed(
    name: &str,
    types: &[ParamType],
    pieces: Vec<Piece>,
) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let mut j = 0;
    for (i, ty) in types.iter().enumerate() {
        let Some(piece) = pieces.get(j) else { break };
        let text = piece.text.as_str();
        let bad = |what: &str| format!("函数{name}第{}个参数{what}: {text}", i + 1);
        let v = match ty {
            // A47 Fix: an empty piece is the empty string (Python raised).
            ParamType::Str => Value::Str(quotation_marks(text).to_owned()),
            ParamType::Int => py_int(text).ok_or_else(|| bad("不是整数"))?,
            ParamType::Float => Value::Float(py_float(text).ok_or_else(|| bad("不是浮点数"))?),
            ParamType::Bool => Value::Bool(!text.eq_ignore_ascii_case("false")),
            ParamType::Dict | ParamType::List => {
                let terminal = if *ty == ParamType::Dict { '}' } else { ']' };
                let (next, v) = concat(j, &pieces, terminal);
                out.push(v);
                j = next;
                continue;
            }
            // A7 Fix: bytes reach a bytes parameter as bytes.
            ParamType::Bytes => match &piece.value {
                Value::Bytes(b) => Value::Bytes(b.clone()),
                _ => Value::Str(piece.text.clone()),
            },
            ParamType::Other => Value::Str(piece.text.clone()),
        };
        out.push(v);
        j += 1;
    }
    Ok(out)
}

/// Python's `concat`: joins pieces from `start` up to the first one that contains
/// `terminal` and reads as a Python literal (as-is after quote stripping, then
/// after JSON-unescaping); otherwise the text up to the last piece containing
/// `terminal` (or just the first piece) is a string. Returns the next index.
fn concat(start: usize, pieces: &[Piece], terminal: char) -> (usize, Value) {
    let join = |end: usize| {
        pieces
            .get(start..=end)
            .unwrap_or_default()
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut end = start;
    for (i, piece) in pieces.iter().enumerate().skip(start) {
        if !piece.text.contains(terminal) {
            continue;
        }
        end = i;
        let s = join(end);
        if let Ok(v) = parse_py_literal(quotation_marks(&s)) {
            return (end + 1, v);
        }
        if let Ok(Value::Str(unescaped)) = parse_json(&format!("\"{s}\""))
            && let Ok(v) = parse_py_literal(&unescaped)
        {
            return (end + 1, v);
        }
    }
    (end + 1, Value::Str(join(end)))
}

const QUOTES: [char; 6] = ['\'', '"', '‘', '’', '“', '”'];

/// Python's `quotation_marks`: strips one leading and one trailing quote (any of
/// `'` `"` `‘` `’` `“` `”`, or the escaped `\'` `\"`) when both ends have one.
/// The empty string stays empty (A47 Fix).
pub(crate) fn quotation_marks(s: &str) -> &str {
    let before = match s.chars().next() {
        Some(c) if QUOTES.contains(&c) => c.len_utf8(),
        _ if s.starts_with("\\'") || s.starts_with("\\\"") => 2,
        _ => return s,
    };
    let after = if s.ends_with("\\'") || s.ends_with("\\\"") {
        2
    } else {
        match s.chars().next_back() {
            Some(c) if QUOTES.contains(&c) => c.len_utf8(),
            _ => return s,
        }
    };
    // Python slicing: an empty result when the two quotes overlap.
    let end = s.len().saturating_sub(after);
    s.get(before..end).unwrap_or_default()
}
