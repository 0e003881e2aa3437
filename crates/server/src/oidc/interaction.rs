//! The browser's side of a login, between `/authorize` and the redirect back:
//! identifier page → waiting page with a short code (the phone approves) →
//! consent page the first time this citizen meets this provider → redirect with a
//! code. Every step checks the cookie set by `/authorize`, so a transaction id seen
//! in a URL is useless in another browser.

use std::sync::Arc;

use alicem_credential::attributes::claim;
use alicem_credential::pin::PinChallenge;
use alicem_credential::rng::os_rng;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::app::Op;
use super::authorize::{ErrorRedirect, cookie_name, redirect_with, see_other};
use super::flows::{CodeEntry, PendingPhone, Stage, Transaction, digest};
use super::long_poll::{self, WaitQuery};
use super::pages::{self, Lang};
use super::params::Params;
use super::{Provider, now, random_id};
use crate::state::AppState;

/// The transaction `tx` if this browser holds its cookie.
#[allow(
    clippy::result_large_err,
    reason = "the error is the page answered as is, like an axum handler's response"
)]
fn owned(p: &Provider, tx: &str, headers: &HeaderMap) -> Result<Transaction, Response> {
    let lang = Lang::from_headers(headers);
    let expired = || {
        pages::error(
            lang,
            StatusCode::NOT_FOUND,
            match lang {
                Lang::Fr => "Cette demande de connexion a expiré ou n'existe pas.",
                Lang::En => "This login request expired or does not exist.",
            },
        )
    };
    let name = cookie_name(tx);
    let secret = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned());
    let mut flows = p.flows.lock();
    let Some(t) = flows.transaction(tx, now()) else {
        return Err(expired());
    };
    match secret {
        Some(s) if bool::from(digest(&s).ct_eq(&t.browser_digest)) => Ok(t.clone()),
        _ => Err(expired()),
    }
}

fn set_stage(p: &Provider, tx: &str, stage: Stage) {
    if let Some(t) = p.flows.lock().transaction(tx, now()) {
        t.advance(stage);
    }
}

/// The civil-status claims the credential presentation must disclose.
fn credential_claims(t: &Transaction) -> Vec<String> {
    t.request
        .scopes
        .claims
        .iter()
        .filter(|c| claim::ALL.contains(c))
        .map(|c| (*c).to_owned())
        .collect()
}

fn short_code() -> String {
    let mut b = [0u8; 4];
    rand_core::Rng::fill_bytes(&mut os_rng(), &mut b);
    format!("{:04}", u32::from_be_bytes(b) % 10_000)
}

pub async fn identify_page(Op(p): Op, Path(tx): Path<String>, headers: HeaderMap) -> Response {
    let t = match owned(&p, &tx, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match t.stage {
        Stage::Identify => pages::identify(
            t.request.lang,
            &t.request.client.name,
            &tx,
            None,
            &t.request.redirect_uri,
        ),
        _ => see_other(&format!("/login/{tx}/wait")),
    }
}

pub async fn identify(
    Op(p): Op,
    Path(tx): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let t = match owned(&p, &tx, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if !matches!(t.stage, Stage::Identify) {
        return see_other(&format!("/login/{tx}/wait"));
    }
    let lang = t.request.lang;
    let identifier = Params::parse(&body)
        .ok()
        .and_then(|f| f.get("identifier").map(|s| s.trim().to_owned()));
    let Some(identifier) = identifier.filter(|i| i.contains('@') && i.len() <= 254) else {
        let msg = match lang {
            Lang::Fr => "Saisissez l'adresse e-mail de votre identité.",
            Lang::En => "Enter the e-mail address of your identity.",
        };
        return pages::identify(
            lang,
            &t.request.client.name,
            &tx,
            Some(msg),
            &t.request.redirect_uri,
        );
    };
    let login = match find_phone(&p, &identifier, &t).await {
        Ok(l) => l,
        Err(()) => {
            return pages::error(lang, StatusCode::SERVICE_UNAVAILABLE, "storage unavailable");
        }
    };
    let mut flows = p.flows.lock();
    let phone = login.as_ref().map(|l| l.identity_id.clone());
    if let Some(l) = &login {
        flows.link_login(&l.login_id, &tx);
    }
    if let Some(entry) = flows.transaction(&tx, now()) {
        entry.advance(Stage::Waiting {
            login,
            short_code: short_code(),
        });
        if let Some(identity) = phone {
            flows.phone_news(&identity);
        }
    }
    drop(flows);
    see_other(&format!("/login/{tx}/wait"))
}

/// The pending phone approval for `identifier`, if it names an identity that can
/// approve at all (one with a registered PIN). Unknown identifiers wait like the
/// others: the page does not tell who is enrolled.
async fn find_phone(
    p: &Provider,
    identifier: &str,
    t: &Transaction,
) -> Result<Option<PendingPhone>, ()> {
    let Some(id) = p.store.identity_by_email(identifier).await.map_err(|e| {
        tracing::error!(error = %e, "identity lookup failed");
    })?
    else {
        return Ok(None);
    };
    let Some(record) = p.store.identity(&id).await.map_err(|e| {
        tracing::error!(error = %e, "identity lookup failed");
    })?
    else {
        return Ok(None);
    };
    let Some(verifier) = &record.pin_verifier else {
        return Ok(None);
    };
    Ok(Some(PendingPhone {
        login_id: random_id(16),
        identity_id: record.id,
        pin_challenge: PinChallenge::generate(verifier, &mut os_rng()),
        presentation_nonce: random_id(24),
        credential_claims: credential_claims(t),
        email: identifier.to_owned(),
    }))
}

/// Redirects back to the relying party with a fresh code.
fn finish_with_code(p: &Provider, t: &Transaction) -> Response {
    let Stage::Approved(grant) = &t.stage else {
        return see_other(&format!("/login/{}/wait", t.id));
    };
    let code = random_id(32);
    let n = now();
    let mut flows = p.flows.lock();
    flows.remove_transaction(&t.id);
    flows.insert_code(
        &code,
        CodeEntry {
            grant: Arc::clone(grant),
            redirect_uri: t.request.redirect_uri.clone(),
            code_challenge: t.request.code_challenge.clone(),
            expires_at: n.saturating_add(i64::try_from(p.config.code_ttl_seconds).unwrap_or(30)),
            used: false,
            replayed: false,
            access_tokens: Vec::new(),
        },
    );
    drop(flows);
    redirect_with(
        &t.request.redirect_uri,
        &[
            ("code", &code),
            ("state", &t.request.state),
            ("iss", &p.issuer),
        ],
    )
}

fn finish_with_error(
    p: &Provider,
    t: &Transaction,
    error: &'static str,
    description: &str,
) -> Response {
    p.flows.lock().remove_transaction(&t.id);
    ErrorRedirect {
        redirect_uri: t.request.redirect_uri.clone(),
        state: Some(t.request.state.clone()),
        error,
        description: description.to_owned(),
    }
    .respond(&p.issuer)
}

/// The transaction once the phone has answered, or as it is after holding the
/// request up to the `?wait=S` asked while it has not.
async fn after_hold(
    p: &Provider,
    state: &AppState,
    tx: &str,
    poll: &WaitQuery,
    headers: &HeaderMap,
) -> Result<Transaction, Response> {
    let t = owned(p, tx, headers)?;
    if !matches!(t.stage, Stage::Waiting { .. }) {
        return Ok(t);
    }
    let still_waiting =
        || owned(p, tx, headers).is_ok_and(|t| matches!(t.stage, Stage::Waiting { .. }));
    long_poll::hold(&t.changed, still_waiting, poll.duration(), &state.stopping).await;
    owned(p, tx, headers)
}

/// The waiting page. With `?wait=S` (a load generator, or a browser navigating) the
/// answer is held while the phone has not answered, at most S seconds.
pub async fn wait(
    Op(p): Op,
    State(state): State<AppState>,
    Path(tx): Path<String>,
    Query(poll): Query<WaitQuery>,
    headers: HeaderMap,
) -> Response {
    let t = match after_hold(&p, &state, &tx, &poll, &headers).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    match &t.stage {
        Stage::Identify => see_other(&format!("/login/{tx}")),
        Stage::Waiting { short_code, .. } => pages::waiting(
            t.request.lang,
            &t.request.client.name,
            &tx,
            short_code,
            &t.request.redirect_uri,
        ),
        Stage::Consent(_) => see_other(&format!("/login/{tx}/consent")),
        Stage::Approved(_) => finish_with_code(&p, &t),
        Stage::Failed { error, description } => finish_with_error(&p, &t, error, description),
    }
}

/// For the waiting page's script: `204` while the phone has not answered (after
/// holding up to `?wait=S`), `200` once the waiting page has somewhere to go. Never
/// finishes the login itself (that would hand the code to the script, not the
/// browser): the script then reloads the waiting page, which does.
pub async fn status(
    Op(p): Op,
    State(state): State<AppState>,
    Path(tx): Path<String>,
    Query(poll): Query<WaitQuery>,
    headers: HeaderMap,
) -> Response {
    let mut r = match after_hold(&p, &state, &tx, &poll, &headers).await {
        Ok(t) if matches!(t.stage, Stage::Waiting { .. }) => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(r) => r,
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub async fn consent_page(Op(p): Op, Path(tx): Path<String>, headers: HeaderMap) -> Response {
    let t = match owned(&p, &tx, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match &t.stage {
        Stage::Consent(grant) => {
            let names: Vec<String> = grant.claims.keys().cloned().collect();
            pages::consent(
                t.request.lang,
                &t.request.client.name,
                &tx,
                &names,
                &t.request.redirect_uri,
            )
        }
        _ => see_other(&format!("/login/{tx}/wait")),
    }
}

pub async fn consent(
    Op(p): Op,
    Path(tx): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut t = match owned(&p, &tx, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Stage::Consent(grant) = t.stage.clone() else {
        return see_other(&format!("/login/{tx}/wait"));
    };
    let allow = Params::parse(&body)
        .ok()
        .is_some_and(|f| f.get("decision") == Some("allow"));
    if !allow {
        crate::login::history::record(
            &p,
            &grant.identity_id,
            &t.request,
            grant.claims.keys().cloned().collect(),
            grant.acr.name(),
            "consent_refused",
        )
        .await;
        return finish_with_error(&p, &t, "access_denied", "the citizen refused to share");
    }
    if let Err(e) = p
        .store
        .record_consent(&grant.identity_id, &grant.client.client_id, now())
        .await
    {
        tracing::error!(error = %e, "storing consent failed");
        return pages::error(
            t.request.lang,
            StatusCode::SERVICE_UNAVAILABLE,
            "storage unavailable",
        );
    }
    t.stage = Stage::Approved(grant);
    set_stage(&p, &tx, t.stage.clone());
    finish_with_code(&p, &t)
}

pub async fn cancel(Op(p): Op, Path(tx): Path<String>, headers: HeaderMap) -> Response {
    match owned(&p, &tx, &headers) {
        Ok(t) => finish_with_error(&p, &t, "access_denied", "the citizen cancelled the login"),
        Err(r) => r,
    }
}
