//! Python value model shared by templates, assertions, extraction and logs.
//!
//! The Python engine works on plain Python objects; everything observable (log lines,
//! assertion messages, JSON bodies) depends on how CPython prints and compares them, so
//! this module reproduces `str()`, `repr()`, `json.dumps`, `json.loads`, `==` and truthiness.
//! Integers are `i64`: values outside that range (Python big ints) become `Float`.

mod json;
mod literal;
mod repr;
mod tape;
mod unicode;
mod unicode_tables;

use std::cmp::Ordering;

use indexmap::IndexMap;

pub(crate) use json::ValueVisitor;
pub use json::parse_json;
pub use literal::parse_py_literal;
pub use repr::{
    bytes_repr, float_repr, json_py_str, str_dict_repr, str_repr, write_json_py_str,
    write_str_dict_repr,
};
pub use tape::{IndexedJson, JsonNode};
pub use unicode::{is_py_alpha, is_py_digit, is_py_printable, is_py_space, py_strip};

/// Quirk A14 / WEB Q8 Fix: `JSONObject`/`JSONArray` text is parsed as JSON first, then as a
/// Python literal; code is never evaluated. Returns the JSON error when both fail.
pub fn parse_json_or_py_literal(text: &str) -> Result<Value, ValueError> {
    parse_json(text).or_else(|json_err| parse_py_literal(text).map_err(|_| json_err))
}

/// A Python value. `Dict` keys are always strings (JSON objects, Python literals with
/// string keys); insertion order is kept like a Python `dict`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(Dict),
}

/// The map of [`Value::Dict`] and of the scopes templates read. Its keys are hashed with
/// foldhash, seeded per map: SipHash (the standard default) was about 4 % of an API step's
/// instructions, for maps that a case's own data fills.
pub type Dict = IndexMap<String, Value, foldhash::fast::RandomState>;

/// Errors of conversions and parsers; the texts follow Python's where practical.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// `json.dumps` of a value JSON cannot hold (bytes).
    #[error("Object of type {0} is not JSON serializable")]
    NotJsonSerializable(&'static str),
    /// `serde_json` cannot hold NaN/Infinity.
    #[error("Out of range float values are not JSON compliant: {0}")]
    NonFiniteFloat(String),
    /// `json.loads` failure, formatted like Python's `JSONDecodeError`.
    #[error("{msg}: line {line} column {column} (char {pos})")]
    JsonDecode {
        msg: String,
        line: usize,
        column: usize,
        pos: usize,
    },
    /// Python-literal parse failure (`ast.literal_eval` equivalent).
    #[error("malformed Python literal: {0}")]
    Literal(String),
}

/// A Python number (`bool` counts as an int, as in Python).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// Python ordering of two numbers; `None` when a NaN is involved. Int/float
    /// comparisons are exact, as in CPython (no lossy cast of the int).
    pub fn py_cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
            (Num::Int(a), Num::Float(b)) => cmp_int_float(a, b),
            (Num::Float(a), Num::Int(b)) => cmp_int_float(b, a).map(Ordering::reverse),
        }
    }

    pub fn to_value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(f) => Value::Float(f),
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63: every i64 is below it; floats at or beyond it cannot equal an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    // |t| < 2^63, so the cast is exact.
    let ti = t as i64;
    Some(match i.cmp(&ti) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    })
}

impl Value {
    /// Python's `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
        }
    }

    /// Python truthiness (`bool(v)`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
        }
    }

    /// `isinstance(v, numbers.Number)`: int, float and bool.
    pub fn as_number(&self) -> Option<Num> {
        match self {
            Value::Bool(b) => Some(Num::Int(i64::from(*b))),
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    /// Python `len(v)` (code points for strings); `None` when `len()` raises.
    pub fn py_len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.chars().count()),
            Value::Bytes(b) => Some(b.len()),
            Value::List(l) | Value::Tuple(l) => Some(l.len()),
            Value::Dict(d) => Some(d.len()),
            _ => None,
        }
    }

    /// Python `==`: numbers by value across bool/int/float (`1 == 1.0 == True`), a string
    /// never equals a number, dicts ignore key order, lists and tuples never equal each other.
    pub fn py_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            (Value::Dict(a), Value::Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.py_eq(w)))
            }
            _ => match (self.as_number(), other.as_number()) {
                (Some(x), Some(y)) => x.py_cmp(y) == Some(Ordering::Equal),
                _ => false,
            },
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests' pseudo-random numbers (xorshift64): deterministic, no dependency.
    pub(crate) fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn type_names() {
        assert_eq!(Value::None.type_name(), "NoneType");
        assert_eq!(Value::Bool(true).type_name(), "bool");
        assert_eq!(Value::Tuple(vec![]).type_name(), "tuple");
        assert_eq!(Value::Dict(Dict::default()).type_name(), "dict");
    }

    #[test]
    fn truthiness() {
        assert!(!Value::None.truthy());
        assert!(!Value::Int(0).truthy());
        assert!(Value::Float(f64::NAN).truthy());
        assert!(!Value::Str(String::new()).truthy());
        assert!(Value::List(vec![Value::None]).truthy());
    }

    #[test]
    fn python_equality() {
        assert!(Value::Int(1).py_eq(&Value::Float(1.0)));
        assert!(Value::Bool(true).py_eq(&Value::Int(1)));
        assert!(!Value::Str("2".into()).py_eq(&Value::Int(2)));
        assert!(!Value::List(vec![]).py_eq(&Value::Tuple(vec![])));
        assert!(!Value::Float(f64::NAN).py_eq(&Value::Float(f64::NAN)));
        // 2**53 + 1 is not equal to float(2**53) in Python.
        assert!(!Value::Int(9_007_199_254_740_993).py_eq(&Value::Float(9_007_199_254_740_992.0)));
        let a = parse_json(r#"{"a": 1, "b": [1, 2.0]}"#).unwrap();
        let b = parse_json(r#"{"b": [1.0, 2], "a": true}"#).unwrap();
        assert!(a.py_eq(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn json_then_literal() {
        assert_eq!(
            parse_json_or_py_literal(r#"{"a": true}"#).unwrap().py_str(),
            "{'a': True}"
        );
        assert_eq!(
            parse_json_or_py_literal("{'a': True, 'b': (1,)}")
                .unwrap()
                .py_str(),
            "{'a': True, 'b': (1,)}"
        );
        assert!(matches!(
            parse_json_or_py_literal("os.system('x')"),
            Err(ValueError::JsonDecode { .. })
        ));
    }

    #[test]
    fn parsers_never_panic() {
        // Deterministic pseudo-random inputs built from syntax-heavy fragments.
        const PARTS: &[&str] = &[
            "[", "]", "{", "}", "(", ")", ",", ":", "\"", "'", "\\", "u", "x", "0", "1", "-", "+",
            ".", "e", "_", " ", "\n", "N", "a", "中", "😀", "b", "r", "True", "None", "NaN", "\\u",
            "d8", "00", "#", "0x", "'''",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            xorshift(&mut seed);
            let mut text = String::new();
            let mut s = seed;
            for _ in 0..(seed % 12) {
                text.push_str(PARTS[(s % PARTS.len() as u64) as usize]);
                s = s.rotate_right(5).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
            if let Ok(v) = parse_json(&text) {
                let _ = v.to_json_text();
            }
            if let Ok(v) = parse_py_literal(&text) {
                let _ = (v.py_repr(), v.to_json_text_unicode(), v.to_json());
            }
        }
    }

    /// The response log's `str()` written from the JSON equals the `str()` of the converted
    /// value, on 20,000 generated documents (every JSON type, escapes, quotes, non-ASCII,
    /// integers beyond i64, floats of every notation) and a few fixed ones; and reading the
    /// JSON straight into a `Value` gives the converted tree.
    #[test]
    fn json_py_str_agrees_with_the_converted_value() {
        const STRINGS: &[&str] = &[
            "",
            "a",
            "it's",
            "say \"hi\"",
            "both ' and \"",
            "back\\slash",
            "中文",
            "😀",
            "\n\t",
            "\u{7}",
            "\u{e9}",
            "\u{2028}",
            "a'b\"c",
        ];
        const NUMBERS: &[&str] = &[
            "0",
            "-0",
            "1",
            "-17",
            "12.5",
            "1e16",
            "1e-5",
            "0.0001",
            "123456789012345678",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "-9223372036854775809",
            "1.5e300",
            "2.5",
            "0.1",
            "100.0",
            "1E2",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || xorshift(&mut seed);
        fn doc(next: &mut dyn FnMut() -> u64, depth: u32) -> String {
            let r = next();
            match if depth > 3 { r % 5 } else { r % 7 } {
                0 => "null".into(),
                1 => {
                    if r & 8 == 0 {
                        "true".into()
                    } else {
                        "false".into()
                    }
                }
                2 => NUMBERS[(r >> 8) as usize % NUMBERS.len()].into(),
                3 | 4 => serde_json::to_string(STRINGS[(r >> 8) as usize % STRINGS.len()])
                    .unwrap_or_default(),
                5 => {
                    let n = (r >> 8) % 4;
                    let items: Vec<String> = (0..n).map(|_| doc(next, depth + 1)).collect();
                    format!("[{}]", items.join(","))
                }
                _ => {
                    let n = (r >> 8) % 4;
                    let items: Vec<String> = (0..n)
                        .map(|i| {
                            let k = STRINGS[((r >> 16) as usize + i as usize) % STRINGS.len()];
                            format!(
                                "{}:{}",
                                serde_json::to_string(&format!("{k}{i}")).unwrap_or_default(),
                                doc(next, depth + 1)
                            )
                        })
                        .collect();
                    format!("{{{}}}", items.join(","))
                }
            }
        }
        for _ in 0..20_000 {
            let text = doc(&mut next, 0);
            let j: serde_json::Value = serde_json::from_str(&text).expect("generated JSON parses");
            assert_eq!(json_py_str(&j), Value::from_json(&j).py_str(), "{text}");
            // Reading straight into a Value gives the converted tree, in the same order.
            let direct: Value = serde_json::from_str(&text).expect("generated JSON reads");
            assert_eq!(
                format!("{direct:?}"),
                format!("{:?}", Value::from_json(&j)),
                "{text}"
            );
        }
        for text in [
            r#"{"a":1,"b":2,"a":3}"#,
            "18446744073709551615",
            "-9223372036854775808",
            "9223372036854775808",
            "[1.0,-0.0,2.5e-8,null,true]",
        ] {
            let j: serde_json::Value = serde_json::from_str(text).expect("fixed JSON parses");
            let direct: Value = serde_json::from_str(text).expect("fixed JSON reads");
            assert_eq!(
                format!("{direct:?}"),
                format!("{:?}", Value::from_json(&j)),
                "{text}"
            );
        }
    }

    #[test]
    fn exact_int_float_ordering() {
        assert_eq!(Num::Int(2).py_cmp(Num::Float(2.5)), Some(Ordering::Less));
        assert_eq!(
            Num::Int(-2).py_cmp(Num::Float(-2.5)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Num::Float(1e300).py_cmp(Num::Int(i64::MAX)),
            Some(Ordering::Greater)
        );
        assert_eq!(Num::Int(1).py_cmp(Num::Float(f64::NAN)), None);
        assert_eq!(
            Num::Int(i64::MIN).py_cmp(Num::Float(i64::MIN as f64)),
            Some(Ordering::Equal)
        );
    }
}
