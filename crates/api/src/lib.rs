//! The wire format of the identity server's `/v1` API: one type per JSON body, shared
//! by `alicem-server` (which decodes requests and encodes answers) and `alicem-wallet`
//! (the other way round), so the two cannot drift apart.
//!
//! Conventions:
//! - bytes are unpadded base64url strings ([`Bytes`]);
//! - times are Unix seconds;
//! - enums are `snake_case` strings;
//! - every error answer is a [`Problem`];
//! - requests made by a device (evidence upload, everything under `/v1/account`)
//!   carry a [`device_proof`] header: a JWS by the device key over the method, the
//!   path, a fresh `jti` and the SHA-256 of the body.

pub mod account;
mod bytes;
pub mod device_proof;
pub mod enrollment;
pub mod login;
mod problem;

pub use bytes::Bytes;
pub use problem::Problem;

/// The paths of the API, relative to the server's base URL.
pub mod paths {
    /// `POST`: [`StartEnrollment`](crate::enrollment::StartEnrollment) →
    /// [`EnrollmentSession`](crate::enrollment::EnrollmentSession).
    pub const ENROLLMENTS: &str = "/v1/enrollments";
    /// `POST` (device proof, `sub` = session id): [`Evidence`](crate::enrollment::Evidence)
    /// → [`EnrollmentOutcome`](crate::enrollment::EnrollmentOutcome).
    pub fn evidence(session_id: &str) -> String {
        format!("/v1/enrollments/{session_id}/evidence")
    }
    /// `GET` (device proof, `sub` = session id) → the session's current
    /// [`EnrollmentOutcome`](crate::enrollment::EnrollmentOutcome) (the agent path
    /// polls it).
    pub fn enrollment(session_id: &str) -> String {
        format!("/v1/enrollments/{session_id}")
    }
    /// `POST` (device proof, `sub` = session id):
    /// [`PinRegistration`](alicem_credential::pin::PinRegistration) after approval → 204.
    pub fn enrollment_pin(session_id: &str) -> String {
        format!("/v1/enrollments/{session_id}/pin")
    }
    /// `GET` (device proof, `sub` = identity id) →
    /// [`AccountStatus`](crate::account::AccountStatus).
    pub const ACCOUNT: &str = "/v1/account";
    /// `GET` → [`PendingLogins`](crate::login::PendingLogins).
    pub const ACCOUNT_LOGINS: &str = "/v1/account/logins";
    /// `POST` [`LoginApproval`](crate::login::LoginApproval) → 204.
    pub fn login_approve(login_id: &str) -> String {
        format!("/v1/account/logins/{login_id}/approve")
    }
    /// `POST` (empty body) → 204.
    pub fn login_deny(login_id: &str) -> String {
        format!("/v1/account/logins/{login_id}/deny")
    }
    /// `POST` [`ChallengeRequest`](crate::account::ChallengeRequest) →
    /// [`ChallengeGrant`](crate::account::ChallengeGrant).
    pub const ACCOUNT_CHALLENGES: &str = "/v1/account/challenges";
    /// `GET` → [`History`](crate::account::History).
    pub const ACCOUNT_HISTORY: &str = "/v1/account/history";
    /// `POST` [`LifecycleRequest`](crate::account::LifecycleRequest) → [`AccountStatus`](crate::account::AccountStatus).
    pub const ACCOUNT_SUSPEND: &str = "/v1/account/suspend";
    pub const ACCOUNT_REVOKE: &str = "/v1/account/revoke";
    pub const ACCOUNT_DELETE: &str = "/v1/account/delete";
    /// `POST` [`PinChangeRequest`](crate::account::PinChangeRequest) → 204.
    pub const ACCOUNT_PIN: &str = "/v1/account/pin";
}
