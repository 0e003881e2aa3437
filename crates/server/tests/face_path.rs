//! The face path with the real face pipeline (MTCNN, dlib's shape predictor and
//! ResNet): a live citizen following the script with the chip's face is approved;
//! another person's face, or frames that do not follow the script, are rejected with
//! their reason. The photos and video are of real people, fetched at test time.

#![allow(clippy::unwrap_used)]

mod common;

use alicem_api::enrollment::{
    DecisionReason, EnrollmentOutcome, EnrollmentPath, EnrollmentStatus, LivenessAction,
    SelfieFrame,
};
use alicem_chip_sim::factory::{MintOptions, MintedDocument, mint};
use alicem_emrtd::verify::TrustStore;
use common::face::{Filmer, face_check, filmed, photo, step_frames, timed};
use common::flow::start;
use common::wallet::{TestWallet, evidence, read_chip};
use common::{Db, TestServer, state};

/// A passport whose chip photo is `chip_photo` (a file of the fetched media).
fn passport(chip_photo: &str) -> (MintedDocument, TrustStore) {
    let doc = mint(MintOptions {
        face: Some(photo(chip_photo)),
        ..MintOptions::default()
    })
    .unwrap();
    let mut trust = TrustStore::new();
    trust.load("CSCA.der", &doc.csca_certificate).unwrap();
    (doc, trust)
}

async fn face_server(trust: TrustStore) -> (TestServer, String) {
    let mut server = state(Db::Sqlite, trust).await.unwrap();
    server.state = server.state.clone().with_face(face_check());
    let base = server.spawn().await;
    (server, base)
}

/// Starts a face-path session, films it with `film(script)` and uploads the evidence.
async fn enroll_on_face_path(
    doc: &MintedDocument,
    trust: TrustStore,
    film: impl FnOnce(&[LivenessAction]) -> Vec<SelfieFrame>,
) -> EnrollmentOutcome {
    let (server, base) = face_server(trust).await;
    let wallet = TestWallet::new(&base);
    let session = start(&base, &wallet, EnrollmentPath::Face).await;
    assert_eq!(session.liveness_script.len(), 3);
    let (files, anti_clone) = read_chip(doc, session.challenge.as_slice());
    let frames = film(&session.liveness_script);
    let body = serde_json::to_vec(&evidence(files, anti_clone, frames)).unwrap();
    let path = format!("/v1/enrollments/{}/evidence", session.session_id);
    let response = wallet
        .send(&session.session_id, "POST", &path, body, server.now())
        .await;
    assert_eq!(response.status(), 200);
    let outcome: EnrollmentOutcome = response.json().await.unwrap();
    assert_eq!(server.state.scratch.held_count(), 0, "evidence still held");
    outcome
}

#[tokio::test]
async fn approves_the_chip_holder_following_the_script() {
    let (doc, trust) = passport("clm/franck_01829.jpg");
    let outcome = enroll_on_face_path(&doc, trust, filmed).await;
    assert_eq!(
        outcome.status,
        EnrollmentStatus::Approved,
        "{:?}",
        outcome.reasons
    );
    let identity = outcome.identity.unwrap();
    assert_eq!(identity.level, "eidas3");
    let receipt = outcome.erasure_receipt.unwrap();
    let items: Vec<&str> = receipt
        .claims
        .items
        .iter()
        .map(|i| i.item.as_str())
        .collect();
    assert!(items.contains(&"dg2"), "{items:?}");
    assert!(items.iter().any(|i| i.starts_with("frame[")), "{items:?}");
}

#[tokio::test]
async fn approves_a_second_holder_whose_chip_photo_is_a_still_of_their_video() {
    let (doc, trust) = passport(Filmer::Cap12.chip_photo());
    let outcome = enroll_on_face_path(&doc, trust, |s| Filmer::Cap12.films(s)).await;
    assert_eq!(
        outcome.status,
        EnrollmentStatus::Approved,
        "{:?}",
        outcome.reasons
    );
}

#[tokio::test]
async fn rejects_a_selfie_of_another_person_than_the_chip_photo() {
    // The chip shows Audrey; the person filming is Franck, live and following the script.
    let (doc, trust) = passport("clm/audrey.jpg");
    let outcome = enroll_on_face_path(&doc, trust, filmed).await;
    assert_eq!(outcome.status, EnrollmentStatus::Rejected);
    assert!(
        outcome.reasons.contains(&DecisionReason::FaceMismatch),
        "{:?}",
        outcome.reasons
    );
    assert!(
        !outcome.reasons.contains(&DecisionReason::LivenessFailed),
        "the script was followed: {:?}",
        outcome.reasons
    );
    assert!(outcome.identity.is_none());
    assert!(outcome.erasure_receipt.is_some());
}

#[tokio::test]
async fn rejects_frames_that_do_not_follow_the_script() {
    // The right face, but it only looks at the camera: no turn, no smile, no nod.
    let (doc, trust) = passport("clm/franck_01829.jpg");
    let still = |script: &[LivenessAction]| {
        let neutral = step_frames("neutral");
        timed(
            std::iter::repeat_n(neutral, script.len() + 1)
                .flatten()
                .collect(),
        )
    };
    let outcome = enroll_on_face_path(&doc, trust, still).await;
    assert_eq!(outcome.status, EnrollmentStatus::Rejected);
    assert_eq!(outcome.reasons, vec![DecisionReason::LivenessFailed]);
    assert!(outcome.identity.is_none());
}

#[tokio::test]
async fn rejects_the_script_performed_in_another_order() {
    // Cap12 makes each movement alone, so nothing in the reversed order can pass
    // for the asked one (liveness_video checks every ordering of every script).
    let (doc, trust) = passport(Filmer::Cap12.chip_photo());
    let reversed = |script: &[LivenessAction]| {
        let mut order = script.to_vec();
        order.reverse();
        Filmer::Cap12.films(&order)
    };
    let outcome = enroll_on_face_path(&doc, trust, reversed).await;
    assert_eq!(outcome.status, EnrollmentStatus::Rejected);
    assert_eq!(outcome.reasons, vec![DecisionReason::LivenessFailed]);
}
