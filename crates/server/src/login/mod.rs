//! The wallet's side of an OpenID Connect login: the pending requests it sees, its
//! approval (PIN proof + selective presentation of the credential) or denial, and
//! the citizen's connection history. Paths and bodies are those of `alicem_api`.

pub mod approve;
pub mod error;
pub mod history;
pub mod pending;

pub use error::LoginError;

use alicem_api::login::LoginApproval;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::device_proof::DeviceRequest;
use crate::oidc::app::Op;
use crate::oidc::long_poll::WaitQuery;
use crate::state::AppState;

/// `/v1/account/logins…` (device proof by the identity). The history is served by
/// `crate::account` from the same table; [`history::list`] is this module's reading.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(alicem_api::paths::ACCOUNT_LOGINS, get(list))
        .route("/v1/account/logins/{id}/approve", post(approve_handler))
        .route("/v1/account/logins/{id}/deny", post(deny_handler))
}

async fn list(
    Op(p): Op,
    State(state): State<AppState>,
    Query(poll): Query<WaitQuery>,
    req: DeviceRequest,
) -> Response {
    match req.require_identity() {
        Ok(id) => {
            Json(pending::list_when_news(&p, id, poll, &state.stopping).await).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn approve_handler(Op(p): Op, Path(login): Path<String>, req: DeviceRequest) -> Response {
    let id = match req.require_identity() {
        Ok(id) => id.to_owned(),
        Err(e) => return e.into_response(),
    };
    let approval: LoginApproval = match req.json() {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    match approve::approve(&p, &id, &login, &approval).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn deny_handler(Op(p): Op, Path(login): Path<String>, req: DeviceRequest) -> Response {
    let id = match req.require_identity() {
        Ok(id) => id.to_owned(),
        Err(e) => return e.into_response(),
    };
    match approve::deny(&p, &id, &login).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
