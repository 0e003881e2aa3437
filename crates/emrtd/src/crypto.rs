//! The cryptographic building blocks of Doc 9303-11, shared by the reader and the
//! virtual chip: one implementation of each.
//!
//! Primitives come from RustCrypto (DES, AES, CBC, retail MAC, CMAC, SHA, the curves,
//! `crypto-bigint`); this module only assembles them the way ICAO specifies.

pub mod cipher;
pub mod dh;
pub mod ec;
pub mod entropy;
pub mod group;
pub mod kdf;
pub mod padding;

pub use entropy::{Entropy, OsEntropy, ScriptedEntropy};
pub use group::{Element, Group, PrivateKey};

/// A cryptographic operation failed on its inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("{0} is not supported")]
    Unsupported(String),
    #[error("invalid public key: {0}")]
    InvalidPublicKey(&'static str),
    #[error("invalid private key")]
    InvalidPrivateKey,
    #[error("data of {len} bytes is not a multiple of the {block}-byte block size")]
    NotBlockAligned { len: usize, block: usize },
    #[error("invalid key length {0}")]
    KeyLength(usize),
    #[error("invalid ISO/IEC 9797-1 padding")]
    Padding,
    #[error("the mapping produced an unusable generator")]
    DegenerateMapping,
    #[error("the operating system's random number generator failed")]
    Randomness,
    #[error("scripted entropy: {0}")]
    Script(String),
}
