//! JOSE, the parts alicem needs, parsed strictly: JWS compact serialization with
//! ES256 (required everywhere) and RS256 (for relying parties that only know RSA),
//! public JWKs for P-256 and RSA with RFC 7638 thumbprints, JWK Sets, and JWT time
//! checks.
//!
//! Why our own layer rather than `jsonwebtoken` or `josekit`: `josekit` is built on
//! OpenSSL; `jsonwebtoken` 11's RustCrypto backend and RustCrypto's `jose-jws` /
//! `jose-jwk` 0.1 are tied to the previous RustCrypto generation (p256 0.13, rsa 0.9,
//! sha2 0.10), which would put a second copy of every primitive in the build and make
//! our P-256 keys (p256 0.14) incompatible with theirs. We write only the encoding and
//! the checks; every primitive comes from the workspace's RustCrypto crates, except
//! the ES256 verification equation, which runs in `ring` (several times faster, and
//! several per login on the provider: see `crate::ecdsa`).
//!
//! Strictness, for every JOSE object from outside:
//! - sizes are bounded before anything is decoded ([`jws::Limits`]);
//! - base64url must be unpadded and canonical;
//! - JSON must be one object, without duplicate member names at any depth;
//! - `alg` must be on the allow-list ([`JwsAlgorithm`]): `none` and every other value
//!   is refused, and the algorithm must be the one of the verifying key (no algorithm
//!   confusion);
//! - `crit` is refused whatever it lists: we understand no extension;
//! - a JWK that carries private members is refused rather than ignored.
//!
//! Layout: [`header`] holds the protected-header checks common to every JOSE object,
//! so JWE (RSA-OAEP-256, ECDH-ES with A256GCM) can be added as a `jwe` module next to
//! [`jws`] with its own `JweHeader`, reusing [`b64`], [`header::parse_protected`],
//! [`Jwk`] and [`JwkSet`] (`use`/`alg` already model encryption keys).

pub mod alg;
pub mod b64;
mod error;
pub mod header;
pub(crate) mod json;
pub mod jwe;
pub mod jwk;
pub mod jwks;
pub mod jws;
pub mod jwt;
pub mod key;

pub use alg::JwsAlgorithm;
pub use error::JoseError;
pub use header::JwsHeader;
pub use jwk::{Jwk, JwkKey};
pub use jwks::JwkSet;
pub use jws::{UnverifiedJws, VerifiedJws};
pub use key::{JwsSigner, SigningKey, VerifyingKey};
