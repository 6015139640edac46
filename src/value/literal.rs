//! Safe Python-literal parser, the replacement for `eval`/`ast.literal_eval` (quirk A14,
//! WEB Q8): numbers, strings/bytes (all quote kinds, prefixes, escapes, implicit
//! concatenation), `True`/`False`/`None`, lists, tuples and string-keyed dicts.
//! It never evaluates code: names, calls, operators and sets are errors.

use crate::value::Dict;

use super::{Value, ValueError};

/// Python's parser rejects deeper nesting ("too many nested parentheses").
const MAX_DEPTH: usize = 200;

/// Parses `text` as a Python literal expression. A bare comma list (`1, 2`) is a tuple,
/// as in `ast.literal_eval`. Integers beyond `i64` become `Float`.
pub fn parse_py_literal(text: &str) -> Result<Value, ValueError> {
    let mut p = LitParser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let first = p.expr()?;
    p.skip_ws();
    let v = if p.peek() == Some(',') {
        let mut items = vec![first];
        while p.peek() == Some(',') {
            p.pos += 1;
            p.skip_ws();
            if p.peek().is_none() {
                break;
            }
            items.push(p.expr()?);
            p.skip_ws();
        }
        Value::Tuple(items)
    } else {
        first
    };
    if p.pos != p.chars.len() {
        return Err(p.err("unexpected text"));
    }
    Ok(v)
}

struct LitParser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

enum StrLit {
    Str(String),
    Bytes(Vec<u8>),
}

impl LitParser {
    fn err(&self, what: &str) -> ValueError {
        ValueError::Literal(format!("{what} at char {}", self.pos))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, off: usize) -> Option<char> {
        self.chars.get(self.pos + off).copied()
    }

    /// Whitespace, newlines, comments and backslash continuations.
    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | '\u{c}' => self.pos += 1,
                '\\' if matches!(self.peek_at(1), Some('\n' | '\r')) => self.pos += 2,
                '#' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn expr(&mut self) -> Result<Value, ValueError> {
        match self.peek() {
            Some(sign @ ('+' | '-')) => {
                self.pos += 1;
                self.skip_ws();
                match self.peek() {
                    Some(c) if c.is_ascii_digit() || c == '.' => self.number(sign == '-'),
                    _ => Err(self.err("sign not followed by a number")),
                }
            }
            Some(c) if c.is_ascii_digit() => self.number(false),
            Some('.') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(false),
            Some('[') => self.nested(|p| p.seq(']').map(Value::List)),
            Some('(') => self.nested(Self::paren),
            Some('{') => self.nested(Self::dict),
            Some('\'' | '"') => self.strings(),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                if matches!(self.peek(), Some('\'' | '"')) {
                    self.pos = start;
                    return self.strings();
                }
                match word.as_str() {
                    "True" => Ok(Value::Bool(true)),
                    "False" => Ok(Value::Bool(false)),
                    "None" => Ok(Value::None),
                    _ => {
                        self.pos = start;
                        Err(self.err(&format!("name '{word}' is not a literal")))
                    }
                }
            }
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("unexpected end of text")),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Value, ValueError>,
    ) -> Result<Value, ValueError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err("too many nested brackets"));
        }
        self.depth += 1;
        self.pos += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Comma-separated items up to `close` (trailing comma allowed); after the opener.
    fn seq(&mut self, close: char) -> Result<Vec<Value>, ValueError> {
        self.seq_with_comma(close).map(|(items, _)| items)
    }

    fn seq_with_comma(&mut self, close: char) -> Result<(Vec<Value>, bool), ValueError> {
        let mut items = Vec::new();
        let mut saw_comma = false;
        loop {
            self.skip_ws();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok((items, saw_comma));
            }
            items.push(self.expr()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    saw_comma = true;
                    self.pos += 1;
                }
                Some(c) if c == close => {}
                _ => return Err(self.err(&format!("expected ',' or '{close}'"))),
            }
        }
    }

    fn paren(&mut self) -> Result<Value, ValueError> {
        let (mut items, saw_comma) = self.seq_with_comma(')')?;
        if items.len() == 1 && !saw_comma {
            return Ok(items.remove(0));
        }
        Ok(Value::Tuple(items))
    }

    fn dict(&mut self) -> Result<Value, ValueError> {
        let mut map = Dict::default();
        loop {
            self.skip_ws();
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(Value::Dict(map));
            }
            let key = match self.expr()? {
                Value::Str(s) => s,
                other => {
                    return Err(self.err(&format!(
                        "unsupported dict key of type {}",
                        other.type_name()
                    )));
                }
            };
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.err("expected ':' (sets are not supported)"));
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.expr()?;
            map.insert(key, v);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn number(&mut self, negative: bool) -> Result<Value, ValueError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            || (matches!(self.peek(), Some('+' | '-'))
                && matches!(self.chars.get(self.pos.wrapping_sub(1)), Some('e' | 'E'))
                && !self.is_radix_prefixed(start))
        {
            self.pos += 1;
        }
        let raw: String = self.chars[start..self.pos].iter().collect();
        parse_number(&raw, negative)
            .ok_or_else(|| ValueError::Literal(format!("invalid number '{raw}' at char {start}")))
    }

    fn is_radix_prefixed(&self, start: usize) -> bool {
        self.chars.get(start) == Some(&'0')
            && matches!(
                self.chars.get(start + 1),
                Some('x' | 'X' | 'o' | 'O' | 'b' | 'B')
            )
    }

    /// One or more adjacent string literals (implicit concatenation).
    fn strings(&mut self) -> Result<Value, ValueError> {
        let mut acc: Option<StrLit> = None;
        loop {
            let lit = self.one_string()?;
            acc = Some(match (acc, lit) {
                (None, l) => l,
                (Some(StrLit::Str(mut a)), StrLit::Str(b)) => {
                    a.push_str(&b);
                    StrLit::Str(a)
                }
                (Some(StrLit::Bytes(mut a)), StrLit::Bytes(b)) => {
                    a.extend(b);
                    StrLit::Bytes(a)
                }
                _ => return Err(self.err("cannot mix bytes and nonbytes literals")),
            });
            let save = self.pos;
            self.skip_ws();
            let mut look = self.pos;
            while self
                .chars
                .get(look)
                .is_some_and(|c| c.is_ascii_alphabetic())
            {
                look += 1;
            }
            if !matches!(self.chars.get(look), Some('\'' | '"')) {
                self.pos = save;
                break;
            }
        }
        Ok(match acc {
            Some(StrLit::Bytes(b)) => Value::Bytes(b),
            Some(StrLit::Str(s)) => Value::Str(s),
            None => Value::Str(String::new()),
        })
    }

    fn one_string(&mut self) -> Result<StrLit, ValueError> {
        let mut raw = false;
        let mut bytes = false;
        while let Some(c) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
            match c.to_ascii_lowercase() {
                'r' if !raw => raw = true,
                'b' if !bytes => bytes = true,
                'u' if !raw && !bytes => {}
                _ => return Err(self.err("unsupported string prefix")),
            }
            self.pos += 1;
        }
        let Some(q) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return Err(self.err("expected a quote"));
        };
        let triple = self.peek_at(1) == Some(q) && self.peek_at(2) == Some(q);
        self.pos += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string literal"));
            };
            if c == q {
                if !triple {
                    self.pos += 1;
                    break;
                }
                if self.peek_at(1) == Some(q) && self.peek_at(2) == Some(q) {
                    self.pos += 3;
                    break;
                }
            }
            if (c == '\n' || c == '\r') && !triple {
                return Err(self.err("unterminated string literal"));
            }
            if bytes && !c.is_ascii() {
                return Err(self.err("bytes can only contain ASCII literal characters"));
            }
            self.pos += 1;
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(e) = self.peek() else {
                return Err(self.err("unterminated string literal"));
            };
            if raw {
                // Raw strings keep the backslash; it only prevents the quote from closing.
                out.push('\\');
                out.push(e);
                self.pos += 1;
                continue;
            }
            self.escape(e, bytes, &mut out)?;
        }
        if bytes {
            // Every char is ASCII or a \xhh-produced U+0000..U+00FF: map back to bytes.
            Ok(StrLit::Bytes(out.chars().map(|c| c as u32 as u8).collect()))
        } else {
            Ok(StrLit::Str(out))
        }
    }

    fn escape(&mut self, e: char, bytes: bool, out: &mut String) -> Result<(), ValueError> {
        self.pos += 1;
        match e {
            '\n' => {}
            '\r' => {
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
            }
            '\\' | '\'' | '"' => out.push(e),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                if bytes {
                    v &= 0xff;
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' => {
                let v = self.hex_digits(2)?;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'u' | 'U' if !bytes => {
                let v = self.hex_digits(if e == 'u' { 4 } else { 8 })?;
                if v > 0x10ffff {
                    return Err(self.err("illegal Unicode character"));
                }
                // Lone surrogates cannot live in a Rust string.
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'N' if !bytes => return Err(self.err("\\N{...} escapes are not supported")),
            other => {
                // Unknown escapes keep the backslash (Python does the same, with a warning).
                out.push('\\');
                out.push(other);
            }
        }
        Ok(())
    }

    fn hex_digits(&mut self, n: usize) -> Result<u32, ValueError> {
        let mut v = 0u32;
        for _ in 0..n {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("truncated \\xXX / \\uXXXX escape"))?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }
}

/// Python numeric literal (int with radix prefixes, float, underscores); imaginary and
/// malformed literals are `None`.
fn parse_number(raw: &str, negative: bool) -> Option<Value> {
    if raw.starts_with('_') || raw.ends_with('_') || raw.contains("__") {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let digits = rest.strip_prefix('_').unwrap_or(rest).replace('_', "");
            if digits.is_empty() || rest.ends_with('_') {
                return None;
            }
            return int_value(&digits, radix, negative);
        }
    }
    if raw.contains('_') {
        // Underscores only between digits.
        let cs: Vec<char> = raw.chars().collect();
        for (i, c) in cs.iter().enumerate() {
            if *c == '_'
                && !(i > 0
                    && cs[i - 1].is_ascii_digit()
                    && cs.get(i + 1).is_some_and(|n| n.is_ascii_digit()))
            {
                return None;
            }
        }
    }
    let clean = raw.replace('_', "");
    let is_float = clean.contains(['.', 'e', 'E']);
    if !clean
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    if is_float {
        let (mant, exp) = match clean.find(['e', 'E']) {
            Some(i) => (&clean[..i], Some(&clean[i + 1..])),
            None => (clean.as_str(), None),
        };
        let mant_ok = mant.matches('.').count() <= 1
            && mant.chars().any(|c| c.is_ascii_digit())
            && mant.chars().all(|c| c.is_ascii_digit() || c == '.');
        let exp_ok = exp.is_none_or(|e| {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
        });
        if !mant_ok || !exp_ok {
            return None;
        }
        let f = clean.parse::<f64>().ok()?;
        return Some(Value::Float(if negative { -f } else { f }));
    }
    if !clean.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // "01" is a syntax error in Python 3; "00" is fine.
    if clean.len() > 1 && clean.starts_with('0') && clean.chars().any(|c| c != '0') {
        return None;
    }
    int_value(&clean, 10, negative)
}

fn int_value(digits: &str, radix: u32, negative: bool) -> Option<Value> {
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    if let Ok(i) = i64::from_str_radix(&signed, radix) {
        return Some(Value::Int(i));
    }
    let sign = if negative { -1.0 } else { 1.0 };
    // Python big int: approximate as float (correctly rounded for decimal text).
    if radix == 10 {
        return signed.parse::<f64>().ok().map(Value::Float);
    }
    if let Ok(u) = u128::from_str_radix(digits, radix) {
        return Some(Value::Float(sign * u as f64));
    }
    let mut f = 0f64;
    for c in digits.chars() {
        f = f * f64::from(radix) + f64::from(c.to_digit(radix)?);
    }
    Some(Value::Float(sign * f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(t: &str) -> String {
        parse_py_literal(t).unwrap().py_repr()
    }

    #[test]
    fn literals() {
        assert_eq!(lit("None"), "None");
        assert_eq!(lit(" True "), "True");
        assert_eq!(lit("-5"), "-5");
        assert_eq!(lit("+1.5"), "1.5");
        assert_eq!(lit("1_000"), "1000");
        assert_eq!(lit("0x1f"), "31");
        assert_eq!(lit("0o17"), "15");
        assert_eq!(lit("0b101"), "5");
        assert_eq!(lit("1e5"), "100000.0");
        assert_eq!(lit("1."), "1.0");
        assert_eq!(lit(".5"), "0.5");
        assert_eq!(lit("1E-5"), "1e-05");
        assert_eq!(lit("00"), "0");
        assert_eq!(lit("99999999999999999999"), "1e+20");
        assert_eq!(lit("-9223372036854775808"), "-9223372036854775808");
    }

    #[test]
    fn strings_and_bytes() {
        assert_eq!(lit(r#"'a\'b'"#), r#""a'b""#);
        assert_eq!(lit(r#""it's""#), r#""it's""#);
        assert_eq!(
            lit(r"'\x41\u4e2d\U0001F600\n\t\101\0'"),
            r"'A中😀\n\tA\x00'"
        );
        assert_eq!(lit(r"r'\d+'"), r"'\\d+'");
        assert_eq!(lit(r"'\d'"), r"'\\d'");
        assert_eq!(lit("'''a\nb'''"), r"'a\nb'");
        assert_eq!(lit("'a' \"b\" u'c'"), "'abc'");
        assert_eq!(lit(r"b'\x00\xff'"), r"b'\x00\xff'");
        assert_eq!(lit(r"B'a' b'b'"), "b'ab'");
        assert_eq!(lit("'中文'"), "'中文'");
    }

    #[test]
    fn containers() {
        assert_eq!(
            lit("{'a': [1, 'x', (2,)], \"b\": {'c': None},}"),
            "{'a': [1, 'x', (2,)], 'b': {'c': None}}"
        );
        assert_eq!(lit("()"), "()");
        assert_eq!(lit("(1)"), "1");
        assert_eq!(lit("(1,)"), "(1,)");
        assert_eq!(lit("1, 2"), "(1, 2)");
        assert_eq!(lit("[\n 1, # comment\n 2,\n]"), "[1, 2]");
        assert_eq!(lit("{'a': 1, 'a': 2, 'b': 3}"), "{'a': 2, 'b': 3}");
        assert_eq!(lit("{}"), "{}");
    }

    #[test]
    fn rejects_code_and_unsupported() {
        for bad in [
            "__import__('os').system('x')",
            "true",
            "null",
            "{1, 2}",
            "{1: 2}",
            "1 + 2",
            "--1",
            "1j",
            "01",
            "f'x'",
            "'abc",
            "'a\nb'",
            "[1 2]",
            "",
            "b'中'",
            "'a' b'b'",
            "1__0",
            "x",
            "[1,,2]",
            "0x",
            "1e",
            "1.2.3",
        ] {
            assert!(parse_py_literal(bad).is_err(), "{bad:?} should fail");
        }
        assert!(parse_py_literal(&"[".repeat(1000)).is_err());
    }
}
