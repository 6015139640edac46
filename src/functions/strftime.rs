//! Python/C `strftime` patterns (glibc, C locale) on top of chrono (api-cases 3.3).
//!
//! Every `%` directive is translated on its own, so chrono never sees a directive it would
//! reject: `%f` is 6-digit microseconds, `%z`/`%Z` follow Python (empty for the naive
//! datetimes of the `*_shift` functions), unknown directives are copied literally as glibc
//! does, and the glibc flags `-` `_` `0` `^` `#` and a field width are honoured.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Timelike};

/// Formats `dt` with a Python strftime pattern. `naive` mirrors a naive `datetime`
/// (`%z`/`%Z` give empty strings) versus `time.strftime` (offset and zone name).
pub fn strftime(dt: &DateTime<FixedOffset>, pattern: &str, naive: bool) -> String {
    let mut out = String::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flag, width, conversion.
        let mut flag = None;
        if let Some(&(_, f)) = chars.peek()
            && matches!(f, '-' | '_' | '0' | '^' | '#')
        {
            flag = Some(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&(_, d)) = chars.peek() {
            if d.is_ascii_digit() && width.len() < 4 {
                width.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some((end, conv)) = chars.next() else {
            // Lone `%` (with flags) at the end: copied as written.
            out.push_str(&pattern[start..]);
            continue;
        };
        let literal = &pattern[start..end + conv.len_utf8()];
        match directive(dt, conv, flag, naive) {
            Some(text) => {
                let text = apply_width(text, &width, conv, flag);
                out.push_str(&text);
            }
            None => out.push_str(literal),
        }
    }
    out
}

const CHRONO_SAFE: &str = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyY";
const NUMERIC: &str = "CdegGHIjklmMsSuUVwWyYf";

fn directive(
    dt: &DateTime<FixedOffset>,
    conv: char,
    flag: Option<char>,
    naive: bool,
) -> Option<String> {
    let text = match conv {
        '%' => "%".to_string(),
        'f' => format!("{:06}", dt.nanosecond() % 1_000_000_000 / 1000),
        'z' if naive => String::new(),
        'Z' if naive => String::new(),
        'z' => {
            let secs = dt.offset().local_minus_utc();
            let sign = if secs < 0 { '-' } else { '+' };
            let a = secs.unsigned_abs();
            format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60)
        }
        'Z' => zone_name(dt.offset().local_minus_utc()),
        c if CHRONO_SAFE.contains(c) => {
            let spec = match flag {
                Some(f @ ('-' | '_' | '0')) if NUMERIC.contains(c) => format!("%{f}{c}"),
                _ => format!("%{c}"),
            };
            let mut s = String::new();
            write!(s, "{}", dt.format(&spec)).ok()?;
            s
        }
        _ => return None,
    };
    Some(match flag {
        Some('^') => text.to_uppercase(),
        Some('#') if matches!(conv, 'a' | 'A' | 'b' | 'B' | 'h') => text.to_uppercase(),
        Some('#') if matches!(conv, 'p' | 'Z') => text.to_lowercase(),
        _ => text,
    })
}

fn apply_width(text: String, width: &str, conv: char, flag: Option<char>) -> String {
    let Ok(w) = width.parse::<usize>() else {
        return text;
    };
    let len = text.chars().count();
    if len >= w || flag == Some('-') {
        return text;
    }
    let pad = if flag == Some('_') {
        ' '
    } else if flag == Some('0') || NUMERIC.contains(conv) {
        '0'
    } else {
        ' '
    };
    let mut out: String = std::iter::repeat_n(pad, w - len).collect();
    if pad == '0' && (text.starts_with('-') || text.starts_with('+')) {
        // Sign stays in front of zero padding.
        let (sign, rest) = text.split_at(1);
        return format!("{sign}{out}{rest}");
    }
    out.push_str(&text);
    out
}

/// Zone abbreviation for `time.strftime('%Z')`. The host's abbreviation is not available
/// without a tz database; UTC hosts (the Docker image) get `UTC`, others the numeric form
/// glibc uses for zones without an abbreviation (`+08`).
fn zone_name(offset_secs: i32) -> String {
    if offset_secs == 0 {
        return "UTC".to_string();
    }
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let a = offset_secs.unsigned_abs();
    if a.is_multiple_of(3600) {
        format!("{sign}{:02}", a / 3600)
    } else {
        format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn dt() -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2024, 3, 1, 9, 5, 7)
            .unwrap()
            + chrono::Duration::microseconds(42)
    }

    #[test]
    fn python_directives() {
        let d = dt();
        assert_eq!(strftime(&d, "%Y-%m-%d", true), "2024-03-01");
        assert_eq!(
            strftime(&d, "%Y-%m-%d %H:%M:%S", true),
            "2024-03-01 09:05:07"
        );
        assert_eq!(strftime(&d, "%f", true), "000042");
        assert_eq!(
            strftime(&d, "%j %a %A %b %B %p %y", true),
            "061 Fri Friday Mar March AM 24"
        );
        assert_eq!(strftime(&d, "%I %w %u %e %%", true), "09 5 5  1 %");
        assert_eq!(strftime(&d, "%z%Z", true), "");
        assert_eq!(strftime(&d, "%z %Z", false), "+0800 +08");
        assert_eq!(strftime(&d, "%Y年%m月%d日", true), "2024年03月01日");
        assert_eq!(strftime(&d, "%c", true), "Fri Mar  1 09:05:07 2024");
        assert_eq!(
            strftime(&d, "%x %X %D %T %F", true),
            "03/01/24 09:05:07 03/01/24 09:05:07 2024-03-01"
        );
        assert_eq!(strftime(&d, "%s", true), "1709255107");
    }

    #[test]
    fn glibc_flags_and_unknowns() {
        let d = dt();
        assert_eq!(strftime(&d, "%-d/%-m %_H", true), "1/3  9");
        assert_eq!(strftime(&d, "%^a %^B", true), "FRI MARCH");
        assert_eq!(strftime(&d, "%5Y|%10B|", true), "02024|     March|");
        assert_eq!(strftime(&d, "%Q %E %", true), "%Q %E %");
        assert_eq!(strftime(&d, "%-", true), "%-");
        assert_eq!(strftime(&d, "", true), "");
    }
}
