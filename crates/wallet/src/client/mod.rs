//! The wallet's calls to the identity server's `/v1` API. [`Client`] pairs an open
//! [`Wallet`] with an [`HttpClient`]; the enrollment, login and account operations are
//! its methods, each in its own module (`enroll`, `login`, `account`).

mod device_proof;
mod error;
pub mod http;

use alicem_api::Problem;
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::rng::os_rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

pub use device_proof::device_proof;
pub use error::ClientError;
use http::{HttpClient, HttpRequest, HttpResponse, Method};

use crate::Wallet;

/// An open wallet and the server it belongs to.
pub struct Client<H> {
    wallet: Wallet,
    http: H,
}

impl<H> core::fmt::Debug for Client<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("wallet", &self.wallet)
            .finish_non_exhaustive()
    }
}

/// Who signs a request's device proof (`sub`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Signed<'a> {
    No,
    As(&'a str),
}

impl<H: HttpClient> Client<H> {
    pub fn new(wallet: Wallet, http: H) -> Self {
        Self { wallet, http }
    }

    pub fn wallet(&self) -> &Wallet {
        &self.wallet
    }

    pub fn wallet_mut(&mut self) -> &mut Wallet {
        &mut self.wallet
    }

    pub fn into_wallet(self) -> Wallet {
        self.wallet
    }

    /// The server's identifier of the enrolled identity.
    pub fn identity_id(&self) -> Result<String, ClientError> {
        self.wallet
            .profile()
            .account_id
            .clone()
            .ok_or(ClientError::NotEnrolled)
    }

    /// Makes the pending PIN secret current when the server's challenge names it: a
    /// PIN change the server accepted but whose answer was lost.
    pub(crate) fn settle_pin_secret(
        &mut self,
        challenge: &alicem_credential::pin::PinChallenge,
    ) -> Result<(), ClientError> {
        if self.wallet.pin_secret()?.id() != challenge.secret_id
            && self.wallet.pin_secret_for(challenge).is_ok()
        {
            self.wallet.commit_pin_change()?;
        }
        Ok(())
    }

    /// Sends a request and returns the successful answer, or the server's problem.
    pub(crate) fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        signed: Signed<'_>,
        what: &'static str,
    ) -> Result<HttpResponse, ClientError> {
        // Bodies carry chip files and frames: wiped once sent.
        let body = Zeroizing::new(match body {
            Some(body) => serde_json::to_vec(body).map_err(|_| ClientError::UnexpectedAnswer {
                what: "encoding the request",
                status: 0,
            })?,
            None => Vec::new(),
        });
        let mut headers = Vec::new();
        if let Signed::As(sub) = signed {
            let now = u64::try_from(now_unix()).unwrap_or_default();
            // The proof covers the path; a query (a long poll's `?wait=`) is not part of it.
            let proof_path = path.split_once('?').map_or(path, |(p, _)| p);
            let proof = device_proof(
                self.wallet.device_key(),
                sub,
                method,
                proof_path,
                &body,
                now,
                &mut os_rng(),
            )?;
            headers.push((alicem_api::device_proof::HEADER, proof));
        }
        let request = HttpRequest {
            method,
            path: path.to_owned(),
            headers,
            body: body.to_vec(),
        };
        tracing::debug!(
            method = method.as_str(),
            path,
            "calling the identity server"
        );
        let response = self.http.send(&request);
        drop(Zeroizing::new(request.body));
        let response = response?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        match serde_json::from_slice::<Problem>(&response.body) {
            Ok(problem) => Err(ClientError::Server {
                status: response.status,
                problem,
            }),
            Err(_) => Err(ClientError::UnexpectedAnswer {
                what,
                status: response.status,
            }),
        }
    }

    /// A call answered with a JSON body.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        signed: Signed<'_>,
        what: &'static str,
    ) -> Result<T, ClientError> {
        let response = self.exchange(method, path, body, signed, what)?;
        serde_json::from_slice(&response.body).map_err(|_| ClientError::UnexpectedAnswer {
            what,
            status: response.status,
        })
    }

    /// A call answered with no content (204) or a body the wallet does not need.
    pub(crate) fn call_empty(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        signed: Signed<'_>,
        what: &'static str,
    ) -> Result<(), ClientError> {
        self.exchange(method, path, body, signed, what).map(drop)
    }
}

/// Type of an absent body, for [`Client::call`] without one.
pub(crate) const NO_BODY: Option<&()> = None;
