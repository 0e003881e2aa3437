//! Signing keys of the test PKI and the chip's own keys, generated with the RustCrypto
//! crates, and the signatures they make in the forms eMRTD PKIs use.

use alicem_emrtd::domain_parameters::Curve;
use alicem_emrtd::oid;
use alicem_emrtd::verify::keys::HashAlgorithm;
use der::asn1::BitString;
use der::{Any, Encode};
use elliptic_curve::Generate;
use rand_core::UnwrapErr;
use rsa::RsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use signature::hazmat::PrehashSigner;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::FactoryError;
use crate::image::PrivateKey;

/// The operating system's random generator.
pub type Rng = UnwrapErr<getrandom::SysRng>;

/// The operating system's random generator.
pub fn rng() -> Rng {
    UnwrapErr(getrandom::SysRng)
}

/// How an RSA key signs certificates and CMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaPadding {
    Pkcs1v15,
    Pss,
}

/// A key that signs (CSCA, Document Signer, master list signer, AA key).
#[derive(Clone)]
pub enum SigningKey {
    Ec {
        curve: Curve,
        scalar: Vec<u8>,
    },
    Rsa {
        key: Box<RsaPrivateKey>,
        padding: RsaPadding,
    },
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SigningKey::Ec { curve, .. } => write!(f, "SigningKey::Ec({curve:?})"),
            SigningKey::Rsa { padding, .. } => write!(f, "SigningKey::Rsa({padding:?})"),
        }
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        if let SigningKey::Ec { scalar, .. } = self {
            zeroize::Zeroize::zeroize(scalar);
        }
    }
}

macro_rules! per_curve {
    ($curve:expr, $C:ident => $body:expr) => {
        match $curve {
            Curve::NistP256 => {
                type $C = p256::NistP256;
                $body
            }
            Curve::NistP384 => {
                type $C = p384::NistP384;
                $body
            }
            Curve::NistP521 => {
                type $C = p521::NistP521;
                $body
            }
            Curve::BrainpoolP256r1 => {
                type $C = bp256::BrainpoolP256r1;
                $body
            }
            Curve::BrainpoolP384r1 => {
                type $C = bp384::BrainpoolP384r1;
                $body
            }
            other => Err(FactoryError::Unsupported(format!(
                "curve {} (no RustCrypto implementation)",
                other.name()
            ))),
        }
    };
}

/// A fresh EC private scalar on `curve`.
pub fn generate_ec(curve: Curve) -> Result<Vec<u8>, FactoryError> {
    per_curve!(curve, C => {
        let key = elliptic_curve::SecretKey::<C>::generate_from_rng(&mut rng());
        Ok(key.to_bytes().to_vec())
    })
}

/// The uncompressed public point of an EC private scalar.
pub fn ec_public_point(curve: Curve, scalar: &[u8]) -> Result<Vec<u8>, FactoryError> {
    per_curve!(curve, C => {
        let key = elliptic_curve::SecretKey::<C>::from_slice(scalar)
            .map_err(|_| FactoryError::Key("EC scalar out of range".into()))?;
        let point = ecdsa::SigningKey::<C>::from(&key).verifying_key().to_sec1_point(false);
        Ok(point.as_bytes().to_vec())
    })
}

/// A plain ECDSA signature (r‖s, as Active Authentication returns it) over a digest.
pub fn ecdsa_sign(curve: Curve, scalar: &[u8], digest: &[u8]) -> Result<Vec<u8>, FactoryError> {
    per_curve!(curve, C => {
        let key = ecdsa::SigningKey::<C>::from_slice(scalar)
            .map_err(|_| FactoryError::Key("EC scalar out of range".into()))?;
        let sig: ecdsa::Signature<C> = key
            .sign_prehash(digest)
            .map_err(|e| FactoryError::Key(e.to_string()))?;
        Ok(sig.to_bytes().to_vec())
    })
}

/// Converts a plain r‖s signature to its DER SEQUENCE form.
fn plain_to_der(curve: Curve, plain: &[u8]) -> Result<Vec<u8>, FactoryError> {
    per_curve!(curve, C => {
        let sig = ecdsa::Signature::<C>::from_slice(plain)
            .map_err(|e| FactoryError::Key(e.to_string()))?;
        Ok(sig.to_der().as_bytes().to_vec())
    })
}

/// `id-ecPublicKey` with a named curve.
pub fn ec_spki(curve: Curve, point: &[u8]) -> Result<SubjectPublicKeyInfoOwned, FactoryError> {
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::EC_PUBLIC_KEY,
            parameters: Some(Any::encode_from(&curve.oid())?),
        },
        subject_public_key: BitString::from_bytes(point)?,
    })
}

pub fn rsa_spki(key: &RsaPrivateKey) -> Result<SubjectPublicKeyInfoOwned, FactoryError> {
    let der = rsa::pkcs8::EncodePublicKey::to_public_key_der(&key.to_public_key())
        .map_err(|e| FactoryError::Key(e.to_string()))?;
    Ok(der::Decode::from_der(der.as_bytes())?)
}

/// A fresh RSA key of `bits` (slow in debug builds above 1024 bits).
pub fn generate_rsa(bits: usize) -> Result<RsaPrivateKey, FactoryError> {
    RsaPrivateKey::new(&mut rng(), bits).map_err(|e| FactoryError::Key(e.to_string()))
}

fn null() -> Option<Any> {
    Some(Any::null())
}

fn ecdsa_oid(hash: HashAlgorithm) -> const_oid::ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha1 => oid::ECDSA_WITH_SHA1,
        HashAlgorithm::Sha224 => oid::ECDSA_WITH_SHA224,
        HashAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
        HashAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
        HashAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
    }
}

fn rsa_oid(hash: HashAlgorithm) -> const_oid::ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha1 => oid::SHA1_WITH_RSA,
        HashAlgorithm::Sha224 => oid::SHA224_WITH_RSA,
        HashAlgorithm::Sha256 => oid::SHA256_WITH_RSA,
        HashAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
        HashAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
    }
}

/// `RSASSA-PSS-params` with MGF1 and the salt as long as the hash.
fn pss_parameters(hash: HashAlgorithm) -> Result<Any, FactoryError> {
    let hash_id = AlgorithmIdentifierOwned {
        oid: hash.oid(),
        parameters: null(),
    };
    let mgf = AlgorithmIdentifierOwned {
        oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8"),
        parameters: Some(Any::encode_from(&hash_id)?),
    };
    let explicit = |n: u8, v: Vec<u8>| -> Result<Vec<u8>, FactoryError> {
        let mut out = Vec::new();
        der::Header::new(
            der::Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber(n.into()),
            },
            der::Length::try_from(v.len())?,
        )
        .encode_to_vec(&mut out)?;
        out.extend(v);
        Ok(out)
    };
    let mut body = explicit(0, hash_id.to_der()?)?;
    body.extend(explicit(1, mgf.to_der()?)?);
    body.extend(explicit(2, (hash.output_len() as u32).to_der()?)?);
    Ok(Any::new(der::Tag::Sequence, body)?)
}

impl SigningKey {
    pub fn generate_ec(curve: Curve) -> Result<Self, FactoryError> {
        Ok(Self::Ec {
            curve,
            scalar: generate_ec(curve)?,
        })
    }

    pub fn generate_rsa(bits: usize, padding: RsaPadding) -> Result<Self, FactoryError> {
        Ok(Self::Rsa {
            key: Box::new(generate_rsa(bits)?),
            padding,
        })
    }

    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, FactoryError> {
        match self {
            Self::Ec { curve, scalar } => ec_spki(*curve, &ec_public_point(*curve, scalar)?),
            Self::Rsa { key, .. } => rsa_spki(key),
        }
    }

    /// Signs `message`: returns the signature algorithm identifier and the signature
    /// (DER for ECDSA, as X.509 and CMS want).
    pub fn sign(
        &self,
        hash: HashAlgorithm,
        message: &[u8],
    ) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), FactoryError> {
        let digest = hash.digest(message);
        match self {
            Self::Ec { curve, scalar } => {
                let plain = ecdsa_sign(*curve, scalar, &digest)?;
                Ok((
                    AlgorithmIdentifierOwned {
                        oid: ecdsa_oid(hash),
                        parameters: None,
                    },
                    plain_to_der(*curve, &plain)?,
                ))
            }
            Self::Rsa { key, padding } => {
                let signature = match padding {
                    RsaPadding::Pkcs1v15 => key.sign(pkcs1v15(hash), &digest),
                    RsaPadding::Pss => pss_sign(key, hash, &digest),
                }
                .map_err(|e| FactoryError::Key(e.to_string()))?;
                let algorithm = match padding {
                    RsaPadding::Pkcs1v15 => AlgorithmIdentifierOwned {
                        oid: rsa_oid(hash),
                        parameters: null(),
                    },
                    RsaPadding::Pss => AlgorithmIdentifierOwned {
                        oid: oid::RSASSA_PSS,
                        parameters: Some(pss_parameters(hash)?),
                    },
                };
                Ok((algorithm, signature))
            }
        }
    }

    /// The key as the chip image stores private keys.
    pub fn to_private_key(&self) -> Result<PrivateKey, FactoryError> {
        match self {
            Self::Ec { curve, scalar } => Ok(PrivateKey::Ec {
                curve: *curve,
                scalar: scalar.clone(),
            }),
            Self::Rsa { key, .. } => Ok(PrivateKey::Rsa {
                pkcs8: key
                    .to_pkcs8_der()
                    .map_err(|e| FactoryError::Key(e.to_string()))?
                    .as_bytes()
                    .to_vec(),
            }),
        }
    }

    pub fn from_private_key(key: &PrivateKey, padding: RsaPadding) -> Result<Self, FactoryError> {
        match key {
            PrivateKey::Ec { curve, scalar } => Ok(Self::Ec {
                curve: *curve,
                scalar: scalar.clone(),
            }),
            PrivateKey::Rsa { pkcs8 } => Ok(Self::Rsa {
                key: Box::new(
                    RsaPrivateKey::from_pkcs8_der(pkcs8)
                        .map_err(|e| FactoryError::Key(e.to_string()))?,
                ),
                padding,
            }),
            PrivateKey::Dh { .. } => Err(FactoryError::Unsupported(
                "a Diffie-Hellman key cannot sign".into(),
            )),
        }
    }

    /// Bits of an RSA modulus, or of the curve's field.
    pub fn bits(&self) -> usize {
        match self {
            Self::Ec { curve, .. } => curve.field_size() * 8,
            Self::Rsa { key, .. } => key.n().as_ref().bits() as usize,
        }
    }
}

fn pkcs1v15(hash: HashAlgorithm) -> rsa::Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
        HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn pss_sign(key: &RsaPrivateKey, hash: HashAlgorithm, digest: &[u8]) -> rsa::Result<Vec<u8>> {
    let mut rng = rng();
    match hash {
        HashAlgorithm::Sha1 => key.sign_with_rng(&mut rng, rsa::Pss::<sha1::Sha1>::new(), digest),
        HashAlgorithm::Sha224 => {
            key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha224>::new(), digest)
        }
        HashAlgorithm::Sha256 => {
            key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha256>::new(), digest)
        }
        HashAlgorithm::Sha384 => {
            key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha384>::new(), digest)
        }
        HashAlgorithm::Sha512 => {
            key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha512>::new(), digest)
        }
    }
}
