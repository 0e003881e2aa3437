//! The provider's signing keys: one ES256 key (and one RS256 key when enabled)
//! signing at a time, rotated on a schedule with overlap on both sides: a new key
//! is published [`PUBLISH_AHEAD`] before it signs, so relying parties that cache
//! the JWKS already know it, and a retired key stays published for the overlap
//! period so tokens it signed still verify.
//!
//! Private keys are kept through the [`KeyStore`] seam as PKCS#8 sealed with
//! AES-256-GCM under a key-encryption key that lives outside the database.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use alicem_credential::jose::{JwkSet, JwsAlgorithm, JwsSigner, SigningKey};
use alicem_credential::rng::os_rng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// How long before it signs a new key is published (seconds).
pub const PUBLISH_AHEAD: i64 = 24 * 3600;

/// A boxed future, for the storage seams.
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why keys could not be loaded, made or saved.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key storage: {0}")]
    Storage(String),
    #[error("a stored signing key could not be opened (wrong key-encryption key?)")]
    Unseal,
    #[error("a stored signing key is not a valid {0} PKCS#8 key")]
    Decode(&'static str),
    #[error("key generation failed")]
    Generate,
}

/// A signing key as persisted: the private key is sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub kid: String,
    pub alg: JwsAlgorithm,
    /// Unix seconds.
    pub created_at: i64,
    /// nonce ‖ AES-256-GCM(PKCS#8 DER) ‖ tag, AAD = kid.
    pub sealed: Vec<u8>,
}

impl core::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// Where signing keys persist (the server's database).
pub trait KeyStore: Send + Sync {
    fn load_keys(&self) -> BoxFut<'_, Result<Vec<StoredKey>, KeyError>>;
    fn save_key<'a>(&'a self, key: &'a StoredKey) -> BoxFut<'a, Result<(), KeyError>>;
    fn delete_key<'a>(&'a self, kid: &'a str) -> BoxFut<'a, Result<(), KeyError>>;
}

/// The key-encryption key sealing stored signing keys.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyWrap([u8; 32]);

impl KeyWrap {
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn cipher(&self) -> Result<Aes256Gcm, KeyError> {
        Aes256Gcm::new_from_slice(&self.0).map_err(|_| KeyError::Unseal)
    }

    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; 12];
        rand_core::Rng::fill_bytes(&mut os_rng(), &mut nonce);
        let mut buffer = plaintext.to_vec();
        let tag = self
            .cipher()?
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                kid.as_bytes(),
                buffer.as_mut_slice().into(),
            )
            .map_err(|_| KeyError::Generate)?;
        let mut out = nonce.to_vec();
        out.append(&mut buffer);
        out.extend_from_slice(tag.as_slice());
        Ok(out)
    }

    pub fn open(&self, kid: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if sealed.len() < 28 {
            return Err(KeyError::Unseal);
        }
        let (nonce, rest) = sealed.split_at(12);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| KeyError::Unseal)?;
        let tag: [u8; 16] = tag.try_into().map_err(|_| KeyError::Unseal)?;
        let mut buffer = Zeroizing::new(ct.to_vec());
        self.cipher()?
            .decrypt_inout_detached(
                &Nonce::from(nonce),
                kid.as_bytes(),
                buffer.as_mut_slice().into(),
                &Tag::from(tag),
            )
            .map_err(|_| KeyError::Unseal)?;
        Ok(buffer)
    }
}

/// One key of the ring.
#[derive(Debug, Clone)]
pub struct ManagedKey {
    pub kid: String,
    pub alg: JwsAlgorithm,
    pub created_at: i64,
    pub signer: Arc<SigningKey>,
}

fn decode(alg: JwsAlgorithm, der: &[u8]) -> Result<SigningKey, KeyError> {
    use p256::pkcs8::DecodePrivateKey;
    match alg {
        JwsAlgorithm::Es256 => p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(SigningKey::es256)
            .map_err(|_| KeyError::Decode("ES256")),
        JwsAlgorithm::Rs256 => rsa::RsaPrivateKey::from_pkcs8_der(der)
            .map_err(|_| KeyError::Decode("RS256"))
            .and_then(|k| SigningKey::rs256(k).map_err(|_| KeyError::Decode("RS256"))),
    }
}

fn generate(alg: JwsAlgorithm) -> Result<(SigningKey, Zeroizing<Vec<u8>>), KeyError> {
    use p256::pkcs8::EncodePrivateKey;
    let mut rng = os_rng();
    let der = match alg {
        JwsAlgorithm::Es256 => {
            use p256::elliptic_curve::Generate;
            p256::ecdsa::SigningKey::generate_from_rng(&mut rng)
                .to_pkcs8_der()
                .map_err(|_| KeyError::Generate)?
        }
        JwsAlgorithm::Rs256 => rsa::RsaPrivateKey::new(&mut rng, 2048)
            .map_err(|_| KeyError::Generate)?
            .to_pkcs8_der()
            .map_err(|_| KeyError::Generate)?,
    };
    let der = Zeroizing::new(der.as_bytes().to_vec());
    Ok((decode(alg, &der)?, der))
}

/// The rotation schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// A key signs for this long (seconds).
    pub period: i64,
    /// A retired key stays published this long (seconds).
    pub overlap: i64,
}

/// The provider's keys.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<ManagedKey>,
}

impl KeyRing {
    pub fn keys(&self) -> &[ManagedKey] {
        &self.keys
    }

    /// The key that signs with `alg` now: the newest one published for at least
    /// [`PUBLISH_AHEAD`], or the oldest when none is (first start).
    pub fn signer(&self, alg: JwsAlgorithm, now: i64) -> Option<Arc<SigningKey>> {
        let mut of_alg: Vec<&ManagedKey> = self.keys.iter().filter(|k| k.alg == alg).collect();
        of_alg.sort_by_key(|k| k.created_at);
        of_alg
            .iter()
            .rev()
            .find(|k| k.created_at <= now.saturating_sub(PUBLISH_AHEAD))
            .or(of_alg.first())
            .map(|k| Arc::clone(&k.signer))
    }

    /// When `key` stopped being published, if it did: `overlap` after the next key
    /// of its algorithm started signing.
    fn retired(&self, key: &ManagedKey, rotation: Rotation, now: i64) -> bool {
        self.keys.iter().any(|other| {
            other.alg == key.alg
                && other.created_at > key.created_at
                && other
                    .created_at
                    .saturating_add(PUBLISH_AHEAD)
                    .saturating_add(rotation.overlap)
                    <= now
        })
    }

    /// The public keys to publish.
    pub fn jwks(&self, rotation: Rotation, now: i64) -> JwkSet {
        JwkSet::new(
            self.keys
                .iter()
                .filter(|k| !self.retired(k, rotation, now))
                .map(|k| k.signer.public_jwk())
                .collect(),
        )
    }

    /// Whether a new key of `alg` must be made: none yet, or the newest one is due
    /// to be replaced within [`PUBLISH_AHEAD`].
    fn needs_new(&self, alg: JwsAlgorithm, rotation: Rotation, now: i64) -> bool {
        match self
            .keys
            .iter()
            .filter(|k| k.alg == alg)
            .map(|k| k.created_at)
            .max()
        {
            None => true,
            Some(newest) => {
                newest
                    .saturating_add(rotation.period)
                    .saturating_sub(PUBLISH_AHEAD)
                    <= now
            }
        }
    }

    /// Loads the stored keys, makes the ones the schedule calls for, drops retired
    /// ones (from the ring and the store). Run at start and by the periodic job.
    pub async fn maintain(
        store: &dyn KeyStore,
        wrap: &KeyWrap,
        algs: &[JwsAlgorithm],
        rotation: Rotation,
        now: i64,
    ) -> Result<KeyRing, KeyError> {
        let mut ring = KeyRing::default();
        for stored in store.load_keys().await? {
            let der = wrap.open(&stored.kid, &stored.sealed)?;
            let signer = decode(stored.alg, &der)?.with_kid(stored.kid.clone());
            ring.keys.push(ManagedKey {
                kid: stored.kid,
                alg: stored.alg,
                created_at: stored.created_at,
                signer: Arc::new(signer),
            });
        }
        for &alg in algs {
            if ring.needs_new(alg, rotation, now) {
                let (key, der) = generate(alg)?;
                let key = key.with_thumbprint_kid();
                let kid = key.key_id().unwrap_or_default().to_owned();
                let stored = StoredKey {
                    kid: kid.clone(),
                    alg,
                    created_at: now,
                    sealed: wrap.seal(&kid, &der)?,
                };
                store.save_key(&stored).await?;
                tracing::info!(kid = %kid, alg = %alg, "new OpenID Connect signing key");
                ring.keys.push(ManagedKey {
                    kid,
                    alg,
                    created_at: now,
                    signer: Arc::new(key),
                });
            }
        }
        let retired: Vec<String> = ring
            .keys
            .iter()
            .filter(|k| ring.retired(k, rotation, now))
            .map(|k| k.kid.clone())
            .collect();
        for kid in &retired {
            store.delete_key(kid).await?;
            tracing::info!(kid = %kid, "retired OpenID Connect signing key removed");
        }
        ring.keys.retain(|k| !retired.contains(&k.kid));
        Ok(ring)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Vault(Mutex<Vec<StoredKey>>);

    impl KeyStore for Vault {
        fn load_keys(&self) -> BoxFut<'_, Result<Vec<StoredKey>, KeyError>> {
            Box::pin(async move { Ok(self.0.lock().unwrap().clone()) })
        }
        fn save_key<'a>(&'a self, key: &'a StoredKey) -> BoxFut<'a, Result<(), KeyError>> {
            Box::pin(async move {
                self.0.lock().unwrap().push(key.clone());
                Ok(())
            })
        }
        fn delete_key<'a>(&'a self, kid: &'a str) -> BoxFut<'a, Result<(), KeyError>> {
            Box::pin(async move {
                self.0.lock().unwrap().retain(|k| k.kid != kid);
                Ok(())
            })
        }
    }

    const DAY: i64 = 86_400;
    const ROT: Rotation = Rotation {
        period: 90 * DAY,
        overlap: 14 * DAY,
    };

    #[tokio::test]
    async fn rotates_with_overlap_and_persists_sealed_keys() {
        let vault = Vault::default();
        let wrap = KeyWrap::new([9; 32]);
        let es = [JwsAlgorithm::Es256];
        let t0 = 1_000_000_000;
        let ring = KeyRing::maintain(&vault, &wrap, &es, ROT, t0)
            .await
            .unwrap();
        let first = ring.signer(JwsAlgorithm::Es256, t0).unwrap();
        assert_eq!(ring.jwks(ROT, t0).keys().len(), 1);
        // reloading finds the same key: persisted, not regenerated
        let again = KeyRing::maintain(&vault, &wrap, &es, ROT, t0 + DAY)
            .await
            .unwrap();
        assert_eq!(again.keys().len(), 1);
        assert_eq!(
            again
                .signer(JwsAlgorithm::Es256, t0 + DAY)
                .unwrap()
                .key_id(),
            first.key_id()
        );
        // a day before the period ends, the next key is published but does not sign yet
        let t1 = t0 + ROT.period - PUBLISH_AHEAD;
        let ring = KeyRing::maintain(&vault, &wrap, &es, ROT, t1)
            .await
            .unwrap();
        assert_eq!(ring.jwks(ROT, t1).keys().len(), 2);
        assert_eq!(
            ring.signer(JwsAlgorithm::Es256, t1).unwrap().key_id(),
            first.key_id()
        );
        // a day later it signs; the old one is still published during the overlap
        let t2 = t1 + PUBLISH_AHEAD;
        let ring = KeyRing::maintain(&vault, &wrap, &es, ROT, t2)
            .await
            .unwrap();
        assert_ne!(
            ring.signer(JwsAlgorithm::Es256, t2).unwrap().key_id(),
            first.key_id()
        );
        assert_eq!(ring.jwks(ROT, t2).keys().len(), 2);
        // after the overlap it is gone from the JWKS and the store
        let t3 = t2 + ROT.overlap;
        let ring = KeyRing::maintain(&vault, &wrap, &es, ROT, t3)
            .await
            .unwrap();
        assert_eq!(ring.jwks(ROT, t3).keys().len(), 1);
        assert_eq!(vault.0.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn refuses_keys_sealed_under_another_key_encryption_key() {
        let vault = Vault::default();
        KeyRing::maintain(
            &vault,
            &KeyWrap::new([1; 32]),
            &[JwsAlgorithm::Es256],
            ROT,
            0,
        )
        .await
        .unwrap();
        let err = KeyRing::maintain(
            &vault,
            &KeyWrap::new([2; 32]),
            &[JwsAlgorithm::Es256],
            ROT,
            0,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, KeyError::Unseal));
    }
}
