//! Deliberate defects for negative tests, one flag each. Each must make the verifier
//! refuse the document for the matching reason.

use serde::{Deserialize, Serialize};

/// The faults a minted document can carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// A data group (DG1's name) altered after the SOD was signed.
    pub tampered_dg: bool,
    /// EF.SOD signed by a Document Signer of a CSCA that no trust list contains.
    pub unknown_csca: bool,
    /// The document's expiry date is in the past.
    pub expired: bool,
    /// The Document Signer is listed on the CSCA's CRL.
    pub revoked_dsc: bool,
    /// The chip's Active / Chip Authentication private keys are not those whose public
    /// halves DG15 / DG14 / EF.CardSecurity carry: the chip is a clone.
    pub cloned_chip: bool,
    /// The MRZ's issuing state is not the CSCA's country.
    pub country_mismatch: bool,
    /// BAC disabled: the chip opens with PACE only.
    pub pace_only: bool,
    /// PACE disabled (no EF.CardAccess): the chip opens with BAC only.
    pub bac_only: bool,
}

impl Faults {
    /// The names of the faults set, as the CLI spells them.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.tampered_dg, "tampered-dg"),
            (self.unknown_csca, "unknown-csca"),
            (self.expired, "expired"),
            (self.revoked_dsc, "revoked-dsc"),
            (self.cloned_chip, "cloned-chip"),
            (self.country_mismatch, "country-mismatch"),
            (self.pace_only, "pace-only"),
            (self.bac_only, "bac-only"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}
