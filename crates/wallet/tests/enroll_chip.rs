//! The enrollment client's chip step against the virtual chip (alicem-chip-sim) with
//! documents minted under a test PKI: what the wallet uploads is exactly what the chip
//! holds, and the Active Authentication signature answers the server's challenge.

// A test file: its helpers may panic on unexpected input like the tests do.
#![allow(clippy::unwrap_used)]

use alicem_api::enrollment::AntiCloneEvidence;
use alicem_chip_sim::VirtualChip;
use alicem_chip_sim::factory::{MintOptions, MintedDocument, mint};
use alicem_emrtd::lds::dg15::Dg15;
use alicem_emrtd::lds::security_infos::SecurityInfos;
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::mrz::{AccessKey, Can, Mrz};
use alicem_emrtd::verify::active::verify_active_authentication;
use alicem_wallet::ClientError;
use alicem_wallet::enroll::{ChipEvent, ChipEvidence, read_chip};

const CHALLENGE: [u8; 8] = [0x4A, 0x11, 0x03, 0x9C, 0xE0, 0x5B, 0x77, 0x21];

fn minted(profile: &str) -> MintedDocument {
    mint(MintOptions {
        profile: profile.into(),
        ..Default::default()
    })
    .unwrap()
}

fn mrz_key(doc: &MintedDocument) -> AccessKey {
    AccessKey::Mrz(Mrz::parse(&doc.image.access.mrz.join("\n")).unwrap().info())
}

fn read(doc: &MintedDocument, key: &AccessKey) -> (ChipEvidence, Vec<ChipEvent>) {
    let chip = VirtualChip::new(doc.image.clone()).unwrap();
    let mut events = Vec::new();
    let evidence = read_chip(chip, key, &CHALLENGE, &mut |e| events.push(e)).unwrap();
    (evidence, events)
}

fn file(doc: &MintedDocument, file: FileId) -> Option<&[u8]> {
    doc.image.files.get(&file).map(Vec::as_slice)
}

fn dg(n: u8) -> FileId {
    FileId::Dg(DataGroup::new(n).unwrap())
}

/// Every uploaded file is byte for byte the chip's.
fn assert_files_as_on_chip(doc: &MintedDocument, evidence: &ChipEvidence) {
    let files = &evidence.files;
    assert_eq!(Some(files.ef_com.as_slice()), file(doc, FileId::Com));
    assert_eq!(Some(files.ef_sod.as_slice()), file(doc, FileId::Sod));
    assert_eq!(Some(files.dg1.as_slice()), file(doc, dg(1)));
    assert_eq!(Some(files.dg2.as_slice()), file(doc, dg(2)));
    assert_eq!(files.dg11.as_ref().map(|b| b.as_slice()), file(doc, dg(11)));
    assert_eq!(files.dg14.as_ref().map(|b| b.as_slice()), file(doc, dg(14)));
    assert_eq!(files.dg15.as_ref().map(|b| b.as_slice()), file(doc, dg(15)));
    assert_eq!(
        files.ef_card_access.as_ref().map(|b| b.as_slice()),
        file(doc, FileId::CardAccess)
    );
}

fn aa_signature(evidence: &ChipEvidence) -> &[u8] {
    match &evidence.anti_clone {
        AntiCloneEvidence::ActiveAuthentication { signature } => signature.as_slice(),
        AntiCloneEvidence::None => panic!("no Active Authentication"),
    }
}

fn verify_aa(evidence: &ChipEvidence, challenge: &[u8]) -> bool {
    let dg15 = Dg15::parse(evidence.files.dg15.as_ref().unwrap().as_slice()).unwrap();
    let dg14 = evidence
        .files
        .dg14
        .as_ref()
        .map(|b| SecurityInfos::from_dg14(b.as_slice()).unwrap());
    verify_active_authentication(&dg15, dg14.as_ref(), challenge, aa_signature(evidence)).is_ok()
}

#[test]
fn reads_a_bac_passport_and_signs_the_servers_challenge_with_rsa_active_authentication() {
    let doc = minted("passport-bac");
    let (evidence, events) = read(&doc, &mrz_key(&doc));
    assert_eq!(evidence.access, "BAC");
    assert_files_as_on_chip(&doc, &evidence);
    assert!(evidence.files.ef_card_security.is_none());
    assert!(verify_aa(&evidence, &CHALLENGE));
    assert!(events.contains(&ChipEvent::Connected));
    assert!(events.contains(&ChipEvent::Authenticated { protocol: "BAC" }));
    assert!(events.contains(&ChipEvent::ActiveAuthentication));
}

#[test]
fn reads_a_pace_passport_with_ecdsa_active_authentication_and_reports_progress() {
    let doc = minted("passport-pace");
    let (evidence, events) = read(&doc, &mrz_key(&doc));
    assert_eq!(evidence.access, "PACE");
    assert_files_as_on_chip(&doc, &evidence);
    assert!(verify_aa(&evidence, &CHALLENGE));
    let dg2_len = evidence.files.dg2.as_slice().len();
    assert!(events.contains(&ChipEvent::FileDone {
        file: dg(2),
        size: Some(dg2_len)
    }));
    // Progress of DG2 ends at its full size.
    let last_dg2 = events
        .iter()
        .rev()
        .find_map(|e| match e {
            ChipEvent::Reading(p) if p.file == dg(2) => Some(*p),
            _ => None,
        })
        .unwrap();
    assert_eq!(last_dg2.read, dg2_len);
    assert_eq!(last_dg2.total, Some(dg2_len));
}

#[test]
fn the_active_authentication_signature_is_bound_to_the_challenge() {
    let doc = minted("passport-pace");
    let (evidence, _) = read(&doc, &mrz_key(&doc));
    let mut other = CHALLENGE;
    other[0] ^= 1;
    assert!(verify_aa(&evidence, &CHALLENGE));
    assert!(!verify_aa(&evidence, &other));
}

#[test]
fn opens_a_pace_only_identity_card_with_its_can() {
    let doc = minted("id-card-fr");
    let key = AccessKey::Can(Can::new(&doc.image.access.can).unwrap());
    let (evidence, _) = read(&doc, &key);
    assert_eq!(evidence.access, "PACE");
    assert_files_as_on_chip(&doc, &evidence);
}

#[test]
fn reads_ef_card_security_of_a_pace_cam_card() {
    let doc = minted("id-card-cam");
    let key = AccessKey::Can(Can::new(&doc.image.access.can).unwrap());
    let (evidence, _) = read(&doc, &key);
    assert_eq!(
        evidence
            .files
            .ef_card_security
            .as_ref()
            .map(|b| b.as_slice()),
        file(&doc, FileId::CardSecurity)
    );
}

#[test]
fn a_wrong_can_is_a_chip_error_before_any_file_is_read() {
    let doc = minted("id-card-fr");
    let wrong = if doc.image.access.can == "000000" {
        "111111"
    } else {
        "000000"
    };
    let chip = VirtualChip::new(doc.image.clone()).unwrap();
    let mut events = Vec::new();
    let error = read_chip(
        chip,
        &AccessKey::Can(Can::new(wrong).unwrap()),
        &CHALLENGE,
        &mut |e| events.push(e),
    )
    .unwrap_err();
    assert!(matches!(error, ClientError::Chip { .. }), "{error}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ChipEvent::FileDone { .. }))
    );
}
