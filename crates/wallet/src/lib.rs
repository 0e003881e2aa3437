//! The citizen's side of alicem, as a library free of terminal I/O so that the CLI
//! (`alicem wallet …`) and a phone UI can share it.
//!
//! This crate is the local core: [`Wallet`], a data directory holding the device key,
//! the PIN's device secret, the identity credential, a copy of the connection history
//! and the erasure receipts, encrypted at rest and written atomically. The enrollment
//! client and login approval (HTTP) sit on top of it.
//!
//! # Data directory
//!
//! | file | content |
//! |---|---|
//! | `wallet.key` | 32 random bytes: the AES-256-GCM key of every record (mode 0600) |
//! | `wallet.lock` | held locked (`flock`) while a [`Wallet`] is open |
//! | `<record>.sealed` | one record: `"ALICEMW1" ‖ nonce (12) ‖ AES-256-GCM(JSON)`, the AAD binding the record's name |
//!
//! Records: `profile` (server URL, account id), `device-key` (P-256 scalar), `pin`
//! (the [`PinSecret`]), `pin-pending` (during a PIN change), `credential` (the SD-JWT
//! VC), `history`, `receipts`.
//!
//! # What "encrypted at rest" is worth here
//!
//! The key file sits next to the records, so encryption protects against copies of
//! the records alone (backups, sync, a stray file) and detects any alteration (the
//! AEAD tag, bound to the record name), not against someone who reads the whole
//! directory. On a phone, the 32-byte key belongs in the OS keystore (Android
//! Keystore / iOS Keychain, ideally hardware-backed) and the device key itself in the
//! secure element / StrongBox / Secure Enclave, non-exportable: [`DeviceKey`] and the
//! key file are the two seams to replace. Even then, the PIN holds: nothing stored
//! lets a thief test a PIN offline (see `docs/pin.md`).
//!
//! # Crash safety
//!
//! Every record is written to a temporary file, flushed (`fsync`), renamed over the
//! old one and the directory flushed: after a crash a record is either the old or the
//! new version, never a mix. A new wallet is built in a sibling directory and renamed
//! into place, so a crash during creation leaves no half wallet either.

mod device_key;
mod error;
mod fsio;
mod records;
mod sealed;
mod wallet;

pub use alicem_credential::pin::{KdfParams, PinSecret};
pub use device_key::DeviceKey;
pub use error::WalletError;
pub use records::{ErasureReceipt, HistoryCopy, Profile};
pub use wallet::Wallet;
