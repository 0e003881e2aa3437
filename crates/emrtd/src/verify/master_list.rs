//! CSCA master lists (Doc 9303-12 §9): a CMS SignedData of content type
//! id-icao-cscaMasterList holding `CscaMasterList ::= SEQUENCE { version, certList SET OF
//! Certificate }`, signed by a master list signer whose certificate the list embeds.

use der::{Decode, Sequence};
use serde::Serialize;

use super::certificate::{Certificate, date_string};
use super::signer::{self, CmsError};
use crate::lds::signed_data::{RawSet, SignedDataError, SignedObject, decode_lenient};
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MasterListError {
    #[error("master list: {0}")]
    SignedData(#[from] SignedDataError),
    #[error("master list: content type is {0}, not id-icao-cscaMasterList")]
    ContentType(const_oid::ObjectIdentifier),
    #[error("master list: content is not a CscaMasterList: {0}")]
    Der(#[from] der::Error),
    #[error("master list: the signer's certificate is not embedded")]
    SignerNotFound,
    #[error("master list: signature invalid: {0}")]
    Signature(#[from] CmsError),
    #[error("master list: the signer's key is unusable: {0}")]
    SignerKey(String),
}

#[derive(Sequence)]
struct CscaMasterList {
    version: u8,
    cert_list: RawSet,
}

/// The outcome of checking the signer's own certificate against the CSCAs (its issuer
/// is the country's CSCA, found in the list itself or among the embedded certificates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum SignerChain {
    Valid { issuer: String },
    IssuerNotFound,
    Invalid(String),
}

/// A master list whose own signature has been verified.
#[derive(Debug, Clone)]
pub struct MasterList {
    pub signer: Certificate,
    pub signature_algorithm: String,
    pub signer_chain: SignerChain,
    /// The CSCA (and link) certificates listed.
    pub certificates: Vec<Certificate>,
    /// Entries that could not be decoded as certificates, with the reason.
    pub rejected: Vec<String>,
    pub signing_time: Option<String>,
}

impl MasterList {
    /// Parses a master list and verifies its signature; refuses it if the signature
    /// does not verify.
    pub fn parse(bytes: &[u8]) -> Result<Self, MasterListError> {
        let signed = SignedObject::from_content_info(bytes)?;
        if signed.content_type != oid::CSCA_MASTER_LIST {
            return Err(MasterListError::ContentType(signed.content_type));
        }
        let list: CscaMasterList = decode_lenient(&signed.content)?;
        let mut certificates = Vec::new();
        let mut rejected = Vec::new();
        let mut reader =
            der::SliceReader::new_with_encoding_rules(&list.cert_list.0, der::EncodingRules::Ber)?;
        let mut index = 0usize;
        while !der::Reader::is_finished(&reader) {
            let any = der::asn1::AnyRef::decode(&mut reader)?;
            let encoded = der::Encode::to_der(&any)?;
            match Certificate::from_der(&encoded) {
                Ok(c) => certificates.push(c),
                Err(e) => rejected.push(format!("entry {index}: {e}")),
            }
            index += 1;
        }
        let embedded: Vec<Certificate> = signed
            .certificates
            .iter()
            .filter_map(|c| Certificate::from_der(c).ok())
            .collect();
        let info = signed
            .signer_infos
            .first()
            .ok_or(MasterListError::SignerNotFound)?;
        let signer = embedded
            .iter()
            .find(|c| signer::identifies(&info.sid, c))
            .cloned()
            .ok_or(MasterListError::SignerNotFound)?;
        let key = signer
            .public_key()
            .map_err(|e| MasterListError::SignerKey(e.to_string()))?;
        let scheme = signer::verify_signer_info(&signed, info, key)?;
        let signer_chain = chain(&signer, embedded.iter().chain(certificates.iter()));
        Ok(Self {
            signature_algorithm: scheme.name(),
            signer_chain,
            signing_time: info
                .signed_attributes
                .as_ref()
                .and_then(|a| a.signing_time.clone()),
            signer,
            certificates,
            rejected,
        })
    }

    /// The countries of the listed CSCAs, sorted and deduplicated.
    pub fn countries(&self) -> Vec<String> {
        let mut countries: Vec<String> = self
            .certificates
            .iter()
            .filter_map(Certificate::country)
            .collect();
        countries.sort();
        countries.dedup();
        countries
    }

    pub fn signer_summary(&self) -> String {
        format!(
            "{} (serial {}, valid {} to {})",
            self.signer.subject(),
            self.signer.serial_hex(),
            date_string(self.signer.not_before()),
            date_string(self.signer.not_after())
        )
    }
}

fn chain<'a>(
    signer: &Certificate,
    candidates: impl Iterator<Item = &'a Certificate>,
) -> SignerChain {
    let mut last_error = None;
    for issuer in candidates.filter(|c| signer.may_be_issued_by(c) && *c != signer) {
        match issuer
            .public_key()
            .and_then(|key| signer.verify_signed_by(key))
        {
            Ok(()) => {
                return SignerChain::Valid {
                    issuer: super::names::display(issuer.subject()),
                };
            }
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    match last_error {
        Some(e) => SignerChain::Invalid(e),
        None => SignerChain::IssuerNotFound,
    }
}
