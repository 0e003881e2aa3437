//! The provider's public keys (RFC 7517 §5): every key that signs or will sign soon,
//! and retired ones during their overlap.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::app::Op;

pub const PATH: &str = "/jwks";

pub async fn handle(Op(p): Op) -> Response {
    let mut r = Json(p.jwks().to_json()).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}
