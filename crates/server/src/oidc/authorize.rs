//! `/authorize` (OIDC Core §3.1.2): validates the request, then hands the browser
//! to the login pages. Until the client and its redirect URI are known to be
//! genuine, errors are shown on our own page; after that they go back to the
//! relying party with `state` and `iss` (RFC 6749 §4.1.2.1, RFC 9207).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::acr::Acr;
use super::app::Op;
use super::client::Client;
use super::flows::{Stage, Transaction, digest};
use super::pages::{self, Lang};
use super::params::Params;
use super::scope::{self, GrantedScopes, ScopeError};
use super::{Provider, now, random_id};

pub const PATH: &str = "/authorize";
/// Shortest nonce accepted (FranceConnect profile).
pub const MIN_NONCE_LEN: usize = 22;
/// Longest `state` / `nonce` accepted.
const MAX_VALUE_LEN: usize = 512;

/// A validated authorization request.
#[derive(Debug)]
pub struct AuthRequest {
    pub client: Arc<Client>,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub code_challenge: Option<String>,
    pub scopes: GrantedScopes,
    pub scope: String,
    pub acr_required: Acr,
    pub amr_requested: bool,
    pub max_age: Option<u64>,
    pub lang: Lang,
}

/// Why a request was refused, and where the citizen learns of it.
#[derive(Debug)]
pub enum Rejection {
    /// The redirect URI cannot be trusted: our own error page.
    Page { status: StatusCode, message: String },
    /// Back to the relying party.
    Redirect(ErrorRedirect),
}

/// An error answer to the relying party's redirect URI.
#[derive(Debug)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub error: &'static str,
    pub description: String,
}

/// `redirect_uri` with `pairs` added to its query.
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "invalid redirect URI").into_response();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    see_other(url.as_str())
}

/// A 303 to `location`, never cached.
pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

impl ErrorRedirect {
    pub fn respond(&self, issuer: &str) -> Response {
        let mut pairs = vec![
            ("error", self.error),
            ("error_description", self.description.as_str()),
        ];
        if let Some(s) = &self.state {
            pairs.push(("state", s.as_str()));
        }
        pairs.push(("iss", issuer));
        redirect_with(&self.redirect_uri, &pairs)
    }
}

fn page(message: impl Into<String>) -> Rejection {
    Rejection::Page {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

fn is_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// What the `claims` parameter (OIDC Core §5.5) asks that we act on: `acr` values
/// (essential or not) and whether `amr` is wanted.
pub fn read_claims_parameter(text: &str) -> Result<(Vec<String>, bool), &'static str> {
    let v: Value = serde_json::from_str(text).map_err(|_| "claims is not JSON")?;
    let obj = v.as_object().ok_or("claims is not a JSON object")?;
    let mut acr = Vec::new();
    let mut amr = false;
    for target in ["id_token", "userinfo"] {
        let Some(section) = obj.get(target) else {
            continue;
        };
        let section = section
            .as_object()
            .ok_or("claims member is not an object")?;
        if section.contains_key("amr") {
            amr = true;
        }
        if let Some(req) = section.get("acr").and_then(Value::as_object) {
            if let Some(v) = req.get("value").and_then(Value::as_str) {
                acr.push(v.to_owned());
            }
            if let Some(list) = req.get("values").and_then(Value::as_array) {
                acr.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
    }
    Ok((acr, amr))
}

/// Validates an authorization request's parameters.
pub fn validate(p: &Provider, params: &Params, lang: Lang) -> Result<AuthRequest, Rejection> {
    let client_id = params
        .get("client_id")
        .ok_or_else(|| page("client_id is missing"))?;
    let client = p
        .clients
        .get(client_id)
        .ok_or_else(|| page("unknown client_id"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| page("redirect_uri is missing"))?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page("redirect_uri is not registered for this client"));
    }
    let state = params.get("state").map(str::to_owned);
    let to_rp = |error: &'static str, description: &str| {
        Rejection::Redirect(ErrorRedirect {
            redirect_uri: redirect_uri.to_owned(),
            state: state.clone(),
            error,
            description: description.to_owned(),
        })
    };
    if params.get("request").is_some() {
        return Err(to_rp(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(to_rp(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(to_rp("invalid_request", "response_type is required")),
        Some(_) => {
            return Err(to_rp(
                "unsupported_response_type",
                "only the authorization code flow (response_type=code) is supported",
            ));
        }
    }
    if let Some(mode) = params.get("response_mode")
        && mode != "query"
    {
        return Err(to_rp(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let Some(state_value) = state.clone() else {
        return Err(to_rp("invalid_request", "state is required"));
    };
    if state_value.len() > MAX_VALUE_LEN {
        return Err(to_rp("invalid_request", "state is too long"));
    }
    let scope_text = params
        .get("scope")
        .ok_or_else(|| to_rp("invalid_scope", "scope is required"))?;
    let scopes = scope::grant(scope_text, &client.scopes).map_err(|e| match e {
        ScopeError::NoOpenid => to_rp("invalid_scope", "the openid scope is required"),
        other => to_rp("invalid_scope", &other.to_string()),
    })?;
    let nonce = match params.get("nonce") {
        None => return Err(to_rp("invalid_request", "nonce is required")),
        Some(n) if n.chars().count() < MIN_NONCE_LEN => {
            return Err(to_rp(
                "invalid_request",
                "nonce must be at least 22 characters",
            ));
        }
        Some(n) if n.len() > MAX_VALUE_LEN => {
            return Err(to_rp("invalid_request", "nonce is too long"));
        }
        Some(n) => n.to_owned(),
    };
    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) if client.require_pkce => {
            return Err(to_rp(
                "invalid_request",
                "PKCE (code_challenge, S256) is required",
            ));
        }
        (None, None) => None,
        (Some(c), Some("S256")) if is_pkce_value(c) => Some(c.to_owned()),
        (Some(_), Some("S256")) => {
            return Err(to_rp("invalid_request", "malformed code_challenge"));
        }
        (Some(_), _) => {
            return Err(to_rp(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        (None, Some(_)) => return Err(to_rp("invalid_request", "code_challenge is missing")),
    };
    if let Some(prompt) = params.get("prompt") {
        let values: Vec<&str> = prompt.split(' ').filter(|s| !s.is_empty()).collect();
        if values.contains(&"none") {
            if values.len() > 1 {
                return Err(to_rp("invalid_request", "prompt=none cannot be combined"));
            }
            // Every login is approved on the phone: there is never a session to reuse.
            return Err(to_rp(
                "login_required",
                "the citizen must approve on the phone",
            ));
        }
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| to_rp("invalid_request", "max_age must be a number of seconds"))?,
        ),
    };
    let (mut acr_values, amr_requested) = match params.get("claims") {
        None => (Vec::new(), false),
        Some(text) => read_claims_parameter(text).map_err(|e| to_rp("invalid_request", e))?,
    };
    if let Some(values) = params.get("acr_values") {
        acr_values.extend(
            values
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
    }
    let acr_required = Acr::required_by(acr_values.iter().map(String::as_str));
    let lang = params
        .get("ui_locales")
        .and_then(Lang::from_locales)
        .unwrap_or(lang);
    Ok(AuthRequest {
        client,
        redirect_uri: redirect_uri.to_owned(),
        state: state_value,
        nonce,
        code_challenge,
        scope: scopes.scopes.join(" "),
        scopes,
        acr_required,
        amr_requested,
        max_age,
        lang,
    })
}

/// Name of the cookie binding a transaction to the browser that started it.
pub fn cookie_name(tx: &str) -> String {
    format!("alicem_tx_{}", tx.get(..8).unwrap_or(tx))
}

fn start(p: &Provider, params: Params, headers: &HeaderMap) -> Response {
    let lang = Lang::from_headers(headers);
    let request = match validate(p, &params, lang) {
        Ok(r) => r,
        Err(Rejection::Page { status, message }) => {
            return pages::error(lang, status, &message);
        }
        Err(Rejection::Redirect(r)) => return r.respond(&p.issuer),
    };
    let tx_id = random_id(16);
    let browser_secret = random_id(32);
    let n = now();
    let mut flows = p.flows.lock();
    flows.sweep(n);
    flows.insert_transaction(Transaction {
        id: tx_id.clone(),
        browser_digest: digest(&browser_secret),
        request: Arc::new(request),
        stage: Stage::Identify,
        expires_at: n.saturating_add(i64::try_from(p.config.login_ttl_seconds).unwrap_or(300)),
        changed: Arc::default(),
    });
    drop(flows);
    let mut r = see_other(&format!("/login/{tx_id}"));
    let secure = if p.issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={browser_secret}; Path=/login/{tx_id}; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(&tx_id),
        p.config.login_ttl_seconds
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[allow(
    clippy::result_large_err,
    reason = "the error is the page answered as is, like an axum handler's response"
)]
fn params_or_page(encoded: &[u8], headers: &HeaderMap) -> Result<Params, Response> {
    Params::parse(encoded).map_err(|e| {
        pages::error(
            Lang::from_headers(headers),
            StatusCode::BAD_REQUEST,
            &e.description,
        )
    })
}

pub async fn get(Op(p): Op, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    match params_or_page(query.unwrap_or_default().as_bytes(), &headers) {
        Ok(params) => {
            if let Some(id) = params.get("client_id") {
                p.clients.ensure(id, p.store.as_ref()).await;
            }
            start(&p, params, &headers)
        }
        Err(r) => r,
    }
}

pub async fn post(Op(p): Op, headers: HeaderMap, body: Bytes) -> Response {
    match params_or_page(&body, &headers) {
        Ok(params) => {
            if let Some(id) = params.get("client_id") {
                p.clients.ensure(id, p.store.as_ref()).await;
            }
            start(&p, params, &headers)
        }
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_values_follow_rfc7636() {
        assert!(is_pkce_value(&"a".repeat(43)));
        assert!(!is_pkce_value(&"a".repeat(42)));
        assert!(!is_pkce_value(&"a".repeat(129)));
        assert!(!is_pkce_value(&format!("{}=", "a".repeat(43))));
    }

    #[test]
    fn claims_parameter_gives_acr_values_and_amr() {
        let (acr, amr) = read_claims_parameter(
            r#"{"id_token":{"acr":{"essential":true,"values":["eidas2","eidas3"]},"amr":null}}"#,
        )
        .unwrap_or_default();
        assert_eq!(acr, ["eidas2", "eidas3"]);
        assert!(amr);
        assert!(read_claims_parameter("[]").is_err());
        assert!(read_claims_parameter("{").is_err());
    }
}
