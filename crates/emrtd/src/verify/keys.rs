//! Hash and signature algorithms found in eMRTD PKIs, public keys (RSA, or EC on a named
//! or explicitly given curve) and signature verification on the RustCrypto crates.

use const_oid::ObjectIdentifier;
use der::asn1::ObjectIdentifier as Oid;
use der::{Any, Decode, Sequence, Tagged};
use digest::Digest;
use rsa::{BoxedUint, RsaPublicKey};
use serde::Serialize;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::curves;
use crate::domain_parameters::Curve;
use crate::oid;

/// Why a key, an algorithm or a signature is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("unsupported hash algorithm {0}")]
    UnsupportedHash(ObjectIdentifier),
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(ObjectIdentifier),
    #[error("unsupported public key algorithm {0}")]
    UnsupportedKey(ObjectIdentifier),
    #[error("explicit EC parameters that match no standard curve")]
    UnknownExplicitCurve,
    #[error("EC curve {0:?} is not supported for signatures")]
    UnsupportedCurve(Curve),
    #[error("malformed public key: {0}")]
    MalformedKey(String),
    #[error("malformed algorithm parameters: {0}")]
    MalformedParameters(String),
    #[error("the {scheme} signature does not fit a {key} key")]
    KeyMismatch { scheme: String, key: String },
    #[error("malformed signature")]
    MalformedSignature,
    #[error("signature does not verify")]
    Invalid,
}

/// The hash functions of Doc 9303-12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum HashAlgorithm {
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-224")]
    Sha224,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl HashAlgorithm {
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, SignatureError> {
        Ok(match *oid {
            oid::SHA1 => Self::Sha1,
            oid::SHA224 => Self::Sha224,
            oid::SHA256 => Self::Sha256,
            oid::SHA384 => Self::Sha384,
            oid::SHA512 => Self::Sha512,
            other => return Err(SignatureError::UnsupportedHash(other)),
        })
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The hash whose output has this length (ISO/IEC 9796-2 implicit trailers).
    pub fn from_output_len(len: usize) -> Option<Self> {
        [
            Self::Sha1,
            Self::Sha224,
            Self::Sha256,
            Self::Sha384,
            Self::Sha512,
        ]
        .into_iter()
        .find(|h| h.output_len() == len)
    }
}

/// How a signature is computed and encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    RsaPkcs1v15(HashAlgorithm),
    RsaPss {
        hash: HashAlgorithm,
        salt_len: usize,
    },
    /// `plain`: r‖s of field size each (BSI TR-03111), otherwise a DER SEQUENCE.
    Ecdsa {
        hash: HashAlgorithm,
        plain: bool,
    },
}

/// `RSASSA-PSS-params` (RFC 4055).
#[derive(Debug, Clone, Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");

impl SignatureScheme {
    /// The scheme of a signature algorithm identifier. `digest` is the separately given
    /// digest algorithm (a SignerInfo's), used when the identifier names only the key
    /// type, as some issuers write a bare `rsaEncryption` or `id-ecPublicKey`.
    pub fn from_algorithm(
        algorithm: &AlgorithmIdentifierOwned,
        digest: Option<HashAlgorithm>,
    ) -> Result<Self, SignatureError> {
        use HashAlgorithm::*;
        let needs_digest = || digest.ok_or(SignatureError::UnsupportedAlgorithm(algorithm.oid));
        let ecdsa = |hash, plain| Ok(Self::Ecdsa { hash, plain });
        match algorithm.oid {
            oid::SHA1_WITH_RSA => Ok(Self::RsaPkcs1v15(Sha1)),
            oid::SHA224_WITH_RSA => Ok(Self::RsaPkcs1v15(Sha224)),
            oid::SHA256_WITH_RSA => Ok(Self::RsaPkcs1v15(Sha256)),
            oid::SHA384_WITH_RSA => Ok(Self::RsaPkcs1v15(Sha384)),
            oid::SHA512_WITH_RSA => Ok(Self::RsaPkcs1v15(Sha512)),
            oid::RSA_ENCRYPTION => Ok(Self::RsaPkcs1v15(needs_digest()?)),
            oid::RSASSA_PSS => Self::pss(algorithm.parameters.as_ref()),
            oid::ECDSA_WITH_SHA1 => ecdsa(Sha1, false),
            oid::ECDSA_WITH_SHA224 => ecdsa(Sha224, false),
            oid::ECDSA_WITH_SHA256 => ecdsa(Sha256, false),
            oid::ECDSA_WITH_SHA384 => ecdsa(Sha384, false),
            oid::ECDSA_WITH_SHA512 => ecdsa(Sha512, false),
            oid::ECDSA_PLAIN_SHA1 => ecdsa(Sha1, true),
            oid::ECDSA_PLAIN_SHA224 => ecdsa(Sha224, true),
            oid::ECDSA_PLAIN_SHA256 => ecdsa(Sha256, true),
            oid::ECDSA_PLAIN_SHA384 => ecdsa(Sha384, true),
            oid::ECDSA_PLAIN_SHA512 => ecdsa(Sha512, true),
            oid::EC_PUBLIC_KEY => ecdsa(needs_digest()?, false),
            other => Err(SignatureError::UnsupportedAlgorithm(other)),
        }
    }

    fn pss(parameters: Option<&Any>) -> Result<Self, SignatureError> {
        let bad = |e: der::Error| SignatureError::MalformedParameters(e.to_string());
        let params = match parameters {
            Some(any) if any.tag() != der::Tag::Null => {
                let der = der::Encode::to_der(any).map_err(bad)?;
                PssParams::from_der(&der).map_err(bad)?
            }
            _ => PssParams {
                hash: None,
                mask_gen: None,
                salt_len: None,
                trailer: None,
            },
        };
        let hash = match &params.hash {
            Some(h) => HashAlgorithm::from_oid(&h.oid)?,
            None => HashAlgorithm::Sha1,
        };
        if let Some(mgf) = &params.mask_gen {
            // Only MGF1 with the same hash is in use (and supported by the rsa crate).
            let mgf_hash = mgf
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                .map(|a| a.oid);
            if mgf.oid != MGF1 || mgf_hash.is_some_and(|h| h != hash.oid()) {
                return Err(SignatureError::MalformedParameters(
                    "RSASSA-PSS mask generation other than MGF1 with the same hash".into(),
                ));
            }
        }
        if params.trailer.is_some_and(|t| t != 1) {
            return Err(SignatureError::MalformedParameters(
                "RSASSA-PSS trailer field other than 1".into(),
            ));
        }
        Ok(Self::RsaPss {
            hash,
            salt_len: params.salt_len.unwrap_or(20) as usize,
        })
    }

    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1v15(h) => h,
            Self::RsaPss { hash, .. } | Self::Ecdsa { hash, .. } => hash,
        }
    }

    /// A readable name: "ECDSA with SHA-256", "RSASSA-PSS with SHA-256", …
    pub fn name(self) -> String {
        match self {
            Self::RsaPkcs1v15(h) => format!("RSA PKCS#1 v1.5 with {}", h.name()),
            Self::RsaPss { hash, .. } => format!("RSASSA-PSS with {}", hash.name()),
            Self::Ecdsa { hash, plain } => format!(
                "ECDSA{} with {}",
                if plain { " (plain)" } else { "" },
                hash.name()
            ),
        }
    }
}

/// A public key able to verify signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa(RsaPublicKey),
    /// A point (SEC 1 encoding) on a standard curve.
    Ec {
        curve: Curve,
        point: Vec<u8>,
    },
}

fn malformed(e: impl core::fmt::Display) -> SignatureError {
    SignatureError::MalformedKey(e.to_string())
}

/// The curve of an `id-ecPublicKey` algorithm's parameters (named or explicit).
pub fn ec_curve(parameters: Option<&Any>) -> Result<Curve, SignatureError> {
    let params = parameters.ok_or_else(|| malformed("EC key without curve parameters"))?;
    if let Ok(named) = params.decode_as::<ObjectIdentifier>() {
        return Curve::from_oid(&named).ok_or_else(|| malformed(format!("unknown curve {named}")));
    }
    curves::match_explicit(params).ok_or(SignatureError::UnknownExplicitCurve)
}

/// Decodes an RSA public key from its PKCS#1 `RSAPublicKey` DER.
pub fn rsa_from_pkcs1(der: &[u8]) -> Result<RsaPublicKey, SignatureError> {
    let key = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(malformed)?;
    let n = key.modulus.as_bytes();
    let e = key.public_exponent.as_bytes();
    let uint = |b: &[u8]| {
        let b = b
            .get(b.iter().take_while(|x| **x == 0).count()..)
            .unwrap_or(&[]);
        BoxedUint::from_be_slice(b, (b.len() * 8).max(8) as u32).map_err(malformed)
    };
    RsaPublicKey::new_with_size_limits(uint(n)?, uint(e)?, 512..=16384).map_err(malformed)
}

impl PublicKey {
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, SignatureError> {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| malformed("public key bit string has unused bits"))?;
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => Ok(Self::Rsa(rsa_from_pkcs1(bits)?)),
            oid::EC_PUBLIC_KEY => Ok(Self::Ec {
                curve: ec_curve(spki.algorithm.parameters.as_ref())?,
                point: bits.to_vec(),
            }),
            other => Err(SignatureError::UnsupportedKey(other)),
        }
    }

    /// "RSA 2048", "EC brainpoolP256r1".
    pub fn description(&self) -> String {
        match self {
            Self::Rsa(key) => format!("RSA {}", rsa::traits::PublicKeyParts::n(key).bits()),
            Self::Ec { curve, .. } => format!("EC {}", curve.name()),
        }
    }

    /// Verifies `signature` over `message`.
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        // P-256 and P-384 with SHA-256/384, the common cases, go through `ring`, several
        // times faster than the generic arithmetic; anything it refuses is retried below
        // so that its stricter parsing never rejects a signature the standards accept.
        if let (Self::Ec { curve, point }, SignatureScheme::Ecdsa { hash, plain }) = (self, scheme)
            && let Some(algorithm) = ring_algorithm(*curve, hash, plain)
            && ring::signature::UnparsedPublicKey::new(algorithm, point)
                .verify(message, signature)
                .is_ok()
        {
            return Ok(());
        }
        self.verify_digest(scheme, &scheme.hash().digest(message), signature)
    }

    /// Verifies `signature` over an already computed digest.
    pub fn verify_digest(
        &self,
        scheme: SignatureScheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        match (self, scheme) {
            (Self::Rsa(key), SignatureScheme::RsaPkcs1v15(hash)) => {
                let padding = match hash {
                    HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                    HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, digest, signature)
                    .map_err(|_| SignatureError::Invalid)
            }
            (Self::Rsa(key), SignatureScheme::RsaPss { hash, salt_len }) => {
                let result = match hash {
                    HashAlgorithm::Sha1 => key.verify(
                        rsa::Pss::<sha1::Sha1>::new_with_salt(salt_len),
                        digest,
                        signature,
                    ),
                    HashAlgorithm::Sha224 => key.verify(
                        rsa::Pss::<sha2::Sha224>::new_with_salt(salt_len),
                        digest,
                        signature,
                    ),
                    HashAlgorithm::Sha256 => key.verify(
                        rsa::Pss::<sha2::Sha256>::new_with_salt(salt_len),
                        digest,
                        signature,
                    ),
                    HashAlgorithm::Sha384 => key.verify(
                        rsa::Pss::<sha2::Sha384>::new_with_salt(salt_len),
                        digest,
                        signature,
                    ),
                    HashAlgorithm::Sha512 => key.verify(
                        rsa::Pss::<sha2::Sha512>::new_with_salt(salt_len),
                        digest,
                        signature,
                    ),
                };
                result.map_err(|_| SignatureError::Invalid)
            }
            (Self::Ec { curve, point }, SignatureScheme::Ecdsa { plain, .. }) => {
                ecdsa_verify(*curve, point, digest, signature, plain)
            }
            (key, scheme) => Err(SignatureError::KeyMismatch {
                scheme: scheme.name(),
                key: key.description(),
            }),
        }
    }
}

fn ring_algorithm(
    curve: Curve,
    hash: HashAlgorithm,
    plain: bool,
) -> Option<&'static ring::signature::EcdsaVerificationAlgorithm> {
    use ring::signature as r;
    Some(match (curve, hash, plain) {
        (Curve::NistP256, HashAlgorithm::Sha256, false) => &r::ECDSA_P256_SHA256_ASN1,
        (Curve::NistP256, HashAlgorithm::Sha384, false) => &r::ECDSA_P256_SHA384_ASN1,
        (Curve::NistP384, HashAlgorithm::Sha256, false) => &r::ECDSA_P384_SHA256_ASN1,
        (Curve::NistP384, HashAlgorithm::Sha384, false) => &r::ECDSA_P384_SHA384_ASN1,
        (Curve::NistP256, HashAlgorithm::Sha256, true) => &r::ECDSA_P256_SHA256_FIXED,
        (Curve::NistP384, HashAlgorithm::Sha384, true) => &r::ECDSA_P384_SHA384_FIXED,
        _ => return None,
    })
}

macro_rules! ecdsa_on {
    ($curve:ty, $point:expr, $digest:expr, $sig:expr, $plain:expr) => {{
        let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes($point).map_err(malformed)?;
        let signature = if $plain {
            ecdsa::Signature::<$curve>::from_slice($sig)
        } else {
            ecdsa::Signature::<$curve>::from_der($sig)
        }
        .map_err(|_| SignatureError::MalformedSignature)?;
        key.verify_prehash($digest, &signature)
            .map_err(|_| SignatureError::Invalid)
    }};
}

use crate::crypto::ec::curves as custom;

fn ecdsa_verify(
    curve: Curve,
    point: &[u8],
    digest: &[u8],
    signature: &[u8],
    plain: bool,
) -> Result<(), SignatureError> {
    match curve {
        Curve::NistP256 => ecdsa_on!(p256::NistP256, point, digest, signature, plain),
        Curve::NistP384 => ecdsa_on!(p384::NistP384, point, digest, signature, plain),
        Curve::NistP521 => ecdsa_on!(p521::NistP521, point, digest, signature, plain),
        Curve::BrainpoolP256r1 => {
            ecdsa_on!(bp256::BrainpoolP256r1, point, digest, signature, plain)
        }
        Curve::BrainpoolP384r1 => {
            ecdsa_on!(bp384::BrainpoolP384r1, point, digest, signature, plain)
        }
        Curve::BrainpoolP512r1 => ecdsa_on!(
            custom::brainpool_p512r1::BrainpoolP512r1,
            point,
            digest,
            signature,
            plain
        ),
        Curve::BrainpoolP192r1 => ecdsa_on!(
            custom::brainpool_p192r1::BrainpoolP192r1,
            point,
            digest,
            signature,
            plain
        ),
        Curve::BrainpoolP224r1 => ecdsa_on!(
            custom::brainpool_p224r1::BrainpoolP224r1,
            point,
            digest,
            signature,
            plain
        ),
        Curve::BrainpoolP320r1 => ecdsa_on!(
            custom::brainpool_p320r1::BrainpoolP320r1,
            point,
            digest,
            signature,
            plain
        ),
        Curve::NistP192 => ecdsa_on!(custom::nist_p192::NistP192, point, digest, signature, plain),
        Curve::NistP224 => ecdsa_on!(custom::nist_p224::NistP224, point, digest, signature, plain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_openssl_ecdsa_signatures_on_every_icao_curve() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../testdata/crosscheck/ecdsa.json")).unwrap();
        let scheme = SignatureScheme::Ecdsa {
            hash: HashAlgorithm::Sha256,
            plain: false,
        };
        let mut seen = 0;
        for v in vectors["signatures"].as_array().unwrap() {
            let name = v["curve"].as_str().unwrap();
            let curve = Curve::ALL.into_iter().find(|c| c.name() == name).unwrap();
            let key = PublicKey::Ec {
                curve,
                point: hex::decode(v["public"].as_str().unwrap()).unwrap(),
            };
            let message = hex::decode(v["message"].as_str().unwrap()).unwrap();
            let signature = hex::decode(v["signature_der"].as_str().unwrap()).unwrap();
            key.verify(scheme, &message, &signature)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut altered = message.clone();
            altered[0] ^= 1;
            assert!(key.verify(scheme, &altered, &signature).is_err(), "{name}");
            seen += 1;
        }
        assert_eq!(seen, Curve::ALL.len());
    }
}
