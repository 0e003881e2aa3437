//! Verifying one CMS SignerInfo: the message digest over the signed content, then the
//! signature over the signed attributes, by the signer's certificate.

use cms::signed_data::SignerIdentifier;

use super::certificate::Certificate;
use super::keys::{HashAlgorithm, PublicKey, SignatureError, SignatureScheme};
use super::names;
use crate::lds::signed_data::{SignedObject, SignerInfo};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CmsError {
    #[error("{0}")]
    Signature(#[from] SignatureError),
    #[error("the messageDigest attribute does not match the signed content")]
    MessageDigestMismatch,
    #[error("the signed attributes have no messageDigest")]
    NoMessageDigest,
    #[error("the contentType attribute ({0}) differs from the encapsulated content type")]
    ContentTypeMismatch(const_oid::ObjectIdentifier),
}

fn strip(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}

/// Whether `certificate` is the one a SignerIdentifier designates.
pub fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            strip(isn.serial_number.as_bytes()) == strip(certificate.serial())
                && names::same_name(&isn.issuer, certificate.issuer())
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            certificate.subject_key_identifier().as_deref() == Some(ski.0.as_bytes())
        }
    }
}

/// Verifies a SignerInfo of `signed` with `key`; returns the signature scheme used.
pub fn verify_signer_info(
    signed: &SignedObject,
    info: &SignerInfo,
    key: &PublicKey,
) -> Result<SignatureScheme, CmsError> {
    let digest_algorithm = HashAlgorithm::from_oid(&info.digest_algorithm.oid)?;
    let scheme =
        SignatureScheme::from_algorithm(&info.signature_algorithm, Some(digest_algorithm))?;
    let Some(attrs) = &info.signed_attributes else {
        key.verify(scheme, &signed.content, &info.signature)?;
        return Ok(scheme);
    };
    let expected = attrs
        .message_digest
        .as_ref()
        .ok_or(CmsError::NoMessageDigest)?;
    if digest_algorithm.digest(&signed.content) != *expected {
        return Err(CmsError::MessageDigestMismatch);
    }
    if let Some(content_type) = attrs.content_type
        && content_type != signed.content_type
    {
        return Err(CmsError::ContentTypeMismatch(content_type));
    }
    match key.verify(scheme, &attrs.signed_bytes, &info.signature) {
        Ok(()) => Ok(scheme),
        Err(first) => match &attrs.der_bytes {
            Some(der) if key.verify(scheme, der, &info.signature).is_ok() => Ok(scheme),
            _ => Err(first.into()),
        },
    }
}
