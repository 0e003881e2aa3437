//! The verdict on a document: Passive Authentication of EF.SOD (and EF.CardSecurity),
//! every data group's hash, the MRZ's issuing state against the CSCA's country, expiry,
//! and the anti-clone proofs (Active Authentication, Chip Authentication / PACE-CAM)
//! which count only when the key they used is covered by a verified signature.

use std::collections::BTreeMap;

use der::DateTime;
use serde::{Deserialize, Serialize};

use super::active::verify_active_authentication;
use super::certificate::{Certificate, date_string};
use super::chip::{ChipAuthenticationOutcome, ChipProtocol, check_chip_key};
use super::country::alpha2_of_mrz_code;
use super::keys::HashAlgorithm;
use super::passive::{CertificateSummary, SignedObjectCheck, check_signed_object};
use super::trust::{Revocation, TrustStore};
use crate::lds::{CardSecurity, DataGroup, Dg15, FileId, SecurityInfos, Sod, dg1};
use crate::mrz::Mrz;

/// The challenge the terminal sent and the chip's Active Authentication signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveAuthenticationEvidence {
    #[serde(with = "hex")]
    pub challenge: Vec<u8>,
    #[serde(with = "hex")]
    pub signature: Vec<u8>,
}

/// The files read from a chip, raw. They hold civil-status and biometric data: `Debug`
/// shows only their names and sizes, and their bytes are zeroized on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipFiles(pub BTreeMap<FileId, Vec<u8>>);

impl std::ops::Deref for ChipFiles {
    type Target = BTreeMap<FileId, Vec<u8>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ChipFiles {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<BTreeMap<FileId, Vec<u8>>> for ChipFiles {
    fn from(files: BTreeMap<FileId, Vec<u8>>) -> Self {
        Self(files)
    }
}

impl core::fmt::Debug for ChipFiles {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(id, bytes)| (id, bytes.len())))
            .finish()
    }
}

impl Drop for ChipFiles {
    fn drop(&mut self) {
        for bytes in self.0.values_mut() {
            zeroize::Zeroize::zeroize(bytes);
        }
    }
}

/// Everything read from a document, as the server receives it.
#[derive(Debug, Clone, Default)]
pub struct DocumentEvidence {
    /// The files read (EF.SOD, DGs, EF.CardSecurity…), raw.
    pub files: ChipFiles,
    /// A Document Signer certificate given separately (DER), if the SOD lacks it.
    pub document_signer: Option<Vec<u8>>,
    pub active_authentication: Option<ActiveAuthenticationEvidence>,
    pub chip_authentication: Option<ChipAuthenticationOutcome>,
}

/// How a data group compares with the SOD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataGroupResult {
    Match,
    Mismatch,
    AbsentFromSod,
}

/// The outcome of an anti-clone protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofResult {
    Valid,
    Invalid,
    NotPerformed,
}

/// The verdict, with every check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVerdict {
    /// Every check performed passed (see `errors` otherwise).
    pub authentic: bool,
    /// The date the validity periods were checked at (YYYY-MM-DD).
    pub checked_at: String,
    pub sod_signature_valid: bool,
    pub sod_signature_algorithm: Option<String>,
    pub sod_hash_algorithm: Option<HashAlgorithm>,
    pub dsc: Option<CertificateSummary>,
    pub chain_valid: bool,
    pub csca_subject: Option<String>,
    pub csca_country: Option<String>,
    pub csca: Option<CertificateSummary>,
    pub dsc_revocation: Option<Revocation>,
    /// Data group number → result, for every data group given.
    pub data_groups: BTreeMap<u8, DataGroupResult>,
    /// Data groups the SOD lists that were not given (not an error: not all are read).
    pub not_read: Vec<u8>,
    pub issuing_state: Option<String>,
    pub issuing_state_matches_csca: Option<bool>,
    pub document_expiry: Option<String>,
    pub document_expired: Option<bool>,
    pub active_authentication: ProofResult,
    pub active_authentication_algorithm: Option<String>,
    pub chip_authentication: ProofResult,
    pub chip_authentication_protocol: Option<ChipProtocol>,
    /// Passive Authentication of EF.CardSecurity, when given.
    pub card_security: Option<SignedObjectCheck>,
    pub errors: Vec<String>,
}

/// `YYYY-MM-DD` → a date-time at midnight UTC.
pub fn parse_date(text: &str) -> Option<DateTime> {
    let mut parts = text.trim().splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    DateTime::new(y, m, d, 0, 0, 0).ok()
}

/// The MRZ expiry date (YYMMDD) as a date: ICAO documents expire within 2000–2069 or,
/// for old ones, 1970–1999.
fn mrz_expiry(yymmdd: &str) -> Option<DateTime> {
    let yy: u16 = yymmdd.get(0..2)?.parse().ok()?;
    let m: u8 = yymmdd.get(2..4)?.parse().ok()?;
    let d: u8 = yymmdd.get(4..6)?.parse().ok()?;
    let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
    DateTime::new(year, m, d, 23, 59, 59).ok()
}

impl DocumentEvidence {
    /// Verifies everything given, at date `at`.
    pub fn verify(&self, trust: &TrustStore, at: DateTime) -> DocumentVerdict {
        Verifier::new(trust, at).run(self)
    }
}

struct Verifier<'a> {
    trust: &'a TrustStore,
    at: DateTime,
    errors: Vec<String>,
}

impl<'a> Verifier<'a> {
    fn new(trust: &'a TrustStore, at: DateTime) -> Self {
        Self {
            trust,
            at,
            errors: Vec::new(),
        }
    }

    fn run(mut self, evidence: &DocumentEvidence) -> DocumentVerdict {
        let mut verdict = DocumentVerdict {
            authentic: false,
            checked_at: date_string(self.at),
            sod_signature_valid: false,
            sod_signature_algorithm: None,
            sod_hash_algorithm: None,
            dsc: None,
            chain_valid: false,
            csca_subject: None,
            csca_country: None,
            csca: None,
            dsc_revocation: None,
            data_groups: BTreeMap::new(),
            not_read: Vec::new(),
            issuing_state: None,
            issuing_state_matches_csca: None,
            document_expiry: None,
            document_expired: None,
            active_authentication: ProofResult::NotPerformed,
            active_authentication_algorithm: None,
            chip_authentication: ProofResult::NotPerformed,
            chip_authentication_protocol: None,
            card_security: None,
            errors: Vec::new(),
        };
        let supplied_dsc =
            evidence
                .document_signer
                .as_deref()
                .and_then(|der| match Certificate::from_der(der) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        self.errors
                            .push(format!("supplied Document Signer certificate: {e}"));
                        None
                    }
                });

        // EF.SOD: signature and chain.
        let sod = match evidence.files.get(&FileId::Sod).map(|b| Sod::parse(b)) {
            Some(Ok(sod)) => Some(sod),
            Some(Err(e)) => {
                self.errors.push(e.to_string());
                None
            }
            None => {
                self.errors.push("EF.SOD is missing".into());
                None
            }
        };
        let mut covered: BTreeMap<DataGroup, bool> = BTreeMap::new();
        if let Some(sod) = &sod {
            let check = check_signed_object(
                "EF.SOD",
                &sod.signed,
                supplied_dsc.as_ref(),
                self.trust,
                self.at,
            );
            verdict.sod_signature_valid = check.signature_valid;
            verdict.sod_signature_algorithm = check.signature_algorithm.clone();
            verdict.dsc = check.dsc.clone();
            verdict.chain_valid = check.chain_valid;
            verdict.csca_subject = check.csca.as_ref().map(|c| c.subject.clone());
            verdict.csca_country = check.csca.as_ref().and_then(|c| c.country.clone());
            verdict.csca = check.csca.clone();
            verdict.dsc_revocation = check.revocation;
            self.errors.extend(check.errors);

            // Data-group hashes.
            match HashAlgorithm::from_oid(&sod.hash_algorithm().oid) {
                Ok(hash) => {
                    verdict.sod_hash_algorithm = Some(hash);
                    for (file, bytes) in evidence.files.iter() {
                        let FileId::Dg(dg) = file else { continue };
                        let result = match sod.hashes.get(dg) {
                            None => DataGroupResult::AbsentFromSod,
                            Some(expected) if hash.digest(bytes) == *expected => {
                                DataGroupResult::Match
                            }
                            Some(_) => DataGroupResult::Mismatch,
                        };
                        match result {
                            DataGroupResult::Match => {}
                            DataGroupResult::Mismatch => self
                                .errors
                                .push(format!("{dg}: hash does not match the SOD (altered)")),
                            DataGroupResult::AbsentFromSod => self
                                .errors
                                .push(format!("{dg}: not listed in the SOD (unsigned data)")),
                        }
                        covered.insert(*dg, result == DataGroupResult::Match);
                        verdict.data_groups.insert(dg.number(), result);
                    }
                    verdict.not_read = sod
                        .hashes
                        .keys()
                        .filter(|dg| !evidence.files.contains_key(&FileId::Dg(**dg)))
                        .map(|dg| dg.number())
                        .collect();
                }
                Err(e) => self.errors.push(format!("EF.SOD: data-group hashes: {e}")),
            }
        }
        let pa_ok = verdict.sod_signature_valid && verdict.chain_valid;
        let is_covered = |dg: DataGroup| pa_ok && covered.get(&dg).copied().unwrap_or(false);

        // DG1: issuing state against the CSCA, expiry.
        if let Some(bytes) = evidence.files.get(&FileId::Dg(DataGroup::DG1)) {
            match dg1::parse(bytes) {
                Ok(mrz) => self.check_mrz(&mrz, &mut verdict),
                Err(e) => self.errors.push(e.to_string()),
            }
        }

        // DG14 / EF.CardSecurity: the chip's signed keys.
        let dg14 = evidence
            .files
            .get(&FileId::Dg(DataGroup::DG14))
            .and_then(|b| match SecurityInfos::from_dg14(b) {
                Ok(i) => Some(i),
                Err(e) => {
                    self.errors.push(format!("DG14: {e}"));
                    None
                }
            });
        let card_security =
            evidence
                .files
                .get(&FileId::CardSecurity)
                .and_then(|b| match CardSecurity::parse(b) {
                    Ok(cs) => Some(cs),
                    Err(e) => {
                        self.errors.push(e.to_string());
                        None
                    }
                });
        let card_security_ok = card_security.as_ref().is_some_and(|cs| {
            let check = check_signed_object(
                "EF.CardSecurity",
                &cs.signed,
                supplied_dsc.as_ref(),
                self.trust,
                self.at,
            );
            let ok = check.passed();
            self.errors.extend(check.errors.iter().cloned());
            verdict.card_security = Some(check);
            ok
        });

        // Active Authentication.
        if let Some(aa) = &evidence.active_authentication {
            verdict.active_authentication = ProofResult::Invalid;
            match evidence.files.get(&FileId::Dg(DataGroup::DG15)) {
                None => self
                    .errors
                    .push("Active Authentication: DG15 (the chip's public key) is missing".into()),
                Some(bytes) => match Dg15::parse(bytes) {
                    Err(e) => self.errors.push(format!("Active Authentication: {e}")),
                    Ok(dg15) => {
                        match verify_active_authentication(&dg15, dg14.as_ref(), &aa.challenge, &aa.signature) {
                            Err(e) => self.errors.push(format!(
                                "Active Authentication: {e} (the chip does not hold DG15's key: a clone?)"
                            )),
                            Ok(done) => {
                                verdict.active_authentication_algorithm = Some(done.algorithm);
                                if is_covered(DataGroup::DG15) {
                                    verdict.active_authentication = ProofResult::Valid;
                                } else {
                                    self.errors.push(
                                        "Active Authentication: the signature verifies but DG15 is not covered by a valid SOD: a clone carrying its own key".into(),
                                    );
                                }
                            }
                        }
                    }
                },
            }
        }

        // Chip Authentication / PACE-CAM.
        if let Some(ca) = &evidence.chip_authentication {
            verdict.chip_authentication_protocol = Some(ca.protocol);
            let result = match ca.protocol {
                ChipProtocol::ChipAuthentication => {
                    check_chip_key(ca, dg14.as_ref(), "DG14", is_covered(DataGroup::DG14))
                }
                ChipProtocol::PaceCam => check_chip_key(
                    ca,
                    card_security.as_ref().map(|c| &c.security_infos),
                    "EF.CardSecurity",
                    card_security_ok,
                ),
            };
            match result {
                Ok(()) => verdict.chip_authentication = ProofResult::Valid,
                Err(e) => {
                    verdict.chip_authentication = ProofResult::Invalid;
                    self.errors.push(format!("Chip Authentication: {e}"));
                }
            }
        }

        verdict.authentic = pa_ok
            && self.errors.is_empty()
            && verdict.active_authentication != ProofResult::Invalid
            && verdict.chip_authentication != ProofResult::Invalid;
        verdict.errors = self.errors;
        verdict
    }

    fn check_mrz(&mut self, mrz: &Mrz, verdict: &mut DocumentVerdict) {
        let state = mrz.issuing_state.trim_end_matches('<').to_string();
        verdict.issuing_state = Some(state.clone());
        if let Some(csca_country) = &verdict.csca_country {
            let matches = alpha2_of_mrz_code(&state).is_some_and(|a2| a2 == csca_country);
            verdict.issuing_state_matches_csca = Some(matches);
            if !matches {
                self.errors.push(format!(
                    "the MRZ issuing state {state} is not the CSCA's country {csca_country}: a CSCA cannot vouch for another state's documents"
                ));
            }
        }
        match mrz_expiry(&mrz.expiry_date) {
            Some(expiry) => {
                verdict.document_expiry = Some(date_string(expiry));
                let expired = expiry.unix_duration() < self.at.unix_duration();
                verdict.document_expired = Some(expired);
                if expired {
                    self.errors.push(format!(
                        "the document expired on {} (checked at {})",
                        date_string(expiry),
                        date_string(self.at)
                    ));
                }
            }
            None => self.errors.push(format!(
                "the MRZ expiry date {:?} is not a date",
                mrz.expiry_date
            )),
        }
    }
}
