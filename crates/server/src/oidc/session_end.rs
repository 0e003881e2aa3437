//! `/session/end` (OpenID Connect RP-Initiated Logout 1.0): checks `id_token_hint`
//! (our signature, our issuer; an expired hint is fine), sends the browser to a
//! registered `post_logout_redirect_uri` with `state`, or shows a logged-out page.
//! A hint that does not verify gets the error page, never a redirect.

use alicem_credential::jose::UnverifiedJws;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::Provider;
use super::app::Op;
use super::authorize::redirect_with;
use super::pages::{self, Lang};
use super::params::Params;

pub const PATH: &str = "/session/end";

/// The `aud` (client id) of a hint we signed, or why not.
fn check_hint(p: &Provider, hint: &str) -> Result<String, &'static str> {
    let jws = UnverifiedJws::parse(hint).map_err(|_| "id_token_hint is not a signed JWT")?;
    let verified = jws
        .verify_with_set(&p.jwks())
        .map_err(|_| "id_token_hint was not signed by this provider")?;
    let claims = verified
        .claims()
        .map_err(|_| "id_token_hint is malformed")?;
    if claims.get("iss").and_then(Value::as_str) != Some(p.issuer.as_str()) {
        return Err("id_token_hint was issued by another provider");
    }
    match claims.get("aud") {
        Some(Value::String(a)) => Ok(a.clone()),
        Some(Value::Array(list)) if list.len() == 1 => list
            .first()
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or("id_token_hint has no audience"),
        _ => Err("id_token_hint has no single audience"),
    }
}

fn end(p: &Provider, params: &Params, headers: &HeaderMap) -> Response {
    let lang = params
        .get("ui_locales")
        .and_then(Lang::from_locales)
        .unwrap_or_else(|| Lang::from_headers(headers));
    let hinted_client = match params.get("id_token_hint") {
        Some(hint) => match check_hint(p, hint) {
            Ok(aud) => Some(aud),
            Err(msg) => return pages::error(lang, StatusCode::BAD_REQUEST, msg),
        },
        None => None,
    };
    let client_id = match (hinted_client, params.get("client_id")) {
        (Some(a), Some(c)) if a != c => {
            return pages::error(
                lang,
                StatusCode::BAD_REQUEST,
                "client_id does not match id_token_hint",
            );
        }
        (Some(a), _) => Some(a),
        (None, c) => c.map(str::to_owned),
    };
    let Some(target) = params.get("post_logout_redirect_uri") else {
        return pages::logged_out(lang);
    };
    let Some(client) = client_id.and_then(|c| p.clients.get(&c)) else {
        return pages::error(
            lang,
            StatusCode::BAD_REQUEST,
            "post_logout_redirect_uri needs id_token_hint or client_id",
        );
    };
    if !client.has_post_logout_redirect_uri(target) {
        return pages::error(
            lang,
            StatusCode::BAD_REQUEST,
            "post_logout_redirect_uri is not registered for this client",
        );
    }
    match params.get("state") {
        Some(state) => redirect_with(target, &[("state", state)]),
        None => redirect_with(target, &[]),
    }
}

#[allow(
    clippy::result_large_err,
    reason = "the error is the page answered as is, like an axum handler's response"
)]
fn parse_or_page(encoded: &[u8], headers: &HeaderMap) -> Result<Params, Response> {
    Params::parse(encoded).map_err(|e| {
        pages::error(
            Lang::from_headers(headers),
            StatusCode::BAD_REQUEST,
            &e.description,
        )
    })
}

pub async fn get(Op(p): Op, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    match parse_or_page(query.unwrap_or_default().as_bytes(), &headers) {
        Ok(params) => end(&p, &params, &headers),
        Err(r) => r,
    }
}

pub async fn post(Op(p): Op, headers: HeaderMap, body: Bytes) -> Response {
    match parse_or_page(&body, &headers) {
        Ok(params) => end(&p, &params, &headers),
        Err(r) => r,
    }
}
