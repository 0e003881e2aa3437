//! Enrollment: sessions, evidence, the decision, erasure, issuance, PIN registration.
//!
//! - `POST /v1/enrollments` ([`start`]): a session with a fresh AA challenge, a
//!   liveness script, a deadline and a session code; rate-limited per address.
//! - `POST /v1/enrollments/{id}/evidence` ([`evidence`]): checked part by part
//!   ([`evidence::decode`]), then the document checks ([`decision`]), the lost/stolen
//!   list, and for the face path the [`face_check::FaceCheck`]. Rejected and approved
//!   sessions are erased at once and answered with a signed receipt; agent-path and
//!   review sessions keep their evidence in memory ([`scratch`]) for the agent.
//! - `GET /v1/enrollments/{id}` ([`outcome`]): where it stands; hands out a
//!   credential issued by an agent once.
//! - `POST /v1/enrollments/{id}/pin` ([`register_pin`]): the PIN verifier.

pub mod agent;
pub mod decision;
pub mod evidence;
pub mod face_check;
pub mod face_engine;
pub mod issue;
pub mod receipt;
pub mod scratch;

use std::net::{IpAddr, SocketAddr};

use alicem_api::Bytes;
use alicem_api::enrollment::{
    DecisionReason, EnrollmentOutcome, EnrollmentPath, EnrollmentSession, EnrollmentStatus,
    ErasureReceipt, IssuedIdentity, LivenessAction, StartEnrollment,
};
use alicem_credential::jose::Jwk;
use alicem_credential::pin::{PinRegistration, PinVerifier};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use zeroize::Zeroizing;

use crate::device_proof::DeviceRequest;
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::enrollments::{Closing, Enrollment};
use evidence::{CheckedEvidence, EvidenceLimits};
use face_check::TimedJpeg;
use scratch::HeldEvidence;

/// `/v1/enrollments…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/enrollments", post(start))
        .route("/v1/enrollments/{id}", get(outcome))
        .route("/v1/enrollments/{id}/evidence", post(evidence))
        .route("/v1/enrollments/{id}/pin", post(register_pin))
}

/// Letters and digits that cannot be misread (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn random_u32(state: &AppState) -> u32 {
    let mut b = [0u8; 4];
    rand_core::Rng::fill_bytes(&mut state.rng(), &mut b);
    u32::from_be_bytes(b)
}

/// `XXX-XXX` from [`CODE_ALPHABET`].
fn session_code(state: &AppState) -> String {
    let mut out = String::with_capacity(7);
    for i in 0..6 {
        if i == 3 {
            out.push('-');
        }
        let n = CODE_ALPHABET.len() as u32;
        // Rejection sampling: no modulo bias.
        let limit = u32::MAX - u32::MAX % n;
        let v = loop {
            let v = random_u32(state);
            if v < limit {
                break v;
            }
        };
        let index = usize::try_from(v % n).unwrap_or(0);
        out.push(char::from(
            CODE_ALPHABET.get(index).copied().unwrap_or(b'X'),
        ));
    }
    out
}

/// Three different actions in random order.
fn liveness_script(state: &AppState) -> Vec<LivenessAction> {
    let mut all = LivenessAction::ALL.to_vec();
    // Fisher–Yates.
    for i in (1..all.len()).rev() {
        let j = usize::try_from(random_u32(state)).unwrap_or(0) % (i + 1);
        all.swap(i, j);
    }
    all.truncate(3);
    all
}

fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if state.config.behind_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

fn check_contact(request: &StartEnrollment) -> Result<(), Problem> {
    let email = request.email.trim();
    let at = email.find('@');
    if email.len() > 254
        || at.is_none_or(|i| i == 0 || i + 1 >= email.len())
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Problem::invalid("email", "not an e-mail address"));
    }
    let phone = request.phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(6..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
    {
        return Err(Problem::invalid("phone", "not a phone number"));
    }
    Ok(())
}

/// `POST /v1/enrollments`.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<EnrollmentSession>), Problem> {
    let now = state.now();
    if !state
        .enrollment_starts
        .allow(client_ip(&state, &headers, peer), now)
    {
        return Err(Problem::rate_limited());
    }
    if body.len() > 16 * 1024 {
        return Err(Problem::too_large("body", "at most 16 KiB"));
    }
    let request: StartEnrollment =
        serde_json::from_slice(&body).map_err(|e| Problem::invalid("body", e.to_string()))?;
    let jwk = Jwk::from_json(&request.device_key)
        .map_err(|e| Problem::invalid("device_key", e.to_string()))?;
    if jwk.kty() != "EC" {
        return Err(Problem::invalid("device_key", "must be a P-256 key"));
    }
    check_contact(&request)?;
    if !state
        .config
        .enrollment
        .accepted_terms
        .contains(&request.terms_version)
    {
        return Err(Problem::invalid(
            "terms_version",
            "not a terms version this server offers",
        ));
    }
    let mut challenge = [0u8; 8];
    rand_core::Rng::fill_bytes(&mut state.rng(), &mut challenge);
    let script = match request.path {
        EnrollmentPath::Face => liveness_script(&state),
        EnrollmentPath::Agent => Vec::new(),
    };
    let script_text = script
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let deadline = now + i64::try_from(state.config.enrollment.deadline_seconds).unwrap_or(600);
    let id = issue::random_id(&state);
    let mut record = Enrollment {
        id: id.clone(),
        session_code: String::new(),
        device_key: jwk.without_metadata().to_json().to_string(),
        device_key_thumbprint: jwk.thumbprint(),
        email: Some(request.email.trim().to_owned()),
        phone: Some(request.phone.trim().to_owned()),
        terms_version: request.terms_version.clone(),
        path: request.path,
        challenge: challenge.to_vec(),
        liveness_script: script_text,
        client_addr: Some(client_ip(&state, &headers, peer).to_string()),
        status: EnrollmentStatus::Started,
        reasons: Vec::new(),
        document_fingerprint: None,
        document_expires_at: None,
        identity_id: None,
        received: None,
        erasure_receipt: None,
        created_at: now,
        deadline,
        decided_at: None,
        decided_by: None,
    };
    let mut inserted = false;
    for _ in 0..8 {
        record.session_code = session_code(&state);
        if state.store.insert_enrollment(&record).await? {
            inserted = true;
            break;
        }
    }
    if !inserted {
        return Err(Problem::internal(&"no free session code after 8 draws"));
    }
    tracing::info!(session = %id, path = ?request.path, "enrollment started");
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentSession {
            session_id: id,
            challenge: Bytes(challenge.to_vec()),
            liveness_script: script,
            deadline: u64::try_from(deadline).unwrap_or(0),
            session_code: record.session_code,
        }),
    ))
}

fn parse_script(text: &str) -> Vec<LivenessAction> {
    text.split(',').filter_map(LivenessAction::parse).collect()
}

fn outcome_of(
    record: &Enrollment,
    identity: Option<IssuedIdentity>,
    receipt: Option<ErasureReceipt>,
) -> EnrollmentOutcome {
    EnrollmentOutcome {
        session_id: record.id.clone(),
        status: record.status,
        reasons: record.reasons.clone(),
        identity,
        erasure_receipt: receipt.or_else(|| {
            record
                .erasure_receipt
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
        }),
    }
}

/// Erases `checked`, signs the receipt and closes the session as `status`.
async fn close(
    state: &AppState,
    record: &Enrollment,
    mut checked: CheckedEvidence,
    status: EnrollmentStatus,
    reasons: Vec<DecisionReason>,
) -> Result<EnrollmentOutcome, Problem> {
    checked.erase();
    let received = std::mem::take(&mut checked.received);
    drop(checked);
    let now = state.now();
    let receipt = receipt::sign(state, &record.id, received, now)?;
    let closed = state
        .store
        .close_enrollment(
            &record.id,
            &Closing {
                status,
                reasons: &reasons,
                receipt_json: Some(receipt::to_json(&receipt)),
                decided_by: &Actor::System,
            },
            now,
        )
        .await?;
    if !closed {
        return Err(Problem::conflict(
            "already_decided",
            "this session was decided meanwhile",
        ));
    }
    tracing::info!(session = %record.id, ?status, ?reasons, "enrollment decided");
    let mut done = record.clone();
    done.status = status;
    done.reasons = reasons;
    Ok(outcome_of(&done, None, Some(receipt)))
}

/// Issues the credential, erases the evidence and creates the identity. Returns the
/// outcome (with the credential) and the identity id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn approve(
    state: &AppState,
    record: &Enrollment,
    dg1: &[u8],
    dg11: Option<&[u8]>,
    received: Vec<alicem_api::enrollment::ErasedItem>,
    fingerprint: &str,
    expires_at: i64,
    decided_by: &Actor,
) -> Result<(EnrollmentOutcome, Zeroizing<String>), Problem> {
    let now = state.now();
    let device_key = Jwk::parse(record.device_key.as_bytes())
        .map_err(|e| Problem::internal(&format!("stored device key: {e}")))?;
    let credential = Zeroizing::new(issue::credential(state, dg1, dg11, &device_key, now)?);
    let identity = issue::identity(state, &record.id, &device_key, fingerprint, expires_at, now);
    let receipt = receipt::sign(state, &record.id, received, now)?;
    // The contact e-mail becomes the citizen's login identifier (stored as a keyed
    // hash by the provider) before the enrollment's contact data are cleared.
    if let Some(email) = record.email.as_deref() {
        let provider = crate::oidc::app::provider(state)
            .await
            .map_err(|e| Problem::internal(&format!("OpenID provider: {e}")))?;
        provider
            .store
            .link_identifier(&identity.id, email, now)
            .await
            .map_err(|e| Problem::internal(&format!("linking the login identifier: {e}")))?;
    }
    if !state
        .store
        .approve_enrollment(&identity, &receipt::to_json(&receipt), decided_by, now)
        .await?
    {
        return Err(Problem::conflict(
            "already_decided",
            "this session was decided meanwhile",
        ));
    }
    tracing::info!(session = %record.id, identity = %identity.id, "enrollment approved");
    let mut done = record.clone();
    done.status = EnrollmentStatus::Approved;
    done.reasons = Vec::new();
    let outcome = outcome_of(
        &done,
        Some(IssuedIdentity {
            identity_id: identity.id.clone(),
            credential: credential.to_string(),
            level: issue::LEVEL.into(),
        }),
        Some(receipt),
    );
    Ok((outcome, credential))
}

/// Moves the evidence into the in-memory scratch for an agent.
async fn hold(
    state: &AppState,
    record: &Enrollment,
    mut checked: CheckedEvidence,
    status: EnrollmentStatus,
    reasons: Vec<DecisionReason>,
    fingerprint: &str,
    expires_at: i64,
) -> Result<EnrollmentOutcome, Problem> {
    let chip = &mut checked.evidence.chip;
    let mut files = vec![
        (
            "dg1".to_owned(),
            Zeroizing::new(std::mem::take(&mut chip.dg1.0)),
        ),
        (
            "dg2".to_owned(),
            Zeroizing::new(std::mem::take(&mut chip.dg2.0)),
        ),
    ];
    if let Some(dg11) = chip.dg11.as_mut() {
        files.push((
            "dg11".to_owned(),
            Zeroizing::new(std::mem::take(&mut dg11.0)),
        ));
    }
    let frames = checked
        .evidence
        .frames
        .iter_mut()
        .map(|f| {
            (
                Zeroizing::new(std::mem::take(&mut f.jpeg.0)),
                f.timestamp_ms,
            )
        })
        .collect();
    let received = checked.received.clone();
    drop(checked);
    let window = i64::try_from(state.config.enrollment.agent_window_seconds).unwrap_or(0);
    state.scratch.hold(
        &record.id,
        HeldEvidence {
            files,
            frames,
            received: received.clone(),
            erase_by: state.now() + window,
        },
    );
    let stored = state
        .store
        .enrollment_waiting(
            &record.id,
            status,
            &reasons,
            &received,
            fingerprint,
            expires_at,
        )
        .await;
    match stored {
        Ok(true) => {}
        Ok(false) => {
            state.scratch.take(&record.id);
            return Err(Problem::conflict(
                "already_submitted",
                "evidence was already submitted for this session",
            ));
        }
        Err(e) => {
            state.scratch.take(&record.id);
            return Err(e.into());
        }
    }
    tracing::info!(session = %record.id, ?status, "enrollment waiting for an agent");
    let mut done = record.clone();
    done.status = status;
    done.reasons = reasons;
    Ok(outcome_of(&done, None, None))
}

/// `POST /v1/enrollments/{id}/evidence`.
pub async fn evidence(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: DeviceRequest,
) -> Result<Json<EnrollmentOutcome>, Problem> {
    request.require_enrollment(&id)?;
    let record = state
        .store
        .enrollment(&id)
        .await?
        .ok_or_else(|| Problem::not_found("enrollment session"))?;
    if record.status != EnrollmentStatus::Started {
        return Err(Problem::conflict(
            "already_submitted",
            "evidence was already submitted for this session",
        ));
    }
    let now = state.now();
    if now > record.deadline {
        abandon(&state, &record).await?;
        return Err(Problem::new(
            StatusCode::GONE,
            "session_expired",
            "the session's deadline has passed; start a new one",
        ));
    }
    let limits = EvidenceLimits {
        max_frames: state.config.enrollment.max_frames,
        max_frame_bytes: state.config.enrollment.max_frame_bytes,
    };
    let checked = evidence::decode(&request.body, record.path, &limits).map_err(|e| {
        if e.too_large {
            Problem::too_large(e.part, e.detail)
        } else {
            Problem::invalid(e.part, e.detail)
        }
    })?;
    drop(request);

    // Passive/Active Authentication are CPU work: off the async threads.
    let (checked, findings) = {
        let trust = state.trust.clone();
        let challenge = record.challenge.clone();
        tokio::task::spawn_blocking(move || {
            let findings = decision::check_document(&checked.evidence, &challenge, &trust, now);
            (checked, findings)
        })
        .await
        .map_err(|e| Problem::internal(&e))?
    };
    if !findings.errors.is_empty() {
        tracing::info!(session = %id, errors = ?findings.errors, "document checks");
    }
    let fingerprint = state
        .keys
        .document_fingerprint(&findings.issuing_state, &findings.document_number);
    let mut rejections = findings.rejections.clone();
    if state.store.is_reported_lost(&fingerprint).await? {
        rejections.push(DecisionReason::DocumentReportedLost);
    }
    if !rejections.is_empty() {
        let outcome = close(
            &state,
            &record,
            checked,
            EnrollmentStatus::Rejected,
            rejections,
        )
        .await?;
        return Ok(Json(outcome));
    }
    if !findings.review.is_empty() || record.path == EnrollmentPath::Agent {
        let status = if record.path == EnrollmentPath::Agent {
            EnrollmentStatus::AwaitingAgent
        } else {
            EnrollmentStatus::NeedsReview
        };
        let outcome = hold(
            &state,
            &record,
            checked,
            status,
            findings.review.clone(),
            &fingerprint,
            findings.expires_at,
        )
        .await?;
        return Ok(Json(outcome));
    }

    // Face path, document good.
    let Some(face) = state.face.clone() else {
        // No face pipeline configured: a human decides (never an automatic approval).
        let outcome = hold(
            &state,
            &record,
            checked,
            EnrollmentStatus::NeedsReview,
            Vec::new(),
            &fingerprint,
            findings.expires_at,
        )
        .await?;
        return Ok(Json(outcome));
    };
    let script = parse_script(&record.liveness_script);
    let (checked, verdict) = tokio::task::spawn_blocking(move || {
        let frames: Vec<TimedJpeg<'_>> = checked
            .evidence
            .frames
            .iter()
            .map(|f| TimedJpeg {
                jpeg: f.jpeg.as_slice(),
                timestamp_ms: f.timestamp_ms,
            })
            .collect();
        let dg2 = alicem_emrtd::lds::Dg2::parse(checked.evidence.chip.dg2.as_slice());
        let verdict = match dg2 {
            Ok(dg2) => match dg2.faces.first() {
                Some(image) => face.check(&image.data, &frames, &script),
                None => Err(face_check::FaceCheckError("DG2 has no face".into())),
            },
            Err(e) => Err(face_check::FaceCheckError(e.to_string())),
        };
        drop(frames);
        (checked, verdict)
    })
    .await
    .map_err(|e| Problem::internal(&e))?;
    let verdict = match verdict {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(session = %id, error = %e, "face check could not decide");
            let outcome = hold(
                &state,
                &record,
                checked,
                EnrollmentStatus::NeedsReview,
                Vec::new(),
                &fingerprint,
                findings.expires_at,
            )
            .await?;
            return Ok(Json(outcome));
        }
    };
    let mut reasons = Vec::new();
    if !verdict.quality_failures.is_empty() {
        reasons.push(DecisionReason::PoorImageQuality);
    }
    if !verdict.liveness_passed {
        reasons.push(DecisionReason::LivenessFailed);
    }
    if !verdict.matched {
        reasons.push(DecisionReason::FaceMismatch);
    }
    if !reasons.is_empty() {
        let outcome = close(
            &state,
            &record,
            checked,
            EnrollmentStatus::Rejected,
            reasons,
        )
        .await?;
        return Ok(Json(outcome));
    }
    let mut checked = checked;
    let dg1 = Zeroizing::new(checked.evidence.chip.dg1.0.clone());
    let dg11 = checked
        .evidence
        .chip
        .dg11
        .as_ref()
        .map(|b| Zeroizing::new(b.0.clone()));
    checked.erase();
    let mut received = std::mem::take(&mut checked.received);
    received.push(evidence::item("face_templates", b""));
    drop(checked);
    let (outcome, _credential) = approve(
        &state,
        &record,
        &dg1,
        dg11.as_ref().map(|d| d.as_slice()),
        received,
        &fingerprint,
        findings.expires_at,
        &Actor::System,
    )
    .await?;
    Ok(Json(outcome))
}

/// Abandons an open session: erases anything held and signs a receipt for it.
pub async fn abandon(state: &AppState, record: &Enrollment) -> Result<(), Problem> {
    let held = state.scratch.take(&record.id);
    let mut items = held
        .as_ref()
        .map(|h| h.received.clone())
        .unwrap_or_else(|| record.received_items());
    drop(held);
    let now = state.now();
    let receipt_json = if items.is_empty() {
        None
    } else {
        let receipt = receipt::sign(state, &record.id, std::mem::take(&mut items), now)?;
        Some(receipt::to_json(&receipt))
    };
    state
        .store
        .close_enrollment(
            &record.id,
            &Closing {
                status: EnrollmentStatus::Abandoned,
                reasons: &[],
                receipt_json,
                decided_by: &Actor::System,
            },
            now,
        )
        .await?;
    Ok(())
}

/// `GET /v1/enrollments/{id}`.
pub async fn outcome(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: DeviceRequest,
) -> Result<Json<EnrollmentOutcome>, Problem> {
    request.require_enrollment(&id)?;
    let mut record = state
        .store
        .enrollment(&id)
        .await?
        .ok_or_else(|| Problem::not_found("enrollment session"))?;
    let now = state.now();
    let overdue = (record.status == EnrollmentStatus::Started && now > record.deadline)
        || (record.is_waiting() && !state.scratch.is_held(&id));
    if overdue {
        abandon(&state, &record).await?;
        record = state
            .store
            .enrollment(&id)
            .await?
            .ok_or_else(|| Problem::not_found("enrollment session"))?;
    }
    let identity = match (&record.status, &record.identity_id) {
        (EnrollmentStatus::Approved, Some(identity_id)) => {
            state
                .scratch
                .take_pickup(&id)
                .map(|credential| IssuedIdentity {
                    identity_id: identity_id.clone(),
                    credential: credential.to_string(),
                    level: issue::LEVEL.into(),
                })
        }
        _ => None,
    };
    Ok(Json(outcome_of(&record, identity, None)))
}

/// `POST /v1/enrollments/{id}/pin`.
pub async fn register_pin(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: DeviceRequest,
) -> Result<StatusCode, Problem> {
    request.require_enrollment(&id)?;
    let registration: PinRegistration = request.json()?;
    let record = state
        .store
        .enrollment(&id)
        .await?
        .ok_or_else(|| Problem::not_found("enrollment session"))?;
    let Some(identity_id) = record
        .identity_id
        .filter(|_| record.status == EnrollmentStatus::Approved)
    else {
        return Err(Problem::conflict(
            "not_approved",
            "this enrollment is not approved",
        ));
    };
    let verifier = PinVerifier::register(&state.keys.pepper, &identity_id, &registration)
        .map_err(|e| Problem::invalid("public_key", e.to_string()))?;
    let now = state.now();
    if !state
        .store
        .register_pin(&identity_id, &verifier, now)
        .await?
    {
        return Err(Problem::conflict(
            "pin_already_registered",
            "the PIN of this identity is already registered",
        ));
    }
    state
        .store
        .audit(
            now,
            &Actor::Citizen(identity_id.clone()),
            "identity.pin_registered",
            &identity_id,
            "",
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
