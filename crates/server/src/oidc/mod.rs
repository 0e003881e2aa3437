//! The OpenID Connect provider (issue 7). Placeholder created with the server
//! foundation so the crate builds; the OIDC engineer owns this directory and replaces
//! this file. Contract: `pub fn router() -> Router<AppState>`, merged by
//! [`crate::router`].

use axum::Router;

use crate::state::AppState;

/// The provider's routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
