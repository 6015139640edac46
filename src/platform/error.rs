//! Errors from the platform, classified once at the boundary (HTTP status first, then envelope).

use thiserror::Error;

#[derive(Debug, Error, Clone)]
pub enum PlatformError {
    /// Connection refused, reset, DNS, timeout: the platform may come back.
    #[error("{endpoint}: cannot reach the platform: {reason}")]
    Transport { endpoint: String, reason: String },
    /// The request went out but no complete answer came back (timeout, connection reset): the
    /// platform may have acted on it. A non-idempotent call (result upload) must be reconciled
    /// before it is repeated.
    #[error("{endpoint}: the request was sent but no answer arrived: {reason}")]
    NoAnswer { endpoint: String, reason: String },
    /// HTTP status other than 200: a server failure; the body is never interpreted.
    #[error("{endpoint}: the platform answered HTTP {status}")]
    Http { endpoint: String, status: u16 },
    /// HTTP 200 whose body is not the JSON envelope.
    #[error("{endpoint}: the platform's answer is not the JSON envelope: {snippet}")]
    NotJson { endpoint: String, snippet: String },
    /// A token error (2020/2030/2040) that a refresh did not cure.
    #[error("{endpoint}: the platform refused the token (status {status}: {detail})")]
    Token {
        endpoint: String,
        status: i64,
        detail: String,
    },
    /// 2050: the engine code or secret is wrong. Permanent.
    #[error(
        "the platform rejected this engine's credentials ({detail}): engine-code or engine-secret in [Engine] of the config file is wrong; copy both from the platform's engine management page"
    )]
    BadCredentials { detail: String },
    /// Any other envelope status (e.g. 1000 `文件不存在`).
    #[error("{endpoint}: the platform answered status {status} {message}: {detail}")]
    Rejected {
        endpoint: String,
        status: i64,
        message: String,
        detail: String,
    },
    /// The answer had the right shape but unusable content.
    #[error("{endpoint}: unexpected answer: {reason}")]
    Protocol { endpoint: String, reason: String },
}

impl PlatformError {
    /// An envelope with a status the caller cannot use: the reason is in `data` (§1.3).
    pub fn rejected(endpoint: &str, env: super::wire::Envelope) -> Self {
        PlatformError::Rejected {
            endpoint: endpoint.to_string(),
            status: env.status,
            message: env.message.unwrap_or_default(),
            detail: match env.data {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
        }
    }

    /// Whether trying again later can succeed.
    pub fn is_transient(&self) -> bool {
        !matches!(self, PlatformError::BadCredentials { .. })
    }

    /// Whether this is the permanent credentials failure that must stop the engine.
    pub fn is_fatal(&self) -> bool {
        matches!(self, PlatformError::BadCredentials { .. })
    }

    /// Whether the platform may have processed the request although the call failed.
    pub fn may_have_arrived(&self) -> bool {
        matches!(self, PlatformError::NoAnswer { .. })
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            PlatformError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Envelope codes that mean "get a new token and try again" (§1.3).
pub fn is_token_status(status: i64) -> bool {
    matches!(status, 2020 | 2030 | 2040)
}

pub const BAD_CREDENTIALS: i64 = 2050;
