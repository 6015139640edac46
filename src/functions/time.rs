//! `current_time` and the `*_shift` functions (lm_provider.py), in the host's local zone.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Local, NaiveDate};

use super::args::Args;
use super::strftime::strftime;
use crate::value::Value;

const DATE: &str = "%Y-%m-%d";
const DATETIME: &str = "%Y-%m-%d %H:%M:%S";

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// `int(dt.timestamp() * 1000)`.
fn epoch_ms(dt: &DateTime<FixedOffset>) -> i64 {
    let micros = dt.timestamp_micros();
    // int() truncates toward zero.
    micros / 1000
}

fn output(dt: &DateTime<FixedOffset>, pattern: &str, naive: bool) -> Value {
    if pattern.eq_ignore_ascii_case("none") {
        Value::Int(epoch_ms(dt))
    } else {
        Value::Str(strftime(dt, pattern, naive))
    }
}

/// `current_time(s='%Y-%m-%d')`: `time.strftime(s)`, or epoch ms for `None`.
pub fn current_time(a: &Args) -> Result<Value, String> {
    let pattern = a.str_or(0, DATE)?;
    Ok(output(&now(), pattern, false))
}

/// Calendar unit of a shift function.
#[derive(Clone, Copy)]
pub enum Unit {
    Years,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
}

/// `<unit>_shift(shift, s)`: now shifted, formatted like a naive `datetime.strftime`.
pub fn shift(a: &Args, unit: Unit) -> Result<Value, String> {
    let amount = a.req_float(0, "shift")?;
    let default = match unit {
        Unit::Years | Unit::Months | Unit::Weeks | Unit::Days => DATE,
        _ => DATETIME,
    };
    let pattern = a.str_or(1, default)?;
    let shifted = shift_from(now(), amount, unit)?;
    Ok(output(&shifted, pattern, true))
}

fn shift_from(
    base: DateTime<FixedOffset>,
    amount: f64,
    unit: Unit,
) -> Result<DateTime<FixedOffset>, String> {
    let overflow = || "date value out of range".to_string();
    match unit {
        Unit::Years | Unit::Months => {
            // Quirk A50 (Compat): relativedelta rejects fractional years/months.
            if !amount.is_finite() || amount.fract() != 0.0 {
                return Err(
                    "Non-integer years and months are ambiguous and not currently supported."
                        .to_string(),
                );
            }
            if amount.abs() > 1e6 {
                return Err("year is out of range".to_string());
            }
            let n = amount as i64;
            let months = if matches!(unit, Unit::Years) {
                n * 12
            } else {
                n
            };
            add_months(base, months)
        }
        _ => {
            let secs_per = match unit {
                Unit::Weeks => 604_800.0,
                Unit::Days => 86_400.0,
                Unit::Hours => 3_600.0,
                Unit::Minutes => 60.0,
                _ => 1.0,
            };
            // timedelta keeps microseconds, rounding half to even.
            let micros = (amount * secs_per * 1e6).round_ties_even();
            if !micros.is_finite() || micros.abs() > 3.2e17 {
                return Err(overflow());
            }
            let d = Duration::microseconds(micros as i64);
            let out = base.checked_add_signed(d).ok_or_else(overflow)?;
            if !(1..=9999).contains(&out.year()) {
                return Err(overflow());
            }
            Ok(out)
        }
    }
}

/// relativedelta(months=n): same day clamped to the month's length, time kept.
fn add_months(base: DateTime<FixedOffset>, months: i64) -> Result<DateTime<FixedOffset>, String> {
    let total = i64::from(base.year()) * 12 + i64::from(base.month0()) + months;
    let year = total.div_euclid(12);
    let month0 = total.rem_euclid(12);
    if !(1..=9999).contains(&year) {
        return Err(format!("year {year} is out of range"));
    }
    let (y, m) = (year as i32, month0 as u32 + 1);
    let last = last_day(y, m);
    let day = base.day().min(last);
    let date = NaiveDate::from_ymd_opt(y, m, day).ok_or("date value out of range")?;
    let naive = date.and_time(base.time());
    naive
        .and_local_timezone(Local)
        .earliest()
        .map(|d| d.fixed_offset())
        .or_else(|| naive.and_local_timezone(*base.offset()).single())
        .ok_or_else(|| "date value out of range".to_string())
}

fn last_day(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<FixedOffset> {
        Local
            .with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap()
            .fixed_offset()
    }

    fn day(dt: &DateTime<FixedOffset>) -> String {
        strftime(dt, DATE, true)
    }

    #[test]
    fn month_and_year_shift_clamp_to_month_end() {
        assert_eq!(
            day(&shift_from(at(2024, 1, 31), 1.0, Unit::Months).unwrap()),
            "2024-02-29"
        );
        assert_eq!(
            day(&shift_from(at(2024, 3, 31), -1.0, Unit::Months).unwrap()),
            "2024-02-29"
        );
        assert_eq!(
            day(&shift_from(at(2024, 2, 29), 1.0, Unit::Years).unwrap()),
            "2025-02-28"
        );
        assert_eq!(
            day(&shift_from(at(2024, 12, 15), 1.0, Unit::Months).unwrap()),
            "2025-01-15"
        );
        assert_eq!(
            day(&shift_from(at(2024, 1, 15), -13.0, Unit::Months).unwrap()),
            "2022-12-15"
        );
        assert!(shift_from(at(2024, 1, 15), 1e9, Unit::Years).is_err());
    }

    #[test]
    fn quirk_a50_fractional_month_and_year_shift_rejected() {
        for unit in [Unit::Months, Unit::Years] {
            assert_eq!(
                shift_from(at(2024, 1, 15), 1.5, unit),
                Err(
                    "Non-integer years and months are ambiguous and not currently supported."
                        .into()
                )
            );
        }
        assert!(shift_from(at(2024, 1, 15), 2.0, Unit::Months).is_ok());
    }

    #[test]
    fn fractional_day_week_and_time_shifts() {
        let base = at(2024, 3, 1);
        assert_eq!(
            day(&shift_from(base, -1.0, Unit::Days).unwrap()),
            "2024-02-29"
        );
        assert_eq!(
            day(&shift_from(base, 1.0, Unit::Weeks).unwrap()),
            "2024-03-08"
        );
        let half = shift_from(base, 0.5, Unit::Days).unwrap();
        assert_eq!(strftime(&half, DATETIME, true), "2024-03-02 00:00:00");
        let h = shift_from(base, 1.5, Unit::Hours).unwrap();
        assert_eq!(strftime(&h, DATETIME, true), "2024-03-01 13:30:00");
        let m = shift_from(base, -30.0, Unit::Minutes).unwrap();
        assert_eq!(strftime(&m, DATETIME, true), "2024-03-01 11:30:00");
        let s = shift_from(base, 0.25, Unit::Seconds).unwrap();
        assert_eq!(strftime(&s, "%S.%f", true), "00.250000");
        assert!(shift_from(base, 1e300, Unit::Days).is_err());
        assert!(shift_from(base, f64::NAN, Unit::Days).is_err());
        assert!(shift_from(base, 1e7, Unit::Days).is_err());
    }

    #[test]
    fn epoch_ms_is_truncated_millis() {
        let d = at(2024, 3, 1) + Duration::microseconds(1999);
        assert_eq!(epoch_ms(&d), at(2024, 3, 1).timestamp() * 1000 + 1);
    }
}
