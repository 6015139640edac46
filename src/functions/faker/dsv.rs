//! Misc provider's delimiter-separated values: `dsv`, `csv`, `tsv`, `psv`.
//!
//! Faker 6.0.0 writes rows with Python's `csv.writer`; each data column is a
//! `pystr_format` template (default `{{name}}`, `{{address}}`, ten rows). Faker checks
//! `header`/`data_columns` are lists or tuples and `num_rows` an int, so template text in
//! those positions fails with Faker's errors; `dsv`'s first argument is a dialect name
//! (`excel`, `excel-tab`, `unix`, `faker-csv`), which text can select.

use super::base::Rng;
use super::parse::pystr_format;
use crate::functions::args::Args;
use crate::value::Value;

/// Python would build any number of rows; the engine refuses beyond this.
const MAX_ROWS: i64 = 100_000;

/// The `csv` dialect attributes that matter for writing.
struct Dialect {
    delimiter: char,
    quote_all: bool,
    terminator: &'static str,
}

fn dialect(v: Option<&Value>, delimiter: Option<char>) -> Result<Dialect, String> {
    let (d, quote_all, terminator) = match v {
        None => (',', true, "\r\n"),
        Some(Value::Str(name)) => match name.as_str() {
            "faker-csv" => (',', true, "\r\n"),
            "excel" => (',', false, "\r\n"),
            "excel-tab" => ('\t', false, "\r\n"),
            "unix" => (',', true, "\n"),
            _ => return Err("unknown dialect".to_string()),
        },
        Some(_) => return Err("dialect must be a string or a csv.Dialect".to_string()),
    };
    Ok(Dialect {
        delimiter: delimiter.unwrap_or(d),
        quote_all,
        terminator,
    })
}

/// `csv.writer.writerow` of one row (doublequote, quotechar `"`).
fn write_row(out: &mut String, d: &Dialect, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(d.delimiter);
        }
        let needs = d.quote_all
            || f
                .chars()
                .any(|c| c == d.delimiter || c == '"' || d.terminator.contains(c))
            // A lone empty field is quoted so the row is not blank.
            || (fields.len() == 1 && f.is_empty());
        if needs {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str(d.terminator);
}

/// The text `csv` writes for a value (`None` → empty, others `str()`).
fn cell(v: &Value) -> String {
    match v {
        Value::None => String::new(),
        Value::Str(s) => s.clone(),
        other => other.py_str(),
    }
}

fn items(v: &Value) -> Option<&[Value]> {
    match v {
        Value::List(i) | Value::Tuple(i) => Some(i),
        _ => None,
    }
}

/// Faker's `dsv(dialect, header, data_columns, num_rows, include_row_ids, delimiter=…)`:
/// arguments are validated in Faker's order before the dialect is looked up.
fn dsv_core(
    r: &mut Rng,
    dialect_arg: Option<&Value>,
    delimiter: Option<char>,
    rest: [Option<&Value>; 4],
) -> Result<Value, String> {
    let [header, columns, num_rows, row_ids] = rest;
    let num_rows = match num_rows {
        None => 10,
        Some(Value::Int(n)) if *n > 0 => *n,
        Some(Value::Bool(true)) => 1,
        Some(_) => return Err("`num_rows` must be a positive integer".to_string()),
    };
    let default_columns = [
        Value::Str("{{name}}".into()),
        Value::Str("{{address}}".into()),
    ];
    let columns: &[Value] = match columns {
        None => &default_columns,
        Some(v) => items(v).ok_or("`data_columns` must be a tuple or a list")?,
    };
    let header = match header {
        None | Some(Value::None) => None,
        Some(v) => {
            let h = items(v).ok_or("`header` must be a tuple or a list")?;
            if h.len() != columns.len() {
                return Err("`header` and `data_columns` must have matching lengths".into());
            }
            Some(h)
        }
    };
    let d = dialect(dialect_arg, delimiter)?;
    if num_rows > MAX_ROWS {
        return Err(format!("num_rows {num_rows} is too large for the engine"));
    }
    let row_ids = row_ids.is_some_and(Value::truthy);
    let mut out = String::new();
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        let mut fields: Vec<String> = h.iter().map(cell).collect();
        if row_ids {
            fields.insert(0, "ID".to_string());
        }
        write_row(&mut out, &d, &fields);
    }
    for n in 1..=num_rows {
        let mut fields = Vec::with_capacity(columns.len() + 1);
        if row_ids {
            fields.push(n.to_string());
        }
        for c in columns {
            let Value::Str(fmt) = c else {
                return Err("expected string or bytes-like object".to_string());
            };
            fields.push(pystr_format(r, fmt)?);
        }
        write_row(&mut out, &d, &fields);
    }
    Ok(Value::Str(out))
}

/// `dsv(dialect='faker-csv', header=None, data_columns=(…), num_rows=10,
/// include_row_ids=False)`.
pub fn dsv(r: &mut Rng, args: Vec<Value>) -> Result<Value, String> {
    let a = Args::new("dsv", args, 5)?;
    dsv_core(r, a.get(0), None, [a.get(1), a.get(2), a.get(3), a.get(4)])
}

/// `csv`/`tsv`/`psv(header=None, data_columns=(…), num_rows=10, include_row_ids=False)`:
/// the `faker-csv` dialect (all fields quoted, `\r\n`) with this delimiter.
pub fn separated(
    r: &mut Rng,
    name: &str,
    delimiter: char,
    args: Vec<Value>,
) -> Result<Value, String> {
    let a = Args::new(name, args, 4)?;
    dsv_core(
        r,
        None,
        Some(delimiter),
        [a.get(0), a.get(1), a.get(2), a.get(3)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: Value) -> String {
        match v {
            Value::Str(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn csv_default_has_ten_quoted_rows() {
        let r = &mut rand::rng();
        for (name, sep) in [("csv", ','), ("tsv", '\t'), ("psv", '|')] {
            let t = text(separated(r, name, sep, vec![]).unwrap());
            let rows: Vec<&str> = t.split_terminator("\r\n").collect();
            assert_eq!(rows.len(), 10, "{t}");
            for row in rows {
                let fields: Vec<&str> = row.split(sep).collect();
                assert_eq!(fields.len(), 2, "{row}");
                assert!(
                    fields
                        .iter()
                        .all(|f| f.starts_with('"') && f.ends_with('"'))
                );
            }
        }
    }

    #[test]
    fn header_row_ids_and_dialects() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        let header = Value::List(vec![s("Name"), s("Digit"), s("Color")]);
        let cols = Value::Tuple(vec![
            s("{{name}}"),
            s("{{random_digit}}"),
            s("{{safe_color_name}}"),
        ]);
        let args = vec![header, cols, Value::Int(3), Value::Bool(true)];
        let t = text(separated(r, "csv", ',', args).unwrap());
        let rows: Vec<&str> = t.split_terminator("\r\n").collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0], r#""ID","Name","Digit","Color""#);
        assert!(rows[3].starts_with(r#""3",""#));
        let excel = text(dsv(r, vec![s("excel-tab")]).unwrap());
        let first = excel.split("\r\n").next().unwrap_or_default();
        assert!(first.contains('\t') && !first.contains('"'), "{first}");
        let unix = text(dsv(r, vec![s("unix")]).unwrap());
        assert_eq!(unix.matches('\n').count(), 10);
        assert!(!unix.contains('\r'));
        assert!(dsv(r, vec![s("nope")]).unwrap_err().contains("dialect"));
    }

    #[test]
    fn template_text_fails_like_faker() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        assert_eq!(
            separated(r, "csv", ',', vec![s("Name")]),
            Err("`header` must be a tuple or a list".to_string())
        );
        assert!(dsv(r, vec![s("excel"), s("a")]).is_err());
        let cols = Value::List(vec![s("{{name}}")]);
        assert_eq!(
            separated(r, "csv", ',', vec![Value::None, cols, s("5")]),
            Err("`num_rows` must be a positive integer".to_string())
        );
        let mut quoted = String::new();
        let d = dialect(Some(&s("excel")), None).unwrap();
        write_row(&mut quoted, &d, &["a,b".into(), "c\"d".into(), "e".into()]);
        assert_eq!(quoted, "\"a,b\",\"c\"\"d\",e\r\n");
    }
}
