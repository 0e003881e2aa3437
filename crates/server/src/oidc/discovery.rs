//! Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414, RFC 9207).

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::acr::Acr;
use super::app::Op;
use super::{Provider, authorize, jwks, revocation, scope, session_end, token, userinfo};

pub const PATH: &str = "/.well-known/openid-configuration";

/// The metadata document.
pub fn metadata(p: &Provider) -> Value {
    let algs: Vec<&str> = p.algorithms().iter().map(|a| a.name()).collect();
    json!({
        "issuer": p.issuer,
        "authorization_endpoint": p.endpoint(authorize::PATH),
        "token_endpoint": p.endpoint(token::PATH),
        "userinfo_endpoint": p.endpoint(userinfo::PATH),
        "jwks_uri": p.endpoint(jwks::PATH),
        "end_session_endpoint": p.endpoint(session_end::PATH),
        "revocation_endpoint": p.endpoint(revocation::PATH),
        "scopes_supported": scope::SUPPORTED,
        "claims_supported": scope::CLAIMS_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "acr_values_supported": Acr::ALL.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "id_token_signing_alg_values_supported": algs,
        "userinfo_signing_alg_values_supported": algs,
        "id_token_encryption_alg_values_supported": ["RSA-OAEP-256", "ECDH-ES"],
        "id_token_encryption_enc_values_supported": ["A256GCM"],
        "userinfo_encryption_alg_values_supported": ["RSA-OAEP-256", "ECDH-ES"],
        "userinfo_encryption_enc_values_supported": ["A256GCM"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "claims_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["fr", "en"],
        "claim_types_supported": ["normal"],
        "frontchannel_logout_supported": false,
    })
}

pub async fn handle(Op(p): Op) -> Response {
    let mut r = Json(metadata(&p)).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}
