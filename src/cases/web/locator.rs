//! Element locators (web-cases §1.5). Selenium 3.141 rewrote ID/NAME/CLASS/TAG to CSS before
//! sending them in W3C mode; that rewriting is done here explicitly (no escaping, like Selenium),
//! and the Selenium strategy name is kept for log lines.

use super::error::WebError;

/// A locator ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    /// Selenium's strategy name as it appears in logs (`id`, `class name`, …).
    pub selenium: &'static str,
    /// The element's expression as written (after rendering).
    pub expression: String,
    /// W3C strategy actually sent.
    pub using: &'static str,
    /// W3C value actually sent.
    pub value: String,
}

/// Selenium's strategy name for a platform `by` value; `None` for unsupported ones (Q16).
pub fn selenium_name(by: &str) -> Option<&'static str> {
    Some(match by {
        "ID" => "id",
        "NAME" => "name",
        "CLASS" => "class name",
        "TAG" => "tag name",
        "CSS" => "css selector",
        "XPATH" => "xpath",
        "LINK" => "link text",
        "PARTIAL" => "partial link text",
        _ => return None,
    })
}

/// Q16 Fix: the error for an unsupported `by`, raised when the case is loaded.
pub fn unsupported(by: &str, slot: &str) -> WebError {
    WebError::Step(format!("unsupported locator \"{by}\" in slot {slot}"))
}

impl Locator {
    /// Builds the locator for a validated `by` and a rendered expression.
    pub fn new(by: &str, slot: &str, expression: &str) -> Result<Locator, WebError> {
        let selenium = selenium_name(by).ok_or_else(|| unsupported(by, slot))?;
        let (using, value) = match by {
            "ID" => ("css selector", format!("[id=\"{expression}\"]")),
            "NAME" => ("css selector", format!("[name=\"{expression}\"]")),
            "CLASS" => ("css selector", format!(".{expression}")),
            "TAG" | "CSS" => ("css selector", expression.to_string()),
            "XPATH" => ("xpath", expression.to_string()),
            "LINK" => ("link text", expression.to_string()),
            _ => ("partial link text", expression.to_string()),
        };
        Ok(Locator {
            selenium,
            expression: expression.to_string(),
            using,
            value,
        })
    }

    /// `'By: <selenium by> Expression: <expr>'` of the find log lines (§3.4).
    pub fn describe(&self) -> String {
        format!("'By: {} Expression: {}'", self.selenium, self.expression)
    }

    /// `('<selenium by>', '<expression>')`: the Python tuple of the operation info block.
    pub fn py_tuple(&self) -> String {
        format!(
            "({}, {})",
            crate::value::str_repr(self.selenium),
            crate::value::str_repr(&self.expression)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_like_selenium_3() {
        let l = Locator::new("ID", "element", "kw").expect("ok");
        assert_eq!((l.using, l.value.as_str()), ("css selector", "[id=\"kw\"]"));
        assert_eq!(l.py_tuple(), "('id', 'kw')");
        let l = Locator::new("CLASS", "element", "a b").expect("ok");
        assert_eq!(l.value, ".a b");
        assert_eq!(
            Locator::new("PARTIAL", "e", "Ne").expect("ok").using,
            "partial link text"
        );
        let e = Locator::new("xpath", "frame", "//a").expect_err("lower case");
        assert_eq!(e.to_string(), "unsupported locator \"xpath\" in slot frame");
    }
}
