//! The citizen's own account under `/v1/account`, every request signed by the
//! identity's device key:
//!
//! - `GET /v1/account` → status, level, expiry, PIN attempts left;
//! - `POST /v1/account/challenges` → a single-use PIN challenge for a purpose;
//! - `POST /v1/account/{suspend,revoke,delete}` with a PIN proof (purpose
//!   `Lifecycle`, request = challenge id): the citizen's own lifecycle;
//! - `POST /v1/account/pin`: PIN change;
//! - `GET /v1/account/history`: the connection history.
//!
//! A wrong PIN counts toward the lockout (5); a locked PIN refuses everything until an
//! agent unlocks or the citizen re-enrolls.

use alicem_api::account::{
    AccountStatus, ChallengeGrant, ChallengePurpose, ChallengeRequest, History, IdentityStatus,
    LifecycleRequest, PinChangeRequest,
};
use alicem_credential::pin::{PinChallenge, PinOutcome, PinPurpose, PinSecretId, ProofContext};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::device_proof::DeviceRequest;
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::identities::{self, Identity, StatusReason};
use crate::store::pin_challenges::StoredChallenge;

/// How long a PIN challenge lives.
pub const CHALLENGE_SECONDS: i64 = 300;
/// Most history entries returned.
pub const HISTORY_LIMIT: i64 = 500;

/// `/v1/account…` (the login-approval routes are the OIDC provider's).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/account", get(status))
        .route("/v1/account/challenges", post(challenge))
        .route("/v1/account/suspend", post(suspend))
        .route("/v1/account/revoke", post(revoke))
        .route("/v1/account/delete", post(delete))
        .route("/v1/account/pin", post(change_pin))
        .route("/v1/account/history", get(history))
}

fn purpose_str(purpose: ChallengePurpose) -> &'static str {
    match purpose {
        ChallengePurpose::Suspend => "suspend",
        ChallengePurpose::Revoke => "revoke",
        ChallengePurpose::Delete => "delete",
        ChallengePurpose::ChangePin => "change_pin",
    }
}

async fn identity_of(state: &AppState, request: &DeviceRequest) -> Result<Identity, Problem> {
    let id = request.require_identity()?;
    state
        .store
        .identity(id)
        .await?
        .ok_or_else(|| Problem::not_found("identity"))
}

fn account_status(identity: &Identity) -> AccountStatus {
    AccountStatus {
        identity_id: identity.id.clone(),
        status: identity.status,
        level: identity.level.clone(),
        expires_at: u64::try_from(identity.document_expires_at).unwrap_or(0),
        pin_attempts_left: identity.pin_attempts().remaining(),
    }
}

/// `GET /v1/account`.
pub async fn status(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<Json<AccountStatus>, Problem> {
    let identity = identity_of(&state, &request).await?;
    Ok(Json(account_status(&identity)))
}

/// `POST /v1/account/challenges`.
pub async fn challenge(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<Json<ChallengeGrant>, Problem> {
    let ask: ChallengeRequest = request.json()?;
    let identity = identity_of(&state, &request).await?;
    let verifier = identity
        .verifier()?
        .ok_or_else(|| Problem::conflict("no_pin", "no PIN is registered for this identity"))?;
    let challenge = PinChallenge::generate(&verifier, &mut state.rng());
    let id = crate::enrollment::issue::random_id(&state);
    let expires_at = state.now() + CHALLENGE_SECONDS;
    state
        .store
        .insert_pin_challenge(&StoredChallenge {
            id: id.clone(),
            identity_id: identity.id.clone(),
            purpose: purpose_str(ask.purpose).into(),
            nonce: challenge.nonce().to_vec(),
            secret_id: challenge.secret_id.to_b64(),
            expires_at,
        })
        .await?;
    Ok(Json(ChallengeGrant {
        challenge_id: id,
        challenge,
        expires_at: u64::try_from(expires_at).unwrap_or(0),
    }))
}

/// Consumes the challenge and checks the PIN proof; records the attempt.
async fn check_pin(
    state: &AppState,
    request: &DeviceRequest,
    identity: &Identity,
    challenge_id: &str,
    expected: ChallengePurpose,
    check: impl FnOnce(
        &ProofContext<'_>,
        &PinChallenge,
    ) -> (alicem_credential::pin::PinAttempts, PinOutcome),
) -> Result<(), Problem> {
    let stored = state
        .store
        .take_pin_challenge(challenge_id)
        .await?
        .filter(|c| c.identity_id == identity.id)
        .ok_or_else(|| Problem::invalid("challenge_id", "unknown or already used challenge"))?;
    let now = state.now();
    if stored.expires_at < now || stored.purpose != purpose_str(expected) {
        return Err(Problem::invalid(
            "challenge_id",
            "the challenge expired or was made for another purpose",
        ));
    }
    let nonce: [u8; 32] = stored
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| Problem::internal(&"stored PIN challenge nonce"))?;
    let secret_id = PinSecretId::from_b64(&stored.secret_id).map_err(|e| Problem::internal(&e))?;
    let challenge = PinChallenge::from_parts(nonce, secret_id);
    let thumbprint = request.device_key.thumbprint();
    let purpose = if expected == ChallengePurpose::ChangePin {
        PinPurpose::ChangePin
    } else {
        PinPurpose::Lifecycle
    };
    let context = ProofContext {
        purpose,
        account: &identity.id,
        request: challenge_id,
        device_key_thumbprint: &thumbprint,
    };
    let (attempts, outcome) = check(&context, &challenge);
    state
        .store
        .record_pin_attempts(&identity.id, attempts, now)
        .await?;
    match outcome {
        PinOutcome::Accepted => Ok(()),
        PinOutcome::WrongPin { remaining } => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "wrong_pin",
            format!("wrong PIN; {remaining} attempt(s) left"),
        )),
        PinOutcome::Locked => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "pin_locked",
            "the PIN is locked after too many failures",
        )),
        PinOutcome::Refused(e) => Err(Problem::invalid("pin_proof", e.to_string())),
    }
}

async fn lifecycle(
    state: AppState,
    request: DeviceRequest,
    purpose: ChallengePurpose,
) -> Result<Identity, Problem> {
    let body: LifecycleRequest = request.json()?;
    let identity = identity_of(&state, &request).await?;
    let verifier = identity
        .verifier()?
        .ok_or_else(|| Problem::conflict("no_pin", "no PIN is registered for this identity"))?;
    let pepper = &state.keys.pepper;
    check_pin(
        &state,
        &request,
        &identity,
        &body.challenge_id,
        purpose,
        |context, challenge| {
            verifier.attempt(
                pepper,
                identity.pin_attempts(),
                challenge,
                context,
                &body.pin_proof,
            )
        },
    )
    .await?;
    Ok(identity)
}

async fn transition(
    state: &AppState,
    identity: &Identity,
    to: IdentityStatus,
    reason: StatusReason,
    actor: &Actor,
) -> Result<AccountStatus, Problem> {
    let allowed = match to {
        IdentityStatus::Suspended => matches!(
            identity.status,
            IdentityStatus::Active | IdentityStatus::PendingPin | IdentityStatus::Locked
        ),
        IdentityStatus::Active => {
            identity.status == IdentityStatus::Suspended
                && identity.status_reason != Some(StatusReason::DocumentReportedLost)
        }
        IdentityStatus::Revoked => !matches!(identity.status, IdentityStatus::Revoked),
        _ => false,
    };
    if !allowed {
        return Err(Problem::conflict(
            "wrong_state",
            format!("cannot go from {:?} to {to:?}", identity.status),
        ));
    }
    let now = state.now();
    let mut tx = state
        .store
        .pool()
        .begin()
        .await
        .map_err(crate::store::StoreError::from)?;
    identities::set_status(&mut *tx, &identity.id, to, Some(reason), now).await?;
    crate::store::audit::record(
        &mut *tx,
        now,
        actor,
        &format!("identity.{}", identities::status_str(to)),
        &identity.id,
        reason.as_str(),
    )
    .await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    let mut updated = identity.clone();
    updated.status = to;
    updated.status_reason = Some(reason);
    Ok(account_status(&updated))
}

/// An agent unlocks a PIN-locked identity after checking, in person or by video, the
/// citizen, their document and their phone: the attempt counter restarts at zero and
/// the identity is active again (same PIN). Only a lock by wrong PINs can be lifted
/// this way; suspensions and revocations have their own transitions.
pub async fn unlock_pin(
    state: &AppState,
    identity_id: &str,
    actor: &Actor,
) -> Result<AccountStatus, Problem> {
    let identity = state
        .store
        .identity(identity_id)
        .await?
        .ok_or_else(|| Problem::not_found("identity"))?;
    if identity.status != IdentityStatus::Locked {
        return Err(Problem::conflict(
            "wrong_state",
            format!(
                "only a PIN-locked identity can be unlocked (it is {:?})",
                identity.status
            ),
        ));
    }
    let now = state.now();
    let mut tx = state
        .store
        .pool()
        .begin()
        .await
        .map_err(crate::store::StoreError::from)?;
    if !identities::unlock_pin(&mut *tx, &identity.id, now).await? {
        return Err(Problem::conflict(
            "wrong_state",
            "the identity changed meanwhile; reload it",
        ));
    }
    crate::store::audit::record(
        &mut *tx,
        now,
        actor,
        "identity.pin_unlocked",
        &identity.id,
        StatusReason::ByAgent.as_str(),
    )
    .await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    let mut updated = identity;
    updated.status = IdentityStatus::Active;
    updated.status_reason = Some(StatusReason::ByAgent);
    updated.pin_failures = 0;
    Ok(account_status(&updated))
}

/// Agent or citizen lifecycle change, shared with the console.
pub async fn set_identity_status(
    state: &AppState,
    identity_id: &str,
    to: IdentityStatus,
    reason: StatusReason,
    actor: &Actor,
) -> Result<AccountStatus, Problem> {
    let identity = state
        .store
        .identity(identity_id)
        .await?
        .ok_or_else(|| Problem::not_found("identity"))?;
    transition(state, &identity, to, reason, actor).await
}

/// `POST /v1/account/suspend` (lost phone: suspend from another device is an agent's
/// job; this is the citizen's own).
pub async fn suspend(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<Json<AccountStatus>, Problem> {
    let identity = lifecycle(state.clone(), request, ChallengePurpose::Suspend).await?;
    let actor = Actor::Citizen(identity.id.clone());
    Ok(Json(
        transition(
            &state,
            &identity,
            IdentityStatus::Suspended,
            StatusReason::ByCitizen,
            &actor,
        )
        .await?,
    ))
}

/// `POST /v1/account/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<Json<AccountStatus>, Problem> {
    let identity = lifecycle(state.clone(), request, ChallengePurpose::Revoke).await?;
    let actor = Actor::Citizen(identity.id.clone());
    Ok(Json(
        transition(
            &state,
            &identity,
            IdentityStatus::Revoked,
            StatusReason::ByCitizen,
            &actor,
        )
        .await?,
    ))
}

/// `POST /v1/account/delete`: the identity is removed; the connection history stays
/// until its retention period ends.
pub async fn delete(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<StatusCode, Problem> {
    let identity = lifecycle(state.clone(), request, ChallengePurpose::Delete).await?;
    let now = state.now();
    state.store.delete_identity(&identity.id).await?;
    state
        .store
        .audit(
            now,
            &Actor::Citizen(identity.id.clone()),
            "identity.deleted",
            &identity.id,
            "",
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/account/pin`.
pub async fn change_pin(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<StatusCode, Problem> {
    let body: PinChangeRequest = request.json()?;
    let identity = identity_of(&state, &request).await?;
    if identity.status != IdentityStatus::Active {
        return Err(Problem::conflict(
            "wrong_state",
            "the identity is not active",
        ));
    }
    let verifier = identity
        .verifier()?
        .ok_or_else(|| Problem::conflict("no_pin", "no PIN is registered for this identity"))?;
    let pepper = &state.keys.pepper;
    let mut new_verifier = None;
    check_pin(
        &state,
        &request,
        &identity,
        &body.challenge_id,
        ChallengePurpose::ChangePin,
        |context, challenge| {
            let (attempts, result) = verifier.change(
                pepper,
                identity.pin_attempts(),
                challenge,
                context,
                &body.change,
            );
            match result {
                Ok(v) => {
                    new_verifier = Some(v);
                    (attempts, PinOutcome::Accepted)
                }
                Err(outcome) => (attempts, outcome),
            }
        },
    )
    .await?;
    let Some(new_verifier) = new_verifier else {
        return Err(Problem::internal(&"PIN change accepted without a verifier"));
    };
    let now = state.now();
    state
        .store
        .replace_pin_verifier(&identity.id, &new_verifier, now)
        .await?;
    state
        .store
        .audit(
            now,
            &Actor::Citizen(identity.id.clone()),
            "identity.pin_changed",
            &identity.id,
            "",
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/account/history`.
pub async fn history(
    State(state): State<AppState>,
    request: DeviceRequest,
) -> Result<Json<History>, Problem> {
    let identity = identity_of(&state, &request).await?;
    Ok(Json(History {
        entries: state
            .store
            .connection_history(&identity.id, HISTORY_LIMIT)
            .await?,
        retention_days: state.config.retention_days,
    }))
}
