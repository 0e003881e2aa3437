//! Chip images built in code for tests and demos: structurally valid files (TLV
//! headers, SecurityInfos in EF.CardAccess / DG14 / EF.CardSecurity, public keys in DG14
//! and DG15) and freshly generated keys, but no signature — these documents are for
//! exercising the reader, not Passive Authentication (the factory mints real ones).

use std::collections::BTreeMap;

use alicem_emrtd::ca::ChipPublicKey;
use alicem_emrtd::crypto::{Group, OsEntropy};
use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::security_infos::{
    ActiveAuthenticationInfo, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
    KeyAgreement, Mapping, PaceInfo, SecurityInfo, SecurityInfos,
};
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::mrz::check_digit;
use alicem_emrtd::{oid, tlv};
use der::{Any, Encode};
use pkcs8::{EncodePrivateKey, EncodePublicKey};

use crate::image::{ChipImage, ChipKeys, DocumentAccess, PrivateKey};
use crate::profile::{AaHash, ActiveAuthenticationProfile, ChipProfile};

/// Why an image could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the test image: {0}")]
pub struct BuildError(String);

fn err(e: impl std::fmt::Display) -> BuildError {
    BuildError(e.to_string())
}

/// The two lines of a TD3 (passport) MRZ with correct check digits.
pub fn td3_mrz(document_number: &str, birth: &str, expiry: &str, surname: &str) -> Vec<String> {
    let mut line1 = format!("P<UTO{surname}<<TEST<PERSON");
    line1 = format!("{line1:<<44}");
    line1.truncate(44);
    let number = format!("{document_number:<<9}");
    let cd = |s: &str| char::from(b'0' + check_digit(s));
    let optional = "<".repeat(14);
    let mut line2 = format!(
        "{number}{}UTO{birth}{}F{expiry}{}{optional}{}",
        cd(&number),
        cd(birth),
        cd(expiry),
        cd(&optional)
    );
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    line2.push(cd(&composite));
    vec![line1, line2]
}

/// What to put in the image besides the profile.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub profile: ChipProfile,
    pub mrz: Vec<String>,
    pub can: String,
    /// Size of the (random) face image data in DG2.
    pub dg2_size: usize,
}

impl ImageSpec {
    pub fn new(profile: ChipProfile) -> Self {
        Self {
            profile,
            mrz: td3_mrz("TST123456", "800101", "350101", "SPECIMEN"),
            can: "123456".into(),
            dg2_size: 3000,
        }
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    getrandom_fill(&mut out);
    out
}

fn getrandom_fill(buf: &mut [u8]) {
    use alicem_emrtd::crypto::Entropy;
    // The OS generator does not fail on supported platforms; a zero buffer would only
    // make test files less random.
    let _ = OsEntropy.fill(buf);
}

fn ec_scalar(curve: Curve) -> Result<Vec<u8>, BuildError> {
    let group = Group::new(DomainParameters::Ecdh(curve)).map_err(err)?;
    Ok(group
        .generate_private(&mut OsEntropy)
        .map_err(err)?
        .as_bytes()
        .to_vec())
}

fn public_of(key: &PrivateKey) -> Result<ChipPublicKey, BuildError> {
    let (parameters, private) = match key {
        PrivateKey::Ec { curve, scalar } => (DomainParameters::Ecdh(*curve), scalar),
        PrivateKey::Dh { group, x } => (DomainParameters::Dh(*group), x),
        PrivateKey::Rsa { .. } => return Err(BuildError("RSA is not a key-agreement key".into())),
    };
    let group = Group::new(parameters).map_err(err)?;
    let sk = group.private_from_bytes(private).map_err(err)?;
    let pk = group.public(&group.generator(), &sk).map_err(err)?;
    Ok(ChipPublicKey {
        parameters,
        public: group.encode_public(&pk),
    })
}

fn wrap(tag: u32, value: &[u8]) -> Vec<u8> {
    tlv::encode(tag, value)
}

fn ef_com(groups: &[DataGroup]) -> Vec<u8> {
    let mut inner = wrap(0x5F01, b"0107");
    inner.extend(wrap(0x5F36, b"040000"));
    let tags: Vec<u8> = groups.iter().map(|g| g.tag()).collect();
    inner.extend(wrap(0x5C, &tags));
    wrap(0x60, &inner)
}

fn card_security(infos: &SecurityInfos) -> Result<Vec<u8>, BuildError> {
    let content = der::asn1::OctetString::new(infos.to_der().map_err(err)?).map_err(err)?;
    let signed = cms::signed_data::SignedData {
        version: cms::content_info::CmsVersion::V3,
        digest_algorithms: Default::default(),
        encap_content_info: cms::signed_data::EncapsulatedContentInfo {
            econtent_type: oid::SECURITY_OBJECT,
            econtent: Some(Any::encode_from(&content).map_err(err)?),
        },
        certificates: None,
        crls: None,
        signer_infos: cms::signed_data::SignerInfos(Default::default()),
    };
    let info = cms::content_info::ContentInfo {
        content_type: const_oid::db::rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(err)?,
    };
    info.to_der().map_err(err)
}

fn ecdsa_oid(hash: AaHash) -> const_oid::ObjectIdentifier {
    match hash {
        AaHash::Sha1 => oid::ECDSA_PLAIN_SHA1,
        AaHash::Sha224 => oid::ECDSA_PLAIN_SHA224,
        AaHash::Sha256 => oid::ECDSA_PLAIN_SHA256,
        AaHash::Sha384 => oid::ECDSA_PLAIN_SHA384,
        AaHash::Sha512 => oid::ECDSA_PLAIN_SHA512,
    }
}

/// Builds an image for `spec`, generating the keys its profile needs.
pub fn build(spec: &ImageSpec) -> Result<ChipImage, BuildError> {
    let profile = &spec.profile;
    let mut files = BTreeMap::new();
    let mut groups = vec![DataGroup::DG1, DataGroup::DG2];

    // Chip Authentication / PACE-CAM key.
    let cam_curve = profile
        .pace
        .iter()
        .find_map(|o| match (o.protocol.mapping, o.parameters) {
            (Mapping::ChipAuthentication, DomainParameters::Ecdh(c)) => Some(c),
            _ => None,
        });
    let ca_parameters = profile.chip_authentication.map(|c| c.parameters);
    if let (Some(cam), Some(ca)) = (cam_curve, ca_parameters)
        && ca != DomainParameters::Ecdh(cam)
    {
        return Err(BuildError(
            "Chip Authentication and PACE-CAM must use the same key and curve".into(),
        ));
    }
    let ca_key = match ca_parameters.or(cam_curve.map(DomainParameters::Ecdh)) {
        Some(DomainParameters::Ecdh(curve)) => Some(PrivateKey::Ec {
            curve,
            scalar: ec_scalar(curve)?,
        }),
        Some(DomainParameters::Dh(group)) => {
            let g = Group::new(DomainParameters::Dh(group)).map_err(err)?;
            Some(PrivateKey::Dh {
                group,
                x: g.generate_private(&mut OsEntropy)
                    .map_err(err)?
                    .as_bytes()
                    .to_vec(),
            })
        }
        None => None,
    };
    let ca_public = ca_key.as_ref().map(public_of).transpose()?;

    // Active Authentication key.
    let mut rng = rand::rng();
    let (aa_key, dg15) = match profile.active_authentication {
        Some(ActiveAuthenticationProfile::Rsa { bits, .. }) => {
            let key = rsa::RsaPrivateKey::new(&mut rng, bits).map_err(err)?;
            let spki = key.to_public_key().to_public_key_der().map_err(err)?;
            let pkcs8 = key.to_pkcs8_der().map_err(err)?;
            (
                Some(PrivateKey::Rsa {
                    pkcs8: pkcs8.as_bytes().to_vec(),
                }),
                Some(wrap(0x6F, spki.as_bytes())),
            )
        }
        Some(ActiveAuthenticationProfile::Ecdsa { curve, .. }) => {
            let key = PrivateKey::Ec {
                curve,
                scalar: ec_scalar(curve)?,
            };
            let spki = public_of(&key)?
                .to_spki()
                .map_err(err)?
                .to_der()
                .map_err(err)?;
            (Some(key), Some(wrap(0x6F, &spki)))
        }
        None => (None, None),
    };

    // PACE infos, shared by EF.CardAccess, DG14 and EF.CardSecurity.
    let pace_infos: Vec<SecurityInfo> = profile
        .pace
        .iter()
        .map(|o| {
            SecurityInfo::Pace(PaceInfo {
                protocol: o.protocol,
                version: 2,
                parameter_id: Some(u64::from(o.parameters.standardized_id())),
            })
        })
        .collect();
    if !pace_infos.is_empty() {
        files.insert(
            FileId::CardAccess,
            SecurityInfos(pace_infos.clone()).to_der().map_err(err)?,
        );
    }

    let key_agreement = |p: DomainParameters| match p {
        DomainParameters::Dh(_) => KeyAgreement::Dh,
        DomainParameters::Ecdh(_) => KeyAgreement::Ecdh,
    };
    let mut dg14 = pace_infos.clone();
    if let (Some(ca), Some(public)) = (profile.chip_authentication, &ca_public) {
        if ca.announce_info {
            dg14.push(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                protocol: ca.protocol,
                version: 1,
                key_id: ca.key_id,
            }));
        }
        dg14.push(SecurityInfo::ChipAuthenticationPublicKey(
            ChipAuthenticationPublicKeyInfo {
                key_agreement: key_agreement(public.parameters),
                public_key: public.to_spki().map_err(err)?,
                key_id: ca.key_id,
            },
        ));
    }
    if let Some(ActiveAuthenticationProfile::Ecdsa { hash, .. }) = profile.active_authentication {
        dg14.push(SecurityInfo::ActiveAuthentication(
            ActiveAuthenticationInfo {
                version: 1,
                signature_algorithm: ecdsa_oid(hash),
            },
        ));
    }
    if dg14.len() > pace_infos.len() || !pace_infos.is_empty() {
        files.insert(
            FileId::Dg(DataGroup::DG14),
            SecurityInfos(dg14).to_dg14().map_err(err)?,
        );
        groups.push(DataGroup::DG14);
    }
    if !pace_infos.is_empty() {
        let mut infos = pace_infos.clone();
        if let (Some(curve), Some(public)) = (cam_curve, &ca_public) {
            infos.push(SecurityInfo::ChipAuthenticationPublicKey(
                ChipAuthenticationPublicKeyInfo {
                    key_agreement: KeyAgreement::Ecdh,
                    public_key: public.to_spki().map_err(err)?,
                    key_id: Some(u64::from(DomainParameters::Ecdh(curve).standardized_id())),
                },
            ));
        }
        files.insert(FileId::CardSecurity, card_security(&SecurityInfos(infos))?);
    }
    if let Some(dg15) = dg15 {
        files.insert(FileId::Dg(DataGroup::DG15), dg15);
        groups.push(DataGroup::DG15);
    }

    let mrz_text: String = spec.mrz.concat();
    files.insert(
        FileId::Dg(DataGroup::DG1),
        wrap(0x61, &wrap(0x5F1F, mrz_text.as_bytes())),
    );
    files.insert(
        FileId::Dg(DataGroup::DG2),
        wrap(0x75, &random_bytes(spec.dg2_size)),
    );
    files.insert(FileId::Sod, wrap(0x77, &random_bytes(1200)));
    files.insert(FileId::Com, ef_com(&groups));

    Ok(ChipImage {
        files,
        access: DocumentAccess {
            mrz: spec.mrz.clone(),
            can: spec.can.clone(),
        },
        profile: profile.clone(),
        keys: ChipKeys {
            chip_authentication: ca_key,
            active_authentication: aa_key,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alicem_emrtd::mrz::Mrz;

    #[test]
    fn generated_mrz_passes_its_own_check_digits() {
        let lines = td3_mrz("TST123456", "800101", "350101", "SPECIMEN");
        let mrz = Mrz::parse(&lines.join("\n")).unwrap();
        assert_eq!(mrz.document_number, "TST123456");
        assert_eq!(mrz.birth_date, "800101");
    }
}
