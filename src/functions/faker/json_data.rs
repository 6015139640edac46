//! Misc provider's `json(data_columns=None, num_rows=10, indent=None)`: JSON text of
//! generated records, as Python's `json.dumps` writes it (ASCII-escaped).
//!
//! The default record is `{"name": "{{name}}", "residency": "{{address}}"}`. From a
//! template `data_columns` is text, which Faker rejects (`Invalid data_columns type`)
//! unless empty (→ the default), and a text `num_rows` fails in `range()`; dicts and lists
//! arriving through a typed path follow Faker's dict and list formats.

use crate::value::Dict;

use super::base::Rng;
use super::parse::value_format_selection;
use crate::functions::args::Args;
use crate::value::Value;

/// Python would build any number of rows; the engine refuses beyond this.
const MAX_ROWS: i64 = 100_000;
/// Nesting guard for the recursive formats.
const MAX_DEPTH: usize = 64;

/// `json.dumps` key text of a dict key (`str` kept, numbers/bools/None spelled as JSON).
fn key_text(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Str(s) => s.clone(),
        Value::None => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(_) | Value::Float(_) => v.py_str(),
        other => {
            return Err(format!(
                "keys must be str, int, float, bool or None, not {}",
                other.type_name()
            ));
        }
    })
}

fn deep(depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("maximum recursion depth exceeded".to_string());
    }
    Ok(())
}

/// Faker's `process_dict_structure`.
fn dict_structure(r: &mut Rng, data: &Value, depth: usize) -> Result<Value, String> {
    deep(depth)?;
    match data {
        Value::Str(_) => value_format_selection(r, data, None),
        Value::Dict(map) => {
            let mut entry = Dict::default();
            for (name, def) in map {
                let v = match def {
                    Value::List(items) | Value::Tuple(items) => Value::List(
                        items
                            .iter()
                            .map(|i| dict_structure(r, i, depth + 1))
                            .collect::<Result<_, _>>()?,
                    ),
                    Value::Dict(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                        dict_structure(r, def, depth + 1)?
                    }
                    other => value_format_selection(r, other, None)?,
                };
                entry.insert(name.clone(), v);
            }
            Ok(Value::Dict(entry))
        }
        other => Ok(other.clone()),
    }
}

/// The items of one list-format record `(name, definition, *arguments)`; a string unpacks
/// into its characters as in Python.
fn record(v: &Value) -> Result<Vec<Value>, String> {
    let parts: Vec<Value> = match v {
        Value::List(i) | Value::Tuple(i) => i.clone(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Dict(m) => m.keys().map(|k| Value::Str(k.clone())).collect(),
        other => {
            return Err(format!(
                "cannot unpack non-iterable {} object",
                other.type_name()
            ));
        }
    };
    if parts.len() < 2 {
        return Err(format!(
            "not enough values to unpack (expected at least 2, got {})",
            parts.len()
        ));
    }
    Ok(parts)
}

/// Faker's `process_list_structure`.
fn list_structure(r: &mut Rng, data: &[Value], depth: usize) -> Result<Value, String> {
    deep(depth)?;
    let mut entry = Dict::default();
    for item in data {
        let parts = record(item)?;
        let (name, def, kwargs) = (&parts[0], &parts[1], parts.get(2));
        if kwargs.is_some_and(|k| !matches!(k, Value::Dict(_))) {
            return Err("Invalid arguments type. Must be a dictionary".to_string());
        }
        if *name == Value::None {
            return value_format_selection(r, def, kwargs);
        }
        let v = match def {
            Value::Tuple(inner) => list_structure(r, inner, depth + 1)?,
            Value::List(inner) => Value::List(
                inner
                    .iter()
                    .map(|i| list_structure(r, std::slice::from_ref(i), depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            other => value_format_selection(r, other, kwargs)?,
        };
        entry.insert(key_text(name)?, v);
    }
    Ok(Value::Dict(entry))
}

fn structure(r: &mut Rng, columns: &Value) -> Result<Value, String> {
    match columns {
        Value::Dict(_) => dict_structure(r, columns, 0),
        Value::List(items) => list_structure(r, items, 0),
        _ => Err("Invalid data_columns type. Must be a dictionary or list".to_string()),
    }
}

/// `json.dumps(v, indent=…)` with an indent string: `,` + newline between items.
fn dumps_indented(v: &Value, indent: &str, level: usize, out: &mut String) -> Result<(), String> {
    let scalar = |x: &Value| x.to_json_text().map_err(|e| e.to_string());
    let newline = |out: &mut String, l: usize| {
        out.push('\n');
        for _ in 0..l {
            out.push_str(indent);
        }
    };
    match v {
        Value::List(items) | Value::Tuple(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                dumps_indented(item, indent, level + 1, out)?;
            }
            newline(out, level);
            out.push(']');
        }
        Value::Dict(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                out.push_str(&scalar(&Value::Str(k.clone()))?);
                out.push_str(": ");
                dumps_indented(item, indent, level + 1, out)?;
            }
            newline(out, level);
            out.push('}');
        }
        other => out.push_str(&scalar(other)?),
    }
    Ok(())
}

/// `json(data_columns=None, num_rows=10, indent=None)`.
pub fn json(r: &mut Rng, args: Vec<Value>) -> Result<Value, String> {
    let a = Args::new("json", args, 3)?;
    let default_columns = Value::Dict(Dict::from_iter([
        ("name".to_string(), Value::Str("{{name}}".into())),
        ("residency".to_string(), Value::Str("{{address}}".into())),
    ]));
    let columns = match a.get(0) {
        Some(c) if c.truthy() => c,
        _ => &default_columns,
    };
    let data = match a.get(1) {
        // `num_rows == 1` is tested before `range(num_rows)`.
        Some(Value::Int(1) | Value::Bool(true)) => structure(r, columns)?,
        Some(Value::Float(f)) if *f == 1.0 => structure(r, columns)?,
        None | Some(Value::Int(_) | Value::Bool(false)) => {
            let n = a.int_or(1, 10)?;
            if n > MAX_ROWS {
                return Err(format!("num_rows {n} is too large for the engine"));
            }
            Value::List(
                (0..n.max(0))
                    .map(|_| structure(r, columns))
                    .collect::<Result<_, _>>()?,
            )
        }
        Some(other) => {
            return Err(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            ));
        }
    };
    let indent = match a.get(2) {
        None | Some(Value::None) => None,
        Some(Value::Int(n)) => Some(" ".repeat(usize::try_from(*n).unwrap_or(0).min(1000))),
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::Bool(b)) => Some(" ".repeat(usize::from(*b))),
        Some(other) => {
            return Err(format!(
                "can't multiply sequence by non-int of type '{}'",
                other.type_name()
            ));
        }
    };
    let text = match indent {
        None => data.to_json_text().map_err(|e| e.to_string())?,
        Some(ind) => {
            let mut out = String::new();
            dumps_indented(&data, &ind, 0, &mut out)?;
            out
        }
    };
    Ok(Value::Str(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn text(v: Value) -> String {
        match v {
            Value::Str(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn default_is_ten_ascii_records() {
        let r = &mut rand::rng();
        let t = text(json(r, vec![]).unwrap());
        assert!(t.is_ascii() && t.contains("\\u"), "{t}");
        let Ok(Value::List(rows)) = parse_json(&t) else {
            panic!("{t}")
        };
        assert_eq!(rows.len(), 10);
        for row in rows {
            let Value::Dict(m) = row else { panic!() };
            assert_eq!(m.keys().collect::<Vec<_>>(), ["name", "residency"]);
        }
        // An empty first argument is falsy: still the default.
        assert!(text(json(r, vec![Value::Str(String::new())]).unwrap()).starts_with("[{"));
    }

    #[test]
    fn dict_and_list_formats() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        let cols = Value::Dict(Dict::from_iter([
            ("Spec".to_string(), s("@1.0.1")),
            ("ID".to_string(), s("pyint")),
            ("Fixed".to_string(), Value::Int(7)),
            (
                "Details".to_string(),
                Value::Dict(Dict::from_iter([("Name".to_string(), s("name"))])),
            ),
            ("Many".to_string(), Value::List(vec![s("name"), s("name")])),
        ]));
        let t = text(json(r, vec![cols, Value::Int(1)]).unwrap());
        let Ok(Value::Dict(m)) = parse_json(&t) else {
            panic!("{t}")
        };
        assert_eq!(m["Spec"], s("1.0.1"));
        assert!(matches!(m["ID"], Value::Int(_)));
        assert_eq!(m["Fixed"], Value::Int(7));
        assert!(matches!(&m["Many"], Value::List(l) if l.len() == 2));
        let list = Value::List(vec![
            Value::Tuple(vec![s("Name"), s("name")]),
            Value::Tuple(vec![s("Digit"), s("random_digit")]),
        ]);
        let t = text(json(r, vec![list, Value::Int(2), Value::Int(2)]).unwrap());
        assert!(t.starts_with("[\n  {\n    \"Name\": \""), "{t}");
        assert!(matches!(parse_json(&t), Ok(Value::List(l)) if l.len() == 2));
    }

    #[test]
    fn template_text_fails_like_faker() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        assert!(
            json(r, vec![s("name")])
                .unwrap_err()
                .contains("Invalid data_columns")
        );
        assert!(
            json(r, vec![s(""), s("5")])
                .unwrap_err()
                .contains("integer")
        );
        assert_eq!(json(r, vec![s(""), Value::Int(0)]), Ok(s("[]")));
    }
}
