//! The identity credential and the cryptographic formats around it.
//!
//! - [`jose`]: JWS compact serialization (ES256, RS256), JWK / JWK Set, RFC 7638
//!   thumbprints and JWT time checks, parsed strictly. Shared by the whole project
//!   (the OIDC provider signs ID tokens and publishes its JWKS with it).
//! - [`sd_jwt`]: the SD-JWT VC identity credential (RFC 9901, SD-JWT VC draft):
//!   issuance by the server, selective presentation with a Key-Binding JWT by the
//!   wallet, verification by the server.
//! - [`attributes`]: from the chip's DG1 (MRZ) and DG11 to civil-status claims in the
//!   FranceConnect conventions.
//! - [`pin`]: the PIN proof scheme shared by wallet and server (see `docs/pin.md`).

pub mod attributes;
mod ecdsa;
pub mod jose;
pub mod pin;
pub mod rng;
pub mod sd_jwt;
