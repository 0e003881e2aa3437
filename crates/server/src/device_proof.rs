//! Device-proof verification (see `alicem_api::device_proof`): the extractor
//! [`DeviceRequest`] reads the body, checks the `alicem-device-proof` header (an ES256
//! JWS by the device key of `sub`, over method, path, body hash, a fresh `iat` and a
//! never-seen `jti`) and hands the handler the verified subject and the body bytes.
//!
//! Usage: `async fn handler(State(s): State<AppState>, req: DeviceRequest)`, then
//! `req.require_identity()?` or `req.require_enrollment(&id)?` and `req.json::<T>()?`.

use alicem_api::device_proof::{DeviceProofClaims, HEADER, MAX_AGE_SECONDS, PROOF_TYPE, body_hash};
use alicem_credential::jose::jws::Limits;
use alicem_credential::jose::{Jwk, UnverifiedJws};
use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Request};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::problem::Problem;
use crate::state::AppState;
use crate::store::identities::DeviceSubject;

/// Largest accepted proof header.
const MAX_PROOF_LEN: usize = 4096;
/// Smallest and largest `jti` (base64url of at least 16 random bytes).
const MIN_JTI_LEN: usize = 22;
const MAX_JTI_LEN: usize = 128;

/// Whose device signed the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An enrollment session (before approval, and to fetch the outcome / register
    /// the PIN).
    Enrollment(String),
    /// An identity.
    Identity(String),
}

/// A request whose device proof verified.
#[derive(Debug)]
pub struct DeviceRequest {
    pub subject: Subject,
    /// The key that signed (the subject's device key).
    pub device_key: Jwk,
    /// The exact body the proof covers.
    pub body: Bytes,
}

impl DeviceRequest {
    /// The identity id, or 403 if the proof is by an enrollment session.
    pub fn require_identity(&self) -> Result<&str, Problem> {
        match &self.subject {
            Subject::Identity(id) => Ok(id),
            Subject::Enrollment(_) => Err(Problem::forbidden(
                "this request needs the device proof of an identity",
            )),
        }
    }

    /// Checks the proof is by the enrollment session `id` (the path's).
    pub fn require_enrollment(&self, id: &str) -> Result<(), Problem> {
        match &self.subject {
            Subject::Enrollment(sub) if sub == id => Ok(()),
            _ => Err(Problem::forbidden(
                "the device proof is not by this enrollment session's device",
            )),
        }
    }

    /// The body as JSON of type `T`; a 400 naming the body otherwise.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        serde_json::from_slice(&self.body).map_err(|e| Problem::invalid("body", e.to_string()))
    }
}

impl FromRequest<AppState> for DeviceRequest {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let method = request.method().as_str().to_owned();
        let path = request
            .extensions()
            .get::<OriginalUri>()
            .map(|u| u.0.path().to_owned())
            .unwrap_or_else(|| request.uri().path().to_owned());
        let header = request
            .headers()
            .get(HEADER)
            .ok_or_else(|| Problem::unauthorized(format!("the {HEADER} header is missing")))?
            .to_str()
            .map_err(|_| Problem::unauthorized("the device proof is not ASCII"))?
            .to_owned();
        let limit = state.config.enrollment.max_evidence_bytes;
        let body = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| Problem::too_large("body", format!("the body exceeds {limit} bytes")))?;
        let (subject, device_key) = verify(state, &header, &method, &path, &body).await?;
        Ok(Self {
            subject,
            device_key,
            body,
        })
    }
}

/// The whole check; every refusal is a 401 that says what was wrong.
async fn verify(
    state: &AppState,
    header: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<(Subject, Jwk), Problem> {
    let bad = |m: &str| Problem::unauthorized(format!("device proof: {m}"));
    let jws = UnverifiedJws::parse_with_limits(
        header,
        Limits {
            max_len: MAX_PROOF_LEN,
        },
    )
    .map_err(|e| bad(&e.to_string()))?;
    jws.header()
        .expect_typ(PROOF_TYPE)
        .map_err(|e| bad(&e.to_string()))?;
    // Only to find the key: trusted once the signature verifies.
    let unverified: DeviceProofClaims = serde_json::from_slice(jws.unverified_payload())
        .map_err(|_| bad("the claims are malformed"))?;
    if unverified.sub.is_empty() || unverified.sub.len() > 128 {
        return Err(bad("bad sub"));
    }
    let known = state
        .store
        .device_key_of(&unverified.sub)
        .await?
        .ok_or_else(|| bad("unknown sub"))?;
    let jwk = Jwk::parse(known.device_key().as_bytes())
        .map_err(|e| Problem::internal(&format!("stored device key: {e}")))?;
    let key = jwk
        .verifying_key()
        .map_err(|e| Problem::internal(&format!("stored device key: {e}")))?;
    let verified = jws
        .verify(&key)
        .map_err(|_| bad("the signature does not verify with the device key of sub"))?;
    let claims: DeviceProofClaims =
        serde_json::from_slice(verified.payload()).map_err(|_| bad("the claims are malformed"))?;
    if claims.htm != method {
        return Err(bad("htm is not this request's method"));
    }
    if claims.htp != path {
        return Err(bad("htp is not this request's path"));
    }
    let expected = body_hash(body);
    if !bool::from(claims.body_sha256.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(bad("body_sha256 is not the hash of this body"));
    }
    let now = state.now();
    let iat = i64::try_from(claims.iat).map_err(|_| bad("iat out of range"))?;
    let max_age = i64::try_from(MAX_AGE_SECONDS).unwrap_or(60);
    if (now - iat).abs() > max_age {
        return Err(bad("iat is too old or in the future"));
    }
    if claims.jti.len() < MIN_JTI_LEN
        || claims.jti.len() > MAX_JTI_LEN
        || !claims
            .jti
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad("jti must be 22 to 128 base64url characters"));
    }
    // Remembered past the last instant the proof could still be accepted.
    if !state
        .store
        .remember_jti(&claims.jti, iat + max_age + 1)
        .await?
    {
        return Err(bad("jti was already used (replay)"));
    }
    let subject = match known {
        DeviceSubject::Identity { .. } => Subject::Identity(claims.sub),
        DeviceSubject::Enrollment { .. } => Subject::Enrollment(claims.sub),
    };
    Ok((subject, jwk))
}
