//! Records encrypted and authenticated with AES-256-GCM under the wallet key.

use std::path::{Path, PathBuf};

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::WalletError;
use crate::fsio;

const MAGIC: &[u8; 8] = b"ALICEMW1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
pub(crate) const KEY_FILE: &str = "wallet.key";

/// The wallet key (32 bytes, zeroized on drop) and the directory it seals.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SealedStore {
    #[zeroize(skip)]
    dir: PathBuf,
    key: [u8; 32],
}

fn record_path(dir: &Path, record: &str) -> PathBuf {
    dir.join(format!("{record}.sealed"))
}

impl SealedStore {
    /// Creates the key file of a new wallet.
    pub(crate) fn create(
        dir: &Path,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Result<Self, WalletError> {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        let path = dir.join(KEY_FILE);
        let mut file = fsio::create_private(&path)?;
        std::io::Write::write_all(&mut file, &key).map_err(fsio::io("write", &path))?;
        file.sync_all().map_err(fsio::io("sync", &path))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            key,
        })
    }

    /// Loads the key file, refusing one that others can read.
    pub(crate) fn open(dir: &Path) -> Result<Self, WalletError> {
        let path = dir.join(KEY_FILE);
        let bytes = Zeroizing::new(
            fsio::read_optional(&path)?.ok_or_else(|| WalletError::NotFound(dir.to_path_buf()))?,
        );
        fsio::check_private(&path)?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| WalletError::BadKeyFile(path.clone()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            key,
        })
    }

    pub(crate) fn set_dir(&mut self, dir: &Path) {
        self.dir = dir.to_path_buf();
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.key.into())
    }

    fn aad(record: &str) -> Vec<u8> {
        [MAGIC.as_slice(), record.as_bytes()].concat()
    }

    /// Encrypts and atomically writes a record.
    pub(crate) fn put(
        &self,
        record: &'static str,
        plaintext: &[u8],
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Result<(), WalletError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        buffer.extend_from_slice(plaintext);
        self.cipher()
            .encrypt_in_place(&nonce.into(), &Self::aad(record), &mut *buffer)
            .map_err(|_| WalletError::Tampered { record })?;
        let mut file = Vec::with_capacity(MAGIC.len() + NONCE_LEN + buffer.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&buffer);
        fsio::write_atomic(&self.dir, &format!("{record}.sealed"), &file)
    }

    /// Reads and decrypts a record; `None` if it does not exist, `Tampered` if it
    /// does not authenticate (altered, truncated, swapped with another record, or
    /// sealed by another wallet's key).
    pub(crate) fn get(
        &self,
        record: &'static str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, WalletError> {
        let path = record_path(&self.dir, record);
        let Some(file) = fsio::read_optional(&path)? else {
            return Ok(None);
        };
        fsio::check_private(&path)?;
        let tampered = || WalletError::Tampered { record };
        let rest = file.strip_prefix(MAGIC.as_slice()).ok_or_else(tampered)?;
        let (nonce, ciphertext) = rest.split_at_checked(NONCE_LEN).ok_or_else(tampered)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| tampered())?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        self.cipher()
            .decrypt_in_place(&nonce.into(), &Self::aad(record), &mut *buffer)
            .map_err(|_| tampered())?;
        Ok(Some(buffer))
    }

    pub(crate) fn require(&self, record: &'static str) -> Result<Zeroizing<Vec<u8>>, WalletError> {
        self.get(record)?
            .ok_or(WalletError::MissingRecord { record })
    }

    pub(crate) fn remove(&self, record: &'static str) -> Result<(), WalletError> {
        let path = record_path(&self.dir, record);
        match std::fs::remove_file(&path) {
            Ok(()) => fsio::sync_dir(&self.dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(fsio::io("remove", &path)(e)),
        }
    }
}
