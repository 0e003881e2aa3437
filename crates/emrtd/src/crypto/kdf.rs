//! Key derivation (Doc 9303-11 §9.7): `KDF(K, c) = H(K ‖ c)` cut to the key length,
//! the BAC key seed from the MRZ, and the PACE password encodings.

use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::lds::security_infos::Cipher;
use crate::mrz::{AccessKey, MrzInfo};

/// Counter for the encryption key.
pub const ENC: u32 = 1;
/// Counter for the MAC key.
pub const MAC: u32 = 2;
/// Counter for the PACE password key Kπ.
pub const PACE: u32 = 3;

/// `KDF(secret, counter)` for `cipher`: SHA-1 for 3DES (with DES parity set) and
/// AES-128, SHA-256 for AES-192/256.
pub fn kdf(secret: &[u8], counter: u32, cipher: Cipher) -> Zeroizing<Vec<u8>> {
    let digest: Zeroizing<Vec<u8>> = match cipher {
        Cipher::Tdes | Cipher::Aes128 => Zeroizing::new(
            Sha1::new()
                .chain_update(secret)
                .chain_update(counter.to_be_bytes())
                .finalize()
                .to_vec(),
        ),
        Cipher::Aes192 | Cipher::Aes256 => Zeroizing::new(
            Sha256::new()
                .chain_update(secret)
                .chain_update(counter.to_be_bytes())
                .finalize()
                .to_vec(),
        ),
    };
    let mut key = Zeroizing::new(digest.get(..cipher.key_len()).unwrap_or_default().to_vec());
    if cipher == Cipher::Tdes {
        set_des_parity(&mut key);
    }
    key
}

/// Sets the low bit of each byte so that every byte has odd parity.
pub fn set_des_parity(key: &mut [u8]) {
    for byte in key {
        let high = *byte & 0xFE;
        *byte = high | u8::from(high.count_ones() % 2 == 0);
    }
}

/// The BAC key seed: the first 16 bytes of SHA-1(MRZ information).
pub fn bac_key_seed(mrz: &MrzInfo) -> Zeroizing<Vec<u8>> {
    let input = mrz.key_seed_input();
    let digest = Sha1::digest(input.as_bytes());
    Zeroizing::new(digest.get(..16).unwrap_or_default().to_vec())
}

/// The PACE password encoding f(π): SHA-1(MRZ information) or the CAN's characters.
pub fn pace_password(key: &AccessKey) -> Zeroizing<Vec<u8>> {
    match key {
        AccessKey::Mrz(mrz) => {
            let input = mrz.key_seed_input();
            Zeroizing::new(Sha1::digest(input.as_bytes()).to_vec())
        }
        AccessKey::Can(can) => Zeroizing::new(can.as_str().as_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn bac() -> Value {
        serde_json::from_str(include_str!(
            "../../testdata/icao/icao9303-11_appD_bac.json"
        ))
        .unwrap()
    }

    fn h(v: &Value) -> Vec<u8> {
        hex::decode(v.as_str().unwrap()).unwrap()
    }

    #[test]
    fn derives_bac_keys_of_icao_appendix_d1_d2() {
        let v = bac();
        let f = &v["mrz_fields"];
        let mrz = MrzInfo::new(
            f["document_number"].as_str().unwrap(),
            f["date_of_birth"].as_str().unwrap(),
            f["date_of_expiry"].as_str().unwrap(),
        )
        .unwrap();
        let seed = bac_key_seed(&mrz);
        assert_eq!(&seed[..], &h(&v["k_seed"])[..]);
        assert_eq!(&kdf(&seed, ENC, Cipher::Tdes)[..], &h(&v["k_enc"])[..]);
        assert_eq!(&kdf(&seed, MAC, Cipher::Tdes)[..], &h(&v["k_mac"])[..]);
    }

    #[test]
    fn derives_bac_session_keys_of_icao_appendix_d3() {
        let v = bac();
        let seed = h(&v["ks_seed"]);
        assert_eq!(&kdf(&seed, ENC, Cipher::Tdes)[..], &h(&v["ks_enc"])[..]);
        assert_eq!(&kdf(&seed, MAC, Cipher::Tdes)[..], &h(&v["ks_mac"])[..]);
    }

    #[test]
    fn derives_pace_password_key_of_icao_appendix_g() {
        let v: Value = serde_json::from_str(include_str!(
            "../../testdata/icao/icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json"
        ))
        .unwrap();
        let f = &v["mrz_fields"];
        let key = AccessKey::Mrz(
            MrzInfo::new(
                f["document_number"].as_str().unwrap(),
                f["date_of_birth"].as_str().unwrap(),
                f["date_of_expiry"].as_str().unwrap(),
            )
            .unwrap(),
        );
        let password = pace_password(&key);
        assert_eq!(&password[..], &h(&v["K_sha1_mrz"])[..]);
        assert_eq!(
            &kdf(&password, PACE, Cipher::Aes128)[..],
            &h(&v["K_pi"])[..]
        );
    }

    #[test]
    fn uses_sha256_for_long_aes_keys() {
        let k192 = kdf(b"secret", ENC, Cipher::Aes192);
        let k256 = kdf(b"secret", ENC, Cipher::Aes256);
        assert_eq!(k192.len(), 24);
        assert_eq!(&k256[..24], &k192[..]);
        assert_eq!(&k256[..], &Sha256::digest(b"secret\x00\x00\x00\x01")[..]);
    }
}
