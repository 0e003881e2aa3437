//! The citizen's own account: status, history, lifecycle, PIN change.

use alicem_credential::pin::{PinChallenge, PinChange, PinProof};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentityStatus {
    /// Approved, PIN not registered yet.
    PendingPin,
    Active,
    Suspended,
    /// Too many wrong PINs: an agent unlocks, or the citizen re-enrolls.
    Locked,
    Revoked,
    /// The document expired.
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccountStatus {
    pub identity_id: String,
    pub status: IdentityStatus,
    pub level: String,
    /// Unix seconds: the document's expiry.
    pub expires_at: u64,
    pub pin_attempts_left: u32,
}

/// What a PIN challenge will be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChallengePurpose {
    Suspend,
    Revoke,
    Delete,
    ChangePin,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChallengeRequest {
    pub purpose: ChallengePurpose,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChallengeGrant {
    /// The `request` of the PIN proof's context.
    pub challenge_id: String,
    pub challenge: PinChallenge,
    pub expires_at: u64,
}

/// Suspend, revoke or delete: PIN proof with purpose `Lifecycle`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LifecycleRequest {
    pub challenge_id: String,
    pub pin_proof: PinProof,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PinChangeRequest {
    pub challenge_id: String,
    pub change: PinChange,
}

/// One login, as kept in the connection history (claim names, never values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub at: u64,
    pub service_provider: String,
    pub client_id: String,
    pub claims: Vec<String>,
    pub acr: String,
    /// `approved`, `denied`, `wrong_pin`, `refused_suspended`…
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct History {
    pub entries: Vec<HistoryEntry>,
    /// How long the server keeps entries (days).
    pub retention_days: u32,
}
