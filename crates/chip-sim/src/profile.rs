//! What a virtual chip supports: access protocols, Chip and Active Authentication,
//! and how it answers reads. The factory writes EF.CardAccess / DG14 / DG15 to match.

use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::security_infos::{CaProtocol, PaceProtocol};
use serde::{Deserialize, Serialize};

/// The behaviour of one chip model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipProfile {
    /// A short name (`passport-bac`, `fr-cnie`, …).
    pub name: String,
    /// Whether Basic Access Control is accepted (with the MRZ).
    pub bac: bool,
    /// PACE offers, in EF.CardAccess order. Empty: no PACE (and no EF.CardAccess).
    pub pace: Vec<PaceOffer>,
    /// Chip Authentication v1 (keys announced in DG14).
    pub chip_authentication: Option<ChipAuthenticationProfile>,
    /// Active Authentication (public key in DG15).
    pub active_authentication: Option<ActiveAuthenticationProfile>,
    /// Whether extended-length APDUs are accepted.
    pub extended_length: bool,
    /// The largest number of bytes one READ BINARY returns.
    pub max_read: usize,
    /// What the chip does when asked for more than `max_read`.
    pub oversize_read: OversizeRead,
}

/// One PACEInfo: a protocol and its standardized domain parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceOffer {
    pub protocol: PaceProtocol,
    pub parameters: DomainParameters,
}

/// How the terminal must start Chip Authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaCommand {
    /// MSE:Set AT then GENERAL AUTHENTICATE (the usual form).
    SetAt,
    /// The legacy MSE:Set KAT carrying the ephemeral key (3DES chips, French passports).
    SetKat,
    /// Either.
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipAuthenticationProfile {
    pub protocol: CaProtocol,
    pub parameters: DomainParameters,
    pub key_id: Option<u64>,
    pub command: CaCommand,
    /// Whether DG14 carries a ChipAuthenticationInfo. Without it the protocol is
    /// implied (3DES), as on early chips.
    pub announce_info: bool,
}

/// The Active Authentication key type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum ActiveAuthenticationProfile {
    /// ISO/IEC 9796-2 scheme 1 with the given hash (`trailer` BC for SHA-1 implicit,
    /// otherwise the explicit two-byte trailer).
    Rsa { bits: usize, hash: AaHash },
    /// ECDSA, plain r‖s signature, announced by an ActiveAuthenticationInfo in DG14.
    Ecdsa { curve: Curve, hash: AaHash },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AaHash {
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-224")]
    Sha224,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

/// How a chip refuses a READ BINARY larger than it can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OversizeRead {
    /// 6700 wrong length.
    WrongLength,
    /// 6CXX with the length it would accept.
    WrongLe,
    /// Silently returns `max_read` bytes.
    Truncate,
}
