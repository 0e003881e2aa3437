//! The server's side: the peppered verifier and the check of a proof.

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use p256::ecdsa::VerifyingKey;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::transcript::transcript;
use super::{
    PinAttempts, PinChallenge, PinChange, PinCheckError, PinError, PinOutcome, PinProof,
    PinPurpose, PinRegistration, PinSecretId, ProofContext,
};
use crate::jose::b64;

/// The server-side secret mixed into every verifier. It lives in the server's
/// configuration or secret store, never in the database, so a database dump alone
/// does not even let one check a candidate PIN key. `id` names it for rotation.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pepper {
    #[zeroize(skip)]
    id: u32,
    mac_key: [u8; 32],
}

impl core::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pepper")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Pepper {
    /// Minimum pepper length.
    pub const MIN_LEN: usize = 32;

    /// A pepper from its secret bytes (at least 32 random bytes).
    pub fn new(id: u32, secret: &[u8]) -> Result<Self, PinError> {
        if secret.len() < Self::MIN_LEN {
            return Err(PinError::Malformed("pepper (at least 32 bytes)"));
        }
        let mut mac_key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"alicem-pin-pepper-v1"), secret)
            .expand(b"verifier mac key", &mut mac_key)
            .map_err(|_| PinError::Kdf)?;
        Ok(Self { id, mac_key })
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    fn tag(&self, account: &str, secret_id: &PinSecretId, public_key: &[u8; 33]) -> [u8; 32] {
        // The key is 32 bytes, which HMAC always accepts.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.mac_key) else {
            return [0u8; 32];
        };
        mac.update(b"alicem-pin-verifier-v1");
        mac.update(
            &u32::try_from(account.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        mac.update(account.as_bytes());
        mac.update(&secret_id.0);
        mac.update(public_key);
        mac.finalize().into_bytes().into()
    }
}

/// What the server stores per identity: HMAC(pepper, account ‖ secret id ‖ public
/// PIN key). Not enough to check a PIN without both the pepper and the phone.
#[derive(Clone, PartialEq, Eq)]
pub struct PinVerifier {
    pepper_id: u32,
    secret_id: PinSecretId,
    tag: [u8; 32],
}

impl core::fmt::Debug for PinVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PinVerifier")
            .field("pepper_id", &self.pepper_id)
            .finish_non_exhaustive()
    }
}

fn point(public_key: &[u8; 33]) -> Result<VerifyingKey, PinCheckError> {
    VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| PinCheckError::Malformed("PIN public key"))
}

fn verify_signature(
    proof: &PinProof,
    purpose: PinPurpose,
    challenge: &PinChallenge,
    context: &ProofContext<'_>,
) -> bool {
    let Ok(key) = point(&proof.public_key) else {
        return false;
    };
    let message = transcript(context, purpose, challenge, &proof.secret_id.0);
    // The point was decompressed and checked by p256; the equation runs in ring.
    crate::ecdsa::verify_fixed(&key, &message, &proof.signature)
}

impl PinVerifier {
    /// The verifier for a new PIN registration.
    pub fn register(
        pepper: &Pepper,
        account: &str,
        registration: &PinRegistration,
    ) -> Result<Self, PinCheckError> {
        point(&registration.public_key)?;
        Ok(Self {
            pepper_id: pepper.id,
            secret_id: registration.secret_id,
            tag: pepper.tag(account, &registration.secret_id, &registration.public_key),
        })
    }

    /// Which device secret the PIN key comes from (goes into each challenge).
    pub fn secret_id(&self) -> PinSecretId {
        self.secret_id
    }

    pub fn pepper_id(&self) -> u32 {
        self.pepper_id
    }

    /// Storage form: `v1.<pepper id>.<secret id>.<tag>`.
    pub fn to_storage(&self) -> String {
        format!(
            "v1.{}.{}.{}",
            self.pepper_id,
            self.secret_id.to_b64(),
            b64::encode(&self.tag)
        )
    }

    pub fn from_storage(text: &str) -> Result<Self, PinError> {
        let bad = || PinError::Malformed("stored PIN verifier");
        let mut parts = text.split('.');
        let (Some("v1"), Some(pepper), Some(secret), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        Ok(Self {
            pepper_id: pepper.parse().map_err(|_| bad())?,
            secret_id: PinSecretId::from_b64(secret)?,
            tag: b64::decode_array::<32>("PIN verifier tag", tag).map_err(|_| bad())?,
        })
    }

    /// Checks a proof, without touching any counter: `WrongPin` unless the proof's
    /// public key is the registered one (compared in constant time) and its signature
    /// covers this challenge and context.
    pub fn verify(
        &self,
        pepper: &Pepper,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
        proof: &PinProof,
    ) -> Result<(), PinCheckError> {
        if pepper.id != self.pepper_id {
            return Err(PinCheckError::PepperMismatch {
                stored: self.pepper_id,
                configured: pepper.id,
            });
        }
        if matches!(context.purpose, PinPurpose::NewPinKey) {
            return Err(PinCheckError::Malformed("proof purpose"));
        }
        let tag = pepper.tag(context.account, &proof.secret_id, &proof.public_key);
        let key_matches = bool::from(tag.ct_eq(&self.tag));
        let signature_ok = verify_signature(proof, context.purpose, challenge, context);
        if key_matches && signature_ok {
            Ok(())
        } else {
            Err(PinCheckError::WrongPin)
        }
    }

    /// One PIN attempt: refuses outright when locked, otherwise verifies and returns
    /// the updated counter, which the server must store before answering.
    pub fn attempt(
        &self,
        pepper: &Pepper,
        attempts: PinAttempts,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
        proof: &PinProof,
    ) -> (PinAttempts, PinOutcome) {
        if attempts.is_locked() {
            return (attempts, PinOutcome::Locked);
        }
        attempts.record(self.verify(pepper, challenge, context, proof))
    }

    /// A PIN change: the current PIN counts as an attempt; the new key must prove
    /// possession over the same challenge. Returns the new verifier on success.
    pub fn change(
        &self,
        pepper: &Pepper,
        attempts: PinAttempts,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
        change: &PinChange,
    ) -> (PinAttempts, Result<PinVerifier, PinOutcome>) {
        if context.purpose != PinPurpose::ChangePin {
            return (
                attempts,
                Err(PinOutcome::Refused(PinCheckError::Malformed(
                    "PIN change context",
                ))),
            );
        }
        let (attempts, outcome) =
            self.attempt(pepper, attempts, challenge, context, &change.current);
        if outcome != PinOutcome::Accepted {
            return (attempts, Err(outcome));
        }
        let new = &change.new_registration;
        let proof = &change.new_key_proof;
        let possession = proof.public_key == new.public_key
            && proof.secret_id == new.secret_id
            && new.secret_id != self.secret_id
            && verify_signature(proof, PinPurpose::NewPinKey, challenge, context);
        if !possession {
            return (
                attempts,
                Err(PinOutcome::Refused(PinCheckError::Malformed(
                    "new PIN key proof",
                ))),
            );
        }
        match PinVerifier::register(pepper, context.account, new) {
            Ok(verifier) => (attempts, Ok(verifier)),
            Err(e) => (attempts, Err(PinOutcome::Refused(e))),
        }
    }
}
