//! Parameter-type tables (`Chras-fu/Liuma-engine: tools/funclib/params_enum.py`) and the
//! checks `Library::call` applies to the already-converted arguments.

use crate::value::{Value, parse_json_or_py_literal, py_strip};

/// Declared type of one function parameter (api-cases 2.3).
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

impl ParamType {
    /// Mapping of a custom function's declared type name (api-cases 3.5).
    pub fn from_custom_type(name: &str) -> ParamType {
        match name {
            "Int" => ParamType::Int,
            "Float" => ParamType::Float,
            "Boolean" => ParamType::Bool,
            "Bytes" => ParamType::Bytes,
            "JSONObject" => ParamType::Dict,
            "JSONArray" => ParamType::List,
            "Other" => ParamType::Other,
            _ => ParamType::Str,
        }
    }
}

use ParamType::{Bool as B, Bytes as Y, Dict as D, Float as F, Int as I, List as L, Str as S};

/// The built-in type table, in the order of `params_enum.py`.
const TABLE: &[(&str, &[ParamType])] = &[
    ("bothify", &[S, S]),
    ("lexify", &[S, S]),
    ("numerify", &[S]),
    ("random_int", &[I, I, I]),
    ("random_number", &[I, B]),
    ("country_code", &[S]),
    ("ean", &[I]),
    ("localized_ean", &[I]),
    ("color", &[S, S, S]),
    ("credit_card_full", &[S]),
    ("credit_card_number", &[S]),
    ("credit_card_provider", &[S]),
    ("credit_card_security_code", &[S]),
    ("date", &[S]),
    ("time", &[S]),
    ("file_extension", &[S]),
    ("file_name", &[S, S]),
    ("file_path", &[I, S, S]),
    ("mime_type", &[S]),
    ("unix_device", &[S]),
    ("unix_partition", &[S]),
    ("domain_name", &[I]),
    ("email", &[S]),
    ("hostname", &[I]),
    ("image_url", &[I, I]),
    ("ipv4", &[B, S, B]),
    ("ipv4_private", &[B, S]),
    ("ipv4_public", &[B, S]),
    ("ipv6", &[B]),
    ("uri_path", &[I]),
    ("isbn10", &[S]),
    ("isbn13", &[S]),
    ("paragraph", &[I, B]),
    ("paragraphs", &[I]),
    ("sentence", &[I, B]),
    ("sentences", &[I]),
    ("text", &[I]),
    ("texts", &[I, I]),
    ("word", &[I]),
    ("words", &[I]),
    ("password", &[I, B, B, B, B]),
    ("pyfloat", &[I, I, B]),
    ("loadfile", &[S]),
    ("savefile", &[S]),
    ("b64encode_str", &[S]),
    ("b64encode_bytes", &[Y]),
    ("b64encode_file", &[S]),
    ("b64decode_toStr", &[S]),
    ("b64decode_toBytes", &[S]),
    ("arithmetic", &[S]),
    ("current_time", &[S]),
    ("year_shift", &[F, S]),
    ("month_shift", &[F, S]),
    ("week_shift", &[F, S]),
    ("date_shift", &[F, S]),
    ("hour_shift", &[F, S]),
    ("minute_shift", &[F, S]),
    ("second_shift", &[F, S]),
    ("lenof", &[L]),
    ("indexof", &[L, I]),
    ("keyof", &[D, S]),
    ("pinyin", &[S]),
    ("substing", &[S, I, I]),
    ("extract", &[S]),
    ("replace", &[S, S, S]),
    ("map_dumps", &[D]),
    ("array_dumps", &[L]),
];

/// Type table of a built-in, `None` for functions without one (Faker methods get raw strings).
pub fn builtin_param_types(name: &str) -> Option<&'static [ParamType]> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of all built-ins that have a type table.
pub fn typed_builtin_names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n)
}

/// Checks (and where Python would have converted, converts) one argument of a typed
/// function. Values already of the declared type pass; a `Str` reaching a non-string
/// parameter is converted with the template rules of api-cases 2.3 (the renderer normally
/// did that already); anything else is a type error.
pub fn coerce(func: &str, index: usize, ty: ParamType, v: Value) -> Result<Value, String> {
    let bad = |v: &Value| {
        format!(
            "{func}() argument {}: expected {}, got {}",
            index + 1,
            type_label(ty),
            v.type_name()
        )
    };
    match ty {
        ParamType::Other => Ok(v),
        ParamType::Str => match v {
            Value::Str(_) => Ok(v),
            other => Err(bad(&other)),
        },
        // Quirk A7 Fix: bytes pass through; text (Python always passed text) is kept too.
        ParamType::Bytes => match v {
            Value::Bytes(_) | Value::Str(_) => Ok(v),
            other => Err(bad(&other)),
        },
        ParamType::Int => match v {
            Value::Int(_) => Ok(v),
            Value::Bool(b) => Ok(Value::Int(i64::from(b))),
            Value::Str(s) => py_int(&s).map(Value::Int),
            other => Err(bad(&other)),
        },
        ParamType::Float => match v {
            Value::Float(_) => Ok(v),
            Value::Int(i) => Ok(Value::Float(i as f64)),
            Value::Bool(b) => Ok(Value::Float(f64::from(u8::from(b)))),
            Value::Str(s) => py_float(&s).map(Value::Float),
            other => Err(bad(&other)),
        },
        ParamType::Bool => match v {
            Value::Bool(_) => Ok(v),
            // Quirk A48 (Compat): only `false` (any case) is false.
            Value::Str(s) => Ok(Value::Bool(!s.eq_ignore_ascii_case("false"))),
            other => Err(bad(&other)),
        },
        // A dict/list piece that failed literal parsing reaches the function as text
        // (api-cases 2.3); try the literal once more for direct callers.
        ParamType::Dict => match v {
            Value::Dict(_) => Ok(v),
            Value::Str(s) => Ok(match parse_json_or_py_literal(&s) {
                Ok(d @ Value::Dict(_)) => d,
                _ => Value::Str(s),
            }),
            other => Ok(other),
        },
        ParamType::List => match v {
            Value::List(_) | Value::Tuple(_) => Ok(v),
            Value::Str(s) => Ok(match parse_json_or_py_literal(&s) {
                Ok(l @ (Value::List(_) | Value::Tuple(_))) => l,
                _ => Value::Str(s),
            }),
            other => Ok(other),
        },
    }
}

fn type_label(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Str => "str",
        ParamType::Int => "int",
        ParamType::Float => "float",
        ParamType::Bool => "bool",
        ParamType::Dict => "dict",
        ParamType::List => "list",
        ParamType::Bytes => "bytes",
        ParamType::Other => "any",
    }
}

/// Python `int(text)` for decimal text: surrounding whitespace, sign, `_` between digits.
pub fn py_int(text: &str) -> Result<i64, String> {
    let err = || {
        format!(
            "invalid literal for int() with base 10: {}",
            crate::value::str_repr(text)
        )
    };
    let t = py_strip(text);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if !valid_underscored_digits(digits) {
        return Err(err());
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let text = if neg { format!("-{clean}") } else { clean };
    text.parse::<i64>()
        .map_err(|_| format!("int() value out of range: {}", crate::value::str_repr(t)))
}

fn valid_underscored_digits(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !s.contains("__")
}

/// Python `float(text)`: decimal/exponent forms, `inf`, `infinity`, `nan`, `_` between digits.
pub fn py_float(text: &str) -> Result<f64, String> {
    let err = || {
        format!(
            "could not convert string to float: {}",
            crate::value::str_repr(text)
        )
    };
    let t = py_strip(text);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Ok(f64::NAN);
    }
    // Underscores only between digits.
    let bytes = body.as_bytes();
    for (i, c) in bytes.iter().enumerate() {
        if *c == b'_' {
            let ok = i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_digit()
                && bytes[i + 1].is_ascii_digit();
            if !ok {
                return Err(err());
            }
        } else if !(c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
            return Err(err());
        }
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    if !clean.bytes().any(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    clean.parse::<f64>().map(|f| sign * f).map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_all_67_entries() {
        assert_eq!(TABLE.len(), 67);
        assert_eq!(builtin_param_types("substing"), Some(&[S, I, I][..]));
        assert_eq!(builtin_param_types("name"), None);
    }

    #[test]
    fn python_int_and_float_parsing() {
        assert_eq!(py_int(" 12 "), Ok(12));
        assert_eq!(py_int("-1_000"), Ok(-1000));
        assert!(py_int("1.5").is_err());
        assert!(py_int("").is_err());
        assert!(py_int("1__0").is_err());
        assert!(py_int("99999999999999999999").is_err());
        assert_eq!(py_float("1.5"), Ok(1.5));
        assert_eq!(py_float("-1e3"), Ok(-1000.0));
        assert_eq!(py_float(" .5 "), Ok(0.5));
        assert_eq!(py_float("Infinity"), Ok(f64::INFINITY));
        assert!(py_float("nan").is_ok_and(f64::is_nan));
        assert!(py_float("abc").is_err());
        assert!(py_float("").is_err());
        assert!(py_float("1_").is_err());
    }

    #[test]
    fn quirk_a48_bool_anything_but_false_is_true() {
        for (text, expected) in [
            ("false", false),
            ("FALSE", false),
            ("0", true),
            ("no", true),
        ] {
            assert_eq!(
                coerce("f", 0, B, Value::Str(text.into())),
                Ok(Value::Bool(expected))
            );
        }
    }

    #[test]
    fn coercion_rejects_wrong_types() {
        assert!(coerce("f", 0, S, Value::Int(1)).is_err());
        assert!(coerce("f", 0, I, Value::Str("a".into())).is_err());
        assert_eq!(coerce("f", 0, F, Value::Int(2)), Ok(Value::Float(2.0)));
        assert_eq!(
            coerce("f", 0, L, Value::Str("[1, 2]".into())),
            Ok(Value::List(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(
            coerce("f", 0, D, Value::Str("abc".into())),
            Ok(Value::Str("abc".into()))
        );
    }
}
