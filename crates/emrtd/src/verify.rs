//! Verifying what was read from a document, offline (Doc 9303-11 §5–6, Doc 9303-12):
//! Passive Authentication against a trust store of CSCAs, master lists and CRLs, Active
//! Authentication, the anti-clone rule for Chip Authentication / PACE-CAM, and one
//! [`DocumentVerdict`] with every check's outcome.
//!
//! The server's entry point: build a [`TrustStore`] once (from CSCA certificates, master
//! lists, CRLs), then for each document call [`DocumentEvidence::verify`].

pub mod active;
mod bp512;
pub mod certificate;
pub mod chip;
pub mod country;
pub mod crl;
mod curves;
pub mod keys;
pub mod master_list;
pub mod names;
pub mod passive;
pub mod signer;
pub mod trust;
pub mod verdict;

pub use certificate::Certificate;
pub use chip::{ChipAuthenticationOutcome, ChipProtocol};
pub use master_list::MasterList;
pub use trust::{TrustAnchor, TrustStore};
pub use verdict::{
    ActiveAuthenticationEvidence, DataGroupResult, DocumentEvidence, DocumentVerdict, ProofResult,
    parse_date,
};

#[cfg(test)]
mod tests;
