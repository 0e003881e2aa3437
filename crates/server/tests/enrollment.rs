//! Enrollment end to end: an in-process server on an ephemeral port, documents minted
//! by chip-sim and read through the virtual chip as the wallet reads them.

#![allow(clippy::unwrap_used)]

mod common;

use alicem_api::account::IdentityStatus;
use alicem_api::enrollment::{
    DecisionReason, EnrollmentOutcome, EnrollmentPath, EnrollmentSession, EnrollmentStatus,
    StartEnrollment,
};
use alicem_chip_sim::factory::{Faults, MintOptions, MintedDocument, TestPki, mint};
use alicem_credential::jose::{Jwk, UnverifiedJws};
use alicem_emrtd::verify::TrustStore;
use alicem_server::enrollment::agent::{AgentDecision, decide};
use alicem_server::store::audit::Actor;
use common::wallet::{TestWallet, evidence, jpeg_frame, read_chip};
use common::{Db, TestServer, state};

struct Fixture {
    pki: TestPki,
    good: MintedDocument,
}

fn fixture() -> Fixture {
    let good = mint(MintOptions {
        profile: "passport-pace".into(),
        ..MintOptions::default()
    })
    .unwrap();
    Fixture {
        pki: good.pki.clone(),
        good,
    }
}

fn with_fault(fx: &Fixture, faults: Faults) -> MintedDocument {
    mint(MintOptions {
        profile: "passport-pace".into(),
        pki: Some(fx.pki.clone()),
        faults,
        ..MintOptions::default()
    })
    .unwrap()
}

fn trust(fx: &Fixture) -> TrustStore {
    let mut trust = TrustStore::new();
    trust.load("CSCA.der", &fx.good.csca_certificate).unwrap();
    trust
}

async fn start(
    server: &TestServer,
    base: &str,
    wallet: &TestWallet,
    path: EnrollmentPath,
) -> EnrollmentSession {
    let _ = server;
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

async fn upload(
    server: &TestServer,
    wallet: &TestWallet,
    session: &EnrollmentSession,
    doc: &MintedDocument,
    challenge: &[u8],
    path: EnrollmentPath,
) -> (u16, serde_json::Value) {
    let (files, anti_clone) = read_chip(doc, challenge);
    let frames = match path {
        EnrollmentPath::Face => (0..3).map(jpeg_frame).collect(),
        EnrollmentPath::Agent => Vec::new(),
    };
    let body = serde_json::to_vec(&evidence(files, anti_clone, frames)).unwrap();
    let path = format!("/v1/enrollments/{}/evidence", session.session_id);
    let response = wallet
        .send(&session.session_id, "POST", &path, body, server.now())
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn rejected_for(db: Db, faults: Faults, expected: DecisionReason) {
    let fx = fixture();
    let Some(server) = state(db, trust(&fx)).await else {
        return;
    };
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let doc = with_fault(&fx, faults);
    let session = start(&server, &base, &wallet, EnrollmentPath::Agent).await;
    let (status, body) = upload(
        &server,
        &wallet,
        &session,
        &doc,
        session.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outcome: EnrollmentOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(outcome.status, EnrollmentStatus::Rejected);
    assert!(
        outcome.reasons.contains(&expected),
        "{:?} does not contain {expected:?}",
        outcome.reasons
    );
    let receipt = outcome.erasure_receipt.unwrap();
    assert!(receipt.claims.items.iter().any(|i| i.item == "dg2"));
    assert_eq!(server.state.scratch.held_count(), 0);
}

#[tokio::test]
async fn rejects_a_tampered_data_group() {
    rejected_for(
        Db::Sqlite,
        Faults {
            tampered_dg: true,
            ..Faults::default()
        },
        DecisionReason::DocumentNotAuthentic,
    )
    .await;
}

#[tokio::test]
async fn rejects_sod_signed_under_an_unknown_csca() {
    rejected_for(
        Db::Sqlite,
        Faults {
            unknown_csca: true,
            ..Faults::default()
        },
        DecisionReason::UnknownIssuer,
    )
    .await;
}

#[tokio::test]
async fn rejects_a_cloned_chip() {
    rejected_for(
        Db::Sqlite,
        Faults {
            cloned_chip: true,
            ..Faults::default()
        },
        DecisionReason::ChipNotGenuine,
    )
    .await;
}

#[tokio::test]
async fn rejects_an_expired_document() {
    rejected_for(
        Db::Sqlite,
        Faults {
            expired: true,
            ..Faults::default()
        },
        DecisionReason::DocumentExpired,
    )
    .await;
}

#[tokio::test]
async fn rejects_a_document_whose_state_is_not_the_cscas() {
    rejected_for(
        Db::Sqlite,
        Faults {
            country_mismatch: true,
            ..Faults::default()
        },
        DecisionReason::CountryMismatch,
    )
    .await;
}

#[tokio::test]
async fn rejects_an_aa_signature_made_for_another_sessions_challenge() {
    let fx = fixture();
    let server = state(Db::Sqlite, trust(&fx)).await.unwrap();
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let other = start(&server, &base, &wallet, EnrollmentPath::Agent).await;
    let session = start(&server, &base, &wallet, EnrollmentPath::Agent).await;
    let (_, body) = upload(
        &server,
        &wallet,
        &session,
        &fx.good,
        other.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    let outcome: EnrollmentOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(outcome.status, EnrollmentStatus::Rejected);
    assert_eq!(outcome.reasons, vec![DecisionReason::ChipNotGenuine]);
}

/// The agent path from session to active identity, then the checks that nothing
/// personal stayed on disk.
async fn agent_path_issues_an_identity_and_keeps_no_personal_data(db: Db) {
    let fx = fixture();
    let Some(server) = state(db, trust(&fx)).await else {
        return;
    };
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let session = start(&server, &base, &wallet, EnrollmentPath::Agent).await;
    assert!(session.liveness_script.is_empty());
    let (status, body) = upload(
        &server,
        &wallet,
        &session,
        &fx.good,
        session.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let waiting: EnrollmentOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(waiting.status, EnrollmentStatus::AwaitingAgent);
    assert!(waiting.erasure_receipt.is_none());

    // A second upload for the same session is refused.
    let (status, _) = upload(
        &server,
        &wallet,
        &session,
        &fx.good,
        session.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    assert_eq!(status, 409);

    let decided = decide(
        &server.state,
        &session.session_id,
        "agent.dupont",
        AgentDecision::Approve,
    )
    .await
    .unwrap();
    assert_eq!(decided, EnrollmentStatus::Approved);
    assert_eq!(server.state.scratch.held_count(), 0);

    let path = format!("/v1/enrollments/{}", session.session_id);
    let response = wallet
        .send(&session.session_id, "GET", &path, Vec::new(), server.now())
        .await;
    assert_eq!(response.status(), 200);
    let outcome: EnrollmentOutcome = response.json().await.unwrap();
    assert_eq!(outcome.status, EnrollmentStatus::Approved);
    let issued = outcome.identity.unwrap();
    assert_eq!(issued.level, "eidas3");
    // The credential verifies with the issuer key and is bound to the device key.
    let issuer_jwt = issued.credential.split('~').next().unwrap();
    let verified = UnverifiedJws::parse(issuer_jwt)
        .unwrap()
        .verify(&server.state.keys.issuer.verifying_key())
        .unwrap();
    let claims = verified.claims().unwrap();
    let cnf = Jwk::from_json(&claims["cnf"]["jwk"]).unwrap();
    assert_eq!(
        cnf.thumbprint(),
        Jwk::from_json(&wallet.jwk_json()).unwrap().thumbprint()
    );
    // The receipt lists DG2 and verifies.
    let receipt = outcome.erasure_receipt.unwrap();
    assert!(receipt.claims.items.iter().any(|i| i.item == "dg2"));
    UnverifiedJws::parse(&receipt.jws)
        .unwrap()
        .verify(&server.state.keys.issuer.verifying_key())
        .unwrap();
    // Handed out once.
    let again: EnrollmentOutcome = wallet
        .send(&session.session_id, "GET", &path, Vec::new(), server.now())
        .await
        .json()
        .await
        .unwrap();
    assert!(again.identity.is_none());

    let identity = server
        .state
        .store
        .identity(&issued.identity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.status, IdentityStatus::PendingPin);
    let audit = server
        .state
        .store
        .audit_of(&session.session_id)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.actor == "agent:agent.dupont" && a.action == "enrollment.approved")
    );

    // PIN registration activates the identity.
    let mut secret_id = [0u8; 16];
    secret_id[0] = 7;
    let pin_key = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let point = pin_key.verifying_key().to_sec1_point(true);
    let registration = serde_json::json!({
        "secret_id": alicem_credential::jose::b64::encode(&secret_id),
        "public_key": alicem_credential::jose::b64::encode(point.as_bytes()),
    });
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
    let identity = server
        .state
        .store
        .identity(&issued.identity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.status, IdentityStatus::Active);

    // A new enrollment of the same document revokes the old identity.
    let phone2 = TestWallet::new(&base);
    let second = start(&server, &base, &phone2, EnrollmentPath::Agent).await;
    upload(
        &server,
        &phone2,
        &second,
        &fx.good,
        second.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    decide(
        &server.state,
        &second.session_id,
        "agent.dupont",
        AgentDecision::Approve,
    )
    .await
    .unwrap();
    let old = server
        .state
        .store
        .identity(&issued.identity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, IdentityStatus::Revoked);

    // A lost/stolen report suspends the identities of the document and refuses new
    // enrollments with it.
    let mrz = alicem_emrtd::lds::dg1::parse(
        fx.good
            .image
            .files
            .get(&alicem_emrtd::lds::FileId::Dg(
                alicem_emrtd::lds::DataGroup::DG1,
            ))
            .unwrap(),
    )
    .unwrap();
    let fingerprint = server
        .state
        .keys
        .document_fingerprint(&mrz.issuing_state, &mrz.document_number);
    let suspended = server
        .state
        .store
        .report_lost(&fingerprint, "test", &Actor::Admin, server.now())
        .await
        .unwrap();
    assert_eq!(suspended.len(), 1);
    let phone3 = TestWallet::new(&base);
    let third = start(&server, &base, &phone3, EnrollmentPath::Agent).await;
    let (_, body) = upload(
        &server,
        &phone3,
        &third,
        &fx.good,
        third.challenge.as_slice(),
        EnrollmentPath::Agent,
    )
    .await;
    let outcome: EnrollmentOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(outcome.reasons, vec![DecisionReason::DocumentReportedLost]);

    // Erasure: no chip photo, no MRZ field, no name anywhere in the data directory.
    server.state.store.close().await;
    let dg2 = fx
        .good
        .image
        .files
        .get(&alicem_emrtd::lds::FileId::Dg(
            alicem_emrtd::lds::DataGroup::DG2,
        ))
        .unwrap()
        .clone();
    let face = alicem_emrtd::lds::Dg2::parse(&dg2).unwrap().faces[0]
        .data
        .clone();
    let needles: Vec<Vec<u8>> = vec![
        mrz.document_number
            .trim_end_matches('<')
            .as_bytes()
            .to_vec(),
        mrz.primary_identifier.as_bytes().to_vec(),
        mrz.lines[0].as_bytes().to_vec(),
        face[..64].to_vec(),
        vec![0xFF, 0xD8, 0xFF],
        vec![0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50],
        vec![0xFF, 0x4F, 0xFF, 0x51],
    ];
    for entry in walk(server.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{} contains personal or biometric data ({} bytes pattern)",
                entry.display(),
                needle.len()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn sqlite_agent_path_issues_an_identity_and_keeps_no_personal_data() {
    agent_path_issues_an_identity_and_keeps_no_personal_data(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_agent_path_issues_an_identity_and_keeps_no_personal_data() {
    agent_path_issues_an_identity_and_keeps_no_personal_data(Db::Postgres).await;
}

#[tokio::test]
async fn face_path_without_a_face_engine_goes_to_review_never_approved() {
    let fx = fixture();
    let server = state(Db::Sqlite, trust(&fx)).await.unwrap();
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let session = start(&server, &base, &wallet, EnrollmentPath::Face).await;
    assert_eq!(session.liveness_script.len(), 3);
    let (status, body) = upload(
        &server,
        &wallet,
        &session,
        &fx.good,
        session.challenge.as_slice(),
        EnrollmentPath::Face,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let outcome: EnrollmentOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(outcome.status, EnrollmentStatus::NeedsReview);
    assert!(outcome.identity.is_none());
}

#[tokio::test]
async fn refuses_replayed_and_misbound_device_proofs() {
    let fx = fixture();
    let server = state(Db::Sqlite, trust(&fx)).await.unwrap();
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let session = start(&server, &base, &wallet, EnrollmentPath::Agent).await;
    let path = format!("/v1/enrollments/{}", session.session_id);
    let proof = wallet.proof(&session.session_id, "GET", &path, b"", server.now());
    let get = |proof: String| {
        wallet
            .http
            .get(format!("{base}{path}"))
            .header(alicem_api::device_proof::HEADER, proof)
            .send()
    };
    assert_eq!(get(proof.clone()).await.unwrap().status(), 200);
    assert_eq!(get(proof).await.unwrap().status(), 401, "replayed jti");
    let stale = wallet.proof(&session.session_id, "GET", &path, b"", server.now() - 120);
    assert_eq!(get(stale).await.unwrap().status(), 401, "stale iat");
    let wrong_path = wallet.proof(&session.session_id, "GET", "/v1/account", b"", server.now());
    assert_eq!(get(wrong_path).await.unwrap().status(), 401, "other path");
    let other = TestWallet::new(&base);
    let forged = other.proof(&session.session_id, "GET", &path, b"", server.now());
    assert_eq!(get(forged).await.unwrap().status(), 401, "other key");
}

#[tokio::test]
async fn names_the_malformed_part_of_an_upload() {
    let fx = fixture();
    let server = state(Db::Sqlite, trust(&fx)).await.unwrap();
    let base = server.spawn().await;
    let wallet = TestWallet::new(&base);
    let session = start(&server, &base, &wallet, EnrollmentPath::Face).await;
    let (mut files, anti_clone) = read_chip(&fx.good, session.challenge.as_slice());
    files.dg2.0.truncate(10);
    let body = serde_json::to_vec(&evidence(files, anti_clone, vec![jpeg_frame(1)])).unwrap();
    let path = format!("/v1/enrollments/{}/evidence", session.session_id);
    let response = wallet
        .send(&session.session_id, "POST", &path, body, server.now())
        .await;
    assert_eq!(response.status(), 400);
    let problem: alicem_api::Problem = response.json().await.unwrap();
    assert_eq!(problem.part.as_deref(), Some("chip.dg2"));
}
