//! Secure messaging (Doc 9303-11 §9.8): commands and responses protected by DO'85'/'87'
//! (cryptogram), DO'97' (expected length), DO'99' (status) and DO'8E' (MAC), with a send
//! sequence counter incremented before every command and every response.
//!
//! Both sides live here: the terminal protects commands and unprotects responses, the
//! chip does the reverse. A channel that saw one MAC failure or SM error is closed for
//! good: every later call fails with [`SmError::Closed`] and its keys are wiped.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::apdu::StatusWord;
use crate::crypto::CryptoError;
use crate::crypto::cipher::{self, MAC_LEN, block_size};
use crate::crypto::kdf::{self, kdf};
use crate::crypto::padding::pad;
use crate::lds::security_infos::Cipher;
use crate::tlv::TlvError;

mod command;
mod response;

/// Why a protected APDU was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmError {
    #[error(
        "the secure messaging session is closed after an earlier error; open the document again"
    )]
    Closed,
    #[error("secure messaging MAC mismatch (wrong keys or altered data); the session is closed")]
    MacMismatch,
    #[error("the chip reported a secure messaging error ({0}) and closed the session")]
    ChipAborted(StatusWord),
    #[error("secure messaging data object missing: {0}")]
    Missing(&'static str),
    #[error("malformed secure messaging data: {0}")]
    Malformed(String),
    #[error("a plain command arrived while secure messaging was active")]
    NotProtected,
    #[error("the command is already protected")]
    AlreadyProtected,
    #[error("secure messaging cryptography failed: {0}")]
    Crypto(#[from] CryptoError),
}

impl From<TlvError> for SmError {
    fn from(e: TlvError) -> Self {
        SmError::Malformed(e.to_string())
    }
}

/// The two session keys of one cipher.
#[derive(Clone)]
pub struct SessionKeys {
    cipher: Cipher,
    k_enc: Zeroizing<Vec<u8>>,
    k_mac: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionKeys({:?}, ..)", self.cipher)
    }
}

impl SessionKeys {
    pub fn new(cipher: Cipher, k_enc: &[u8], k_mac: &[u8]) -> Result<Self, CryptoError> {
        if k_enc.len() != cipher.key_len() {
            return Err(CryptoError::KeyLength(k_enc.len()));
        }
        if k_mac.len() != cipher.key_len() {
            return Err(CryptoError::KeyLength(k_mac.len()));
        }
        Ok(Self {
            cipher,
            k_enc: Zeroizing::new(k_enc.to_vec()),
            k_mac: Zeroizing::new(k_mac.to_vec()),
        })
    }

    /// `KSenc = KDF(K, 1)`, `KSmac = KDF(K, 2)` (§9.7.4).
    pub fn derive(shared_secret: &[u8], cipher: Cipher) -> Self {
        Self {
            cipher,
            k_enc: kdf(shared_secret, kdf::ENC, cipher),
            k_mac: kdf(shared_secret, kdf::MAC, cipher),
        }
    }

    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    pub fn k_enc(&self) -> &[u8] {
        &self.k_enc
    }

    pub fn k_mac(&self) -> &[u8] {
        &self.k_mac
    }

    /// `MAC(KSmac, data)` without padding (3DES data must be block-aligned).
    pub fn mac(&self, data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
        cipher::mac(self.cipher, &self.k_mac, data)
    }
}

/// One direction-agnostic secure messaging session: keys, SSC and liveness.
pub struct SecureChannel {
    keys: SessionKeys,
    ssc: u128,
    closed: bool,
}

impl fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureChannel")
            .field("cipher", &self.keys.cipher)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl SecureChannel {
    /// A channel starting at the given SSC (BAC: from the nonces; otherwise zero).
    pub fn new(keys: SessionKeys, initial_ssc: &[u8]) -> Self {
        let ssc = initial_ssc
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        Self {
            keys,
            ssc,
            closed: false,
        }
    }

    /// A channel with SSC zero (PACE, Chip Authentication).
    pub fn with_zero_ssc(keys: SessionKeys) -> Self {
        Self::new(keys, &[])
    }

    pub fn cipher(&self) -> Cipher {
        self.keys.cipher
    }

    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The SSC as a block (8 bytes for 3DES, 16 for AES).
    pub fn ssc_bytes(&self) -> Vec<u8> {
        let all = self.ssc.to_be_bytes();
        all.get(16 - block_size(self.keys.cipher)..)
            .unwrap_or_default()
            .to_vec()
    }

    /// Closes the channel for good and wipes its keys.
    pub fn close(&mut self) {
        self.closed = true;
        self.keys.k_enc.zeroize();
        self.keys.k_mac.zeroize();
    }

    fn ensure_open(&self) -> Result<(), SmError> {
        if self.closed {
            Err(SmError::Closed)
        } else {
            Ok(())
        }
    }

    fn increment(&mut self) {
        let mask = if block_size(self.keys.cipher) == 8 {
            u128::from(u64::MAX)
        } else {
            u128::MAX
        };
        self.ssc = self.ssc.wrapping_add(1) & mask;
    }

    /// Fails and closes the channel.
    fn fail<T>(&mut self, error: SmError) -> Result<T, SmError> {
        self.close();
        Err(error)
    }

    /// `MAC(KSmac, pad(SSC ‖ data))`.
    fn mac(&self, data: &[u8]) -> Result<[u8; MAC_LEN], SmError> {
        let mut input = self.ssc_bytes();
        input.extend_from_slice(data);
        let padded = pad(&input, block_size(self.keys.cipher));
        Ok(self.keys.mac(&padded)?)
    }

    fn verify_mac(&self, data: &[u8], mac: &[u8]) -> Result<bool, SmError> {
        let expected = self.mac(data)?;
        Ok(bool::from(expected.ct_eq(mac)))
    }

    /// IV for the current SSC: zero (3DES) or `E(KSenc, SSC)` (AES).
    fn iv(&self) -> Result<Vec<u8>, SmError> {
        match self.keys.cipher {
            Cipher::Tdes => Ok(vec![0; 8]),
            c => Ok(cipher::encrypt_block(
                c,
                &self.keys.k_enc,
                &self.ssc_bytes(),
            )?),
        }
    }

    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, SmError> {
        let padded = Zeroizing::new(pad(plain, block_size(self.keys.cipher)));
        Ok(cipher::cbc_encrypt(
            self.keys.cipher,
            &self.keys.k_enc,
            &self.iv()?,
            &padded,
        )?)
    }

    fn decrypt(&self, cryptogram: &[u8]) -> Result<Vec<u8>, SmError> {
        let padded = Zeroizing::new(cipher::cbc_decrypt(
            self.keys.cipher,
            &self.keys.k_enc,
            &self.iv()?,
            cryptogram,
        )?);
        Ok(crate::crypto::padding::unpad(&padded)?.to_vec())
    }
}

/// The size of a protected response carrying `plain` bytes of data (even INS).
pub fn protected_response_len(cipher: Cipher, plain: usize) -> usize {
    const DO99_AND_DO8E: usize = 4 + 2 + MAC_LEN;
    if plain == 0 {
        return DO99_AND_DO8E;
    }
    let bs = block_size(cipher);
    let value = 1 + (plain / bs + 1) * bs;
    let len_len = match value {
        0..0x80 => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        _ => 4,
    };
    1 + len_len + value + DO99_AND_DO8E
}

/// The largest plaintext whose protected response fits in `budget` bytes.
pub fn max_plain_response(cipher: Cipher, budget: usize) -> usize {
    let bs = block_size(cipher);
    let mut n = budget.saturating_sub(20) / bs * bs;
    while n > 0 && protected_response_len(cipher, n) > budget {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests;
