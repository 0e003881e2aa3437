//! An X.509 certificate of an eMRTD PKI (CSCA, link, Document Signer, master list
//! signer), decoded leniently (negative serial numbers, BER) and keeping the exact bytes
//! its issuer signed.

use core::fmt;

use der::asn1::{BitString, OctetString};
use der::{Any, DateTime, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::certificate::{Raw, TbsCertificateInner};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints};
use x509_cert::name::Name;

use super::keys::{PublicKey, SignatureError, SignatureScheme};
use super::names;
use crate::lds::signed_data::decode_lenient;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("not a valid X.509 certificate: {0}")]
    Der(#[from] der::Error),
    #[error("not a PEM certificate: {0}")]
    Pem(String),
}

#[derive(Sequence)]
struct CertificateParts {
    tbs: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// A decoded certificate.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs_der: Vec<u8>,
    pub tbs: TbsCertificateInner<Raw>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
    public_key: Result<PublicKey, SignatureError>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &names::display(self.subject()))
            .field("serial", &self.serial_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

const SKI: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.29.14");
const AKI: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.29.35");
const BASIC_CONSTRAINTS: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.19");

impl Certificate {
    /// Decodes a DER (or BER) certificate.
    pub fn from_der(bytes: &[u8]) -> Result<Self, CertificateError> {
        let parts: CertificateParts = decode_lenient(bytes)?;
        let tbs_der = parts.tbs.to_der()?;
        let tbs: TbsCertificateInner<Raw> = decode_lenient(&tbs_der)?;
        let public_key = PublicKey::from_spki(tbs.subject_public_key_info());
        Ok(Self {
            der: parts.to_der()?,
            tbs_der,
            tbs,
            signature_algorithm: parts.signature_algorithm,
            signature: parts.signature.raw_bytes().to_vec(),
            public_key,
        })
    }

    /// Decodes a PEM certificate, or DER if the bytes are not PEM.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Vec<Self>, CertificateError> {
        if !bytes.starts_with(b"-----BEGIN") {
            return Ok(vec![Self::from_der(bytes)?]);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| CertificateError::Pem(e.to_string()))?;
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let block = rest.get(start..).unwrap_or("");
            let end = block
                .find("-----END CERTIFICATE-----")
                .ok_or_else(|| CertificateError::Pem("unterminated PEM block".into()))?;
            let pem_block = block.get(..end + 25).unwrap_or("");
            let (_, der) = der::pem::decode_vec(pem_block.as_bytes())
                .map_err(|e| CertificateError::Pem(e.to_string()))?;
            out.push(Self::from_der(&der)?);
            rest = block.get(end + 25..).unwrap_or("");
        }
        if out.is_empty() {
            return Err(CertificateError::Pem("no CERTIFICATE block".into()));
        }
        Ok(out)
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn subject(&self) -> &Name {
        self.tbs.subject()
    }

    pub fn issuer(&self) -> &Name {
        self.tbs.issuer()
    }

    pub fn serial(&self) -> &[u8] {
        self.tbs.serial_number().as_bytes()
    }

    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.serial())
    }

    pub fn not_before(&self) -> DateTime {
        self.tbs.validity().not_before.to_date_time()
    }

    pub fn not_after(&self) -> DateTime {
        self.tbs.validity().not_after.to_date_time()
    }

    /// Whether `at` falls within the validity period.
    pub fn valid_at(&self, at: DateTime) -> bool {
        let t = at.unix_duration();
        self.not_before().unix_duration() <= t && t <= self.not_after().unix_duration()
    }

    /// The subject's country (C), upper-cased.
    pub fn country(&self) -> Option<String> {
        names::country(self.subject())
    }

    fn extension(&self, oid: const_oid::ObjectIdentifier) -> Option<&[u8]> {
        self.tbs
            .extensions()?
            .iter()
            .find(|e| e.extn_id == oid)
            .map(|e| e.extn_value.as_bytes())
    }

    pub fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        let value = self.extension(SKI)?;
        OctetString::from_der(value)
            .ok()
            .map(|o| o.as_bytes().to_vec())
    }

    pub fn authority_key_identifier(&self) -> Option<Vec<u8>> {
        let value = self.extension(AKI)?;
        AuthorityKeyIdentifier::from_der(value)
            .ok()?
            .key_identifier
            .map(|k| k.as_bytes().to_vec())
    }

    /// Whether basic constraints mark a CA.
    pub fn is_ca(&self) -> bool {
        self.extension(BASIC_CONSTRAINTS)
            .and_then(|v| BasicConstraints::from_der(v).ok())
            .is_some_and(|bc| bc.ca)
    }

    pub fn is_self_issued(&self) -> bool {
        names::same_name(self.subject(), self.issuer())
    }

    pub fn public_key(&self) -> Result<&PublicKey, SignatureError> {
        self.public_key.as_ref().map_err(Clone::clone)
    }

    /// Verifies this certificate's signature with `issuer`'s key.
    pub fn verify_signed_by(&self, issuer: &PublicKey) -> Result<(), SignatureError> {
        let scheme = SignatureScheme::from_algorithm(&self.signature_algorithm, None)?;
        issuer.verify(scheme, &self.tbs_der, &self.signature)
    }

    /// Whether `issuer` may have issued this certificate: the authority key identifier
    /// names the issuer's key, or, without key identifiers, the issuer name matches.
    /// (Some link certificates name the new CSCA as issuer while the old key signed
    /// them; the key identifier finds the right key, and the signature decides.)
    pub fn may_be_issued_by(&self, issuer: &Certificate) -> bool {
        match (
            self.authority_key_identifier(),
            issuer.subject_key_identifier(),
        ) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => names::same_name(self.issuer(), issuer.subject()),
        }
    }

    /// SHA-256 of the certificate, hex.
    pub fn fingerprint(&self) -> String {
        hex::encode(self.fingerprint_bytes())
    }

    /// SHA-256 of the certificate.
    pub fn fingerprint_bytes(&self) -> [u8; 32] {
        use digest::Digest;
        sha2::Sha256::digest(&self.der).into()
    }
}

/// `YYYY-MM-DD` of a date-time.
pub fn date_string(t: DateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}
