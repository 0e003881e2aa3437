//! The PACE nonce and its mappings (Doc 9303-11 §4.4.3.3): encryption of the nonce under
//! Kπ, Generic Mapping (in [`Group::map_generic`]), and the Integrated Mapping's
//! pseudo-random function R_p(s, t) followed by f_G / f_g. Shared by both sides.

use zeroize::Zeroizing;

use crate::crypto::cipher::{block_size, cbc_decrypt_zero_iv, cbc_encrypt_zero_iv};
use crate::crypto::kdf::{self, kdf, pace_password};
use crate::crypto::{CryptoError, Element, Group};
use crate::lds::security_infos::{Cipher, Mapping, PaceProtocol};
use crate::mrz::AccessKey;

/// Kπ = KDF(f(π), 3).
pub fn password_key(key: &AccessKey, cipher: Cipher) -> Zeroizing<Vec<u8>> {
    kdf(&pace_password(key), kdf::PACE, cipher)
}

/// The key size k of E() in bytes: 16 for 3DES (as the spec counts it) and AES-128.
pub fn key_size(cipher: Cipher) -> usize {
    cipher.key_len()
}

/// Length of the chip's nonce s: one block, or for the Integrated Mapping the smallest
/// multiple of the block size holding k bits.
pub fn nonce_len(protocol: PaceProtocol) -> usize {
    let block = block_size(protocol.cipher);
    match protocol.mapping {
        Mapping::Integrated => key_size(protocol.cipher).div_ceil(block) * block,
        Mapping::Generic | Mapping::ChipAuthentication => block,
    }
}

/// z = E(Kπ, s), CBC with a zero IV.
pub fn encrypt_nonce(cipher: Cipher, k_pi: &[u8], s: &[u8]) -> Result<Vec<u8>, CryptoError> {
    cbc_encrypt_zero_iv(cipher, k_pi, s)
}

/// s = D(Kπ, z).
pub fn decrypt_nonce(
    cipher: Cipher,
    k_pi: &[u8],
    z: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if z.is_empty() {
        return Err(CryptoError::NotBlockAligned {
            len: 0,
            block: block_size(cipher),
        });
    }
    Ok(Zeroizing::new(cbc_decrypt_zero_iv(cipher, k_pi, z)?))
}

const C0_128: [u8; 16] = [
    0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0, 0x57, 0xd8, 0x59, 0x04,
];
const C1_128: [u8; 16] = [
    0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02, 0x17, 0xc1, 0x88, 0xad,
];
const C0_256: [u8; 32] = [
    0xd4, 0x63, 0xd6, 0x52, 0x34, 0x12, 0x4e, 0xf7, 0x89, 0x70, 0x54, 0x98, 0x6d, 0xca, 0x0a, 0x17,
    0x4e, 0x28, 0xdf, 0x75, 0x8c, 0xba, 0xa0, 0x3f, 0x24, 0x06, 0x16, 0x41, 0x4d, 0x5a, 0x16, 0x76,
];
const C1_256: [u8; 32] = [
    0x54, 0xbd, 0x72, 0x55, 0xf0, 0xaa, 0xf8, 0x31, 0xbe, 0xc3, 0x42, 0x3f, 0xcf, 0x39, 0xd6, 0x9b,
    0x6c, 0xbf, 0x06, 0x66, 0x77, 0xd0, 0xfa, 0xae, 0x5a, 0xad, 0xd9, 0x9d, 0xf8, 0xe5, 0x35, 0x17,
];

/// R(s, t) = x₀ ‖ … ‖ x_{n−1} (Figure 2), before reduction modulo p: the first key is
/// E(t, s), each round keys E(k_i, c0) onwards and outputs E(k_i, c1).
pub fn pseudo_random(
    cipher: Cipher,
    s: &[u8],
    t: &[u8],
    prime_bits: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let k = key_size(cipher);
    if t.len() != k {
        return Err(CryptoError::KeyLength(t.len()));
    }
    let (c0, c1): (&[u8], &[u8]) = if s.len() * 8 <= 128 {
        (&C0_128, &C1_128)
    } else {
        (&C0_256, &C1_256)
    };
    let l = c1.len() * 8;
    let n = (prime_bits + 64).div_ceil(l);
    let mut key = Zeroizing::new(cbc_encrypt_zero_iv(cipher, t, s)?);
    let mut out = Zeroizing::new(Vec::with_capacity(n * c1.len()));
    for _ in 0..n {
        let current = Zeroizing::new(key.get(..k).unwrap_or_default().to_vec());
        out.extend(cbc_encrypt_zero_iv(cipher, &current, c1)?);
        key = Zeroizing::new(cbc_encrypt_zero_iv(cipher, &current, c0)?);
    }
    Ok(out)
}

/// Bit length of a big-endian integer.
pub fn bit_length(bytes: &[u8]) -> usize {
    let trimmed = crate::crypto::dh::trim_leading_zeros(bytes);
    match trimmed.first() {
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// The Integrated Mapping's generator Ĝ = f_G(R_p(s, t)).
pub fn integrated_generator(
    group: &Group,
    cipher: Cipher,
    s: &[u8],
    t: &[u8],
) -> Result<Element, CryptoError> {
    let r = pseudo_random(cipher, s, t, bit_length(&group.prime()))?;
    let rp = Zeroizing::new(group.reduce_mod_prime(&r));
    group.map_field_element(&rp)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::domain_parameters::{Curve, DhGroup, DomainParameters};

    fn vector(name: &str) -> Value {
        let path = format!("{}/testdata/icao/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn h(v: &Value) -> Vec<u8> {
        hex::decode(v.as_str().unwrap()).unwrap()
    }

    #[test]
    fn decrypts_the_nonces_of_appendices_g_h_and_i() {
        for name in [
            "icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json",
            "icao9303-11_appG2_pace_dh_gm_modp1024.json",
            "icao9303-11_appH1_pace_ecdh_im_brainpoolP256r1.json",
            "icao9303-11_appH2_pace_dh_im_modp1024.json",
            "icao9303-11_appI1_pace_ecdh_cam_brainpoolP256r1.json",
        ] {
            let v = vector(name);
            let s =
                decrypt_nonce(Cipher::Aes128, &h(&v["K_pi"]), &h(&v["encrypted_nonce_z"])).unwrap();
            assert_eq!(&s[..], &h(&v["decrypted_nonce_s"])[..], "{name}");
            let z = encrypt_nonce(Cipher::Aes128, &h(&v["K_pi"]), &s).unwrap();
            assert_eq!(z, h(&v["encrypted_nonce_z"]));
        }
    }

    #[test]
    fn derives_the_cam_password_key_of_appendix_i() {
        let v = vector("icao9303-11_appI1_pace_ecdh_cam_brainpoolP256r1.json");
        let f = &v["mrz_fields"];
        let key = AccessKey::Mrz(
            crate::mrz::MrzInfo::new(
                f["document_number"].as_str().unwrap(),
                f["date_of_birth"].as_str().unwrap(),
                f["date_of_expiry"].as_str().unwrap(),
            )
            .unwrap(),
        );
        assert_eq!(&pace_password(&key)[..], &h(&v["K_sha1_mrz"])[..]);
        assert_eq!(&password_key(&key, Cipher::Aes128)[..], &h(&v["K_pi"])[..]);
    }

    #[test]
    fn computes_the_pseudo_random_values_of_appendix_h() {
        let h1 = vector("icao9303-11_appH1_pace_ecdh_im_brainpoolP256r1.json");
        let group = Group::new(DomainParameters::Ecdh(Curve::BrainpoolP256r1)).unwrap();
        let r = pseudo_random(
            Cipher::Aes128,
            &h(&h1["decrypted_nonce_s"]),
            &h(&h1["nonce_t"]),
            bit_length(&group.prime()),
        )
        .unwrap();
        assert_eq!(&r[..], &h(&h1["pseudo_random_R"])[..]);
        let g = integrated_generator(
            &group,
            Cipher::Aes128,
            &h(&h1["decrypted_nonce_s"]),
            &h(&h1["nonce_t"]),
        )
        .unwrap();
        assert_eq!(g.as_bytes(), &h(&h1["mapped_generator"])[..]);

        let h2 = vector("icao9303-11_appH2_pace_dh_im_modp1024.json");
        let group = Group::new(DomainParameters::Dh(DhGroup::Modp1024_160)).unwrap();
        let g = integrated_generator(
            &group,
            Cipher::Aes128,
            &h(&h2["decrypted_nonce_s"]),
            &h(&h2["nonce_t"]),
        )
        .unwrap();
        assert_eq!(g.as_bytes(), &h(&h2["mapped_generator"])[..]);
    }

    #[test]
    fn pseudo_random_output_covers_p_plus_64_bits_for_every_cipher() {
        for (cipher, s_len) in [
            (Cipher::Tdes, 16),
            (Cipher::Aes128, 16),
            (Cipher::Aes192, 32),
            (Cipher::Aes256, 32),
        ] {
            let s = vec![0x11; s_len];
            let t = vec![0x22; key_size(cipher)];
            let r = pseudo_random(cipher, &s, &t, 521).unwrap();
            assert!(r.len() * 8 >= 521 + 64, "{cipher:?}");
        }
    }
}
