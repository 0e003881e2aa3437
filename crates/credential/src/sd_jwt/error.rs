use thiserror::Error;

use crate::jose::JoseError;

/// Why an SD-JWT, a disclosure or a presentation was refused. Claim names may appear
/// in messages; claim values never do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SdJwtError {
    #[error("{what} is {len} bytes, more than the limit of {limit}")]
    TooLarge {
        what: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("malformed SD-JWT: {0}")]
    Malformed(&'static str),
    #[error("more than {limit} disclosures")]
    TooManyDisclosures { limit: usize },
    #[error("issuer-signed JWT: {0}")]
    IssuerJwt(JoseError),
    #[error("key-binding JWT: {0}")]
    KeyBindingJwt(JoseError),
    #[error("disclosure {index}: {reason}")]
    Disclosure { index: usize, reason: String },
    #[error("issuer-signed JWT payload: {0}")]
    Payload(&'static str),
    #[error("unsupported _sd_alg (only sha-256 is accepted)")]
    UnsupportedHashAlgorithm,
    #[error("credential type (vct) is not the expected one")]
    UnexpectedVct,
    #[error("credential issuer (iss) is not the expected one")]
    UnexpectedIssuer,
    #[error("the same digest appears twice in _sd")]
    DuplicateDigest,
    #[error("the same disclosure is sent twice (claim {name:?})")]
    DuplicateDisclosure { name: String },
    #[error("disclosure of claim {name:?} is not referenced by the issuer-signed JWT")]
    UnreferencedDisclosure { name: String },
    #[error("claim {name:?} is disclosed more than once")]
    DuplicateClaim { name: String },
    #[error("disclosed claim {name:?} is also a clear claim of the issuer-signed JWT")]
    ClaimNameClash { name: String },
    #[error("claim {name:?} may not be selectively disclosable")]
    NonDisclosableClaim { name: String },
    #[error("claim {name:?} was disclosed but not requested")]
    UnrequestedClaim { name: String },
    #[error("claim {name:?} is not in the credential")]
    ClaimNotInCredential { name: String },
    #[error("a key-binding JWT is required")]
    KeyBindingMissing,
    #[error("an issued SD-JWT must not carry a key-binding JWT")]
    KeyBindingUnexpected,
    #[error("key-binding JWT nonce does not match this request")]
    NonceMismatch,
    #[error("key-binding JWT audience does not match this verifier")]
    AudienceMismatch,
    #[error("key-binding JWT issued at {iat} is too old (now {now})")]
    KeyBindingTooOld { iat: i64, now: i64 },
    #[error("key-binding JWT issued at {iat} is in the future (now {now})")]
    KeyBindingInFuture { iat: i64, now: i64 },
    #[error("key-binding JWT sd_hash does not match the presented SD-JWT")]
    SdHashMismatch,
    #[error("the signing key is not the holder key of the credential (cnf)")]
    HolderKeyMismatch,
}
