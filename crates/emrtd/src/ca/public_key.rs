//! The chip's static key-agreement public key as stored in DG14 / EF.CardSecurity
//! (ChipAuthenticationPublicKeyInfo's SubjectPublicKeyInfo), in any of the encodings
//! chips use: named curve, standardized domain parameter id, or explicit parameters.

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, OctetString, Uint};
use der::{Any, Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::crypto::dh::{self, trim_leading_zeros};
use crate::crypto::ec;
use crate::domain_parameters::{Curve, DhGroup, DomainParameters};
use crate::oid;

/// PKCS#3 dhKeyAgreement.
const DH_KEY_AGREEMENT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.3.1");

/// Why a chip public key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicKeyError {
    #[error("unsupported public key algorithm {0}")]
    Algorithm(ObjectIdentifier),
    #[error("unknown or unsupported domain parameters")]
    Parameters,
    #[error("malformed public key: {0}")]
    Malformed(String),
}

impl From<der::Error> for PublicKeyError {
    fn from(e: der::Error) -> Self {
        PublicKeyError::Malformed(e.to_string())
    }
}

/// A static public key on a known group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipPublicKey {
    pub parameters: DomainParameters,
    /// An uncompressed point, or the DH public value (big-endian).
    pub public: Vec<u8>,
}

#[derive(Sequence)]
struct FieldId {
    field_type: ObjectIdentifier,
    parameters: Any,
}

#[derive(Sequence)]
struct CurveCoefficients {
    a: OctetString,
    b: OctetString,
    #[asn1(optional = "true")]
    seed: Option<BitString>,
}

/// X9.62 `SpecifiedECDomain` (explicit curve parameters).
#[derive(Sequence)]
struct ExplicitCurve {
    version: u8,
    field_id: FieldId,
    curve: CurveCoefficients,
    base: OctetString,
    order: Uint,
    #[asn1(optional = "true")]
    cofactor: Option<Uint>,
}

/// X9.42 DomainParameters (dhpublicnumber): p, g, q and optional extras.
#[derive(Sequence)]
struct DhDomain {
    p: Uint,
    g: Uint,
    #[asn1(optional = "true")]
    q: Option<Uint>,
}

fn curve_from_explicit(params: &Any) -> Result<Curve, PublicKeyError> {
    let explicit: ExplicitCurve = params.decode_as()?;
    let prime: Uint = explicit.field_id.parameters.decode_as()?;
    Curve::ALL
        .into_iter()
        .find(|&c| {
            let ops = ec::ops(c);
            trim_leading_zeros(&ops.prime()) == prime.as_bytes()
                && ops.generator() == explicit.base.as_bytes()
                && trim_leading_zeros(&ops.order()) == explicit.order.as_bytes()
        })
        .ok_or(PublicKeyError::Parameters)
}

fn dh_group_from(params: &Any) -> Result<DhGroup, PublicKeyError> {
    // X9.42 (p, g, q…) and PKCS#3 (p, g, l) both start with p and g.
    let seq: Vec<Any> = params.decode_as()?;
    let p: Uint = seq.first().ok_or(PublicKeyError::Parameters)?.decode_as()?;
    let g: Uint = seq.get(1).ok_or(PublicKeyError::Parameters)?.decode_as()?;
    [
        DhGroup::Modp1024_160,
        DhGroup::Modp2048_224,
        DhGroup::Modp2048_256,
    ]
    .into_iter()
    .find(|&group| {
        dh::params(group).is_ok_and(|d| {
            trim_leading_zeros(&d.p_bytes()) == p.as_bytes()
                && trim_leading_zeros(&d.generator()) == g.as_bytes()
        })
    })
    .ok_or(PublicKeyError::Parameters)
}

fn dh_public_value(bits: &BitString) -> Vec<u8> {
    let raw = bits.raw_bytes();
    match Uint::from_der(raw) {
        Ok(y) => y.as_bytes().to_vec(),
        Err(_) => raw.to_vec(),
    }
}

impl ChipPublicKey {
    /// Interprets a SubjectPublicKeyInfo from ChipAuthenticationPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, PublicKeyError> {
        let algorithm = &spki.algorithm;
        let params = algorithm.parameters.as_ref();
        let parameters = if algorithm.oid == oid::STANDARDIZED_DOMAIN_PARAMETERS {
            let id: u64 = params.ok_or(PublicKeyError::Parameters)?.decode_as()?;
            DomainParameters::from_standardized_id(id).ok_or(PublicKeyError::Parameters)?
        } else if algorithm.oid == oid::EC_PUBLIC_KEY {
            let params = params.ok_or(PublicKeyError::Parameters)?;
            match params.decode_as::<ObjectIdentifier>() {
                Ok(curve_oid) => DomainParameters::Ecdh(
                    Curve::from_oid(&curve_oid).ok_or(PublicKeyError::Parameters)?,
                ),
                Err(_) => DomainParameters::Ecdh(curve_from_explicit(params)?),
            }
        } else if algorithm.oid == oid::DH_PUBLIC_NUMBER || algorithm.oid == DH_KEY_AGREEMENT {
            DomainParameters::Dh(dh_group_from(params.ok_or(PublicKeyError::Parameters)?)?)
        } else {
            return Err(PublicKeyError::Algorithm(algorithm.oid));
        };
        let public = match parameters {
            DomainParameters::Ecdh(_) => spki.subject_public_key.raw_bytes().to_vec(),
            DomainParameters::Dh(_) => dh_public_value(&spki.subject_public_key),
        };
        Ok(Self { parameters, public })
    }

    /// Encodes the key as a SubjectPublicKeyInfo: named curve for EC, X9.42 parameters
    /// for DH (the forms most verifiers understand).
    pub fn to_spki(&self) -> Result<SubjectPublicKeyInfoOwned, PublicKeyError> {
        match self.parameters {
            DomainParameters::Ecdh(curve) => Ok(SubjectPublicKeyInfoOwned {
                algorithm: AlgorithmIdentifierOwned {
                    oid: oid::EC_PUBLIC_KEY,
                    parameters: Some(Any::encode_from(&curve.oid())?),
                },
                subject_public_key: BitString::from_bytes(&self.public)?,
            }),
            DomainParameters::Dh(group) => {
                let d = dh::params(group).map_err(|_| PublicKeyError::Parameters)?;
                let domain = DhDomain {
                    p: Uint::new(&d.p_bytes())?,
                    g: Uint::new(&d.generator())?,
                    q: Some(Uint::new(&d.q_bytes())?),
                };
                let y = Uint::new(&self.public)?;
                Ok(SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: oid::DH_PUBLIC_NUMBER,
                        parameters: Some(Any::encode_from(&domain)?),
                    },
                    subject_public_key: BitString::from_bytes(&y.to_der()?)?,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lds::security_infos::{SecurityInfo, SecurityInfos};

    #[test]
    fn reads_the_standardized_parameter_key_of_appendix_i() {
        let info = hex::decode(
            "3062060904007F000702020102305230\
             0C060704007F0007010202010D034200\
             041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610D\
             C884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F02010D",
        )
        .unwrap();
        let mut set = vec![0x31, info.len() as u8];
        set.extend(&info);
        let infos = SecurityInfos::from_der(&set).unwrap();
        let SecurityInfo::ChipAuthenticationPublicKey(pk) = &infos.0[0] else {
            panic!("not a CA public key info")
        };
        assert_eq!(pk.key_id, Some(13));
        let key = ChipPublicKey::from_spki(&pk.public_key).unwrap();
        assert_eq!(
            key.parameters,
            DomainParameters::Ecdh(Curve::BrainpoolP256r1)
        );
        assert_eq!(key.public.len(), 65);
    }

    #[test]
    fn round_trips_ec_and_dh_keys_through_spki() {
        let ec = ChipPublicKey {
            parameters: DomainParameters::Ecdh(Curve::NistP384),
            public: ec::ops(Curve::NistP384).generator(),
        };
        assert_eq!(
            ChipPublicKey::from_spki(&ec.to_spki().unwrap()).unwrap(),
            ec
        );
        let d = dh::params(DhGroup::Modp2048_256).unwrap();
        let dh = ChipPublicKey {
            parameters: DomainParameters::Dh(DhGroup::Modp2048_256),
            public: trim_leading_zeros(&d.generator()).to_vec(),
        };
        assert_eq!(
            ChipPublicKey::from_spki(&dh.to_spki().unwrap()).unwrap(),
            dh
        );
    }

    #[test]
    fn recognises_explicit_curve_parameters() {
        // brainpoolP256r1 spelled out, as some DG14s do.
        let ops = ec::ops(Curve::BrainpoolP256r1);
        let explicit = ExplicitCurve {
            version: 1,
            field_id: FieldId {
                field_type: ObjectIdentifier::new_unwrap("1.2.840.10045.1.1"),
                parameters: Any::encode_from(&Uint::new(&ops.prime()).unwrap()).unwrap(),
            },
            curve: CurveCoefficients {
                a: OctetString::new(vec![1]).unwrap(),
                b: OctetString::new(vec![2]).unwrap(),
                seed: None,
            },
            base: OctetString::new(ops.generator()).unwrap(),
            order: Uint::new(&ops.order()).unwrap(),
            cofactor: Some(Uint::new(&[1]).unwrap()),
        };
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oid::EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&explicit).unwrap()),
            },
            subject_public_key: BitString::from_bytes(&ops.generator()).unwrap(),
        };
        assert_eq!(
            ChipPublicKey::from_spki(&spki).unwrap().parameters,
            DomainParameters::Ecdh(Curve::BrainpoolP256r1)
        );
    }
}
