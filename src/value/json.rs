//! JSON text in and out with the semantics of Python's `json` module (not strict RFC 8259):
//! `NaN`/`Infinity` accepted and produced, `", "`/`": "` separators, float text = `repr`.

use crate::value::Dict;

use super::repr::float_repr;
use super::{Value, ValueError};

/// The first capacity of a JSON text: most texts written per step (bodies, assertions) are
/// short, and growing a String from nothing moves it at 8, 16, 32 and 64 bytes.
const JSON_TEXT_START: usize = 128;

/// Nesting limit standing in for Python's recursion limit; avoids stack overflow.
const MAX_DEPTH: usize = 900;

impl Value {
    /// `json.dumps(v)` with defaults (`ensure_ascii=True`).
    pub fn to_json_text(&self) -> Result<String, ValueError> {
        let mut out = String::with_capacity(JSON_TEXT_START);
        write_json(
            self,
            &mut out,
            Style {
                ascii: true,
                bytes_as_text: false,
            },
        )?;
        Ok(out)
    }

    /// `json.dumps(v, ensure_ascii=False)` (template rendering, regex extraction text).
    pub fn to_json_text_unicode(&self) -> Result<String, ValueError> {
        let mut out = String::with_capacity(JSON_TEXT_START);
        write_json(
            self,
            &mut out,
            Style {
                ascii: false,
                bytes_as_text: false,
            },
        )?;
        Ok(out)
    }

    /// `json.dumps(v, ensure_ascii=False)` that never fails: bytes (anywhere) are written as
    /// their UTF-8 text, lossily. Regex extraction runs on this text (api-cases A25 Fix).
    pub fn to_json_text_lenient(&self) -> String {
        let mut out = String::new();
        let _ = write_json(
            self,
            &mut out,
            Style {
                ascii: false,
                bytes_as_text: true,
            },
        );
        out
    }

    /// From a `serde_json` tree; integers that do not fit `i64` become `Float`.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Dict(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// To a `serde_json` tree; tuples become arrays. Bytes and non-finite floats
    /// (which `serde_json` cannot hold) are errors.
    pub fn to_json(&self) -> Result<serde_json::Value, ValueError> {
        Ok(match self {
            Value::None => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .ok_or_else(|| ValueError::NonFiniteFloat(float_repr(*f)))?,
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Bytes(_) => return Err(ValueError::NotJsonSerializable("bytes")),
            Value::List(items) | Value::Tuple(items) => serde_json::Value::Array(
                items.iter().map(Value::to_json).collect::<Result<_, _>>()?,
            ),
            Value::Dict(map) => {
                let mut obj = serde_json::Map::with_capacity(map.len());
                for (k, v) in map {
                    obj.insert(k.clone(), v.to_json()?);
                }
                serde_json::Value::Object(obj)
            }
        })
    }
}

/// How JSON text is written: ASCII-only or not, and whether bytes become text or an error.
#[derive(Clone, Copy)]
struct Style {
    ascii: bool,
    bytes_as_text: bool,
}

fn write_json(v: &Value, out: &mut String, style: Style) -> Result<(), ValueError> {
    let ascii = style.ascii;
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::Float(f) => {
            if f.is_nan() {
                out.push_str("NaN");
            } else if f.is_infinite() {
                out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" });
            } else {
                out.push_str(&float_repr(*f));
            }
        }
        Value::Str(s) => write_json_str(s, out, ascii),
        Value::Bytes(b) if style.bytes_as_text => {
            write_json_str(&String::from_utf8_lossy(b), out, ascii)
        }
        Value::Bytes(_) => return Err(ValueError::NotJsonSerializable("bytes")),
        Value::List(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(item, out, style)?;
            }
            out.push(']');
        }
        Value::Dict(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_str(k, out, ascii);
                out.push_str(": ");
                write_json(item, out, style)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Python's `encode_basestring(_ascii)`: with `ascii`, everything outside `' '..='~'`
/// is `\uXXXX` (lower-case hex, surrogate pairs), including DEL.
fn write_json_str(s: &str, out: &mut String, ascii: bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    // Runs of characters written as they are go out in one piece; `start..i` always lies on
    // character boundaries (the loop stops only at ASCII bytes and, with `ascii`, at the
    // first byte of a character, which it then passes whole).
    let (mut start, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let as_is = match b {
            b'"' | b'\\' => false,
            0x20..0x7f => true,
            0x7f.. => !ascii,
            _ => false,
        };
        if as_is {
            i += 1;
            continue;
        }
        out.push_str(s.get(start..i).unwrap_or_default());
        let c = s
            .get(i..)
            .and_then(|r| r.chars().next())
            .unwrap_or('\u{fffd}');
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        i += c.len_utf8();
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// `json.loads(text)`: accepts `NaN`, `Infinity`, `-Infinity`; the last duplicate key wins
/// (keeping the first key's position, like a Python dict); raw control characters inside
/// strings are errors. Lone surrogate escapes (which Rust strings cannot hold) become U+FFFD.
pub fn parse_json(text: &str) -> Result<Value, ValueError> {
    let mut p = JsonParser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.err("Extra data", p.pos));
    }
    Ok(v)
}

struct JsonParser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl JsonParser<'_> {
    fn err(&self, msg: &str, byte_pos: usize) -> ValueError {
        let before = self.text.get(..byte_pos).unwrap_or(self.text);
        let pos = before.chars().count();
        let line = before.matches('\n').count() + 1;
        let column = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count() + 1,
            None => pos + 1,
        };
        ValueError::JsonDecode {
            msg: msg.to_string(),
            line,
            column,
            pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn starts_with(&self, lit: &str) -> bool {
        self.bytes[self.pos..].starts_with(lit.as_bytes())
    }

    fn value(&mut self) -> Result<Value, ValueError> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Value::Str(self.string(start)?))
            }
            Some(b'{') => self.nested(start, Self::object),
            Some(b'[') => self.nested(start, Self::array),
            Some(b'n') if self.starts_with("null") => self.literal(4, Value::None),
            Some(b't') if self.starts_with("true") => self.literal(4, Value::Bool(true)),
            Some(b'f') if self.starts_with("false") => self.literal(5, Value::Bool(false)),
            Some(b'N') if self.starts_with("NaN") => self.literal(3, Value::Float(f64::NAN)),
            Some(b'I') if self.starts_with("Infinity") => {
                self.literal(8, Value::Float(f64::INFINITY))
            }
            Some(b'-') if self.starts_with("-Infinity") => {
                self.literal(9, Value::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(start),
            _ => Err(self.err("Expecting value", start)),
        }
    }

    fn literal(&mut self, len: usize, v: Value) -> Result<Value, ValueError> {
        self.pos += len;
        Ok(v)
    }

    fn nested(
        &mut self,
        start: usize,
        f: fn(&mut Self, usize) -> Result<Value, ValueError>,
    ) -> Result<Value, ValueError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err("maximum recursion depth exceeded", start));
        }
        self.depth += 1;
        self.pos += 1;
        let r = f(self, start);
        self.depth -= 1;
        r
    }

    fn number(&mut self, start: usize) -> Result<Value, ValueError> {
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while matches!(b.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => return Err(self.err("Expecting value", start)),
        }
        let mut is_float = false;
        if b.get(i) == Some(&b'.') && matches!(b.get(i + 1), Some(b'0'..=b'9')) {
            is_float = true;
            i += 1;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if matches!(b.get(j), Some(b'0'..=b'9')) {
                while matches!(b.get(j), Some(b'0'..=b'9')) {
                    j += 1;
                }
                is_float = true;
                i = j;
            }
        }
        let text = &self.text[self.pos..i];
        self.pos = i;
        if !is_float && let Ok(n) = text.parse::<i64>() {
            return Ok(Value::Int(n));
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.err("Expecting value", start))
    }

    /// Parses after the opening quote; `start` is the quote's position (for messages).
    fn string(&mut self, start: usize) -> Result<String, ValueError> {
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            let run = &self.text[run_start..self.pos];
            match self.peek() {
                None => return Err(self.err("Unterminated string starting at", start)),
                // Most strings have no escape: one allocation of their exact size.
                Some(b'"') if out.is_empty() => {
                    self.pos += 1;
                    return Ok(run.to_owned());
                }
                Some(b'"') => {
                    out.push_str(run);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(run);
                    let esc_pos = self.pos;
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.err("Unterminated string starting at", start));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape(esc_pos)?),
                        _ => return Err(self.err("Invalid \\escape", esc_pos)),
                    }
                }
                Some(_) => return Err(self.err("Invalid control character at", self.pos)),
            }
        }
    }

    fn hex4(&mut self, esc_pos: usize) -> Result<u32, ValueError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.err("Invalid \\uXXXX escape", esc_pos))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.err("Invalid \\uXXXX escape", esc_pos))
    }

    fn unicode_escape(&mut self, esc_pos: usize) -> Result<char, ValueError> {
        let hi = self.hex4(esc_pos)?;
        if (0xd800..0xdc00).contains(&hi) && self.starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4(self.pos - 2)?;
            if (0xdc00..0xe000).contains(&lo) {
                let cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                return Ok(char::from_u32(cp).unwrap_or('\u{fffd}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    fn object(&mut self, _start: usize) -> Result<Value, ValueError> {
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Dict(Dict::default()));
        }
        // Room for a small object's keys from the start: growing from empty rehashed a
        // request body's keys twice, a third of its parse.
        let mut map = Dict::with_capacity_and_hasher(4, Default::default());
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.err(
                    "Expecting property name enclosed in double quotes",
                    self.pos,
                ));
            }
            let key_start = self.pos;
            self.pos += 1;
            let key = self.string(key_start)?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err("Expecting ':' delimiter", self.pos));
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.value()?;
            map.insert(key, v);
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Dict(map));
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => return Err(self.err("Expecting ',' delimiter", self.pos)),
            }
        }
    }

    fn array(&mut self, _start: usize) -> Result<Value, ValueError> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::List(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => return Err(self.err("Expecting ',' delimiter", self.pos)),
            }
        }
    }
}

/// Reads JSON straight into a [`Value`], exactly as [`Value::from_json`] converts the
/// `serde_json` tree (integers beyond `i64` become `Float`, a repeated key keeps its first
/// place and its last value), without building the tree first: case files hold their
/// assertions and relations this way.
impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// The one place that says which `Value` each JSON token becomes (also used by readers that
/// treat objects their own way).
pub(crate) struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        // serde_json's `as_i64` then `as_f64`.
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut dict = Dict::with_capacity_and_hasher(
            map.size_hint().unwrap_or(0).min(4096),
            Default::default(),
        );
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            dict.insert(key, value);
        }
        Ok(Value::Dict(dict))
    }
}

#[cfg(test)]
mod tests {
    /// `json.dumps` of one string, with and without `ensure_ascii` (Python 3's output).
    #[test]
    fn strings_are_escaped_like_python() {
        let text = "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{7f}\u{e9}\u{1f600} ~";
        let dumped = |ascii| {
            let mut out = String::new();
            super::write_json_str(text, &mut out, ascii);
            out
        };
        assert_eq!(
            dumped(true),
            r#""a\"b\\c\n\r\t\b\f\u0001\u007f\u00e9\ud83d\ude00 ~""#
        );
        assert_eq!(
            dumped(false),
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\u{7f}\u{e9}\u{1f600} ~\""
        );
        let mut plain = String::new();
        super::write_json_str("", &mut plain, true);
        assert_eq!(plain, "\"\"");
    }

    /// Moved with the regex-extraction text writer (formerly `extract/pyjson.rs`).
    #[test]
    fn lenient_dumps_like_python() {
        use crate::value::{float_repr, str_repr};
        let cases = [
            (1.0, "1.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f}");
        }
        let mut m = Dict::default();
        m.insert("id".to_string(), Value::Int(7));
        m.insert("name".to_string(), Value::Str("张三 \"q\"\n\u{1}".into()));
        m.insert(
            "l".to_string(),
            Value::List(vec![Value::Bool(true), Value::None, Value::Float(1.0)]),
        );
        assert_eq!(
            Value::Dict(m).to_json_text_lenient(),
            r#"{"id": 7, "name": "张三 \"q\"\n\u0001", "l": [true, null, 1.0]}"#
        );
        assert_eq!(
            Value::List(vec![Value::Bytes(b"ab".to_vec())]).to_json_text_lenient(),
            r#"["ab"]"#
        );
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'\"b"), "'a\\'\"b'");
    }

    use super::*;

    fn dumps(text: &str) -> String {
        parse_json(text).unwrap().to_json_text().unwrap()
    }

    #[test]
    fn dumps_python_defaults() {
        assert_eq!(
            dumps(r#"{"a":1,"b":[true,null,1.5e16,1.0],"c":"中\"\\/\u0001\u007f😀"}"#),
            r#"{"a": 1, "b": [true, null, 1.5e+16, 1.0], "c": "\u4e2d\"\\/\u0001\u007f\ud83d\ude00"}"#
        );
        let v = Value::List(vec![
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Tuple(vec![Value::Int(1)]),
            Value::Str("\u{8}\u{c}\n\r\t".into()),
        ]);
        assert_eq!(
            v.to_json_text().unwrap(),
            r#"[NaN, Infinity, -Infinity, [1], "\b\f\n\r\t"]"#
        );
        assert_eq!(Value::Dict(Dict::default()).to_json_text().unwrap(), "{}");
    }

    #[test]
    fn dumps_unicode() {
        let v = Value::Str("中文\u{7f}\u{1}\"".into());
        assert_eq!(
            v.to_json_text_unicode().unwrap(),
            "\"中文\u{7f}\\u0001\\\"\""
        );
    }

    #[test]
    fn bytes_not_serializable() {
        let v = Value::List(vec![Value::Bytes(vec![1])]);
        assert_eq!(
            v.to_json_text().unwrap_err().to_string(),
            "Object of type bytes is not JSON serializable"
        );
        assert!(v.to_json().is_err());
        assert!(Value::Float(f64::NAN).to_json().is_err());
    }

    #[test]
    fn serde_round_trip() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"z": 1, "a": [1.5, "x", null, 18446744073709551615]}"#)
                .unwrap();
        let v = Value::from_json(&j);
        assert_eq!(
            v.py_str(),
            "{'z': 1, 'a': [1.5, 'x', None, 1.8446744073709552e+19]}"
        );
        let back = Value::Tuple(vec![Value::Int(1), Value::Str("a".into())])
            .to_json()
            .unwrap();
        assert_eq!(back, serde_json::json!([1, "a"]));
    }

    #[test]
    fn loads_python_semantics() {
        let v = parse_json(r#" {"a": 1, "b": 2, "a": 3} "#).unwrap();
        assert_eq!(v.py_str(), "{'a': 3, 'b': 2}");
        let v =
            parse_json("[NaN, Infinity, -Infinity, 1E2, -0, 0.5, 99999999999999999999]").unwrap();
        assert_eq!(v.py_str(), "[nan, inf, -inf, 100.0, 0, 0.5, 1e+20]");
        assert_eq!(
            parse_json(r#""\ud83d\ude00\u4E2D\/""#).unwrap(),
            Value::Str("😀中/".into())
        );
        assert_eq!(
            parse_json(r#""\ud800x""#).unwrap(),
            Value::Str("\u{fffd}x".into())
        );
    }

    #[test]
    fn loads_errors_like_python() {
        let e = |t: &str| parse_json(t).unwrap_err().to_string();
        assert_eq!(e(""), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(e("[1,]"), "Expecting value: line 1 column 4 (char 3)");
        assert_eq!(
            e("{\"a\" 1}"),
            "Expecting ':' delimiter: line 1 column 6 (char 5)"
        );
        assert_eq!(
            e("{'a': 1}"),
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
        );
        assert_eq!(
            e("\"a\nb\""),
            "Invalid control character at: line 1 column 3 (char 2)"
        );
        assert_eq!(e("1 2"), "Extra data: line 1 column 3 (char 2)");
        assert_eq!(e("[1\n,x]"), "Expecting value: line 2 column 2 (char 4)");
        assert_eq!(
            e("\"abc"),
            "Unterminated string starting at: line 1 column 1 (char 0)"
        );
        assert_eq!(e("\"\\x\""), "Invalid \\escape: line 1 column 2 (char 1)");
        assert_eq!(e("-"), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(e("true1"), "Extra data: line 1 column 5 (char 4)");
        assert!(parse_json(&"[".repeat(5000)).is_err());
    }
}
