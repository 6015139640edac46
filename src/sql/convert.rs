//! Database values → engine values, the way the Python engine's drivers (PyMySQL, psycopg2,
//! pymssql) hand them to a case, with the A38 fixes: a decimal always becomes a float (or its
//! text beyond 16 fractional digits) instead of crashing when it has no point, and dates,
//! times and datetimes become their Python `str()` text so later steps can render them.
//!
//! MySQL/MariaDB (text protocol) and PostgreSQL (simple query protocol) send every value as
//! text; [`from_text`] reads that text by the column's [`Kind`]. SQL Server values arrive typed
//! and go through [`from_mssql`].

use crate::value::{Value, parse_json};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// How a column's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integers (Python `int`); beyond 64 bits the digits are kept as text.
    Int,
    Float,
    /// `DECIMAL`/`NUMERIC`: see [`decimal`].
    Decimal,
    /// PostgreSQL `bool` (`t`/`f`).
    Bool,
    /// `DATE`: the text as sent (`2024-01-15`).
    Date,
    /// `DATETIME`/`TIMESTAMP` without a zone: Python `str(datetime)`.
    DateTime,
    /// PostgreSQL `timestamptz`: Python `str()` of an aware datetime (`+00:00`).
    DateTimeTz,
    /// PostgreSQL `time`/`timetz`: Python `str(time)`.
    Time,
    /// MySQL `TIME` is a duration (PyMySQL gives a `timedelta`): Python `str(timedelta)`.
    Duration,
    /// Raw bytes (MySQL binary strings, `BIT`, geometry).
    Bytes,
    /// PostgreSQL `bytea` in its text form (`\x0102…`).
    HexBytes,
    /// PostgreSQL `json`/`jsonb` (psycopg2 parses it).
    Json,
    Text,
}

/// A column's text → value. `None` (SQL NULL) is handled by the caller.
pub fn from_text(kind: Kind, raw: &[u8]) -> Value {
    let text = || String::from_utf8_lossy(raw).into_owned();
    match kind {
        Kind::Bytes => Value::Bytes(raw.to_vec()),
        Kind::HexBytes => hex_bytes(raw).map_or_else(|| Value::Str(text()), Value::Bytes),
        _ => {
            let t = text();
            match kind {
                Kind::Int => t.parse::<i64>().map_or(Value::Str(t), Value::Int),
                Kind::Float => t.parse::<f64>().map_or(Value::Str(t), Value::Float),
                Kind::Decimal => decimal(&t),
                Kind::Bool => match t.as_str() {
                    "t" | "true" | "1" => Value::Bool(true),
                    "f" | "false" | "0" => Value::Bool(false),
                    _ => Value::Str(t),
                },
                Kind::DateTime | Kind::Time => Value::Str(py_fraction(&t)),
                Kind::DateTimeTz => Value::Str(py_offset(&py_fraction(&t))),
                Kind::Duration => Value::Str(py_timedelta(&t).unwrap_or(t)),
                Kind::Json => parse_json(&t).unwrap_or(Value::Str(t)),
                Kind::Date | Kind::Text | Kind::Bytes | Kind::HexBytes => Value::Str(t),
            }
        }
    }
}

/// A decimal's text (Python `str(Decimal)`): more than 16 characters after the point → the
/// text, else a float. A38 Fix: without a point (`SUM` of ints, `1E+2`, `NaN`) → a float
/// (`71` → `71.0`) instead of the Python engine's IndexError.
pub fn decimal(text: &str) -> Value {
    if let Some((_, fraction)) = text.split_once('.')
        && fraction.len() > 16
    {
        return Value::Str(text.to_string());
    }
    let t = text.trim();
    let parsed = match t.to_ascii_lowercase().as_str() {
        "nan" | "snan" | "-nan" => Some(f64::NAN),
        "infinity" | "inf" => Some(f64::INFINITY),
        "-infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    };
    parsed.map_or_else(|| Value::Str(text.to_string()), Value::Float)
}

fn hex_bytes(raw: &[u8]) -> Option<Vec<u8>> {
    let hex = raw.strip_prefix(b"\\x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    hex.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Python prints microseconds as 6 digits, and none when they are zero: `08:30:00.12` →
/// `08:30:00.120000`, `08:30:00.000` → `08:30:00`. The rest of the text is kept.
fn py_fraction(t: &str) -> String {
    let Some(dot) = t.rfind('.') else {
        return t.to_string();
    };
    let digits: String = t[dot + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return t.to_string();
    }
    let rest = &t[dot + 1 + digits.len()..];
    let mut micro: String = digits.chars().take(6).collect();
    while micro.len() < 6 {
        micro.push('0');
    }
    if micro.bytes().all(|b| b == b'0') {
        format!("{}{rest}", &t[..dot])
    } else {
        format!("{}.{micro}{rest}", &t[..dot])
    }
}

/// PostgreSQL's `+00`/`+05:30` zone suffix → Python's `+00:00`/`+05:30`.
fn py_offset(t: &str) -> String {
    let Some(pos) = t.rfind(['+', '-']) else {
        return t.to_string();
    };
    // The sign of a zone comes after the time (`…08:30:00+00`), never inside the date.
    if !t[..pos].contains(':') {
        return t.to_string();
    }
    let zone = &t[pos + 1..];
    if zone.len() == 2 && zone.bytes().all(|b| b.is_ascii_digit()) {
        format!("{t}:00")
    } else {
        t.to_string()
    }
}

/// MySQL `TIME` text (`[-]H…H:MM:SS[.ffffff]`) → Python `str(timedelta)`: `8:30:00`,
/// `1 day, 2:00:00`, `-1 day, 23:00:00`, with `.ffffff` when there are microseconds.
fn py_timedelta(t: &str) -> Option<String> {
    let (negative, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (hms, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut micro_text: String = frac.chars().take(6).collect();
    while micro_text.len() < 6 {
        micro_text.push('0');
    }
    let micro: i64 = micro_text.parse().ok()?;
    let mut total = ((h * 60 + m) * 60 + s) * 1_000_000 + micro;
    if negative {
        total = -total;
    }
    let day = 86_400_000_000_i64;
    let days = total.div_euclid(day);
    let rest = total.rem_euclid(day);
    let (secs, us) = (rest / 1_000_000, rest % 1_000_000);
    let mut out = String::new();
    if days != 0 {
        let plural = if days.abs() == 1 { "" } else { "s" };
        out.push_str(&format!("{days} day{plural}, "));
    }
    out.push_str(&format!(
        "{}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    if us != 0 {
        out.push_str(&format!(".{us:06}"));
    }
    Some(out)
}

/// Python `str(datetime)`.
pub fn py_datetime(dt: &NaiveDateTime) -> String {
    format!("{} {}", dt.date(), py_time(&dt.time()))
}

/// Python `str(time)`.
pub fn py_time(t: &NaiveTime) -> String {
    let micro = t.nanosecond() / 1000;
    if micro == 0 {
        t.format("%H:%M:%S").to_string()
    } else {
        format!("{}.{micro:06}", t.format("%H:%M:%S"))
    }
}

/// Python `str(date)`.
pub fn py_date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A SQL Server value → engine value, as pymssql gives it (with the A38 fixes).
pub fn from_mssql(data: &tiberius::ColumnData<'static>) -> Value {
    use tiberius::{ColumnData as C, FromSql};
    fn or_none<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
        v.map_or(Value::None, f)
    }
    // Date/time cells are read through tiberius's chrono conversions; a value it cannot read
    // becomes None rather than failing the step.
    fn chrono_of<'a, T: FromSql<'a>>(data: &'a tiberius::ColumnData<'static>) -> Option<T> {
        T::from_sql(data).ok().flatten()
    }
    match data {
        C::U8(v) => or_none(*v, |x| Value::Int(i64::from(x))),
        C::I16(v) => or_none(*v, |x| Value::Int(i64::from(x))),
        C::I32(v) => or_none(*v, |x| Value::Int(i64::from(x))),
        C::I64(v) => or_none(*v, Value::Int),
        C::F32(v) => or_none(*v, |x| Value::Float(f64::from(x))),
        C::F64(v) => or_none(*v, Value::Float),
        C::Bit(v) => or_none(*v, Value::Bool),
        C::String(v) => or_none(v.as_ref(), |s| Value::Str(s.to_string())),
        C::Guid(v) => or_none(*v, |g| Value::Str(g.hyphenated().to_string())),
        C::Binary(v) => or_none(v.as_ref(), |b| Value::Bytes(b.to_vec())),
        C::Numeric(v) => or_none(*v, |n| decimal(&n.to_string())),
        C::Xml(v) => or_none(v.as_ref(), |x| Value::Str(x.to_string())),
        C::DateTime(_) | C::SmallDateTime(_) | C::DateTime2(_) => {
            or_none(chrono_of::<NaiveDateTime>(data), |d| {
                Value::Str(py_datetime(&d))
            })
        }
        C::Date(_) => or_none(chrono_of::<NaiveDate>(data), |d| Value::Str(py_date(&d))),
        C::Time(_) => or_none(chrono_of::<NaiveTime>(data), |t| Value::Str(py_time(&t))),
        C::DateTimeOffset(_) => or_none(
            chrono_of::<chrono::DateTime<chrono::FixedOffset>>(data),
            |d| {
                let offset = d.format("%:z").to_string();
                Value::Str(format!("{}{offset}", py_datetime(&d.naive_local())))
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_floats_or_long_text() {
        assert_eq!(decimal("12.50"), Value::Float(12.5));
        // A38: no point no longer crashes.
        assert_eq!(decimal("71"), Value::Float(71.0));
        assert_eq!(decimal("1E+2"), Value::Float(100.0));
        assert_eq!(decimal("-3"), Value::Float(-3.0));
        assert!(matches!(decimal("NaN"), Value::Float(f) if f.is_nan()));
        // 17 fractional digits: kept as text, as the Python engine does.
        assert_eq!(
            decimal("0.12345678901234567"),
            Value::Str("0.12345678901234567".into())
        );
        assert_eq!(
            decimal("0.1234567890123456"),
            Value::Float(0.1234567890123456)
        );
    }

    #[test]
    fn texts_by_kind() {
        assert_eq!(from_text(Kind::Int, b"42"), Value::Int(42));
        assert_eq!(
            from_text(Kind::Int, b"18446744073709551615"),
            Value::Str("18446744073709551615".into())
        );
        assert_eq!(from_text(Kind::Float, b"0.1"), Value::Float(0.1));
        assert_eq!(from_text(Kind::Bool, b"t"), Value::Bool(true));
        assert_eq!(
            from_text(Kind::Date, b"2024-01-15"),
            Value::Str("2024-01-15".into())
        );
        assert_eq!(
            from_text(Kind::HexBytes, b"\\x00ff41"),
            Value::Bytes(vec![0, 255, 65])
        );
        assert_eq!(from_text(Kind::Bytes, b"\x00a"), Value::Bytes(vec![0, 97]));
        assert_eq!(
            from_text(Kind::Text, "中文".as_bytes()),
            Value::Str("中文".into())
        );
        let json = from_text(Kind::Json, br#"{"a": [1, "x"]}"#);
        assert_eq!(json.py_str(), "{'a': [1, 'x']}");
    }

    #[test]
    fn datetimes_print_like_python() {
        let dt = |s: &str| from_text(Kind::DateTime, s.as_bytes());
        assert_eq!(
            dt("2024-01-15 08:30:00"),
            Value::Str("2024-01-15 08:30:00".into())
        );
        assert_eq!(
            dt("2024-01-15 08:30:00.12"),
            Value::Str("2024-01-15 08:30:00.120000".into())
        );
        assert_eq!(
            dt("2024-01-15 08:30:00.000"),
            Value::Str("2024-01-15 08:30:00".into())
        );
        let tz = |s: &str| from_text(Kind::DateTimeTz, s.as_bytes());
        assert_eq!(
            tz("2024-01-15 08:30:00+00"),
            Value::Str("2024-01-15 08:30:00+00:00".into())
        );
        assert_eq!(
            tz("2024-01-15 08:30:00.5-05:30"),
            Value::Str("2024-01-15 08:30:00.500000-05:30".into())
        );
        assert_eq!(
            from_text(Kind::Time, b"08:30:00.25"),
            Value::Str("08:30:00.250000".into())
        );
    }

    #[test]
    fn mysql_time_is_a_timedelta() {
        let d = |s: &str| from_text(Kind::Duration, s.as_bytes());
        assert_eq!(d("08:30:00"), Value::Str("8:30:00".into()));
        assert_eq!(d("26:00:00"), Value::Str("1 day, 2:00:00".into()));
        assert_eq!(d("50:00:00"), Value::Str("2 days, 2:00:00".into()));
        assert_eq!(d("-01:00:00"), Value::Str("-1 day, 23:00:00".into()));
        assert_eq!(d("00:00:01.5"), Value::Str("0:00:01.500000".into()));
    }

    #[test]
    fn sql_server_values() {
        use tiberius::ColumnData as C;
        assert_eq!(from_mssql(&C::String(None)), Value::None);
        use std::borrow::Cow;
        use tiberius::numeric::Numeric;
        assert_eq!(from_mssql(&C::I32(Some(7))), Value::Int(7));
        assert_eq!(from_mssql(&C::I64(None)), Value::None);
        assert_eq!(from_mssql(&C::U8(Some(255))), Value::Int(255));
        assert_eq!(from_mssql(&C::Bit(Some(true))), Value::Bool(true));
        assert_eq!(from_mssql(&C::F64(Some(1.5))), Value::Float(1.5));
        assert_eq!(
            from_mssql(&C::String(Some(Cow::Borrowed("文本")))),
            Value::Str("文本".into())
        );
        assert_eq!(
            from_mssql(&C::Binary(Some(Cow::Borrowed(&[1u8, 2][..])))),
            Value::Bytes(vec![1, 2])
        );
        // DECIMAL(10,2) 12.50 and a scale-0 sum (A38).
        assert_eq!(
            from_mssql(&C::Numeric(Some(Numeric::new_with_scale(1250, 2)))),
            Value::Float(12.5)
        );
        assert_eq!(
            from_mssql(&C::Numeric(Some(Numeric::new_with_scale(71, 0)))),
            Value::Float(71.0)
        );
        let when =
            NaiveDate::from_ymd_opt(2024, 1, 15).and_then(|d| d.and_hms_micro_opt(8, 30, 0, 0));
        let Some(when) = when else {
            panic!("test date");
        };
        use tiberius::IntoSql;
        assert_eq!(
            from_mssql(&when.into_sql()),
            Value::Str("2024-01-15 08:30:00".into())
        );
        assert_eq!(
            from_mssql(&when.date().into_sql()),
            Value::Str("2024-01-15".into())
        );
        let g = uuid::Uuid::nil();
        assert_eq!(
            from_mssql(&C::Guid(Some(g))),
            Value::Str("00000000-0000-0000-0000-000000000000".into())
        );
    }
}
