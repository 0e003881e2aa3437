//! The chip's side of Active Authentication: INTERNAL AUTHENTICATE signs the terminal's
//! challenge with ISO/IEC 9796-2 scheme 1 (RSA, partial recovery) or plain ECDSA.

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::crypto::entropy::random_bytes;
use alicem_emrtd::domain_parameters::Curve;
use alicem_emrtd::sm::protected_response_len;
use digest::Digest;
use rsa::BoxedUint;
use rsa::traits::PublicKeyParts;

use super::keys::AaKey;
use super::{Context, Security, VirtualChip, sw};
use crate::profile::AaHash;

/// The digest of `data` with `hash`.
pub fn digest(hash: AaHash, data: &[u8]) -> Vec<u8> {
    match hash {
        AaHash::Sha1 => sha1::Sha1::digest(data).to_vec(),
        AaHash::Sha224 => sha2::Sha224::digest(data).to_vec(),
        AaHash::Sha256 => sha2::Sha256::digest(data).to_vec(),
        AaHash::Sha384 => sha2::Sha384::digest(data).to_vec(),
        AaHash::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}

/// The ISO/IEC 9796-2 trailer: option 1 (0xBC) for SHA-1, option 2 otherwise.
pub fn trailer(hash: AaHash) -> &'static [u8] {
    match hash {
        AaHash::Sha1 => &[0xBC],
        AaHash::Sha224 => &[0x38, 0xCC],
        AaHash::Sha256 => &[0x34, 0xCC],
        AaHash::Sha384 => &[0x36, 0xCC],
        AaHash::Sha512 => &[0x35, 0xCC],
    }
}

/// The message representative F = 6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer of Doc 9303-11 §6.1.2.2
/// (partial recovery: M2, the challenge, is not recoverable from the signature).
pub fn message_representative(hash: AaHash, m1: &[u8], challenge: &[u8]) -> Vec<u8> {
    let mut m = m1.to_vec();
    m.extend_from_slice(challenge);
    let mut f = vec![0x6A];
    f.extend_from_slice(m1);
    f.extend(digest(hash, &m));
    f.extend_from_slice(trailer(hash));
    f
}

/// Plain ECDSA (r ‖ s) with a deterministic nonce (RFC 6979; the HMAC digest used
/// for the nonce does not matter to the verifier).
fn ecdsa_sign<C>(scalar: &[u8], prehash: &[u8]) -> Option<Vec<u8>>
where
    C: ecdsa::EcdsaCurve + elliptic_curve::CurveArithmetic,
{
    let key = ecdsa::SigningKey::<C>::from_slice(scalar).ok()?;
    let (signature, _) = ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha2::Sha512>(
        key.as_nonzero_scalar(),
        prehash,
        &[],
    );
    Some(signature.to_bytes().to_vec())
}

impl VirtualChip {
    fn aa_sign(&mut self, challenge: &[u8]) -> Option<Vec<u8>> {
        match self.aa_key.as_ref()? {
            AaKey::Rsa { key, hash } => {
                let (key, hash) = (key.clone(), *hash);
                let k = key.n().bits_vartime() as usize / 8;
                let m1_len = k.checked_sub(1 + digest(hash, b"").len() + trailer(hash).len())?;
                let m1 = random_bytes(self.rng.as_mut(), m1_len).ok()?;
                let f = message_representative(hash, &m1, challenge);
                let f = BoxedUint::from_be_slice(&f, key.n().bits_precision()).ok()?;
                let s =
                    rsa::hazmat::rsa_decrypt_and_check::<rand::rngs::ThreadRng>(&*key, None, &f)
                        .ok()?;
                let bytes = s.to_be_bytes();
                Some(bytes.get(bytes.len().saturating_sub(k)..)?.to_vec())
            }
            AaKey::Ecdsa {
                curve,
                scalar,
                hash,
            } => {
                let prehash = digest(*hash, challenge);
                match curve {
                    Curve::NistP256 => ecdsa_sign::<p256::NistP256>(scalar, &prehash),
                    Curve::NistP384 => ecdsa_sign::<p384::NistP384>(scalar, &prehash),
                    Curve::NistP521 => ecdsa_sign::<p521::NistP521>(scalar, &prehash),
                    Curve::BrainpoolP256r1 => {
                        ecdsa_sign::<bp256::BrainpoolP256r1>(scalar, &prehash)
                    }
                    Curve::BrainpoolP384r1 => {
                        ecdsa_sign::<bp384::BrainpoolP384r1>(scalar, &prehash)
                    }
                    _ => None,
                }
            }
        }
    }

    pub(super) fn internal_authenticate(
        &mut self,
        command: &CommandApdu,
        ctx: Context,
    ) -> ResponseApdu {
        if !matches!(self.state.security, Security::Open(_)) {
            return sw(0x6982);
        }
        if self.aa_key.is_none() {
            return sw(0x6D00);
        }
        if command.data.is_empty() || command.data.len() > 64 {
            return sw(0x6700);
        }
        let Some(signature) = self.aa_sign(&command.data) else {
            return sw(0x6F00);
        };
        // The protected answer must fit the response the terminal allowed.
        let budget = if ctx.extended { 65_536 } else { 256 };
        let size = match &self.state.security {
            Security::Open(open) if ctx.secure => {
                protected_response_len(open.channel.cipher(), signature.len())
            }
            _ => signature.len(),
        };
        if size > budget {
            return sw(0x6700);
        }
        ResponseApdu::new(signature, StatusWord::SUCCESS)
    }
}
