//! Why a login approval was refused, as an API [`Problem`](alicem_api::Problem).

use alicem_api::Problem;
use alicem_api::account::IdentityStatus;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("no such pending login")]
    NotFound,
    #[error("wrong PIN: {remaining} attempts left")]
    WrongPin { remaining: u32 },
    #[error(
        "the PIN is locked after too many wrong attempts; an agent can unlock it, or enroll again"
    )]
    Locked,
    #[error("the identity is {0:?} and cannot log in")]
    NotActive(IdentityStatus),
    #[error("the identity's level is below what the service asks")]
    LevelTooLow,
    #[error("the credential presentation was refused: {0}")]
    Presentation(String),
    #[error("the presentation is bound to another device key")]
    WrongDevice,
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    #[error("storage unavailable")]
    Storage,
}

impl LoginError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            LoginError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            LoginError::WrongPin { .. } => (StatusCode::FORBIDDEN, "wrong_pin"),
            LoginError::Locked => (StatusCode::FORBIDDEN, "pin_locked"),
            LoginError::NotActive(_) => (StatusCode::FORBIDDEN, "identity_not_active"),
            LoginError::LevelTooLow => (StatusCode::FORBIDDEN, "level_too_low"),
            LoginError::Presentation(_) => (StatusCode::BAD_REQUEST, "invalid_presentation"),
            LoginError::WrongDevice => (StatusCode::FORBIDDEN, "wrong_device"),
            LoginError::Malformed(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            LoginError::Storage => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        }
    }
}

impl IntoResponse for LoginError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let body = Problem {
            error: code.into(),
            detail: self.to_string(),
            part: None,
        };
        (status, Json(body)).into_response()
    }
}
