//! The API description (`/openapi.json`) and the credential issuer's metadata
//! (`/.well-known/jwt-vc-issuer`, SD-JWT VC draft §5), with the key that verifies
//! credentials and erasure receipts.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/.well-known/jwt-vc-issuer", get(issuer_metadata))
}

async fn issuer_metadata(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.config.issuer,
        "jwks": state.keys.issuer_jwks().to_json(),
    }))
}
