//! `b64encode_*` / `b64decode_*` (lm_provider.py) with Python `base64` semantics.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::args::Args;
use crate::value::Value;

/// `base64.b64encode(data).decode()`.
pub fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// `b64encode_str(s)`: base64 of the UTF-8 bytes.
pub fn b64encode_str(a: &Args) -> Result<Value, String> {
    Ok(Value::Str(encode(a.req_str(0, "s")?.as_bytes())))
}

/// `b64encode_bytes(s)`: quirk A7 Fix — bytes arguments are encoded as they are; text
/// (what the Python engine passed, then failing) is encoded as UTF-8.
pub fn b64encode_bytes(a: &Args) -> Result<Value, String> {
    match a.req(0, "s")? {
        Value::Bytes(b) => Ok(Value::Str(encode(b))),
        Value::Str(s) => Ok(Value::Str(encode(s.as_bytes()))),
        v => Err(format!(
            "a bytes-like object is required, not '{}'",
            v.type_name()
        )),
    }
}

/// `b64decode_toStr(s)`: non-strict decode, then strict UTF-8.
pub fn b64decode_to_str(a: &Args) -> Result<Value, String> {
    let bytes = decode(a.req_str(0, "s")?)?;
    String::from_utf8(bytes)
        .map(Value::Str)
        .map_err(|e| format!("'utf-8' codec can't decode bytes: {e}"))
}

/// `b64decode_toBytes(s)`.
pub fn b64decode_to_bytes(a: &Args) -> Result<Value, String> {
    decode(a.req_str(0, "s")?).map(Value::Bytes)
}

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// `base64.b64decode(s)` (CPython 3.8 `binascii.a2b_base64`, non-strict): characters
/// outside the alphabet are skipped, a pad sequence ends the input, and leftover bits are
/// errors with Python's messages.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    if !text.is_ascii() {
        return Err("string argument should contain only ASCII characters".to_string());
    }
    let s = text.as_bytes();
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let mut quad_pos = 0u8;
    let mut left_char: u32 = 0;
    let mut left_bits = 0u32;
    let mut data_chars = 0usize;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == b'=' {
            // The next valid character (alphabet or pad) after this pad.
            let next_valid = s[i + 1..]
                .iter()
                .copied()
                .find(|&n| n == b'=' || sextet(n).is_some());
            if quad_pos < 2 || (quad_pos == 2 && next_valid != Some(b'=')) {
                i += 1;
                continue;
            }
            left_bits = 0;
            break;
        }
        let Some(v) = sextet(c) else {
            i += 1;
            continue;
        };
        data_chars += 1;
        quad_pos = (quad_pos + 1) & 3;
        left_char = (left_char << 6) | v;
        left_bits += 6;
        if left_bits >= 8 {
            left_bits -= 8;
            out.push(((left_char >> left_bits) & 0xff) as u8);
            left_char &= (1 << left_bits) - 1;
        }
        i += 1;
    }
    match left_bits {
        0 => Ok(out),
        6 => Err(format!(
            "Invalid base64-encoded string: number of data characters ({data_chars}) cannot be 1 more than a multiple of 4"
        )),
        _ => Err("Incorrect padding".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_b64decode_vectors() {
        assert_eq!(decode("YWJj"), Ok(b"abc".to_vec()));
        assert_eq!(decode("YWI="), Ok(b"ab".to_vec()));
        assert_eq!(decode("YQ=="), Ok(b"a".to_vec()));
        assert_eq!(decode("Y W\nJ j"), Ok(b"abc".to_vec()));
        assert_eq!(decode("YW*Jj!"), Ok(b"abc".to_vec()));
        assert_eq!(decode("YQ==trailing"), Ok(b"a".to_vec()));
        assert_eq!(decode(""), Ok(vec![]));
        assert_eq!(decode("YWI"), Err("Incorrect padding".into()));
        assert_eq!(decode("YQ"), Err("Incorrect padding".into()));
        assert_eq!(decode("YQ="), Err("Incorrect padding".into()));
        assert!(decode("Y").unwrap_err().contains("(1) cannot be 1 more"));
        assert!(decode("YWJjZ").unwrap_err().contains("(5)"));
        assert_eq!(decode("=YWJj"), Ok(b"abc".to_vec()));
        assert!(decode("中文").is_err());
        assert_eq!(decode("5Lit5paH"), Ok("中文".as_bytes().to_vec()));
    }

    #[test]
    fn encodes_padded() {
        assert_eq!(encode(b"abc"), "YWJj");
        assert_eq!(encode(b"ab"), "YWI=");
        assert_eq!(encode("中文".as_bytes()), "5Lit5paH");
        assert_eq!(encode(b""), "");
    }
}
