//! The enrollment client, step by step (see DESIGN's "Enrollment" flows):
//!
//! 1. [`Client::start_enrollment`]: `POST /v1/enrollments` with the device's public
//!    key; the server answers a session (AA challenge, liveness script, deadline).
//! 2. [`StartedEnrollment::read_chip`]: open the chip and read the evidence, running
//!    Active Authentication on the session's challenge.
//! 3. [`StartedEnrollment::capture`] (face path): play the liveness script with a
//!    [`FrameSource`].
//! 4. [`Client::submit_evidence`]: upload, signed with the device key; the answer is
//!    a [`Decision`]. On the agent path it is pending until an agent decides:
//!    [`Client::poll_enrollment`].
//! 5. The erasure receipt and, on approval, the credential are checked against the
//!    server's issuer keys (`/.well-known/jwt-vc-issuer`) and stored (the credential
//!    only if bound to this device's key); [`Client::register_pin`] then registers the chosen PIN.
//!
//! The session in progress is kept in the wallet (record `enrollment`), so polling and
//! PIN registration survive a restart of the app.

mod chip;
mod frames;

use alicem_api::enrollment::{
    DecisionReason, EnrollmentOutcome, EnrollmentPath, EnrollmentSession, EnrollmentStatus,
    ErasureReceiptClaims, Evidence, LivenessAction, SelfieFrame, StartEnrollment,
};
use alicem_api::{Bytes, paths};
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::jose::{JwkSet, UnverifiedJws};
use alicem_credential::pin::Pin;
use alicem_credential::sd_jwt::SdJwtCredential;
use alicem_emrtd::mrz::AccessKey;
use alicem_emrtd::transport::Transport;
use zeroize::Zeroize;

pub use chip::{ChipEvent, ChipEvidence, read_chip};
pub use frames::{
    FRAME_INTERVAL_MS, FolderFrames, Frame, FrameError, FrameSource, MAX_FRAME_LEN, MAX_FRAMES,
};

use crate::client::http::{HttpClient, Method};
use crate::client::{Client, ClientError, NO_BODY, Signed};
use crate::records::{ErasureReceipt, PendingEnrollment};

/// The credential issuer's metadata (SD-JWT VC): its identifier and the keys that sign
/// credentials and erasure receipts.
pub const ISSUER_METADATA_PATH: &str = "/.well-known/jwt-vc-issuer";

#[derive(serde::Deserialize)]
struct IssuerMetadata {
    issuer: String,
    jwks: serde_json::Value,
}

/// The version of the terms of use this wallet shows and the citizen accepts.
pub const TERMS_VERSION: &str = "2026-01";

/// What the citizen gives to start.
#[derive(Debug, Clone)]
pub struct EnrollmentRequest<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub terms_version: &'a str,
    pub path: EnrollmentPath,
}

/// A session the server opened: its challenge and script drive the next steps.
#[derive(Debug, Clone)]
pub struct StartedEnrollment {
    session: EnrollmentSession,
    path: EnrollmentPath,
}

/// One instruction of the liveness script, to show before its frames are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based.
    pub step: usize,
    pub of: usize,
    pub action: LivenessAction,
}

impl StartedEnrollment {
    pub fn session(&self) -> &EnrollmentSession {
        &self.session
    }

    pub fn path(&self) -> EnrollmentPath {
        self.path
    }

    /// The server's Active Authentication challenge (8 bytes).
    pub fn challenge(&self) -> Result<[u8; 8], ClientError> {
        self.session
            .challenge
            .as_slice()
            .try_into()
            .map_err(|_| ClientError::BadSession("the challenge is not 8 bytes"))
    }

    /// Reads the chip through `transport` with `key`, answering this session's
    /// challenge.
    pub fn read_chip<T: Transport>(
        &self,
        transport: T,
        key: &AccessKey,
        events: &mut dyn FnMut(ChipEvent),
    ) -> Result<ChipEvidence, ClientError> {
        read_chip(transport, key, &self.challenge()?, events)
    }

    /// Plays the liveness script: `show` is called with each instruction before
    /// `source` captures its frames. Empty on the agent path.
    pub fn capture(
        &self,
        source: &mut dyn FrameSource,
        show: &mut dyn FnMut(Instruction),
    ) -> Result<Vec<Frame>, ClientError> {
        if self.path == EnrollmentPath::Agent {
            return Ok(Vec::new());
        }
        let script = &self.session.liveness_script;
        if script.is_empty() {
            return Err(ClientError::BadSession(
                "the face path needs a liveness script",
            ));
        }
        let mut frames = source.neutral()?;
        for (index, action) in script.iter().enumerate() {
            show(Instruction {
                step: index + 1,
                of: script.len(),
                action: *action,
            });
            frames.extend(source.capture(index, *action)?);
        }
        Ok(frames)
    }
}

/// The server's answer about an enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Credential stored; register the PIN next ([`Client::register_pin`]).
    Approved {
        identity_id: String,
        level: String,
    },
    Rejected {
        reasons: Vec<DecisionReason>,
    },
    /// Waiting for an agent (agent path, or automatic checks inconclusive).
    Pending {
        status: EnrollmentStatus,
        session_code: String,
        reasons: Vec<DecisionReason>,
    },
    /// The deadline passed without a decision.
    Abandoned,
}

fn path_name(path: EnrollmentPath) -> &'static str {
    match path {
        EnrollmentPath::Face => "face",
        EnrollmentPath::Agent => "agent",
    }
}

impl<H: HttpClient> Client<H> {
    /// Step 1: opens a session with the server and remembers it in the wallet.
    pub fn start_enrollment(
        &mut self,
        request: &EnrollmentRequest<'_>,
    ) -> Result<StartedEnrollment, ClientError> {
        if self.wallet().profile().account_id.is_some() {
            return Err(ClientError::BadSession(
                "this wallet already holds an identity",
            ));
        }
        let start = StartEnrollment {
            device_key: self.wallet().device_key().public_jwk().to_json(),
            email: request.email.to_owned(),
            phone: request.phone.to_owned(),
            terms_version: request.terms_version.to_owned(),
            path: request.path,
        };
        let session: EnrollmentSession = self.call(
            Method::Post,
            paths::ENROLLMENTS,
            Some(&start),
            Signed::No,
            "starting an enrollment",
        )?;
        if session.session_id.is_empty() {
            return Err(ClientError::BadSession("empty session id"));
        }
        let started = StartedEnrollment {
            session,
            path: request.path,
        };
        started.challenge()?;
        self.wallet_mut().store_enrollment(&PendingEnrollment {
            session_id: started.session.session_id.clone(),
            path: path_name(request.path).to_owned(),
            session_code: started.session.session_code.clone(),
            deadline: started.session.deadline,
            approved: false,
        })?;
        Ok(started)
    }

    /// Step 4: uploads the evidence, signed with the device key over the session id,
    /// and acts on the answer.
    pub fn submit_evidence(
        &mut self,
        started: &StartedEnrollment,
        chip: ChipEvidence,
        frames: Vec<Frame>,
    ) -> Result<Decision, ClientError> {
        let session_id = started.session.session_id.clone();
        let mut evidence = Evidence {
            chip: chip.files.clone(),
            anti_clone: chip.anti_clone.clone(),
            frames: frames
                .iter()
                .map(|f| SelfieFrame {
                    jpeg: Bytes(f.jpeg.to_vec()),
                    timestamp_ms: f.timestamp_ms,
                })
                .collect(),
        };
        drop(chip);
        drop(frames);
        let answer = self.call::<EnrollmentOutcome>(
            Method::Post,
            &paths::evidence(&session_id),
            Some(&evidence),
            Signed::As(&session_id),
            "uploading the enrollment evidence",
        );
        chip::wipe_files(&mut evidence.chip);
        for frame in &mut evidence.frames {
            frame.jpeg.0.zeroize();
        }
        self.apply_outcome(&session_id, answer?)
    }

    /// Asks the server where the enrollment in progress stands (agent path, review).
    pub fn poll_enrollment(&mut self) -> Result<Decision, ClientError> {
        let pending = self
            .wallet()
            .enrollment()?
            .ok_or(ClientError::NoEnrollment)?;
        if pending.approved {
            return Ok(Decision::Approved {
                identity_id: self.identity_id()?,
                level: String::new(),
            });
        }
        let outcome: EnrollmentOutcome = self.call(
            Method::Get,
            &paths::enrollment(&pending.session_id),
            NO_BODY,
            Signed::As(&pending.session_id),
            "polling the enrollment",
        )?;
        self.apply_outcome(&pending.session_id, outcome)
    }

    /// The server's credential issuer identifier and keys.
    fn issuer_keys(&self) -> Result<(String, JwkSet), ClientError> {
        let metadata: IssuerMetadata = self.call(
            Method::Get,
            ISSUER_METADATA_PATH,
            NO_BODY,
            Signed::No,
            "reading the issuer's keys",
        )?;
        let keys = JwkSet::parse(metadata.jwks.to_string().as_bytes())
            .map_err(|_| ClientError::BadSession("the issuer's keys are malformed"))?;
        Ok((metadata.issuer, keys))
    }

    /// Stores what an outcome brings (receipt, credential) and returns the decision.
    /// Both must be signed by the server's issuer key: a receipt the server cannot be
    /// held to is worthless, and a credential it did not sign would be refused at
    /// every login.
    fn apply_outcome(
        &mut self,
        session_id: &str,
        outcome: EnrollmentOutcome,
    ) -> Result<Decision, ClientError> {
        if outcome.session_id != session_id {
            return Err(ClientError::BadSession(
                "the answer is about another session",
            ));
        }
        let needs_keys =
            outcome.erasure_receipt.is_some() || outcome.status == EnrollmentStatus::Approved;
        let keys = if needs_keys {
            Some(self.issuer_keys()?)
        } else {
            None
        };
        if let (Some(receipt), Some((issuer, keys))) = (&outcome.erasure_receipt, &keys) {
            let signed = UnverifiedJws::parse(&receipt.jws)
                .and_then(|jws| jws.verify_with_set(keys))
                .map_err(|_| ClientError::BadReceipt("its signature does not verify"))?;
            let claims: ErasureReceiptClaims = serde_json::from_slice(signed.payload())
                .map_err(|_| ClientError::BadReceipt("its signed claims are malformed"))?;
            if claims != receipt.claims {
                return Err(ClientError::BadReceipt(
                    "the signed claims differ from the shown ones",
                ));
            }
            if claims.session_id != session_id || &claims.iss != issuer {
                return Err(ClientError::BadReceipt(
                    "it is about another session or issuer",
                ));
            }
            let body = serde_json::to_value(receipt)
                .map_err(|_| ClientError::BadSession("the erasure receipt cannot be stored"))?;
            self.wallet_mut().add_receipt(ErasureReceipt {
                id: session_id.to_owned(),
                received_at: now_unix(),
                body,
            })?;
        }
        match outcome.status {
            EnrollmentStatus::Approved => {
                let identity = outcome
                    .identity
                    .ok_or(ClientError::BadSession("approved without an identity"))?;
                if let Some((issuer, keys)) = &keys {
                    let credential = SdJwtCredential::parse(&identity.credential)?;
                    credential.verify_issuer(keys)?;
                    if credential.payload().iss.as_deref() != Some(issuer.as_str()) {
                        return Err(ClientError::BadSession(
                            "the credential names another issuer",
                        ));
                    }
                }
                // Checks the credential is bound to this device's key before keeping it.
                self.wallet_mut().store_credential(&identity.credential)?;
                self.wallet_mut().set_account_id(&identity.identity_id)?;
                if let Some(mut pending) = self.wallet().enrollment()? {
                    pending.approved = true;
                    self.wallet_mut().store_enrollment(&pending)?;
                }
                Ok(Decision::Approved {
                    identity_id: identity.identity_id,
                    level: identity.level,
                })
            }
            EnrollmentStatus::Rejected => {
                self.wallet_mut().clear_enrollment()?;
                Ok(Decision::Rejected {
                    reasons: outcome.reasons,
                })
            }
            EnrollmentStatus::Abandoned => {
                self.wallet_mut().clear_enrollment()?;
                Ok(Decision::Abandoned)
            }
            status @ (EnrollmentStatus::Started
            | EnrollmentStatus::AwaitingAgent
            | EnrollmentStatus::NeedsReview) => Ok(Decision::Pending {
                status,
                session_code: self
                    .wallet()
                    .enrollment()?
                    .map(|p| p.session_code)
                    .unwrap_or_default(),
                reasons: outcome.reasons,
            }),
        }
    }

    /// Step 5: registers the PIN chosen after approval (the public half of the PIN
    /// key; the PIN itself never leaves the phone). Use a PIN made with
    /// [`Pin::new_chosen`].
    pub fn register_pin(&mut self, pin: &Pin) -> Result<(), ClientError> {
        let pending = self
            .wallet()
            .enrollment()?
            .ok_or(ClientError::NoEnrollment)?;
        if !pending.approved {
            return Err(ClientError::Undecided(pending.session_id));
        }
        let registration = self.wallet().pin_secret()?.register(pin)?;
        self.call_empty(
            Method::Post,
            &paths::enrollment_pin(&pending.session_id),
            Some(&registration),
            Signed::As(&pending.session_id),
            "registering the PIN",
        )?;
        self.wallet_mut().clear_enrollment()?;
        Ok(())
    }
}
