//! Date/time provider. Random datetimes are naive UTC-based like Faker's (epoch + seconds).
//! Python returns `date`/`datetime`/`time`/`timedelta` objects from several of these, which
//! the Python engine could not insert into a template (not JSON-serialisable); here they are
//! returned as their Python `str()` text (`2024-01-15`, `2024-01-15 08:30:00`, `08:30:00`),
//! like quirk A38's recommendation for SQL values.

use chrono::{DateTime, Datelike, Local, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use super::base::{Rng, pick, randint};
use super::data::{CENTURIES, TIMEZONES};
use crate::functions::strftime::strftime;

const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Seconds of 0001-01-01T00:00:00 relative to the epoch (Faker's `date_time_ad` start).
const AD_START: i64 = -62_135_596_800;

fn now_ts() -> i64 {
    Utc::now().timestamp()
}

fn naive(ts: i64) -> Result<NaiveDateTime, String> {
    DateTime::from_timestamp(ts, 0)
        .map(|d| d.naive_utc())
        .ok_or_else(|| "timestamp out of range".to_string())
}

fn dt_text(d: &NaiveDateTime) -> String {
    d.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn date_text(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Python formatting of a naive datetime with a strftime pattern.
fn format_naive(d: &NaiveDateTime, pattern: &str) -> String {
    strftime(&d.and_utc().fixed_offset(), pattern, true)
}

/// `unix_time()`: seconds between the epoch and now.
pub fn unix_time(r: &mut Rng) -> Result<i64, String> {
    randint(r, 0, now_ts())
}

fn random_datetime(r: &mut Rng) -> Result<NaiveDateTime, String> {
    naive(unix_time(r)?)
}

pub fn date_time(r: &mut Rng) -> Result<String, String> {
    Ok(dt_text(&random_datetime(r)?))
}

pub fn date_time_ad(r: &mut Rng) -> Result<String, String> {
    Ok(dt_text(&naive(randint(r, AD_START, now_ts())?)?))
}

pub fn iso8601(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// `date(pattern='%Y-%m-%d')`.
pub fn date(r: &mut Rng, pattern: &str) -> Result<String, String> {
    Ok(format_naive(&random_datetime(r)?, pattern))
}

/// `time(pattern='%H:%M:%S')`.
pub fn time(r: &mut Rng, pattern: &str) -> Result<String, String> {
    Ok(format_naive(&random_datetime(r)?, pattern))
}

pub fn date_object(r: &mut Rng) -> Result<String, String> {
    Ok(date_text(&random_datetime(r)?.date()))
}

pub fn time_object(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%H:%M:%S").to_string())
}

pub fn year(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%Y").to_string())
}

pub fn month(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%m").to_string())
}

pub fn day_of_month(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%d").to_string())
}

pub fn month_name(r: &mut Rng) -> String {
    pick(r, MONTHS).to_string()
}

pub fn day_of_week(r: &mut Rng) -> String {
    pick(r, DAYS).to_string()
}

pub fn am_pm(r: &mut Rng) -> Result<String, String> {
    Ok(random_datetime(r)?.format("%p").to_string())
}

pub fn century(r: &mut Rng) -> String {
    pick(r, CENTURIES).to_string()
}

pub fn timezone(r: &mut Rng) -> String {
    pick(r, TIMEZONES).to_string()
}

/// `pytimezone()`: dateutil's `gettz(timezone())`, a `tzfile` object that the engine
/// inserts as its Python `str()`, e.g. `tzfile('/usr/share/zoneinfo/Asia/Shanghai')` (the
/// path is where the Python engine's Debian image keeps the zone files). Faker forwards
/// any argument to `timezone()`, which takes none.
pub fn pytimezone(r: &mut Rng, nargs: usize) -> Result<String, String> {
    if nargs > 0 {
        return Err(format!(
            "timezone() takes 1 positional argument but {} were given",
            nargs + 1
        ));
    }
    Ok(format!("tzfile('/usr/share/zoneinfo/{}')", timezone(r)))
}

/// Faker's relative date strings: `now`, `today`, or signed components in the order
/// `y M w d h m s` (`-30y`, `+1d`, `-1y-2d`); text that does not match adds nothing.
fn relative_seconds(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t == "now" || t == "today" {
        return Ok(0);
    }
    let units: [(char, f64); 7] = [
        ('y', 365.25 * 86_400.0),
        ('M', 30.42 * 86_400.0),
        ('w', 7.0 * 86_400.0),
        ('d', 86_400.0),
        ('h', 3_600.0),
        ('m', 60.0),
        ('s', 1.0),
    ];
    let b = t.as_bytes();
    let mut pos = 0;
    let mut total = 0.0;
    for (unit, secs) in units {
        if pos >= b.len() || !matches!(b[pos], b'+' | b'-') {
            break;
        }
        let mut end = pos + 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == pos + 1 || end >= b.len() || char::from(b[end]) != unit {
            continue;
        }
        let n: f64 = t[pos..end]
            .parse()
            .map_err(|_| format!("Can't parse date string `{t}`"))?;
        total += n * secs;
        pos = end + 1;
    }
    if !total.is_finite() || total.abs() > 3e11 {
        return Err("date value out of range".to_string());
    }
    Ok(total as i64)
}

/// A random datetime between two relative date strings (Faker `date_time_between`).
fn between(r: &mut Rng, start: &str, end: &str) -> Result<NaiveDateTime, String> {
    let now = now_ts();
    let s = now + relative_seconds(start)?;
    let e = now + relative_seconds(end)?;
    naive(randint(r, s, e)?)
}

pub fn date_time_between(r: &mut Rng, start: &str, end: &str) -> Result<String, String> {
    Ok(dt_text(&between(r, start, end)?))
}

pub fn date_between(r: &mut Rng, start: &str, end: &str) -> Result<String, String> {
    let today = Local::now().date_naive();
    let offset = |s: &str| -> Result<NaiveDate, String> {
        let secs = relative_seconds(s)?;
        today
            .checked_add_signed(TimeDelta::try_seconds(secs).ok_or("date value out of range")?)
            .ok_or_else(|| "date value out of range".to_string())
    };
    let (s, e) = (offset(start)?, offset(end)?);
    let days = randint(r, 0, (e - s).num_days())?;
    s.checked_add_signed(TimeDelta::days(days))
        .map(|d| date_text(&d))
        .ok_or_else(|| "date value out of range".to_string())
}

/// `credit_card_expire(start='now', end='+10y', date_format='%m/%y')`.
pub fn credit_card_expire(
    r: &mut Rng,
    start: &str,
    end: &str,
    fmt: &str,
) -> Result<String, String> {
    Ok(format_naive(&between(r, start, end)?, fmt))
}

/// Start of this century/decade/year/month (UTC-naive like Faker's `datetime.now()` use).
#[derive(Clone, Copy)]
pub enum Period {
    Century,
    Decade,
    Year,
    Month,
}

fn period_start(p: Period) -> Result<NaiveDate, String> {
    let today = Local::now().date_naive();
    let y = today.year();
    let d = match p {
        Period::Century => NaiveDate::from_ymd_opt(y - y % 100, 1, 1),
        Period::Decade => NaiveDate::from_ymd_opt(y - y % 10, 1, 1),
        Period::Year => NaiveDate::from_ymd_opt(y, 1, 1),
        Period::Month => NaiveDate::from_ymd_opt(y, today.month(), 1),
    };
    d.ok_or_else(|| "date value out of range".to_string())
}

/// `date_time_this_<period>()`: between the period start and now.
pub fn date_time_this(r: &mut Rng, p: Period) -> Result<String, String> {
    let start = period_start(p)?.and_hms_opt(0, 0, 0).ok_or("bad date")?;
    let now = Local::now().naive_local();
    let ts = randint(r, start.and_utc().timestamp(), now.and_utc().timestamp())?;
    Ok(dt_text(&naive(ts)?))
}

/// `date_this_<period>()`: between the period start and today.
pub fn date_this(r: &mut Rng, p: Period) -> Result<String, String> {
    let start = period_start(p)?;
    let today = Local::now().date_naive();
    let days = randint(r, 0, (today - start).num_days())?;
    Ok(date_text(&(start + TimeDelta::days(days))))
}

/// `date_of_birth(minimum_age=0, maximum_age=115)`.
pub fn date_of_birth(r: &mut Rng) -> Result<String, String> {
    let today = Local::now().date_naive();
    let latest = today;
    let earliest = today
        .with_year(today.year() - 116)
        .or_else(|| NaiveDate::from_ymd_opt(today.year() - 116, today.month(), 28))
        .ok_or("date value out of range")?
        + TimeDelta::days(1);
    let days = randint(r, 0, (latest - earliest).num_days())?;
    Ok(date_text(&(earliest + TimeDelta::days(days))))
}

/// `time_delta()`: Faker 6.0.0 returns `timedelta(0)` without an end datetime.
pub fn time_delta() -> String {
    "0:00:00".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_date_strings() {
        assert_eq!(relative_seconds("now"), Ok(0));
        assert_eq!(relative_seconds("today"), Ok(0));
        assert_eq!(relative_seconds("+1d"), Ok(86_400));
        assert_eq!(relative_seconds("-1w+2d"), Ok(-7 * 86_400 + 2 * 86_400));
        assert_eq!(
            relative_seconds("-30y"),
            Ok((-30.0 * 365.25 * 86_400.0) as i64)
        );
        assert_eq!(relative_seconds("+1h+30m"), Ok(5_400));
        assert_eq!(relative_seconds("abc"), Ok(0));
        assert!(relative_seconds("+999999999999y").is_err());
    }

    #[test]
    fn generated_dates_are_well_formed() {
        let r = &mut rand::rng();
        for _ in 0..100 {
            let d = date(r, "%Y-%m-%d").unwrap();
            assert!(NaiveDate::parse_from_str(&d, "%Y-%m-%d").unwrap().year() >= 1970);
            let t = time(r, "%H:%M:%S").unwrap();
            assert_eq!(t.len(), 8);
            let b = date_between(r, "-30y", "today").unwrap();
            assert!(NaiveDate::parse_from_str(&b, "%Y-%m-%d").is_ok());
            let dt = date_time_between(r, "-1y", "now").unwrap();
            assert!(NaiveDateTime::parse_from_str(&dt, "%Y-%m-%d %H:%M:%S").is_ok());
            let e = credit_card_expire(r, "now", "+10y", "%m/%y").unwrap();
            assert_eq!(e.len(), 5);
            for p in [Period::Century, Period::Decade, Period::Year, Period::Month] {
                assert_eq!(date_this(r, p).unwrap().len(), 10);
                assert_eq!(date_time_this(r, p).unwrap().len(), 19);
            }
            assert_eq!(date_of_birth(r).unwrap().len(), 10);
            assert_eq!(date_time_ad(r).unwrap().len(), 19);
        }
        assert!(date_between(r, "today", "-1y").is_err());
    }
}
