//! Every error answer of the JSON API: an HTTP status and crates/api's [`Problem`]
//! body (stable `error` code, human `detail`, the `part` that was wrong).

use alicem_api::Problem as ProblemBody;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// An error answer. Handlers return `Result<_, Problem>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub body: ProblemBody,
}

impl Problem {
    pub fn new(status: StatusCode, error: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            body: ProblemBody {
                error: error.into(),
                detail: detail.into(),
                part: None,
            },
        }
    }

    /// Names the part of the request that was wrong (`"chip.dg2"`, `"frames[3]"`).
    pub fn with_part(mut self, part: impl Into<String>) -> Self {
        self.body.part = Some(part.into());
        self
    }

    /// 400 `invalid_request`: a malformed request or part.
    pub fn invalid(part: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", detail).with_part(part)
    }

    /// 401 `invalid_device_proof`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_device_proof", detail)
    }

    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such {what}"),
        )
    }

    /// 409 with a specific code (`wrong_state`, `already_submitted`…).
    pub fn conflict(error: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, error, detail)
    }

    /// 413 `too_large`.
    pub fn too_large(part: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", detail).with_part(part)
    }

    /// 429 `rate_limited`.
    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; try again in a minute",
        )
    }

    /// 500 `internal`: the cause is logged, never sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        Problem::internal(&error)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status, self.body.error, self.body.detail
        )
    }
}
