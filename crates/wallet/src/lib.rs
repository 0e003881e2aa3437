//! The citizen's side of alicem, as a library free of terminal I/O so that the CLI
//! (`alicem wallet …`) and a phone UI can share it.
//!
//! Two layers:
//!
//! - the local core: [`Wallet`], a data directory holding the device key, the PIN's
//!   device secret, the identity credential, a copy of the connection history and the
//!   erasure receipts, encrypted at rest and written atomically;
//! - the server's client: [`Client`] pairs a wallet with an [`HttpClient`] (the one
//!   network seam; [`ReqwestHttp`] is the real one) and carries the protocols:
//!   enrollment ([`enroll`]: chip reading over any `Transport`, liveness frames,
//!   evidence upload, PIN registration), login approval ([`login`]) and the account's
//!   life ([`account`]: status, history, suspend / revoke / delete, PIN change).
//!
//! Every request made as the device carries a device proof ([`client::device_proof`]).
//! The user-facing guide is `docs/wallet.md`.
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

pub mod account;
pub mod client;
mod device_key;
pub mod enroll;
mod error;
mod fsio;
pub mod login;
mod records;
mod sealed;
mod wallet;

pub use account::LifecycleAction;
pub use alicem_credential::pin::{KdfParams, PinSecret};
pub use client::http::{HttpClient, ReqwestHttp};
pub use client::{Client, ClientError};
pub use device_key::DeviceKey;
pub use error::WalletError;
pub use login::ApprovedLogin;
pub use records::{ErasureReceipt, HistoryCopy, PendingEnrollment, Profile};
pub use wallet::Wallet;
