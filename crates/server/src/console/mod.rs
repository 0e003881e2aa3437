//! The agent console: server-rendered HTML under `/agent/`.

use axum::Router;

use crate::state::AppState;

/// `/agent/…`.
pub fn router() -> Router<AppState> {
    Router::new()
}
