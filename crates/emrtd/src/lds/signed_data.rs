//! CMS SignedData (RFC 5652) as eMRTDs use it: EF.SOD, EF.CardSecurity and CSCA master
//! lists. Decoded with `der` derives, keeping the exact bytes a signature covers (the
//! signed attributes, each embedded certificate) so that a document encoded slightly
//! off DER still verifies. BER (indefinite lengths) is accepted when DER fails.

use cms::signed_data::SignerIdentifier;
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, OctetString, SetOfVec};
use der::{
    Any, Decode, DecodeValue, Encode, EncodeValue, EncodingRules, FixedTag, Header, Length, Reader,
    Sequence, SliceReader, Tag, Tagged, Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

/// id-signedData.
pub const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// The signed attributes of RFC 5652 §11.
pub const ATTR_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const ATTR_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub const ATTR_SIGNING_TIME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedDataError {
    #[error("not a valid CMS ContentInfo: {0}")]
    Der(#[from] der::Error),
    #[error("content type is {0}, not signedData")]
    NotSignedData(ObjectIdentifier),
    #[error("the signed content is missing (detached signatures are not used by eMRTDs)")]
    NoContent,
    #[error("no SignerInfo")]
    NoSigner,
    #[error("signed attribute {0} is malformed")]
    BadAttribute(ObjectIdentifier),
}

/// The value bytes of a constructed element, kept exactly as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSet(pub Vec<u8>);

impl FixedTag for RawSet {
    const TAG: Tag = Tag::Set;
}

impl<'a> DecodeValue<'a> for RawSet {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(Self(reader.read_vec(header.length())?))
    }
}

impl EncodeValue for RawSet {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

#[derive(Sequence)]
struct ContentInfoRaw {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: Any,
}

#[derive(Sequence)]
struct EncapsulatedContentInfoRaw {
    econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    econtent: Option<OctetString>,
}

#[derive(Sequence)]
struct SignedDataRaw {
    version: u8,
    digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    encap_content_info: EncapsulatedContentInfoRaw,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    certificates: Option<RawSet>,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    crls: Option<RawSet>,
    signer_infos: RawSet,
}

#[derive(Sequence)]
struct SignerInfoRaw {
    version: u8,
    sid: SignerIdentifier,
    digest_alg: AlgorithmIdentifierOwned,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    signed_attrs: Option<RawSet>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: OctetString,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    unsigned_attrs: Option<RawSet>,
}

/// The signed attributes of a SignerInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    /// `SET OF Attribute` exactly as received, re-tagged as a SET (what is signed).
    pub signed_bytes: Vec<u8>,
    /// The same attributes re-encoded in DER, for signers that signed the DER form of
    /// attributes they sent in another order.
    pub der_bytes: Option<Vec<u8>>,
    pub content_type: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    /// signingTime as printed (UTCTime or GeneralizedTime), for display.
    pub signing_time: Option<String>,
}

/// One signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    pub sid: SignerIdentifier,
    pub digest_algorithm: AlgorithmIdentifierOwned,
    pub signed_attributes: Option<SignedAttributes>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
}

/// A decoded SignedData with its encapsulated content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedObject {
    pub content_type: ObjectIdentifier,
    /// The eContent octets (what the message digest covers).
    pub content: Vec<u8>,
    pub digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    /// Each embedded certificate's encoding.
    pub certificates: Vec<Vec<u8>>,
    /// Each embedded CRL's encoding.
    pub crls: Vec<Vec<u8>>,
    pub signer_infos: Vec<SignerInfo>,
}

/// Decodes with DER, then with BER if DER refuses.
pub fn decode_lenient<T: for<'a> Decode<'a, Error = der::Error>>(
    bytes: &[u8],
) -> Result<T, der::Error> {
    T::from_der(bytes).or_else(|der_error| T::from_ber(bytes).map_err(|_| der_error))
}

/// Splits the value of a SET/SEQUENCE OF into its elements' encodings.
fn elements(value: &[u8], rules: EncodingRules) -> Result<Vec<Vec<u8>>, der::Error> {
    let mut reader = SliceReader::new_with_encoding_rules(value, rules)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let any = AnyRef::decode(&mut reader)?;
        out.push(any.to_der()?);
    }
    Ok(out)
}

fn with_rules<T>(
    bytes: &[u8],
    f: impl Fn(&[u8], EncodingRules) -> Result<T, der::Error>,
) -> Result<T, der::Error> {
    f(bytes, EncodingRules::Der).or_else(|e| f(bytes, EncodingRules::Ber).map_err(|_| e))
}

fn set_tagged(value: &[u8]) -> Result<Vec<u8>, der::Error> {
    let mut out = Vec::with_capacity(value.len() + 6);
    Header::new(Tag::Set, Length::try_from(value.len())?).encode_to_vec(&mut out)?;
    out.extend_from_slice(value);
    Ok(out)
}

fn signed_attributes(value: &[u8]) -> Result<SignedAttributes, SignedDataError> {
    let signed_bytes = set_tagged(value)?;
    let attrs: SetOfVec<Attribute> = decode_lenient(&signed_bytes)?;
    let der_bytes = attrs.to_der().ok().filter(|d| *d != signed_bytes);
    let mut out = SignedAttributes {
        signed_bytes,
        der_bytes,
        content_type: None,
        message_digest: None,
        signing_time: None,
    };
    for attr in attrs.iter() {
        let first = attr.values.iter().next();
        match attr.oid {
            ATTR_CONTENT_TYPE => {
                let v = first.ok_or(SignedDataError::BadAttribute(attr.oid))?;
                out.content_type = Some(
                    v.decode_as::<ObjectIdentifier>()
                        .map_err(|_| SignedDataError::BadAttribute(attr.oid))?,
                );
            }
            ATTR_MESSAGE_DIGEST => {
                let v = first.ok_or(SignedDataError::BadAttribute(attr.oid))?;
                if v.tag() != Tag::OctetString {
                    return Err(SignedDataError::BadAttribute(attr.oid));
                }
                out.message_digest = Some(v.value().to_vec());
            }
            ATTR_SIGNING_TIME => {
                out.signing_time = first.map(|v| String::from_utf8_lossy(v.value()).into_owned());
            }
            _ => {}
        }
    }
    Ok(out)
}

impl SignedObject {
    /// Decodes a ContentInfo carrying SignedData (EF.SOD without its 77 tag,
    /// EF.CardSecurity, a master list).
    pub fn from_content_info(bytes: &[u8]) -> Result<Self, SignedDataError> {
        let info: ContentInfoRaw = decode_lenient(bytes)?;
        if info.content_type != SIGNED_DATA {
            return Err(SignedDataError::NotSignedData(info.content_type));
        }
        let inner = info.content.to_der()?;
        let signed: SignedDataRaw = decode_lenient(&inner)?;
        let content = signed
            .encap_content_info
            .econtent
            .ok_or(SignedDataError::NoContent)?
            .into_bytes()
            .into_vec();
        let certificates = match &signed.certificates {
            Some(set) => with_rules(&set.0, elements)?,
            None => Vec::new(),
        };
        let crls = match &signed.crls {
            Some(set) => with_rules(&set.0, elements)?,
            None => Vec::new(),
        };
        let mut signer_infos = Vec::new();
        for encoded in with_rules(&signed.signer_infos.0, elements)? {
            let raw: SignerInfoRaw = decode_lenient(&encoded)?;
            let signed_attributes = raw
                .signed_attrs
                .as_ref()
                .map(|set| signed_attributes(&set.0))
                .transpose()?;
            signer_infos.push(SignerInfo {
                sid: raw.sid,
                digest_algorithm: raw.digest_alg,
                signed_attributes,
                signature_algorithm: raw.signature_algorithm,
                signature: raw.signature.into_bytes().into_vec(),
            });
        }
        if signer_infos.is_empty() {
            return Err(SignedDataError::NoSigner);
        }
        Ok(Self {
            content_type: signed.encap_content_info.econtent_type,
            content,
            digest_algorithms: signed.digest_algorithms.into_vec(),
            certificates,
            crls,
            signer_infos,
        })
    }
}
