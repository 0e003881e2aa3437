//! `GET /v1/account/logins`: the logins waiting for this identity's phone.

use alicem_api::login::{PendingLogin, PendingLogins};

use crate::oidc::{Provider, now};

pub fn list(p: &Provider, identity: &str) -> PendingLogins {
    let n = now();
    let flows = p.flows.lock();
    let logins = flows
        .waiting_for(identity, n)
        .into_iter()
        .map(|(tx, phone, short_code)| PendingLogin {
            login_id: phone.login_id,
            service_provider: tx.request.client.name.clone(),
            client_id: tx.request.client.client_id.clone(),
            claims: tx
                .request
                .scopes
                .claims
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            acr: tx.request.acr_required.name().to_owned(),
            short_code,
            expires_at: u64::try_from(tx.expires_at).unwrap_or_default(),
            pin_challenge: phone.pin_challenge,
            presentation_nonce: phone.presentation_nonce,
            presentation_audience: p.issuer.clone(),
        })
        .collect();
    PendingLogins { logins }
}
