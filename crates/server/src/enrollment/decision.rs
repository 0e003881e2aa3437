//! The document side of the decision: Passive Authentication against the trust store,
//! Active Authentication on *this session's* challenge, expiry, MRZ/DG1 consistency.
//! Maps emrtd's [`DocumentVerdict`] to stable [`DecisionReason`]s. Pure (the
//! lost/stolen list is checked by the caller, which has the database).

use std::collections::BTreeMap;

use alicem_api::enrollment::{AntiCloneEvidence, DecisionReason, Evidence};
use alicem_emrtd::lds::{DataGroup, Dg11, FileId, dg1};
use alicem_emrtd::verify::trust::Revocation;
use alicem_emrtd::verify::{
    ActiveAuthenticationEvidence, DataGroupResult, DocumentEvidence, DocumentVerdict, ProofResult,
    TrustStore,
};

/// What the document checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFindings {
    /// Reasons to reject.
    pub rejections: Vec<DecisionReason>,
    /// Reasons a human must look (e.g. no anti-clone proof the server can check).
    pub review: Vec<DecisionReason>,
    /// Issuing state and document number, MRZ form (for the keyed fingerprint only).
    pub issuing_state: String,
    pub document_number: String,
    /// End of the document's last valid day (Unix seconds), 0 if unknown.
    pub expires_at: i64,
    /// emrtd's messages (for the server log; they hold no personal data).
    pub errors: Vec<String>,
}

fn unix_to_der(now: i64) -> der::DateTime {
    let secs = u64::try_from(now).unwrap_or(0);
    der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .unwrap_or(der::DateTime::INFINITY)
}

/// `YYYY-MM-DD` → 23:59:59 UTC of that day.
fn end_of_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, d).ok()?;
    Some(
        date.with_hms(23, 59, 59)
            .ok()?
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Runs every document check. `challenge` is the one this session issued.
pub fn check_document(
    evidence: &Evidence,
    challenge: &[u8],
    trust: &TrustStore,
    now: i64,
) -> DocumentFindings {
    let chip = &evidence.chip;
    let mut files = BTreeMap::new();
    files.insert(FileId::Com, chip.ef_com.0.clone());
    files.insert(FileId::Sod, chip.ef_sod.0.clone());
    files.insert(FileId::Dg(DataGroup::DG1), chip.dg1.0.clone());
    files.insert(FileId::Dg(DataGroup::DG2), chip.dg2.0.clone());
    for (id, file) in [
        (FileId::Dg(DataGroup::DG11), &chip.dg11),
        (FileId::Dg(DataGroup::DG14), &chip.dg14),
        (FileId::Dg(DataGroup::DG15), &chip.dg15),
        (FileId::CardSecurity, &chip.ef_card_security),
    ] {
        if let Some(bytes) = file {
            files.insert(id, bytes.0.clone());
        }
    }
    let active_authentication = match &evidence.anti_clone {
        AntiCloneEvidence::ActiveAuthentication { signature } => {
            Some(ActiveAuthenticationEvidence {
                challenge: challenge.to_vec(),
                signature: signature.0.clone(),
            })
        }
        AntiCloneEvidence::None => None,
    };
    let document = DocumentEvidence {
        files: files.into(),
        document_signer: None,
        active_authentication,
        chip_authentication: None,
    };
    let verdict = document.verify(trust, unix_to_der(now));
    findings(evidence, &verdict)
}

fn push(list: &mut Vec<DecisionReason>, reason: DecisionReason) {
    if !list.contains(&reason) {
        list.push(reason);
    }
}

/// The reasons a verdict gives.
pub fn findings(evidence: &Evidence, verdict: &DocumentVerdict) -> DocumentFindings {
    let mut rejections = Vec::new();
    let mut review = Vec::new();
    let altered = verdict
        .data_groups
        .values()
        .any(|r| *r != DataGroupResult::Match);
    if !verdict.sod_signature_valid || altered {
        push(&mut rejections, DecisionReason::DocumentNotAuthentic);
    }
    if verdict.sod_signature_valid && !verdict.chain_valid {
        if verdict.csca_subject.is_none() {
            push(&mut rejections, DecisionReason::UnknownIssuer);
        } else {
            push(&mut rejections, DecisionReason::DocumentNotAuthentic);
        }
    }
    if verdict.dsc_revocation == Some(Revocation::Revoked) {
        push(&mut rejections, DecisionReason::SignerRevoked);
    }
    if verdict.issuing_state_matches_csca == Some(false) {
        push(&mut rejections, DecisionReason::CountryMismatch);
    }
    if verdict.document_expired == Some(true) {
        push(&mut rejections, DecisionReason::DocumentExpired);
    }
    match verdict.active_authentication {
        ProofResult::Invalid => push(&mut rejections, DecisionReason::ChipNotGenuine),
        ProofResult::NotPerformed => {
            if evidence.chip.dg15.is_some() {
                // The chip has an AA key and the wallet did not use it: a clone would
                // do exactly that.
                push(&mut rejections, DecisionReason::NoAntiCloneProof);
            } else {
                push(&mut review, DecisionReason::NoAntiCloneProof);
            }
        }
        ProofResult::Valid => {}
    }

    // DG1 against the rest: parses with valid check digits, the SOD covers DG1 and
    // DG2, DG11's full birth date agrees with the MRZ's.
    let mut issuing_state = String::new();
    let mut document_number = String::new();
    match dg1::parse(evidence.chip.dg1.as_slice()) {
        Ok(mrz) => {
            issuing_state = mrz.issuing_state.trim_end_matches('<').to_owned();
            document_number = mrz.document_number.trim_end_matches('<').to_owned();
            if let Some(dg11) = evidence
                .chip
                .dg11
                .as_ref()
                .and_then(|b| Dg11::parse(b.as_slice()).ok())
                && let Some(full) = dg11.full_birth_date.as_deref()
                && full.len() == 8
                && full.get(2..) != Some(mrz.birth_date.as_str())
            {
                push(&mut rejections, DecisionReason::InconsistentData);
            }
        }
        Err(_) => push(&mut rejections, DecisionReason::InconsistentData),
    }
    for dg in [1u8, 2] {
        if verdict.data_groups.get(&dg).is_none() {
            push(&mut rejections, DecisionReason::InconsistentData);
        }
    }
    if !verdict.authentic && rejections.is_empty() {
        // Fail closed on anything emrtd refused that has no reason of its own.
        push(&mut rejections, DecisionReason::DocumentNotAuthentic);
    }
    DocumentFindings {
        rejections,
        review,
        issuing_state,
        document_number,
        expires_at: verdict
            .document_expiry
            .as_deref()
            .and_then(end_of_day)
            .unwrap_or(0),
        errors: verdict.errors.clone(),
    }
}
