//! A test PKI for one (fictional or test) country: CSCA → Document Signer, a master
//! list signer, the CSCA's CRL and a signed CSCA master list, and a second "unknown"
//! CSCA (not in the master list) to sign documents nobody should trust.

use std::fs;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use alicem_emrtd::domain_parameters::Curve;
use alicem_emrtd::oid;
use alicem_emrtd::verify::keys::HashAlgorithm;
use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, Uint, UtcTime};
use der::{Any, DateTime, Decode, Encode, Sequence};
use serde::{Deserialize, Serialize};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints};
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::FactoryError;
use super::cms::{self, SignOptions, SignerIdStyle};
use super::keys::{RsaPadding, SigningKey, rng};
use crate::image::{PrivateKey, write_atomically};

#[derive(Sequence)]
struct ValidityOut {
    not_before: Time,
    not_after: Time,
}

#[derive(Sequence)]
struct TbsCertificateOut {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: Uint,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: ValidityOut,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct SignedOut {
    tbs: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

#[derive(Sequence)]
struct RevokedOut {
    serial_number: Uint,
    revocation_date: Time,
}

#[derive(Sequence)]
struct TbsCertListOut {
    version: u8,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    next_update: Time,
    #[asn1(optional = "true")]
    revoked_certificates: Option<Vec<RevokedOut>>,
}

#[derive(Sequence)]
struct CscaMasterListOut {
    version: u8,
    cert_list: SetOfVec<Any>,
}

/// A time as RFC 5280 wants it: UTCTime through 2049, GeneralizedTime after.
pub fn time(t: DateTime) -> Result<Time, FactoryError> {
    Ok(if t.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(t)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(t))
    })
}

/// Now, to the second.
pub fn now() -> Result<DateTime, FactoryError> {
    Ok(DateTime::from_system_time(SystemTime::now())?)
}

/// `t` plus `days`.
pub fn add_days(t: DateTime, days: i64) -> Result<DateTime, FactoryError> {
    let secs = t.unix_duration().as_secs() as i64 + days * 86_400;
    let secs = u64::try_from(secs.max(0)).unwrap_or(0);
    Ok(DateTime::from_unix_duration(Duration::from_secs(secs))?)
}

fn random_serial() -> Vec<u8> {
    let mut serial = [0u8; 8];
    rand_core::Rng::fill_bytes(&mut rng(), &mut serial);
    serial[0] = (serial[0] & 0x7F) | 0x01;
    serial.to_vec()
}

fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    HashAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes())
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> Result<Extension, FactoryError> {
    Ok(Extension {
        extn_id: const_oid::ObjectIdentifier::new(oid)
            .map_err(|e| FactoryError::Unsupported(e.to_string()))?,
        critical,
        extn_value: OctetString::new(value)?,
    })
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Csca,
    DocumentSigner,
    MasterListSigner,
}

/// The inputs of one certificate.
pub struct CertificateRequest<'a> {
    pub issuer: &'a Name,
    pub issuer_key: &'a SigningKey,
    pub issuer_key_id: &'a [u8],
    pub subject: &'a Name,
    pub subject_public_key: &'a SubjectPublicKeyInfoOwned,
    pub role: Role,
    pub not_before: DateTime,
    pub not_after: DateTime,
    pub hash: HashAlgorithm,
}

/// Issues a certificate.
pub fn issue(request: CertificateRequest<'_>) -> Result<Vec<u8>, FactoryError> {
    let mut extensions = vec![
        extension(
            "2.5.29.14",
            false,
            OctetString::new(key_id(request.subject_public_key))?.to_der()?,
        )?,
        extension(
            "2.5.29.35",
            false,
            AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(request.issuer_key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            }
            .to_der()?,
        )?,
    ];
    match request.role {
        Role::Csca => {
            extensions.push(extension(
                "2.5.29.19",
                true,
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                }
                .to_der()?,
            )?);
            // keyCertSign, cRLSign.
            extensions.push(extension(
                "2.5.29.15",
                true,
                BitString::new(1, vec![0x06])?.to_der()?,
            )?);
        }
        Role::DocumentSigner | Role::MasterListSigner => {
            // digitalSignature.
            extensions.push(extension(
                "2.5.29.15",
                true,
                BitString::new(7, vec![0x80])?.to_der()?,
            )?);
        }
    }
    if request.role == Role::MasterListSigner {
        let mut eku = Vec::new();
        vec![oid::CSCA_MASTER_LIST_SIGNING_KEY].encode_to_vec(&mut eku)?;
        extensions.push(extension("2.5.29.37", false, eku)?);
    }
    // The signature algorithm is known only after signing: sign once to learn it (the
    // identifier does not depend on the data), then sign the real TBS.
    let (algorithm, _) = request.issuer_key.sign(request.hash, b"probe")?;
    let tbs = TbsCertificateOut {
        version: 2,
        serial_number: Uint::new(&random_serial())?,
        signature: algorithm.clone(),
        issuer: request.issuer.clone(),
        validity: ValidityOut {
            not_before: time(request.not_before)?,
            not_after: time(request.not_after)?,
        },
        subject: request.subject.clone(),
        subject_public_key_info: request.subject_public_key.clone(),
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der()?;
    let (algorithm, signature) = request.issuer_key.sign(request.hash, &tbs_der)?;
    Ok(SignedOut {
        tbs: Any::from_der(&tbs_der)?,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?)
}

/// Signs a CRL of `issuer` revoking `serials`.
pub fn crl(
    issuer: &Name,
    issuer_key: &SigningKey,
    hash: HashAlgorithm,
    this_update: DateTime,
    next_update: DateTime,
    serials: &[Vec<u8>],
) -> Result<Vec<u8>, FactoryError> {
    let (algorithm, _) = issuer_key.sign(hash, b"probe")?;
    let revoked = serials
        .iter()
        .map(|s| {
            Ok(RevokedOut {
                serial_number: Uint::new(s)?,
                revocation_date: time(this_update)?,
            })
        })
        .collect::<Result<Vec<_>, FactoryError>>()?;
    let tbs = TbsCertListOut {
        version: 1,
        signature: algorithm,
        issuer: issuer.clone(),
        this_update: time(this_update)?,
        next_update: time(next_update)?,
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
    };
    let tbs_der = tbs.to_der()?;
    let (algorithm, signature) = issuer_key.sign(hash, &tbs_der)?;
    Ok(SignedOut {
        tbs: Any::from_der(&tbs_der)?,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?)
}

/// The key type of the PKI's certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KeyAlgorithm {
    Ecdsa {
        curve: Curve,
    },
    /// RSA with PKCS#1 v1.5 (`pss: false`) or RSASSA-PSS signatures.
    Rsa {
        bits: usize,
        pss: bool,
    },
}

impl KeyAlgorithm {
    fn generate(self) -> Result<SigningKey, FactoryError> {
        match self {
            KeyAlgorithm::Ecdsa { curve } => SigningKey::generate_ec(curve),
            KeyAlgorithm::Rsa { bits, pss } => SigningKey::generate_rsa(bits, padding(pss)),
        }
    }

    fn padding(self) -> RsaPadding {
        match self {
            KeyAlgorithm::Rsa { pss: true, .. } => RsaPadding::Pss,
            _ => RsaPadding::Pkcs1v15,
        }
    }
}

fn padding(pss: bool) -> RsaPadding {
    if pss {
        RsaPadding::Pss
    } else {
        RsaPadding::Pkcs1v15
    }
}

/// A key with its certificate.
#[derive(Debug, Clone)]
pub struct Issued {
    pub key: SigningKey,
    pub certificate: Vec<u8>,
    pub name: Name,
    pub key_id: Vec<u8>,
}

impl Issued {
    pub fn serial(&self) -> Result<Vec<u8>, FactoryError> {
        let cert = x509_cert::Certificate::from_der(&self.certificate)?;
        Ok(cert.tbs_certificate().serial_number().as_bytes().to_vec())
    }
}

/// How a PKI is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkiOptions {
    pub algorithm: KeyAlgorithm,
    pub hash: HashAlgorithm,
}

impl Default for PkiOptions {
    fn default() -> Self {
        Self {
            algorithm: KeyAlgorithm::Ecdsa {
                curve: Curve::NistP256,
            },
            hash: HashAlgorithm::Sha256,
        }
    }
}

/// A test PKI.
#[derive(Debug, Clone)]
pub struct TestPki {
    /// ISO 3166 alpha-2 code in the certificates ("UT" for Utopia).
    pub country: String,
    pub options: PkiOptions,
    pub csca: Issued,
    pub document_signer: Issued,
    pub master_list_signer: Issued,
    /// A CSCA of the same name that no master list contains.
    pub unknown_csca: Issued,
    /// A Document Signer issued by the unknown CSCA.
    pub unknown_document_signer: Issued,
    pub not_before: DateTime,
    pub not_after: DateTime,
}

fn name(text: &str) -> Result<Name, FactoryError> {
    Name::from_str(text).map_err(FactoryError::from)
}

impl TestPki {
    /// Generates a PKI valid from yesterday for 15 years (Document Signers 11 years:
    /// their certificate must outlive the documents they sign).
    pub fn generate(country: &str, options: PkiOptions) -> Result<Self, FactoryError> {
        let country = country.to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FactoryError::Person(format!(
                "PKI country {country:?} is not a two-letter code"
            )));
        }
        let not_before = add_days(now()?, -1)?;
        let csca_until = add_days(not_before, 15 * 366)?;
        let dsc_until = add_days(not_before, 11 * 366)?;
        let org = format!("O=Alicem test authority {country}");
        let csca_name = name(&format!("CN=CSCA {country} (test),{org},C={country}"))?;
        let make_csca = |label: &str| -> Result<Issued, FactoryError> {
            let key = options.algorithm.generate()?;
            let spki = key.spki()?;
            let key_id = key_id(&spki);
            let _ = label;
            let certificate = issue(CertificateRequest {
                issuer: &csca_name,
                issuer_key: &key,
                issuer_key_id: &key_id,
                subject: &csca_name,
                subject_public_key: &spki,
                role: Role::Csca,
                not_before,
                not_after: csca_until,
                hash: options.hash,
            })?;
            Ok(Issued {
                key,
                certificate,
                name: csca_name.clone(),
                key_id,
            })
        };
        let csca = make_csca("csca")?;
        let unknown_csca = make_csca("unknown")?;
        let issue_under =
            |issuer: &Issued, subject: Name, role: Role| -> Result<Issued, FactoryError> {
                let key = options.algorithm.generate()?;
                let spki = key.spki()?;
                let certificate = issue(CertificateRequest {
                    issuer: &issuer.name,
                    issuer_key: &issuer.key,
                    issuer_key_id: &issuer.key_id,
                    subject: &subject,
                    subject_public_key: &spki,
                    role,
                    not_before,
                    not_after: dsc_until,
                    hash: options.hash,
                })?;
                Ok(Issued {
                    key_id: key_id(&spki),
                    key,
                    certificate,
                    name: subject,
                })
            };
        let document_signer = issue_under(
            &csca,
            name(&format!(
                "CN=DS {country} (test),OU=Document Signer,{org},C={country}"
            ))?,
            Role::DocumentSigner,
        )?;
        let unknown_document_signer = issue_under(
            &unknown_csca,
            name(&format!(
                "CN=DS {country} (test),OU=Document Signer,{org},C={country}"
            ))?,
            Role::DocumentSigner,
        )?;
        let master_list_signer = issue_under(
            &csca,
            name(&format!(
                "CN=Master List Signer {country} (test),{org},C={country}"
            ))?,
            Role::MasterListSigner,
        )?;
        Ok(Self {
            country,
            options,
            csca,
            document_signer,
            master_list_signer,
            unknown_csca,
            unknown_document_signer,
            not_before,
            not_after: csca_until,
        })
    }

    /// The CSCA's CRL revoking the given Document Signer serials.
    pub fn crl(&self, revoked: &[Vec<u8>]) -> Result<Vec<u8>, FactoryError> {
        crl(
            &self.csca.name,
            &self.csca.key,
            self.options.hash,
            self.not_before,
            add_days(self.not_before, 90)?,
            revoked,
        )
    }

    /// A master list of this PKI's CSCA, signed by its master list signer.
    pub fn master_list(&self) -> Result<Vec<u8>, FactoryError> {
        let mut certs = SetOfVec::new();
        certs.insert(Any::from_der(&self.csca.certificate)?)?;
        let list = CscaMasterListOut {
            version: 0,
            cert_list: certs,
        };
        cms::sign(
            oid::CSCA_MASTER_LIST,
            &list.to_der()?,
            &self.master_list_signer.key,
            &self.master_list_signer.certificate,
            &[&self.csca.certificate],
            SignOptions {
                hash: self.options.hash,
                signer_id: SignerIdStyle::SubjectKeyIdentifier,
                bare_rsa_encryption: false,
                signing_time: Some(self.not_before),
            },
        )
    }

    /// Saves keys and certificates to `dir` (`pki.json` plus the certificates as DER),
    /// so that several documents can be minted under one PKI.
    pub fn save(&self, dir: &Path) -> Result<(), FactoryError> {
        fs::create_dir_all(dir).map_err(|e| FactoryError::Io(dir.display().to_string(), e))?;
        let entry = |i: &Issued| -> Result<IssuedJson, FactoryError> {
            Ok(IssuedJson {
                key: i.key.to_private_key()?,
                certificate: i.certificate.clone(),
            })
        };
        let json = PkiJson {
            country: self.country.clone(),
            options: self.options,
            csca: entry(&self.csca)?,
            document_signer: entry(&self.document_signer)?,
            master_list_signer: entry(&self.master_list_signer)?,
            unknown_csca: entry(&self.unknown_csca)?,
            unknown_document_signer: entry(&self.unknown_document_signer)?,
        };
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| FactoryError::Unsupported(e.to_string()))?;
        write_atomically(&dir.join("pki.json"), text.as_bytes())?;
        Ok(())
    }

    /// Loads a PKI saved by [`TestPki::save`].
    pub fn load(dir: &Path) -> Result<Self, FactoryError> {
        let path = dir.join("pki.json");
        let text = fs::read_to_string(&path)
            .map_err(|e| FactoryError::Io(path.display().to_string(), e))?;
        let json: PkiJson = serde_json::from_str(&text)
            .map_err(|e| FactoryError::Person(format!("{}: {e}", path.display())))?;
        let padding = json.options.algorithm.padding();
        let issued = |i: &IssuedJson| -> Result<Issued, FactoryError> {
            let cert = x509_cert::Certificate::from_der(&i.certificate)?;
            let tbs = cert.tbs_certificate();
            Ok(Issued {
                key: SigningKey::from_private_key(&i.key, padding)?,
                certificate: i.certificate.clone(),
                name: tbs.subject().clone(),
                key_id: key_id(tbs.subject_public_key_info()),
            })
        };
        let csca = issued(&json.csca)?;
        let cert = x509_cert::Certificate::from_der(&csca.certificate)?;
        let validity = cert.tbs_certificate().validity();
        Ok(Self {
            country: json.country,
            options: json.options,
            document_signer: issued(&json.document_signer)?,
            master_list_signer: issued(&json.master_list_signer)?,
            unknown_csca: issued(&json.unknown_csca)?,
            unknown_document_signer: issued(&json.unknown_document_signer)?,
            not_before: validity.not_before.to_date_time(),
            not_after: validity.not_after.to_date_time(),
            csca,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct IssuedJson {
    key: PrivateKey,
    #[serde(with = "hex")]
    certificate: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct PkiJson {
    country: String,
    options: PkiOptions,
    csca: IssuedJson,
    document_signer: IssuedJson,
    master_list_signer: IssuedJson,
    unknown_csca: IssuedJson,
    unknown_document_signer: IssuedJson,
}
