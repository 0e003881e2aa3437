//! Login approval: the wallet's side of an OpenID Connect login.

use alicem_credential::pin::{PinChallenge, PinProof};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A login waiting for the citizen's approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingLogin {
    pub login_id: String,
    /// The service provider's display name ("Impôts démo").
    pub service_provider: String,
    pub client_id: String,
    /// FranceConnect claim names asked (`given_name`, `birthdate`…).
    pub claims: Vec<String>,
    /// The eIDAS level asked (`eidas1`…`eidas3`).
    pub acr: String,
    /// The code shown on the browser's waiting page, for the citizen to compare.
    pub short_code: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// The single-use PIN challenge for this login.
    pub pin_challenge: PinChallenge,
    /// Nonce and audience the key-binding JWT of the presentation must carry.
    pub presentation_nonce: String,
    pub presentation_audience: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingLogins {
    pub logins: Vec<PendingLogin>,
    /// Where this answer stands in the identity's changes: pass it back as
    /// `?after=` with `?wait=S`, and the server holds the next answer until a login
    /// newer than this one is pending (at most S seconds, at most 25).
    #[serde(default)]
    pub cursor: u64,
}

/// `POST /v1/account/logins/{id}/approve`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginApproval {
    /// PIN proof with purpose `Login`, account = identity id, request = login id.
    pub pin_proof: PinProof,
    /// SD-JWT presentation with only the asked claims and a key-binding JWT.
    pub presentation: String,
}
