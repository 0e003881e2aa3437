//! The device key: a P-256 key pair made on the phone, whose public half the server
//! binds the credential to (`cnf`). It signs enrollment evidence and key bindings.

use alicem_credential::jose::{JoseError, Jwk, JwsAlgorithm, JwsSigner};
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;
use signature::Signer;
use zeroize::Zeroizing;

/// The device's private key (zeroized on drop by `p256`). On a phone this would be a
/// handle to a non-exportable key in the secure element; only [`DeviceKey::sign`]
/// and the public key are needed by the rest of the wallet.
pub struct DeviceKey {
    key: SigningKey,
    jwk: Jwk,
}

impl core::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    pub(crate) fn generate(rng: &mut (impl rand_core::CryptoRng + ?Sized)) -> Self {
        Self::from_key(SigningKey::generate_from_rng(rng))
    }

    fn from_key(key: SigningKey) -> Self {
        let jwk = Jwk::from_p256(key.verifying_key());
        Self { key, jwk }
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        SigningKey::from_slice(bytes).ok().map(Self::from_key)
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.key.to_bytes().to_vec())
    }

    /// ECDSA P-256 / SHA-256 signature of `message`, as `r || s`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let signature: Signature = self.key.sign(message);
        signature.to_bytes().into()
    }

    /// The public key as a JWK (what the server stores and binds the credential to).
    pub fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// RFC 7638 thumbprint of the public key: the device's identifier.
    pub fn thumbprint(&self) -> String {
        self.jwk.thumbprint()
    }

    pub fn verifying_key(&self) -> &p256::ecdsa::VerifyingKey {
        self.key.verifying_key()
    }
}

impl JwsSigner for DeviceKey {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Es256
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        let signature: Signature = self
            .key
            .try_sign(signing_input)
            .map_err(|_| JoseError::Signing)?;
        Ok(signature.to_bytes().to_vec())
    }

    fn public_jwk(&self) -> Jwk {
        self.jwk.clone()
    }
}
