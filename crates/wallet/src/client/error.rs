use alicem_api::Problem;
use alicem_credential::jose::JoseError;
use alicem_credential::pin::PinError;
use alicem_credential::sd_jwt::SdJwtError;
use alicem_emrtd::EmrtdError;

use super::http::HttpError;
use crate::WalletError;
use crate::enroll::FrameError;

/// What went wrong talking to the server or the chip. Never carries a secret: PINs,
/// keys, chip data and frames stay out of every message.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Wallet(#[from] WalletError),
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The server answered with an error ([`Problem`]).
    #[error("the server refused: {} ({}, HTTP {status})", problem.detail, problem.error)]
    Server { status: u16, problem: Problem },
    #[error("unexpected answer from the server to {what} (HTTP {status})")]
    UnexpectedAnswer { what: &'static str, status: u16 },
    #[error("this wallet holds no identity yet: enroll first")]
    NotEnrolled,
    #[error("no enrollment is in progress in this wallet")]
    NoEnrollment,
    #[error("the enrollment session {0} is still waiting for a decision")]
    Undecided(String),
    #[error("the server's enrollment session is unusable: {0}")]
    BadSession(&'static str),
    #[error("the server's erasure receipt is not acceptable: {0}")]
    BadReceipt(&'static str),
    #[error("no pending login {0:?} (it may have expired or been answered)")]
    UnknownLogin(String),
    #[error("login {0:?} has expired")]
    LoginExpired(String),
    #[error("chip: {context}: {source}")]
    Chip {
        context: &'static str,
        source: EmrtdError,
    },
    #[error("the chip has no {0}, which enrollment needs")]
    MissingChipFile(&'static str),
    #[error(transparent)]
    Frames(#[from] FrameError),
    #[error("PIN: {0}")]
    Pin(#[from] PinError),
    #[error("credential: {0}")]
    Credential(#[from] SdJwtError),
    #[error("signing with the device key: {0}")]
    Signing(#[from] JoseError),
}

impl ClientError {
    /// The server's error code (`wrong_pin`, `pin_locked`…), when it answered one.
    pub fn problem_code(&self) -> Option<&str> {
        match self {
            ClientError::Server { problem, .. } => Some(problem.error.as_str()),
            _ => None,
        }
    }
}
