//! Regex extraction with Python `re.findall` semantics, on `fancy-regex`.
//!
//! * Pattern syntax: `fancy-regex` (lookarounds, backreferences, Unicode
//!   `\d`/`\w`/`\s`) after a small translation of the Python-only syntax that
//!   occurs in practice: a `{` that does not start a valid quantifier is a
//!   literal (`"data":{"id":(\d+)`), `{,n}` means `{0,n}`, `\Z` is `\z`,
//!   `\<`/`\>` are literals (word boundaries in Rust), `$`
//!   (without the `m` flag) also matches before a final newline, and `[`, `&`,
//!   `~`, `--` inside a class are literals (set operators in Rust).
//! * Iteration: non-overlapping, left to right; after an empty match Python
//!   retries at the same position for a non-empty match (`must_advance`)
//!   before moving on, reproduced here.
//! * Result shape: 0 groups → whole matches, 1 group → the group, ≥ 2 →
//!   tuples; unmatched groups are `""`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use fancy_regex::Regex;

use super::ExtractError;
use crate::value::Value;

struct Compiled {
    re: Regex,
    groups: usize,
    /// `\A(?:pattern)` that only accepts a non-empty match (for must_advance).
    nonempty: OnceLock<Option<Regex>>,
    translated: String,
}

const CACHE_CAP: usize = 256;
static CACHE: LazyLock<Mutex<HashMap<String, Arc<Compiled>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn compile(pattern: &str) -> Result<Arc<Compiled>, ExtractError> {
    if let Some(c) = CACHE.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(c);
    }
    let translated = translate(pattern);
    let re = Regex::new(&translated)
        .map_err(|e| ExtractError::InvalidRegex(format!("{pattern}: {e}")))?;
    let compiled = Arc::new(Compiled {
        groups: re.captures_len().saturating_sub(1),
        re,
        nonempty: OnceLock::new(),
        translated,
    });
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= CACHE_CAP {
            c.clear();
        }
        c.insert(pattern.to_string(), compiled.clone());
    }
    Ok(compiled)
}

/// Python `re` pattern → fancy-regex pattern (see module docs).
pub(crate) fn translate(p: &str) -> String {
    let cs: Vec<char> = p.chars().collect();
    let multiline = has_multiline_flag(p);
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            '\\' => {
                if let Some(&n) = cs.get(i + 1) {
                    if n == 'Z' {
                        out.push_str("\\z");
                    } else if n == '<' || n == '>' {
                        out.push(n); // word boundaries in Rust, literals in Python
                    } else {
                        out.push('\\');
                        out.push(n);
                    }
                    i += 2;
                } else {
                    out.push('\\'); // trailing backslash: let the engine report it
                    i += 1;
                }
            }
            '[' => {
                i = class(&cs, i, &mut out);
            }
            '{' => match quantifier(&cs, i) {
                Some((lo, hi, end)) => {
                    out.push('{');
                    out.push_str(if lo.is_empty() { "0" } else { &lo });
                    if let Some(hi) = hi {
                        out.push(',');
                        out.push_str(&hi);
                    }
                    out.push('}');
                    i = end;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            '$' if !multiline => {
                out.push_str("(?:\\z|(?=\\n\\z))");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn has_multiline_flag(p: &str) -> bool {
    let b = p.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        if &b[i..i + 2] != b"(?" {
            return false;
        }
        b[i + 2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic() || **c == b'-')
            .any(|c| *c == b'm')
    })
}

/// Python quantifier `{lo}`, `{lo,}`, `{,hi}`, `{lo,hi}` at `i`: (lo, Some(hi) if a
/// comma form, index after `}`). `{}` is a literal in Python.
fn quantifier(cs: &[char], i: usize) -> Option<(String, Option<String>, usize)> {
    let mut j = i + 1;
    if cs.get(j) == Some(&'}') {
        return None;
    }
    let mut lo = String::new();
    while let Some(d) = cs.get(j).filter(|d| d.is_ascii_digit()) {
        lo.push(*d);
        j += 1;
    }
    let mut hi = None;
    if cs.get(j) == Some(&',') {
        j += 1;
        let mut h = String::new();
        while let Some(d) = cs.get(j).filter(|d| d.is_ascii_digit()) {
            h.push(*d);
            j += 1;
        }
        hi = Some(h);
    }
    if cs.get(j) != Some(&'}') {
        return None;
    }
    Some((lo, hi, j + 1))
}

/// Copies a character class starting at `cs[i] == '['`; returns the index after it.
fn class(cs: &[char], i: usize, out: &mut String) -> usize {
    let mut j = i + 1;
    out.push('[');
    if cs.get(j) == Some(&'^') {
        out.push('^');
        j += 1;
    }
    if cs.get(j) == Some(&']') {
        out.push_str("\\]");
        j += 1;
    }
    let mut prev = '\0';
    while j < cs.len() {
        let c = cs[j];
        match c {
            ']' => {
                out.push(']');
                return j + 1;
            }
            '\\' => {
                out.push('\\');
                if let Some(&n) = cs.get(j + 1) {
                    out.push(n);
                }
                j += 2;
                prev = '\0';
                continue;
            }
            '[' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '-' if prev == '-' => out.push_str("\\-"),
            _ => out.push(c),
        }
        prev = c;
        j += 1;
    }
    j // unterminated: the engine reports the error
}

type Groups = Vec<Option<(usize, usize)>>;

fn runtime_error(e: fancy_regex::Error) -> ExtractError {
    ExtractError::InvalidRegex(format!("runtime error: {e}"))
}

fn search(c: &Compiled, text: &str, pos: usize) -> Result<Option<Groups>, ExtractError> {
    let caps = c.re.captures_from_pos(text, pos).map_err(runtime_error)?;
    Ok(caps.map(|caps| {
        (0..=c.groups)
            .map(|g| caps.get(g).map(|m| (m.start(), m.end())))
            .collect()
    }))
}

/// A non-empty match starting exactly at `pos` (Python's `must_advance`).
fn nonempty_at(c: &Compiled, text: &str, pos: usize) -> Result<Option<Groups>, ExtractError> {
    let aux = c
        .nonempty
        .get_or_init(|| Regex::new(&format!("\\A(?:{})(?<=[\\s\\S])", c.translated)).ok());
    let Some(aux) = aux else { return Ok(None) };
    let caps = aux.captures(&text[pos..]).map_err(runtime_error)?;
    Ok(caps.and_then(|caps| {
        let g: Groups = (0..=c.groups)
            .map(|g| caps.get(g).map(|m| (m.start() + pos, m.end() + pos)))
            .collect();
        // guard: the lookbehind sees only the slice, so it does imply non-empty
        matches!(g[0], Some((s, e)) if e > s).then_some(g)
    }))
}

fn group_text(text: &str, g: Option<(usize, usize)>) -> Value {
    Value::Str(g.map(|(s, e)| text[s..e].to_string()).unwrap_or_default())
}

/// Python `re.findall(pattern, text)` shaped as the engine returns it.
pub(crate) fn findall(pattern: &str, text: &str) -> Result<Vec<Value>, ExtractError> {
    let c = compile(pattern)?;
    let mut out = Vec::new();
    let mut pos = 0;
    let mut must_advance = false;
    while pos <= text.len() {
        let mut m = None;
        if must_advance {
            m = nonempty_at(&c, text, pos)?;
            if m.is_none() {
                match text[pos..].chars().next() {
                    Some(ch) => pos += ch.len_utf8(),
                    None => break,
                }
            }
        }
        if m.is_none() {
            m = search(&c, text, pos)?;
        }
        let Some(g) = m else { break };
        let Some((s, e)) = g[0] else { break };
        out.push(match c.groups {
            0 => group_text(text, g[0]),
            1 => group_text(text, g[1]),
            _ => Value::Tuple(g[1..].iter().map(|x| group_text(text, *x)).collect()),
        });
        must_advance = s == e;
        pos = e;
    }
    Ok(out)
}

/// The text a regex runs on (A25 Fix): strings as-is, bytes decoded as UTF-8
/// (lossy), anything else as Python `json.dumps(ensure_ascii=False)` text.
pub(crate) fn subject(data: &Value) -> Cow<'_, str> {
    match data {
        Value::Str(s) => Cow::Borrowed(s),
        Value::Bytes(b) => String::from_utf8_lossy(b),
        other => Cow::Owned(other.to_json_text_lenient()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fa(p: &str, t: &str) -> Vec<Value> {
        findall(p, t).unwrap()
    }
    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    #[test]
    fn translation() {
        assert_eq!(
            translate(r#""data":{"id":(\d+)}"#),
            r#""data":\{"id":(\d+)\}"#
        );
        assert_eq!(translate(r"a{2}b{,3}c{1,}d{}"), r"a{2}b{0,3}c{1,}d\{\}");
        assert_eq!(translate(r"[[&~]x\Z"), r"[\[\&\~]x\z");
        assert_eq!(translate(r"a$"), r"a(?:\z|(?=\n\z))");
        assert_eq!(translate(r"(?m)a$"), r"(?m)a$");
        assert_eq!(translate(r"[]a]"), r"[\]a]");
    }

    #[test]
    fn empty_match_iteration_like_python() {
        // re.findall(r'a*', 'baaa') == ['', 'aaa', '']
        assert_eq!(fa("a*", "baaa"), vec![s(""), s("aaa"), s("")]);
        // re.findall(r'x*', 'abxd') == ['', '', 'x', '', '']
        assert_eq!(fa("x*", "abxd"), vec![s(""), s(""), s("x"), s(""), s("")]);
        // re.findall(r'|a', 'a') == ['', 'a', '']
        assert_eq!(fa("|a", "a"), vec![s(""), s("a"), s("")]);
        // re.findall(r'(.*?)', 'ab') == ['', 'a', '', 'b', '']
        assert_eq!(fa("(.*?)", "ab"), vec![s(""), s("a"), s(""), s("b"), s("")]);
        // re.findall(r'\b', 'ab cd') == ['', '', '', '']
        assert_eq!(fa(r"\b", "ab cd").len(), 4);
    }

    #[test]
    fn python_dollar() {
        // re.findall(r'\d+$', 'a 12\n') == ['12']
        assert_eq!(fa(r"\d+$", "a 12\n"), vec![s("12")]);
        // re.findall(r'(?m)^\d', '1\n2') == ['1', '2']
        assert_eq!(fa(r"(?m)^\d", "1\n2"), vec![s("1"), s("2")]);
    }

    #[test]
    fn lookaround_backref_named() {
        // re.findall(r'(?<=id=)\d+', 'id=1&id=22') == ['1', '22']
        assert_eq!(fa(r"(?<=id=)\d+", "id=1&id=22"), vec![s("1"), s("22")]);
        // re.findall(r'(\w)\1', 'aabbc') == ['a', 'b']
        assert_eq!(fa(r"(\w)\1", "aabbc"), vec![s("a"), s("b")]);
        // re.findall(r'(?P<k>\w+)=(?P=k)', 'x=x y=z') == ['x']
        assert_eq!(fa(r"(?P<k>\w+)=(?P=k)", "x=x y=z"), vec![s("x")]);
        // re.findall(r'(a)|(b)', 'ab') == [('a', ''), ('', 'b')]
        assert_eq!(
            fa(r"(a)|(b)", "ab"),
            vec![
                Value::Tuple(vec![s("a"), s("")]),
                Value::Tuple(vec![s(""), s("b")])
            ]
        );
    }

    #[test]
    fn invalid_pattern_is_an_error_not_a_panic() {
        for p in ["(", "[", "a{1", "\\", "*", "(?P<x>", "[z-a]"] {
            let _ = findall(p, "abc");
        }
        assert!(matches!(
            findall("(", "x"),
            Err(ExtractError::InvalidRegex(_))
        ));
    }
}
