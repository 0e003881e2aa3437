//! ECDSA P-256 / SHA-256 verification through `ring`.
//!
//! Every login makes the provider verify several P-256 signatures (device proofs, the
//! PIN proof, the credential's issuer signature, the key-binding JWT). RustCrypto's
//! `p256` takes ≈ 100–130 µs per verification on the benchmark machine; `ring`'s
//! assembly P-256 (already in the build through rustls and the eMRTD crate) is several
//! times faster. Keys stay RustCrypto types everywhere (parsing, JWKs, thumbprints,
//! signing): only the verification equation runs in `ring`.
//!
//! What `ring` checks, as RustCrypto did: the public key is an uncompressed SEC1 point
//! on the curve (not the point at infinity); the signature is exactly 64 bytes
//! `r || s` with `r` and `s` in `[1, n − 1]`; then the ECDSA equation over SHA-256 of
//! the message. Like RustCrypto's `p256` (and every ES256 implementation: RFC 7518
//! does not ask for it), it does **not** refuse "high-S" signatures (`s > n / 2`):
//! ECDSA is malleable, `(r, n − s)` is as valid as `(r, s)`. That is harmless here
//! because nothing in alicem identifies a signed object by its signature bytes: the
//! device proofs' replay defence is their signed `jti`, the PIN proof's is its
//! single-use challenge, the key binding's is the login's nonce, and the issuer
//! signature cache ([`crate::sd_jwt::IssuerSignatureCache`]) only remembers
//! signatures that verified (a malleated twin is a miss, verified in full). Refusing
//! high-S would refuse about half of the signatures `p256` itself produces (it does
//! not normalize S for P-256), and the ES256 example of RFC 7515 A.3.

use p256::ecdsa::VerifyingKey;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

/// Length of a JWS ES256 signature and of a PIN proof's signature: `r || s`.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// Verifies a fixed-size (`r || s`, 64 bytes) ECDSA P-256 / SHA-256 signature of
/// `message` by `key`.
pub(crate) fn verify_fixed(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    let point = key.to_sec1_point(false);
    verify_fixed_sec1(point.as_bytes(), message, signature)
}

/// [`verify_fixed`] with the public key as an uncompressed SEC1 point (`04 || x || y`),
/// which `ring` parses and checks on the curve itself.
pub(crate) fn verify_fixed_sec1(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
    // ring checks the length too; refusing early keeps the intent visible.
    if signature.len() != SIGNATURE_LEN {
        return false;
    }
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
        .verify(message, signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use p256::ecdsa::signature::Verifier as _;
    use p256::ecdsa::{Signature, SigningKey};
    use signature::Signer as _;

    use super::*;

    /// The order n of P-256, big-endian.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_slice(&[seed; 32]).unwrap()
    }

    fn signed(seed: u8, message: &[u8]) -> (VerifyingKey, [u8; 64]) {
        let sk = key(seed);
        let sig: Signature = sk.sign(message);
        (*sk.verifying_key(), sig.to_bytes().into())
    }

    /// `n − s` for a big-endian 32-byte `s`.
    fn negate(s: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
            borrow = 0;
            if d < 0 {
                d += 256;
                borrow = 1;
            }
            out[i] = u8::try_from(d).unwrap();
        }
        out
    }

    #[test]
    fn accepts_what_rustcrypto_accepts() {
        for (seed, message) in [(1u8, &b"a"[..]), (2, b""), (3, &[0u8; 1000])] {
            let (vk, sig) = signed(seed, message);
            assert!(verify_fixed(&vk, message, &sig));
            let rc = Signature::from_slice(&sig).unwrap();
            assert!(vk.verify(message, &rc).is_ok());
        }
    }

    #[test]
    fn refuses_a_tampered_signature() {
        let (vk, sig) = signed(1, b"message");
        for byte in [0, 31, 32, 63] {
            let mut bad = sig;
            bad[byte] ^= 0x01;
            assert!(!verify_fixed(&vk, b"message", &bad), "byte {byte}");
        }
    }

    #[test]
    fn refuses_a_tampered_message() {
        let (vk, sig) = signed(1, b"message");
        assert!(!verify_fixed(&vk, b"messagf", &sig));
    }

    #[test]
    fn refuses_a_signature_by_another_key() {
        let (_, sig) = signed(1, b"message");
        let other = *key(2).verifying_key();
        assert!(!verify_fixed(&other, b"message", &sig));
    }

    #[test]
    fn refuses_wrong_length_signatures() {
        let (vk, sig) = signed(1, b"message");
        assert!(!verify_fixed(&vk, b"message", &sig[..63]));
        let mut long = sig.to_vec();
        long.push(0);
        assert!(!verify_fixed(&vk, b"message", &long));
        assert!(!verify_fixed(&vk, b"message", &[]));
        // The DER form of the same signature is not a fixed-size one.
        let der = Signature::from_slice(&sig).unwrap().to_der();
        assert!(!verify_fixed(&vk, b"message", der.as_bytes()));
    }

    #[test]
    fn refuses_malformed_scalars() {
        let (vk, sig) = signed(1, b"message");
        let (r, s) = sig.split_at(32);
        let cat = |a: &[u8], b: &[u8]| [a, b].concat();
        // r or s zero, equal to n, or above it (all ones).
        for bad in [
            cat(&[0; 32], s),
            cat(r, &[0; 32]),
            cat(&N, s),
            cat(r, &N),
            cat(&[0xff; 32], s),
            cat(r, &[0xff; 32]),
        ] {
            assert!(!verify_fixed(&vk, b"message", &bad));
        }
    }

    /// S above n / 2 is valid ECDSA (see the module's documentation): the twin
    /// `(r, n − s)` of a valid signature verifies, exactly as with RustCrypto; a
    /// high-S value that is not the twin is refused like any wrong signature.
    #[test]
    fn treats_high_s_as_rustcrypto_does() {
        let (vk, sig) = signed(1, b"message");
        let (r, s) = sig.split_at(32);
        let twin = [r, &negate(s)].concat();
        let rc = Signature::from_slice(&twin).unwrap();
        assert_eq!(
            verify_fixed(&vk, b"message", &twin),
            vk.verify(b"message", &rc).is_ok()
        );
        assert!(verify_fixed(&vk, b"message", &twin));
        // s + 1 (or its twin) is just a wrong signature, high or low.
        let mut off = negate(s);
        off[31] ^= 0x01;
        assert!(!verify_fixed(&vk, b"message", &[r, &off].concat()));
    }

    #[test]
    fn refuses_a_point_not_on_the_curve() {
        let (vk, sig) = signed(1, b"message");
        let point = vk.to_sec1_point(false);
        assert!(verify_fixed_sec1(point.as_bytes(), b"message", &sig));
        let mut off = point.as_bytes().to_vec();
        off[64] ^= 0x01; // y + 1: (x, y + 1) is not on P-256
        assert!(!verify_fixed_sec1(&off, b"message", &sig));
        // The point at infinity, a compressed point (ring takes only uncompressed
        // ones: callers decompress through p256 first), and garbage.
        assert!(!verify_fixed_sec1(&[0x00], b"message", &sig));
        let compressed = vk.to_sec1_point(true);
        assert!(!verify_fixed_sec1(compressed.as_bytes(), b"message", &sig));
        assert!(!verify_fixed_sec1(&[0x04; 65], b"message", &sig));
        assert!(!verify_fixed_sec1(&[], b"message", &sig));
    }
}
