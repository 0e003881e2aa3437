//! `/userinfo` (OIDC Core §5.3): the released claims, as a signed JWT (FranceConnect+)
//! or plain JSON per client, encrypted when the client registered a key. The bearer
//! token comes in the `Authorization` header (GET or POST) or the POST body
//! (RFC 6750 §2.2).

use std::sync::Arc;

use alicem_credential::jose::jwe;
use alicem_credential::rng::os_rng;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::app::Op;
use super::error::OAuthError;
use super::params::Params;
use super::{Provider, now};

pub const PATH: &str = "/userinfo";

fn bearer(headers: &HeaderMap) -> Result<Option<String>, OAuthError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = v
        .to_str()
        .map_err(|_| OAuthError::invalid_request("malformed Authorization header"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(OAuthError::invalid_token("expected a Bearer token")),
    }
}

fn answer(p: &Provider, token: Option<String>) -> Result<Response, OAuthError> {
    let token = token.ok_or_else(|| OAuthError::invalid_token("no access token"))?;
    let grant = {
        let flows = p.flows.lock();
        let entry = flows
            .token(&token, now())
            .ok_or_else(|| OAuthError::invalid_token("the access token is invalid or expired"))?;
        Arc::clone(&entry.grant)
    };
    let mut claims = Map::new();
    claims.insert("sub".into(), grant.sub.clone().into());
    for (name, value) in &grant.claims {
        claims.insert(name.clone(), value.clone());
    }
    let client = &grant.client;
    let (body, content_type) = match client.userinfo_alg {
        Some(alg) => {
            claims.insert("iss".into(), p.issuer.clone().into());
            claims.insert("aud".into(), client.client_id.clone().into());
            claims.insert("iat".into(), now().into());
            let jwt = p.sign_for(client, alg, Some("JWT"), &Value::Object(claims))?;
            (jwt, "application/jwt")
        }
        None => {
            let json = Value::Object(claims).to_string();
            match &client.encryption_key {
                Some(key) => (
                    jwe::encrypt(json.as_bytes(), key, None, &mut os_rng())
                        .map_err(|_| OAuthError::server_error("encryption failed"))?,
                    "application/jwt",
                ),
                None => (json, "application/json"),
            }
        }
    };
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

pub async fn get(Op(p): Op, headers: HeaderMap) -> Response {
    bearer(&headers)
        .and_then(|t| answer(&p, t))
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn post(Op(p): Op, headers: HeaderMap, body: Bytes) -> Response {
    let token = bearer(&headers).and_then(|header_token| {
        let form = Params::parse(&body)?;
        match (header_token, form.get("access_token")) {
            (Some(_), Some(_)) => Err(OAuthError::invalid_request("token given twice")),
            (Some(t), None) => Ok(Some(t)),
            (None, t) => Ok(t.map(str::to_owned)),
        }
    });
    token
        .and_then(|t| answer(&p, t))
        .unwrap_or_else(IntoResponse::into_response)
}
