//! Faker's `Generator.parse` and `pystr_format(string_format)`: the `{{ method }}` token
//! filler behind the data columns of `csv`/`dsv`/`json`/`fixed_width`.
//!
//! Tokens follow Faker's `\{\{\s*(\w+)(:\s*\w+?)?\s*\}\}`; each is replaced by the Python
//! `str()` of the zero-argument method call. An argument group (`{{pyint:small}}`) needs
//! `set_arguments`, which the engine does not offer, so it fails with Faker's error.
//!
//! [`value_format_selection`] is Faker's `_value_format_selection`, the per-column rule of
//! `json` and `fixed_width`: token text, a fixed `@word`, or a method name.

use super::base::{ASCII_LETTERS, Rng, bothify};
use crate::value::Value;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Length in bytes of the leading run of chars satisfying `f`.
fn run(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|(_, c)| !f(*c))
        .map_or(s.len(), |(i, _)| i)
}

/// A token at the start of `s`: (method, argument group, byte length).
fn token(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let mut pos = s.strip_prefix("{{").map(|_| 2)?;
    pos += run(&s[pos..], char::is_whitespace);
    let name_len = run(&s[pos..], is_word);
    if name_len == 0 {
        return None;
    }
    let name = &s[pos..pos + name_len];
    pos += name_len;
    let mut group = None;
    if s[pos..].starts_with(':') {
        let start = pos + 1 + run(&s[pos + 1..], char::is_whitespace);
        let len = run(&s[start..], is_word);
        if len == 0 {
            return None;
        }
        group = Some(&s[start..start + len]);
        pos = start + len;
    }
    pos += run(&s[pos..], char::is_whitespace);
    s[pos..].starts_with("}}").then_some((name, group, pos + 2))
}

/// `Generator.parse(text)`.
pub fn parse(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match token(rest) {
            Some((_, Some(group), _)) => {
                return Err(format!("Unknown argument group '{group}'"));
            }
            Some((name, None, len)) => {
                out.push_str(&super::call(name, Vec::new())?.py_str());
                rest = &rest[len..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `pystr_format(string_format, letters=ascii_letters)` = `bothify(parse(string_format))`:
/// `#`/`?` in the filled-in text are replaced too, as in Faker.
pub fn pystr_format(r: &mut Rng, string_format: &str) -> Result<String, String> {
    bothify(r, &parse(string_format)?, ASCII_LETTERS)
}

/// `_value_format_selection(definition, **kwargs)`; `kwargs` is the optional third item
/// of a list-format column. Returns the method's typed value (`pyint` → int).
pub fn value_format_selection(
    r: &mut Rng,
    definition: &Value,
    kwargs: Option<&Value>,
) -> Result<Value, String> {
    let Value::Str(def) = definition else {
        return Err("expected string or bytes-like object".to_string());
    };
    // `.*\{\{.*\}\}.*` with `re.match`: both braces on the first line.
    let first_line = def.split('\n').next().unwrap_or_default();
    if first_line
        .find("{{")
        .is_some_and(|i| first_line[i + 2..].contains("}}"))
    {
        return Ok(Value::Str(pystr_format(r, def)?));
    }
    if def.starts_with('@') {
        return Ok(Value::Str(def.trim_start_matches('@').to_string()));
    }
    // `^[a-zA-Z0-9_-]*:\w`: a `provider:argument_group` reference.
    let head = run(def, |c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if def[head..].starts_with(':') && def[head + 1..].starts_with(is_word) {
        if def.split(':').count() != 2 {
            return Err("too many values to unpack (expected 2)".to_string());
        }
        return Err(format!(
            "format() argument after ** must be a mapping, not NoneType (argument group '{}' \
             is not set)",
            def[head + 1..].trim()
        ));
    }
    match kwargs {
        None => {}
        Some(Value::Dict(m)) if m.is_empty() => {}
        Some(Value::Dict(_)) => {
            return Err(format!(
                "{def}(): keyword arguments from a column definition are not supported"
            ));
        }
        Some(_) => return Err("Invalid arguments type. Must be a dictionary".to_string()),
    }
    super::call(def, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_filled() {
        let r = &mut rand::rng();
        let t = parse("a {{ random_digit }}-{{random_letter}} {{x").unwrap();
        let b = t.as_bytes();
        assert!(t.starts_with("a ") && b[2].is_ascii_digit() && b[3] == b'-');
        assert!(b[4].is_ascii_alphabetic() && t.ends_with(" {{x"));
        assert_eq!(parse("{{{random_digit}}").unwrap().len(), 2);
        assert_eq!(parse("{{ }} {{a-b}}").unwrap(), "{{ }} {{a-b}}");
        assert!(
            parse("{{pyint:small}}")
                .unwrap_err()
                .contains("argument group")
        );
        assert!(parse("{{no_such}}").is_err());
        let p = pystr_format(r, "?#-{{random_int}}").unwrap();
        assert!(p.as_bytes()[0].is_ascii_alphabetic() && p.as_bytes()[1].is_ascii_digit());
        assert!(!p.contains('?') && !p.contains('#'));
    }

    #[test]
    fn definitions_follow_faker_rules() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        assert_eq!(value_format_selection(r, &s("@@1.0"), None), Ok(s("1.0")));
        assert!(matches!(
            value_format_selection(r, &s("pyint"), None),
            Ok(Value::Int(_))
        ));
        let v = value_format_selection(r, &s("x{{random_digit}}"), None).unwrap();
        assert!(matches!(v, Value::Str(t) if t.len() == 2));
        assert!(value_format_selection(r, &s("pyint:top"), None).is_err());
        assert!(value_format_selection(r, &Value::Int(1), None).is_err());
    }
}
