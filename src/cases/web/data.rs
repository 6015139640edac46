//! Operation data coercion (`handle_operation_data`, web-cases §1.6), the URL join of
//! `打开网页` and Python's `round`. Failures are silent like the Python engine's, except Q8
//! (unparseable `JSONObject`/`JSONArray` text) and Q22 (URL without a scheme), which are Fixes.

use super::error::WebError;
use crate::functions::params::{py_float, py_int};
use crate::value::Value;

/// Coerces one rendered data value by its declared type.
pub fn coerce(kind: &str, value: Value) -> Result<Value, WebError> {
    Ok(match (kind, value) {
        ("JSONObject" | "JSONArray", Value::Str(s)) => {
            if s.trim().is_empty() {
                // An empty field (the UI's default) stays empty: no arguments, no object.
                Value::Str(s)
            } else {
                match crate::value::parse_json_or_py_literal(&s) {
                    Ok(v) => v,
                    Err(e) => {
                        return Err(WebError::Step(format!(
                            "invalid {kind}: {} is neither JSON nor a Python literal ({e})",
                            crate::value::str_repr(&s)
                        )));
                    }
                }
            }
        }
        ("Boolean", Value::Str(s)) => Value::Bool(s.to_lowercase() == "true"),
        ("Int", v) => match &v {
            Value::Str(s) => py_int(s).map(Value::Int).unwrap_or(v),
            Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
            Value::Bool(b) => Value::Int(i64::from(*b)),
            _ => v,
        },
        ("Float", v) => match &v {
            Value::Str(s) => py_float(s).map(Value::Float).unwrap_or(v),
            Value::Int(i) => Value::Float(*i as f64),
            Value::Bool(b) => Value::Float(f64::from(u8::from(*b))),
            _ => v,
        },
        ("Number", Value::Str(s)) => {
            if s.contains('.') {
                py_float(&s).map(Value::Float).unwrap_or(Value::Str(s))
            } else {
                py_int(&s).map(Value::Int).unwrap_or(Value::Str(s))
            }
        }
        (_, v) => v,
    })
}

/// `url_join(domain, path)` (§2.1), then Q22: a URL without a scheme is an error naming the keys.
pub fn url_join(domain: &Value, path: &Value) -> Result<String, WebError> {
    let text = |v: &Value| match v {
        Value::None => String::new(),
        other => other.py_str(),
    };
    let (d, p) = (text(domain), text(path));
    let host = if d.is_empty() {
        String::new()
    } else if d.ends_with('/') {
        d.clone()
    } else {
        format!("{d}/")
    };
    let api = p.strip_prefix('/').unwrap_or(&p);
    let url = format!("{host}{api}");
    match url::Url::parse(&url) {
        Ok(u) if !u.cannot_be_a_base() || u.scheme() == "data" || u.scheme() == "about" => Ok(url),
        _ => Err(WebError::Step(format!(
            "无法打开 '{url}': not an absolute URL; check the domain (domain = {}) and path (path = {}) of this step and the environment's domain mapping",
            crate::value::str_repr(&d),
            crate::value::str_repr(&p)
        ))),
    }
}

/// Python's `round(x)` (half to even) as an integer.
pub fn py_round(x: f64) -> i64 {
    let r = x.round();
    let r = if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    };
    r as i64
}

/// An integer from coerced data (`Int` data that did not coerce is a step error naming the key).
pub fn int_of(key: &str, v: &Value) -> Result<i64, WebError> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Float(f) if f.is_finite() => Ok(f.trunc() as i64),
        other => Err(WebError::Step(format!(
            "{key} 不是整数: {} (expected an integer)",
            other.py_repr()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coercions_follow_handle_operation_data() {
        let s = |t: &str| Value::Str(t.into());
        assert_eq!(coerce("Int", s(" 3 ")).ok(), Some(Value::Int(3)));
        assert_eq!(coerce("Int", s("3.5")).ok(), Some(s("3.5")));
        assert_eq!(coerce("Number", s("3.5")).ok(), Some(Value::Float(3.5)));
        assert_eq!(coerce("Number", s("4")).ok(), Some(Value::Int(4)));
        assert_eq!(coerce("Boolean", s("TRUE")).ok(), Some(Value::Bool(true)));
        assert_eq!(coerce("Boolean", s("yes")).ok(), Some(Value::Bool(false)));
        assert_eq!(coerce("Boolean", Value::None).ok(), Some(Value::None));
        assert_eq!(
            coerce("JSONArray", s("[1, 'a', True]")).ok(),
            Some(Value::List(vec![Value::Int(1), s("a"), Value::Bool(true)]))
        );
        assert_eq!(
            coerce("JSONArray", s("[true, null]"))
                .ok()
                .map(|v| v.py_str()),
            Some("[True, None]".into())
        );
        assert!(coerce("JSONArray", s("[1,")).is_err());
        assert_eq!(coerce("JSONArray", s("")).ok(), Some(s("")));
        assert_eq!(coerce("String", Value::Int(2)).ok(), Some(Value::Int(2)));
    }

    #[test]
    fn url_join_and_round() {
        let s = |t: &str| Value::Str(t.into());
        assert_eq!(
            url_join(&s("https://a.com"), &s("")).ok().as_deref(),
            Some("https://a.com/")
        );
        assert_eq!(
            url_join(&s("http://a/"), &s("/x/y")).ok().as_deref(),
            Some("http://a/x/y")
        );
        assert!(url_join(&s(""), &s("/x")).is_err());
        assert!(url_join(&s("12ab"), &s("/x")).is_err());
        assert_eq!(
            (py_round(2.5), py_round(3.5), py_round(-2.5), py_round(8.4)),
            (2, 4, -2, 8)
        );
    }
}
