//! Real HS256 JWTs, made and checked like the platform's `JwtUtils`
//! (java-jwt 3.8.2 with the hard-coded key `LiuMaTest_Secret`, spec §2.4).
//!
//! Real signatures matter: the engine may decode the payload to refresh
//! proactively, and a test can hand the engine a forged token to check that
//! it recovers from 2040.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The key every LiuMa installation signs with (spec §2.4).
pub const JWT_SECRET: &[u8] = b"LiuMaTest_Secret";

/// Why a token was refused; mapped to 2040 and 2030 by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, wrong algorithm or bad signature (2040).
    Invalid,
    /// Good signature but `exp` in the past (2030).
    Expired,
}

/// The claims the platform puts into an engine token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub engine_id: String,
    pub engine_secret: String,
    pub exp: i64,
    pub iat: i64,
}

fn mac() -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(JWT_SECRET).expect("hmac key")
}

/// Signs `claims`; the header is the one java-jwt emits.
pub fn sign(claims: &Claims) -> String {
    let header = json!({"typ": "JWT", "alg": "HS256"});
    let payload = json!({
        "engineId": claims.engine_id,
        "engineSecret": claims.engine_secret,
        "exp": claims.exp,
        "iat": claims.iat,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut m = mac();
    m.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

/// Checks signature first, then expiry, as java-jwt does.
pub fn verify(token: &str, now_secs: i64) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Invalid);
    };
    let header: Value = decode_json(h)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Invalid);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s.as_bytes())
        .map_err(|_| JwtError::Invalid)?;
    let mut m = mac();
    m.update(format!("{h}.{p}").as_bytes());
    m.verify_slice(&sig).map_err(|_| JwtError::Invalid)?;
    let payload: Value = decode_json(p)?;
    let text = |k: &str| {
        payload
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let claims = Claims {
        engine_id: text("engineId"),
        engine_secret: text("engineSecret"),
        exp: payload
            .get("exp")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX),
        iat: payload.get("iat").and_then(Value::as_i64).unwrap_or(0),
    };
    if claims.exp < now_secs {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

fn decode_json(part: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.as_bytes())
        .map_err(|_| JwtError::Invalid)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            engine_id: "e".into(),
            engine_secret: "s".into(),
            exp,
            iat: 100,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let t = sign(&claims(1000));
        assert!(t.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."));
        assert_eq!(verify(&t, 999), Ok(claims(1000)));
        assert_eq!(verify(&t, 1001), Err(JwtError::Expired));
    }

    #[test]
    fn tampering_is_invalid() {
        let t = sign(&claims(1000));
        let mut bad = t.clone();
        bad.push('x');
        assert_eq!(verify(&bad, 0), Err(JwtError::Invalid));
        assert_eq!(verify("******", 0), Err(JwtError::Invalid));
        assert_eq!(verify("", 0), Err(JwtError::Invalid));
        assert_eq!(verify("a.b.c.d", 0), Err(JwtError::Invalid));
    }
}
