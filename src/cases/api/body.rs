//! Rendered query and body to bytes on the wire, as Python `requests` encodes them
//! (api-cases §7.4, §7.5).

use super::collect::BodyType;
use crate::cases::api::request::Headers;
use crate::value::Value;

/// The body as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum WireBody {
    None,
    Bytes(Vec<u8>),
    Multipart(Vec<MultipartPart>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MultipartPart {
    pub name: String,
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

/// Python's `quote_plus`: unreserved characters kept, space → `+`.
pub fn quote_plus(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn scalar_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Bytes(b) => b.clone(),
        other => other.py_str().into_bytes(),
    }
}

/// `requests`' field expansion: lists repeat the key, objects give one entry per key, null is
/// dropped, scalars are `str()`ed (used by query strings and form-data).
pub fn expand_pairs(map: &Value) -> Vec<(String, Vec<u8>)> {
    let Value::Dict(d) = map else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for (k, v) in d {
        match v {
            Value::None => {}
            Value::List(items) | Value::Tuple(items) => {
                for i in items.iter().filter(|i| !matches!(i, Value::None)) {
                    pairs.push((k.clone(), scalar_bytes(i)));
                }
            }
            Value::Dict(inner) => {
                for key in inner.keys() {
                    pairs.push((k.clone(), key.clone().into_bytes()));
                }
            }
            other => pairs.push((k.clone(), scalar_bytes(other))),
        }
    }
    pairs
}

fn encode_pairs(pairs: &[(String, Vec<u8>)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k.as_bytes()), quote_plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends the query to the URL (after any query already in the path).
pub fn append_query(url: &str, query: Option<&Value>) -> String {
    let pairs = query.map(expand_pairs).unwrap_or_default();
    if pairs.is_empty() {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encode_pairs(&pairs))
}

fn has_header(headers: &Headers, name: &str) -> bool {
    headers.keys().any(|k| k.eq_ignore_ascii_case(name))
}

/// Encodes the rendered body; sets a Content-Type when Python would (and for
/// form-urlencoded when absent: A27 Fix); removes the user's Content-Type for multipart.
pub fn encode(
    body_type: BodyType,
    body: Option<&Value>,
    files: &[(String, String, Value)],
    headers: &mut Headers,
) -> Result<WireBody, String> {
    let form_content_type = "application/x-www-form-urlencoded";
    if !files.is_empty() {
        headers.retain(|k, _| !k.eq_ignore_ascii_case("content-type"));
        let mut parts: Vec<MultipartPart> = body
            .map(expand_pairs)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, bytes)| MultipartPart {
                name,
                filename: None,
                bytes,
            })
            .collect();
        for (field, filename, content) in files {
            let bytes = match content {
                Value::Bytes(b) => b.clone(),
                Value::Str(s) => s.clone().into_bytes(),
                other => other.py_str().into_bytes(),
            };
            parts.push(MultipartPart {
                name: field.clone(),
                filename: Some(filename.clone()),
                bytes,
            });
        }
        return Ok(WireBody::Multipart(parts));
    }
    let Some(body) = body else {
        return Ok(WireBody::None);
    };
    match body_type {
        BodyType::None | BodyType::File => Ok(WireBody::None),
        BodyType::Json => {
            let text = body
                .to_json_text()
                .map_err(|e| format!("请求体无法序列化为JSON: {e}"))?;
            if !has_header(headers, "content-type") {
                headers.insert("Content-Type".into(), "application/json".into());
            }
            Ok(WireBody::Bytes(text.into_bytes()))
        }
        BodyType::FormUrlencoded => {
            // `urlencode` without sequence expansion: every value `str()`ed.
            let text = match body {
                Value::Dict(d) => d
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}={}",
                            quote_plus(k.as_bytes()),
                            quote_plus(&scalar_bytes(v))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&"),
                other => other.py_str(),
            };
            if !has_header(headers, "content-type") {
                headers.insert("Content-Type".into(), form_content_type.into());
            }
            Ok(WireBody::Bytes(text.into_bytes()))
        }
        BodyType::FormData => {
            let text = encode_pairs(&expand_pairs(body));
            if !has_header(headers, "content-type") {
                headers.insert("Content-Type".into(), form_content_type.into());
            }
            Ok(WireBody::Bytes(text.into_bytes()))
        }
        BodyType::Raw => Ok(WireBody::Bytes(scalar_bytes(body))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(pairs: Vec<(&str, Value)>) -> Value {
        Value::Dict(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn form_urlencoded_matches_python() {
        let body = dict(vec![
            ("s", Value::Str("a b&c".into())),
            ("i", Value::Int(5)),
            ("b", Value::Bool(true)),
            ("o", dict(vec![("k", Value::Int(1))])),
            ("l", Value::List(vec![Value::Int(1), Value::Int(2)])),
        ]);
        let mut h = Headers::default();
        let wire = encode(BodyType::FormUrlencoded, Some(&body), &[], &mut h).expect("encodes");
        assert_eq!(
            wire,
            WireBody::Bytes(b"s=a+b%26c&i=5&b=True&o=%7B%27k%27%3A+1%7D&l=%5B1%2C+2%5D".to_vec())
        );
        assert_eq!(
            h.get("Content-Type").map(String::as_str),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn form_data_without_files_expands_lists() {
        let body = dict(vec![
            ("s", Value::Str("x y".into())),
            ("l", Value::List(vec![Value::Int(1), Value::Int(2)])),
            ("b", Value::Bool(false)),
        ]);
        let mut h = Headers::default();
        let wire = encode(BodyType::FormData, Some(&body), &[], &mut h).expect("encodes");
        assert_eq!(wire, WireBody::Bytes(b"s=x+y&l=1&l=2&b=False".to_vec()));
    }

    #[test]
    fn json_is_ascii_escaped_with_python_separators() {
        let body = dict(vec![
            ("k", Value::Str("中文".into())),
            ("f", Value::Float(1.0)),
        ]);
        let mut h = Headers::default();
        let wire = encode(BodyType::Json, Some(&body), &[], &mut h).expect("encodes");
        assert_eq!(
            wire,
            WireBody::Bytes(br#"{"k": "\u4e2d\u6587", "f": 1.0}"#.to_vec())
        );
        assert_eq!(
            h.get("Content-Type").map(String::as_str),
            Some("application/json")
        );
    }

    #[test]
    fn query_objects_give_one_entry_per_key() {
        let q = dict(vec![
            ("o", dict(vec![("x", Value::Int(1)), ("y", Value::Int(2))])),
            ("n", Value::None),
        ]);
        assert_eq!(
            append_query("http://h/p?a=1", Some(&q)),
            "http://h/p?a=1&o=x&o=y"
        );
    }

    #[test]
    fn multipart_drops_the_users_content_type() {
        let mut h = Headers::default();
        h.insert("content-type".to_string(), "application/json".to_string());
        let files = vec![(
            "avatar".to_string(),
            "avatar".to_string(),
            Value::Bytes(vec![1, 2]),
        )];
        let wire = encode(
            BodyType::FormData,
            Some(&dict(vec![("u", Value::Int(7))])),
            &files,
            &mut h,
        )
        .expect("encodes");
        assert!(h.is_empty());
        match wire {
            WireBody::Multipart(parts) => {
                assert_eq!(parts.len(), 2);
                assert_eq!(parts[0].bytes, b"7");
                assert_eq!(parts[1].filename.as_deref(), Some("avatar"));
            }
            other => panic!("not multipart: {other:?}"),
        }
    }
}
