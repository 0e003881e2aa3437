//! The document factory: issues documents under a test PKI, good and deliberately bad.
//!
//! [`mint`] builds the chip's files (EF.COM, DG1, DG2, DG11, DG14, DG15, EF.CardAccess,
//! EF.CardSecurity, EF.SOD), its keys and profile as a [`ChipImage`], plus the PKI
//! artefacts a verifier trusts. [`MintedDocument::save`] writes them as:
//!
//! ```text
//! DIR/EF_COM.bin EF_SOD.bin DG1.bin DG2.bin [DG11.bin DG14.bin DG15.bin
//!     EF_CardAccess.bin EF_CardSecurity.bin]   the chip's files, named as the reader saves them
//! DIR/document.json   {"mrz": [lines], "can": "123456"}
//! DIR/chip.json       {"profile": …, "keys": {…}}  (private keys: test data only)
//! DIR/person.json     the holder data used (PERSON.json format)
//! DIR/CSCA.der        the CSCA certificate
//! DIR/masterlist.ml   a CSCA master list (CMS) containing it
//! DIR/DSC.der         the Document Signer certificate (also embedded in EF.SOD)
//! DIR/CSCA.crl        the CSCA's CRL (lists the DSC with the revoked-dsc fault)
//! ```

pub mod cms;
pub mod face;
pub mod faults;
pub mod keys;
pub mod person;
pub mod pki;
pub mod profiles;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::dg2::FaceEncoding;
use alicem_emrtd::lds::security_infos::{
    ActiveAuthenticationInfo, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
    KeyAgreement, Mapping, PaceInfo, SecurityInfo,
};
use alicem_emrtd::lds::sod::{DataGroupHash, LdsSecurityObject};
use alicem_emrtd::lds::{DataGroup, Dg2, Dg15, EfCom, FaceImage, FileId, SecurityInfos, dg1};
use alicem_emrtd::oid;
use alicem_emrtd::verify::country::alpha2_of_mrz_code;
use alicem_emrtd::verify::keys::HashAlgorithm;
use der::asn1::OctetString;
use der::{DateTime, Encode};
use spki::AlgorithmIdentifierOwned;

pub use faults::Faults;
pub use person::Person;
pub use pki::{KeyAlgorithm, PkiOptions, TestPki};

use crate::image::{ChipImage, ChipKeys, DocumentAccess, ImageError, PrivateKey, write_atomically};
use crate::profile::{AaHash, ActiveAuthenticationProfile};
use cms::{SignOptions, SignerIdStyle};
use keys::{RsaPadding, SigningKey};

/// Why a document could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum FactoryError {
    #[error("person data: {0}")]
    Person(String),
    #[error("face image: {0}")]
    Face(String),
    #[error("unknown profile {0:?}; known profiles: {known}", known = profiles::NAMES.join(", "))]
    UnknownProfile(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("key: {0}")]
    Key(String),
    #[error("encoding: {0}")]
    Der(#[from] der::Error),
    #[error("security infos: {0}")]
    SecurityInfos(#[from] alicem_emrtd::lds::security_infos::SecurityInfosError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error(transparent)]
    Image(#[from] ImageError),
}

impl From<x509_cert::builder::Error> for FactoryError {
    fn from(e: x509_cert::builder::Error) -> Self {
        FactoryError::Unsupported(e.to_string())
    }
}

/// How EF.SOD is signed.
#[derive(Debug, Clone, Copy)]
pub struct SodOptions {
    /// The data-group hash and signature digest.
    pub hash: HashAlgorithm,
    pub signer_id: SignerIdStyle,
    /// Write a bare `rsaEncryption` as signature algorithm (RSA PKIs).
    pub bare_rsa_encryption: bool,
}

impl Default for SodOptions {
    fn default() -> Self {
        Self {
            hash: HashAlgorithm::Sha256,
            signer_id: SignerIdStyle::IssuerAndSerial,
            bare_rsa_encryption: false,
        }
    }
}

/// What to mint.
#[derive(Debug, Clone)]
pub struct MintOptions {
    /// The profile's name (see [`profiles::NAMES`]).
    pub profile: String,
    /// The holder; a fictional one when absent.
    pub person: Option<Person>,
    /// A JPEG or JPEG 2000 photo; a synthetic face when absent.
    pub face: Option<Vec<u8>>,
    /// The face encoding, overriding the profile's.
    pub face_format: Option<profiles::FaceFormat>,
    pub faults: Faults,
    /// An existing PKI to issue under; a new one (of `pki_options`) when absent.
    pub pki: Option<TestPki>,
    pub pki_options: PkiOptions,
    pub sod: SodOptions,
}

impl Default for MintOptions {
    fn default() -> Self {
        Self {
            profile: "passport-pace".into(),
            person: None,
            face: None,
            face_format: None,
            faults: Faults::default(),
            pki: None,
            pki_options: PkiOptions::default(),
            sod: SodOptions::default(),
        }
    }
}

/// A minted document with the PKI artefacts that vouch for it.
#[derive(Debug, Clone)]
pub struct MintedDocument {
    pub image: ChipImage,
    pub person: Person,
    pub pki: TestPki,
    pub csca_certificate: Vec<u8>,
    pub document_signer_certificate: Vec<u8>,
    pub master_list: Vec<u8>,
    pub crl: Vec<u8>,
    pub warnings: Vec<String>,
}

impl MintedDocument {
    /// Writes the document (see the module documentation for the layout).
    pub fn save(&self, dir: &Path) -> Result<(), FactoryError> {
        self.image.save(dir)?;
        write_atomically(&dir.join("CSCA.der"), &self.csca_certificate)?;
        write_atomically(&dir.join("masterlist.ml"), &self.master_list)?;
        write_atomically(&dir.join("DSC.der"), &self.document_signer_certificate)?;
        write_atomically(&dir.join("CSCA.crl"), &self.crl)?;
        let person = serde_json::to_string_pretty(&self.person)
            .map_err(|e| FactoryError::Person(e.to_string()))?;
        write_atomically(&dir.join("person.json"), person.as_bytes())?;
        Ok(())
    }
}

fn ymd(t: DateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

fn curve_of(parameters: DomainParameters) -> Result<Curve, FactoryError> {
    match parameters {
        DomainParameters::Ecdh(curve) => Ok(curve),
        DomainParameters::Dh(group) => Err(FactoryError::Unsupported(format!(
            "Chip Authentication with DH group {group:?}"
        ))),
    }
}

fn aa_hash(hash: AaHash) -> HashAlgorithm {
    match hash {
        AaHash::Sha1 => HashAlgorithm::Sha1,
        AaHash::Sha224 => HashAlgorithm::Sha224,
        AaHash::Sha256 => HashAlgorithm::Sha256,
        AaHash::Sha384 => HashAlgorithm::Sha384,
        AaHash::Sha512 => HashAlgorithm::Sha512,
    }
}

fn plain_ecdsa_oid(hash: HashAlgorithm) -> const_oid::ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha1 => oid::ECDSA_PLAIN_SHA1,
        HashAlgorithm::Sha224 => oid::ECDSA_PLAIN_SHA224,
        HashAlgorithm::Sha256 => oid::ECDSA_PLAIN_SHA256,
        HashAlgorithm::Sha384 => oid::ECDSA_PLAIN_SHA384,
        HashAlgorithm::Sha512 => oid::ECDSA_PLAIN_SHA512,
    }
}

/// Replaces the first letter of the holder's surname in the MRZ (not covered by any
/// check digit): what a forger changing the name would do.
fn alter_name(lines: &[String]) -> Vec<String> {
    let mut lines = lines.to_vec();
    let (index, at) = if lines.len() == 3 { (2, 0) } else { (0, 5) };
    if let Some(line) = lines.get_mut(index) {
        let mut chars: Vec<char> = line.chars().collect();
        if let Some(c) = chars.get_mut(at) {
            *c = if *c == 'X' { 'Y' } else { 'X' };
        }
        *line = chars.into_iter().collect();
    }
    lines
}

/// Mints a document.
pub fn mint(options: MintOptions) -> Result<MintedDocument, FactoryError> {
    let mut profile = profiles::profile(&options.profile)
        .ok_or_else(|| FactoryError::UnknownProfile(options.profile.clone()))?;
    let faults = options.faults;
    if faults.pace_only && faults.bac_only {
        return Err(FactoryError::Unsupported(
            "pace-only and bac-only exclude each other".into(),
        ));
    }
    if faults.pace_only {
        if profile.chip.pace.is_empty() {
            return Err(FactoryError::Unsupported(format!(
                "pace-only: profile {} offers no PACE",
                profile.chip.name
            )));
        }
        profile.chip.bac = false;
    }
    if faults.bac_only {
        profile.chip.bac = true;
        profile.chip.pace.clear();
        profile.card_security = false;
    }
    let mut warnings = Vec::new();
    let today = pki::now()?;

    // The holder and the document.
    let mut person = match options.person {
        Some(p) => p,
        None => Person::fictional(profile.document_type, &ymd(pki::add_days(today, 3652)?)),
    };
    if faults.expired {
        person.expiry_date = ymd(pki::add_days(today, -30)?);
    }

    // The PKI of the issuing state.
    let country = alpha2_of_mrz_code(&person.issuing_state).ok_or_else(|| {
        FactoryError::Person(format!(
            "issuing_state {:?} is not a known ICAO state code",
            person.issuing_state
        ))
    })?;
    let pki = match options.pki {
        Some(pki) => pki,
        None => TestPki::generate(country, options.pki_options)?,
    };
    if pki.country != country {
        return Err(FactoryError::Person(format!(
            "the PKI is for country {} but the document is issued by {}",
            pki.country, person.issuing_state
        )));
    }
    if faults.country_mismatch {
        person.issuing_state = if pki.country == "FR" {
            "D".into()
        } else {
            "FRA".into()
        };
    }
    let mrz = person.mrz_lines()?;

    // The face.
    let (face, face_warnings) = face::prepare(
        options.face.as_deref(),
        options.face_format.unwrap_or(profile.face),
    )?;
    warnings.extend(face_warnings);

    // The chip's keys.
    let ca_curve = match (&profile.chip.chip_authentication, profile.card_security) {
        (Some(ca), _) => Some(curve_of(ca.parameters)?),
        (None, true) => {
            let cam = profile
                .chip
                .pace
                .iter()
                .find(|p| p.protocol.mapping == Mapping::ChipAuthentication)
                .ok_or_else(|| {
                    FactoryError::Unsupported("EF.CardSecurity without PACE-CAM".into())
                })?;
            Some(curve_of(cam.parameters)?)
        }
        (None, false) => None,
    };
    let ca_key = ca_curve
        .map(|curve| keys::generate_ec(curve).map(|scalar| (curve, scalar)))
        .transpose()?;
    let aa_key = match profile.chip.active_authentication {
        Some(ActiveAuthenticationProfile::Rsa { bits, .. }) => {
            Some(SigningKey::generate_rsa(bits, RsaPadding::Pkcs1v15)?)
        }
        Some(ActiveAuthenticationProfile::Ecdsa { curve, .. }) => {
            Some(SigningKey::generate_ec(curve)?)
        }
        None => None,
    };

    // The files.
    let mut files: BTreeMap<FileId, Vec<u8>> = BTreeMap::new();
    files.insert(FileId::Dg(DataGroup::DG1), dg1::encode(&mrz));
    files.insert(
        FileId::Dg(DataGroup::DG2),
        Dg2::encode_19794_5(&FaceImage {
            encoding: FaceEncoding::Iso19794_5,
            format: face.format,
            width: face.width,
            height: face.height,
            image_type: Some(1),
            gender: Some(match person.sex.as_str() {
                "M" => 1,
                "F" => 2,
                _ => 0,
            }),
            feature_points: 0,
            data: face.data.clone(),
        }),
    );
    if let Some(dg11) = &person.dg11 {
        files.insert(FileId::Dg(DataGroup::DG11), dg11.encode());
    }
    let pace_infos: Vec<SecurityInfo> = profile
        .chip
        .pace
        .iter()
        .map(|offer| {
            SecurityInfo::Pace(PaceInfo {
                protocol: offer.protocol,
                version: 2,
                parameter_id: Some(u64::from(offer.parameters.standardized_id())),
            })
        })
        .collect();
    let ca_public_key = ca_key
        .as_ref()
        .map(|(curve, scalar)| {
            let point = keys::ec_public_point(*curve, scalar)?;
            keys::ec_spki(*curve, &point)
        })
        .transpose()?;
    let mut dg14 = pace_infos.clone();
    if let (Some(ca), Some(public_key)) = (&profile.chip.chip_authentication, &ca_public_key) {
        if ca.announce_info {
            dg14.push(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                protocol: ca.protocol,
                version: 1,
                key_id: ca.key_id,
            }));
        }
        dg14.push(SecurityInfo::ChipAuthenticationPublicKey(
            ChipAuthenticationPublicKeyInfo {
                key_agreement: KeyAgreement::Ecdh,
                public_key: public_key.clone(),
                key_id: ca.key_id,
            },
        ));
    }
    if let Some(ActiveAuthenticationProfile::Ecdsa { hash, .. }) =
        profile.chip.active_authentication
    {
        dg14.push(SecurityInfo::ActiveAuthentication(
            ActiveAuthenticationInfo {
                version: 1,
                signature_algorithm: plain_ecdsa_oid(aa_hash(hash)),
            },
        ));
    }
    if !dg14.is_empty() {
        files.insert(FileId::Dg(DataGroup::DG14), SecurityInfos(dg14).to_dg14()?);
    }
    if let Some(aa) = &aa_key {
        files.insert(FileId::Dg(DataGroup::DG15), Dg15::encode(&aa.spki()?)?);
    }
    if !pace_infos.is_empty() {
        files.insert(
            FileId::CardAccess,
            SecurityInfos(pace_infos.clone()).to_der()?,
        );
    }
    let data_groups: Vec<DataGroup> = files
        .keys()
        .filter_map(|f| match f {
            FileId::Dg(dg) => Some(*dg),
            _ => None,
        })
        .collect();
    files.insert(
        FileId::Com,
        EfCom {
            lds_version: "0107".into(),
            unicode_version: "040000".into(),
            data_groups: data_groups.clone(),
        }
        .encode(),
    );

    // The signatures.
    let signer = if faults.unknown_csca {
        &pki.unknown_document_signer
    } else {
        &pki.document_signer
    };
    let sign_options = SignOptions {
        hash: options.sod.hash,
        signer_id: options.sod.signer_id,
        bare_rsa_encryption: options.sod.bare_rsa_encryption,
        signing_time: Some(today),
    };
    if profile.card_security
        && let Some(public_key) = &ca_public_key
    {
        let mut infos = pace_infos.clone();
        infos.push(SecurityInfo::ChipAuthenticationPublicKey(
            ChipAuthenticationPublicKeyInfo {
                key_agreement: KeyAgreement::Ecdh,
                public_key: public_key.clone(),
                key_id: None,
            },
        ));
        let card_security = cms::sign(
            oid::SECURITY_OBJECT,
            &SecurityInfos(infos).to_der()?,
            &signer.key,
            &signer.certificate,
            &[],
            sign_options,
        )?;
        files.insert(FileId::CardSecurity, card_security);
    }
    let security_object = LdsSecurityObject {
        version: 0,
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: options.sod.hash.oid(),
            parameters: None,
        },
        data_group_hash_values: data_groups
            .iter()
            .filter_map(|dg| files.get(&FileId::Dg(*dg)).map(|bytes| (dg, bytes)))
            .map(|(dg, bytes)| {
                Ok(DataGroupHash {
                    data_group_number: u64::from(dg.number()),
                    data_group_hash_value: OctetString::new(options.sod.hash.digest(bytes))?,
                })
            })
            .collect::<Result<Vec<_>, FactoryError>>()?,
        lds_version_info: None,
    };
    let content_info = cms::sign(
        oid::LDS_SECURITY_OBJECT,
        &security_object.to_der()?,
        &signer.key,
        &signer.certificate,
        &[],
        sign_options,
    )?;
    files.insert(
        FileId::Sod,
        alicem_emrtd::lds::tlv::encode(0x77, &content_info),
    );

    // Faults applied after signing.
    if faults.tampered_dg {
        files.insert(FileId::Dg(DataGroup::DG1), dg1::encode(&alter_name(&mrz)));
    }
    let revoked = if faults.revoked_dsc {
        vec![pki.document_signer.serial()?]
    } else {
        Vec::new()
    };
    let crl = pki.crl(&revoked)?;
    let mut chip_keys = ChipKeys {
        chip_authentication: ca_key.map(|(curve, scalar)| PrivateKey::Ec { curve, scalar }),
        active_authentication: aa_key
            .as_ref()
            .map(SigningKey::to_private_key)
            .transpose()?,
    };
    if faults.cloned_chip {
        if let Some(PrivateKey::Ec { curve, .. }) = &chip_keys.chip_authentication {
            let curve = *curve;
            chip_keys.chip_authentication = Some(PrivateKey::Ec {
                curve,
                scalar: keys::generate_ec(curve)?,
            });
        }
        chip_keys.active_authentication = match profile.chip.active_authentication {
            Some(ActiveAuthenticationProfile::Rsa { bits, .. }) => {
                Some(SigningKey::generate_rsa(bits, RsaPadding::Pkcs1v15)?.to_private_key()?)
            }
            Some(ActiveAuthenticationProfile::Ecdsa { curve, .. }) => {
                Some(SigningKey::generate_ec(curve)?.to_private_key()?)
            }
            None => None,
        };
        if chip_keys.chip_authentication.is_none() && chip_keys.active_authentication.is_none() {
            warnings.push(format!(
                "cloned-chip: profile {} has neither Chip nor Active Authentication, so nothing can reveal the clone",
                profile.chip.name
            ));
        }
    }

    let image = ChipImage {
        files,
        access: DocumentAccess {
            mrz: if faults.tampered_dg { mrz.clone() } else { mrz },
            can: person.can.clone(),
        },
        profile: profile.chip,
        keys: chip_keys,
    };
    Ok(MintedDocument {
        image,
        person,
        csca_certificate: pki.csca.certificate.clone(),
        document_signer_certificate: signer.certificate.clone(),
        master_list: pki.master_list()?,
        crl,
        pki,
        warnings,
    })
}
