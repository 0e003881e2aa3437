//! The citizen's own identity: status, connection history, suspension, revocation,
//! deletion and PIN change. Reading is authenticated by the device key alone; every
//! change needs the PIN, proved over a single-use server challenge for that purpose.

use alicem_api::account::{
    AccountStatus, ChallengeGrant, ChallengePurpose, ChallengeRequest, History, LifecycleRequest,
    PinChangeRequest,
};
use alicem_api::paths;
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::pin::{Pin, PinPurpose, ProofContext};

use crate::client::http::{HttpClient, Method};
use crate::client::{Client, ClientError, NO_BODY, Signed};
use crate::records::HistoryCopy;

/// A change of the identity's state, by the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleAction {
    /// Temporarily unusable (phone lost, maybe found again): an agent or a
    /// re-enrollment resumes it.
    Suspend,
    /// For good: the credential is dead; a new enrollment makes a new identity.
    Revoke,
    /// Revoke and erase the account (the connection history is kept only as long as
    /// the law requires).
    Delete,
}

impl LifecycleAction {
    fn purpose(self) -> ChallengePurpose {
        match self {
            LifecycleAction::Suspend => ChallengePurpose::Suspend,
            LifecycleAction::Revoke => ChallengePurpose::Revoke,
            LifecycleAction::Delete => ChallengePurpose::Delete,
        }
    }

    fn path(self) -> &'static str {
        match self {
            LifecycleAction::Suspend => paths::ACCOUNT_SUSPEND,
            LifecycleAction::Revoke => paths::ACCOUNT_REVOKE,
            LifecycleAction::Delete => paths::ACCOUNT_DELETE,
        }
    }
}

impl<H: HttpClient> Client<H> {
    /// The identity's state on the server.
    pub fn status(&self) -> Result<AccountStatus, ClientError> {
        let identity = self.identity_id()?;
        self.call(
            Method::Get,
            paths::ACCOUNT,
            NO_BODY,
            Signed::As(&identity),
            "reading the account status",
        )
    }

    /// Fetches the connection history and keeps a copy in the wallet.
    pub fn fetch_history(&mut self) -> Result<History, ClientError> {
        let identity = self.identity_id()?;
        let history: History = self.call(
            Method::Get,
            paths::ACCOUNT_HISTORY,
            NO_BODY,
            Signed::As(&identity),
            "reading the connection history",
        )?;
        let entries = history
            .entries
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok())
            .collect();
        self.wallet_mut().store_history(&HistoryCopy {
            fetched_at: now_unix(),
            entries,
        })?;
        Ok(history)
    }

    fn challenge(
        &self,
        identity: &str,
        purpose: ChallengePurpose,
    ) -> Result<ChallengeGrant, ClientError> {
        self.call(
            Method::Post,
            paths::ACCOUNT_CHALLENGES,
            Some(&ChallengeRequest { purpose }),
            Signed::As(identity),
            "asking for a PIN challenge",
        )
    }

    /// Suspends, revokes or deletes the identity with the PIN. After a revocation or
    /// a deletion the wallet forgets the credential (and, for a deletion, the identity
    /// id); the history copy and the erasure receipts stay.
    pub fn lifecycle(
        &mut self,
        action: LifecycleAction,
        pin: &Pin,
    ) -> Result<AccountStatus, ClientError> {
        let identity = self.identity_id()?;
        let grant = self.challenge(&identity, action.purpose())?;
        self.settle_pin_secret(&grant.challenge)?;
        let thumbprint = self.wallet().device_key().thumbprint();
        let pin_proof = self.wallet().prove_pin(
            pin,
            &grant.challenge,
            &ProofContext {
                purpose: PinPurpose::Lifecycle,
                account: &identity,
                request: &grant.challenge_id,
                device_key_thumbprint: &thumbprint,
            },
        )?;
        let status: AccountStatus = self.call(
            Method::Post,
            action.path(),
            Some(&LifecycleRequest {
                challenge_id: grant.challenge_id,
                pin_proof,
            }),
            Signed::As(&identity),
            "changing the identity's state",
        )?;
        match action {
            LifecycleAction::Suspend => {}
            LifecycleAction::Revoke => self.wallet_mut().remove_credential()?,
            LifecycleAction::Delete => {
                self.wallet_mut().remove_credential()?;
                self.wallet_mut().clear_account_id()?;
            }
        }
        Ok(status)
    }

    /// Changes the PIN: proves the current one and registers a key made from the new
    /// one and a new device secret. The new secret is kept aside until the server
    /// accepts, so a crash or a lost answer never leaves the wallet without the secret
    /// the server expects (see `docs/pin.md`).
    pub fn change_pin(&mut self, current: &Pin, new: &Pin) -> Result<(), ClientError> {
        let identity = self.identity_id()?;
        let grant = self.challenge(&identity, ChallengePurpose::ChangePin)?;
        self.settle_pin_secret(&grant.challenge)?;
        let thumbprint = self.wallet().device_key().thumbprint();
        let change = self.wallet_mut().begin_pin_change(
            current,
            new,
            &grant.challenge,
            &ProofContext {
                purpose: PinPurpose::ChangePin,
                account: &identity,
                request: &grant.challenge_id,
                device_key_thumbprint: &thumbprint,
            },
        )?;
        let answer = self.call_empty(
            Method::Post,
            paths::ACCOUNT_PIN,
            Some(&PinChangeRequest {
                challenge_id: grant.challenge_id,
                change,
            }),
            Signed::As(&identity),
            "changing the PIN",
        );
        match answer {
            Ok(()) => Ok(self.wallet_mut().commit_pin_change()?),
            // Refused: the server kept the old verifier.
            Err(refused @ ClientError::Server { .. }) => {
                self.wallet_mut().abort_pin_change()?;
                Err(refused)
            }
            // No answer: the change may or may not have happened. The pending secret
            // stays; the next challenge names the one the server has.
            Err(other) => Err(other),
        }
    }
}
