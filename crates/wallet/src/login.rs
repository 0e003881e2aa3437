//! Approving an OpenID Connect login from the phone: the server lists the logins
//! waiting for this identity; the citizen compares the code shown in the browser,
//! enters the PIN, and the wallet answers with
//!
//! - a PIN proof (purpose `Login`, bound to the identity, the login id, the device key
//!   and the login's single-use challenge), and
//! - an SD-JWT presentation disclosing only the claims the service provider asked
//!   for, with a Key-Binding JWT carrying the login's nonce and audience,
//!
//! both signed over values of this one login, so neither can be replayed for another.

use alicem_api::login::{LoginApproval, PendingLogin, PendingLogins};
use alicem_api::paths;
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::pin::{Pin, PinPurpose, ProofContext};
use alicem_credential::sd_jwt::KeyBindingInput;

use crate::client::http::{HttpClient, Method};
use crate::client::{Client, ClientError, NO_BODY, Signed};
use crate::{Wallet, WalletError};

/// What an approval disclosed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedLogin {
    pub login_id: String,
    /// The claims sent (asked for, and in the credential).
    pub disclosed: Vec<String>,
    /// Claims asked for that the credential does not hold (e.g. a birthplace the
    /// document does not give): not sent.
    pub unavailable: Vec<String>,
}

/// Builds the approval of `login` with `pin`, at time `now` (Unix seconds). Pure:
/// nothing is sent.
pub fn build_approval(
    wallet: &Wallet,
    identity_id: &str,
    login: &PendingLogin,
    pin: &Pin,
    now: i64,
) -> Result<(LoginApproval, ApprovedLogin), ClientError> {
    if u64::try_from(now).is_ok_and(|now| now > login.expires_at) {
        return Err(ClientError::LoginExpired(login.login_id.clone()));
    }
    let credential =
        wallet
            .credential()?
            .ok_or(ClientError::Wallet(WalletError::MissingRecord {
                record: "credential",
            }))?;
    let held = credential.claim_names();
    let (disclosed, unavailable): (Vec<&str>, Vec<&str>) = login
        .claims
        .iter()
        .map(String::as_str)
        .partition(|name| held.contains(name));
    let thumbprint = wallet.device_key().thumbprint();
    let pin_proof = wallet.prove_pin(
        pin,
        &login.pin_challenge,
        &ProofContext {
            purpose: PinPurpose::Login,
            account: identity_id,
            request: &login.login_id,
            device_key_thumbprint: &thumbprint,
        },
    )?;
    let presentation = credential.present(
        &disclosed,
        &KeyBindingInput {
            audience: &login.presentation_audience,
            nonce: &login.presentation_nonce,
            issued_at: now,
        },
        wallet.device_key(),
    )?;
    Ok((
        LoginApproval {
            pin_proof,
            presentation,
        },
        ApprovedLogin {
            login_id: login.login_id.clone(),
            disclosed: disclosed.into_iter().map(str::to_owned).collect(),
            unavailable: unavailable.into_iter().map(str::to_owned).collect(),
        },
    ))
}

impl<H: HttpClient> Client<H> {
    /// The logins waiting for this identity's approval.
    pub fn pending_logins(&self) -> Result<Vec<PendingLogin>, ClientError> {
        let identity = self.identity_id()?;
        let list: PendingLogins = self.call(
            Method::Get,
            paths::ACCOUNT_LOGINS,
            NO_BODY,
            Signed::As(&identity),
            "listing pending logins",
        )?;
        Ok(list.logins)
    }

    /// The logins waiting for approval, once one newer than `cursor` (the
    /// [`PendingLogins::cursor`] of an earlier answer; 0 for none) is pending: the
    /// server holds the answer up to `wait_seconds` (at most 25), then answers
    /// whatever is pending, possibly nothing new.
    pub fn pending_logins_after(
        &self,
        cursor: u64,
        wait_seconds: u64,
    ) -> Result<PendingLogins, ClientError> {
        let identity = self.identity_id()?;
        self.call(
            Method::Get,
            &format!(
                "{}?wait={wait_seconds}&after={cursor}",
                paths::ACCOUNT_LOGINS
            ),
            NO_BODY,
            Signed::As(&identity),
            "listing pending logins",
        )
    }

    /// One pending login by id.
    pub fn pending_login(&self, login_id: &str) -> Result<PendingLogin, ClientError> {
        self.pending_logins()?
            .into_iter()
            .find(|l| l.login_id == login_id)
            .ok_or_else(|| ClientError::UnknownLogin(login_id.to_owned()))
    }

    /// Approves `login` with the PIN. A wrong PIN is the server's
    /// [`ClientError::Server`] answer (and counts toward the lockout).
    pub fn approve_login(
        &mut self,
        login: &PendingLogin,
        pin: &Pin,
    ) -> Result<ApprovedLogin, ClientError> {
        self.settle_pin_secret(&login.pin_challenge)?;
        self.approve_login_shared(login, pin)
    }

    /// [`Client::approve_login`] through a shared reference, so that several threads
    /// of the one process holding the wallet's lock can answer several logins at once
    /// (`Client` is `Sync` when its [`HttpClient`] is). It writes nothing to the
    /// wallet: a challenge for the pending PIN secret of a PIN change the server
    /// accepted but the wallet did not record is answered with that secret, and the
    /// change is recorded by the next [`Client::approve_login`] (or any PIN
    /// operation).
    pub fn approve_login_shared(
        &self,
        login: &PendingLogin,
        pin: &Pin,
    ) -> Result<ApprovedLogin, ClientError> {
        let identity = self.identity_id()?;
        let (approval, approved) =
            build_approval(self.wallet(), &identity, login, pin, now_unix())?;
        self.call_empty(
            Method::Post,
            &paths::login_approve(&login.login_id),
            Some(&approval),
            Signed::As(&identity),
            "approving the login",
        )?;
        Ok(approved)
    }

    /// Refuses a login.
    pub fn deny_login(&self, login_id: &str) -> Result<(), ClientError> {
        let identity = self.identity_id()?;
        self.call_empty(
            Method::Post,
            &paths::login_deny(login_id),
            NO_BODY,
            Signed::As(&identity),
            "denying the login",
        )
    }
}
