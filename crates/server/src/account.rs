//! The citizen's own account under `/v1/account` (device proof by the identity).

use axum::Router;

use crate::state::AppState;

/// `/v1/account…` (the login-approval routes are the OIDC provider's).
pub fn router() -> Router<AppState> {
    Router::new()
}
