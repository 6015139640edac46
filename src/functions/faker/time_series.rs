//! Date-time provider's `time_series(start_date='-30d', end_date='now', precision=None,
//! distrib=None, tzinfo=None)`.
//!
//! Python returns a generator of `(datetime, value)` pairs; the engine inserts it as a list
//! of tuples `(str(datetime), float)`. Points start at `start_date` and step by `precision`
//! seconds (default: a thirtieth of the span, so 30 points) while before `end_date`; the
//! value is `uniform(0, precision)`. Timestamps follow Faker's quirk of reading the local
//! wall clock as UTC, so the datetimes show local wall-clock time.
//!
//! Date strings use Faker's own grammar (`-30d`, `+1y-2M`, units `y M w d h m s` in that
//! order, a year = 365.24 days, a month = 30.42 days; `now` only as a date). `distrib`
//! must be a callable and `tzinfo` a tzinfo, which template text never is, so both fail
//! as in Python. Where Python would loop forever (a precision ≤ 0) or build an enormous
//! list, the engine fails instead.

use chrono::{DateTime, Local};
use rand::RngExt;

use super::base::Rng;
use crate::functions::args::Args;
use crate::value::Value;

/// Refuse series longer than this (Python would produce them lazily).
const MAX_POINTS: f64 = 100_000.0;

/// Faker's `_parse_date_string`: seconds of the leading `[+-]N<unit>` groups.
fn parse_date_string(text: &str) -> Result<f64, String> {
    const UNITS: [(char, f64); 7] = [
        ('y', 365.24 * 86_400.0),
        ('M', 30.42 * 86_400.0),
        ('w', 7.0 * 86_400.0),
        ('d', 86_400.0),
        ('h', 3_600.0),
        ('m', 60.0),
        ('s', 1.0),
    ];
    let b = text.as_bytes();
    let mut pos = 0;
    let mut total = 0.0;
    let mut any = false;
    for (unit, secs) in UNITS {
        if pos >= b.len() || !matches!(b[pos], b'+' | b'-') {
            continue;
        }
        let digits = b[pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = pos + 1 + digits;
        if digits == 0 || b.get(end) != Some(&(unit as u8)) {
            continue;
        }
        let n: f64 = text[pos..end]
            .parse()
            .map_err(|_| format!("Can't parse date string `{text}`"))?;
        total += n * secs;
        any = true;
        pos = end + 1;
    }
    if !any {
        return Err(format!("Can't parse date string `{text}`"));
    }
    // timedelta keeps microseconds.
    let total = (total * 1e6).round_ties_even() / 1e6;
    if !total.is_finite() || total.abs() > 3e11 {
        return Err("date value out of range".to_string());
    }
    Ok(total)
}

/// `timegm(datetime.now().timetuple())`-style seconds of the local wall clock.
fn now_wall() -> f64 {
    let n = Local::now().naive_local().and_utc();
    n.timestamp() as f64 + f64::from(n.timestamp_subsec_micros()) / 1e6
}

/// Faker's `_parse_date_time(value)`: whole seconds.
fn parse_date_time(v: Option<&Value>, default: &str) -> Result<f64, String> {
    let now = now_wall();
    let t = match v {
        None => {
            if default == "now" {
                now
            } else {
                now + parse_date_string(default)?
            }
        }
        Some(Value::Str(s)) if s == "now" => now,
        Some(Value::Str(s)) => now + parse_date_string(s)?,
        Some(Value::Int(days)) if days.unsigned_abs() < 100_000_000 => {
            now + *days as f64 * 86_400.0
        }
        Some(Value::Bool(b)) => now + f64::from(u8::from(*b)) * 86_400.0,
        Some(other) => return Err(format!("Invalid format for date {}", other.py_repr())),
    };
    Ok(t.floor())
}

/// Faker's `_parse_timedelta(value)`: seconds.
fn parse_timedelta(v: &Value) -> Result<f64, String> {
    match v {
        Value::Str(s) => parse_date_string(s),
        Value::Int(n) => Ok(*n as f64),
        Value::Float(f) => Ok(*f),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        other => Err(format!("Invalid format for timedelta {}", other.py_repr())),
    }
}

/// `str(datetime)` of a float timestamp read as UTC, microseconds rounded half-even.
fn datetime_text(ts: f64) -> Result<String, String> {
    let secs = ts.floor();
    let mut micros = ((ts - secs) * 1e6).round_ties_even() as i64;
    let mut secs = secs as i64;
    if micros >= 1_000_000 {
        secs += 1;
        micros -= 1_000_000;
    }
    let d = DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| "year is out of range".to_string())?
        .naive_utc();
    let base = d.format("%Y-%m-%d %H:%M:%S").to_string();
    Ok(if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    })
}

pub fn time_series(r: &mut Rng, args: Vec<Value>) -> Result<Value, String> {
    let a = Args::new("time_series", args, 5)?;
    if let Some(tz) = a.get(4).filter(|v| **v != Value::None) {
        return Err(format!(
            "tzinfo argument must be None or of a tzinfo subclass, not type '{}'",
            tz.type_name()
        ));
    }
    let start = parse_date_time(a.get(0), "-30d")?;
    let end = parse_date_time(a.get(1), "now")?;
    if end < start {
        return Err("`end_date` must be greater than `start_date`.".to_string());
    }
    let precision = match a.get(2) {
        None | Some(Value::None) => (end - start) / 30.0,
        Some(p) => parse_timedelta(p)?,
    };
    if let Some(d) = a.get(3).filter(|v| **v != Value::None) {
        return Err(format!(
            "`distrib` must be a callable. Got {} instead.",
            d.py_str()
        ));
    }
    if start < end {
        if precision.is_nan() || precision <= 0.0 {
            return Err(format!(
                "precision {precision} never reaches `end_date` (Python would loop forever)"
            ));
        }
        if (end - start) / precision > MAX_POINTS {
            return Err(format!(
                "time_series of more than {MAX_POINTS} points is too long for the engine"
            ));
        }
    }
    let mut out = Vec::new();
    let mut point = start;
    while point < end {
        let dt = datetime_text(point)?;
        point += precision;
        let value = r.random::<f64>() * precision;
        out.push(Value::Tuple(vec![Value::Str(dt), Value::Float(value)]));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;

    fn points(v: Value) -> Vec<(String, f64)> {
        let Value::List(items) = v else { panic!() };
        items
            .into_iter()
            .map(|i| match i {
                Value::Tuple(t) => match (&t[0], &t[1]) {
                    (Value::Str(s), Value::Float(f)) => (s.clone(), *f),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn default_series_is_thirty_daily_points() {
        let r = &mut rand::rng();
        let p = points(time_series(r, vec![]).unwrap());
        assert_eq!(p.len(), 30);
        let parse = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        for w in p.windows(2) {
            assert_eq!((parse(&w[1].0) - parse(&w[0].0)).num_seconds(), 86_400);
        }
        assert!(p.iter().all(|(_, v)| (0.0..86_400.0).contains(v)));
    }

    #[test]
    fn text_arguments() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        let p = points(time_series(r, vec![s("-1d"), s("now"), s("+1h")]).unwrap());
        assert_eq!(p.len(), 24);
        assert!(p.iter().all(|(_, v)| (0.0..3600.0).contains(v)));
        // Sub-second precision shows microseconds like `str(datetime)`.
        let p = points(time_series(r, vec![s("-7s")]).unwrap());
        assert_eq!(p.len(), 30);
        assert!(p.iter().any(|(d, _)| d.len() == 26), "{p:?}");
        assert!(
            time_series(r, vec![s("today")])
                .unwrap_err()
                .contains("parse")
        );
        assert!(time_series(r, vec![s("now"), s("-1d")]).is_err());
        assert!(time_series(r, vec![s("-1d"), s("now"), s("-1h")]).is_err());
        assert!(time_series(r, vec![s("-30y"), s("now"), s("+1s")]).is_err());
        let distrib = vec![s("-1d"), s("now"), s("+1h"), s("f")];
        assert!(time_series(r, distrib).unwrap_err().contains("callable"));
        let y_m = parse_date_string("-1y+2M").unwrap();
        assert!((y_m - (-365.24 + 60.84) * 86_400.0).abs() < 1e-3, "{y_m}");
        assert_eq!(parse_date_string("+1h+30mxyz"), Ok(5_400.0));
        assert_eq!(
            datetime_text(0.5),
            Ok("1970-01-01 00:00:00.500000".to_string())
        );
    }
}
