//! Remembering which issuer-signed JWTs already verified, so that a citizen who logs
//! in many times costs one issuer-signature verification per credential rather than
//! one per login.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::SD_JWT_VC_TYP;
use crate::jose::{JoseError, Jwk, JwkSet, UnverifiedJws, VerifiedJws};

/// A bounded set of issuer-signed JWTs whose signature verified, each under one key.
///
/// # Why skipping the signature on a hit is safe
///
/// - **What a hit proves.** An entry is the SHA-256 of a domain-separated,
///   length-prefixed encoding of the header's `kid`, the RFC 7638 thumbprint of the
///   key the issuer key set chose for that header, and the *exact* compact issuer JWT
///   (header, payload **and signature** bytes). ECDSA / RSA verification is a
///   deterministic function of (key, signed bytes, signature), so a hit means these
///   very bytes verified under this very key before. Finding other bytes, another
///   key or another `kid` with the same entry would need a SHA-256 collision: a
///   different credential, a re-signed or altered one, or another issuer key never
///   hits.
/// - **Only successes are remembered**, and only after the full verification: a
///   forged or tampered JWT is verified (and refused) every time, and cannot add
///   entries. A malleated twin of a valid ECDSA signature (`n − s`) has other bytes,
///   so it is a miss, verified in full (and valid, as ECDSA allows).
/// - **The key set still decides.** The key is looked up in the *current* issuer
///   key set before the cache is consulted: a key removed from the set (rotation,
///   compromise) stops every credential it signed, cached or not.
/// - **Everything else is checked on every presentation**: the claims are parsed
///   from the payload again, `exp` / `nbf` against the current clock, `vct`, `iss`,
///   the disclosures, the holder key, and the whole key-binding JWT (its signature,
///   this login's nonce and audience, `iat`, `sd_hash`). Only the issuer's signature
///   math is skipped. The identity's status (suspended, revoked) is the server's
///   record, read for every login, and was never carried by the signature.
/// - **Bounded, secret-free, in memory.** At most `capacity` entries (32-byte digests,
///   oldest evicted first); an attacker can only insert digests of JWTs the issuer
///   really signed, and the worst a full or evicted cache can do is a miss, which
///   costs what the verification cost before. Nothing is persisted. A hit is faster
///   than a miss, which tells a caller only that these exact credential bytes (which
///   it must already hold) were presented recently.
#[derive(Debug)]
pub struct IssuerSignatureCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    known: HashSet<[u8; 32]>,
    /// Insertion order, for eviction.
    order: VecDeque<[u8; 32]>,
}

/// Default number of remembered credentials (≈ 100 bytes each).
pub const DEFAULT_ISSUER_CACHE_CAPACITY: usize = 8192;

impl Default for IssuerSignatureCache {
    fn default() -> Self {
        Self::new(DEFAULT_ISSUER_CACHE_CAPACITY)
    }
}

fn entry(compact_jwt: &str, kid: Option<&str>, key: &Jwk) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"alicem-issuer-signature-cache-v1");
    match kid {
        Some(kid) => {
            h.update([1]);
            h.update(u64::try_from(kid.len()).unwrap_or(u64::MAX).to_be_bytes());
            h.update(kid.as_bytes());
        }
        None => h.update([0]),
    }
    h.update(key.thumbprint_bytes());
    h.update(compact_jwt.as_bytes());
    h.finalize().into()
}

impl IssuerSignatureCache {
    /// A cache of at most `capacity` credentials (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// How many credentials are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.known.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn remembers(&self, digest: &[u8; 32]) -> bool {
        self.entries.lock().is_ok_and(|e| e.known.contains(digest))
    }

    fn remember(&self, digest: [u8; 32]) {
        if let Ok(mut e) = self.entries.lock()
            && e.known.insert(digest)
        {
            e.order.push_back(digest);
            while e.order.len() > self.capacity {
                if let Some(old) = e.order.pop_front() {
                    e.known.remove(&old);
                }
            }
        }
    }
}

/// Parses the issuer-signed JWT `compact_jwt` of an SD-JWT VC, checks its `typ`, and
/// verifies it with the key of `keys` its header names, unless `cache` remembers
/// these exact bytes verifying under that key.
pub(crate) fn verify_issuer_jwt(
    compact_jwt: &str,
    keys: &JwkSet,
    cache: Option<&IssuerSignatureCache>,
) -> Result<VerifiedJws, JoseError> {
    let jwt = UnverifiedJws::parse(compact_jwt)?;
    jwt.header().expect_typ(SD_JWT_VC_TYP)?;
    let key = keys.find_for(jwt.header())?;
    let Some(cache) = cache.filter(|c| c.capacity > 0) else {
        return jwt.verify(&key.verifying_key()?);
    };
    let digest = entry(compact_jwt, jwt.header().kid.as_deref(), key);
    if cache.remembers(&digest) {
        return jwt.verified_earlier(key.jws_algorithm());
    }
    let verified = jwt.verify(&key.verifying_key()?)?;
    cache.remember(digest);
    Ok(verified)
}
