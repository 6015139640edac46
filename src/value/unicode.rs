//! Python `str` character predicates backed by tables generated from CPython.

use super::unicode_tables::{ALPHA, DIGIT, NON_PRINTABLE, SPACE};

fn in_table(table: &[u32], c: char) -> bool {
    let cp = c as u32;
    // Pairs are sorted and disjoint: binary search over pair starts.
    let pairs = table.len() / 2;
    let (mut lo, mut hi) = (0usize, pairs);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (start, end) = (table[2 * mid], table[2 * mid + 1]);
        if cp < start {
            hi = mid;
        } else if cp > end {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    false
}

/// `c.isprintable()`: decides which characters `repr()` keeps verbatim.
pub fn is_py_printable(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return (0x20..0x7f).contains(&cp);
    }
    !in_table(NON_PRINTABLE, c)
}

/// `c.isdigit()` (includes superscripts and other Numeric_Type=Digit characters).
pub fn is_py_digit(c: char) -> bool {
    in_table(DIGIT, c)
}

/// `c.isalpha()` (letters only; unlike `char::is_alphabetic`, no combining marks).
pub fn is_py_alpha(c: char) -> bool {
    in_table(ALPHA, c)
}

/// `c.isspace()`.
pub fn is_py_space(c: char) -> bool {
    in_table(SPACE, c)
}

/// `s.strip()` with Python's whitespace definition.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates() {
        assert!(is_py_printable('中'));
        assert!(!is_py_printable('\u{a0}'));
        assert!(!is_py_printable('\u{7f}'));
        assert!(is_py_digit('²'));
        assert!(!is_py_digit('½'));
        assert!(is_py_alpha('中'));
        assert!(!is_py_alpha('\u{93f}'));
        assert!(is_py_space('\u{1c}'));
        assert_eq!(py_strip("\u{3000} a \n"), "a");
    }
}
