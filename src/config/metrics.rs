//! `[Metrics]`: the optional HTTP listener serving `/metrics` (Prometheus text format),
//! `/healthz` and `/readyz`. Off by default: an engine that nobody scrapes opens no port.

use super::{ConfigError, IniFile};
use std::net::SocketAddr;

const SECTION: &str = "Metrics";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// `[Metrics] enabled`: serve the listener (and record metrics at all).
    pub enabled: bool,
    /// `[Metrics] listen`: address and port. Loopback by default: metrics tell task names and
    /// volumes; expose them beyond the machine only on purpose.
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: SocketAddr::from(([127, 0, 0, 1], 9465)),
        }
    }
}

impl MetricsConfig {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = MetricsConfig::default();
        let enabled = match ini.get(SECTION, "enabled") {
            None => d.enabled,
            Some(v) if v.is_empty() => d.enabled,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => true,
                "false" | "no" | "off" | "0" => false,
                _ => return Err(ini.invalid(SECTION, "enabled", &v, "expected true or false")),
            },
        };
        let listen = match ini.get(SECTION, "listen").filter(|v| !v.is_empty()) {
            None => d.listen,
            Some(v) => v.parse::<SocketAddr>().map_err(|_| {
                ini.invalid(
                    SECTION,
                    "listen",
                    &v,
                    "expected an address and port, e.g. 127.0.0.1:9465 (port 0 picks a free one)",
                )
            })?,
        };
        Ok(Self { enabled, listen })
    }
}
