//! ICAO Doc 9303 electronic machine readable travel documents (eMRTD): reading a chip
//! (MRZ, APDUs, secure messaging, BAC, PACE, Chip and Active Authentication) and
//! verifying what was read (LDS parsing, Passive Authentication, trust lists).
//!
//! No network and no disk: the chip is reached through [`transport::Transport`].

pub mod apdu;
pub mod bac;
pub mod ca;
pub mod commands;
pub mod crypto;
pub mod domain_parameters;
pub mod error;
pub mod lds;
pub mod mrz;
pub mod oid;
pub mod pace;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod read;
pub mod session;
pub mod sm;
pub mod tlv;
pub mod transport;
pub mod verify;

#[cfg(feature = "image")]
pub use image;

#[cfg(test)]
pub(crate) mod testdata {
    /// A file of the public test vectors in `../shared/vectors/emrtd/`.
    pub fn shared(relative: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../../shared/vectors/emrtd/{relative}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

#[cfg(test)]
mod testing;

pub use error::EmrtdError;
pub use session::{AccessProtocol, AuthenticatedSession, Document, OpenOptions};
