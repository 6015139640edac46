//! Everything that talks to the LiuMa platform: HTTP API, token, WebSocket and wire types.

pub mod client;
pub mod error;
mod json_out;
pub mod wire;
pub mod ws;

pub use client::PlatformClient;
pub use error::PlatformError;
