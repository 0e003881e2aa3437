//! The identity credential: an SD-JWT VC.
//!
//! Formats: Selective Disclosure for JWTs, RFC 9901 (November 2025), and SD-JWT-based
//! Verifiable Digital Credentials, draft-ietf-oauth-sd-jwt-vc (typ `dc+sd-jwt`,
//! `vct`, `cnf`). Why our own code rather than `sd-jwt-rs` (OpenWallet Foundation) or
//! `sd-jwt-payload` (IOTA): the first targets draft 7, signs through `jsonwebtoken` 9
//! (ring) and turns on serde_json's `preserve_order` for the whole build; the second
//! follows RFC 9901 but brings `iota-crypto`, `rand` 0.8, `anyhow` and an async signer
//! trait, and leaves signature and key-binding checks to the caller. Our credential
//! is flat (every claim at the top level, no arrays, no nesting), so the part we
//! write is small: it sits on [`crate::jose`] for every signature.
//!
//! Roles:
//! - [`issuer::issue`]: the server makes the credential (all civil-status claims
//!   selectively disclosable, bound to the wallet's device key by `cnf.jwk`).
//! - [`holder::SdJwtCredential`]: the wallet keeps it and [`present`]s only the claims a
//!   login asks for, with a Key-Binding JWT tied to that login's `nonce` and `aud`.
//! - [`verifier::verify_presentation`]: the server checks a presentation
//!   ([`verify_presentation_cached`] verifies the issuer's signature once per
//!   credential, see [`IssuerSignatureCache`]).
//!
//! What is deliberately not supported, and refused rather than ignored: array-element
//! disclosures, disclosures nested inside disclosed values, hash algorithms other than
//! SHA-256, and SD-JWTs without key binding at presentation time.
//!
//! [`present`]: holder::SdJwtCredential::present

mod compact;
pub mod disclosure;
mod error;
pub mod holder;
pub mod issuer;
mod issuer_cache;
pub mod payload;
pub mod verifier;

pub use disclosure::Disclosure;
pub use error::SdJwtError;
pub use holder::{KeyBindingInput, SdJwtCredential};
pub use issuer::{Issuance, issue};
pub use issuer_cache::{DEFAULT_ISSUER_CACHE_CAPACITY, IssuerSignatureCache};
pub use verifier::{
    PresentationPolicy, VerifiedPresentation, verify_presentation, verify_presentation_cached,
};

/// `typ` of the issuer-signed JWT of an SD-JWT VC.
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";
/// `typ` of a Key-Binding JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";
/// `_sd_alg`: the only digest algorithm we issue and accept.
pub const SD_ALG: &str = "sha-256";

/// Bound on a whole SD-JWT or presentation: the credential is about 2 KiB.
pub const MAX_SD_JWT_LEN: usize = 32 * 1024;
/// Bound on the number of disclosures (the credential has 8 claims).
pub const MAX_DISCLOSURES: usize = 32;
/// Bound on one encoded disclosure.
pub const MAX_DISCLOSURE_LEN: usize = 2048;

/// Claims that must stay in clear: SD-JWT's own members and those SD-JWT VC forbids
/// making selectively disclosable.
pub const NON_DISCLOSABLE_CLAIMS: [&str; 10] = [
    "_sd",
    "_sd_alg",
    "...",
    "iss",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "status",
];

/// base64url(SHA-256(ascii)): the digest of a disclosure and the `sd_hash` of a
/// presentation.
pub(crate) fn sha256_b64(ascii: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::jose::b64::encode(&Sha256::digest(ascii.as_bytes()))
}

#[cfg(test)]
mod tests;
