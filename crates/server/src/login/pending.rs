//! `GET /v1/account/logins`: the logins waiting for this identity's phone, answered at
//! once or, with `?wait=S&after=CURSOR`, held until a login newer than the cursor is
//! pending (see `oidc::long_poll`).

use alicem_api::login::{PendingLogin, PendingLogins};

use crate::oidc::long_poll::{self, Stopping, WaitQuery};
use crate::oidc::{Provider, now};

/// The pending logins, once something newer than `poll.after` is pending or
/// `poll.wait` has passed.
pub async fn list_when_news(
    p: &Provider,
    identity: &str,
    poll: WaitQuery,
    stopping: &Stopping,
) -> PendingLogins {
    let (cursor, notify) = p.flows.lock().phone_watch(identity);
    if cursor <= poll.after {
        let nothing_new = || p.flows.lock().phone_cursor(identity) <= poll.after;
        long_poll::hold(&notify, nothing_new, poll.duration(), stopping).await;
    }
    drop(notify);
    list(p, identity)
}

/// The pending logins now.
pub fn list(p: &Provider, identity: &str) -> PendingLogins {
    let n = now();
    let flows = p.flows.lock();
    let cursor = flows.phone_cursor(identity);
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
    PendingLogins { logins, cursor }
}
