//! ICAO Doc 9303 electronic machine readable travel documents (eMRTD): reading a chip
//! (MRZ, APDUs, secure messaging, BAC, PACE, Chip and Active Authentication) and
//! verifying what was read (LDS parsing, Passive Authentication, trust lists).
//!
//! No network and no disk: the chip is reached through [`transport::Transport`].

pub mod apdu;
pub mod crypto;
pub mod domain_parameters;
pub mod lds;
pub mod mrz;
pub mod oid;
pub mod sm;
pub mod tlv;
pub mod transport;
