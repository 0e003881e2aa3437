//! Issuance on approval: the SD-JWT VC from DG1 (and DG11), bound to the device key,
//! and the identity record (no civil-status data: only the keyed document
//! fingerprint and the expiry).

use alicem_api::account::IdentityStatus;
use alicem_credential::attributes::{CivilStatus, Dg11Fields};
use alicem_credential::jose::Jwk;
use alicem_credential::sd_jwt::issuer::DEFAULT_MIN_DIGESTS;
use alicem_credential::sd_jwt::{Issuance, issue};
use alicem_emrtd::lds::{Dg11, dg1};

use crate::problem::Problem;
use crate::state::AppState;
use crate::store::identities::Identity;

/// The credential type.
pub const VCT: &str = "urn:alicem:identity:1";
/// The level of every alicem identity (chip + face or chip + agent).
pub const LEVEL: &str = "eidas3";

/// Issues the credential for `dg1` / `dg11`, bound to `device_key`.
pub fn credential(
    state: &AppState,
    dg1_bytes: &[u8],
    dg11_bytes: Option<&[u8]>,
    device_key: &Jwk,
    now: i64,
) -> Result<String, Problem> {
    let mrz = dg1::parse(dg1_bytes).map_err(|e| Problem::invalid("chip.dg1", e.to_string()))?;
    let dg11 = dg11_bytes
        .map(Dg11::parse)
        .transpose()
        .map_err(|e| Problem::invalid("chip.dg11", e.to_string()))?;
    let fields = dg11.as_ref().map(|d| Dg11Fields {
        full_name: d.full_name.clone(),
        place_of_birth: d.place_of_birth.clone(),
        full_date_of_birth: d.full_birth_date.clone(),
    });
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .map_err(|e| Problem::internal(&e))?
        .date();
    let civil = CivilStatus::from_document(&mrz, fields.as_ref(), today, None)
        .map_err(|e| Problem::invalid("chip.dg1", e.to_string()))?;
    let issuance = Issuance {
        issuer: &state.config.issuer,
        vct: VCT,
        issued_at: now,
        expires_at: civil.expires_at(),
        holder_key: device_key,
        claims: civil.claims(),
        min_digests: DEFAULT_MIN_DIGESTS,
    };
    issue(&issuance, &state.keys.issuer, &mut state.rng())
        .map_err(|e| Problem::internal(&format!("issuing the credential: {e}")))
}

/// A fresh opaque identifier (128 random bits, base64url).
pub fn random_id(state: &AppState) -> String {
    let mut bytes = [0u8; 16];
    rand_core::Rng::fill_bytes(&mut state.rng(), &mut bytes);
    alicem_credential::jose::b64::encode(&bytes)
}

/// The identity record for an approved session.
pub fn identity(
    state: &AppState,
    enrollment_id: &str,
    device_key: &Jwk,
    fingerprint: &str,
    expires_at: i64,
    now: i64,
) -> Identity {
    Identity {
        id: random_id(state),
        device_key: device_key.to_json().to_string(),
        device_key_thumbprint: device_key.thumbprint(),
        document_fingerprint: fingerprint.to_owned(),
        document_expires_at: expires_at,
        level: LEVEL.into(),
        status: IdentityStatus::PendingPin,
        status_reason: None,
        pin_verifier: None,
        pin_failures: 0,
        enrollment_id: enrollment_id.to_owned(),
        created_at: now,
        updated_at: now,
    }
}
