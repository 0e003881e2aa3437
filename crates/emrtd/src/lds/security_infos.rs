//! SecurityInfos (Doc 9303-11 §9.2, BSI TR-03110-3 §A.1): the protocol offers found in
//! EF.CardAccess, DG14 and EF.CardSecurity.
//!
//! A `SET OF SecurityInfo`, each `SEQUENCE { protocol OID, requiredData ANY, optionalData
//! ANY OPTIONAL }`. Known protocols are decoded into types; unknown ones are kept raw.

use const_oid::ObjectIdentifier;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode, Sequence, ValueOrd};
use serde::{Deserialize, Serialize};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::oid;

/// Why bytes are not valid SecurityInfos.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityInfosError {
    #[error("SecurityInfos are not valid DER: {0}")]
    Der(#[from] der::Error),
    #[error("{protocol} info is malformed: {reason}")]
    Malformed {
        protocol: ObjectIdentifier,
        reason: String,
    },
    #[error("DG14 does not start with tag 6E")]
    NotDg14,
}

/// Finite-field or elliptic-curve Diffie-Hellman.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyAgreement {
    Dh,
    Ecdh,
}

/// How PACE maps the nonce onto the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mapping {
    /// Generic Mapping: a Diffie-Hellman exchange gives the new generator.
    Generic,
    /// Integrated Mapping: the generator is derived from both nonces by a point encoding.
    Integrated,
    /// Chip Authentication Mapping: Generic Mapping plus the chip proving its static key.
    ChipAuthentication,
}

/// The block cipher and MAC of the session keys a protocol yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cipher {
    /// 3DES CBC with ISO 9797-1 MAC algorithm 3.
    #[serde(rename = "3DES")]
    Tdes,
    #[serde(rename = "AES-128")]
    Aes128,
    #[serde(rename = "AES-192")]
    Aes192,
    #[serde(rename = "AES-256")]
    Aes256,
}

impl Cipher {
    fn arc(self) -> u32 {
        match self {
            Cipher::Tdes => 1,
            Cipher::Aes128 => 2,
            Cipher::Aes192 => 3,
            Cipher::Aes256 => 4,
        }
    }

    fn from_arc(arc: u32) -> Option<Self> {
        Some(match arc {
            1 => Cipher::Tdes,
            2 => Cipher::Aes128,
            3 => Cipher::Aes192,
            4 => Cipher::Aes256,
            _ => return None,
        })
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Tdes | Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
        }
    }
}

/// A PACE protocol OID: key agreement, mapping and cipher (e.g. id-PACE-ECDH-GM-AES-CBC-CMAC-256).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaceProtocol {
    pub key_agreement: KeyAgreement,
    pub mapping: Mapping,
    pub cipher: Cipher,
}

impl PaceProtocol {
    fn mapping_arc(key_agreement: KeyAgreement, mapping: Mapping) -> Option<u32> {
        match (key_agreement, mapping) {
            (KeyAgreement::Dh, Mapping::Generic) => Some(1),
            (KeyAgreement::Ecdh, Mapping::Generic) => Some(2),
            (KeyAgreement::Dh, Mapping::Integrated) => Some(3),
            (KeyAgreement::Ecdh, Mapping::Integrated) => Some(4),
            (KeyAgreement::Ecdh, Mapping::ChipAuthentication) => Some(6),
            (KeyAgreement::Dh, Mapping::ChipAuthentication) => None,
        }
    }

    /// The protocol's OID; `None` for combinations the standards do not define
    /// (DH with CAM, CAM with 3DES).
    pub fn oid(self) -> Option<ObjectIdentifier> {
        if self.mapping == Mapping::ChipAuthentication && self.cipher == Cipher::Tdes {
            return None;
        }
        let arc = Self::mapping_arc(self.key_agreement, self.mapping)?;
        oid::PACE
            .push_arc(arc)
            .ok()?
            .push_arc(self.cipher.arc())
            .ok()
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        let [mapping_arc, cipher_arc] = child_arcs(oid, &oid::PACE)?;
        let (key_agreement, mapping) = match mapping_arc {
            1 => (KeyAgreement::Dh, Mapping::Generic),
            2 => (KeyAgreement::Ecdh, Mapping::Generic),
            3 => (KeyAgreement::Dh, Mapping::Integrated),
            4 => (KeyAgreement::Ecdh, Mapping::Integrated),
            6 => (KeyAgreement::Ecdh, Mapping::ChipAuthentication),
            _ => return None,
        };
        let protocol = Self {
            key_agreement,
            mapping,
            cipher: Cipher::from_arc(cipher_arc)?,
        };
        protocol.oid().is_some().then_some(protocol)
    }
}

/// A Chip Authentication protocol OID (id-CA-ECDH-AES-CBC-CMAC-128, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaProtocol {
    pub key_agreement: KeyAgreement,
    pub cipher: Cipher,
}

impl CaProtocol {
    pub fn oid(self) -> ObjectIdentifier {
        let base = match self.key_agreement {
            KeyAgreement::Dh => oid::CA_DH,
            KeyAgreement::Ecdh => oid::CA_ECDH,
        };
        // Arcs 1..4 always fit: push_arc only fails on overflow.
        base.push_arc(self.cipher.arc()).unwrap_or(base)
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        let [ka, cipher] = child_arcs(oid, &oid::CA)?;
        Some(Self {
            key_agreement: match ka {
                1 => KeyAgreement::Dh,
                2 => KeyAgreement::Ecdh,
                _ => return None,
            },
            cipher: Cipher::from_arc(cipher)?,
        })
    }
}

/// The two arcs following `parent` in `oid`, if `oid` is exactly two arcs below it.
fn child_arcs(oid: &ObjectIdentifier, parent: &ObjectIdentifier) -> Option<[u32; 2]> {
    let parent_len = parent.arcs().count();
    let arcs: Vec<u32> = oid.arcs().collect();
    if arcs.len() != parent_len + 2 || !arcs.iter().copied().zip(parent.arcs()).all(|(a, b)| a == b)
    {
        return None;
    }
    Some([*arcs.get(parent_len)?, *arcs.get(parent_len + 1)?])
}

/// PACEInfo: one PACE protocol the chip offers, with its standardized parameter id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    pub protocol: PaceProtocol,
    /// Must be 2.
    pub version: u64,
    /// A standardized domain parameter id (0–31) or a reference to a
    /// PACEDomainParameterInfo when proprietary parameters are used.
    pub parameter_id: Option<u64>,
}

/// PACEDomainParameterInfo: explicit (proprietary) PACE domain parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceDomainParameterInfo {
    /// id-PACE-DH-GM, id-PACE-ECDH-GM, … (without the cipher arc).
    pub protocol: ObjectIdentifier,
    pub domain_parameter: AlgorithmIdentifierOwned,
    pub parameter_id: Option<u64>,
}

/// ChipAuthenticationInfo: the Chip Authentication protocol and version offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    pub protocol: CaProtocol,
    /// 1 (or 2 for EAC2 chips; version 3 is PACE-CAM's).
    pub version: u64,
    pub key_id: Option<u64>,
}

/// ChipAuthenticationPublicKeyInfo: the chip's static key-agreement public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    pub key_agreement: KeyAgreement,
    pub public_key: SubjectPublicKeyInfoOwned,
    pub key_id: Option<u64>,
}

/// ActiveAuthenticationInfo: the signature algorithm of an ECDSA Active Authentication key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAuthenticationInfo {
    /// Must be 1.
    pub version: u64,
    /// e.g. ecdsa-plain-SHA256.
    pub signature_algorithm: ObjectIdentifier,
}

/// One SecurityInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfo {
    Pace(PaceInfo),
    PaceDomainParameters(PaceDomainParameterInfo),
    ChipAuthentication(ChipAuthenticationInfo),
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    ActiveAuthentication(ActiveAuthenticationInfo),
    TerminalAuthentication {
        version: u64,
    },
    /// A protocol this crate does not interpret (kept for completeness and re-encoding).
    Other {
        protocol: ObjectIdentifier,
        der: Vec<u8>,
    },
}

/// The generic wire form of one SecurityInfo.
#[derive(Debug, Clone, PartialEq, Eq, Sequence, ValueOrd)]
struct RawSecurityInfo {
    protocol: ObjectIdentifier,
    required_data: Any,
    #[asn1(optional = "true")]
    optional_data: Option<Any>,
}

fn malformed(protocol: ObjectIdentifier, reason: impl Into<String>) -> SecurityInfosError {
    SecurityInfosError::Malformed {
        protocol,
        reason: reason.into(),
    }
}

fn integer(protocol: ObjectIdentifier, any: &Any, what: &str) -> Result<u64, SecurityInfosError> {
    any.decode_as::<u64>()
        .map_err(|e| malformed(protocol, format!("{what}: {e}")))
}

fn optional_integer(
    protocol: ObjectIdentifier,
    any: Option<&Any>,
    what: &str,
) -> Result<Option<u64>, SecurityInfosError> {
    any.map(|a| integer(protocol, a, what)).transpose()
}

fn reencode<T: for<'a> Decode<'a>>(
    protocol: ObjectIdentifier,
    any: &Any,
    what: &str,
) -> Result<T, SecurityInfosError> {
    let der = any
        .to_der()
        .map_err(|e| malformed(protocol, format!("{what}: {e}")))?;
    T::from_der(&der).map_err(|e| malformed(protocol, format!("{what}: {e}")))
}

impl SecurityInfo {
    fn from_raw(raw: RawSecurityInfo) -> Result<Self, SecurityInfosError> {
        let p = raw.protocol;
        let opt = raw.optional_data.as_ref();
        if let Some(protocol) = PaceProtocol::from_oid(&p) {
            return Ok(SecurityInfo::Pace(PaceInfo {
                protocol,
                version: integer(p, &raw.required_data, "version")?,
                parameter_id: optional_integer(p, opt, "parameterId")?,
            }));
        }
        if let Some(protocol) = CaProtocol::from_oid(&p) {
            return Ok(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                protocol,
                version: integer(p, &raw.required_data, "version")?,
                key_id: optional_integer(p, opt, "keyId")?,
            }));
        }
        if p == oid::PK_DH || p == oid::PK_ECDH {
            return Ok(SecurityInfo::ChipAuthenticationPublicKey(
                ChipAuthenticationPublicKeyInfo {
                    key_agreement: if p == oid::PK_DH {
                        KeyAgreement::Dh
                    } else {
                        KeyAgreement::Ecdh
                    },
                    public_key: reencode(p, &raw.required_data, "chipAuthenticationPublicKey")?,
                    key_id: optional_integer(p, opt, "keyId")?,
                },
            ));
        }
        if child_arcs_one(&p, &oid::PACE).is_some_and(|arc| matches!(arc, 1..=4 | 6)) {
            return Ok(SecurityInfo::PaceDomainParameters(
                PaceDomainParameterInfo {
                    protocol: p,
                    domain_parameter: reencode(p, &raw.required_data, "domainParameter")?,
                    parameter_id: optional_integer(p, opt, "parameterId")?,
                },
            ));
        }
        if p == oid::AA_PROTOCOL {
            let signature_algorithm = opt
                .ok_or_else(|| malformed(p, "missing signatureAlgorithm"))?
                .decode_as::<ObjectIdentifier>()
                .map_err(|e| malformed(p, format!("signatureAlgorithm: {e}")))?;
            return Ok(SecurityInfo::ActiveAuthentication(
                ActiveAuthenticationInfo {
                    version: integer(p, &raw.required_data, "version")?,
                    signature_algorithm,
                },
            ));
        }
        if p == oid::TA {
            return Ok(SecurityInfo::TerminalAuthentication {
                version: integer(p, &raw.required_data, "version")?,
            });
        }
        Ok(SecurityInfo::Other {
            protocol: p,
            der: raw.to_der()?,
        })
    }

    fn to_raw(&self) -> Result<RawSecurityInfo, SecurityInfosError> {
        let int = |v: u64| Any::encode_from(&v);
        let raw = match self {
            SecurityInfo::Pace(info) => RawSecurityInfo {
                protocol: info
                    .protocol
                    .oid()
                    .ok_or_else(|| malformed(oid::PACE, "undefined PACE protocol combination"))?,
                required_data: int(info.version)?,
                optional_data: info.parameter_id.map(int).transpose()?,
            },
            SecurityInfo::PaceDomainParameters(info) => RawSecurityInfo {
                protocol: info.protocol,
                required_data: Any::encode_from(&info.domain_parameter)?,
                optional_data: info.parameter_id.map(int).transpose()?,
            },
            SecurityInfo::ChipAuthentication(info) => RawSecurityInfo {
                protocol: info.protocol.oid(),
                required_data: int(info.version)?,
                optional_data: info.key_id.map(int).transpose()?,
            },
            SecurityInfo::ChipAuthenticationPublicKey(info) => RawSecurityInfo {
                protocol: match info.key_agreement {
                    KeyAgreement::Dh => oid::PK_DH,
                    KeyAgreement::Ecdh => oid::PK_ECDH,
                },
                required_data: Any::encode_from(&info.public_key)?,
                optional_data: info.key_id.map(int).transpose()?,
            },
            SecurityInfo::ActiveAuthentication(info) => RawSecurityInfo {
                protocol: oid::AA_PROTOCOL,
                required_data: int(info.version)?,
                optional_data: Some(Any::encode_from(&info.signature_algorithm)?),
            },
            SecurityInfo::TerminalAuthentication { version } => RawSecurityInfo {
                protocol: oid::TA,
                required_data: int(*version)?,
                optional_data: None,
            },
            SecurityInfo::Other { der, .. } => RawSecurityInfo::from_der(der)?,
        };
        Ok(raw)
    }
}

/// The single arc following `parent` in `oid`, if `oid` is exactly one arc below it.
fn child_arcs_one(oid: &ObjectIdentifier, parent: &ObjectIdentifier) -> Option<u32> {
    let parent_len = parent.arcs().count();
    let arcs: Vec<u32> = oid.arcs().collect();
    if arcs.len() != parent_len + 1 || !arcs.iter().copied().zip(parent.arcs()).all(|(a, b)| a == b)
    {
        return None;
    }
    arcs.last().copied()
}

/// A set of SecurityInfos, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityInfos(pub Vec<SecurityInfo>);

impl SecurityInfos {
    /// Decodes a DER `SET OF SecurityInfo` (the content of EF.CardAccess, or of DG14 and
    /// EF.CardSecurity once unwrapped). Elements need not be sorted.
    pub fn from_der(bytes: &[u8]) -> Result<Self, SecurityInfosError> {
        let set = SetOfVec::<RawSecurityInfo>::from_der(bytes)?;
        let infos = set
            .into_vec()
            .into_iter()
            .map(SecurityInfo::from_raw)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(infos))
    }

    /// Decodes DG14: tag 6E wrapping the SecurityInfos.
    pub fn from_dg14(bytes: &[u8]) -> Result<Self, SecurityInfosError> {
        let any = Any::from_der(bytes)?;
        let dg14_tag = der::Tag::Application {
            constructed: true,
            number: der::TagNumber(14),
        };
        if any.header().tag() != dg14_tag {
            return Err(SecurityInfosError::NotDg14);
        }
        Self::from_der(any.value())
    }

    /// Encodes as a DER `SET OF SecurityInfo` (elements sorted as DER requires).
    pub fn to_der(&self) -> Result<Vec<u8>, SecurityInfosError> {
        let mut set = SetOfVec::new();
        for info in &self.0 {
            set.insert(info.to_raw()?)?;
        }
        Ok(set.to_der()?)
    }

    /// Encodes as DG14 (tag 6E).
    pub fn to_dg14(&self) -> Result<Vec<u8>, SecurityInfosError> {
        let inner = self.to_der()?;
        let any = Any::new(
            der::Tag::Application {
                constructed: true,
                number: der::TagNumber(14),
            },
            inner,
        )?;
        Ok(any.to_der()?)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SecurityInfo> {
        self.0.iter()
    }

    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }

    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(c) => Some(c),
            _ => None,
        })
    }

    pub fn chip_authentication_public_keys(
        &self,
    ) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.0.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) => Some(k),
            _ => None,
        })
    }

    pub fn active_authentication(&self) -> Option<&ActiveAuthenticationInfo> {
        self.0.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication(a) => Some(a),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain_parameters::{Curve, DomainParameters};

    #[test]
    fn decodes_card_access_of_icao_pace_example() {
        // EF.CardAccess of Doc 9303-11 Appendix G.1: id-PACE-ECDH-GM-AES-CBC-CMAC-128,
        // version 2, brainpoolP256r1 (id 13).
        let bytes = hex::decode("31143012060A04007F0007020204020202010202010D").unwrap();
        let infos = SecurityInfos::from_der(&bytes).unwrap();
        let pace: Vec<_> = infos.pace_infos().collect();
        assert_eq!(pace.len(), 1);
        let pace = pace[0];
        assert_eq!(
            pace.protocol,
            PaceProtocol {
                key_agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Generic,
                cipher: Cipher::Aes128
            }
        );
        assert_eq!(pace.version, 2);
        assert_eq!(
            pace.parameter_id
                .and_then(DomainParameters::from_standardized_id),
            Some(DomainParameters::Ecdh(Curve::BrainpoolP256r1))
        );
        assert_eq!(infos.to_der().unwrap(), bytes);
    }

    #[test]
    fn round_trips_every_known_info_and_keeps_unknown_ones() {
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oid::EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&oid::BRAINPOOL_P256R1).unwrap()),
            },
            subject_public_key: der::asn1::BitString::from_bytes(&[4; 65]).unwrap(),
        };
        let unknown = RawSecurityInfo {
            protocol: ObjectIdentifier::new_unwrap("1.2.3.4"),
            required_data: Any::encode_from(&5u64).unwrap(),
            optional_data: None,
        }
        .to_der()
        .unwrap();
        let infos = SecurityInfos(vec![
            SecurityInfo::Pace(PaceInfo {
                protocol: PaceProtocol {
                    key_agreement: KeyAgreement::Ecdh,
                    mapping: Mapping::ChipAuthentication,
                    cipher: Cipher::Aes256,
                },
                version: 2,
                parameter_id: Some(13),
            }),
            SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                protocol: CaProtocol {
                    key_agreement: KeyAgreement::Ecdh,
                    cipher: Cipher::Tdes,
                },
                version: 1,
                key_id: Some(1),
            }),
            SecurityInfo::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                key_agreement: KeyAgreement::Ecdh,
                public_key: spki,
                key_id: Some(1),
            }),
            SecurityInfo::ActiveAuthentication(ActiveAuthenticationInfo {
                version: 1,
                signature_algorithm: oid::ECDSA_PLAIN_SHA256,
            }),
            SecurityInfo::TerminalAuthentication { version: 1 },
            SecurityInfo::Other {
                protocol: ObjectIdentifier::new_unwrap("1.2.3.4"),
                der: unknown,
            },
        ]);
        let dg14 = infos.to_dg14().unwrap();
        assert_eq!(dg14[0], 0x6E);
        let decoded = SecurityInfos::from_dg14(&dg14).unwrap();
        let mut expected = infos.0.clone();
        let mut got = decoded.0.clone();
        let key = |i: &SecurityInfo| format!("{i:?}");
        expected.sort_by_key(key);
        got.sort_by_key(key);
        assert_eq!(got, expected);
    }

    #[test]
    fn rejects_cam_with_3des_and_unknown_mapping_arcs() {
        let cam_3des = oid::PACE.push_arc(6).unwrap().push_arc(1).unwrap();
        assert_eq!(PaceProtocol::from_oid(&cam_3des), None);
        let unknown = oid::PACE.push_arc(5).unwrap().push_arc(2).unwrap();
        assert_eq!(PaceProtocol::from_oid(&unknown), None);
    }

    #[test]
    fn names_the_protocol_of_a_malformed_info() {
        // PACEInfo whose version is an OCTET STRING.
        let bytes = hex::decode("31143012060A04007F00070202040202040101020112").unwrap();
        match SecurityInfos::from_der(&bytes) {
            Err(SecurityInfosError::Malformed { protocol, .. }) => {
                assert_eq!(protocol.to_string(), "0.4.0.127.0.7.2.2.4.2.2")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_truncated_input_without_panicking() {
        let bytes = hex::decode("31143012060A04007F0007020204020202010202010D").unwrap();
        for len in 0..bytes.len() {
            assert!(SecurityInfos::from_der(&bytes[..len]).is_err());
        }
        assert_eq!(
            SecurityInfos::from_dg14(&bytes),
            Err(SecurityInfosError::NotDg14)
        );
    }
}
