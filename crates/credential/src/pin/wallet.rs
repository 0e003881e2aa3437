//! The wallet's side: the device secret and the PIN key derived from it.

use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use p256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use signature::Signer;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::transcript::transcript;
use super::{
    Pin, PinChallenge, PinChange, PinError, PinProof, PinPurpose, PinRegistration, PinSecretId,
    ProofContext,
};
use crate::jose::b64;
use crate::rng::random_bytes;

/// Argon2id cost of deriving the PIN key. Only the wallet needs them; they are stored
/// with the [`PinSecret`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: a few hundred milliseconds on a phone, once per PIN
    /// entry. Above RFC 9106's second recommended option and OWASP's minimum.
    pub const RECOMMENDED: Self = Self {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Cheap parameters for tests and demos. The scheme's security against a stolen
    /// phone does not rest on Argon2 (the phone stores nothing to test a PIN
    /// against); it only slows the attacker who holds phone, database and pepper.
    pub const FAST_INSECURE: Self = Self {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };

    fn argon2(&self) -> Result<Argon2<'static>, PinError> {
        if !(8..=1024 * 1024).contains(&self.m_cost_kib)
            || !(1..=16).contains(&self.t_cost)
            || !(1..=4).contains(&self.p_cost)
        {
            return Err(PinError::KdfParams);
        }
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|_| PinError::KdfParams)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// The device secret: 256 random bits that, with the PIN, make the PIN key. Stored
/// on the phone (encrypted at rest by the wallet), never sent, independent of the PIN.
#[derive(Clone, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
pub struct PinSecret {
    #[zeroize(skip)]
    id: PinSecretId,
    #[serde(with = "salt_b64")]
    salt: [u8; 32],
    #[zeroize(skip)]
    params: KdfParams,
}

impl core::fmt::Debug for PinSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PinSecret")
            .field("id", &self.id.to_b64())
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

mod salt_b64 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(salt: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(b64::encode(salt)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        b64::decode_array::<32>("PIN secret", &text).map_err(serde::de::Error::custom)
    }
}

impl PinSecret {
    /// A new device secret. Note that the PIN is not an input: what the phone stores
    /// cannot depend on it.
    pub fn generate(params: KdfParams, rng: &mut (impl rand_core::CryptoRng + ?Sized)) -> Self {
        Self {
            id: PinSecretId::generate(rng),
            salt: random_bytes(rng),
            params,
        }
    }

    pub fn id(&self) -> PinSecretId {
        self.id
    }

    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// The PIN key: Argon2id(PIN, device secret) stretched, then HKDF-SHA256 to a
    /// P-256 scalar (retrying with a counter in the ~2⁻³² case of an invalid scalar).
    fn pin_key(&self, pin: &Pin) -> Result<SigningKey, PinError> {
        let mut stretched = Zeroizing::new([0u8; 32]);
        self.params
            .argon2()?
            .hash_password_into(pin.as_bytes(), &self.salt, stretched.as_mut())
            .map_err(|_| PinError::Kdf)?;
        let hk = Hkdf::<Sha256>::new(Some(b"alicem-pin-key-v1"), stretched.as_ref());
        for counter in 0u8..=u8::MAX {
            let mut okm = Zeroizing::new([0u8; 32]);
            hk.expand_multi_info(&[b"p256 signing key", &[counter]], okm.as_mut())
                .map_err(|_| PinError::Kdf)?;
            if let Ok(key) = SigningKey::from_slice(okm.as_ref()) {
                return Ok(key);
            }
        }
        Err(PinError::Kdf)
    }

    fn public_key(key: &SigningKey) -> Result<[u8; 33], PinError> {
        key.verifying_key()
            .to_sec1_point(true)
            .as_bytes()
            .try_into()
            .map_err(|_| PinError::Kdf)
    }

    /// What the server needs to check this PIN later (sent once, at enrollment).
    pub fn register(&self, pin: &Pin) -> Result<PinRegistration, PinError> {
        let key = self.pin_key(pin)?;
        Ok(PinRegistration {
            secret_id: self.id,
            public_key: Self::public_key(&key)?,
        })
    }

    fn sign(
        &self,
        key: &SigningKey,
        purpose: PinPurpose,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
    ) -> Result<PinProof, PinError> {
        let message = transcript(context, purpose, challenge, &self.id.0);
        let signature: p256::ecdsa::Signature =
            key.try_sign(&message).map_err(|_| PinError::Kdf)?;
        let signature: [u8; 64] = signature.to_bytes().into();
        Ok(PinProof {
            secret_id: self.id,
            public_key: Self::public_key(key)?,
            signature,
        })
    }

    /// Proves the PIN for one request: a signature with the PIN key over the server's
    /// challenge and the request's context. Fails if the challenge names another
    /// device secret (the wallet then tries its other one, see `docs/pin.md`).
    pub fn prove(
        &self,
        pin: &Pin,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
    ) -> Result<PinProof, PinError> {
        if challenge.secret_id != self.id {
            return Err(PinError::Malformed("challenge for another PIN secret"));
        }
        let key = self.pin_key(pin)?;
        self.sign(&key, context.purpose, challenge, context)
    }

    /// Prepares a PIN change: returns the new device secret (to keep as pending until
    /// the server confirms) and the message for the server.
    pub fn change(
        &self,
        current: &Pin,
        new: &Pin,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Result<(PinSecret, PinChange), PinError> {
        if context.purpose != PinPurpose::ChangePin {
            return Err(PinError::Malformed("PIN change context"));
        }
        let current_proof = self.prove(current, challenge, context)?;
        let next = PinSecret::generate(self.params, rng);
        let new_key = next.pin_key(new)?;
        let new_key_proof = next.sign(&new_key, PinPurpose::NewPinKey, challenge, context)?;
        let new_registration = PinRegistration {
            secret_id: next.id,
            public_key: Self::public_key(&new_key)?,
        };
        Ok((
            next,
            PinChange {
                current: current_proof,
                new_registration,
                new_key_proof,
            },
        ))
    }
}
