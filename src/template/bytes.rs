//! Bytes values in JSON text (§2.5, quirks A6, A7): stored per render under
//! `bytes_<md5 hex>_<ns timestamp>`, inserted as `#{<key>}` and restored after
//! the final parse.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::value::{Value, is_py_alpha, is_py_digit};

use super::md5::md5_hex;

#[derive(Default)]
pub(crate) struct BytesStore {
    map: HashMap<String, Vec<u8>>,
}

impl BytesStore {
    /// Stores `b` and returns the reference text `#{bytes_…}`.
    pub(crate) fn save(&mut self, b: Vec<u8>) -> String {
        let ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let key = format!("bytes_{}_{ns}", md5_hex(&b));
        let reference = format!("#{{{key}}}");
        self.map.insert(key, b);
        reference
    }

    pub(crate) fn get(&self, key: &str) -> Option<&[u8]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// Replaces every string (the result itself, dict values, list items) whose
    /// first `#{bytes_…}` reference names a stored value by those bytes. A6
    /// Compat: a longer string is replaced entirely (a warning is added).
    pub(crate) fn restore(&self, value: Value, warnings: &mut Vec<String>) -> Value {
        if self.map.is_empty() {
            return value;
        }
        let mut value = value;
        let mut stack: Vec<&mut Value> = vec![&mut value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Str(s) => {
                    if let Some(key) = bytes_reference(s)
                        && let Some(b) = self.map.get(key)
                    {
                        if s.len() != key.len() + 3 {
                            warnings.push(format!(
                                "bytes 值嵌入在较长的字符串中, 整个字符串被替换为 bytes: {s}"
                            ));
                        }
                        *v = Value::Bytes(b.clone());
                    }
                }
                Value::List(items) | Value::Tuple(items) => stack.extend(items.iter_mut()),
                Value::Dict(map) => stack.extend(map.values_mut()),
                _ => {}
            }
        }
        value
    }
}

/// The key of the first match of `#\{(bytes_\w+_\d+?)\}` in `s`.
fn bytes_reference(s: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|r| r.find("#{bytes_")) {
        let open = from + pos + 2;
        let rest = s.get(open..).unwrap_or_default();
        let word_len = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let word = rest.get(..word_len).unwrap_or_default();
        if rest.get(word_len..).is_some_and(|r| r.starts_with('}')) && is_bytes_key(word) {
            return Some(word);
        }
        from = open;
    }
    None
}

/// `bytes_\w+_\d+` over a run of word characters: the last `_` comes after at
/// least one word character following `bytes_` and is followed by digits only.
fn is_bytes_key(word: &str) -> bool {
    let Some(rest) = word.strip_prefix("bytes_") else {
        return false;
    };
    match rest.rfind('_') {
        Some(p) if p >= 1 => {
            let digits = rest.get(p + 1..).unwrap_or_default();
            !digits.is_empty() && digits.chars().all(is_py_digit)
        }
        _ => false,
    }
}

/// Python's `\w` for `str` patterns (approximation: letters, digits, `_`).
fn is_word(c: char) -> bool {
    c == '_' || is_py_alpha(c) || is_py_digit(c) || c.is_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_pattern() {
        assert_eq!(bytes_reference("#{bytes_ab_12}"), Some("bytes_ab_12"));
        assert_eq!(bytes_reference("x#{bytes_a_b_1}y"), Some("bytes_a_b_1"));
        assert_eq!(bytes_reference("#{bytes__1}"), None);
        assert_eq!(bytes_reference("#{bytes___1}"), Some("bytes___1"));
        assert_eq!(bytes_reference("#{bytes_a_1x}"), None);
        assert_eq!(
            bytes_reference("#{bytes_a_1 }#{bytes_b_2}"),
            Some("bytes_b_2")
        );
        assert_eq!(bytes_reference("#{bytes_a_}"), None);
    }

    #[test]
    fn restore_replaces_whole_strings() {
        let mut store = BytesStore::default();
        let r = store.save(vec![0, 1]);
        let key = r.trim_start_matches("#{").trim_end_matches('}');
        assert!(key.starts_with("bytes_441077cc9e57554dd476bdfb8b8b8102_"));
        let mut warnings = Vec::new();
        let v = Value::List(vec![
            Value::Str(r.clone()),
            Value::Str(format!("x{r}y")),
            Value::Str("#{bytes_unknown_1}".into()),
        ]);
        let out = store.restore(v, &mut warnings);
        assert_eq!(
            out,
            Value::List(vec![
                Value::Bytes(vec![0, 1]),
                Value::Bytes(vec![0, 1]),
                Value::Str("#{bytes_unknown_1}".into()),
            ])
        );
        assert_eq!(warnings.len(), 1);
    }
}
