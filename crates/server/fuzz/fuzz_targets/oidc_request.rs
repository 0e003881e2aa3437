//! What a relying party or a browser sends the provider: form or query parameters,
//! the scope list, the `claims` parameter, an `Authorization: Basic` header. Each is
//! refused with an OAuth error or read, never a panic.
#![no_main]

use std::collections::BTreeSet;

use alicem_server::oidc::authorize::read_claims_parameter;
use alicem_server::oidc::client_auth::client_id_hint;
use alicem_server::oidc::params::Params;
use alicem_server::oidc::scope::grant;
use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(params) = Params::parse(data) else {
        return;
    };
    let registered: BTreeSet<String> = ["identite_pivot", "email", "profile"]
        .into_iter()
        .map(String::from)
        .collect();
    if let Some(scope) = params.get("scope") {
        let _ = grant(scope, &registered);
    }
    if let Some(claims) = params.get("claims") {
        let _ = read_claims_parameter(claims);
    }
    let mut headers = HeaderMap::new();
    if let Some(auth) = params.get("authorization")
        && let Ok(value) = HeaderValue::from_str(auth)
    {
        headers.insert(header::AUTHORIZATION, value);
    }
    let _ = client_id_hint(&headers, &params);
});
