//! `str()` / `repr()` exactly as CPython prints them (api-cases Appendix A).

use super::Value;
use super::unicode::is_py_printable;

impl Value {
    /// Python `str(v)`: strings as-is, everything else as `repr`.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// [`Self::py_str`] appended to `out` (log lines are written in place).
    pub fn write_py_str(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(s),
            other => write_repr(other, out),
        }
    }

    /// Python `repr(v)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        write_repr(self, &mut out);
        out
    }
}

fn write_repr(v: &Value, out: &mut String) {
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::Float(f) => write_float_repr(*f, out),
        Value::Str(s) => write_str_repr(s, out),
        Value::Bytes(b) => out.push_str(&bytes_repr(b)),
        Value::List(items) => {
            out.push('[');
            write_items(items, out, write_repr);
            out.push(']');
        }
        Value::Tuple(items) => {
            out.push('(');
            write_items(items, out, write_repr);
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::Dict(map) => write_dict(map, out, write_repr),
    }
}

/// The items of a list or tuple, `, `-separated, each written by `item`.
fn write_items<T>(items: &[T], out: &mut String, item: fn(&T, &mut String)) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(v, out);
    }
}

/// `{'key': value, …}` with string keys, each value written by `value`.
fn write_dict<'a, V: 'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a V)>,
    out: &mut String,
    value: fn(&V, &mut String),
) {
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str_repr(k, out);
        out.push_str(": ");
        value(v, out);
    }
    out.push('}');
}

/// `repr(float)`: shortest round-trip digits; fixed notation for decimal exponents
/// -4 ≤ e < 16, scientific (`1e+16`, `1e-05`) otherwise.
pub fn float_repr(f: f64) -> String {
    let mut out = String::with_capacity(24);
    write_float_repr(f, &mut out);
    out
}

/// [`float_repr`] appended to `out`, assembled by hand (a `format!` per float was most of
/// the cost of logging a response with a few prices in it).
pub fn write_float_repr(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    if f == 0.0 {
        out.push_str("0.0");
        return;
    }
    // Ryu's own text is Python's wherever Ryu writes plain decimal notation, except for a
    // decimal exponent of -5, which Ryu writes as `0.0000…` and Python as `…e-05`.
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(f.abs());
    if !text.contains('e') && !text.starts_with("0.0000") {
        out.push_str(text);
        return;
    }
    write_assembled(f.abs(), out);
}

/// The digits of a positive finite float assembled as `repr` writes them.
fn write_assembled(f: f64, out: &mut String) {
    let (digits, exp) = shortest_digits(f);
    let zeros = |out: &mut String, n: usize| out.extend(std::iter::repeat_n('0', n));
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp.unsigned_abs() as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                zeros(out, int_len - digits.len());
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            zeros(out, exp.unsigned_abs() as usize - 1);
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let magnitude = exp.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(itoa::Buffer::new().format(magnitude));
    }
}

/// Shortest round-trip decimal digits (no trailing zeros) and decimal exponent of a
/// positive finite float, as CPython's `repr` chooses them: the shortest string that reads
/// back as `f` and, among those, the one closest to `f` (ties to even). Ryu computes exactly
/// that; a test compares it with the formatting-and-parsing reference below on a million
/// floats. (The reference cost two formats and a parse per float, a visible share of a step
/// whose response has a few floats to log.)
fn shortest_digits(f: f64) -> (String, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(f);
    let (mantissa, exp10) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = String::with_capacity(int_part.len() + frac_part.len());
    digits.push_str(int_part);
    digits.push_str(frac_part);
    let leading = digits.bytes().take_while(|&b| b == b'0').count();
    let digits = digits[leading..].trim_end_matches('0');
    if digits.is_empty() {
        return ("0".to_string(), 0);
    }
    let int_len = i32::try_from(int_part.len()).unwrap_or(0);
    let leading = i32::try_from(leading).unwrap_or(0);
    (digits.to_string(), exp10 + int_len - 1 - leading)
}

/// `repr(str)`: single quotes unless the text has `'` and no `"`.
pub fn str_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str_repr(s, &mut out);
    out
}

/// `str()` of the Python value a JSON document becomes (`Value::from_json`), written from the
/// JSON itself: a response body is logged at every step, and converting it only for that was a
/// visible share of a step's CPU.
pub fn json_py_str(j: &serde_json::Value) -> String {
    let mut out = String::new();
    write_json_py_str(j, &mut out);
    out
}

/// [`json_py_str`] appended to `out`.
pub fn write_json_py_str(j: &serde_json::Value, out: &mut String) {
    match j {
        serde_json::Value::String(s) => out.push_str(s),
        other => write_json_repr(other, out),
    }
}

fn write_json_repr(j: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match j {
        J::Null => out.push_str("None"),
        J::Bool(true) => out.push_str("True"),
        J::Bool(false) => out.push_str("False"),
        J::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(itoa::Buffer::new().format(i)),
            None => write_float_repr(n.as_f64().unwrap_or(f64::NAN), out),
        },
        J::String(s) => write_str_repr(s, out),
        J::Array(items) => {
            out.push('[');
            write_items(items, out, write_json_repr);
            out.push(']');
        }
        J::Object(map) => write_dict(map, out, write_json_repr),
    }
}

/// `repr()` of a dict of strings (response headers in the logs), without building the dict.
pub fn str_dict_repr<'a>(items: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let mut out = String::new();
    write_str_dict_repr(items, &mut out);
    out
}

/// [`str_dict_repr`] appended to `out`.
pub fn write_str_dict_repr<'a>(
    items: impl IntoIterator<Item = (&'a String, &'a String)>,
    out: &mut String,
) {
    write_dict(items, out, |v: &String, out| write_str_repr(v, out));
}

/// [`str_repr`] appended to `out` (the logs write every key and string of a body this way).
pub(crate) fn write_str_repr(s: &str, out: &mut String) {
    // One pass finds the quotes and whether anything needs escaping; written without
    // branches, so that the compiler does it 16 or 32 bytes at a time.
    let (mut single, mut double, mut special) = (false, false, false);
    for &b in s.as_bytes() {
        single |= b == b'\'';
        double |= b == b'"';
        special |= b == b'\\' || !(0x20..0x7f).contains(&b);
    }
    let plain = !special;
    let quote = if single && !double { '"' } else { '\'' };
    // Printable ASCII without a backslash or the quote is copied as it is, in one piece.
    if plain && !(single && double) {
        out.reserve(s.len() + 2);
        out.push(quote);
        out.push_str(s);
        out.push(quote);
        return;
    }
    out.reserve(s.len() + 2);
    out.push(quote);
    write_escaped(s, quote, out);
    out.push(quote);
}

/// The characters of `s` between `quote`s as `repr` writes them: backslash escapes for the
/// quote, `\\`, `\n`, `\r`, `\t`, and hex escapes for what Python does not print.
fn write_escaped(s: &str, quote: char, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_py_printable(c) => out.push(c),
            c => {
                use std::fmt::Write;
                let cp = c as u32;
                // Writing into a String cannot fail.
                let _ = if cp <= 0xff {
                    write!(out, "\\x{cp:02x}")
                } else if cp <= 0xffff {
                    write!(out, "\\u{cp:04x}")
                } else {
                    write!(out, "\\U{cp:08x}")
                };
            }
        }
    }
}

/// `repr(bytes)`: `b'..'` with `\xhh` for everything outside printable ASCII.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_py_literal;
    use indexmap::IndexMap;

    #[test]
    fn a_dict_of_strings_reads_as_its_value() {
        let mut m = IndexMap::new();
        m.insert("Content-Type".to_string(), "application/json".to_string());
        m.insert("X-It's".to_string(), "a\nb".to_string());
        let as_value = Value::Dict(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
                .collect(),
        );
        assert_eq!(str_dict_repr(&m), as_value.py_repr());
        assert_eq!(str_dict_repr(&IndexMap::new()), "{}");
    }

    /// The digits as first written: Rust's shortest `{:e}`, replaced by the correctly rounded
    /// string of the same length when that reads back as `f`.
    fn shortest_digits_reference(f: f64) -> (String, i32) {
        let split = |sci: &str| -> (String, i32) {
            let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
            let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
            let digits = digits.trim_end_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            (digits.to_string(), exp.parse().unwrap_or(0))
        };
        let shortest = format!("{f:e}");
        let (digits, exp) = split(&shortest);
        if digits.len() > 1 {
            let rounded = format!("{f:.*e}", digits.len() - 1);
            if rounded.parse::<f64>() == Ok(f) {
                return split(&rounded);
            }
        }
        (digits, exp)
    }

    #[test]
    fn ryu_digits_are_the_reference_digits() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || crate::value::tests::xorshift(&mut seed);
        let mut checked = 0;
        for i in 0..1_000_000u64 {
            let r = next();
            // Every bit pattern, and "decimal-looking" values (prices, ids, ratios) where ties
            // and short strings are common.
            let f = match i % 3 {
                0 => f64::from_bits(r),
                1 => (r % 10_000_000) as f64 / 10f64.powi((r >> 40) as i32 % 9),
                _ => (r >> 11) as f64 * 2f64.powi((r % 120) as i32 - 60),
            };
            let f = f.abs();
            if !f.is_finite() || f == 0.0 {
                continue;
            }
            checked += 1;
            assert_eq!(
                shortest_digits(f),
                shortest_digits_reference(f),
                "{f:e} ({:#x})",
                f.to_bits()
            );
            // Ryu's text, where it is taken as it is, is what the digits assemble to.
            let (mut taken, mut assembled) = (String::new(), String::new());
            write_float_repr(f, &mut taken);
            write_assembled(f, &mut assembled);
            assert_eq!(taken, assembled, "{f:e} ({:#x})", f.to_bits());
        }
        assert!(checked > 990_000, "{checked}");
        // Around the edges of plain notation: the exponents -6..=-3 and 14..=17.
        for f in [
            1e-6,
            1.5e-5,
            1e-5,
            9.99e-5,
            1e-4,
            1.25e-4,
            1e-3,
            1e14,
            1.5e15,
            1e16,
            1.2e16,
            1e17,
            123456789012345.6,
            0.1,
            0.5,
            12.5,
            100.0,
        ] {
            let (mut taken, mut assembled) = (String::new(), String::new());
            write_float_repr(f, &mut taken);
            write_assembled(f, &mut assembled);
            assert_eq!(taken, assembled, "{f:e}");
        }
    }

    #[test]
    fn appendix_a_floats() {
        let cases = [
            (1.0, "1.0"),
            (0.0001, "0.0001"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (123.456, "123.456"),
            (1.5e16, "1.5e+16"),
            (1e100, "1e+100"),
            (-2.5e-7, "-2.5e-07"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (9007199254740993.0, "9007199254740992.0"),
            (0.30000000000000004, "0.30000000000000004"),
            (2177374606224036.2, "2177374606224036.2"),
            (161539182978218.12, "161539182978218.12"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    /// The one-pass fast path gives what escaping character by character gives.
    #[test]
    fn str_repr_fast_path_agrees_with_escaping_every_character() {
        fn reference(s: &str) -> String {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(quote);
            write_escaped(s, quote, &mut out);
            out.push(quote);
            out
        }
        const PARTS: &[&str] = &[
            "a", "'", "\"", "\\", " ", "~", "\n", "\u{7f}", "中", "😀", "\u{0}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            crate::value::tests::xorshift(&mut seed);
            let mut text = String::new();
            let mut r = seed;
            for _ in 0..(seed % 7) {
                text.push_str(PARTS[(r % PARTS.len() as u64) as usize]);
                r /= PARTS.len() as u64;
            }
            assert_eq!(str_repr(&text), reference(&text), "{text:?}");
        }
    }

    #[test]
    fn appendix_a_strings() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(str_repr("a\\b\n\r\t"), "'a\\\\b\\n\\r\\t'");
        assert_eq!(str_repr("\u{0}\u{7f}\u{a0}"), "'\\x00\\x7f\\xa0'");
        assert_eq!(str_repr("中文"), "'中文'");
        assert_eq!(str_repr("\u{200b}\u{10ffff}"), "'\\u200b\\U0010ffff'");
        assert_eq!(str_repr("😀"), "'😀'");
    }

    #[test]
    fn appendix_a_bytes() {
        assert_eq!(bytes_repr(b"\x00\x01"), "b'\\x00\\x01'");
        assert_eq!(bytes_repr(b"abc'"), "b\"abc'\"");
        assert_eq!(bytes_repr(b"a\nb\xff"), "b'a\\nb\\xff'");
        assert_eq!(Value::Bytes(b"abc".to_vec()).py_str(), "b'abc'");
    }

    #[test]
    fn appendix_a_containers() {
        let mut d = super::super::Dict::default();
        d.insert("a".to_string(), Value::Int(1));
        d.insert(
            "b".to_string(),
            Value::List(vec![Value::Bool(true), Value::None]),
        );
        d.insert("c".to_string(), Value::Str("x".into()));
        assert_eq!(
            Value::Dict(d).py_repr(),
            "{'a': 1, 'b': [True, None], 'c': 'x'}"
        );
        assert_eq!(Value::Tuple(vec![Value::Int(1)]).py_repr(), "(1,)");
        assert_eq!(Value::Tuple(vec![]).py_repr(), "()");
        assert_eq!(
            Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]).py_repr(),
            "(1, 'a')"
        );
        let msgs = Value::List(vec![
            Value::Str("success".into()),
            Value::Str("实际值({'a': 1})…".into()),
        ]);
        assert_eq!(msgs.py_str(), "['success', \"实际值({'a': 1})…\"]");
        assert_eq!(Value::Str("x".into()).py_str(), "x");
        assert_eq!(Value::None.py_str(), "None");
        assert_eq!(Value::Float(20.0).py_str(), "20.0");
        let v = parse_py_literal("{'height': 20, 'width': 100}").unwrap();
        assert_eq!(v.py_str(), "{'height': 20, 'width': 100}");
    }
}
