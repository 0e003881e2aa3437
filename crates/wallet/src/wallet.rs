//! The wallet: one data directory, opened by one process at a time.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use alicem_credential::jose::jwt::now_unix;
use alicem_credential::pin::{
    KdfParams, Pin, PinChallenge, PinChange, PinProof, PinSecret, ProofContext,
};
use alicem_credential::rng::os_rng;
use alicem_credential::sd_jwt::SdJwtCredential;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::fsio::{self, io};
use crate::records::{ErasureReceipt, HistoryCopy, PendingEnrollment, Profile};
use crate::sealed::{KEY_FILE, SealedStore};
use crate::{DeviceKey, WalletError};

const LOCK_FILE: &str = "wallet.lock";

mod record {
    pub const PROFILE: &str = "profile";
    pub const DEVICE_KEY: &str = "device-key";
    pub const PIN: &str = "pin";
    pub const PIN_PENDING: &str = "pin-pending";
    pub const CREDENTIAL: &str = "credential";
    pub const HISTORY: &str = "history";
    pub const RECEIPTS: &str = "receipts";
    pub const ENROLLMENT: &str = "enrollment";
}

/// An open wallet. Holds an exclusive lock on its directory until dropped.
pub struct Wallet {
    dir: PathBuf,
    store: SealedStore,
    device_key: DeviceKey,
    profile: Profile,
    _lock: File,
}

impl core::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wallet")
            .field("dir", &self.dir)
            .field("device", &self.device_key)
            .finish_non_exhaustive()
    }
}

fn lock(dir: &Path) -> Result<File, WalletError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(io("open", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(WalletError::InUse(dir.to_path_buf())),
        Err(fs::TryLockError::Error(e)) => Err(io("lock", &path)(e)),
    }
}

fn to_json(value: &impl Serialize) -> Zeroizing<Vec<u8>> {
    // Serializing our own record types cannot fail.
    Zeroizing::new(serde_json::to_vec(value).unwrap_or_default())
}

fn from_json<T: DeserializeOwned>(record: &'static str, bytes: &[u8]) -> Result<T, WalletError> {
    // Authenticated but unreadable: written by an incompatible version, or a bug.
    serde_json::from_slice(bytes).map_err(|_| WalletError::Tampered { record })
}

impl Wallet {
    /// Creates a wallet in `dir` (which must not exist, or be empty) with a new device
    /// key and PIN device secret.
    pub fn create(dir: &Path, server_url: &str, pin_kdf: KdfParams) -> Result<Self, WalletError> {
        Self::create_with_rng(dir, server_url, pin_kdf, &mut os_rng())
    }

    /// [`Wallet::create`] with the caller's randomness (deterministic tests).
    pub fn create_with_rng(
        dir: &Path,
        server_url: &str,
        pin_kdf: KdfParams,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Result<Self, WalletError> {
        if dir.join(KEY_FILE).exists() {
            return Err(WalletError::AlreadyExists(dir.to_path_buf()));
        }
        if let Ok(mut entries) = fs::read_dir(dir)
            && entries.next().is_some()
        {
            return Err(WalletError::AlreadyExists(dir.to_path_buf()));
        }
        // Build the whole wallet beside its destination, then rename it into place.
        let staging = fsio::staging_dir(dir);
        fsio::create_private_dir(&staging)?;
        let built = (|| {
            let store = SealedStore::create(&staging, rng)?;
            let device_key = DeviceKey::generate(rng);
            let profile = Profile {
                server_url: server_url.to_owned(),
                account_id: None,
                created_at: now_unix(),
            };
            store.put(record::DEVICE_KEY, &device_key.to_bytes(), rng)?;
            store.put(
                record::PIN,
                &to_json(&PinSecret::generate(pin_kdf, rng)),
                rng,
            )?;
            store.put(record::PROFILE, &to_json(&profile), rng)?;
            fsio::sync_dir(&staging)?;
            Ok::<_, WalletError>(store)
        })();
        let mut store = match built {
            Ok(store) => store,
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        if let Err(e) = fs::rename(&staging, dir) {
            let _ = fs::remove_dir_all(&staging);
            return Err(io("rename", dir)(e));
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fsio::sync_dir(parent)?;
        }
        store.set_dir(dir);
        drop(store);
        Self::open(dir)
    }

    /// Opens the wallet in `dir`: takes the lock, removes leftovers of interrupted
    /// writes, checks permissions and loads the device key and profile.
    pub fn open(dir: &Path) -> Result<Self, WalletError> {
        if !dir.join(KEY_FILE).exists() {
            return Err(WalletError::NotFound(dir.to_path_buf()));
        }
        let lock = lock(dir)?;
        fsio::remove_leftovers(dir)?;
        let store = SealedStore::open(dir)?;
        let key_bytes = store.require(record::DEVICE_KEY)?;
        let device_key = DeviceKey::from_bytes(&key_bytes).ok_or(WalletError::Tampered {
            record: record::DEVICE_KEY,
        })?;
        let profile = from_json(record::PROFILE, &store.require(record::PROFILE)?)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            store,
            device_key,
            profile,
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn device_key(&self) -> &DeviceKey {
        &self.device_key
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Records the account id the server gave at enrollment.
    pub fn set_account_id(&mut self, account_id: &str) -> Result<(), WalletError> {
        let mut profile = self.profile.clone();
        profile.account_id = Some(account_id.to_owned());
        self.store
            .put(record::PROFILE, &to_json(&profile), &mut os_rng())?;
        self.profile = profile;
        Ok(())
    }

    /// Forgets the identity (after it was revoked or deleted on the server).
    pub fn clear_account_id(&mut self) -> Result<(), WalletError> {
        let mut profile = self.profile.clone();
        profile.account_id = None;
        self.store
            .put(record::PROFILE, &to_json(&profile), &mut os_rng())?;
        self.profile = profile;
        Ok(())
    }

    // --- enrollment in progress --------------------------------------------------

    pub fn store_enrollment(&mut self, pending: &PendingEnrollment) -> Result<(), WalletError> {
        self.store
            .put(record::ENROLLMENT, &to_json(pending), &mut os_rng())
    }

    pub fn enrollment(&self) -> Result<Option<PendingEnrollment>, WalletError> {
        self.store
            .get(record::ENROLLMENT)?
            .map(|bytes| from_json(record::ENROLLMENT, &bytes))
            .transpose()
    }

    pub fn clear_enrollment(&mut self) -> Result<(), WalletError> {
        self.store.remove(record::ENROLLMENT)
    }

    // --- PIN -------------------------------------------------------------------

    /// The current PIN device secret.
    pub fn pin_secret(&self) -> Result<PinSecret, WalletError> {
        from_json(record::PIN, &self.store.require(record::PIN)?)
    }

    fn pending_pin_secret(&self) -> Result<Option<PinSecret>, WalletError> {
        self.store
            .get(record::PIN_PENDING)?
            .map(|bytes| from_json(record::PIN_PENDING, &bytes))
            .transpose()
    }

    /// The device secret a server challenge is for: the current one, or the pending
    /// one of a PIN change the server accepted before the wallet could record it.
    pub fn pin_secret_for(&self, challenge: &PinChallenge) -> Result<PinSecret, WalletError> {
        let current = self.pin_secret()?;
        if current.id() == challenge.secret_id {
            return Ok(current);
        }
        match self.pending_pin_secret()? {
            Some(pending) if pending.id() == challenge.secret_id => Ok(pending),
            _ => Err(WalletError::UnknownPinSecret),
        }
    }

    /// Proves the PIN for one server challenge and request.
    pub fn prove_pin(
        &self,
        pin: &Pin,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
    ) -> Result<PinProof, WalletError> {
        Ok(self
            .pin_secret_for(challenge)?
            .prove(pin, challenge, context)?)
    }

    /// Starts a PIN change: keeps the new device secret as pending and returns the
    /// message for the server. Call [`Wallet::commit_pin_change`] once the server
    /// has accepted it.
    pub fn begin_pin_change(
        &mut self,
        current: &Pin,
        new: &Pin,
        challenge: &PinChallenge,
        context: &ProofContext<'_>,
    ) -> Result<PinChange, WalletError> {
        let mut rng = os_rng();
        let (next, change) = self
            .pin_secret_for(challenge)?
            .change(current, new, challenge, context, &mut rng)?;
        self.store
            .put(record::PIN_PENDING, &to_json(&next), &mut rng)?;
        Ok(change)
    }

    /// Makes the pending device secret the current one.
    pub fn commit_pin_change(&mut self) -> Result<(), WalletError> {
        let pending = self
            .pending_pin_secret()?
            .ok_or(WalletError::NoPendingPinChange)?;
        // Crash between these two writes: both records hold the new secret; the next
        // commit or `pin_secret_for` copes.
        self.store
            .put(record::PIN, &to_json(&pending), &mut os_rng())?;
        self.store.remove(record::PIN_PENDING)
    }

    /// Forgets a PIN change the server refused.
    pub fn abort_pin_change(&mut self) -> Result<(), WalletError> {
        self.store.remove(record::PIN_PENDING)
    }

    // --- credential --------------------------------------------------------------

    /// Stores the issued credential after checking its structure and that it is bound
    /// to this wallet's device key.
    pub fn store_credential(&mut self, issued: &str) -> Result<SdJwtCredential, WalletError> {
        let credential = SdJwtCredential::parse(issued)?;
        if credential.payload().holder_key.thumbprint() != self.device_key.thumbprint() {
            return Err(WalletError::ForeignCredential);
        }
        self.store
            .put(record::CREDENTIAL, issued.as_bytes(), &mut os_rng())?;
        Ok(credential)
    }

    /// The stored credential, if any; `Tampered` if its file was altered.
    pub fn credential(&self) -> Result<Option<SdJwtCredential>, WalletError> {
        let Some(bytes) = self.store.get(record::CREDENTIAL)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| WalletError::Tampered {
            record: record::CREDENTIAL,
        })?;
        Ok(Some(SdJwtCredential::parse(text)?))
    }

    pub fn remove_credential(&mut self) -> Result<(), WalletError> {
        self.store.remove(record::CREDENTIAL)
    }

    // --- history and receipts --------------------------------------------------------

    /// Replaces the local copy of the connection history.
    pub fn store_history(&mut self, copy: &HistoryCopy) -> Result<(), WalletError> {
        self.store
            .put(record::HISTORY, &to_json(copy), &mut os_rng())
    }

    pub fn history(&self) -> Result<Option<HistoryCopy>, WalletError> {
        self.store
            .get(record::HISTORY)?
            .map(|bytes| from_json(record::HISTORY, &bytes))
            .transpose()
    }

    /// Adds an erasure receipt (replacing one with the same id).
    pub fn add_receipt(&mut self, receipt: ErasureReceipt) -> Result<(), WalletError> {
        let mut receipts = self.receipts()?;
        receipts.retain(|r| r.id != receipt.id);
        receipts.push(receipt);
        self.store
            .put(record::RECEIPTS, &to_json(&receipts), &mut os_rng())
    }

    pub fn receipts(&self) -> Result<Vec<ErasureReceipt>, WalletError> {
        Ok(self
            .store
            .get(record::RECEIPTS)?
            .map(|bytes| from_json(record::RECEIPTS, &bytes))
            .transpose()?
            .unwrap_or_default())
    }

    /// Deletes the wallet and everything in it (after the identity is deleted or
    /// revoked). The device key goes with it: nothing can be presented afterwards.
    pub fn destroy(self) -> Result<(), WalletError> {
        let dir = self.dir.clone();
        // Key first: once it is gone every record is unreadable, even if the removal
        // is interrupted.
        let key = dir.join(KEY_FILE);
        fs::remove_file(&key).map_err(io("remove", &key))?;
        fsio::sync_dir(&dir)?;
        drop(self);
        fs::remove_dir_all(&dir).map_err(io("remove", &dir))
    }
}

#[cfg(test)]
mod tests;
