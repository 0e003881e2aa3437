//! The agent console: server-rendered HTML under `/agent/`.
//!
//! - login with an agent account (`alicem admin agent add`); the session cookie is
//!   `HttpOnly; SameSite=Strict` (and `Secure` behind HTTPS), its id stored hashed;
//! - every form carries the session's CSRF token, compared in constant time;
//! - the queue of agent-path and review sessions; a session page with the chip photo
//!   and the submitted frames (never cached: `Cache-Control: no-store`) and the
//!   approve/refuse form, which for approval requires the agent to confirm they saw
//!   the citizen and the physical document (or the live video);
//! - identity lifecycle (suspend, resume, revoke) by identity id;
//! - every decision audited with the agent's login.

use alicem_api::account::IdentityStatus;
use alicem_api::enrollment::EnrollmentStatus;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64ct::{Base64, Encoding};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::enrollment::agent::{AgentDecision, decide};
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::agents::AgentSession;
use crate::store::audit::Actor;
use crate::store::identities::StatusReason;

const COOKIE: &str = "alicem_agent";
/// An agent session lasts a working day.
const SESSION_SECONDS: i64 = 8 * 3600;

/// `/agent/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/login", get(login_page).post(login))
        .route("/agent/logout", post(logout))
        .route("/agent", get(queue))
        .route("/agent/find", post(find))
        .route("/agent/sessions/{id}", get(session_page))
        .route("/agent/sessions/{id}/decision", post(decision))
        .route("/agent/identities", post(identity_action))
}

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{} · alicem agents</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}img{{max-height:20em;margin:.3em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em}}</style></head>\
         <body><h1>{}</h1>{}</body></html>",
        esc(title),
        esc(title),
        body
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn hash_id(id: &str) -> String {
    alicem_credential::jose::b64::encode(&Sha256::digest(id.as_bytes()))
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The logged-in agent, or a redirect to the login page.
async fn agent(state: &AppState, headers: &HeaderMap) -> Result<AgentSession, Response> {
    let to_login = || Redirect::to("/agent/login").into_response();
    let Some(id) = cookie_value(headers) else {
        return Err(to_login());
    };
    match state.store.agent_session(&hash_id(&id)).await {
        Ok(Some(session)) if session.expires_at > state.now() => Ok(session),
        Ok(_) => Err(to_login()),
        Err(e) => Err(Problem::from(e).into_response()),
    }
}

fn csrf_ok(session: &AgentSession, token: &str) -> bool {
    bool::from(session.csrf_token.as_bytes().ct_eq(token.as_bytes()))
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "invalid CSRF token").into_response()
}

async fn login_page() -> Response {
    page(
        "Connexion agent",
        "<form method=\"post\" action=\"/agent/login\">\
         <p><label>Identifiant <input name=\"login\" autocomplete=\"username\" required></label></p>\
         <p><label>Mot de passe <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label></p>\
         <p><button>Se connecter</button></p></form>",
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let agent = match state.store.agent(&form.login).await {
        Ok(a) => a,
        Err(e) => return Problem::from(e).into_response(),
    };
    // Verify against a fixed hash when the login is unknown, so timing does not
    // tell which logins exist.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8Jm0nKQ2y0fXxTz0Yp5kHrF6B1rQ7k4kLhJmJ0YV8nE";
    let hash = agent.as_ref().map_or(DUMMY, |a| a.password_hash.as_str());
    let password_ok = crate::admin::verify_secret(&form.password, hash);
    let Some(agent) = agent.filter(|a| password_ok && !a.disabled) else {
        let now = state.now();
        let _ = state
            .store
            .audit(now, &Actor::System, "agent.login_failed", &form.login, "")
            .await;
        return (
            StatusCode::UNAUTHORIZED,
            page(
                "Connexion refusée",
                "<p><a href=\"/agent/login\">Réessayer</a></p>",
            ),
        )
            .into_response();
    };
    let id = crate::admin::random_secret();
    let now = state.now();
    let session = AgentSession {
        login: agent.login.clone(),
        csrf_token: crate::admin::random_secret(),
        expires_at: now + SESSION_SECONDS,
    };
    if let Err(e) = state
        .store
        .insert_agent_session(&hash_id(&id), &session)
        .await
    {
        return Problem::from(e).into_response();
    }
    let _ = state
        .store
        .audit(
            now,
            &Actor::Agent(agent.login.clone()),
            "agent.login",
            &agent.login,
            "",
        )
        .await;
    let secure = if state.config.issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{COOKIE}={id}; Path=/agent; HttpOnly; SameSite=Strict{secure}");
    let mut response = Redirect::to("/agent").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !csrf_ok(&session, &form.csrf) {
        return forbidden();
    }
    if let Some(id) = cookie_value(&headers) {
        let _ = state.store.delete_agent_session(&hash_id(&id)).await;
    }
    Redirect::to("/agent/login").into_response()
}

fn csrf_field(session: &AgentSession) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&session.csrf_token)
    )
}

async fn queue(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut rows = String::new();
    for status in [
        EnrollmentStatus::AwaitingAgent,
        EnrollmentStatus::NeedsReview,
    ] {
        let list = match state.store.enrollments_with_status(status, 200).await {
            Ok(l) => l,
            Err(e) => return Problem::from(e).into_response(),
        };
        for e in list {
            rows.push_str(&format!(
                "<tr><td><a href=\"/agent/sessions/{}\">{}</a></td><td>{:?}</td><td>{:?}</td><td>{:?}</td></tr>",
                esc(&e.id),
                esc(&e.session_code),
                e.path,
                e.status,
                e.reasons
            ));
        }
    }
    let csrf = csrf_field(&session);
    page(
        "File d'attente",
        &format!(
            "<p>Agent : {login} <form method=\"post\" action=\"/agent/logout\">{csrf}<button>Déconnexion</button></form></p>\
             <h2>Vérification en personne</h2>\
             <form method=\"post\" action=\"/agent/find\">{csrf}<label>Code de session <input name=\"code\" required></label> <button>Ouvrir</button></form>\
             <h2>Sessions en attente</h2><table><tr><th>Code</th><th>Parcours</th><th>État</th><th>Motifs</th></tr>{rows}</table>\
             <h2>Identités</h2><form method=\"post\" action=\"/agent/identities\">{csrf}\
             <label>Identifiant <input name=\"identity_id\" required></label> \
             <label>Action <select name=\"action\"><option value=\"suspend\">Suspendre</option><option value=\"resume\">Rétablir</option><option value=\"revoke\">Révoquer</option><option value=\"unlock\">Débloquer le code (5 erreurs)</option></select></label> \
             <label><input type=\"checkbox\" name=\"confirm\" value=\"yes\"> Pour un déblocage : j'ai vu le citoyen, son document et son téléphone</label> \
             <button>Appliquer</button></form>",
            login = esc(&session.login),
        ),
    )
}

#[derive(Deserialize)]
pub struct FindForm {
    csrf: String,
    code: String,
}

async fn find(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FindForm>,
) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !csrf_ok(&session, &form.csrf) {
        return forbidden();
    }
    let code = form.code.trim().to_ascii_uppercase();
    match state.store.enrollment_by_code(&code).await {
        Ok(Some(e)) => Redirect::to(&format!("/agent/sessions/{}", e.id)).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            page("Code inconnu", "<p><a href=\"/agent\">Retour</a></p>"),
        )
            .into_response(),
        Err(e) => Problem::from(e).into_response(),
    }
}

fn data_uri(bytes: &[u8]) -> String {
    let mime = if bytes.starts_with(&[0xFF, 0xD8]) {
        "image/jpeg"
    } else {
        "image/jp2"
    };
    format!("data:{mime};base64,{}", Base64::encode_string(bytes))
}

async fn session_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let record = match state.store.enrollment(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => return Problem::not_found("enrollment session").into_response(),
        Err(e) => return Problem::from(e).into_response(),
    };
    let _ = state
        .store
        .audit(
            state.now(),
            &Actor::Agent(session.login.clone()),
            "enrollment.viewed",
            &id,
            "",
        )
        .await;
    // The chip photo and frames, shown from memory only (the page is not cached).
    let images = state
        .scratch
        .with_held(&id, |held| {
            let mut html = String::new();
            if let Some(face) = held
                .file("dg2")
                .and_then(|dg2| alicem_emrtd::lds::Dg2::parse(dg2).ok())
                .and_then(|dg2| dg2.faces.first().map(|f| f.data.clone()))
            {
                html.push_str(&format!(
                    "<h2>Photo de la puce</h2><img alt=\"photo de la puce\" src=\"{}\">",
                    data_uri(&face)
                ));
            }
            if !held.frames.is_empty() {
                html.push_str("<h2>Images envoyées</h2>");
                for (jpeg, _) in &held.frames {
                    html.push_str(&format!("<img alt=\"image\" src=\"{}\">", data_uri(jpeg)));
                }
            }
            html
        })
        .unwrap_or_else(|| {
            "<p>Aucune donnée biométrique n'est détenue pour cette session.</p>".into()
        });
    let form = if record.is_waiting() {
        format!(
            "<form method=\"post\" action=\"/agent/sessions/{id}/decision\">{csrf}\
             <p><label><input type=\"checkbox\" name=\"confirm\" value=\"yes\"> J'ai vu la personne et le document physique \
             (ou la vidéo en direct) et ils correspondent à la photo de la puce.</label></p>\
             <p><button name=\"decision\" value=\"approve\">Approuver</button> \
             <button name=\"decision\" value=\"refuse\">Refuser</button></p></form>",
            id = esc(&id),
            csrf = csrf_field(&session)
        )
    } else {
        String::new()
    };
    page(
        &format!("Session {}", record.session_code),
        &format!(
            "<p>Parcours : {:?} · État : {:?} · Motifs : {:?}</p>{images}{form}<p><a href=\"/agent\">Retour</a></p>",
            record.path, record.status, record.reasons
        ),
    )
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !csrf_ok(&session, &form.csrf) {
        return forbidden();
    }
    let choice = match form.decision.as_str() {
        "approve" if form.confirm.as_deref() == Some("yes") => AgentDecision::Approve,
        "approve" => {
            return (
                StatusCode::BAD_REQUEST,
                page(
                    "Confirmation manquante",
                    "<p>Cochez la confirmation avant d'approuver.</p><p><a href=\"/agent\">Retour</a></p>",
                ),
            )
                .into_response();
        }
        "refuse" => AgentDecision::Refuse,
        _ => return (StatusCode::BAD_REQUEST, "unknown decision").into_response(),
    };
    match decide(&state, &id, &session.login, choice).await {
        Ok(status) => page(
            "Décision enregistrée",
            &format!("<p>{status:?}</p><p><a href=\"/agent\">Retour</a></p>"),
        ),
        Err(problem) => problem.into_response(),
    }
}

#[derive(Deserialize)]
pub struct IdentityForm {
    csrf: String,
    identity_id: String,
    action: String,
    /// Required to unlock a PIN: the agent has seen the citizen, document and phone.
    confirm: Option<String>,
}

async fn identity_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<IdentityForm>,
) -> Response {
    let session = match agent(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !csrf_ok(&session, &form.csrf) {
        return forbidden();
    }
    let actor = Actor::Agent(session.login.clone());
    if form.action == "unlock" {
        if form.confirm.as_deref() != Some("yes") {
            return (
                StatusCode::BAD_REQUEST,
                "unlocking a PIN needs the confirmation that the citizen, their document and their phone were seen",
            )
                .into_response();
        }
        return match crate::account::unlock_pin(&state, form.identity_id.trim(), &actor).await {
            Ok(status) => page(
                "Code débloqué",
                &format!(
                    "<p>{:?} : {} essais</p><p><a href=\"/agent\">Retour</a></p>",
                    status.status, status.pin_attempts_left
                ),
            ),
            Err(problem) => problem.into_response(),
        };
    }
    let to = match form.action.as_str() {
        "suspend" => IdentityStatus::Suspended,
        "resume" => IdentityStatus::Active,
        "revoke" => IdentityStatus::Revoked,
        _ => return (StatusCode::BAD_REQUEST, "unknown action").into_response(),
    };
    match crate::account::set_identity_status(
        &state,
        form.identity_id.trim(),
        to,
        StatusReason::ByAgent,
        &actor,
    )
    .await
    {
        Ok(status) => page(
            "Identité mise à jour",
            &format!(
                "<p>{:?}</p><p><a href=\"/agent\">Retour</a></p>",
                status.status
            ),
        ),
        Err(problem) => problem.into_response(),
    }
}
