//! Misc provider's `fixed_width(data_columns=None, num_rows=10, align='left')`: rows of
//! values each padded and cut to its column width, joined with `\n`.
//!
//! The default columns are `[(20, 'name'), (3, 'pyint', {'max_value': 20})]`. Template text
//! for `data_columns` is unpacked character by character by Python and fails (unless
//! empty → default); a text `num_rows` fails in `range()`.

use super::base::{Rng, random_int};
use super::parse::value_format_selection;
use crate::functions::args::Args;
use crate::value::Value;

/// Python would build any number of rows; the engine refuses beyond this.
const MAX_ROWS: i64 = 100_000;
/// Guard against absurd widths (Python would pad to any width).
const MAX_WIDTH: i64 = 100_000;

#[derive(Clone, Copy)]
enum Align {
    Left,
    Middle,
    Right,
}

/// `f'{value:{align}{width}}'[:width]`: padding and truncation count characters; numbers
/// are formatted like `format()` (`str()` here, a bool as its int); containers and `None`
/// reject a format spec, as in Python.
fn cell(v: &Value, align: Align, width: usize) -> Result<String, String> {
    let text = match v {
        Value::Str(s) => s.clone(),
        Value::Bool(b) => i64::from(*b).to_string(),
        Value::Int(_) | Value::Float(_) => v.py_str(),
        other => {
            return Err(format!(
                "unsupported format string passed to {}.__format__",
                other.type_name()
            ));
        }
    };
    let n = text.chars().count();
    let padded = if n >= width {
        text
    } else {
        let pad = width - n;
        let (l, r) = match align {
            Align::Left => (0, pad),
            Align::Right => (pad, 0),
            Align::Middle => (pad / 2, pad - pad / 2),
        };
        format!("{}{text}{}", " ".repeat(l), " ".repeat(r))
    };
    Ok(padded.chars().take(width).collect())
}

/// One column: width and the generator of its value.
enum Column {
    /// The default `(3, 'pyint', {'max_value': 20})`, whose keyword argument the
    /// generic definition path cannot pass.
    SmallInt,
    Defined(Value, Option<Value>),
}

fn columns(v: Option<&Value>) -> Result<Vec<(i64, Column)>, String> {
    let Some(v) = v.filter(|v| v.truthy()) else {
        return Ok(vec![
            (20, Column::Defined(Value::Str("name".into()), None)),
            (3, Column::SmallInt),
        ]);
    };
    let items: Vec<Value> = match v {
        Value::List(i) | Value::Tuple(i) => i.clone(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Dict(m) => m.keys().map(|k| Value::Str(k.clone())).collect(),
        other => return Err(format!("'{}' object is not iterable", other.type_name())),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let parts: Vec<Value> = match item {
            Value::List(i) | Value::Tuple(i) => i,
            Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
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
        let width = match &parts[0] {
            Value::Int(w) => *w,
            Value::Bool(b) => i64::from(*b),
            other => {
                return Err(format!(
                    "slice indices must be integers or None or have an __index__ method \
                     (width is {})",
                    other.type_name()
                ));
            }
        };
        if width > MAX_WIDTH {
            return Err(format!("width {width} is too large for the engine"));
        }
        let kwargs = parts.get(2).cloned();
        if kwargs
            .as_ref()
            .is_some_and(|k| !matches!(k, Value::Dict(_)))
        {
            return Err("Invalid arguments type. Must be a dictionary".to_string());
        }
        out.push((width, Column::Defined(parts[1].clone(), kwargs)));
    }
    Ok(out)
}

/// `fixed_width(data_columns=None, num_rows=10, align='left')`.
pub fn fixed_width(r: &mut Rng, args: Vec<Value>) -> Result<Value, String> {
    let a = Args::new("fixed_width", args, 3)?;
    let cols = columns(a.get(0))?;
    let num_rows = match a.get(1) {
        None => 10,
        Some(Value::Int(n)) => *n,
        Some(Value::Bool(b)) => i64::from(*b),
        Some(other) => {
            return Err(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            ));
        }
    };
    if num_rows > MAX_ROWS {
        return Err(format!("num_rows {num_rows} is too large for the engine"));
    }
    // `align_map.get(align, '<')`: anything unknown is left.
    let align = match a.get(2) {
        Some(Value::Str(s)) if s == "middle" => Align::Middle,
        Some(Value::Str(s)) if s == "right" => Align::Right,
        _ => Align::Left,
    };
    let mut rows = Vec::new();
    for _ in 0..num_rows.max(0) {
        let mut row = String::new();
        for (width, col) in &cols {
            let v = match col {
                Column::SmallInt => Value::Int(random_int(r, 0, 20, 1)?),
                Column::Defined(def, kwargs) => value_format_selection(r, def, kwargs.as_ref())?,
            };
            // Python: a negative width is a format error.
            let w = usize::try_from(*width)
                .map_err(|_| "Sign not allowed in string format specifier".to_string())?;
            row.push_str(&cell(&v, align, w)?);
        }
        rows.push(row);
    }
    Ok(Value::Str(rows.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rows_are_23_chars() {
        let r = &mut rand::rng();
        let Value::Str(t) = fixed_width(r, vec![]).unwrap() else {
            panic!()
        };
        let rows: Vec<&str> = t.split('\n').collect();
        assert_eq!(rows.len(), 10);
        for row in rows {
            assert_eq!(row.chars().count(), 23, "{row:?}");
            let n: String = row.chars().skip(20).collect();
            let n: i64 = n.trim_end().parse().unwrap();
            assert!((0..=20).contains(&n));
        }
    }

    #[test]
    fn alignment_and_errors() {
        assert_eq!(cell(&Value::Int(7), Align::Right, 3).unwrap(), "  7");
        assert_eq!(
            cell(&Value::Str("ab".into()), Align::Middle, 5).unwrap(),
            " ab  "
        );
        assert_eq!(
            cell(&Value::Str("中文名字".into()), Align::Left, 2).unwrap(),
            "中文"
        );
        assert!(cell(&Value::None, Align::Left, 2).is_err());
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        assert!(fixed_width(r, vec![s("name")]).is_err());
        assert!(fixed_width(r, vec![s(""), s("3")]).is_err());
        let cols = Value::List(vec![Value::Tuple(vec![Value::Int(4), s("@abcdef")])]);
        let out = fixed_width(r, vec![cols, Value::Int(2), s("right")]).unwrap();
        assert_eq!(out, s("abcd\nabcd"));
    }
}
