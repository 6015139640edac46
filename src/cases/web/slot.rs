//! The driver slot of one collection (web-cases §4.2, Q28): the browser a case leaves open
//! for the next case of the same collection. Lives in the collection's context, so it is
//! dropped (and the browser killed) with it at the latest.

use super::driver::Browser;

#[derive(Debug, Default)]
pub struct WebSlot {
    /// The browser kept by a case with `closeDriver` false.
    pub browser: Option<Browser>,
    /// The task whose collection this is: screenshots go to `image/<taskId>/`.
    pub task_id: Option<String>,
}

impl WebSlot {
    pub fn for_task(task_id: &str) -> Self {
        Self {
            browser: None,
            task_id: Some(task_id.to_string()),
        }
    }

    /// Quits the kept browser, if any (collection end, Q10). Quit errors are logged only.
    pub async fn close(&mut self) {
        if let Some(b) = self.browser.take()
            && let Err(e) = b.quit().await
        {
            tracing::warn!("closing the collection's browser: {e}");
        }
    }

    /// Ends the kept browser at once (cancellation, shutdown).
    pub fn kill(&mut self) {
        if let Some(mut b) = self.browser.take() {
            b.kill();
        }
    }
}
