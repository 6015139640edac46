//! A JSON response body kept as its text, with an index of its values (a "tape"): what a
//! step reads of a JSON answer (a few `$.data.id` lookups, and its `str()` for the log) is
//! read from the text through the index, without building a tree of maps and strings.
//!
//! Building `serde_json`'s tree of an answer (a map, hashed keys and a string per member) and
//! dropping it again was the largest part of a step's handling of the answer. The tree is
//! still built, once and on first need, for what the index does not answer: JSONPath beyond a
//! chain of names and indexes, a body with a repeated key written to the log, and the body as
//! a Python value.
//!
//! The index accepts exactly the documents `serde_json::from_str` accepts (a test compares them
//! on a corpus of valid and broken documents), and reads the values `serde_json` would: a
//! string with an escape, and every number but a short non-negative integer, is read by
//! `serde_json` itself, from the value's own text.

use super::Value;
use std::sync::OnceLock;

/// Nesting `serde_json` refuses (its recursion limit): 128 arrays or objects inside each other.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    False,
    True,
    /// A number whose text is not a plain non-negative integer of at most 18 digits, as
    /// `serde_json` read it (`IndexedJson::numbers[len]`).
    Number,
    /// A plain non-negative integer of at most 18 digits (its text is its `repr`).
    SmallInt,
    /// A string without escapes, of printable ASCII without `'`: its repr is its text quoted.
    PlainString,
    /// A string without escapes (its value is its text between the quotes).
    String,
    /// A string with a backslash: read through `serde_json`.
    EscapedString,
    Array,
    Object,
}

/// One value (or object key) of the document, in document order.
#[derive(Debug, Clone, Copy)]
struct Slot {
    kind: Kind,
    /// The value's text: `text[start..end]` (a string's quotes included).
    start: u32,
    end: u32,
    /// Containers: the slot after the container's last descendant. Others: the next slot.
    next: u32,
    /// Containers: items, or members (each a key slot followed by its value). Numbers: the
    /// number's place in `numbers`.
    len: u32,
}

/// A JSON document's text and its index; see the module's comment.
#[derive(Debug, Clone)]
pub struct IndexedJson {
    text: String,
    slots: Vec<Slot>,
    /// The numbers of [`Kind::Number`] slots, as `serde_json` read them.
    numbers: Vec<serde_json::Number>,
    /// Some object key is one JSONPath treats specially (`*`, `..`, `!`, or holding `;`).
    special_keys: bool,
    /// Some object repeats a key: its `str()` is written from the tree (the last value, at the
    /// first key's place, as `serde_json` and Python keep it).
    repeated_keys: bool,
    tree: OnceLock<serde_json::Value>,
}

/// A value of an [`IndexedJson`], for lookups.
#[derive(Debug, Clone, Copy)]
pub struct JsonNode(u32);

impl IndexedJson {
    /// Indexes `text` when it is one JSON document (as `serde_json::from_str` reads one);
    /// gives the text back otherwise.
    pub fn parse(text: String) -> Result<IndexedJson, String> {
        // Offsets are kept in 32 bits: a larger text is read as text.
        if u32::try_from(text.len()).is_err() {
            return Err(text);
        }
        let mut scan = Scanner {
            bytes: text.as_bytes(),
            at: 0,
            // About a value per six bytes of a typical answer: one allocation, rarely grown.
            slots: Vec::with_capacity(text.len() / 6 + 8),
            numbers: Vec::new(),
            special_keys: false,
            repeated_keys: false,
        };
        let ok = scan.whitespace_value(0).is_some() && {
            scan.skip_whitespace();
            scan.at == scan.bytes.len()
        };
        if !ok {
            return Err(text);
        }
        let (slots, numbers, special_keys, repeated_keys) = (
            scan.slots,
            scan.numbers,
            scan.special_keys,
            scan.repeated_keys,
        );
        Ok(IndexedJson {
            text,
            slots,
            numbers,
            special_keys,
            repeated_keys,
            tree: OnceLock::new(),
        })
    }

    /// The document's text, as received.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether some object key is one JSONPath treats specially.
    pub fn has_special_keys(&self) -> bool {
        self.special_keys
    }

    /// `serde_json`'s tree of the document, built on first need.
    pub fn tree(&self) -> &serde_json::Value {
        self.tree.get_or_init(|| {
            // The index accepted the text, so `serde_json` does too (a test holds them equal).
            serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null)
        })
    }

    /// The whole document.
    pub fn root(&self) -> JsonNode {
        JsonNode(0)
    }

    fn slot(&self, n: JsonNode) -> Slot {
        self.slots[n.0 as usize]
    }

    fn raw(&self, s: Slot) -> &str {
        &self.text[s.start as usize..s.end as usize]
    }

    /// An array or object.
    pub fn is_container(&self, n: JsonNode) -> bool {
        matches!(self.slot(n).kind, Kind::Array | Kind::Object)
    }

    /// An array or object with at least one item; `false` for anything else.
    pub fn is_nonempty_container(&self, n: JsonNode) -> bool {
        let s = self.slot(n);
        matches!(s.kind, Kind::Array | Kind::Object) && s.len > 0
    }

    /// The number of items of an array; `None` for anything else.
    pub fn array_len(&self, n: JsonNode) -> Option<usize> {
        let s = self.slot(n);
        (s.kind == Kind::Array).then_some(s.len as usize)
    }

    /// The value of member `key` of an object (its last, when the key repeats: the one
    /// `serde_json` keeps); `None` for anything else.
    pub fn member(&self, n: JsonNode, key: &str) -> Option<JsonNode> {
        let s = self.slot(n);
        if s.kind != Kind::Object {
            return None;
        }
        let mut found = None;
        let mut at = n.0 + 1;
        for _ in 0..s.len {
            let k = self.slots[at as usize];
            let value = k.next;
            if self.key_is(k, key) {
                found = Some(JsonNode(value));
            }
            at = self.slots[value as usize].next;
        }
        found
    }

    /// Item `i` of an array; `None` for anything else.
    pub fn item(&self, n: JsonNode, i: usize) -> Option<JsonNode> {
        let s = self.slot(n);
        if s.kind != Kind::Array || i >= s.len as usize {
            return None;
        }
        let mut at = n.0 + 1;
        for _ in 0..i {
            at = self.slots[at as usize].next;
        }
        Some(JsonNode(at))
    }

    fn key_is(&self, k: Slot, key: &str) -> bool {
        match k.kind {
            Kind::EscapedString => self.unescaped(k) == key,
            _ => self.between_quotes(k) == key,
        }
    }

    /// A string's text between its quotes.
    fn between_quotes(&self, s: Slot) -> &str {
        &self.text[s.start as usize + 1..s.end as usize - 1]
    }

    /// A string's value.
    fn unescaped(&self, s: Slot) -> String {
        match s.kind {
            Kind::EscapedString => unescape(self.raw(s)),
            _ => self.between_quotes(s).to_string(),
        }
    }

    /// The number of a [`Kind::Number`] slot.
    fn number(&self, s: Slot) -> Option<&serde_json::Number> {
        self.numbers.get(s.len as usize)
    }

    /// The value as `Value::from_json` of `serde_json`'s tree gives it.
    pub fn to_value(&self, n: JsonNode) -> Value {
        let s = self.slot(n);
        match s.kind {
            Kind::Null => Value::None,
            Kind::False => Value::Bool(false),
            Kind::True => Value::Bool(true),
            Kind::SmallInt => self.raw(s).parse().map_or(Value::None, Value::Int),
            Kind::PlainString | Kind::String | Kind::EscapedString => Value::Str(self.unescaped(s)),
            Kind::Number => self.number(s).map_or(Value::None, |n| {
                Value::from_json(&serde_json::Value::Number(n.clone()))
            }),
            Kind::Array | Kind::Object => serde_json::from_str::<serde_json::Value>(self.raw(s))
                .map_or(Value::None, |j| Value::from_json(&j)),
        }
    }

    /// `str()` of the document as a Python value, appended to `out`: what
    /// [`super::write_json_py_str`] writes of its tree.
    pub fn write_py_str(&self, out: &mut String) {
        let root = self.slots[0];
        match root.kind {
            Kind::PlainString | Kind::String => out.push_str(self.between_quotes(root)),
            Kind::EscapedString => out.push_str(&self.unescaped(root)),
            _ if self.repeated_keys => super::write_json_py_str(self.tree(), out),
            _ => {
                out.reserve(self.text.len() + self.text.len() / 8);
                self.write_repr(0, out);
            }
        }
    }

    /// `repr()` of the value at slot `at`; returns the slot after it.
    fn write_repr(&self, at: u32, out: &mut String) -> u32 {
        let s = self.slots[at as usize];
        match s.kind {
            Kind::Null => out.push_str("None"),
            Kind::False => out.push_str("False"),
            Kind::True => out.push_str("True"),
            // No leading zeros in JSON: the digits are the integer's repr.
            Kind::SmallInt => out.push_str(self.raw(s)),
            Kind::Number => match self.number(s) {
                Some(n) => super::write_json_py_str(&serde_json::Value::Number(n.clone()), out),
                None => out.push_str("None"),
            },
            Kind::PlainString => {
                out.push('\'');
                out.push_str(self.between_quotes(s));
                out.push('\'');
            }
            Kind::String => super::repr::write_str_repr(self.between_quotes(s), out),
            Kind::EscapedString => super::repr::write_str_repr(&self.unescaped(s), out),
            Kind::Array | Kind::Object => {
                let object = s.kind == Kind::Object;
                out.push(if object { '{' } else { '[' });
                // Items, or members: a key slot, then its value.
                let mut next = at + 1;
                for i in 0..s.len {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    next = self.write_repr(next, out);
                    if object {
                        out.push_str(": ");
                        next = self.write_repr(next, out);
                    }
                }
                out.push(if object { '}' } else { ']' });
            }
        }
        s.next
    }
}

/// The value of a string with escapes (`quoted` is its text, quotes included, as the index
/// accepted it): the one-character escapes are replaced here, and a string with a `\\u`
/// escape is read by `serde_json` (surrogate pairs, lone surrogates).
fn unescape(quoted: &str) -> String {
    let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
    if inner.contains("\\u") {
        return serde_json::from_str::<String>(quoted).unwrap_or_default();
    }
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        out.push(match rest.as_bytes().get(at + 1) {
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            // `"`, `\\` and `/` stand for themselves (the index accepts no other escape).
            Some(&c) => char::from(c),
            None => break,
        });
        // The escaped character is ASCII: the rest starts at a character boundary.
        rest = rest.get(at + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Non-zero when some byte of `word` is `b`.
fn has_byte(word: u64, b: u8) -> u64 {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// Non-zero when some byte of `word` is below `n` (at most 128).
fn has_less(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
}

/// The index's reader: one pass over the text, pushing a slot per value in document order.
struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
    slots: Vec<Slot>,
    numbers: Vec<serde_json::Number>,
    special_keys: bool,
    repeated_keys: bool,
}

impl Scanner<'_> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) -> usize {
        let i = self.slots.len();
        // Offsets fit: the caller refuses a text longer than u32.
        self.slots.push(Slot {
            kind,
            start: start as u32,
            end: end as u32,
            next: i as u32 + 1,
            len: 0,
        });
        i
    }

    /// Whitespace, then one value at nesting `depth`; `None` when the text is not JSON there.
    fn whitespace_value(&mut self, depth: usize) -> Option<()> {
        self.skip_whitespace();
        let start = self.at;
        match *self.bytes.get(start)? {
            b'n' => self.literal(b"null", Kind::Null),
            b'f' => self.literal(b"false", Kind::False),
            b't' => self.literal(b"true", Kind::True),
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => self.array(depth + 1),
            b'{' => self.object(depth + 1),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Option<()> {
        let start = self.at;
        if !self.bytes[start..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.push(kind, start, self.at);
        Some(())
    }

    /// A string at `self.at` (its opening quote); returns its slot.
    fn string(&mut self) -> Option<usize> {
        let start = self.at;
        let bytes = self.bytes;
        let mut i = start + 1;
        // Printable ASCII without `'` so far.
        let mut plain = true;
        let (mut escaped, mut unicode) = (false, false);
        loop {
            // Eight bytes at a time: the first byte of the word that ends the string, starts
            // an escape or is a control character is the lowest flagged one (these tests flag
            // a byte wrongly only above one they flag rightly).
            if let Some(chunk) = bytes.get(i..i + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let word = u64::from_le_bytes(word);
                let stop = has_byte(word, b'"') | has_byte(word, b'\\') | has_less(word, 0x20);
                let odd = has_byte(word, b'\'') | has_byte(word, 0x7f) | (word & HIGH);
                if stop == 0 {
                    plain &= odd == 0;
                    i += 8;
                    continue;
                }
                let before = (stop.trailing_zeros() / 8) as usize;
                // The bytes before the stop; `before` is below 8.
                plain &= odd & ((1u64 << (before * 8)) - 1) == 0;
                i += before;
            } else {
                // The text's last few bytes, one at a time.
                let b = *bytes.get(i)?;
                if b != b'"' && b != b'\\' && b >= 0x20 {
                    plain &= b != b'\'' && b < 0x7f;
                    i += 1;
                    continue;
                }
            }
            match bytes[i] {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match *bytes.get(i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        // Its four hex digits, and surrogates, are `serde_json`'s to judge.
                        b'u' => unicode = true,
                        _ => return None,
                    }
                    i += 2;
                }
                _ => return None,
            }
        }
        let end = i + 1;
        self.at = end;
        let kind = if escaped {
            if unicode {
                let text = std::str::from_utf8(&bytes[start..end]).ok()?;
                serde_json::from_str::<String>(text).ok()?;
            }
            Kind::EscapedString
        } else if plain {
            Kind::PlainString
        } else {
            Kind::String
        };
        Some(self.push(kind, start, end))
    }

    fn number(&mut self) -> Option<()> {
        let start = self.at;
        let mut i = start;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.bytes.get(i) {
            i += 1;
        }
        let text = &self.bytes[start..i];
        self.at = i;
        let plain = text.len() <= 18
            && text.iter().all(u8::is_ascii_digit)
            && (text.len() == 1 || text[0] != b'0');
        if plain {
            self.push(Kind::SmallInt, start, i);
            return Some(());
        }
        // Signs, fractions, exponents, leading zeros and ranges are `serde_json`'s to judge
        // (the text after the number's characters could not continue it).
        let text = std::str::from_utf8(text).ok()?;
        let serde_json::Value::Number(n) = serde_json::from_str(text).ok()? else {
            return None;
        };
        let slot = self.push(Kind::Number, start, i);
        self.slots[slot].len = u32::try_from(self.numbers.len()).ok()?;
        self.numbers.push(n);
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.container(Kind::Array, b']', depth, |scan| {
            scan.whitespace_value(depth)
        })
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        let slot = self.slots.len();
        let len = self.container(Kind::Object, b'}', depth, |scan| {
            scan.skip_whitespace();
            if scan.bytes.get(scan.at) != Some(&b'"') {
                return None;
            }
            scan.string()?;
            scan.skip_whitespace();
            if scan.bytes.get(scan.at) != Some(&b':') {
                return None;
            }
            scan.at += 1;
            scan.whitespace_value(depth)
        });
        len?;
        self.check_keys(slot, self.slots[slot].len);
        Some(())
    }

    /// An array or object at `self.at` (its opening bracket): items read by `item`, separated
    /// by commas, up to `close`.
    fn container(
        &mut self,
        kind: Kind,
        close: u8,
        depth: usize,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let slot = self.push(kind, self.at, self.at);
        self.at += 1;
        let mut len = 0u32;
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&close) {
            self.at += 1;
        } else {
            loop {
                item(self)?;
                len += 1;
                self.skip_whitespace();
                match *self.bytes.get(self.at)? {
                    b',' => self.at += 1,
                    b if b == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.close(slot, len);
        Some(())
    }

    fn close(&mut self, slot: usize, len: u32) {
        let next = self.slots.len() as u32;
        let s = &mut self.slots[slot];
        s.end = self.at as u32;
        s.next = next;
        s.len = len;
    }

    /// The key slots of the object at `slot` (of `len` members).
    fn keys(&self, slot: usize, len: u32) -> impl Iterator<Item = Slot> + '_ {
        let mut at = slot + 1;
        (0..len).map(move |_| {
            let k = self.slots[at];
            at = self.slots[k.next as usize].next as usize;
            k
        })
    }

    /// Notes keys JSONPath treats specially, and a key the object repeats.
    fn check_keys(&mut self, slot: usize, len: u32) {
        if len == 0 {
            return;
        }
        let bytes = self.bytes;
        // A key without escapes is its text between the quotes.
        let raw = |k: Slot| &bytes[k.start as usize + 1..k.end as usize - 1];
        let (mut special, mut escaped) = (false, false);
        for k in self.keys(slot, len) {
            escaped |= k.kind == Kind::EscapedString;
            special |= crate::extract::is_special_key_bytes(raw(k));
        }
        let repeated = if escaped {
            // Escaped keys are compared (and checked) by their values.
            let mut keys: Vec<String> = self
                .keys(slot, len)
                .map(|k| {
                    std::str::from_utf8(&bytes[k.start as usize..k.end as usize])
                        .map(unescape)
                        .unwrap_or_default()
                })
                .collect();
            special |= keys.iter().any(|k| crate::extract::is_special_key(k));
            keys.sort_unstable();
            keys.windows(2).any(|w| w[0] == w[1])
        } else if len <= 16 {
            // Few members: compare the pairs by their length and first eight bytes, and the
            // whole keys only when those are equal.
            let mut seen = [(0usize, 0u64, 0usize); 16];
            let mut repeated = false;
            for (i, k) in self.keys(slot, len).enumerate() {
                let key = raw(k);
                let mut head = [0u8; 8];
                let n = key.len().min(8);
                head[..n].copy_from_slice(&key[..n]);
                let this = (key.len(), u64::from_le_bytes(head), k.start as usize);
                repeated |= seen[..i].iter().any(|&(len, head, start)| {
                    len == this.0
                        && head == this.1
                        && (len <= 8 || bytes[start + 1..start + 1 + len] == *key)
                });
                seen[i] = this;
            }
            repeated
        } else {
            let mut keys: Vec<&[u8]> = self.keys(slot, len).map(raw).collect();
            keys.sort_unstable();
            keys.windows(2).any(|w| w[0] == w[1])
        };
        self.special_keys |= special;
        self.repeated_keys |= repeated;
    }
}

#[cfg(test)]
mod tests;
