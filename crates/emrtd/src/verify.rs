//! Verifying what was read from a document, offline (Doc 9303-11 §5–6, Doc 9303-12):
//! Passive Authentication against a trust store of CSCAs, master lists and CRLs, Active
//! Authentication, the anti-clone rule for Chip Authentication / PACE-CAM, and one
//! [`DocumentVerdict`] with every check's outcome.
//!
//! The server's entry point: build a [`TrustStore`] once (from CSCA certificates, master
//! lists, CRLs: [`TrustStore::load`] recognises each), share it (it is `Sync`; it
//! remembers Document Signer certificates already verified), then for each document:
//!
//! ```no_run
//! # use std::collections::BTreeMap;
//! # use alicem_emrtd::lds::FileId;
//! # use alicem_emrtd::verify::*;
//! # let (ml, sod, dg1, challenge, signature): (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) = Default::default();
//! let mut trust = TrustStore::new();
//! trust.load("DE_ML.ml", &ml)?;
//! let mut files = BTreeMap::new();
//! files.insert(FileId::Sod, sod);
//! files.insert(FileId::Dg(alicem_emrtd::lds::DataGroup::DG1), dg1);
//! let evidence = DocumentEvidence {
//!     files: files.into(),
//!     document_signer: None,
//!     active_authentication: Some(ActiveAuthenticationEvidence { challenge, signature }),
//!     chip_authentication: None, // or Some(ChipAuthenticationOutcome { .. }) from the reader
//! };
//! let verdict: DocumentVerdict = evidence.verify(&trust, parse_date("2026-11-23").unwrap());
//! if verdict.authentic { /* … */ }
//! # Ok::<(), trust::TrustError>(())
//! ```
//!
//! The reader records the anti-clone evidence in `session.json` as
//! `{"active_authentication": {"challenge": HEX, "signature": HEX, …},
//! "chip_authentication": {"protocol": "CA" | "PACE-CAM", "success": BOOL, "key_id": N |
//! null, "public_key_spki": HEX of the chip's SubjectPublicKeyInfo DER, …}}`, which
//! [`ActiveAuthenticationEvidence`] and [`ChipAuthenticationOutcome`] deserialize
//! (other fields ignored).

pub mod active;
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
    ActiveAuthenticationEvidence, ChipFiles, DataGroupResult, DocumentEvidence, DocumentVerdict,
    ProofResult, parse_date,
};

#[cfg(test)]
mod tests;
