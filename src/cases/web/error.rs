//! Why a WEB step or a browser start failed. The texts are what the transaction log shows.

/// A WEB error. `NoSuchElement` is kept apart because the Python engine logs it differently
/// (the operation adds no fail text of its own, web-cases §2.0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WebError {
    /// The browser or the driver could not be had: a case error naming the setting.
    #[error("{0}")]
    Setup(String),
    /// Find Element found nothing (Selenium's `NoSuchElementException`).
    #[error("{0}")]
    NoSuchElement(String),
    /// Any other WebDriver error, in Selenium's `Message: …` form.
    #[error("{0}")]
    Driver(String),
    /// An explicit wait ran out.
    #[error("{0}")]
    Timeout(String),
    /// An engine-side step error (unknown operation, unusable data, unsupported feature).
    #[error("{0}")]
    Step(String),
}

impl WebError {
    /// From a thirtyfour error: the WebDriver server's message, Selenium style.
    pub fn from_driver(e: thirtyfour::error::WebDriverError) -> WebError {
        use thirtyfour::error::WebDriverErrorInner as I;
        let info = match e.as_inner() {
            I::NoSuchElement(info) => {
                return WebError::NoSuchElement(format!("Message: {}", info.value.message));
            }
            I::NotInSpec(info)
            | I::ElementClickIntercepted(info)
            | I::ElementNotInteractable(info)
            | I::InsecureCertificate(info)
            | I::InvalidArgument(info)
            | I::InvalidCookieDomain(info)
            | I::InvalidElementState(info)
            | I::InvalidSelector(info)
            | I::InvalidSessionId(info)
            | I::JavascriptError(info)
            | I::MoveTargetOutOfBounds(info)
            | I::NoSuchAlert(info)
            | I::NoSuchCookie(info)
            | I::NoSuchFrame(info)
            | I::NoSuchWindow(info)
            | I::ScriptTimeout(info)
            | I::SessionNotCreated(info)
            | I::StaleElementReference(info)
            | I::WebDriverTimeout(info)
            | I::UnableToSetCookie(info)
            | I::UnableToCaptureScreen(info)
            | I::UnexpectedAlertOpen(info)
            | I::UnknownCommand(info)
            | I::UnknownError(info)
            | I::UnknownMethod(info)
            | I::UnsupportedOperation(info) => Some(info),
            _ => None,
        };
        match info {
            Some(info) => WebError::Driver(format!("Message: {}", info.value.message)),
            None => WebError::Driver(format!("Message: {e}")),
        }
    }

    /// Whether the error says there is no alert open (alert waits poll on it).
    pub fn is_no_alert(&self) -> bool {
        matches!(self, WebError::Driver(m) if m.contains("no such alert"))
    }
}
