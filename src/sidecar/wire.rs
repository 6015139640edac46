//! Engine values on the sidecar wire: plain JSON where JSON can hold the value, a one-key tagged
//! object where it cannot (`{"$b": base64}` bytes, `{"$t": [...]}` tuples, `{"$f": "nan"}`
//! non-finite floats, `{"$i": "…"}` integers beyond 64 bits, `{"$d": {...}}` a dict whose only
//! key looks like a tag). The worker (`worker.py`) uses the same rules, so a value put into the
//! context by a script keeps its Python type when the engine reads it back.

use crate::value::Dict;
use crate::value::Value;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value as Json};

const TAGS: [&str; 5] = ["$b", "$t", "$f", "$i", "$d"];

fn tagged(tag: &str, v: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(tag.to_string(), v);
    Json::Object(m)
}

/// A value as the worker reads it.
pub fn encode(v: &Value) -> Json {
    match v {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => Json::Number(n),
            None => tagged("$f", Json::String(crate::value::float_repr(*f))),
        },
        Value::Str(s) => Json::String(s.clone()),
        Value::Bytes(b) => tagged("$b", Json::String(STANDARD.encode(b))),
        Value::List(items) => Json::Array(items.iter().map(encode).collect()),
        Value::Tuple(items) => tagged("$t", Json::Array(items.iter().map(encode).collect())),
        Value::Dict(map) => {
            let obj: Map<String, Json> = map.iter().map(|(k, v)| (k.clone(), encode(v))).collect();
            if obj.len() == 1 && obj.keys().all(|k| TAGS.contains(&k.as_str())) {
                tagged("$d", Json::Object(obj))
            } else {
                Json::Object(obj)
            }
        }
    }
}

/// A map of values (context, params) as the worker reads it.
pub fn encode_map(map: &Dict) -> Json {
    Json::Object(map.iter().map(|(k, v)| (k.clone(), encode(v))).collect())
}

/// A value the worker wrote.
pub fn decode(v: &Json) -> Value {
    match v {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(decode).collect()),
        Json::Object(o) => {
            if o.len() == 1
                && let Some((k, x)) = o.iter().next()
            {
                match (k.as_str(), x) {
                    ("$b", Json::String(s)) => {
                        if let Ok(b) = STANDARD.decode(s) {
                            return Value::Bytes(b);
                        }
                    }
                    ("$t", Json::Array(a)) => return Value::Tuple(a.iter().map(decode).collect()),
                    ("$f", Json::String(s)) => {
                        return Value::Float(match s.as_str() {
                            "inf" => f64::INFINITY,
                            "-inf" => f64::NEG_INFINITY,
                            _ => s.parse().unwrap_or(f64::NAN),
                        });
                    }
                    // A Python int beyond 64 bits: the nearest float, as `from_json` does.
                    ("$i", Json::String(s)) => {
                        return s
                            .parse::<i64>()
                            .map(Value::Int)
                            .unwrap_or_else(|_| Value::Float(s.parse().unwrap_or(f64::NAN)));
                    }
                    ("$d", Json::Object(inner)) => {
                        return Value::Dict(
                            inner.iter().map(|(k, v)| (k.clone(), decode(v))).collect(),
                        );
                    }
                    _ => {}
                }
            }
            Value::Dict(o.iter().map(|(k, v)| (k.clone(), decode(v))).collect())
        }
    }
}

/// A map the worker wrote back (context, params); `None` when it is not an object.
pub fn decode_map(v: &Json) -> Option<Dict> {
    match decode(v) {
        Value::Dict(d) => Some(d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_kind_round_trips() {
        let mut d = Dict::default();
        d.insert("$b".to_string(), Value::Int(1));
        let v = Value::List(vec![
            Value::None,
            Value::Bool(true),
            Value::Int(-5),
            Value::Float(1.5),
            Value::Float(f64::INFINITY),
            Value::Str("中文".into()),
            Value::Bytes(vec![0, 255]),
            Value::Tuple(vec![Value::Int(1)]),
            Value::Dict(d),
        ]);
        assert_eq!(decode(&encode(&v)), v);
    }

    #[test]
    fn big_ints_become_floats() {
        let j = serde_json::json!({"$i": "1180591620717411303424"});
        assert_eq!(decode(&j), Value::Float(1.180_591_620_717_411_3e21));
    }
}
