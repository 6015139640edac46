//! Text helpers shared by the reports: transaction logs (HTML fragments in the Python engine's
//! format) as plain text, and escaping for XML and HTML.

/// A transaction log as plain text: `<br>` becomes a line break and the few tags the engine
/// writes (`<span>`, `<b>`) go; everything else stays as it is (bodies are not HTML).
pub fn log_text(log: &str) -> String {
    log.replace("<br>", "\n")
        .replace("<span>", "")
        .replace("</span>", "")
        .replace("<b>", "")
        .replace("</b>", "")
}

/// Characters XML 1.0 cannot carry at all (most control characters, U+FFFE, U+FFFF) become
/// U+FFFD, so a hostile response body cannot break the report.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 => '\u{FFFD}',
        '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Escapes text for XML element content and attribute values.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values would normalise these to spaces.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for XML element content, keeping line breaks readable.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Seconds with millisecond precision, as JUnit wants them (`1.234`).
pub fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// A duration for people: `850 ms`, `3.2 s`, `2 min 5 s`.
pub fn human_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}"
        );
        assert_eq!(xml_text("a\nb<\u{FFFF}"), "a\nb&lt;\u{FFFD}");
        assert_eq!(
            html("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(
            log_text("a<br><br><span>请求体: x</span><br><b>y</b>"),
            "a\n\n请求体: x\ny"
        );
        assert_eq!(seconds(1234), "1.234");
        assert_eq!(human_ms(3200), "3.2 s");
    }
}
