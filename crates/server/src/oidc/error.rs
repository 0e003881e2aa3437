//! OAuth 2.0 error answers: JSON at the token, revocation and userinfo endpoints
//! (RFC 6749 §5.2, RFC 6750 §3), a redirect or an error page at `/authorize`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An OAuth error code and a description safe to show (never secret material).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
    pub status: StatusCode,
}

impl OAuthError {
    pub fn new(code: &'static str, status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            status,
        }
    }
    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new("invalid_request", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new("invalid_client", StatusCode::UNAUTHORIZED, d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new("invalid_grant", StatusCode::BAD_REQUEST, d)
    }
    pub fn unsupported_grant_type(d: impl Into<String>) -> Self {
        Self::new("unsupported_grant_type", StatusCode::BAD_REQUEST, d)
    }
    pub fn invalid_token(d: impl Into<String>) -> Self {
        Self::new("invalid_token", StatusCode::UNAUTHORIZED, d)
    }
    pub fn server_error(d: impl Into<String>) -> Self {
        Self::new("server_error", StatusCode::INTERNAL_SERVER_ERROR, d)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "error_description": self.description });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.code == "invalid_client" {
                "Basic realm=\"alicem\"".to_owned()
            } else {
                format!(
                    "Bearer realm=\"alicem\", error=\"{}\", error_description=\"{}\"",
                    self.code,
                    self.description.replace(['"', '\\'], "'")
                )
            };
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}
