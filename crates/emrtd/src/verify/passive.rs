//! Passive Authentication of one signed object (EF.SOD or EF.CardSecurity): the
//! Document Signer's signature, then the Document Signer → CSCA chain against the trust
//! store, validity periods at the given date and revocation.

use der::DateTime;
use serde::Serialize;

use super::certificate::{Certificate, date_string};
use super::names;
use super::signer;
use super::trust::{Revocation, TrustStore};
use crate::lds::signed_data::SignedObject;

/// The facts of a certificate a verdict shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub country: Option<String>,
}

impl From<&Certificate> for CertificateSummary {
    fn from(c: &Certificate) -> Self {
        Self {
            subject: names::display(c.subject()),
            issuer: names::display(c.issuer()),
            serial: c.serial_hex(),
            not_before: date_string(c.not_before()),
            not_after: date_string(c.not_after()),
            country: c.country(),
        }
    }
}

/// The outcome of Passive Authentication of one signed object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedObjectCheck {
    /// The Document Signer's signature over the content verifies.
    pub signature_valid: bool,
    pub signature_algorithm: Option<String>,
    pub dsc: Option<CertificateSummary>,
    /// DSC signed by a trusted CSCA, both valid at the date, DSC not revoked.
    pub chain_valid: bool,
    pub csca: Option<CertificateSummary>,
    pub revocation: Option<Revocation>,
    pub errors: Vec<String>,
}

impl SignedObjectCheck {
    pub fn passed(&self) -> bool {
        self.signature_valid && self.chain_valid
    }
}

/// Runs Passive Authentication of `signed`. `supplied_dsc` is a Document Signer
/// certificate given separately (for signed objects that do not embed it).
pub fn check_signed_object(
    what: &str,
    signed: &SignedObject,
    supplied_dsc: Option<&Certificate>,
    trust: &TrustStore,
    at: DateTime,
) -> SignedObjectCheck {
    let mut check = SignedObjectCheck {
        signature_valid: false,
        signature_algorithm: None,
        dsc: None,
        chain_valid: false,
        csca: None,
        revocation: None,
        errors: Vec::new(),
    };
    let Some(info) = signed.signer_infos.first() else {
        check.errors.push(format!("{what}: no SignerInfo"));
        return check;
    };
    if signed.signer_infos.len() > 1 {
        check.errors.push(format!(
            "{what}: more than one SignerInfo; only the first is checked"
        ));
    }
    let mut candidates: Vec<Certificate> = Vec::new();
    for (i, der) in signed.certificates.iter().enumerate() {
        match Certificate::from_der(der) {
            Ok(c) => candidates.push(c),
            Err(e) => check
                .errors
                .push(format!("{what}: embedded certificate {i} unreadable: {e}")),
        }
    }
    candidates.extend(supplied_dsc.cloned());
    let Some(dsc) = candidates.iter().find(|c| signer::identifies(&info.sid, c)) else {
        check.errors.push(format!(
            "{what}: the Document Signer certificate is neither embedded nor supplied"
        ));
        return check;
    };
    check.dsc = Some(dsc.into());
    match dsc.public_key() {
        Ok(key) => match signer::verify_signer_info(signed, info, key) {
            Ok(scheme) => {
                check.signature_valid = true;
                check.signature_algorithm = Some(scheme.name());
            }
            Err(e) => check
                .errors
                .push(format!("{what}: signature by the Document Signer: {e}")),
        },
        Err(e) => check
            .errors
            .push(format!("{what}: Document Signer key unusable: {e}")),
    }
    check_chain(what, dsc, trust, at, &mut check);
    check
}

fn check_chain(
    what: &str,
    dsc: &Certificate,
    trust: &TrustStore,
    at: DateTime,
    check: &mut SignedObjectCheck,
) {
    let mut csca = trust
        .cached_issuer(dsc)
        .filter(|a| a.certificate.valid_at(at))
        .map(|a| &a.certificate);
    let mut last_error = None;
    let candidates = if csca.is_none() {
        trust.issuers_of(dsc).collect()
    } else {
        Vec::new()
    };
    for anchor in candidates {
        let verified = anchor
            .certificate
            .public_key()
            .and_then(|key| dsc.verify_signed_by(key));
        match verified {
            Ok(()) => {
                trust.remember_issuer(dsc, anchor);
                csca = Some(&anchor.certificate);
                // Prefer a CSCA valid at the date when several keys (link certificates)
                // carry the same name.
                if anchor.certificate.valid_at(at) {
                    break;
                }
            }
            Err(e) => last_error = Some(e),
        }
    }
    let Some(csca) = csca else {
        check.errors.push(match last_error {
            Some(e) => format!(
                "{what}: the Document Signer's signature by CSCA \"{}\" does not verify: {e}",
                names::display(dsc.issuer())
            ),
            None => format!(
                "{what}: no trusted CSCA \"{}\" (unknown issuer)",
                names::display(dsc.issuer())
            ),
        });
        return;
    };
    check.csca = Some(csca.into());
    let mut valid = true;
    if let (Some(a), Some(b)) = (dsc.country(), csca.country())
        && a != b
    {
        check.errors.push(format!(
            "{what}: Document Signer country {a} differs from CSCA country {b}"
        ));
        valid = false;
    }
    let day = date_string(at);
    if !dsc.valid_at(at) {
        check.errors.push(format!(
            "{what}: the Document Signer certificate is not valid on {day} (valid {} to {})",
            date_string(dsc.not_before()),
            date_string(dsc.not_after())
        ));
        valid = false;
    }
    if !csca.valid_at(at) {
        check.errors.push(format!(
            "{what}: the CSCA certificate is not valid on {day} (valid {} to {})",
            date_string(csca.not_before()),
            date_string(csca.not_after())
        ));
        valid = false;
    }
    let revocation = trust.revocation(dsc, csca, at);
    check.revocation = Some(revocation);
    if revocation == Revocation::Revoked {
        check.errors.push(format!(
            "{what}: the Document Signer certificate (serial {}) is revoked by its CSCA's CRL",
            dsc.serial_hex()
        ));
        valid = false;
    }
    check.chain_valid = valid;
}
