//! Chip Authentication and PACE-CAM outcomes as the reader records them, and the check
//! that the chip key they used is one the issuer signed: a static key announced in a
//! hash-verified DG14 (Chip Authentication) or in a signature-verified EF.CardSecurity
//! (PACE-CAM). A successful protocol with a key nobody signed proves only that some
//! chip holds that key: a clone.

use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoOwned;

use crate::lds::SecurityInfos;

/// Which protocol proved the chip's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChipProtocol {
    /// Chip Authentication (v1, key in DG14).
    #[serde(rename = "CA", alias = "ca", alias = "chip_authentication")]
    ChipAuthentication,
    /// PACE with Chip Authentication Mapping (key in EF.CardSecurity).
    #[serde(rename = "PACE-CAM", alias = "pace-cam", alias = "pace_cam")]
    PaceCam,
}

/// What the reader recorded about Chip Authentication or PACE-CAM (`session.json`'s
/// `ca` section): the protocol, whether the chip proved possession of the key (CA:
/// secure messaging with the new keys worked; PACE-CAM: the CA data verified), the key
/// id used, and the chip's static public key as a SubjectPublicKeyInfo (DER, hex in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipAuthenticationOutcome {
    pub protocol: ChipProtocol,
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<u64>,
    /// `public_key_spki` in the reader's `session.json`.
    #[serde(with = "hex", alias = "public_key_spki")]
    pub public_key: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChipKeyError {
    #[error("the chip did not complete {0:?}")]
    Failed(ChipProtocol),
    #[error("the recorded chip public key is not a SubjectPublicKeyInfo")]
    MalformedKey,
    #[error("{0} is absent, so nothing signed vouches for the chip key")]
    NoSignedKeys(&'static str),
    #[error("{0} is not covered by the verified signature")]
    NotCovered(&'static str),
    #[error("the chip key used is not among the keys of {0}: a cloned chip")]
    UnknownKey(&'static str),
}

/// The (key agreement, public key encoding) of a SubjectPublicKeyInfo, comparable across
/// the forms a reader and DG14 use (the key bits; for EC, curve parameters may be
/// written differently, so the point alone is compared).
fn key_bits(spki: &SubjectPublicKeyInfoOwned) -> Option<Vec<u8>> {
    spki.subject_public_key.as_bytes().map(<[u8]>::to_vec)
}

/// Checks an outcome against the SecurityInfos that announce the chip's keys.
/// `source` names them ("DG14", "EF.CardSecurity"); `covered` says whether their
/// integrity was verified (hash in the SOD, or signature chaining to a CSCA).
pub fn check_chip_key(
    outcome: &ChipAuthenticationOutcome,
    infos: Option<&SecurityInfos>,
    source: &'static str,
    covered: bool,
) -> Result<(), ChipKeyError> {
    if !outcome.success {
        return Err(ChipKeyError::Failed(outcome.protocol));
    }
    use der::Decode;
    let used = SubjectPublicKeyInfoOwned::from_der(&outcome.public_key)
        .ok()
        .and_then(|s| key_bits(&s))
        .ok_or(ChipKeyError::MalformedKey)?;
    let infos = infos.ok_or(ChipKeyError::NoSignedKeys(source))?;
    if !covered {
        return Err(ChipKeyError::NotCovered(source));
    }
    let known = infos.chip_authentication_public_keys().any(|k| {
        let id_ok = match (outcome.key_id, k.key_id) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        id_ok && key_bits(&k.public_key).is_some_and(|bits| bits == used)
    });
    if known {
        Ok(())
    } else {
        Err(ChipKeyError::UnknownKey(source))
    }
}
