//! Key-agreement groups: the standardized domain parameters of Doc 9303-11 §9.5.1
//! (ids 0–18), named by what they are rather than by number.

use const_oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};

use crate::oid;

/// Elliptic curves usable for PACE and Chip Authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Curve {
    #[serde(rename = "P-192")]
    NistP192,
    #[serde(rename = "brainpoolP192r1")]
    BrainpoolP192r1,
    #[serde(rename = "P-224")]
    NistP224,
    #[serde(rename = "brainpoolP224r1")]
    BrainpoolP224r1,
    #[serde(rename = "P-256")]
    NistP256,
    #[serde(rename = "brainpoolP256r1")]
    BrainpoolP256r1,
    #[serde(rename = "brainpoolP320r1")]
    BrainpoolP320r1,
    #[serde(rename = "P-384")]
    NistP384,
    #[serde(rename = "brainpoolP384r1")]
    BrainpoolP384r1,
    #[serde(rename = "brainpoolP512r1")]
    BrainpoolP512r1,
    #[serde(rename = "P-521")]
    NistP521,
}

impl Curve {
    pub const ALL: [Curve; 11] = [
        Curve::NistP192,
        Curve::BrainpoolP192r1,
        Curve::NistP224,
        Curve::BrainpoolP224r1,
        Curve::NistP256,
        Curve::BrainpoolP256r1,
        Curve::BrainpoolP320r1,
        Curve::NistP384,
        Curve::BrainpoolP384r1,
        Curve::BrainpoolP512r1,
        Curve::NistP521,
    ];

    /// The named-curve OID used in `ECParameters`.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Curve::NistP192 => oid::SECP192R1,
            Curve::BrainpoolP192r1 => oid::BRAINPOOL_P192R1,
            Curve::NistP224 => oid::SECP224R1,
            Curve::BrainpoolP224r1 => oid::BRAINPOOL_P224R1,
            Curve::NistP256 => oid::SECP256R1,
            Curve::BrainpoolP256r1 => oid::BRAINPOOL_P256R1,
            Curve::BrainpoolP320r1 => oid::BRAINPOOL_P320R1,
            Curve::NistP384 => oid::SECP384R1,
            Curve::BrainpoolP384r1 => oid::BRAINPOOL_P384R1,
            Curve::BrainpoolP512r1 => oid::BRAINPOOL_P512R1,
            Curve::NistP521 => oid::SECP521R1,
        }
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.oid() == *oid)
    }

    /// The curve's usual name (as serialized): "P-256", "brainpoolP256r1", …
    pub fn name(self) -> &'static str {
        match self {
            Curve::NistP192 => "P-192",
            Curve::BrainpoolP192r1 => "brainpoolP192r1",
            Curve::NistP224 => "P-224",
            Curve::BrainpoolP224r1 => "brainpoolP224r1",
            Curve::NistP256 => "P-256",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP320r1 => "brainpoolP320r1",
            Curve::NistP384 => "P-384",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
            Curve::BrainpoolP512r1 => "brainpoolP512r1",
            Curve::NistP521 => "P-521",
        }
    }

    /// Size of a field element (and of one coordinate) in bytes.
    pub fn field_size(self) -> usize {
        match self {
            Curve::NistP192 | Curve::BrainpoolP192r1 => 24,
            Curve::NistP224 | Curve::BrainpoolP224r1 => 28,
            Curve::NistP256 | Curve::BrainpoolP256r1 => 32,
            Curve::BrainpoolP320r1 => 40,
            Curve::NistP384 | Curve::BrainpoolP384r1 => 48,
            Curve::BrainpoolP512r1 => 64,
            Curve::NistP521 => 66,
        }
    }
}

/// Finite-field Diffie-Hellman groups of RFC 5114 §2.1–2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DhGroup {
    /// 1024-bit MODP group with a 160-bit prime-order subgroup.
    #[serde(rename = "rfc5114-1024-160")]
    Modp1024_160,
    /// 2048-bit MODP group with a 224-bit prime-order subgroup.
    #[serde(rename = "rfc5114-2048-224")]
    Modp2048_224,
    /// 2048-bit MODP group with a 256-bit prime-order subgroup.
    #[serde(rename = "rfc5114-2048-256")]
    Modp2048_256,
}

/// A key-agreement group, identified in EF.CardAccess by a standardized parameter id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DomainParameters {
    Dh(DhGroup),
    Ecdh(Curve),
}

impl DomainParameters {
    /// The standardized domain parameter id (Doc 9303-11 Table 6).
    pub fn standardized_id(self) -> u8 {
        match self {
            DomainParameters::Dh(DhGroup::Modp1024_160) => 0,
            DomainParameters::Dh(DhGroup::Modp2048_224) => 1,
            DomainParameters::Dh(DhGroup::Modp2048_256) => 2,
            DomainParameters::Ecdh(curve) => match curve {
                Curve::NistP192 => 8,
                Curve::BrainpoolP192r1 => 9,
                Curve::NistP224 => 10,
                Curve::BrainpoolP224r1 => 11,
                Curve::NistP256 => 12,
                Curve::BrainpoolP256r1 => 13,
                Curve::BrainpoolP320r1 => 14,
                Curve::NistP384 => 15,
                Curve::BrainpoolP384r1 => 16,
                Curve::BrainpoolP512r1 => 17,
                Curve::NistP521 => 18,
            },
        }
    }

    /// The group for a standardized id; `None` for reserved ids (3–7, 19–31).
    pub fn from_standardized_id(id: u64) -> Option<Self> {
        Some(match id {
            0 => DomainParameters::Dh(DhGroup::Modp1024_160),
            1 => DomainParameters::Dh(DhGroup::Modp2048_224),
            2 => DomainParameters::Dh(DhGroup::Modp2048_256),
            8 => DomainParameters::Ecdh(Curve::NistP192),
            9 => DomainParameters::Ecdh(Curve::BrainpoolP192r1),
            10 => DomainParameters::Ecdh(Curve::NistP224),
            11 => DomainParameters::Ecdh(Curve::BrainpoolP224r1),
            12 => DomainParameters::Ecdh(Curve::NistP256),
            13 => DomainParameters::Ecdh(Curve::BrainpoolP256r1),
            14 => DomainParameters::Ecdh(Curve::BrainpoolP320r1),
            15 => DomainParameters::Ecdh(Curve::NistP384),
            16 => DomainParameters::Ecdh(Curve::BrainpoolP384r1),
            17 => DomainParameters::Ecdh(Curve::BrainpoolP512r1),
            18 => DomainParameters::Ecdh(Curve::NistP521),
            _ => return None,
        })
    }

    /// Rough security strength in bits, to choose the strongest offer.
    pub fn strength_bits(self) -> u32 {
        match self {
            DomainParameters::Dh(DhGroup::Modp1024_160) => 80,
            DomainParameters::Dh(DhGroup::Modp2048_224) => 112,
            DomainParameters::Dh(DhGroup::Modp2048_256) => 112,
            DomainParameters::Ecdh(curve) => (curve.field_size() as u32 * 8).min(521) / 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardized_ids_round_trip() {
        for id in 0..32u64 {
            if let Some(params) = DomainParameters::from_standardized_id(id) {
                assert_eq!(u64::from(params.standardized_id()), id);
            }
        }
        assert_eq!(
            DomainParameters::from_standardized_id(13),
            Some(DomainParameters::Ecdh(Curve::BrainpoolP256r1))
        );
        assert_eq!(DomainParameters::from_standardized_id(5), None);
    }

    #[test]
    fn curve_names_serialize_as_in_the_standards() {
        assert_eq!(
            serde_json::to_string(&Curve::BrainpoolP256r1).unwrap(),
            "\"brainpoolP256r1\""
        );
        assert_eq!(
            serde_json::to_string(&Curve::NistP521).unwrap(),
            "\"P-521\""
        );
    }
}
