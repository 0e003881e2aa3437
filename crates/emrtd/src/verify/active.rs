//! Verifying Active Authentication (Doc 9303-11 §6.1): the chip signed the terminal's
//! challenge with the private key whose public half is in DG15.
//!
//! RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (partial message
//! recovery): the recovered representative is `6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer`,
//! the trailer `BC` (implicit SHA-1) or `xx CC` naming the hash. EC keys sign with ECDSA,
//! a plain r‖s signature, the hash given by DG14's ActiveAuthenticationInfo.

use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, RsaPublicKey};

use super::keys::{HashAlgorithm, PublicKey, SignatureError, SignatureScheme};
use crate::lds::SecurityInfos;
use crate::lds::dg15::Dg15;
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AaError {
    #[error("{0}")]
    Key(#[from] SignatureError),
    #[error("the signature is not smaller than the RSA modulus")]
    SignatureTooLarge,
    #[error("the recovered message has no ISO/IEC 9796-2 trailer")]
    BadTrailer,
    #[error("the recovered message has header {0:02X}, not 6A (scheme 1, partial recovery)")]
    BadHeader(u8),
    #[error("unknown hash identifier {0:02X} in the ISO/IEC 9796-2 trailer")]
    UnknownHashId(u8),
    #[error("the hash in the recovered message does not match the challenge")]
    HashMismatch,
    #[error("an ECDSA Active Authentication key needs DG14's ActiveAuthenticationInfo")]
    NoAlgorithm,
    #[error("the ECDSA signature does not verify")]
    EcdsaInvalid,
}

/// The ISO/IEC 10118-3 hash identifier of a 9796-2 trailer `id CC`.
fn hash_of_trailer_id(id: u8) -> Option<HashAlgorithm> {
    Some(match id {
        0x33 => HashAlgorithm::Sha1,
        0x34 => HashAlgorithm::Sha256,
        0x35 => HashAlgorithm::Sha512,
        0x36 => HashAlgorithm::Sha384,
        0x38 => HashAlgorithm::Sha224,
        _ => return None,
    })
}

/// The trailer byte(s) for a hash, for signers.
pub fn trailer_of_hash(hash: HashAlgorithm, implicit_sha1: bool) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha1 if implicit_sha1 => vec![0xBC],
        HashAlgorithm::Sha1 => vec![0x33, 0xCC],
        HashAlgorithm::Sha256 => vec![0x34, 0xCC],
        HashAlgorithm::Sha512 => vec![0x35, 0xCC],
        HashAlgorithm::Sha384 => vec![0x36, 0xCC],
        HashAlgorithm::Sha224 => vec![0x38, 0xCC],
    }
}

/// Verifies an ISO/IEC 9796-2 scheme 1 signature over `challenge`; returns the hash used.
pub fn verify_rsa_9796_2(
    key: &RsaPublicKey,
    challenge: &[u8],
    signature: &[u8],
) -> Result<HashAlgorithm, AaError> {
    let n = key.n();
    let k = n.as_ref().bits().div_ceil(8) as usize;
    let s = BoxedUint::from_be_slice(signature, key.n_bits_precision())
        .map_err(|_| AaError::SignatureTooLarge)?;
    if s >= *n.as_ref() {
        return Err(AaError::SignatureTooLarge);
    }
    let mut m = rsa::hazmat::rsa_encrypt(key, &s).map_err(|_| AaError::SignatureTooLarge)?;
    // The signer may return n − J^d when it is smaller: the representative ends in ...C.
    let low = m.to_be_bytes().last().copied().unwrap_or(0);
    if low & 0x0F != 0x0C {
        m = n.as_ref().wrapping_sub(&m);
    }
    let full = m.to_be_bytes();
    let f = full.get(full.len().saturating_sub(k)..).unwrap_or(&[]);
    let (hash, trailer_len) = match f {
        [.., 0xBC] => (HashAlgorithm::Sha1, 1),
        [.., id, 0xCC] => (
            hash_of_trailer_id(*id).ok_or(AaError::UnknownHashId(*id))?,
            2,
        ),
        _ => return Err(AaError::BadTrailer),
    };
    let header = f.first().copied().unwrap_or(0);
    if header != 0x6A {
        return Err(AaError::BadHeader(header));
    }
    let h_len = hash.output_len();
    let m1_end = k
        .checked_sub(trailer_len + h_len)
        .filter(|end| *end >= 1)
        .ok_or(AaError::BadTrailer)?;
    let m1 = f.get(1..m1_end).ok_or(AaError::BadTrailer)?;
    let h = f.get(m1_end..m1_end + h_len).ok_or(AaError::BadTrailer)?;
    let mut message = m1.to_vec();
    message.extend_from_slice(challenge);
    if hash.digest(&message) != h {
        return Err(AaError::HashMismatch);
    }
    Ok(hash)
}

/// The outcome of verifying an Active Authentication response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AaVerified {
    /// "ISO/IEC 9796-2 with SHA-1", "ECDSA (plain) with SHA-256"…
    pub algorithm: String,
}

/// Verifies the chip's response to `challenge` with DG15's key. `dg14` gives the ECDSA
/// algorithm for an EC key.
pub fn verify_active_authentication(
    dg15: &Dg15,
    dg14: Option<&SecurityInfos>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<AaVerified, AaError> {
    match PublicKey::from_spki(&dg15.public_key)? {
        PublicKey::Rsa(key) => {
            let hash = verify_rsa_9796_2(&key, challenge, signature)?;
            Ok(AaVerified {
                algorithm: format!("ISO/IEC 9796-2 scheme 1 with {}", hash.name()),
            })
        }
        key @ PublicKey::Ec { .. } => {
            let info = dg14
                .and_then(SecurityInfos::active_authentication)
                .ok_or(AaError::NoAlgorithm)?;
            let algorithm = spki::AlgorithmIdentifierOwned {
                oid: info.signature_algorithm,
                parameters: None,
            };
            let scheme = match SignatureScheme::from_algorithm(&algorithm, None)? {
                // DG14 may name the X9.62 OID; AA signatures are plain r‖s regardless.
                SignatureScheme::Ecdsa { hash, .. } => SignatureScheme::Ecdsa { hash, plain: true },
                _ => {
                    return Err(
                        SignatureError::UnsupportedAlgorithm(info.signature_algorithm).into(),
                    );
                }
            };
            key.verify(scheme, challenge, signature)
                .map_err(|_| AaError::EcdsaInvalid)?;
            Ok(AaVerified {
                algorithm: scheme.name(),
            })
        }
    }
}

/// Whether an OID is one of the ECDSA signature algorithms (for the factory).
pub fn is_ecdsa(algorithm: &const_oid::ObjectIdentifier) -> bool {
    [
        oid::ECDSA_PLAIN_SHA1,
        oid::ECDSA_PLAIN_SHA224,
        oid::ECDSA_PLAIN_SHA256,
        oid::ECDSA_PLAIN_SHA384,
        oid::ECDSA_PLAIN_SHA512,
        oid::ECDSA_WITH_SHA1,
        oid::ECDSA_WITH_SHA224,
        oid::ECDSA_WITH_SHA256,
        oid::ECDSA_WITH_SHA384,
        oid::ECDSA_WITH_SHA512,
    ]
    .contains(algorithm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;

    /// Signs like a chip: `6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer`, raised to d; returns
    /// min(s, n − s) when `min` (ISO/IEC 9796-2 allows either).
    fn sign_9796_2(
        key: &RsaPrivateKey,
        hash: HashAlgorithm,
        implicit: bool,
        challenge: &[u8],
        min: bool,
    ) -> Vec<u8> {
        let k = key.n().as_ref().bits().div_ceil(8) as usize;
        let trailer = trailer_of_hash(hash, implicit);
        let m1: Vec<u8> = (0..k - 1 - hash.output_len() - trailer.len())
            .map(|i| (i * 7) as u8)
            .collect();
        let mut message = m1.clone();
        message.extend_from_slice(challenge);
        let mut f = vec![0x6A];
        f.extend(&m1);
        f.extend(hash.digest(&message));
        f.extend(&trailer);
        let m = BoxedUint::from_be_slice(&f, key.n_bits_precision()).unwrap();
        let mut s =
            rsa::hazmat::rsa_decrypt::<rand_core::UnwrapErr<getrandom::SysRng>>(None, key, &m)
                .unwrap();
        if min {
            let other = key.n().as_ref().wrapping_sub(&s);
            if other < s {
                s = other;
            }
        }
        let bytes = s.to_be_bytes();
        bytes[bytes.len() - k..].to_vec()
    }

    #[test]
    fn verifies_iso_9796_2_with_every_sha_trailer() {
        let key = RsaPrivateKey::new(&mut rand_core::UnwrapErr(getrandom::SysRng), 1024).unwrap();
        let public = key.to_public_key();
        let challenge = [9, 8, 7, 6, 5, 4, 3, 2];
        for (hash, implicit) in [
            (HashAlgorithm::Sha1, true),
            (HashAlgorithm::Sha1, false),
            (HashAlgorithm::Sha224, false),
            (HashAlgorithm::Sha256, false),
            (HashAlgorithm::Sha384, false),
            (HashAlgorithm::Sha512, false),
        ] {
            for min in [false, true] {
                let sig = sign_9796_2(&key, hash, implicit, &challenge, min);
                assert_eq!(
                    verify_rsa_9796_2(&public, &challenge, &sig),
                    Ok(hash),
                    "{hash:?}"
                );
                let other = [0u8; 8];
                assert_eq!(
                    verify_rsa_9796_2(&public, &other, &sig),
                    Err(AaError::HashMismatch)
                );
            }
        }
        assert!(verify_rsa_9796_2(&public, &challenge, &[0xFF; 200]).is_err());
        assert!(verify_rsa_9796_2(&public, &challenge, &[]).is_err());
    }
}
