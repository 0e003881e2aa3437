//! Erasure, proved: after an approved face enrollment, a rejected one and an
//! abandoned agent-path one, neither the database nor anything else in the data
//! directory nor the logs (captured down to TRACE) hold any JPEG or JPEG 2000 data,
//! the face templates, or any DG1/DG11 field.

#![allow(clippy::unwrap_used)]

mod common;

use alicem_api::enrollment::{EnrollmentOutcome, EnrollmentPath, EnrollmentStatus};
use alicem_chip_sim::factory::{MintOptions, MintedDocument, Person, mint};
use alicem_emrtd::verify::TrustStore;
use common::erasure::{
    Needle, assert_none_logged, assert_none_under, capture_logs, face_template, personal_data_of,
};
use common::face::{descriptor, face_check, filmed, photo};
use common::flow::start;
use common::wallet::{TestWallet, evidence, read_chip};
use common::{Db, TestServer, state};

fn person(surname: &str, given: &str, number: &str) -> Person {
    let mut p = Person::fictional("P", "2034-05-17");
    p.surname = surname.into();
    p.given_names = given.into();
    p.document_number = number.into();
    p
}

async fn upload(
    server: &TestServer,
    base: &str,
    doc: &MintedDocument,
    path: EnrollmentPath,
) -> EnrollmentOutcome {
    let wallet = TestWallet::new(base);
    let session = start(base, &wallet, path).await;
    let (files, anti_clone) = read_chip(doc, session.challenge.as_slice());
    let frames = match path {
        EnrollmentPath::Face => filmed(&session.liveness_script),
        EnrollmentPath::Agent => Vec::new(),
    };
    let body = serde_json::to_vec(&evidence(files, anti_clone, frames)).unwrap();
    let url = format!("/v1/enrollments/{}/evidence", session.session_id);
    let response = wallet
        .send(&session.session_id, "POST", &url, body, server.now())
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn nothing_biometric_or_civil_remains_after_approval_rejection_or_abandon() {
    capture_logs();
    let franck = photo("clm/franck_01829.jpg");
    let audrey = photo("clm/audrey.jpg");
    let approved_doc = mint(MintOptions {
        person: Some(person("QUENTIN", "FRANCK ALPHONSE", "QF7730142")),
        face: Some(franck.clone()),
        ..MintOptions::default()
    })
    .unwrap();
    let pki = Some(approved_doc.pki.clone());
    let rejected_doc = mint(MintOptions {
        person: Some(person("VERLAINE", "AUDREY MARCELLE", "VA2291865")),
        face: Some(audrey.clone()),
        pki: pki.clone(),
        ..MintOptions::default()
    })
    .unwrap();
    let abandoned_doc = mint(MintOptions {
        person: Some(person("ROCHEFORT", "JULIETTE ODILE", "RJ5518730")),
        pki,
        ..MintOptions::default()
    })
    .unwrap();
    let mut trust = TrustStore::new();
    trust
        .load("CSCA.der", &approved_doc.csca_certificate)
        .unwrap();

    let mut server = state(Db::Sqlite, trust).await.unwrap();
    server.state = server.state.clone().with_face(face_check());
    let base = server.spawn().await;

    let approved = upload(&server, &base, &approved_doc, EnrollmentPath::Face).await;
    assert_eq!(
        approved.status,
        EnrollmentStatus::Approved,
        "{:?}",
        approved.reasons
    );
    let rejected = upload(&server, &base, &rejected_doc, EnrollmentPath::Face).await;
    assert_eq!(rejected.status, EnrollmentStatus::Rejected);
    let waiting = upload(&server, &base, &abandoned_doc, EnrollmentPath::Agent).await;
    assert_eq!(waiting.status, EnrollmentStatus::AwaitingAgent);
    assert_eq!(server.state.scratch.held_count(), 1, "held for the agent");

    // No agent comes: past the agent window the evidence is erased, the session
    // abandoned.
    let window = i64::try_from(server.state.config.enrollment.agent_window_seconds).unwrap();
    server.clock.advance(window + 60);
    alicem_server::jobs::run_once(&server.state).await.unwrap();
    assert_eq!(server.state.scratch.held_count(), 0);
    let record = server
        .state
        .store
        .enrollment(&waiting.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, EnrollmentStatus::Abandoned);

    let mut needles: Vec<Needle> = Vec::new();
    for doc in [&approved_doc, &rejected_doc, &abandoned_doc] {
        needles.extend(personal_data_of(doc));
    }
    needles.extend(face_template("Franck's template", &descriptor(&franck)));
    needles.extend(face_template("Audrey's template", &descriptor(&audrey)));
    let first_frame = filmed(&[]).remove(0);
    needles.extend(face_template(
        "a selfie frame's template",
        &descriptor(first_frame.jpeg.as_slice()),
    ));
    needles.push(Needle::new(
        "a selfie frame in base64url",
        common::erasure::base64url_prefix(first_frame.jpeg.as_slice()),
    ));
    needles.push(Needle::new(
        "a selfie frame",
        first_frame.jpeg.as_slice()[first_frame.jpeg.as_slice().len() / 2..][..64].to_vec(),
    ));

    server.state.store.close().await;
    assert_none_under(server.dir.path(), &needles);
    assert_none_logged(&needles);
}
