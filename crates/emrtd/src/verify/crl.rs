//! Certificate revocation lists of CSCAs (Doc 9303-12 §7.1.4): a revoked Document
//! Signer must not vouch for any document.

use der::asn1::BitString;
use der::{Any, DateTime, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::certificate::Raw;
use x509_cert::crl::TbsCertList;
use x509_cert::name::Name;

use super::certificate::Certificate;
use super::keys::{SignatureError, SignatureScheme};
use super::names;
use crate::lds::signed_data::decode_lenient;

#[derive(Sequence)]
struct CrlParts {
    tbs: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// A decoded CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    tbs_der: Vec<u8>,
    pub tbs: TbsCertList<Raw>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
}

impl Crl {
    pub fn from_der(bytes: &[u8]) -> Result<Self, der::Error> {
        let parts: CrlParts = decode_lenient(bytes)?;
        let tbs_der = parts.tbs.to_der()?;
        let tbs: TbsCertList<Raw> = decode_lenient(&tbs_der)?;
        Ok(Self {
            tbs_der,
            tbs,
            signature_algorithm: parts.signature_algorithm,
            signature: parts.signature.raw_bytes().to_vec(),
        })
    }

    pub fn issuer(&self) -> &Name {
        &self.tbs.issuer
    }

    pub fn this_update(&self) -> DateTime {
        self.tbs.this_update.to_date_time()
    }

    pub fn next_update(&self) -> Option<DateTime> {
        self.tbs.next_update.map(|t| t.to_date_time())
    }

    /// Verifies the CRL's signature with its issuer's certificate.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), SignatureError> {
        let scheme = SignatureScheme::from_algorithm(&self.signature_algorithm, None)?;
        issuer
            .public_key()?
            .verify(scheme, &self.tbs_der, &self.signature)
    }

    pub fn is_issued_by(&self, issuer: &Certificate) -> bool {
        names::same_name(self.issuer(), issuer.subject())
    }

    /// Whether `certificate` (issued by this CRL's issuer) is listed, revoked at or
    /// before `at`.
    pub fn revokes(&self, certificate: &Certificate, at: DateTime) -> bool {
        if !names::same_name(certificate.issuer(), self.issuer()) {
            return false;
        }
        let serial = strip(certificate.serial());
        self.tbs.revoked_certificates.iter().flatten().any(|r| {
            strip(r.serial_number.as_bytes()) == serial
                && r.revocation_date.to_date_time().unix_duration() <= at.unix_duration()
        })
    }

    pub fn revoked_count(&self) -> usize {
        self.tbs.revoked_certificates.as_ref().map_or(0, Vec::len)
    }
}

fn strip(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}
