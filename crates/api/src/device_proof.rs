//! How a device authenticates a request: a compact JWS (ES256, `typ`
//! [`PROOF_TYPE`]) by its device key, in the [`HEADER`] header, over the claims below.
//! Binding method, path and body hash means a proof cannot be moved to another
//! request; `jti` and `iat` let the server refuse replays (it remembers the `jti`s it
//! saw within [`MAX_AGE_SECONDS`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The HTTP header carrying the proof.
pub const HEADER: &str = "alicem-device-proof";
/// The JWS `typ`.
pub const PROOF_TYPE: &str = "alicem-device-proof+jwt";
/// How old (or how far in the future) a proof's `iat` may be.
pub const MAX_AGE_SECONDS: u64 = 60;

/// The signed claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceProofClaims {
    /// Whose key: the enrollment session id, or the identity id once approved.
    pub sub: String,
    /// HTTP method, upper case.
    pub htm: String,
    /// Request path (no scheme, host or query), e.g. `/v1/account/history`.
    pub htp: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Random, unique per proof (at least 16 bytes of entropy, base64url).
    pub jti: String,
    /// base64url SHA-256 of the exact request body (of the empty string for GET).
    pub body_sha256: String,
}

/// `body_sha256` for a body.
pub fn body_hash(body: &[u8]) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(&Sha256::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_hash_of_empty_body_is_sha256_of_nothing() {
        assert_eq!(
            body_hash(b""),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }
}
