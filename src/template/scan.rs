//! The linear scanner (§2.1) and value insertion (§2.4), quirks A2, A5, A9, A53.
//!
//! Python keeps a character stack: every input character is pushed, a `{{`
//! window (the last two stack characters, which may include the last character
//! of a replacement) pushes a marker, a `}}` window pops the most recent marker
//! and replaces the stack text from it by the resolved value. The same model
//! runs here on a `String` with byte-offset markers, so every step is O(1)
//! amortised apart from the work on the placeholder text itself (A2 Fix).

use std::fmt::Write as _;

use crate::value::{Value, parse_json, py_strip};

use super::bytes::BytesStore;
use super::lookup::Outcome;
use super::{RenderError, RenderErrorKind, Rendered, Scope, unknown_key_line};

/// One render call's state (`Template.init` + `Template.render`).
pub(crate) struct Renderer<'s, 'a> {
    pub(crate) scope: &'s Scope<'a>,
    /// Bytes values inserted during this render (§2.5); cleared per render.
    pub(crate) bytes: BytesStore,
    console: Vec<String>,
    unresolved: Vec<String>,
    pub(crate) warnings: Vec<String>,
}

impl<'s, 'a> Renderer<'s, 'a> {
    pub(crate) fn new(scope: &'s Scope<'a>) -> Self {
        Renderer {
            scope,
            bytes: BytesStore::default(),
            console: Vec::new(),
            unresolved: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(crate) fn render(mut self, input: &Value) -> Result<Rendered, RenderError> {
        // Most renders are of one string (a request leaf): its JSON text is the string in
        // quotes when nothing in it needs escaping, and a result that is again such a string
        // is its text between the quotes, with no general writer or parser on the way.
        let text = match input {
            Value::Str(s) if is_json_verbatim(s) => {
                let mut t = String::with_capacity(s.len() + 2);
                t.push('"');
                t.push_str(s);
                t.push('"');
                t
            }
            _ => match input.to_json_text_unicode() {
                Ok(t) => t,
                Err(e) => return Err(self.fail(RenderErrorKind::NotSerializable(e))),
            },
        };
        let out = match self.scan(&text) {
            Ok(o) => o,
            Err(kind) => return Err(self.fail(kind)),
        };
        let verbatim = out
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .filter(|inner| is_json_verbatim(inner));
        let parsed = match verbatim {
            Some(inner) => Ok(Value::Str(inner.to_owned())),
            None => parse_json(&out),
        };
        let value = match parsed {
            Ok(v) => v,
            Err(e) => return Err(self.fail(RenderErrorKind::InvalidJson(e))),
        };
        let value = self.bytes.restore(value, &mut self.warnings);
        Ok(Rendered {
            value,
            console: self.console,
            unresolved: self.unresolved,
            warnings: self.warnings,
        })
    }

    fn fail(self, kind: RenderErrorKind) -> RenderError {
        RenderError {
            kind,
            console: self.console,
        }
    }

    /// The scan over the JSON text; returns the text to parse. Only a brace can
    /// complete a `{{`/`}}` window, so the text between braces is copied in bulk.
    fn scan(&mut self, data: &str) -> Result<String, RenderErrorKind> {
        let mut out = String::with_capacity(data.len() + 16);
        // Byte offsets in `out` where an open `{{` starts.
        let mut markers: Vec<usize> = Vec::new();
        let mut i = 0;
        let bytes = data.as_bytes();
        // Braces are ASCII, so their byte positions are char boundaries.
        while let Some(rel) = bytes
            .get(i..)
            .and_then(|r| r.iter().position(|b| matches!(b, b'{' | b'}')))
        {
            out.push_str(data.get(i..i + rel).unwrap_or_default());
            let brace = i + rel;
            i = brace + 1;
            if bytes.get(brace) == Some(&b'{') {
                out.push('{');
                if out.ends_with("{{") {
                    markers.push(out.len() - 2);
                }
                continue;
            }
            out.push('}');
            if !out.ends_with("}}") {
                continue;
            }
            let Some(start) = markers.pop() else {
                continue; // a `}}` without an open marker is text
            };
            let next = data.get(i..).and_then(|r| r.chars().next());
            let before = out.get(..start).and_then(|r| r.chars().next_back());
            if before == Some('"') && next.is_none() {
                // A53 Fix: Python raised an IndexError here; keep the text.
                continue;
            }
            let whole = before == Some('"') && next == Some('"');
            let tmp = out.get(start..).unwrap_or_default();
            let outcome = self.resolve(key_of(tmp));
            let value = match outcome {
                Outcome::Found(v) => v,
                Outcome::Unresolved(key) => {
                    self.unresolved.push(key);
                    continue;
                }
                Outcome::Failed { key, reason } => {
                    self.console.push(unknown_key_line(&key));
                    self.warnings.push(reason);
                    continue;
                }
            };
            // A string equal to the placeholder text is inserted as if unresolved.
            if matches!(&value, Value::Str(s) if s == tmp) {
                continue;
            }
            let text = self.insertion_text(value, whole, !markers.is_empty())?;
            out.truncate(start);
            if whole {
                // Python's `flag`: both quotes go, the value's JSON replaces them.
                out.pop();
                i += 1;
            }
            out.push_str(&text);
        }
        out.push_str(data.get(i..).unwrap_or_default());
        Ok(out)
    }

    /// The text that replaces a resolved placeholder (§2.4). `nested`: another
    /// placeholder is still open (the text becomes part of its key).
    fn insertion_text(
        &mut self,
        value: Value,
        whole: bool,
        nested: bool,
    ) -> Result<String, RenderErrorKind> {
        let (text, container) = match value {
            Value::Str(s) if !whole => {
                if nested && !s.contains('"') {
                    return Ok(s);
                }
                return Ok(json_str_content(&s));
            }
            Value::Bytes(b) => {
                let reference = self.bytes.save(b);
                return Ok(if whole {
                    format!("\"{reference}\"")
                } else {
                    reference
                });
            }
            Value::List(items) => {
                let items = items
                    .into_iter()
                    .map(|item| match item {
                        Value::Bytes(b) => Value::Str(self.bytes.save(b)),
                        other => other,
                    })
                    .collect();
                (Value::List(items).to_json_text(), true)
            }
            v @ (Value::Dict(_) | Value::Tuple(_)) => (v.to_json_text(), true),
            other => (other.to_json_text(), false),
        };
        let text = text.map_err(RenderErrorKind::NotSerializable)?;
        if container && !whole && !nested {
            // A5 Fix: an embedded object/list becomes its JSON text inside the string.
            Ok(json_str_content(&text))
        } else {
            Ok(text)
        }
    }
}

/// Whether `s` is its own JSON string content: no quote, backslash or control character, so
/// `"s"` is its JSON text and reads back as `s`.
fn is_json_verbatim(s: &str) -> bool {
    !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// The key of a placeholder text `tmp` (which ends with `}}`): Python's
/// `tmp[2:-2].strip()`.
fn key_of(tmp: &str) -> &str {
    let start = tmp.char_indices().nth(2).map_or(tmp.len(), |(i, _)| i);
    let end = tmp.len().saturating_sub(2);
    if start >= end {
        return "";
    }
    tmp.get(start..end).map(py_strip).unwrap_or_default()
}

/// `json.dumps(s)[1:-1]`: the ASCII-escaped JSON string content (everything
/// outside `' '..='~'` escaped, `\uXXXX` with lower-case hex, surrogate pairs).
pub(crate) fn json_str_content(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_python_json_dumps() {
        for text in [
            "plain",
            "q\"b\\s/",
            "\n\r\t\u{8}\u{c}\u{1}\u{7f}",
            "中文😀",
            "",
        ] {
            let full = Value::Str(text.to_owned()).to_json_text().unwrap();
            assert_eq!(format!("\"{}\"", json_str_content(text)), full, "{text:?}");
        }
    }

    #[test]
    fn keys_are_pythons_slice_and_strip() {
        assert_eq!(key_of("{{ a }}"), "a");
        assert_eq!(key_of("{}}"), "");
        assert_eq!(key_of("{5a}}"), "a");
        assert_eq!(key_of("{{}}"), "");
    }
}
