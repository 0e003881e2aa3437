//! CMS SignedData (RFC 5652) as issuers write it: EF.SOD, EF.CardSecurity and the CSCA
//! master list, with contentType / messageDigest / signingTime signed attributes.

use alicem_emrtd::lds::signed_data::{
    ATTR_CONTENT_TYPE, ATTR_MESSAGE_DIGEST, ATTR_SIGNING_TIME, SIGNED_DATA,
};
use std::str::FromStr;

use alicem_emrtd::oid;
use alicem_emrtd::verify::keys::HashAlgorithm;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, DateTime, Decode, Encode, Tag};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::name::{Name, RdnSequence};

use super::FactoryError;
use super::keys::SigningKey;

/// How the SignerInfo names its signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignerIdStyle {
    /// issuerAndSerialNumber, the issuer name exactly as in the certificate.
    #[default]
    IssuerAndSerial,
    /// issuerAndSerialNumber with the issuer's RDNs in reverse order and the country in
    /// lower case, as some issuers write it.
    IssuerAndSerialReordered,
    /// subjectKeyIdentifier.
    SubjectKeyIdentifier,
}

/// Options of one signature.
#[derive(Debug, Clone, Copy)]
pub struct SignOptions {
    pub hash: HashAlgorithm,
    pub signer_id: SignerIdStyle,
    /// Write a bare `rsaEncryption` as signature algorithm (RSA keys only).
    pub bare_rsa_encryption: bool,
    pub signing_time: Option<DateTime>,
}

fn attribute(oid: const_oid::ObjectIdentifier, value: Any) -> Result<Attribute, FactoryError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// The issuer name with RDNs reversed and the country lower-cased.
fn reordered(name: &Name) -> Result<Name, FactoryError> {
    let mut rdns: Vec<_> = name.iter_rdn().cloned().collect();
    rdns.reverse();
    let text: Vec<String> = rdns.iter().map(|r| r.to_string()).collect();
    let joined = text.join(",");
    let lowered: String = joined
        .split(',')
        .map(|part| match part.strip_prefix("C=") {
            Some(c) => format!("C={}", c.to_ascii_lowercase()),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let der = RdnSequence::from_str(&lowered)?.to_der()?;
    Ok(Name::from_der(&der)?)
}

/// Builds a ContentInfo(SignedData) over `content`.
pub fn sign(
    content_type: const_oid::ObjectIdentifier,
    content: &[u8],
    signer: &SigningKey,
    signer_certificate: &[u8],
    other_certificates: &[&[u8]],
    options: SignOptions,
) -> Result<Vec<u8>, FactoryError> {
    let cert = Certificate::from_der(signer_certificate)?;
    let tbs = cert.tbs_certificate();
    let (sid, version) = match options.signer_id {
        SignerIdStyle::SubjectKeyIdentifier => {
            let ski = tbs
                .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()?
                .map(|(_, ski)| ski)
                .ok_or_else(|| FactoryError::Unsupported("signer has no SKI".into()))?;
            (SignerIdentifier::SubjectKeyIdentifier(ski), CmsVersion::V3)
        }
        style => {
            let issuer = if style == SignerIdStyle::IssuerAndSerialReordered {
                reordered(tbs.issuer())?
            } else {
                tbs.issuer().clone()
            };
            (
                SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                    issuer,
                    serial_number: tbs.serial_number().clone(),
                }),
                CmsVersion::V1,
            )
        }
    };
    let digest_alg = AlgorithmIdentifierOwned {
        oid: options.hash.oid(),
        parameters: None,
    };
    let mut attrs = SetOfVec::new();
    attrs.insert(attribute(
        ATTR_CONTENT_TYPE,
        Any::encode_from(&content_type)?,
    )?)?;
    if let Some(time) = options.signing_time {
        attrs.insert(attribute(
            ATTR_SIGNING_TIME,
            Any::encode_from(&UtcTime::from_date_time(time)?)?,
        )?)?;
    }
    attrs.insert(attribute(
        ATTR_MESSAGE_DIGEST,
        Any::new(Tag::OctetString, options.hash.digest(content))?,
    )?)?;
    let (mut signature_algorithm, signature) = signer.sign(options.hash, &attrs.to_der()?)?;
    if options.bare_rsa_encryption && matches!(signer, SigningKey::Rsa { .. }) {
        signature_algorithm = AlgorithmIdentifierOwned {
            oid: oid::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
    }
    let signer_info = SignerInfo {
        version,
        sid,
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut certificates = SetOfVec::new();
    certificates.insert(CertificateChoices::Certificate(cert))?;
    for other in other_certificates {
        certificates.insert(CertificateChoices::Certificate(Certificate::from_der(
            other,
        )?))?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(digest_alg)?;
    let signed = SignedData {
        version: CmsVersion::V3,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent: Some(Any::new(Tag::OctetString, content)?),
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info])?,
    };
    let info = ContentInfo {
        content_type: SIGNED_DATA,
        content: Any::encode_from(&signed)?,
    };
    Ok(info.to_der()?)
}
