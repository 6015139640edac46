//! Failure message assembly (api-cases §4.5): Chinese prefix + assertpy 1.1 text with the
//! engine's bracket replacements applied verbatim (they leave oddities like `(l>.`).

use crate::value::Dict;

use crate::value::{Value, str_repr};

/// `实际值({a})与预期值({e}) <word>，条件为否：` (equality family).
pub(crate) fn prefix_equal(word: &str, a: &Value, e: &Value) -> String {
    format!(
        "实际值({})与预期值({}) {word}，条件为否：",
        a.py_str(),
        e.py_str()
    )
}

/// `实际值({a}) <word> 预期值({e})，条件为否：`.
pub(crate) fn prefix_binary(word: &str, a: &Value, e: &Value) -> String {
    format!(
        "实际值({}) {word} 预期值({})，条件为否：",
        a.py_str(),
        e.py_str()
    )
}

/// `实际值({a}) <word>，条件为否：`.
pub(crate) fn prefix_unary(word: &str, a: &Value) -> String {
    format!("实际值({}) {word}，条件为否：", a.py_str())
}

/// `实际值({a}) <before> 预期值({e}) <after>，条件为否：` (isIn / isNotIn / isBetween).
pub(crate) fn prefix_around(before: &str, after: &str, a: &Value, e: &Value) -> String {
    format!(
        "实际值({}) {before} 预期值({}) {after}，条件为否：",
        a.py_str(),
        e.py_str()
    )
}

/// The replacements `LMAssert.compare` applies to the assertpy message, in order.
pub(crate) fn finish(lib_text: &str) -> String {
    lib_text
        .replace("Expected <", "Expected (")
        .replace(">, ", "), ")
        .replace(" <", " (")
        .replace("> ", ") ")
}

/// assertpy `_fmt_items`: `<x>` for one item, else the tuple repr with the characters
/// `([` stripped on the left and `,])` on the right (a character-set strip, as in Python).
pub(crate) fn fmt_items(items: &[Value]) -> String {
    match items {
        [] => "<>".to_string(),
        [one] => format!("<{}>", one.py_str()),
        _ => {
            let r = Value::Tuple(items.to_vec()).py_repr();
            let s = r
                .trim_start_matches(['(', '['])
                .trim_end_matches([',', ')', ']']);
            format!("<{s}>")
        }
    }
}

/// assertpy `_dict_err` text for two unequal dicts: only differing entries, keys sorted,
/// equal entries collapsed to `..`.
pub(crate) fn dict_err(val: &Dict, other: &Dict) -> String {
    format!(
        "Expected <{}> to be equal to <{}>, but was not.",
        dict_repr(val, other),
        dict_repr(other, val)
    )
}

fn dict_repr(d: &Dict, other: &Dict) -> String {
    let mut keys: Vec<&String> = d.keys().collect();
    keys.sort();
    let mut out = String::new();
    let mut ellip = false;
    for k in keys {
        let Some(v) = d.get(k) else { continue };
        let shown = match other.get(k) {
            None => v.py_repr(),
            Some(ov) if !v.py_eq(ov) => match (v, ov) {
                (Value::Dict(vd), Value::Dict(od)) => dict_repr(vd, od),
                _ => v.py_repr(),
            },
            Some(_) => {
                ellip = true;
                continue;
            }
        };
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&str_repr(k));
        out.push_str(": ");
        out.push_str(&shown);
    }
    let lead = match (ellip, out.is_empty()) {
        (true, true) => "..",
        (true, false) => ".., ",
        _ => "",
    };
    format!("{{{lead}{out}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn dict(t: &str) -> Dict {
        match parse_json(t) {
            Ok(Value::Dict(d)) => d,
            _ => Dict::default(),
        }
    }

    #[test]
    fn replacements_keep_python_oddities() {
        assert_eq!(
            finish("Expected <hello> to not contain items <'l', 'x'>, but did contain <l>."),
            "Expected (hello) to not contain items ('l', 'x'), but did contain (l>."
        );
        assert_eq!(
            finish("Expected [1, 2] to start with <3>, but did not."),
            "Expected [1, 2] to start with (3), but did not."
        );
        assert_eq!(
            finish("Expected <a> b> c <d>, but"),
            "Expected (a) b) c (d), but"
        );
    }

    #[test]
    fn fmt_items_strips_character_sets() {
        let s = |x: &str| Value::Str(x.into());
        assert_eq!(fmt_items(&[]), "<>");
        assert_eq!(fmt_items(&[s("l")]), "<l>");
        assert_eq!(fmt_items(&[s("l"), s("x")]), "<'l', 'x'>");
        assert_eq!(
            fmt_items(&[Value::Int(1), s("a"), Value::Float(2.5)]),
            "<1, 'a', 2.5>"
        );
        assert_eq!(
            fmt_items(&[
                Value::List(vec![Value::Int(1)]),
                Value::List(vec![Value::Int(2)])
            ]),
            "<1], [2>"
        );
    }

    #[test]
    fn dict_diff_text() {
        assert_eq!(
            dict_err(&dict(r#"{"b": 1, "a": 1}"#), &dict(r#"{"a": 2, "b": 1}"#)),
            "Expected <{.., 'a': 1}> to be equal to <{.., 'a': 2}>, but was not."
        );
        assert_eq!(
            dict_err(
                &dict(r#"{"a": {"x": 1, "y": 2}}"#),
                &dict(r#"{"a": {"x": 1, "y": 3}, "c": 0}"#)
            ),
            "Expected <{'a': {.., 'y': 2}}> to be equal to <{'a': {.., 'y': 3}, 'c': 0}>, but was not."
        );
        assert_eq!(
            dict_err(&dict(r#"{"a": 1}"#), &dict(r#"{"a": 1, "b": 2}"#)),
            "Expected <{..}> to be equal to <{.., 'b': 2}>, but was not."
        );
    }
}
