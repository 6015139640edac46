//! Selenium's `Keys` names (web-cases §2.2, Q6 Fix: case-insensitive, single characters
//! accepted, a clear error for anything else).

use super::error::WebError;

const KEYS: &[(&str, char)] = &[
    ("NULL", '\u{E000}'),
    ("CANCEL", '\u{E001}'),
    ("HELP", '\u{E002}'),
    ("BACKSPACE", '\u{E003}'),
    ("BACK_SPACE", '\u{E003}'),
    ("TAB", '\u{E004}'),
    ("CLEAR", '\u{E005}'),
    ("RETURN", '\u{E006}'),
    ("ENTER", '\u{E007}'),
    ("SHIFT", '\u{E008}'),
    ("LEFT_SHIFT", '\u{E008}'),
    ("CONTROL", '\u{E009}'),
    ("LEFT_CONTROL", '\u{E009}'),
    ("ALT", '\u{E00A}'),
    ("LEFT_ALT", '\u{E00A}'),
    ("PAUSE", '\u{E00B}'),
    ("ESCAPE", '\u{E00C}'),
    ("SPACE", '\u{E00D}'),
    ("PAGE_UP", '\u{E00E}'),
    ("PAGE_DOWN", '\u{E00F}'),
    ("END", '\u{E010}'),
    ("HOME", '\u{E011}'),
    ("LEFT", '\u{E012}'),
    ("ARROW_LEFT", '\u{E012}'),
    ("UP", '\u{E013}'),
    ("ARROW_UP", '\u{E013}'),
    ("RIGHT", '\u{E014}'),
    ("ARROW_RIGHT", '\u{E014}'),
    ("DOWN", '\u{E015}'),
    ("ARROW_DOWN", '\u{E015}'),
    ("INSERT", '\u{E016}'),
    ("DELETE", '\u{E017}'),
    ("SEMICOLON", '\u{E018}'),
    ("EQUALS", '\u{E019}'),
    ("NUMPAD0", '\u{E01A}'),
    ("NUMPAD1", '\u{E01B}'),
    ("NUMPAD2", '\u{E01C}'),
    ("NUMPAD3", '\u{E01D}'),
    ("NUMPAD4", '\u{E01E}'),
    ("NUMPAD5", '\u{E01F}'),
    ("NUMPAD6", '\u{E020}'),
    ("NUMPAD7", '\u{E021}'),
    ("NUMPAD8", '\u{E022}'),
    ("NUMPAD9", '\u{E023}'),
    ("MULTIPLY", '\u{E024}'),
    ("ADD", '\u{E025}'),
    ("SEPARATOR", '\u{E026}'),
    ("SUBTRACT", '\u{E027}'),
    ("DECIMAL", '\u{E028}'),
    ("DIVIDE", '\u{E029}'),
    ("F1", '\u{E031}'),
    ("F2", '\u{E032}'),
    ("F3", '\u{E033}'),
    ("F4", '\u{E034}'),
    ("F5", '\u{E035}'),
    ("F6", '\u{E036}'),
    ("F7", '\u{E037}'),
    ("F8", '\u{E038}'),
    ("F9", '\u{E039}'),
    ("F10", '\u{E03A}'),
    ("F11", '\u{E03B}'),
    ("F12", '\u{E03C}'),
    ("META", '\u{E03D}'),
    ("COMMAND", '\u{E03D}'),
];

/// The key for a `按下键位`/`释放键位` value.
pub fn key(value: &str) -> Result<char, WebError> {
    let upper = value.trim().to_ascii_uppercase();
    if let Some((_, c)) = KEYS.iter().find(|(n, _)| *n == upper) {
        return Ok(*c);
    }
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(WebError::Step(format!(
            "键位{value}不存在: unknown key {value:?} (use a Selenium Keys name such as ENTER, CONTROL, ARROW_DOWN, F5, or a single character)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_characters_work() {
        assert_eq!(key("ENTER").ok(), Some('\u{E007}'));
        assert_eq!(key("enter").ok(), Some('\u{E007}'));
        assert_eq!(key("a").ok(), Some('a'));
        assert!(key("NOPE").is_err());
    }
}
