//! A whole enrollment through the API, ending with an active identity and the wallet's
//! PIN secret.

#![allow(dead_code, clippy::unwrap_used)]

use alicem_api::enrollment::{
    EnrollmentOutcome, EnrollmentPath, EnrollmentSession, StartEnrollment,
};
use alicem_chip_sim::factory::{MintOptions, MintedDocument, mint};
use alicem_credential::pin::{KdfParams, Pin, PinSecret};
use alicem_emrtd::verify::TrustStore;
use alicem_server::enrollment::agent::{AgentDecision, decide};

use super::TestServer;
use super::wallet::{TestWallet, evidence, read_chip};

pub fn document() -> (MintedDocument, TrustStore) {
    let doc = mint(MintOptions::default()).unwrap();
    let mut trust = TrustStore::new();
    trust.load("CSCA.der", &doc.csca_certificate).unwrap();
    (doc, trust)
}

pub async fn start(base: &str, wallet: &TestWallet, path: EnrollmentPath) -> EnrollmentSession {
    let request = StartEnrollment {
        device_key: wallet.jwk_json(),
        email: "citizen@example.org".into(),
        phone: "+33 6 12 34 56 78".into(),
        terms_version: "2026-01".into(),
        path,
    };
    let response = wallet
        .http
        .post(format!("{base}/v1/enrollments"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Uploads agent-path evidence for `session`.
pub async fn upload_agent(
    server: &TestServer,
    wallet: &TestWallet,
    session: &EnrollmentSession,
    doc: &MintedDocument,
) {
    let (files, anti_clone) = read_chip(doc, session.challenge.as_slice());
    let body = serde_json::to_vec(&evidence(files, anti_clone, Vec::new())).unwrap();
    let path = format!("/v1/enrollments/{}/evidence", session.session_id);
    let response = wallet
        .send(&session.session_id, "POST", &path, body, server.now())
        .await;
    assert_eq!(response.status(), 200);
}

pub struct Enrolled {
    pub wallet: TestWallet,
    pub identity_id: String,
    pub pin_secret: PinSecret,
    pub pin: Pin,
}

/// Agent path to an active identity with PIN `482915`.
pub async fn enrolled(server: &TestServer, base: &str, doc: &MintedDocument) -> Enrolled {
    let wallet = TestWallet::new(base);
    let session = start(base, &wallet, EnrollmentPath::Agent).await;
    upload_agent(server, &wallet, &session, doc).await;
    decide(
        &server.state,
        &session.session_id,
        "agent.test",
        AgentDecision::Approve,
    )
    .await
    .unwrap();
    let path = format!("/v1/enrollments/{}", session.session_id);
    let outcome: EnrollmentOutcome = wallet
        .send(&session.session_id, "GET", &path, Vec::new(), server.now())
        .await
        .json()
        .await
        .unwrap();
    let identity_id = outcome.identity.unwrap().identity_id;
    let pin = Pin::new("482915").unwrap();
    let pin_secret = PinSecret::generate(
        KdfParams::FAST_INSECURE,
        &mut alicem_credential::rng::os_rng(),
    );
    let registration = pin_secret.register(&pin).unwrap();
    let pin_path = format!("/v1/enrollments/{}/pin", session.session_id);
    let response = wallet
        .send(
            &session.session_id,
            "POST",
            &pin_path,
            serde_json::to_vec(&registration).unwrap(),
            server.now(),
        )
        .await;
    assert_eq!(response.status(), 204);
    Enrolled {
        wallet,
        identity_id,
        pin_secret,
        pin,
    }
}
