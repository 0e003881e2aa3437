//! Client authentication at the token and revocation endpoints:
//! `client_secret_post`, `client_secret_basic` (RFC 6749 §2.3.1) and
//! `private_key_jwt` (OIDC Core §9, RFC 7523) with `jti` replay refusal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alicem_credential::jose::UnverifiedJws;
use alicem_credential::jose::jwt::{Clock, check_validity};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64ct::{Base64, Encoding};
use serde_json::Value;

use super::client::{Client, ClientRegistry, TokenAuthMethod};
use super::client_secret::SecretCheck;
use super::error::OAuthError;
use super::params::Params;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest lifetime accepted for a client assertion.
const MAX_ASSERTION_LIFETIME: i64 = 600;
/// Bound on remembered `jti`s (expired ones are dropped first).
const MAX_REMEMBERED: usize = 100_000;

/// The `jti`s of client assertions seen and not yet expired.
#[derive(Debug, Default)]
pub struct AssertionReplayCache {
    seen: Mutex<HashMap<(String, String), i64>>,
}

impl AssertionReplayCache {
    /// Records `jti` for `client`; false when it was already seen.
    fn first_use(&self, client: &str, jti: &str, exp: i64, now: i64) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if seen.len() >= MAX_REMEMBERED {
            seen.retain(|_, e| *e > now);
            if seen.len() >= MAX_REMEMBERED {
                return false;
            }
        }
        let key = (client.to_owned(), jti.to_owned());
        match seen.get(&key) {
            Some(e) if *e > now => false,
            _ => {
                seen.insert(key, exp);
                true
            }
        }
    }
}

fn form_decode(component: &str) -> Option<String> {
    let mut input = String::from("x=");
    input.push_str(component);
    url::form_urlencoded::parse(input.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

/// `(client_id, secret)` from an `Authorization: Basic` header, if there is one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || OAuthError::invalid_client("malformed Basic credentials");
    let text = value.to_str().map_err(|_| bad())?;
    let Some((scheme, b64)) = text.split_once(' ') else {
        return Err(bad());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = Base64::decode_vec(b64.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Some((
        form_decode(id).ok_or_else(bad)?,
        form_decode(secret).ok_or_else(bad)?,
    )))
}

/// The client id a back-channel request names (Basic user or `client_id`), so that a
/// client registered since the last reload can be loaded before authentication.
pub fn client_id_hint(headers: &HeaderMap, params: &Params) -> Option<String> {
    match basic_credentials(headers) {
        Ok(Some((id, _))) => Some(id),
        _ => params.get("client_id").map(str::to_owned),
    }
}

/// `client` if it authenticates with secrets and `secret` is its own.
async fn secret_authenticated(
    client: Arc<Client>,
    secret: &str,
) -> Result<Arc<Client>, OAuthError> {
    if !matches!(
        client.auth_method,
        TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost
    ) {
        return Err(OAuthError::invalid_client("client authentication failed"));
    }
    match client.check_secret(secret).await {
        SecretCheck::Matches => Ok(client),
        SecretCheck::Wrong => Err(OAuthError::invalid_client("client authentication failed")),
        SecretCheck::Throttled => Err(OAuthError::invalid_client(
            "too many failed authentications for this client; retry later",
        )),
    }
}

/// Authenticates the client of a back-channel request. `audiences` are the values a
/// client assertion's `aud` may name (the endpoint URL, the issuer).
pub async fn authenticate(
    registry: &ClientRegistry,
    headers: &HeaderMap,
    params: &Params,
    audiences: &[&str],
    replay: &AssertionReplayCache,
    clock: Clock,
) -> Result<Arc<Client>, OAuthError> {
    let unknown = || OAuthError::invalid_client("client authentication failed");
    let basic = basic_credentials(headers)?;
    let assertion = params.get("client_assertion");
    let body_secret = params.get("client_secret");
    let methods = usize::from(basic.is_some())
        + usize::from(assertion.is_some())
        + usize::from(body_secret.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "more than one client authentication method used",
        ));
    }
    if let Some((id, secret)) = basic {
        if params.get("client_id").is_some_and(|c| c != id) {
            return Err(OAuthError::invalid_request(
                "client_id differs from the Basic user",
            ));
        }
        let client = registry.get(&id).ok_or_else(unknown)?;
        return secret_authenticated(client, &secret).await;
    }
    if let Some(secret) = body_secret {
        let id = params.require("client_id")?;
        let client = registry.get(id).ok_or_else(unknown)?;
        return secret_authenticated(client, secret).await;
    }
    if let Some(assertion) = assertion {
        if params.get("client_assertion_type") != Some(JWT_BEARER) {
            return Err(OAuthError::invalid_request(
                "unsupported client_assertion_type",
            ));
        }
        let jws = UnverifiedJws::parse(assertion).map_err(|_| unknown())?;
        let claims: serde_json::Map<String, Value> =
            serde_json::from_slice(jws.unverified_payload()).map_err(|_| unknown())?;
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(unknown)?;
        if params.get("client_id").is_some_and(|c| c != iss) {
            return Err(unknown());
        }
        let client = registry.get(iss).ok_or_else(unknown)?;
        if client.auth_method != TokenAuthMethod::PrivateKeyJwt {
            return Err(unknown());
        }
        let verified = jws
            .verify_with_set(&client.signature_keys)
            .map_err(|_| unknown())?;
        let claims = verified.claims().map_err(|_| unknown())?;
        if claims.get("sub").and_then(Value::as_str) != Some(iss) {
            return Err(unknown());
        }
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => audiences.contains(&a.as_str()),
            Some(Value::Array(list)) => list
                .iter()
                .any(|a| a.as_str().is_some_and(|a| audiences.contains(&a))),
            _ => false,
        };
        if !aud_ok {
            return Err(unknown());
        }
        let validity = check_validity(&claims, clock, true).map_err(|_| unknown())?;
        let exp = validity.exp.unwrap_or_default();
        if exp > clock.now.saturating_add(MAX_ASSERTION_LIFETIME) {
            return Err(OAuthError::invalid_client(
                "client assertion lives too long",
            ));
        }
        let jti = claims
            .get("jti")
            .and_then(Value::as_str)
            .ok_or_else(unknown)?;
        if jti.is_empty() || jti.len() > 256 {
            return Err(unknown());
        }
        if !replay.first_use(iss, jti, exp.saturating_add(clock.leeway), clock.now) {
            return Err(OAuthError::invalid_client("client assertion replayed"));
        }
        return Ok(client);
    }
    Err(unknown())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::oidc::client::ClientSpec;
    use alicem_credential::jose::{JwkSet, JwsSigner, SigningKey, jws};
    use axum::http::HeaderValue;
    use serde_json::json;

    fn registry(key: &SigningKey) -> ClientRegistry {
        let secret = ClientSpec {
            client_id: "rp".into(),
            name: "RP".into(),
            client_secret: Some("x".repeat(32)),
            token_endpoint_auth_method: TokenAuthMethod::ClientSecretBasic,
            jwks: None,
            redirect_uris: vec!["https://rp.example/cb".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec![],
            sector_identifier: None,
            id_token_signed_response_alg: None,
            userinfo_signed_response_alg: None,
            encrypt_responses: false,
            require_pkce: false,
        };
        let jwt = ClientSpec {
            client_id: "jwt-rp".into(),
            client_secret: None,
            token_endpoint_auth_method: TokenAuthMethod::PrivateKeyJwt,
            jwks: Some(JwkSet::new(vec![key.public_jwk()]).to_json().to_string()),
            ..secret.clone()
        };
        ClientRegistry::from_specs(&[secret, jwt]).unwrap()
    }

    fn key() -> SigningKey {
        SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap()).with_kid("c1")
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!(
            "Basic {}",
            Base64::encode_string(format!("{id}:{secret}").as_bytes())
        );
        h.insert(AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        h
    }

    const AUD: &[&str] = &["https://op.example/token"];

    #[tokio::test]
    async fn secret_methods_accept_the_right_secret_only() {
        let k = key();
        let reg = registry(&k);
        let cache = AssertionReplayCache::default();
        let clock = Clock::new(1000, 5);
        let empty = Params::default();
        assert!(
            authenticate(
                &reg,
                &basic("rp", &"x".repeat(32)),
                &empty,
                AUD,
                &cache,
                clock
            )
            .await
            .is_ok()
        );
        let e = authenticate(&reg, &basic("rp", "wrong"), &empty, AUD, &cache, clock)
            .await
            .unwrap_err();
        assert_eq!(e.code, "invalid_client");
        let post =
            Params::parse(format!("client_id=rp&client_secret={}", "x".repeat(32)).as_bytes())
                .unwrap();
        assert!(
            authenticate(&reg, &HeaderMap::new(), &post, AUD, &cache, clock)
                .await
                .is_ok()
        );
        let post = Params::parse(b"client_id=rp&client_secret=nope").unwrap();
        assert!(
            authenticate(&reg, &HeaderMap::new(), &post, AUD, &cache, clock)
                .await
                .is_err()
        );
        let nobody = Params::parse(b"client_id=rp").unwrap();
        assert!(
            authenticate(&reg, &HeaderMap::new(), &nobody, AUD, &cache, clock)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn private_key_jwt_refuses_replayed_jti_wrong_audience_and_expired() {
        let k = key();
        let reg = registry(&k);
        let cache = AssertionReplayCache::default();
        let clock = Clock::new(1000, 5);
        let assertion = |aud: &str, jti: &str, exp: i64| {
            let t = jws::sign_json(
                None,
                &json!({"iss":"jwt-rp","sub":"jwt-rp","aud":aud,"jti":jti,"exp":exp,"iat":990}),
                &k,
            )
            .unwrap();
            Params::parse(
                format!("client_assertion_type={JWT_BEARER}&client_assertion={t}").as_bytes(),
            )
            .unwrap()
        };
        let h = HeaderMap::new();
        let ok = assertion(AUD[0], "j1", 1060);
        assert_eq!(
            authenticate(&reg, &h, &ok, AUD, &cache, clock)
                .await
                .unwrap()
                .client_id,
            "jwt-rp"
        );
        assert!(
            authenticate(&reg, &h, &ok, AUD, &cache, clock)
                .await
                .is_err(),
            "replay"
        );
        assert!(
            authenticate(
                &reg,
                &h,
                &assertion("https://other/token", "j2", 1060),
                AUD,
                &cache,
                clock
            )
            .await
            .is_err()
        );
        assert!(
            authenticate(&reg, &h, &assertion(AUD[0], "j3", 900), AUD, &cache, clock)
                .await
                .is_err()
        );
        let other = SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[6; 32]).unwrap())
            .with_kid("c1");
        let t = jws::sign_json(
            None,
            &json!({"iss":"jwt-rp","sub":"jwt-rp","aud":AUD[0],"jti":"j4","exp":1060}),
            &other,
        )
        .unwrap();
        let forged = Params::parse(
            format!("client_assertion_type={JWT_BEARER}&client_assertion={t}").as_bytes(),
        )
        .unwrap();
        assert!(
            authenticate(&reg, &h, &forged, AUD, &cache, clock)
                .await
                .is_err()
        );
    }
}
