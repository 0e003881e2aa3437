//! The connection history: one row per login (identity, provider, claim *names*,
//! level, time, outcome), kept for the configured retention period and shown to the
//! citizen in the wallet.

use alicem_api::account::{History, HistoryEntry};

use super::LoginError;
use crate::oidc::authorize::AuthRequest;
use crate::oidc::{Provider, now};

/// Writes one history row. A failure is logged: the login itself already happened
/// or was refused, and refusing it again would not undo that.
pub async fn record(
    p: &Provider,
    identity: &str,
    request: &AuthRequest,
    claims: Vec<String>,
    acr: &str,
    outcome: &str,
) {
    let entry = HistoryEntry {
        at: u64::try_from(now()).unwrap_or_default(),
        service_provider: request.client.name.clone(),
        client_id: request.client.client_id.clone(),
        claims,
        acr: acr.to_owned(),
        outcome: outcome.to_owned(),
    };
    if let Err(e) = p.store.append_history(identity, &entry).await {
        tracing::error!(error = %e, "writing the connection history failed");
    }
}

/// The identity's history within the retention period.
pub async fn list(p: &Provider, identity: &str) -> Result<History, LoginError> {
    let since = now().saturating_sub(i64::from(p.retention_days).saturating_mul(86_400));
    let entries = p
        .store
        .history(identity, since)
        .await
        .map_err(|_| LoginError::Storage)?;
    Ok(History {
        entries,
        retention_days: p.retention_days,
    })
}
