//! What a completed login grants a relying party: held in memory only, for the
//! lifetime of the code and then of the access token, never written anywhere.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::acr::Acr;
use super::client::Client;

/// The outcome of one approved login for one client.
pub struct Grant {
    pub client: Arc<Client>,
    pub identity_id: String,
    /// Pairwise `sub` for this client's sector.
    pub sub: String,
    pub acr: Acr,
    /// `pin`, `pop`, `mfa`.
    pub amr: Vec<&'static str>,
    /// Whether the relying party asked for `amr` (claims parameter).
    pub amr_requested: bool,
    pub auth_time: i64,
    pub nonce: Option<String>,
    pub scope: String,
    /// The released claims (only those granted by the scopes), civil status from
    /// the wallet's presentation: never persisted.
    pub claims: BTreeMap<String, Value>,
}

impl core::fmt::Debug for Grant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Grant")
            .field("client", &self.client.client_id)
            .field("acr", &self.acr)
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        // Best effort: overwrite the civil-status strings before their memory is freed.
        for value in self.claims.values_mut() {
            if let Value::String(s) = value {
                zeroize::Zeroize::zeroize(s);
            }
        }
    }
}
