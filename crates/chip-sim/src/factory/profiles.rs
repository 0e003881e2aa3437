//! Named chip profiles: what access control, Chip and Active Authentication a minted
//! chip supports, modelled on real document generations.

use alicem_emrtd::domain_parameters::{Curve, DhGroup, DomainParameters};
use alicem_emrtd::lds::security_infos::{CaProtocol, Cipher, KeyAgreement, Mapping, PaceProtocol};

use crate::profile::{
    AaHash, ActiveAuthenticationProfile, CaCommand, ChipAuthenticationProfile, ChipProfile,
    OversizeRead, PaceOffer,
};

/// How the face is encoded in DG2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceFormat {
    Jpeg,
    Jpeg2000,
}

/// A profile: the chip's behaviour and the document it belongs to.
#[derive(Debug, Clone)]
pub struct FactoryProfile {
    pub chip: ChipProfile,
    /// Default document type of the fictional holder ("P", "ID", "IR").
    pub document_type: &'static str,
    pub face: FaceFormat,
    /// PACE-CAM: the chip key is announced in a signed EF.CardSecurity.
    pub card_security: bool,
    pub description: &'static str,
}

fn pace(
    key_agreement: KeyAgreement,
    mapping: Mapping,
    cipher: Cipher,
    parameters: DomainParameters,
) -> PaceOffer {
    PaceOffer {
        protocol: PaceProtocol {
            key_agreement,
            mapping,
            cipher,
        },
        parameters,
    }
}

fn ecdh(mapping: Mapping, cipher: Cipher, curve: Curve) -> PaceOffer {
    pace(
        KeyAgreement::Ecdh,
        mapping,
        cipher,
        DomainParameters::Ecdh(curve),
    )
}

fn ca(
    cipher: Cipher,
    curve: Curve,
    command: CaCommand,
    announce_info: bool,
) -> ChipAuthenticationProfile {
    ChipAuthenticationProfile {
        protocol: CaProtocol {
            key_agreement: KeyAgreement::Ecdh,
            cipher,
        },
        parameters: DomainParameters::Ecdh(curve),
        key_id: None,
        command,
        announce_info,
    }
}

fn chip(name: &str) -> ChipProfile {
    ChipProfile {
        name: name.to_string(),
        bac: false,
        pace: Vec::new(),
        chip_authentication: None,
        active_authentication: None,
        extended_length: true,
        max_read: 1024,
        oversize_read: OversizeRead::WrongLength,
    }
}

const BP256: Curve = Curve::BrainpoolP256r1;

/// Every profile's name with its description.
pub const NAMES: &[&str] = &[
    "passport-bac",
    "passport-pace",
    "passport-fr",
    "passport-pace-nist",
    "passport-pace-dh",
    "id-card-fr",
    "id-card-cam",
    "residence-permit",
];

/// The profile called `name`.
pub fn profile(name: &str) -> Option<FactoryProfile> {
    let mut c = chip(name);
    let p = match name {
        "passport-bac" => {
            c.bac = true;
            c.extended_length = false;
            c.max_read = 0xDF;
            c.active_authentication = Some(ActiveAuthenticationProfile::Rsa {
                bits: 1024,
                hash: AaHash::Sha1,
            });
            FactoryProfile {
                chip: c,
                document_type: "P",
                face: FaceFormat::Jpeg2000,
                card_security: false,
                description: "first-generation passport: BAC only (3DES), RSA Active Authentication, JPEG 2000 face, short reads",
            }
        }
        "passport-pace" => {
            c.bac = true;
            c.pace = vec![ecdh(Mapping::Generic, Cipher::Aes128, BP256)];
            c.chip_authentication = Some(ca(Cipher::Aes128, BP256, CaCommand::SetAt, true));
            c.active_authentication = Some(ActiveAuthenticationProfile::Ecdsa {
                curve: BP256,
                hash: AaHash::Sha256,
            });
            FactoryProfile {
                chip: c,
                document_type: "P",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "PACE GM brainpoolP256r1 AES-128 and BAC, Chip Authentication ECDH, ECDSA Active Authentication",
            }
        }
        "passport-fr" => {
            c.bac = true;
            c.pace = vec![ecdh(Mapping::Generic, Cipher::Aes128, BP256)];
            c.chip_authentication = Some(ca(Cipher::Tdes, BP256, CaCommand::SetKat, false));
            c.active_authentication = Some(ActiveAuthenticationProfile::Rsa {
                bits: 1024,
                hash: AaHash::Sha1,
            });
            c.max_read = 0xE0;
            c.extended_length = false;
            FactoryProfile {
                chip: c,
                document_type: "P",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "French-style passport: PACE (AES) then Chip Authentication by MSE:Set KAT switching to 3DES, RSA Active Authentication",
            }
        }
        "passport-pace-nist" => {
            c.bac = true;
            c.pace = vec![
                ecdh(Mapping::Generic, Cipher::Aes128, Curve::NistP256),
                ecdh(Mapping::Integrated, Cipher::Aes128, Curve::NistP256),
            ];
            c.chip_authentication =
                Some(ca(Cipher::Aes256, Curve::NistP256, CaCommand::Both, true));
            c.active_authentication = Some(ActiveAuthenticationProfile::Ecdsa {
                curve: Curve::NistP256,
                hash: AaHash::Sha256,
            });
            FactoryProfile {
                chip: c,
                document_type: "P",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "PACE GM and IM on NIST P-256, Chip Authentication AES-256, ECDSA P-256 Active Authentication",
            }
        }
        "passport-pace-dh" => {
            c.bac = true;
            c.pace = vec![pace(
                KeyAgreement::Dh,
                Mapping::Generic,
                Cipher::Aes128,
                DomainParameters::Dh(DhGroup::Modp2048_256),
            )];
            c.active_authentication = Some(ActiveAuthenticationProfile::Rsa {
                bits: 1024,
                hash: AaHash::Sha256,
            });
            FactoryProfile {
                chip: c,
                document_type: "P",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "PACE DH GM (RFC 5114 2048/256) AES-128 and BAC, RSA Active Authentication with SHA-256",
            }
        }
        "id-card-fr" => {
            c.pace = vec![
                ecdh(Mapping::Generic, Cipher::Aes256, BP256),
                ecdh(Mapping::Integrated, Cipher::Aes256, BP256),
            ];
            FactoryProfile {
                chip: c,
                document_type: "ID",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "French-style identity card: PACE only (GM and IM, brainpoolP256r1, AES-256), TD1, CAN printed",
            }
        }
        "id-card-cam" => {
            c.pace = vec![
                ecdh(Mapping::ChipAuthentication, Cipher::Aes256, BP256),
                ecdh(Mapping::Generic, Cipher::Aes256, BP256),
            ];
            FactoryProfile {
                chip: c,
                document_type: "ID",
                face: FaceFormat::Jpeg,
                card_security: true,
                description: "identity card with PACE-CAM (brainpoolP256r1, AES-256), chip key in EF.CardSecurity",
            }
        }
        "residence-permit" => {
            c.bac = true;
            c.pace = vec![ecdh(Mapping::Generic, Cipher::Aes128, BP256)];
            c.chip_authentication = Some(ca(Cipher::Aes128, BP256, CaCommand::SetAt, true));
            FactoryProfile {
                chip: c,
                document_type: "IR",
                face: FaceFormat::Jpeg,
                card_security: false,
                description: "residence permit (TD1, document type IR): PACE GM and BAC, Chip Authentication",
            }
        }
        _ => return None,
    };
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_profile_exists_under_its_name() {
        for name in NAMES {
            let p = profile(name).unwrap();
            assert_eq!(p.chip.name, *name);
            assert!(
                p.chip.bac || !p.chip.pace.is_empty(),
                "{name} cannot be opened"
            );
        }
        assert!(profile("nonexistent").is_none());
    }
}
