//! Passive Authentication of the public specimens in `../shared/vectors/emrtd/pa/`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::*;
use crate::lds::{DataGroup, FileId};
use crate::testdata::shared;

fn german_trust() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = TrustStore::new();
        store
            .load("DE_ML", &shared("pa/trust/DE_ML_2026-05-28-08-28-45.ml"))
            .unwrap();
        store
    })
}

#[test]
fn german_master_list_signature_verifies_and_lists_its_cscas() {
    let list = MasterList::parse(&shared("pa/trust/DE_ML_2026-05-28-08-28-45.ml")).unwrap();
    assert_eq!(
        list.certificates.len() + list.rejected.len(),
        588,
        "{:?}",
        list.rejected
    );
    assert!(list.rejected.is_empty(), "{:?}", list.rejected);
    assert!(
        list.signer
            .subject()
            .to_string()
            .contains("CSCA Master List Signer")
    );
    assert!(list.countries().contains(&"ES".to_string()));
    assert!(list.countries().contains(&"DE".to_string()));
    // The signer's certificate is signed by csca-germany with ECDSA on brainpoolP512r1.
    assert!(
        matches!(&list.signer_chain, master_list::SignerChain::Valid { issuer } if issuer.contains("csca-germany")),
        "{:?}",
        list.signer_chain
    );
}

#[test]
fn verifies_the_german_csca_self_signature_on_brainpool_p512r1() {
    let csca = Certificate::from_der(&shared("pa/trust/DE_ROOT_CA_CSCA07.cer")).unwrap();
    let key = csca.public_key().unwrap();
    assert_eq!(key.description(), "EC brainpoolP512r1");
    csca.verify_signed_by(key).unwrap();
    let mut tampered = shared("pa/trust/DE_ROOT_CA_CSCA07.cer");
    let at = tampered.windows(4).position(|w| w == b"bund").unwrap();
    tampered[at] = b'B';
    let tampered = Certificate::from_der(&tampered).unwrap();
    assert!(tampered.verify_signed_by(key).is_err());
}

#[test]
fn refuses_a_master_list_whose_content_was_altered() {
    let mut bytes = shared("pa/trust/DE_ML_2026-05-28-08-28-45.ml");
    // A byte inside the first listed certificate's signature.
    bytes[700] ^= 0x01;
    assert!(MasterList::parse(&bytes).is_err());
}

#[test]
fn spanish_specimen_sod_chains_to_the_german_master_list() {
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, shared("pa/es_dnie_specimen/EF_SOD.bin"));
    let evidence = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    };
    let verdict = evidence.verify(german_trust(), parse_date("2020-01-01").unwrap());
    assert!(verdict.sod_signature_valid, "{:?}", verdict.errors);
    assert!(verdict.chain_valid, "{:?}", verdict.errors);
    assert_eq!(verdict.csca_country.as_deref(), Some("ES"));
    assert!(
        verdict
            .csca_subject
            .as_deref()
            .unwrap()
            .contains("CSCA SPAIN")
    );
    assert!(verdict.authentic, "{:?}", verdict.errors);
    assert_eq!(verdict.not_read, vec![1, 2, 3, 7, 11, 13, 14]);
}

#[test]
fn spanish_specimen_is_refused_after_its_document_signer_expired() {
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, shared("pa/es_dnie_specimen/EF_SOD.bin"));
    let evidence = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    };
    let verdict = evidence.verify(german_trust(), parse_date("2027-01-01").unwrap());
    assert!(verdict.sod_signature_valid);
    assert!(!verdict.chain_valid);
    assert!(!verdict.authentic);
    assert!(
        verdict
            .errors
            .iter()
            .any(|e| e.contains("Document Signer certificate is not valid"))
    );
}

#[test]
fn spanish_specimen_sod_is_refused_by_an_unrelated_trust_store() {
    let mut store = TrustStore::new();
    store
        .load("DE_CSCA", &shared("pa/trust/DE_ROOT_CA_CSCA07.cer"))
        .unwrap();
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, shared("pa/es_dnie_specimen/EF_SOD.bin"));
    let verdict = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    }
    .verify(&store, parse_date("2020-01-01").unwrap());
    assert!(verdict.sod_signature_valid);
    assert!(!verdict.chain_valid);
    assert!(
        verdict.errors.iter().any(|e| e.contains("unknown issuer")),
        "{:?}",
        verdict.errors
    );
}

fn dutch_files() -> BTreeMap<FileId, Vec<u8>> {
    let mut files = BTreeMap::new();
    let dir = "pa/nl_specimen_2006";
    files.insert(FileId::Sod, shared(&format!("{dir}/EF_SOD_011D.bin")));
    files.insert(FileId::Com, shared(&format!("{dir}/EF_COM_011E.bin")));
    files.insert(
        FileId::Dg(DataGroup::DG1),
        shared(&format!("{dir}/EF_DG1_0101.bin")),
    );
    files.insert(
        FileId::Dg(DataGroup::DG2),
        shared(&format!("{dir}/EF_DG2_0102.bin")),
    );
    files.insert(
        FileId::Dg(DataGroup::DG15),
        shared(&format!("{dir}/EF_DG15_010F.bin")),
    );
    files
}

#[test]
fn dutch_specimen_signature_and_data_group_hashes_verify() {
    let verdict = DocumentEvidence {
        files: dutch_files().into(),
        ..Default::default()
    }
    .verify(&TrustStore::new(), parse_date("2008-01-01").unwrap());
    assert!(verdict.sod_signature_valid, "{:?}", verdict.errors);
    assert_eq!(
        verdict.sod_signature_algorithm.as_deref(),
        Some("RSA PKCS#1 v1.5 with SHA-256")
    );
    for dg in [1, 2, 15] {
        assert_eq!(verdict.data_groups[&dg], DataGroupResult::Match, "DG{dg}");
    }
    assert_eq!(verdict.issuing_state.as_deref(), Some("NLD"));
    assert_eq!(verdict.document_expired, Some(false));
    // Its test CSCA is not public.
    assert!(!verdict.chain_valid);
    assert!(!verdict.authentic);
}

#[test]
fn dutch_specimen_with_an_altered_photo_is_a_mismatch() {
    let mut files = dutch_files();
    let dg2 = files.get_mut(&FileId::Dg(DataGroup::DG2)).unwrap();
    let last = dg2.len() - 10;
    dg2[last] ^= 0xFF;
    let verdict = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    }
    .verify(&TrustStore::new(), parse_date("2008-01-01").unwrap());
    assert_eq!(verdict.data_groups[&2], DataGroupResult::Mismatch);
    assert_eq!(verdict.data_groups[&1], DataGroupResult::Match);
    assert!(
        verdict
            .errors
            .iter()
            .any(|e| e.contains("DG2: hash does not match"))
    );
}

#[test]
fn a_data_group_the_sod_does_not_list_is_reported_absent() {
    let mut files = dutch_files();
    files.insert(FileId::Dg(DataGroup::DG11), vec![0x6B, 0x00]);
    let verdict = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    }
    .verify(&TrustStore::new(), parse_date("2008-01-01").unwrap());
    assert_eq!(verdict.data_groups[&11], DataGroupResult::AbsentFromSod);
}

/// A document minted by the project's factory (`alicem passport mint --profile
/// id-card-fr`), committed so that the verifier is checked without the factory.
fn minted(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/testdata/minted/id-card-p256/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap()
}

fn minted_evidence() -> DocumentEvidence {
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, minted("EF_SOD.bin"));
    files.insert(FileId::Com, minted("EF_COM.bin"));
    for dg in [
        DataGroup::DG1,
        DataGroup::DG2,
        DataGroup::DG11,
        DataGroup::DG14,
    ] {
        files.insert(FileId::Dg(dg), minted(&format!("DG{}.bin", dg.number())));
    }
    DocumentEvidence {
        files: files.into(),
        ..Default::default()
    }
}

fn minted_trust() -> TrustStore {
    let mut store = TrustStore::new();
    store
        .load("masterlist.ml", &minted("masterlist.ml"))
        .unwrap();
    store.load("CSCA.crl", &minted("CSCA.crl")).unwrap();
    store
}

#[test]
fn a_minted_identity_card_verifies_against_its_master_list() {
    let verdict = minted_evidence().verify(&minted_trust(), parse_date("2027-06-01").unwrap());
    assert!(verdict.authentic, "{:?}", verdict.errors);
    assert_eq!(verdict.data_groups.len(), 4);
    assert_eq!(verdict.issuing_state.as_deref(), Some("UTO"));
    assert_eq!(verdict.dsc_revocation, Some(trust::Revocation::NotRevoked));
    // Trusted by its CSCA certificate alone as well.
    let mut by_cert = TrustStore::new();
    by_cert.load("CSCA.der", &minted("CSCA.der")).unwrap();
    assert!(
        minted_evidence()
            .verify(&by_cert, parse_date("2027-06-01").unwrap())
            .authentic
    );
}

#[test]
fn a_minted_identity_card_with_an_altered_sod_signature_is_refused() {
    let mut evidence = minted_evidence();
    let sod = evidence.files.get_mut(&FileId::Sod).unwrap();
    let last = sod.len() - 5;
    sod[last] ^= 0x01;
    let verdict = evidence.verify(&minted_trust(), parse_date("2027-06-01").unwrap());
    assert!(!verdict.sod_signature_valid);
    assert!(!verdict.authentic);
}

/// Rewrites a constructed TLV with an indefinite length (`tag 80 … 00 00`), its first
/// `depth` levels of first children too.
fn indefinite(der: &[u8], depth: usize) -> Vec<u8> {
    let tlv = crate::lds::tlv::TlvReader::new(der)
        .next()
        .unwrap()
        .unwrap();
    let mut out = vec![tlv.raw[0], 0x80];
    if depth > 0 {
        let first = crate::lds::tlv::TlvReader::new(tlv.value)
            .next()
            .unwrap()
            .unwrap();
        if first.constructed() {
            out.extend(indefinite(first.raw, depth - 1));
            out.extend_from_slice(&tlv.value[first.raw.len()..]);
        } else {
            // ContentInfo: OID first, then [0].
            out.extend_from_slice(first.raw);
            let rest = &tlv.value[first.raw.len()..];
            out.extend(indefinite(rest, depth - 1));
        }
    } else {
        out.extend_from_slice(tlv.value);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn accepts_a_sod_with_ber_indefinite_lengths() {
    let sod = minted("EF_SOD.bin");
    let content_info = crate::lds::tlv::parse_one(&sod, 0x77)
        .unwrap()
        .value
        .to_vec();
    // ContentInfo, its [0] and the SignedData, all with indefinite lengths.
    let ber = indefinite(&content_info, 2);
    assert_eq!(&ber[..2], &[0x30, 0x80], "{:02X?}", &ber[..16]);
    assert!(ber.windows(2).filter(|w| *w == [0x30, 0x80]).count() >= 2);
    let mut evidence = minted_evidence();
    evidence
        .files
        .insert(FileId::Sod, crate::lds::tlv::encode(0x77, &ber));
    let verdict = evidence.verify(&minted_trust(), parse_date("2027-06-01").unwrap());
    assert!(verdict.authentic, "{:?}", verdict.errors);
}

/// Every CSCA of the German master list is signed by itself or, for link certificates,
/// by another key of the same CSCA: a check of RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA
/// (named and explicit curves, up to brainpoolP512r1) on 588 real certificates.
#[test]
fn every_csca_of_the_german_master_list_verifies_under_its_own_or_a_link_key() {
    let list = MasterList::parse(&shared("pa/trust/DE_ML_2026-05-28-08-28-45.ml")).unwrap();
    let mut unverified = Vec::new();
    let mut failed = Vec::new();
    for cert in &list.certificates {
        let candidates: Vec<_> = list
            .certificates
            .iter()
            .filter(|issuer| cert.may_be_issued_by(issuer))
            .collect();
        let verified = candidates.iter().any(|issuer| {
            issuer
                .public_key()
                .and_then(|key| cert.verify_signed_by(key))
                .is_ok()
        });
        let label = format!("{} ({})", names::display(cert.subject()), cert.serial_hex());
        // Its issuer's key is listed when a certificate carries the key its AKI names.
        let issuer_listed = cert.authority_key_identifier().is_some_and(|aki| {
            list.certificates
                .iter()
                .any(|c| c.subject_key_identifier().as_deref() == Some(aki.as_slice()))
        });
        if !verified && issuer_listed {
            failed.push(label);
        } else if !verified {
            unverified.push(label);
        }
    }
    assert!(
        failed.is_empty(),
        "issuer key listed, signature refused: {failed:#?}"
    );
    // A link certificate whose old CSCA is no longer listed cannot be checked here.
    assert!(
        unverified.len() <= 30,
        "{} unverified: {unverified:#?}",
        unverified.len()
    );
    eprintln!(
        "{} of {} unverified: {unverified:#?}",
        unverified.len(),
        list.certificates.len()
    );
}
