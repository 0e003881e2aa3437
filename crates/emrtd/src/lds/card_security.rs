//! EF.CardSecurity (BSI TR-03110-3 §A.1.2, Doc 9303-11 §9.2.9): the chip's
//! SecurityInfos (including the PACE-CAM / Chip Authentication public keys) signed by
//! the Document Signer as a CMS SignedData of content type id-SecurityObject.

use super::security_infos::{SecurityInfos, SecurityInfosError};
use super::signed_data::{SignedDataError, SignedObject};
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardSecurityError {
    #[error("EF.CardSecurity: {0}")]
    SignedData(#[from] SignedDataError),
    #[error("EF.CardSecurity: the signed content is {0}, not id-SecurityObject")]
    ContentType(const_oid::ObjectIdentifier),
    #[error("EF.CardSecurity: {0}")]
    SecurityInfos(#[from] SecurityInfosError),
}

/// A parsed EF.CardSecurity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSecurity {
    pub signed: SignedObject,
    pub security_infos: SecurityInfos,
}

impl CardSecurity {
    pub fn parse(bytes: &[u8]) -> Result<Self, CardSecurityError> {
        let signed = SignedObject::from_content_info(bytes)?;
        if signed.content_type != oid::SECURITY_OBJECT {
            return Err(CardSecurityError::ContentType(signed.content_type));
        }
        let security_infos = SecurityInfos::from_der(&signed.content)?;
        Ok(Self {
            signed,
            security_infos,
        })
    }
}
