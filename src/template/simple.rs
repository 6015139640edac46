//! The everyday template, rendered without the JSON round trip: a string whose only braces are
//! `{{name}}` placeholders, each naming a collection variable or a common parameter that holds
//! a string without braces, an integer, a boolean or `None`. `"{{token}}"` and
//! `"/api/items/{{id}}"` are most of what a case's requests hold, and the general render (the
//! string's JSON text scanned, the result parsed back) cost about 2,000 instructions for each.
//!
//! The result is what the general render gives, by construction:
//! * without a quote, a backslash or a control character the string is its own JSON text
//!   between quotes, and with no other brace the scan finds exactly these placeholders, none
//!   nested (§2.1);
//! * a key is Python's `tmp[2:-2].strip()`, looked up as `resolve` does: context, params, then
//!   a legacy `$name` in params; anything else (a function, a JSONPath, an unknown name) is
//!   left to the general render;
//! * a placeholder that is the whole string becomes the value itself (§2.4: the quotes go and
//!   the value's JSON is read back); an embedded one becomes the value's text: a string as it
//!   is (escaped into the JSON text and read back unchanged), a number in decimal, `true`,
//!   `false` or `null`. The scan reads the text it has written so far, replacements included:
//!   a value holding a brace could join the text around it into a new placeholder, and one
//!   ending with a quote (escaped, `\"`) makes a placeholder right after it at the end of the
//!   string a "whole" one, which takes the quote away from its backslash (an invalid escape in
//!   Python too). An embedded string holding a brace or a quote is left to the general render.

use crate::value::{Value, py_strip};

use super::Scope;

/// The rendered value of `s`, or `None` when the general render must decide.
pub(crate) fn render(s: &str, scope: &Scope) -> Option<Value> {
    let b = s.as_bytes();
    if b.iter().any(|&c| c == b'"' || c == b'\\' || c < 0x20) {
        return None;
    }
    let mut out: Option<String> = None;
    let (mut at, mut copied) = (0, 0);
    while let Some(rel) = b
        .get(at..)
        .and_then(|r| r.iter().position(|&c| c == b'{' || c == b'}'))
    {
        let open = at + rel;
        if b.get(open..open + 2) != Some(b"{{") {
            return None;
        }
        let inner_start = open + 2;
        let close = inner_start
            + b.get(inner_start..)?
                .iter()
                .position(|&c| c == b'{' || c == b'}')?;
        if b.get(close..close + 2) != Some(b"}}") {
            return None;
        }
        let value = lookup(py_strip(s.get(inner_start..close)?), scope)?;
        let end = close + 2;
        if open == 0 && end == b.len() {
            return match value {
                Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None => Some(value.clone()),
                _ => None,
            };
        }
        let text = out.get_or_insert_with(|| String::with_capacity(s.len() + 16));
        text.push_str(s.get(copied..open)?);
        match value {
            Value::Str(v) if !v.bytes().any(|c| matches!(c, b'{' | b'}' | b'"')) => {
                text.push_str(v)
            }
            Value::Int(i) => text.push_str(itoa::Buffer::new().format(*i)),
            Value::Bool(true) => text.push_str("true"),
            Value::Bool(false) => text.push_str("false"),
            Value::None => text.push_str("null"),
            _ => return None,
        }
        at = end;
        copied = end;
    }
    let mut text = out?;
    text.push_str(s.get(copied..)?);
    Some(Value::Str(text))
}

/// A plain name's value, in `resolve`'s order; `None` for a function call, a key with a
/// JSONPath (`a.b`, `a[0]`) or a name found nowhere.
fn lookup<'a>(key: &str, scope: &Scope<'a>) -> Option<&'a Value> {
    if key.starts_with('@') || key.contains('.') || (key.ends_with(']') && key.contains('[')) {
        return None;
    }
    scope
        .context
        .get(key)
        .or_else(|| scope.params.get(key))
        .or_else(|| {
            key.strip_prefix('$')
                .and_then(|rest| scope.params.get(rest))
        })
}
