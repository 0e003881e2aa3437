use std::path::PathBuf;

use alicem_credential::pin::PinError;
use alicem_credential::sd_jwt::SdJwtError;

/// What went wrong with the wallet. Paths and record names are given; secrets never.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("no wallet in {0} (create one first)")]
    NotFound(PathBuf),
    #[error("a wallet already exists in {0}")]
    AlreadyExists(PathBuf),
    #[error("the wallet in {0} is in use by another process")]
    InUse(PathBuf),
    #[error("{path} is readable or writable by other users (mode {mode:o}); it must be 0600")]
    InsecurePermissions { path: PathBuf, mode: u32 },
    #[error("wallet record {record:?} has been altered or belongs to another wallet")]
    Tampered { record: &'static str },
    #[error("wallet record {record:?} is missing (incomplete wallet)")]
    MissingRecord { record: &'static str },
    #[error("the wallet key file {0} is malformed")]
    BadKeyFile(PathBuf),
    #[error("the credential does not belong to this wallet's device key")]
    ForeignCredential,
    #[error("no PIN change is in progress")]
    NoPendingPinChange,
    #[error("the server's challenge names no PIN secret this wallet has")]
    UnknownPinSecret,
    #[error("credential: {0}")]
    Credential(#[from] SdJwtError),
    #[error("PIN: {0}")]
    Pin(#[from] PinError),
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}
