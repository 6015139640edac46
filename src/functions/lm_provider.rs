//! The data helpers of the LiuMa provider (lm_provider.py): `lenof`, `indexof`, `keyof`,
//! `pinyin`, `substing`, `extract`, `replace`, `map_dumps`, `array_dumps`.

use super::args::Args;
use crate::value::{Value, str_repr};

/// `lenof(array)`: Python `len()`; a string (a list piece that failed to parse) counts
/// characters.
pub fn lenof(a: &Args) -> Result<Value, String> {
    let v = a.req(0, "array")?;
    v.py_len()
        .map(|n| Value::Int(n as i64))
        .ok_or_else(|| format!("object of type '{}' has no len()", v.type_name()))
}

/// Python index normalisation: `None` when out of range.
fn norm_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if index < 0 { index + len } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

/// `indexof(array, index)`: `array[index]`, negative indexes allowed.
pub fn indexof(a: &Args) -> Result<Value, String> {
    let v = a.req(0, "array")?;
    let index = match a.req(1, "index")? {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(*b),
        other => {
            return Err(format!(
                "{} indices must be integers or slices, not {}",
                v.type_name(),
                other.type_name()
            ));
        }
    };
    let out_of_range = || format!("{} index out of range", v.type_name());
    match v {
        Value::List(items) | Value::Tuple(items) => norm_index(index, items.len())
            .map(|i| items[i].clone())
            .ok_or_else(out_of_range),
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            norm_index(index, chars.len())
                .map(|i| Value::Str(chars[i].to_string()))
                .ok_or_else(out_of_range)
        }
        Value::Bytes(b) => norm_index(index, b.len())
            .map(|i| Value::Int(i64::from(b[i])))
            .ok_or_else(|| "index out of range".to_string()),
        // Dict keys are strings in the value model, so an int key never matches.
        Value::Dict(_) => Err(format!("KeyError: {index}")),
        other => Err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        )),
    }
}

/// `keyof(map, key)`: `map[key]`.
pub fn keyof(a: &Args) -> Result<Value, String> {
    let v = a.req(0, "map")?;
    let key = a.req_str(1, "key")?;
    match v {
        Value::Dict(d) => d
            .get(key)
            .cloned()
            .ok_or_else(|| format!("KeyError: {}", str_repr(key))),
        Value::Str(_) => Err("string indices must be integers".to_string()),
        Value::List(_) | Value::Tuple(_) => Err(format!(
            "{} indices must be integers or slices, not str",
            v.type_name()
        )),
        other => Err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        )),
    }
}

/// `pinyin(cname)`.
pub fn pinyin(a: &Args) -> Result<Value, String> {
    Ok(Value::Str(super::pinyin::pinyin(a.req_str(0, "cname")?)))
}

/// Python slice bound clamping for `s[start:end]` (step 1).
fn slice_bound(i: i64, len: i64) -> i64 {
    if i < 0 { (i + len).max(0) } else { i.min(len) }
}

/// `substing(s, start=0, end=-1)`: `s[start:end]` (the default end drops the last char).
pub fn substing(a: &Args) -> Result<Value, String> {
    let s = a.req_str(0, "s")?;
    let start = a.int_or(1, 0)?;
    let end = a.int_or(2, -1)?;
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as i64;
    let (b, e) = (slice_bound(start, len), slice_bound(end, len));
    Ok(Value::Str(if b < e {
        chars[b as usize..e as usize].iter().collect()
    } else {
        String::new()
    }))
}

/// `extract(data)`: identity.
pub fn extract(a: &Args) -> Result<Value, String> {
    Ok(a.req(0, "data")?.clone())
}

/// `replace(s, old, new)`: every occurrence (an empty `old` inserts between characters,
/// like Python).
pub fn replace(a: &Args) -> Result<Value, String> {
    let s = a.req_str(0, "s")?;
    let old = a.req_str(1, "old")?;
    let new = a.req_str(2, "new")?;
    Ok(Value::Str(s.replace(old, new)))
}

/// `map_dumps(tar)` / `array_dumps(tar)`: `json.dumps(tar)` (ASCII-escaped, `", "`/`": "`).
/// A piece that failed literal parsing arrives as a string and is dumped as a JSON string.
pub fn dumps(a: &Args) -> Result<Value, String> {
    a.req(0, "tar")?
        .to_json_text()
        .map(Value::Str)
        .map_err(|e| e.to_string())
}
