//! The configuration as it is now: read at start, replaced by a SIGHUP reload. Most of the
//! agent keeps the start-time `Config` (what needs a restart); the parts that follow a reload
//! read this handle or wait for its changes.

use crate::config::Config;
use std::sync::Arc;
use tokio::sync::watch;

/// A shared, swappable `Config`.
#[derive(Clone)]
pub struct Live(Arc<watch::Sender<Arc<Config>>>);

impl Live {
    pub fn new(cfg: Arc<Config>) -> Self {
        Self(Arc::new(watch::Sender::new(cfg)))
    }

    /// The current configuration.
    pub fn get(&self) -> Arc<Config> {
        self.0.borrow().clone()
    }

    /// A receiver that wakes at every reload.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Config>> {
        self.0.subscribe()
    }

    /// Makes `cfg` current and wakes every subscriber.
    pub fn replace(&self, cfg: Arc<Config>) {
        self.0.send_replace(cfg);
    }
}
