//! The erasure receipt: what was received (name, size, SHA-256) and when it was
//! erased, signed by the server's issuer key (`typ` [`RECEIPT_TYPE`]).

use alicem_api::enrollment::{ErasedItem, ErasureReceipt, ErasureReceiptClaims};
use alicem_credential::jose::jws;

use crate::problem::Problem;
use crate::state::AppState;

/// The JWS `typ` of a receipt.
pub const RECEIPT_TYPE: &str = "alicem-erasure-receipt+jwt";

/// Signs a receipt for `items`, erased at `erased_at`.
pub fn sign(
    state: &AppState,
    session_id: &str,
    items: Vec<ErasedItem>,
    erased_at: i64,
) -> Result<ErasureReceipt, Problem> {
    let claims = ErasureReceiptClaims {
        iss: state.config.issuer.clone(),
        session_id: session_id.to_owned(),
        items,
        erased_at: u64::try_from(erased_at).unwrap_or(0),
    };
    let jws = jws::sign_json(Some(RECEIPT_TYPE), &claims, &state.keys.issuer)
        .map_err(|e| Problem::internal(&format!("signing an erasure receipt: {e}")))?;
    Ok(ErasureReceipt { jws, claims })
}

/// The stored (JSON) form.
pub fn to_json(receipt: &ErasureReceipt) -> String {
    serde_json::to_string(receipt).unwrap_or_default()
}
