//! The API description (`/openapi.json`, OpenAPI 3.1) and the credential issuer's
//! metadata (`/.well-known/jwt-vc-issuer`, SD-JWT VC draft §5), with the key that
//! verifies credentials and erasure receipts.
//!
//! The schemas are derived from the wire types of `alicem-api` themselves, so the
//! description cannot drift from what the handlers decode and answer. The operations
//! below are descriptions only (the handlers live in `enrollment`, `account` and
//! `login`); a test checks each documented route exists with its method.

use std::sync::OnceLock;

use alicem_api::Problem;
use alicem_api::account::{
    AccountStatus, ChallengeGrant, ChallengeRequest, History, LifecycleRequest, PinChangeRequest,
};
use alicem_api::enrollment::{EnrollmentOutcome, EnrollmentSession, Evidence, StartEnrollment};
use alicem_api::login::{LoginApproval, PendingLogins};
use alicem_credential::pin::PinRegistration;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/jwt-vc-issuer", get(issuer_metadata))
        .route("/openapi.json", get(openapi_json))
}

async fn issuer_metadata(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": state.config.issuer,
        "jwks": state.keys.issuer_jwks().to_json(),
    }))
}

/// The document, rendered once.
async fn openapi_json() -> impl IntoResponse {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| document().to_pretty_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], text.as_str())
}

/// The `/v1` API as OpenAPI.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "alicem identity server",
        description = "Enrollment of a chip-verified identity, and the citizen's account \
            (lifecycle, PIN, connection history, login approval). Bytes are unpadded \
            base64url strings, times Unix seconds; every error is a Problem. Requests \
            made by a device carry the `alicem-device-proof` header: a compact JWS \
            (ES256, typ `alicem-device-proof+jwt`) by the device key over the method \
            (`htm`), path (`htp`), `iat`, a fresh `jti` and the SHA-256 of the body \
            (`body_sha256`); `sub` is the enrollment session id, then the identity id.",
        license(name = "EUPL-1.2"),
    ),
    paths(
        start_enrollment,
        enrollment_outcome,
        upload_evidence,
        register_pin,
        account_status,
        account_challenge,
        account_suspend,
        account_revoke,
        account_delete,
        account_pin,
        account_history,
        account_logins,
        approve_login,
        deny_login,
    ),
    modifiers(&DeviceProof),
    tags(
        (name = "enrollment", description = "From the chip and the face (or an agent) to an identity"),
        (name = "account", description = "The citizen's identity, authenticated by the device key"),
        (name = "login", description = "OpenID Connect logins waiting for the citizen's approval"),
    ),
)]
struct ApiDoc;

/// The `alicem-device-proof` header as a security scheme.
struct DeviceProof;

impl utoipa::Modify for DeviceProof {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_proof",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                alicem_api::device_proof::HEADER,
                "Compact JWS by the device key over method, path, iat, jti and body hash",
            ))),
        );
    }
}

/// Starts an enrollment session: a fresh Active Authentication challenge, a random
/// liveness script (face path), a deadline and a session code. Rate-limited per
/// client address.
#[utoipa::path(post, path = "/v1/enrollments", tag = "enrollment",
    request_body = StartEnrollment,
    responses(
        (status = 201, description = "Session started", body = EnrollmentSession),
        (status = 400, description = "A malformed field, named in `part`", body = Problem),
        (status = 429, description = "Too many sessions from this address", body = Problem),
    ))]
#[allow(dead_code)]
fn start_enrollment() {}

/// Where an enrollment stands; hands out a credential issued by an agent once.
#[utoipa::path(get, path = "/v1/enrollments/{id}", tag = "enrollment",
    params(("id" = String, Path, description = "Enrollment session id")),
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "The outcome so far", body = EnrollmentOutcome),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 404, description = "No such session", body = Problem),
    ))]
#[allow(dead_code)]
fn enrollment_outcome() {}

/// Uploads the chip's files, the anti-clone proof and (face path) the selfie frames;
/// answers the decision. Whatever it is, biometrics and civil-status data are erased
/// once it is taken and a signed erasure receipt is returned.
#[utoipa::path(post, path = "/v1/enrollments/{id}/evidence", tag = "enrollment",
    params(("id" = String, Path, description = "Enrollment session id")),
    request_body = Evidence,
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "Decision taken (or waiting for an agent)", body = EnrollmentOutcome),
        (status = 400, description = "A malformed part, named in `part`", body = Problem),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 404, description = "No such session", body = Problem),
        (status = 409, description = "Evidence already submitted", body = Problem),
        (status = 410, description = "The session's deadline has passed", body = Problem),
        (status = 413, description = "A part is too large, named in `part`", body = Problem),
    ))]
#[allow(dead_code)]
fn upload_evidence() {}

/// Registers the PIN verifier's public half after approval.
#[utoipa::path(post, path = "/v1/enrollments/{id}/pin", tag = "enrollment",
    params(("id" = String, Path, description = "Enrollment session id")),
    request_body = PinRegistration,
    security(("device_proof" = [])),
    responses(
        (status = 204, description = "PIN registered; the identity is active"),
        (status = 400, description = "Malformed registration", body = Problem),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 409, description = "Not approved, or PIN already registered", body = Problem),
    ))]
#[allow(dead_code)]
fn register_pin() {}

/// The identity's status, level, expiry and PIN attempts left.
#[utoipa::path(get, path = "/v1/account", tag = "account",
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "The identity", body = AccountStatus),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 404, description = "No such identity", body = Problem),
    ))]
#[allow(dead_code)]
fn account_status() {}

/// A single-use PIN challenge for one lifecycle operation.
#[utoipa::path(post, path = "/v1/account/challenges", tag = "account",
    request_body = ChallengeRequest,
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "The challenge", body = ChallengeGrant),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Identity not active or PIN locked", body = Problem),
    ))]
#[allow(dead_code)]
fn account_challenge() {}

/// Suspends the identity (the citizen's own request, with the PIN).
#[utoipa::path(post, path = "/v1/account/suspend", tag = "account",
    request_body = LifecycleRequest,
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "New status", body = AccountStatus),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Wrong PIN, PIN locked, or transition not allowed", body = Problem),
    ))]
#[allow(dead_code)]
fn account_suspend() {}

/// Revokes the identity for good (with the PIN).
#[utoipa::path(post, path = "/v1/account/revoke", tag = "account",
    request_body = LifecycleRequest,
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "New status", body = AccountStatus),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Wrong PIN, PIN locked, or transition not allowed", body = Problem),
    ))]
#[allow(dead_code)]
fn account_revoke() {}

/// Deletes the identity; its connection history stays until its retention period ends.
#[utoipa::path(post, path = "/v1/account/delete", tag = "account",
    request_body = LifecycleRequest,
    security(("device_proof" = [])),
    responses(
        (status = 204, description = "Identity deleted"),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Wrong PIN or PIN locked", body = Problem),
    ))]
#[allow(dead_code)]
fn account_delete() {}

/// Changes the PIN: proof of the current PIN and the new PIN key.
#[utoipa::path(post, path = "/v1/account/pin", tag = "account",
    request_body = PinChangeRequest,
    security(("device_proof" = [])),
    responses(
        (status = 204, description = "PIN changed"),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Wrong PIN, PIN locked, or identity not active", body = Problem),
    ))]
#[allow(dead_code)]
fn account_pin() {}

/// The identity's connection history (provider, claim names, level, time, outcome).
#[utoipa::path(get, path = "/v1/account/history", tag = "account",
    security(("device_proof" = [])),
    responses(
        (status = 200, description = "Newest first", body = History),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
    ))]
#[allow(dead_code)]
fn account_history() {}

/// Logins waiting for this identity's approval. With `wait`, a long poll: the answer
/// is held until a login newer than `after` is pending (at most `wait` seconds, 25 at most).
#[utoipa::path(get, path = "/v1/account/logins", tag = "login",
    security(("device_proof" = [])),
    params(
        ("wait" = Option<u64>, Query, description = "Seconds to hold the answer while nothing is newer than `after` (0: at once; capped at 25)"),
        ("after" = Option<u64>, Query, description = "The `cursor` of the last answer read"),
    ),
    responses(
        (status = 200, description = "Pending logins", body = PendingLogins),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
    ))]
#[allow(dead_code)]
fn account_logins() {}

/// Approves a login with a PIN proof and a selective presentation of the credential
/// holding just the claims asked.
#[utoipa::path(post, path = "/v1/account/logins/{id}/approve", tag = "login",
    params(("id" = String, Path, description = "Login id")),
    request_body = LoginApproval,
    security(("device_proof" = [])),
    responses(
        (status = 204, description = "Approved; the browser moves on"),
        (status = 400, description = "Malformed request or presentation", body = Problem),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 403, description = "Wrong PIN, PIN locked, identity not active, level too low", body = Problem),
        (status = 404, description = "No such pending login", body = Problem),
    ))]
#[allow(dead_code)]
fn approve_login() {}

/// Denies a login.
#[utoipa::path(post, path = "/v1/account/logins/{id}/deny", tag = "login",
    params(("id" = String, Path, description = "Login id")),
    security(("device_proof" = [])),
    responses(
        (status = 204, description = "Denied; the service provider gets access_denied"),
        (status = 401, description = "Missing or invalid device proof", body = Problem),
        (status = 404, description = "No such pending login", body = Problem),
    ))]
#[allow(dead_code)]
fn deny_login() {}
