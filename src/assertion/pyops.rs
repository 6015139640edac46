//! Python operators the comparators rely on (`in`, iteration, `len`, ordering checks),
//! raising the same exception kinds as CPython.

use super::AssertionError;
use crate::value::{Num, Value};

pub(crate) fn type_err(msg: impl Into<String>) -> AssertionError {
    AssertionError::Type(msg.into())
}

pub(crate) fn value_err(msg: impl Into<String>) -> AssertionError {
    AssertionError::Value(msg.into())
}

/// `len(v)`.
pub(crate) fn py_len(v: &Value) -> Result<usize, AssertionError> {
    v.py_len()
        .ok_or_else(|| type_err(format!("object of type '{}' has no len()", v.type_name())))
}

/// `item in container`.
pub(crate) fn py_contains(container: &Value, item: &Value) -> Result<bool, AssertionError> {
    match container {
        Value::Str(s) => match item {
            Value::Str(t) => Ok(s.contains(t.as_str())),
            other => Err(type_err(format!(
                "'in <string>' requires string as left operand, not {}",
                other.type_name()
            ))),
        },
        Value::List(items) | Value::Tuple(items) => Ok(items.iter().any(|x| x.py_eq(item))),
        Value::Dict(map) => match item {
            Value::Str(k) => Ok(map.contains_key(k)),
            Value::List(_) | Value::Dict(_) => {
                Err(type_err(format!("unhashable type: '{}'", item.type_name())))
            }
            // Keys are always strings here, so no other hashable value can match.
            _ => Ok(false),
        },
        Value::Bytes(b) => match item {
            Value::Bytes(sub) => Ok(sub.is_empty() || b.windows(sub.len()).any(|w| w == sub)),
            Value::Int(_) | Value::Bool(_) => {
                let n = match item.as_number() {
                    Some(Num::Int(n)) => n,
                    _ => 0,
                };
                let byte =
                    u8::try_from(n).map_err(|_| value_err("byte must be in range(0, 256)"))?;
                Ok(b.contains(&byte))
            }
            other => Err(type_err(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))),
        },
        other => Err(type_err(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        ))),
    }
}

/// `list(v)`: characters of a string, keys of a dict, ints of bytes.
pub(crate) fn py_iter(v: &Value) -> Result<Vec<Value>, AssertionError> {
    match v {
        Value::Str(s) => Ok(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        Value::List(items) | Value::Tuple(items) => Ok(items.clone()),
        Value::Dict(map) => Ok(map.keys().map(|k| Value::Str(k.clone())).collect()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        other => Err(type_err(format!(
            "'{}' object is not iterable",
            other.type_name()
        ))),
    }
}

/// `f(*v)` argument unpacking.
pub(crate) fn py_unpack(v: &Value) -> Result<Vec<Value>, AssertionError> {
    match v {
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => Err(type_err(format!(
            "argument after * must be an iterable, not {}",
            v.type_name()
        ))),
        other => py_iter(other),
    }
}

/// assertpy `_validate_compareable` for plain numbers.
pub(crate) fn comparable(val: &Value, other: &Value) -> Result<(Num, Num), AssertionError> {
    let a = val.as_number().ok_or_else(|| {
        type_err(format!(
            "ordering is not defined for type <{}>",
            val.type_name()
        ))
    })?;
    let b = other.as_number().ok_or_else(|| {
        type_err(format!(
            "given arg must be a number, but was <{}>",
            other.type_name()
        ))
    })?;
    Ok((a, b))
}

/// Python `a < b` etc. (false whenever a NaN is involved).
pub(crate) fn lt(a: Num, b: Num) -> bool {
    a.py_cmp(b) == Some(std::cmp::Ordering::Less)
}

pub(crate) fn le(a: Num, b: Num) -> bool {
    matches!(
        a.py_cmp(b),
        Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
    )
}

pub(crate) fn add(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x
            .checked_add(y)
            .map_or(Num::Float(x as f64 + y as f64), Num::Int),
        _ => Num::Float(a.as_f64() + b.as_f64()),
    }
}

pub(crate) fn sub(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x
            .checked_sub(y)
            .map_or(Num::Float(x as f64 - y as f64), Num::Int),
        _ => Num::Float(a.as_f64() - b.as_f64()),
    }
}
