//! EF.SOD (Doc 9303-10 §4.6.2): tag 77 wrapping a CMS SignedData whose content is the
//! LDSSecurityObject, the hashes of every data group, signed by the Document Signer.

use std::collections::BTreeMap;

use der::asn1::{OctetString, PrintableString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::DataGroup;
use super::signed_data::{SignedDataError, SignedObject, decode_lenient};
use super::tlv::{self, TlvError};
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SodError {
    #[error("EF.SOD: {0}")]
    Tlv(#[from] TlvError),
    #[error("EF.SOD: {0}")]
    SignedData(#[from] SignedDataError),
    #[error("EF.SOD: the signed content is {0}, not an LDSSecurityObject")]
    ContentType(const_oid::ObjectIdentifier),
    #[error("EF.SOD: LDSSecurityObject is not valid DER: {0}")]
    Der(#[from] der::Error),
    #[error("EF.SOD: data group number {0} out of range")]
    DataGroupNumber(u64),
    #[error("EF.SOD: data group {0} hashed twice")]
    DuplicateDataGroup(u64),
}

/// `DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue }`.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct DataGroupHash {
    pub data_group_number: u64,
    pub data_group_hash_value: OctetString,
}

/// `LDSVersionInfo ::= SEQUENCE { ldsVersion, unicodeVersion }` (LDS 1.8, version 1).
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct LdsVersionInfo {
    pub lds_version: PrintableString,
    pub unicode_version: PrintableString,
}

/// `LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues,
/// ldsVersionInfo OPTIONAL }`.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct LdsSecurityObject {
    pub version: u64,
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub data_group_hash_values: Vec<DataGroupHash>,
    #[asn1(optional = "true")]
    pub lds_version_info: Option<LdsVersionInfo>,
}

/// A parsed EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    pub signed: SignedObject,
    pub security_object: LdsSecurityObject,
    /// The data-group hashes by data group.
    pub hashes: BTreeMap<DataGroup, Vec<u8>>,
}

impl Sod {
    pub fn parse(bytes: &[u8]) -> Result<Self, SodError> {
        let outer = tlv::parse_one(bytes, 0x77)?;
        Self::from_content_info(outer.value)
    }

    /// Parses the ContentInfo without the 77 wrapper.
    pub fn from_content_info(bytes: &[u8]) -> Result<Self, SodError> {
        let signed = SignedObject::from_content_info(bytes)?;
        if signed.content_type != oid::LDS_SECURITY_OBJECT {
            return Err(SodError::ContentType(signed.content_type));
        }
        let security_object: LdsSecurityObject = decode_lenient(&signed.content)?;
        let mut hashes = BTreeMap::new();
        for h in &security_object.data_group_hash_values {
            let number = u8::try_from(h.data_group_number)
                .ok()
                .and_then(DataGroup::new)
                .ok_or(SodError::DataGroupNumber(h.data_group_number))?;
            if hashes
                .insert(number, h.data_group_hash_value.as_bytes().to_vec())
                .is_some()
            {
                return Err(SodError::DuplicateDataGroup(h.data_group_number));
            }
        }
        Ok(Self {
            signed,
            security_object,
            hashes,
        })
    }

    /// The hash algorithm of the data-group hashes.
    pub fn hash_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.security_object.hash_algorithm
    }
}

impl LdsSecurityObject {
    pub fn to_der_bytes(&self) -> Result<Vec<u8>, der::Error> {
        self.to_der()
    }

    pub fn from_der_bytes(bytes: &[u8]) -> Result<Self, der::Error> {
        Self::from_der(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spanish_specimen_sod() {
        let bytes = crate::testdata::shared("pa/es_dnie_specimen/EF_SOD.bin");
        let sod = Sod::parse(&bytes).unwrap();
        assert_eq!(sod.hash_algorithm().oid, oid::SHA1);
        let groups: Vec<u8> = sod.hashes.keys().map(|g| g.number()).collect();
        assert_eq!(groups, vec![1, 2, 3, 7, 11, 13, 14]);
        assert_eq!(sod.signed.certificates.len(), 1);
        let attrs = sod.signed.signer_infos[0]
            .signed_attributes
            .as_ref()
            .unwrap();
        assert_eq!(attrs.content_type, Some(oid::LDS_SECURITY_OBJECT));
        assert_eq!(attrs.message_digest.as_ref().map(Vec::len), Some(32));
    }

    #[test]
    fn parses_the_dutch_specimen_sod() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_SOD_011D.bin");
        let sod = Sod::parse(&bytes).unwrap();
        assert_eq!(sod.hash_algorithm().oid, oid::SHA256);
        let groups: Vec<u8> = sod.hashes.keys().map(|g| g.number()).collect();
        assert_eq!(groups, vec![1, 2, 15]);
    }

    #[test]
    fn rejects_truncated_sod_without_panicking() {
        let bytes = crate::testdata::shared("pa/es_dnie_specimen/EF_SOD.bin");
        for len in (0..bytes.len()).step_by(7) {
            assert!(Sod::parse(&bytes[..len]).is_err());
        }
    }
}
