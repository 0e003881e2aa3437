//! Enrollment: start a session, upload the evidence, receive the decision.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Bytes;

/// How the citizen proves they are the document's holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentPath {
    /// Live selfie frames matched against the chip photo.
    Face,
    /// No face recognition: an agent checks the citizen in person or by video.
    Agent,
}

/// One step of the liveness script. Directions are the citizen's own: on `TurnLeft`
/// the citizen turns to their left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LivenessAction {
    TurnLeft,
    TurnRight,
    Smile,
    Nod,
}

impl LivenessAction {
    pub const ALL: [LivenessAction; 4] = [
        LivenessAction::TurnLeft,
        LivenessAction::TurnRight,
        LivenessAction::Smile,
        LivenessAction::Nod,
    ];

    /// The `snake_case` name, as in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            LivenessAction::TurnLeft => "turn_left",
            LivenessAction::TurnRight => "turn_right",
            LivenessAction::Smile => "smile",
            LivenessAction::Nod => "nod",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

/// `POST /v1/enrollments`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartEnrollment {
    /// The device's P-256 public key as a JWK (`kty` EC, `crv` P-256, no private part).
    #[schema(value_type = Object)]
    pub device_key: serde_json::Value,
    pub email: String,
    pub phone: String,
    pub terms_version: String,
    pub path: EnrollmentPath,
}

/// The answer to [`StartEnrollment`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentSession {
    pub session_id: String,
    /// 8 random bytes for Active Authentication (INTERNAL AUTHENTICATE).
    pub challenge: Bytes,
    /// Three actions for the face path (empty on the agent path).
    pub liveness_script: Vec<LivenessAction>,
    /// Unix seconds after which the session is abandoned (and anything received erased).
    pub deadline: u64,
    /// Short code the citizen shows an agent (agent path), e.g. `"K7Q-4M2"`.
    pub session_code: String,
}

/// The chip's files as read, byte for byte (`None` when the chip has no such file).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChipFiles {
    pub ef_com: Bytes,
    pub ef_sod: Bytes,
    pub dg1: Bytes,
    pub dg2: Bytes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg11: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg14: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg15: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ef_card_access: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ef_card_security: Option<Bytes>,
}

/// The anti-clone proof bound to this session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AntiCloneEvidence {
    /// The chip's INTERNAL AUTHENTICATE answer to the session's challenge.
    ActiveAuthentication { signature: Bytes },
    /// No AA key on the chip: nothing the server can check itself (the wallet's
    /// report of CA is not evidence), so the decision falls to review.
    None,
}

/// One selfie frame.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SelfieFrame {
    pub jpeg: Bytes,
    /// Milliseconds since the first frame.
    pub timestamp_ms: u64,
}

/// `POST /v1/enrollments/{id}/evidence`, signed with a device proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub chip: ChipFiles,
    pub anti_clone: AntiCloneEvidence,
    /// Face path only, in capture order.
    #[serde(default)]
    pub frames: Vec<SelfieFrame>,
}

/// Where an enrollment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    /// Session started, no evidence yet.
    Started,
    /// Agent path: evidence received, waiting for an agent.
    AwaitingAgent,
    /// Automatic checks inconclusive: waiting for an agent's review.
    NeedsReview,
    Approved,
    Rejected,
    /// Deadline passed without a decision.
    Abandoned,
}

/// Why an enrollment was rejected (or sent to review). Stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionReason {
    /// SOD signature, DSC chain or a data-group hash does not verify.
    DocumentNotAuthentic,
    /// The DSC chains to no trusted CSCA.
    UnknownIssuer,
    /// The DSC is on a CRL.
    SignerRevoked,
    /// The document's issuing state differs from the CSCA's country.
    CountryMismatch,
    /// Active Authentication failed for this session's challenge (clone or replay).
    ChipNotGenuine,
    /// The chip offers no anti-clone proof the server can check.
    NoAntiCloneProof,
    /// The document has expired.
    DocumentExpired,
    /// The document is reported lost or stolen.
    DocumentReportedLost,
    /// DG1 and the MRZ disagree, or a mandatory data group is missing.
    InconsistentData,
    /// A selfie frame is unusable (no face, two faces, too small, blurred…).
    PoorImageQuality,
    /// The liveness script was not followed, in order, by one face.
    LivenessFailed,
    /// The face does not match the chip photo.
    FaceMismatch,
    /// An agent refused.
    RefusedByAgent,
}

/// What the server erased, and when: the citizen's proof that biometrics and
/// civil-status data were not kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErasureReceipt {
    /// Compact JWS (ES256, by the server's receipt key) over [`ErasureReceiptClaims`].
    pub jws: String,
    pub claims: ErasureReceiptClaims,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErasureReceiptClaims {
    pub iss: String,
    pub session_id: String,
    pub items: Vec<ErasedItem>,
    /// Unix seconds.
    pub erased_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErasedItem {
    /// `"dg2"`, `"dg1"`, `"dg11"`, `"frame[0]"`, `"face_templates"`…
    pub item: String,
    pub bytes: u64,
    /// base64url SHA-256 of what was received.
    pub sha256: String,
}

/// The result of an enrollment, as answered to the evidence upload and to polling.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentOutcome {
    pub session_id: String,
    pub status: EnrollmentStatus,
    #[serde(default)]
    pub reasons: Vec<DecisionReason>,
    /// Approved only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IssuedIdentity>,
    /// Once anything biometric or civil-status was received and erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erasure_receipt: Option<ErasureReceipt>,
}

/// What an approved wallet receives.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedIdentity {
    pub identity_id: String,
    /// The SD-JWT VC (issuer-signed JWT and all disclosures, `~`-separated).
    pub credential: String,
    /// `eidas3` for chip + face or agent.
    pub level: String,
}
