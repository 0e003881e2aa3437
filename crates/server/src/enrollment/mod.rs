//! Enrollment: sessions, evidence, the decision, erasure, issuance, PIN registration.

pub mod face_check;
pub mod scratch;

use axum::Router;

use crate::state::AppState;

/// `/v1/enrollments…`.
pub fn router() -> Router<AppState> {
    Router::new()
}
