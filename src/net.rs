//! Process-wide network setup shared by the platform client and the case HTTP clients.

use std::sync::Once;

static PROVIDER: Once = Once::new();

/// rustls needs one crypto provider per process; ring is used for reqwest and the WebSocket.
pub fn ensure_crypto_provider() {
    PROVIDER.call_once(|| {
        // An error means another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
