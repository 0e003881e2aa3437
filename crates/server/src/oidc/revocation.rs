//! `/token/revocation` (RFC 7009): a client revokes one of its access tokens.
//! Unknown tokens, or tokens of another client, answer 200 all the same (§2.2), so
//! the endpoint tells nothing about tokens.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::app::Op;
use super::client_auth::{authenticate, client_id_hint};
use super::flows::digest;
use super::now;
use super::params::Params;

pub const PATH: &str = "/token/revocation";

pub async fn handle(Op(p): Op, headers: HeaderMap, body: Bytes) -> Response {
    let params = match Params::parse(&body) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let endpoint = p.endpoint(PATH);
    if let Some(id) = client_id_hint(&headers, &params) {
        p.clients.ensure(&id, p.store.as_ref()).await;
    }
    let client = match authenticate(
        &p.clients,
        &headers,
        &params,
        &[endpoint.as_str(), p.issuer.as_str()],
        &p.assertion_replay,
        p.clock(),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let token = match params.require("token") {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let mut flows = p.flows.lock();
    let owner_matches = flows
        .token(token, now())
        .is_some_and(|t| t.grant.client.client_id == client.client_id);
    if owner_matches {
        flows.revoke_token(&digest(token));
    }
    StatusCode::OK.into_response()
}
