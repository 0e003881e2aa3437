//! What can go wrong while talking to a chip, as one error type for the reading API.

use crate::apdu::StatusWord;
use crate::crypto::CryptoError;
use crate::lds::security_infos::SecurityInfosError;
use crate::sm::SmError;
use crate::tlv::TlvError;
use crate::transport::TransportError;

/// The access protocol that refused the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMethod {
    Bac,
    Pace,
}

impl core::fmt::Display for AccessMethod {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            AccessMethod::Bac => "BAC",
            AccessMethod::Pace => "PACE",
        })
    }
}

/// A failure of the reading stack. Messages never contain keys, passwords or MRZ data.
#[derive(Debug, thiserror::Error)]
pub enum EmrtdError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
    #[error(
        "the chip refused the {method} password: check the MRZ or CAN{}",
        match retries { Some(n) => format!(" ({n} tries left)"), None => String::new() }
    )]
    AccessDenied {
        method: AccessMethod,
        retries: Option<u8>,
    },
    #[error("the {method} password is blocked on this chip ({status})")]
    AccessBlocked {
        method: AccessMethod,
        status: StatusWord,
    },
    #[error("{command} failed: the chip answered {status} ({meaning:?})", meaning = status.meaning())]
    Chip {
        command: &'static str,
        status: StatusWord,
    },
    #[error("the chip's answer to {command} is malformed: {reason}")]
    Protocol {
        command: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "the chip's authentication token is wrong: it does not know the password or is not genuine"
    )]
    ChipNotAuthenticated,
    #[error("{file} is protected and the session does not grant access to it")]
    FileAccessDenied { file: crate::lds::FileId },
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("security infos: {0}")]
    SecurityInfos(#[from] SecurityInfosError),
}

impl EmrtdError {
    pub(crate) fn protocol(command: &'static str, reason: impl Into<String>) -> Self {
        EmrtdError::Protocol {
            command,
            reason: reason.into(),
        }
    }

    pub(crate) fn tlv(command: &'static str) -> impl FnOnce(TlvError) -> Self {
        move |e| EmrtdError::protocol(command, e.to_string())
    }

    /// True when the error means the password was wrong (not a transport or chip fault).
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, EmrtdError::AccessDenied { .. })
    }
}
