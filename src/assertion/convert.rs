//! `LMAssert` conversion helpers (api-cases §4.4). Each raises the exception kind the
//! Python helper raises for the same input, so callers keep the error/failure split (A23).

use super::AssertionError;
use super::pyops::{py_len, type_err, value_err};
use crate::value::{Value, parse_json, parse_py_literal, py_strip};

/// `re.fullmatch(r'-?[0-9]*\.?[0-9]*', s)` (ASCII digits only, as Python's `[0-9]`).
fn looks_numeric(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit());
    let s = s.strip_prefix('.').unwrap_or(s);
    s.chars().all(|c| c.is_ascii_digit())
}

/// `float(s)` if `s` has a `.`, else `int(s)`, for text that passed [`looks_numeric`].
/// `"-"`, `"."`, `""` raise `ValueError` like Python; big ints become floats.
fn to_number(s: &str) -> Result<Value, AssertionError> {
    let has_digit = s.chars().any(|c| c.is_ascii_digit());
    if s.contains('.') {
        if !has_digit {
            return Err(value_err(format!(
                "could not convert string to float: {}",
                crate::value::str_repr(s)
            )));
        }
        s.parse::<f64>().map(Value::Float).map_err(|_| {
            value_err(format!(
                "could not convert string to float: {}",
                crate::value::str_repr(s)
            ))
        })
    } else {
        if !has_digit {
            return Err(value_err(format!(
                "invalid literal for int() with base 10: {}",
                crate::value::str_repr(s)
            )));
        }
        Ok(match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(s.parse::<f64>().unwrap_or(f64::NAN)),
        })
    }
}

fn is_bracketed(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']')
}

/// Python's `len(value) == 0` test after the type checks; `bool` has no `len()`.
fn is_empty(v: &Value) -> Result<bool, AssertionError> {
    Ok(py_len(v)? == 0)
}

fn no_startswith(v: &Value) -> AssertionError {
    match v {
        Value::Bytes(_) => {
            type_err("startswith first arg must be bytes or a tuple of bytes, not str")
        }
        other => type_err(format!(
            "'{}' object has no attribute 'startswith'",
            other.type_name()
        )),
    }
}

/// `str2num`: numbers pass, null/empty → null, numeric-looking strings → int/float,
/// other strings unchanged (`"1e5"`, `"+5"`, `" 5"` stay strings).
pub fn str2num(v: &Value) -> Result<Value, AssertionError> {
    match v {
        Value::Int(_) | Value::Float(_) => Ok(v.clone()),
        Value::None => Ok(Value::None),
        _ if is_empty(v)? => Ok(Value::None),
        Value::Str(s) if looks_numeric(s) => to_number(s),
        Value::Str(_) => Ok(v.clone()),
        Value::Bytes(_) => Err(type_err(
            "cannot use a string pattern on a bytes-like object",
        )),
        _ => Err(type_err("expected string or bytes-like object")),
    }
}

/// `str2list` with quirk A19 Fix: a `[…]` string is parsed as JSON, then as a Python
/// literal, and only then split naively on commas (the Python behaviour, kept as fallback:
/// numeric items → numbers, other items lose their first and last characters).
pub fn str2list(v: &Value) -> Result<Value, AssertionError> {
    match v {
        Value::List(_) | Value::Int(_) | Value::Float(_) => Ok(v.clone()),
        Value::None => Ok(Value::None),
        _ if is_empty(v)? => Ok(Value::None),
        Value::Str(s) if is_bracketed(s) => {
            if let Ok(list @ Value::List(_)) = parse_json(s) {
                return Ok(list);
            }
            if let Ok(list @ Value::List(_)) = parse_py_literal(s) {
                return Ok(list);
            }
            naive_list(s)
        }
        Value::Str(_) => Ok(v.clone()),
        other => Err(no_startswith(other)),
    }
}

fn naive_list(s: &str) -> Result<Value, AssertionError> {
    let inner = &s[1..s.len() - 1];
    let mut out = Vec::new();
    for item in inner.split(',') {
        let item = py_strip(item);
        if looks_numeric(item) {
            out.push(to_number(item)?);
        } else {
            let chars: Vec<char> = item.chars().collect();
            let kept: String = if chars.len() >= 2 {
                chars[1..chars.len() - 1].iter().collect()
            } else {
                String::new()
            };
            out.push(Value::Str(kept));
        }
    }
    Ok(Value::List(out))
}

/// `str2dict` with quirk A20 Fix: a `{…}` string is parsed as JSON, then as a Python
/// literal (Python used `ast.literal_eval` only, so JSON `true/false/null` raised).
pub fn str2dict(v: &Value) -> Result<Value, AssertionError> {
    match v {
        Value::Dict(_) | Value::Int(_) | Value::Float(_) => Ok(v.clone()),
        Value::None => Ok(Value::None),
        _ if is_empty(v)? => Ok(Value::None),
        Value::Str(s) if s.starts_with('{') && s.ends_with('}') => {
            if let Ok(d) = parse_json(s) {
                return Ok(d);
            }
            parse_py_literal(s).map_err(|e| value_err(format!("无法解析为对象: {s} ({e})")))
        }
        Value::Str(_) => Ok(v.clone()),
        other => Err(no_startswith(other)),
    }
}

/// `str2none`: `none`/`null` in any case (after py_str) → null, else unchanged.
pub fn str2none(v: &Value) -> Value {
    let s = v.py_str().to_lowercase();
    if s == "none" || s == "null" {
        Value::None
    } else {
        v.clone()
    }
}

/// `str2bool`: `true`/`false` in any case (after py_str), else `None`.
pub fn str2bool(v: &Value) -> Option<bool> {
    match v.py_str().to_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `to_str`: numbers pass through (so `contains` raises on them later), null/empty → `""`,
/// other non-strings → py_str.
pub fn to_str(v: &Value) -> Result<Value, AssertionError> {
    match v {
        Value::Int(_) | Value::Float(_) => Ok(v.clone()),
        Value::None => Ok(Value::Str(String::new())),
        _ if is_empty(v)? => Ok(Value::Str(String::new())),
        Value::Str(_) => Ok(v.clone()),
        other => Ok(Value::Str(other.py_str())),
    }
}

/// `list_len`: length after `str2list`; anything but a list is an error.
pub fn list_len(v: &Value) -> Result<usize, AssertionError> {
    match str2list(v)? {
        Value::List(items) => Ok(items.len()),
        _ => Err(AssertionError::NotAList(v.py_str())),
    }
}

/// The items a membership comparator (`notContains`, `containsOnly`, `isIn`, `isNotIn`)
/// checks against.
#[derive(Debug, Clone, PartialEq)]
pub enum Items {
    /// From a list (or a `[…]` string).
    Many(Vec<Value>),
    /// Quirk A18 Fix: a non-`[…]` expected value is one item. Python unpacked a string
    /// into characters (`"lx"` → `'l', 'x'`) and raised on numbers.
    One(Value),
}

impl Items {
    pub fn as_slice(&self) -> &[Value] {
        match self {
            Items::Many(v) => v,
            Items::One(v) => std::slice::from_ref(v),
        }
    }
}

/// Expected value → items (A18 Fix). Empty/null expectations raise like Python's `*None`.
pub fn expect_items(e: &Value) -> Result<Items, AssertionError> {
    match e {
        Value::Str(s) if !s.is_empty() && !is_bracketed(s) => Ok(Items::One(e.clone())),
        Value::Int(_) | Value::Float(_) => Ok(Items::One(e.clone())),
        _ => match str2list(e)? {
            Value::List(items) => Ok(Items::Many(items)),
            other => Err(type_err(format!(
                "argument after * must be an iterable, not {}",
                other.type_name()
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    fn repr(r: Result<Value, AssertionError>) -> String {
        match r {
            Ok(v) => v.py_repr(),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn str2num_cases() {
        assert_eq!(repr(str2num(&s("12"))), "12");
        assert_eq!(repr(str2num(&s("-1.50"))), "-1.5");
        assert_eq!(repr(str2num(&s("1."))), "1.0");
        assert_eq!(repr(str2num(&s(".5"))), "0.5");
        assert_eq!(repr(str2num(&s(""))), "None");
        assert_eq!(repr(str2num(&Value::None)), "None");
        assert_eq!(repr(str2num(&s("1e5"))), "'1e5'");
        assert_eq!(repr(str2num(&s("+5"))), "'+5'");
        assert_eq!(repr(str2num(&s(" 5"))), "' 5'");
        assert_eq!(repr(str2num(&s("abc"))), "'abc'");
        assert_eq!(repr(str2num(&Value::Float(2.5))), "2.5");
        assert_eq!(
            repr(str2num(&s("-"))),
            "ERR invalid literal for int() with base 10: '-'"
        );
        assert_eq!(
            repr(str2num(&s("."))),
            "ERR could not convert string to float: '.'"
        );
        assert_eq!(
            repr(str2num(&Value::Bool(true))),
            "ERR object of type 'bool' has no len()"
        );
        assert_eq!(
            repr(str2num(&Value::List(vec![Value::Int(1)]))),
            "ERR expected string or bytes-like object"
        );
        assert_eq!(repr(str2num(&Value::List(vec![]))), "None");
        assert_eq!(repr(str2num(&s("99999999999999999999"))), "1e+20");
    }

    #[test]
    fn str2list_cases() {
        assert_eq!(repr(str2list(&s("[1, 2.5, 'a']"))), "[1, 2.5, 'a']");
        assert_eq!(
            repr(str2list(&s(r#"["a", true, null]"#))),
            "['a', True, None]"
        );
        assert_eq!(repr(str2list(&s("[[1], [2]]"))), "[[1], [2]]");
        assert_eq!(repr(str2list(&s("[]"))), "[]");
        // Naive fallback (Python behaviour) for text that is neither JSON nor a literal.
        assert_eq!(repr(str2list(&s("[a, b]"))), "['', '']");
        assert_eq!(repr(str2list(&s("[1, abc, x]"))), "[1, 'b', '']");
        assert_eq!(
            repr(str2list(&s("[1, -]"))),
            "ERR invalid literal for int() with base 10: '-'"
        );
        assert_eq!(repr(str2list(&s("abc"))), "'abc'");
        assert_eq!(repr(str2list(&s(""))), "None");
        assert_eq!(repr(str2list(&Value::Int(3))), "3");
        assert_eq!(
            repr(str2list(&Value::Bool(false))),
            "ERR object of type 'bool' has no len()"
        );
        assert_eq!(
            repr(str2list(&Value::Tuple(vec![Value::Int(1)]))),
            "ERR 'tuple' object has no attribute 'startswith'"
        );
    }

    #[test]
    fn str2dict_cases() {
        assert_eq!(
            repr(str2dict(&s(r#"{"a": true, "b": null}"#))),
            "{'a': True, 'b': None}"
        );
        assert_eq!(repr(str2dict(&s("{'a': True}"))), "{'a': True}");
        assert_eq!(repr(str2dict(&s("abc"))), "'abc'");
        assert_eq!(repr(str2dict(&s(""))), "None");
        assert!(repr(str2dict(&s("{a: 1}"))).starts_with("ERR 无法解析为对象: {a: 1}"));
        assert_eq!(
            repr(str2dict(&Value::List(vec![Value::Int(1)]))),
            "ERR 'list' object has no attribute 'startswith'"
        );
    }

    #[test]
    fn other_helpers() {
        assert_eq!(str2none(&s("NULL")), Value::None);
        assert_eq!(str2none(&s("None")), Value::None);
        assert_eq!(str2none(&s("nil")), s("nil"));
        assert_eq!(str2bool(&Value::Bool(true)), Some(true));
        assert_eq!(str2bool(&s("FALSE")), Some(false));
        assert_eq!(str2bool(&s("yes")), None);
        assert_eq!(repr(to_str(&Value::Int(5))), "5");
        assert_eq!(repr(to_str(&Value::None)), "''");
        assert_eq!(repr(to_str(&Value::List(vec![]))), "''");
        assert_eq!(repr(to_str(&Value::List(vec![s("a")]))), r#""['a']""#);
        assert_eq!(list_len(&s("[1, 2, 3]")), Ok(3));
        assert_eq!(
            list_len(&s("abc")).unwrap_err().to_string(),
            "传入实际值(abc) 不是列表格式"
        );
        assert_eq!(
            list_len(&Value::None).unwrap_err().to_string(),
            "传入实际值(None) 不是列表格式"
        );
    }

    #[test]
    fn items_cases() {
        assert_eq!(expect_items(&s("lx")), Ok(Items::One(s("lx"))));
        assert_eq!(
            expect_items(&s("[1, 2]")),
            Ok(Items::Many(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(expect_items(&Value::Int(3)), Ok(Items::One(Value::Int(3))));
        assert_eq!(
            expect_items(&s("")).unwrap_err().to_string(),
            "argument after * must be an iterable, not NoneType"
        );
    }
}
