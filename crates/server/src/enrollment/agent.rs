//! An agent's decision on a waiting session (agent path, or review): the evidence
//! held in memory is used (approval issues the credential from it) and erased either
//! way; the decision is audited with the agent's login.

use alicem_api::enrollment::{DecisionReason, EnrollmentStatus};

use crate::problem::Problem;
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::enrollments::Closing;

use super::receipt;

/// What the agent decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentDecision {
    /// The agent saw the citizen and the physical document (in person) or compared
    /// the chip photo with the live video, and approves.
    Approve,
    Refuse,
}

/// Applies an agent's decision to session `session_id`; returns the new status.
pub async fn decide(
    state: &AppState,
    session_id: &str,
    agent_login: &str,
    decision: AgentDecision,
) -> Result<EnrollmentStatus, Problem> {
    let record = state
        .store
        .enrollment(session_id)
        .await?
        .ok_or_else(|| Problem::not_found("enrollment session"))?;
    if !record.is_waiting() {
        return Err(Problem::conflict(
            "wrong_state",
            "this session is not waiting for an agent",
        ));
    }
    let actor = Actor::Agent(agent_login.to_owned());
    let Some(held) = state.scratch.take(session_id) else {
        // Erased (restart or past its window): nothing left to decide on.
        super::abandon(state, &record).await?;
        return Err(Problem::conflict(
            "evidence_erased",
            "the evidence of this session was erased; the citizen must start again",
        ));
    };
    match decision {
        AgentDecision::Refuse => {
            let now = state.now();
            let receipt = receipt::sign(state, session_id, held.received.clone(), now)?;
            drop(held);
            state
                .store
                .close_enrollment(
                    session_id,
                    &Closing {
                        status: EnrollmentStatus::Rejected,
                        reasons: &[DecisionReason::RefusedByAgent],
                        receipt_json: Some(receipt::to_json(&receipt)),
                        decided_by: &actor,
                    },
                    now,
                )
                .await?;
            Ok(EnrollmentStatus::Rejected)
        }
        AgentDecision::Approve => {
            let (Some(fingerprint), Some(expires_at)) = (
                record.document_fingerprint.clone(),
                record.document_expires_at,
            ) else {
                return Err(Problem::internal(&"waiting session without document data"));
            };
            let dg1 = held
                .file("dg1")
                .map(<[u8]>::to_vec)
                .map(zeroize::Zeroizing::new)
                .ok_or_else(|| Problem::internal(&"held evidence without DG1"))?;
            let dg11 = held
                .file("dg11")
                .map(|b| zeroize::Zeroizing::new(b.to_vec()));
            let received = held.received.clone();
            drop(held);
            let (_, credential) = super::approve(
                state,
                &record,
                &dg1,
                dg11.as_ref().map(|d| d.as_slice()),
                received,
                &fingerprint,
                expires_at,
                &actor,
            )
            .await?;
            // The wallet fetches it once by polling; memory only.
            let window = i64::try_from(state.config.enrollment.agent_window_seconds).unwrap_or(0);
            state
                .scratch
                .put_pickup(session_id, credential.to_string(), state.now() + window);
            Ok(EnrollmentStatus::Approved)
        }
    }
}
