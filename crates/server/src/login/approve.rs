//! `POST /v1/account/logins/{id}/approve` and `/deny`: the phone's answer.
//!
//! Order of checks: the login is this identity's and still waiting; the identity is
//! active (a suspended, revoked or expired identity is refused without touching the
//! PIN counter); the PIN proof (attempt counter, lock at 5); the credential
//! presentation (issuer signature, verified once per credential through
//! `Provider::issuer_signatures`; key binding to this login's nonce and to the
//! device key of this identity, only the claims asked); the eIDAS level. Then the
//! consent page or the redirect, and one history row.

use std::collections::BTreeMap;
use std::sync::Arc;

use alicem_api::account::IdentityStatus;
use alicem_api::login::LoginApproval;
use alicem_credential::pin::{PinChallenge, PinOutcome, PinPurpose, ProofContext};
use alicem_credential::rng::os_rng;
use alicem_credential::sd_jwt::{PresentationPolicy, verify_presentation_cached};
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::{LoginError, history};
use crate::oidc::authorize::AuthRequest;
use crate::oidc::flows::{PendingPhone, Stage};
use crate::oidc::grant::Grant;
use crate::oidc::store::IdentityRecord;
use crate::oidc::{Provider, now};

/// How old a presentation's key-binding JWT may be.
const MAX_KEY_BINDING_AGE: i64 = 300;

/// The waiting login `login_id` of `identity`.
fn waiting(
    p: &Provider,
    identity: &str,
    login_id: &str,
) -> Result<(String, Arc<AuthRequest>, PendingPhone), LoginError> {
    let mut flows = p.flows.lock();
    let tx = flows
        .transaction_of_login(login_id, now())
        .ok_or(LoginError::NotFound)?;
    match &tx.stage {
        Stage::Waiting {
            login: Some(phone), ..
        } if phone.identity_id == identity => {
            Ok((tx.id.clone(), Arc::clone(&tx.request), phone.clone()))
        }
        _ => Err(LoginError::NotFound),
    }
}

fn fail(p: &Provider, tx: &str, login_id: &str, description: &'static str) {
    let mut flows = p.flows.lock();
    flows.unlink_login(login_id);
    if let Some(t) = flows.transaction(tx, now()) {
        t.advance(Stage::Failed {
            error: "access_denied",
            description,
        });
    }
}

fn outcome_of(status: IdentityStatus) -> &'static str {
    match status {
        IdentityStatus::Suspended => "refused_suspended",
        IdentityStatus::Revoked => "refused_revoked",
        IdentityStatus::Expired => "refused_expired",
        IdentityStatus::Locked => "refused_locked",
        IdentityStatus::PendingPin => "refused_pending_pin",
        IdentityStatus::Active => "approved",
    }
}

/// Checks an approval and, when it holds, completes the browser's login.
pub async fn approve(
    p: &Provider,
    identity: &str,
    login_id: &str,
    approval: &LoginApproval,
) -> Result<(), LoginError> {
    let (tx, request, phone) = waiting(p, identity, login_id)?;
    let asked: Vec<String> = request
        .scopes
        .claims
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let record: IdentityRecord = p
        .store
        .identity(identity)
        .await
        .map_err(|_| LoginError::Storage)?
        .ok_or(LoginError::NotFound)?;
    let level = request.acr_required.name();

    if record.status != IdentityStatus::Active {
        history::record(
            p,
            identity,
            &request,
            asked,
            level,
            outcome_of(record.status),
        )
        .await;
        fail(p, &tx, login_id, "this identity cannot be used to log in");
        return Err(if record.status == IdentityStatus::Locked {
            LoginError::Locked
        } else {
            LoginError::NotActive(record.status)
        });
    }

    // PIN.
    let verifier = record
        .pin_verifier
        .as_ref()
        .ok_or(LoginError::NotActive(IdentityStatus::PendingPin))?;
    let context = ProofContext {
        purpose: PinPurpose::Login,
        account: identity,
        request: login_id,
        device_key_thumbprint: &record.device_key_thumbprint,
    };
    let (attempts, outcome) = verifier.attempt(
        &p.pepper,
        record.pin_attempts,
        &phone.pin_challenge,
        &context,
        &approval.pin_proof,
    );
    if attempts != record.pin_attempts {
        p.store
            .record_pin_attempts(identity, attempts)
            .await
            .map_err(|_| LoginError::Storage)?;
    }
    match outcome {
        PinOutcome::Accepted => {}
        PinOutcome::WrongPin { remaining } => {
            history::record(p, identity, &request, asked, level, "wrong_pin").await;
            // The challenge is single-use: the next try signs a fresh one.
            refresh_challenge(p, &tx, verifier);
            return Err(LoginError::WrongPin { remaining });
        }
        PinOutcome::Locked => {
            history::record(p, identity, &request, asked, level, "locked").await;
            fail(p, &tx, login_id, "the PIN is locked");
            return Err(LoginError::Locked);
        }
        PinOutcome::Refused(e) => {
            tracing::warn!(error = %e, "PIN proof refused");
            return Err(LoginError::Malformed("PIN proof"));
        }
    }

    // Credential presentation.
    let requested: Vec<&str> = phone.credential_claims.iter().map(String::as_str).collect();
    let policy = PresentationPolicy {
        vct: &p.credential.vct,
        issuer: Some(&p.credential.issuer),
        audience: &p.issuer,
        nonce: &phone.presentation_nonce,
        clock: p.clock(),
        max_key_binding_age: MAX_KEY_BINDING_AGE,
        requested_claims: Some(&requested),
    };
    let presented = match verify_presentation_cached(
        &approval.presentation,
        &p.credential.issuer_keys,
        &policy,
        &p.issuer_signatures,
    ) {
        Ok(v) => v,
        Err(e) => {
            history::record(p, identity, &request, asked, level, "invalid_presentation").await;
            return Err(LoginError::Presentation(e.to_string()));
        }
    };
    if !bool::from(
        presented
            .holder_key_thumbprint
            .as_bytes()
            .ct_eq(record.device_key_thumbprint.as_bytes()),
    ) {
        history::record(p, identity, &request, asked, level, "wrong_device").await;
        return Err(LoginError::WrongDevice);
    }

    // Level.
    if record.level < request.acr_required {
        history::record(p, identity, &request, asked, level, "refused_level").await;
        fail(
            p,
            &tx,
            login_id,
            "the identity's level is below the requested acr",
        );
        return Err(LoginError::LevelTooLow);
    }

    let mut claims: BTreeMap<String, Value> = presented
        .claims
        .iter()
        .filter(|(k, _)| request.scopes.claims.contains(k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if request.scopes.claims.contains("email") {
        claims.insert("email".into(), Value::String(phone.email.clone()));
    }
    let released: Vec<String> = claims.keys().cloned().collect();
    let grant = Arc::new(Grant {
        client: Arc::clone(&request.client),
        identity_id: identity.to_owned(),
        sub: p.pairwise.subject(&request.client.sector, identity),
        acr: record.level,
        amr: vec!["pin", "pop", "mfa"],
        amr_requested: request.amr_requested,
        auth_time: now(),
        nonce: Some(request.nonce.clone()),
        scope: request.scope.clone(),
        claims,
    });
    let consented = p
        .store
        .has_consent(identity, &request.client.client_id)
        .await
        .map_err(|_| LoginError::Storage)?;
    history::record(
        p,
        identity,
        &request,
        released,
        record.level.name(),
        "approved",
    )
    .await;
    let mut flows = p.flows.lock();
    flows.unlink_login(login_id);
    if let Some(t) = flows.transaction(&tx, now()) {
        t.advance(if consented {
            Stage::Approved(grant)
        } else {
            Stage::Consent(grant)
        });
    }
    Ok(())
}

fn refresh_challenge(p: &Provider, tx: &str, verifier: &alicem_credential::pin::PinVerifier) {
    let mut flows = p.flows.lock();
    if let Some(t) = flows.transaction(tx, now())
        && let Stage::Waiting {
            login: Some(phone), ..
        } = &mut t.stage
    {
        phone.pin_challenge = PinChallenge::generate(verifier, &mut os_rng());
        let identity = phone.identity_id.clone();
        flows.phone_news(&identity);
    }
}

/// The citizen refused on the phone.
pub async fn deny(p: &Provider, identity: &str, login_id: &str) -> Result<(), LoginError> {
    let (tx, request, _) = waiting(p, identity, login_id)?;
    let asked: Vec<String> = request
        .scopes
        .claims
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    history::record(
        p,
        identity,
        &request,
        asked,
        request.acr_required.name(),
        "denied",
    )
    .await;
    fail(p, &tx, login_id, "the citizen refused on the phone");
    Ok(())
}
