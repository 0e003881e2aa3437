//! Block ciphers and MACs of secure messaging: two-key 3DES and AES in CBC mode,
//! ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) and AES-CMAC truncated to 8 bytes.
//!
//! Callers pad (ISO/IEC 9797-1 method 2) where Doc 9303 says so: SM always pads before
//! encrypting and MACing, the PACE token's MAC does not.

use aes::{Aes128, Aes192, Aes256};
use cipher::array::Array;
use cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    KeyInit, KeyIvInit,
};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use retail_mac::RetailMac;

use super::CryptoError;
use crate::lds::security_infos::Cipher;

/// Length of every MAC in Doc 9303 secure messaging and tokens.
pub const MAC_LEN: usize = 8;

/// Block size in bytes: 8 for 3DES, 16 for AES.
pub fn block_size(cipher: Cipher) -> usize {
    match cipher {
        Cipher::Tdes => 8,
        _ => 16,
    }
}

fn check_aligned(cipher: Cipher, data: &[u8]) -> Result<(), CryptoError> {
    let block = block_size(cipher);
    if data.len().is_multiple_of(block) {
        Ok(())
    } else {
        Err(CryptoError::NotBlockAligned {
            len: data.len(),
            block,
        })
    }
}

fn check_key(cipher: Cipher, key: &[u8]) -> Result<(), CryptoError> {
    if key.len() == cipher.key_len() {
        Ok(())
    } else {
        Err(CryptoError::KeyLength(key.len()))
    }
}

fn cbc_enc<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: BlockCipherEncrypt + KeyInit,
{
    let mut mode = cbc::Encryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| CryptoError::KeyLength(key.len()))?;
    let mut buf = data.to_vec();
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    mode.encrypt_blocks(blocks);
    Ok(buf)
}

fn cbc_dec<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: BlockCipherDecrypt + BlockCipherEncrypt + KeyInit,
{
    let mut mode = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| CryptoError::KeyLength(key.len()))?;
    let mut buf = data.to_vec();
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    mode.decrypt_blocks(blocks);
    Ok(buf)
}

/// CBC encryption of block-aligned `data` (no padding added here).
pub fn cbc_encrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_key(cipher, key)?;
    check_aligned(cipher, data)?;
    match cipher {
        Cipher::Tdes => cbc_enc::<TdesEde2>(key, iv, data),
        Cipher::Aes128 => cbc_enc::<Aes128>(key, iv, data),
        Cipher::Aes192 => cbc_enc::<Aes192>(key, iv, data),
        Cipher::Aes256 => cbc_enc::<Aes256>(key, iv, data),
    }
}

/// CBC decryption of block-aligned `data` (padding left in place).
pub fn cbc_decrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_key(cipher, key)?;
    check_aligned(cipher, data)?;
    match cipher {
        Cipher::Tdes => cbc_dec::<TdesEde2>(key, iv, data),
        Cipher::Aes128 => cbc_dec::<Aes128>(key, iv, data),
        Cipher::Aes192 => cbc_dec::<Aes192>(key, iv, data),
        Cipher::Aes256 => cbc_dec::<Aes256>(key, iv, data),
    }
}

/// CBC encryption with the all-zero IV.
pub fn cbc_encrypt_zero_iv(
    cipher: Cipher,
    key: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    cbc_encrypt(cipher, key, &vec![0; block_size(cipher)], data)
}

/// CBC decryption with the all-zero IV.
pub fn cbc_decrypt_zero_iv(
    cipher: Cipher,
    key: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    cbc_decrypt(cipher, key, &vec![0; block_size(cipher)], data)
}

fn ecb_block<C: BlockCipherEncrypt + KeyInit>(
    key: &[u8],
    block: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let c = C::new_from_slice(key).map_err(|_| CryptoError::KeyLength(key.len()))?;
    let mut b = Array::<u8, <C as BlockSizeUser>::BlockSize>::try_from(block).map_err(|_| {
        CryptoError::NotBlockAligned {
            len: block.len(),
            block: 16,
        }
    })?;
    c.encrypt_block(&mut b);
    Ok(b.to_vec())
}

/// Encrypts one block (the AES secure-messaging IV is `E(KSenc, SSC)`).
pub fn encrypt_block(cipher: Cipher, key: &[u8], block: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_key(cipher, key)?;
    match cipher {
        Cipher::Tdes => ecb_block::<TdesEde2>(key, block),
        Cipher::Aes128 => ecb_block::<Aes128>(key, block),
        Cipher::Aes192 => ecb_block::<Aes192>(key, block),
        Cipher::Aes256 => ecb_block::<Aes256>(key, block),
    }
}

fn cmac8<C>(key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError>
where
    Cmac<C>: KeyInit + Mac,
    C: cmac::block_api::CmacCipher,
{
    let mut mac =
        <Cmac<C> as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::KeyLength(key.len()))?;
    mac.update(data);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; MAC_LEN];
    out.copy_from_slice(full.get(..MAC_LEN).unwrap_or(&[0; MAC_LEN]));
    Ok(out)
}

/// The 8-byte MAC: retail MAC (3DES; `data` must already be padded to 8 bytes) or
/// AES-CMAC truncated to 8 bytes (CMAC handles any length).
pub fn mac(cipher: Cipher, key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    check_key(cipher, key)?;
    match cipher {
        Cipher::Tdes => {
            check_aligned(cipher, data)?;
            let mut mac = <RetailMac<Des> as KeyInit>::new_from_slice(key)
                .map_err(|_| CryptoError::KeyLength(key.len()))?;
            mac.update(data);
            let full = mac.finalize().into_bytes();
            let mut out = [0u8; MAC_LEN];
            out.copy_from_slice(full.get(..MAC_LEN).unwrap_or(&[0; MAC_LEN]));
            Ok(out)
        }
        Cipher::Aes128 => cmac8::<Aes128>(key, data),
        Cipher::Aes192 => cmac8::<Aes192>(key, data),
        Cipher::Aes256 => cmac8::<Aes256>(key, data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::padding::pad;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn bac_cryptogram_matches_icao_appendix_d3() {
        // E_IFD = E(K_enc, S) and M_IFD = MAC(K_mac, E_IFD) from Doc 9303-11 App. D.3.
        let k_enc = h("AB94FDECF2674FDFB9B391F85D7F76F2");
        let k_mac = h("7962D9ECE03D1ACD4C76089DCE131543");
        let s = h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
        let e = cbc_encrypt_zero_iv(Cipher::Tdes, &k_enc, &s).unwrap();
        assert_eq!(
            e,
            h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
        );
        assert_eq!(
            mac(Cipher::Tdes, &k_mac, &pad(&e, 8)).unwrap().to_vec(),
            h("5F1448EEA8AD90A7")
        );
        assert_eq!(cbc_decrypt_zero_iv(Cipher::Tdes, &k_enc, &e).unwrap(), s);
    }

    #[test]
    fn aes_cmac_matches_nist_sp800_38b_example_2_truncated() {
        // SP 800-38B D.1, AES-128, Example 2 (16-byte message).
        let key = h("2b7e151628aed2a6abf7158809cf4f3c");
        let msg = h("6bc1bee22e409f96e93d7e117393172a");
        assert_eq!(
            mac(Cipher::Aes128, &key, &msg).unwrap().to_vec(),
            h("070a16b46b4d4144")
        );
    }

    #[test]
    fn refuses_unaligned_data_and_wrong_keys() {
        assert!(matches!(
            cbc_encrypt_zero_iv(Cipher::Aes128, &[0; 16], &[0; 15]),
            Err(CryptoError::NotBlockAligned { .. })
        ));
        assert_eq!(
            cbc_encrypt_zero_iv(Cipher::Aes256, &[0; 16], &[0; 16]),
            Err(CryptoError::KeyLength(16))
        );
        assert!(mac(Cipher::Tdes, &[0; 16], &[0; 7]).is_err());
    }
}
