//! Everything that talks to the LiuMa platform: HTTP API, token, WebSocket and wire types.

pub mod client;
pub mod error;
pub mod wire;
pub mod ws;

pub use client::PlatformClient;
pub use error::PlatformError;
