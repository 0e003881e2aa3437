//! `/token` (OIDC Core §3.1.3, RFC 6749 §4.1.3): authorization code only, client
//! authenticated, PKCE S256 checked, code single-use (a replay revokes what the
//! code issued, RFC 6749 §4.1.2), access token and ID token for 60 s, no refresh
//! token.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::app::Op;
use super::client_auth::{authenticate, client_id_hint};
use super::error::OAuthError;
use super::flows::{TokenEntry, digest};
use super::params::Params;
use super::{Provider, id_token, now, random_id};

pub const PATH: &str = "/token";

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let valid = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed = alicem_credential::jose::b64::encode(&Sha256::digest(verifier.as_bytes()));
    valid && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

async fn exchange(p: &Provider, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let params = Params::parse(body)?;
    let token_endpoint = p.endpoint(PATH);
    if let Some(id) = client_id_hint(headers, &params) {
        p.clients.ensure(&id, p.store.as_ref()).await;
    }
    let client = authenticate(
        &p.clients,
        headers,
        &params,
        &[token_endpoint.as_str(), p.issuer.as_str()],
        &p.assertion_replay,
        p.clock(),
    )
    .await?;
    match params.require("grant_type")? {
        "authorization_code" => {}
        _ => {
            return Err(OAuthError::unsupported_grant_type(
                "only authorization_code is supported",
            ));
        }
    }
    let code = params.require("code")?;
    let n = now();
    let grant = {
        let mut flows = p.flows.lock();
        flows.sweep(n);
        let Some(entry) = flows.code(code) else {
            return Err(OAuthError::invalid_grant("unknown or expired code"));
        };
        if entry.grant.client.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        if entry.used {
            entry.replayed = true;
            let revoked = std::mem::take(&mut entry.access_tokens);
            for t in &revoked {
                flows.revoke_token(t);
            }
            tracing::warn!(client = %client.client_id, "authorization code replayed: its tokens are revoked");
            return Err(OAuthError::invalid_grant("the code was already used"));
        }
        entry.used = true;
        if entry.expires_at <= n {
            return Err(OAuthError::invalid_grant("the code expired"));
        }
        if params.get("redirect_uri") != Some(entry.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request",
            ));
        }
        match (&entry.code_challenge, params.get("code_verifier")) {
            (Some(challenge), Some(verifier)) if pkce_matches(verifier, challenge) => {}
            (Some(_), _) => return Err(OAuthError::invalid_grant("PKCE verification failed")),
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier without code_challenge",
                ));
            }
            (None, None) => {}
        }
        Arc::clone(&entry.grant)
    };
    let access_token = random_id(32);
    let id_token = id_token::issue(p, &grant, &access_token, n)?;
    let ttl = i64::try_from(p.config.access_token_ttl_seconds).unwrap_or(60);
    {
        let mut flows = p.flows.lock();
        let token_digest = digest(&access_token);
        let still_valid = match flows.code(code) {
            Some(entry) if !entry.replayed => {
                entry.access_tokens.push(token_digest);
                true
            }
            _ => false,
        };
        if !still_valid {
            return Err(OAuthError::invalid_grant("the code was already used"));
        }
        flows.insert_token(
            token_digest,
            TokenEntry {
                grant: Arc::clone(&grant),
                expires_at: n.saturating_add(ttl),
            },
        );
    }
    let mut r = Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "id_token": id_token,
        "scope": grant.scope,
    }))
    .into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(r)
}

pub async fn handle(Op(p): Op, headers: HeaderMap, body: Bytes) -> Response {
    match exchange(&p, &headers, &body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            challenge
        ));
        assert!(!pkce_matches("short", challenge));
    }
}
