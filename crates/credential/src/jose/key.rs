//! Signing and verifying keys for JWS.

use rsa::pkcs1v15;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use signature::{Signer, Verifier};

use super::jwk::{p256_point, rsa_key};
use super::{JoseError, Jwk, JwsAlgorithm};

/// Anything that can sign a JWS: the server's issuer key, the OIDC provider's ID-token
/// key, the wallet's device key (which, on a phone, may live in a secure element: hence
/// a trait rather than a key type).
pub trait JwsSigner {
    /// The `alg` this signer produces.
    fn algorithm(&self) -> JwsAlgorithm;
    /// The `kid` to put in the header, if any.
    fn key_id(&self) -> Option<&str>;
    /// Signs the JWS signing input (`BASE64URL(header) '.' BASE64URL(payload)`) and
    /// returns the JWS signature bytes (for ES256: `r || s`, 64 bytes).
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError>;
    /// The public key, as a JWK (with `kid` when there is one).
    fn public_jwk(&self) -> Jwk;
}

enum SigningKeyInner {
    Es256(p256::ecdsa::SigningKey),
    Rs256(Box<pkcs1v15::SigningKey<Sha256>>),
}

/// A private key held in memory (zeroized on drop by the RustCrypto key types).
pub struct SigningKey {
    inner: SigningKeyInner,
    kid: Option<String>,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// An ES256 key.
    pub fn es256(key: p256::ecdsa::SigningKey) -> Self {
        Self {
            inner: SigningKeyInner::Es256(key),
            kid: None,
        }
    }

    /// A fresh random ES256 key.
    pub fn generate_es256(rng: &mut (impl rand_core::CryptoRng + ?Sized)) -> Self {
        use p256::elliptic_curve::Generate;
        Self::es256(p256::ecdsa::SigningKey::generate_from_rng(rng))
    }

    /// An RS256 key; refuses moduli under 2048 bits.
    pub fn rs256(key: RsaPrivateKey) -> Result<Self, JoseError> {
        use rsa::traits::PublicKeyParts;
        if key.n().bits_vartime() < 2048 {
            return Err(JoseError::InvalidKey(
                "RSA keys must have at least 2048 bits",
            ));
        }
        Ok(Self {
            inner: SigningKeyInner::Rs256(Box::new(pkcs1v15::SigningKey::new(key))),
            kid: None,
        })
    }

    /// Reads a PKCS#8 private key (PEM), P-256 or RSA.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, JoseError> {
        use p256::pkcs8::DecodePrivateKey;
        if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(Self::es256(key));
        }
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|_| JoseError::InvalidKey("not a PKCS#8 P-256 or RSA private key"))?;
        Self::rs256(key)
    }

    /// Sets the `kid` that will go in headers and in the published JWK.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets the `kid` to the key's RFC 7638 thumbprint.
    pub fn with_thumbprint_kid(self) -> Self {
        let kid = Jwk::from(&self.verifying_key()).thumbprint();
        self.with_kid(kid)
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        match &self.inner {
            SigningKeyInner::Es256(k) => VerifyingKey::Es256(*k.verifying_key()),
            SigningKeyInner::Rs256(k) => VerifyingKey::Rs256(pkcs1v15::VerifyingKey::new(
                k.as_ref().as_ref().to_public_key(),
            )),
        }
    }
}

impl JwsSigner for SigningKey {
    fn algorithm(&self) -> JwsAlgorithm {
        match self.inner {
            SigningKeyInner::Es256(_) => JwsAlgorithm::Es256,
            SigningKeyInner::Rs256(_) => JwsAlgorithm::Rs256,
        }
    }

    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        match &self.inner {
            SigningKeyInner::Es256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(signing_input).map_err(|_| JoseError::Signing)?;
                Ok(sig.to_bytes().to_vec())
            }
            SigningKeyInner::Rs256(k) => {
                let sig = k.try_sign(signing_input).map_err(|_| JoseError::Signing)?;
                Ok(Box::<[u8]>::from(sig).into_vec())
            }
        }
    }

    fn public_jwk(&self) -> Jwk {
        let jwk = Jwk::from(&self.verifying_key()).for_signing(self.algorithm());
        match &self.kid {
            Some(kid) => jwk.with_kid(kid.clone()),
            None => jwk,
        }
    }
}

/// A public key that verifies JWS signatures of exactly one algorithm.
#[derive(Clone, Debug)]
pub enum VerifyingKey {
    Es256(p256::ecdsa::VerifyingKey),
    Rs256(pkcs1v15::VerifyingKey<Sha256>),
}

impl VerifyingKey {
    /// The key of a JWK (point on the curve, RSA size limits checked).
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JoseError> {
        match jwk.jws_algorithm() {
            JwsAlgorithm::Es256 => Ok(Self::Es256(p256_point(jwk.key())?)),
            JwsAlgorithm::Rs256 => Ok(Self::Rs256(pkcs1v15::VerifyingKey::new(rsa_key(
                jwk.key(),
            )?))),
        }
    }

    pub fn algorithm(&self) -> JwsAlgorithm {
        match self {
            Self::Es256(_) => JwsAlgorithm::Es256,
            Self::Rs256(_) => JwsAlgorithm::Rs256,
        }
    }

    /// Verifies a JWS signature over `signing_input`.
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        match self {
            Self::Es256(k) => {
                // JWS ES256 signatures are the 64-byte r || s, never DER; verified
                // through ring (see `crate::ecdsa`).
                if crate::ecdsa::verify_fixed(k, signing_input, signature) {
                    Ok(())
                } else {
                    Err(JoseError::BadSignature)
                }
            }
            Self::Rs256(k) => {
                let sig = pkcs1v15::Signature::try_from(signature)
                    .map_err(|_| JoseError::BadSignature)?;
                k.verify(signing_input, &sig)
                    .map_err(|_| JoseError::BadSignature)
            }
        }
    }
}

impl From<&VerifyingKey> for Jwk {
    fn from(key: &VerifyingKey) -> Self {
        match key {
            VerifyingKey::Es256(k) => Jwk::from_p256(k),
            VerifyingKey::Rs256(k) => Jwk::from_rsa(k.as_ref()),
        }
    }
}

impl From<RsaPublicKey> for VerifyingKey {
    fn from(key: RsaPublicKey) -> Self {
        Self::Rs256(pkcs1v15::VerifyingKey::new(key))
    }
}

impl From<p256::ecdsa::VerifyingKey> for VerifyingKey {
    fn from(key: p256::ecdsa::VerifyingKey) -> Self {
        Self::Es256(key)
    }
}
