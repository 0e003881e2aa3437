use thiserror::Error;

/// Why a JOSE object was refused or could not be produced. Messages name the part that
/// was wrong and never quote its content (a payload may hold civil-status data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JoseError {
    #[error("{what} is {len} bytes, more than the limit of {limit}")]
    TooLarge {
        what: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("malformed {what}: {reason}")]
    Malformed {
        what: &'static str,
        reason: &'static str,
    },
    #[error("{0} is not canonical unpadded base64url")]
    Base64(&'static str),
    #[error("{what} is not valid JSON ({reason})")]
    Json { what: &'static str, reason: String },
    #[error("{what} has the member {name:?} more than once")]
    DuplicateMember { what: &'static str, name: String },
    #[error("{what}: member {member:?} is missing or has the wrong type")]
    Member {
        what: &'static str,
        member: &'static str,
    },
    #[error("the \"none\" algorithm is never accepted")]
    AlgNone,
    #[error("algorithm {0:?} is not accepted (allowed: ES256, RS256)")]
    UnsupportedAlgorithm(String),
    #[error("critical header parameters (\"crit\") are not supported")]
    CriticalHeader,
    #[error("the token is signed with {token} but the key is for {key}")]
    AlgorithmMismatch {
        token: &'static str,
        key: &'static str,
    },
    #[error("no key of the key set matches the token (kid {kid:?}, alg {alg})")]
    NoMatchingKey {
        kid: Option<String>,
        alg: &'static str,
    },
    #[error("several keys of the key set match the token (kid {kid:?}, alg {alg})")]
    AmbiguousKey {
        kid: Option<String>,
        alg: &'static str,
    },
    #[error("signature verification failed")]
    BadSignature,
    #[error("invalid JWK: {0}")]
    InvalidJwk(&'static str),
    #[error(
        "the JWK contains private key material (member {0:?}); only public keys are accepted here"
    )]
    PrivateKeyMaterial(&'static str),
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    #[error("signing failed")]
    Signing,
    #[error("expected typ {expected:?}, found {found:?}")]
    UnexpectedType {
        expected: &'static str,
        found: Option<String>,
    },
    #[error("the token expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid { nbf: i64, now: i64 },
    #[error("the token was issued in the future (iat {iat}, now {now})")]
    IssuedInFuture { iat: i64, now: i64 },
}
