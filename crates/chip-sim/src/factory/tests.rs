//! Minted documents checked by the real verifier: every profile verifies, every fault
//! is refused for its reason, and the verifier's quirk handling is exercised on
//! documents signed the messy ways real issuers sign them.

use std::sync::OnceLock;

use alicem_emrtd::lds::{DataGroup, FileId, SecurityInfos};
use alicem_emrtd::verify::keys::HashAlgorithm;
use alicem_emrtd::verify::{
    ActiveAuthenticationEvidence, ChipAuthenticationOutcome, ChipProtocol, DataGroupResult,
    DocumentEvidence, DocumentVerdict, ProofResult, TrustStore,
};
use der::{DateTime, Encode};
use rsa::BoxedUint;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;

use super::*;

/// One PKI for the tests (key generation is the slow part of minting).
fn pki() -> TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate("UT", PkiOptions::default()).unwrap())
        .clone()
}

fn mint_with(profile: &str, faults: Faults) -> MintedDocument {
    mint(MintOptions {
        profile: profile.into(),
        faults,
        pki: Some(pki()),
        ..Default::default()
    })
    .unwrap()
}

fn trust(doc: &MintedDocument) -> TrustStore {
    let mut store = TrustStore::new();
    store.load("masterlist.ml", &doc.master_list).unwrap();
    store.load("CSCA.crl", &doc.crl).unwrap();
    store
}

fn today() -> DateTime {
    pki::now().unwrap()
}

fn evidence(doc: &MintedDocument) -> DocumentEvidence {
    DocumentEvidence {
        files: doc.image.files.clone().into(),
        ..Default::default()
    }
}

fn verify(doc: &MintedDocument, evidence: &DocumentEvidence) -> DocumentVerdict {
    evidence.verify(&trust(doc), today())
}

/// What the chip answers to INTERNAL AUTHENTICATE (test-side stand-in for the chip).
fn aa_sign(key: &PrivateKey, dg14: Option<&[u8]>, challenge: &[u8]) -> Vec<u8> {
    match key {
        PrivateKey::Ec { curve, scalar } => {
            let hash = dg14
                .and_then(|b| SecurityInfos::from_dg14(b).ok())
                .and_then(|i| i.active_authentication().cloned())
                .map(|info| match info.signature_algorithm {
                    oid::ECDSA_PLAIN_SHA384 => HashAlgorithm::Sha384,
                    oid::ECDSA_PLAIN_SHA512 => HashAlgorithm::Sha512,
                    oid::ECDSA_PLAIN_SHA1 => HashAlgorithm::Sha1,
                    _ => HashAlgorithm::Sha256,
                })
                .unwrap_or(HashAlgorithm::Sha256);
            keys::ecdsa_sign(*curve, scalar, &hash.digest(challenge)).unwrap()
        }
        PrivateKey::Rsa { pkcs8 } => {
            // ISO/IEC 9796-2 scheme 1, SHA-1, implicit trailer.
            let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8).unwrap();
            let k = key.n().as_ref().bits().div_ceil(8) as usize;
            let m1: Vec<u8> = (0..k - 22).map(|i| i as u8).collect();
            let mut message = m1.clone();
            message.extend_from_slice(challenge);
            let mut f = vec![0x6A];
            f.extend(m1);
            f.extend(HashAlgorithm::Sha1.digest(&message));
            f.push(0xBC);
            let m = BoxedUint::from_be_slice(&f, key.n_bits_precision()).unwrap();
            let s = rsa::hazmat::rsa_decrypt::<keys::Rng>(None, &key, &m).unwrap();
            let bytes = s.to_be_bytes();
            bytes[bytes.len() - k..].to_vec()
        }
        PrivateKey::Dh { .. } => unreachable!(),
    }
}

fn with_aa(doc: &MintedDocument) -> DocumentEvidence {
    let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
    let key = doc.image.keys.active_authentication.as_ref().unwrap();
    let dg14 = doc.image.files.get(&FileId::Dg(DataGroup::DG14));
    DocumentEvidence {
        active_authentication: Some(ActiveAuthenticationEvidence {
            challenge: challenge.to_vec(),
            signature: aa_sign(key, dg14.map(Vec::as_slice), &challenge),
        }),
        ..evidence(doc)
    }
}

/// The SubjectPublicKeyInfo of the chip's CA key, as the reader records it.
fn ca_outcome(doc: &MintedDocument, protocol: ChipProtocol) -> ChipAuthenticationOutcome {
    let Some(PrivateKey::Ec { curve, scalar }) = &doc.image.keys.chip_authentication else {
        panic!("no CA key")
    };
    let point = keys::ec_public_point(*curve, scalar).unwrap();
    ChipAuthenticationOutcome {
        protocol,
        success: true,
        key_id: None,
        public_key: keys::ec_spki(*curve, &point).unwrap().to_der().unwrap(),
    }
}

#[test]
fn every_profile_mints_a_document_the_verifier_accepts() {
    for name in profiles::NAMES {
        let doc = mint_with(name, Faults::default());
        let verdict = verify(&doc, &evidence(&doc));
        assert!(verdict.authentic, "{name}: {:?}", verdict.errors);
        assert!(
            verdict
                .data_groups
                .values()
                .all(|r| *r == DataGroupResult::Match)
        );
        assert_eq!(verdict.csca_country.as_deref(), Some("UT"));
        assert_eq!(verdict.issuing_state.as_deref(), Some("UTO"));
        assert!(doc.image.access.parsed_mrz().is_ok());
    }
}

#[test]
fn active_authentication_of_a_genuine_chip_is_valid() {
    for name in ["passport-bac", "passport-pace", "passport-pace-nist"] {
        let doc = mint_with(name, Faults::default());
        let verdict = verify(&doc, &with_aa(&doc));
        assert_eq!(
            verdict.active_authentication,
            ProofResult::Valid,
            "{name}: {:?}",
            verdict.errors
        );
        assert!(verdict.authentic, "{name}: {:?}", verdict.errors);
    }
}

#[test]
fn chip_authentication_and_pace_cam_keys_covered_by_the_signature_are_valid() {
    let doc = mint_with("passport-pace", Faults::default());
    let ev = DocumentEvidence {
        chip_authentication: Some(ca_outcome(&doc, ChipProtocol::ChipAuthentication)),
        ..evidence(&doc)
    };
    let verdict = verify(&doc, &ev);
    assert_eq!(
        verdict.chip_authentication,
        ProofResult::Valid,
        "{:?}",
        verdict.errors
    );
    assert!(verdict.authentic);

    let doc = mint_with("id-card-cam", Faults::default());
    let ev = DocumentEvidence {
        chip_authentication: Some(ca_outcome(&doc, ChipProtocol::PaceCam)),
        ..evidence(&doc)
    };
    let verdict = verify(&doc, &ev);
    assert_eq!(
        verdict.chip_authentication,
        ProofResult::Valid,
        "{:?}",
        verdict.errors
    );
    assert!(verdict.card_security.as_ref().unwrap().passed());
    assert!(verdict.authentic);
}

#[test]
fn rejects_a_data_group_tampered_after_signing() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            tampered_dg: true,
            ..Default::default()
        },
    );
    let verdict = verify(&doc, &evidence(&doc));
    assert!(!verdict.authentic);
    assert!(verdict.sod_signature_valid && verdict.chain_valid);
    assert_eq!(verdict.data_groups[&1], DataGroupResult::Mismatch);
    assert!(
        verdict
            .errors
            .iter()
            .any(|e| e.contains("DG1: hash does not match"))
    );
}

#[test]
fn rejects_sod_signed_by_unknown_csca() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            unknown_csca: true,
            ..Default::default()
        },
    );
    let verdict = verify(&doc, &evidence(&doc));
    assert!(!verdict.authentic);
    assert!(verdict.sod_signature_valid);
    assert!(!verdict.chain_valid);
    assert!(
        verdict.errors.iter().any(|e| e.contains("unknown issuer")),
        "{:?}",
        verdict.errors
    );
}

#[test]
fn rejects_an_expired_document() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            expired: true,
            ..Default::default()
        },
    );
    let verdict = verify(&doc, &evidence(&doc));
    assert!(!verdict.authentic);
    assert!(verdict.chain_valid);
    assert_eq!(verdict.document_expired, Some(true));
    assert!(verdict.errors.iter().any(|e| e.contains("expired")));
}

#[test]
fn rejects_a_document_signed_by_a_revoked_document_signer() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            revoked_dsc: true,
            ..Default::default()
        },
    );
    let verdict = verify(&doc, &evidence(&doc));
    assert!(!verdict.authentic);
    assert_eq!(
        verdict.dsc_revocation,
        Some(alicem_emrtd::verify::trust::Revocation::Revoked)
    );
    assert!(verdict.errors.iter().any(|e| e.contains("revoked")));
    // The same document's CRL without the fault does not list it.
    let good = mint_with("passport-pace", Faults::default());
    assert_eq!(
        verify(&good, &evidence(&good)).dsc_revocation,
        Some(alicem_emrtd::verify::trust::Revocation::NotRevoked)
    );
}

#[test]
fn rejects_a_cloned_chip_whose_keys_are_not_those_signed() {
    for name in ["passport-bac", "passport-pace"] {
        let doc = mint_with(
            name,
            Faults {
                cloned_chip: true,
                ..Default::default()
            },
        );
        let verdict = verify(&doc, &with_aa(&doc));
        assert_eq!(
            verdict.active_authentication,
            ProofResult::Invalid,
            "{name}"
        );
        assert!(!verdict.authentic);
    }
    let doc = mint_with(
        "passport-pace",
        Faults {
            cloned_chip: true,
            ..Default::default()
        },
    );
    let ev = DocumentEvidence {
        chip_authentication: Some(ca_outcome(&doc, ChipProtocol::ChipAuthentication)),
        ..evidence(&doc)
    };
    let verdict = verify(&doc, &ev);
    assert_eq!(verdict.chip_authentication, ProofResult::Invalid);
    assert!(
        verdict.errors.iter().any(|e| e.contains("clone")),
        "{:?}",
        verdict.errors
    );
}

#[test]
fn rejects_a_clone_carrying_its_own_dg15_key() {
    let doc = mint_with("passport-pace", Faults::default());
    let clone_key =
        SigningKey::generate_ec(alicem_emrtd::domain_parameters::Curve::BrainpoolP256r1).unwrap();
    let mut clone = doc.clone();
    clone.image.files.insert(
        FileId::Dg(DataGroup::DG15),
        alicem_emrtd::lds::Dg15::encode(&clone_key.spki().unwrap()).unwrap(),
    );
    clone.image.keys.active_authentication = Some(clone_key.to_private_key().unwrap());
    let verdict = verify(&clone, &with_aa(&clone));
    assert_eq!(verdict.data_groups[&15], DataGroupResult::Mismatch);
    assert_eq!(verdict.active_authentication, ProofResult::Invalid);
    assert!(!verdict.authentic);
}

#[test]
fn rejects_an_issuing_state_that_is_not_the_cscas_country() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            country_mismatch: true,
            ..Default::default()
        },
    );
    let verdict = verify(&doc, &evidence(&doc));
    assert!(!verdict.authentic);
    assert!(verdict.chain_valid);
    assert_eq!(verdict.issuing_state.as_deref(), Some("FRA"));
    assert_eq!(verdict.issuing_state_matches_csca, Some(false));
}

#[test]
fn pace_only_and_bac_only_faults_change_the_access_protocols() {
    let doc = mint_with(
        "passport-pace",
        Faults {
            pace_only: true,
            ..Default::default()
        },
    );
    assert!(!doc.image.profile.bac);
    assert!(doc.image.files.contains_key(&FileId::CardAccess));
    let doc = mint_with(
        "passport-pace",
        Faults {
            bac_only: true,
            ..Default::default()
        },
    );
    assert!(doc.image.profile.bac && doc.image.profile.pace.is_empty());
    assert!(!doc.image.files.contains_key(&FileId::CardAccess));
    assert!(verify(&doc, &evidence(&doc)).authentic);
    assert!(
        mint(MintOptions {
            profile: "passport-bac".into(),
            faults: Faults {
                pace_only: true,
                ..Default::default()
            },
            pki: Some(pki()),
            ..Default::default()
        })
        .is_err()
    );
}

#[test]
fn a_minted_directory_loads_back_as_the_same_chip_image() {
    let doc = mint_with("id-card-cam", Faults::default());
    let dir = tempfile::tempdir().unwrap();
    doc.save(dir.path()).unwrap();
    for name in [
        "EF_COM.bin",
        "EF_SOD.bin",
        "DG1.bin",
        "DG2.bin",
        "DG11.bin",
        "DG14.bin",
        "EF_CardAccess.bin",
        "EF_CardSecurity.bin",
        "document.json",
        "chip.json",
        "person.json",
        "CSCA.der",
        "masterlist.ml",
        "DSC.der",
        "CSCA.crl",
    ] {
        assert!(dir.path().join(name).exists(), "{name}");
    }
    assert_eq!(ChipImage::load(dir.path()).unwrap(), doc.image);
}

#[test]
fn verifies_the_messy_encodings_real_issuers_use() {
    // RSA (small keys: key generation is slow in debug builds) with PSS and SHA-1
    // data-group hashes, a bare rsaEncryption signature algorithm, and a SignerInfo
    // naming the issuer with RDNs reversed and a lower-case country.
    let rsa_pki = |pss: bool| {
        TestPki::generate(
            "UT",
            PkiOptions {
                algorithm: KeyAlgorithm::Rsa { bits: 1024, pss },
                hash: HashAlgorithm::Sha256,
            },
        )
        .unwrap()
    };
    let (pss, pkcs1) = (rsa_pki(true), rsa_pki(false));
    for (pki, hash, signer_id, bare) in [
        (
            &pss,
            HashAlgorithm::Sha1,
            SignerIdStyle::IssuerAndSerialReordered,
            false,
        ),
        (
            &pss,
            HashAlgorithm::Sha256,
            SignerIdStyle::SubjectKeyIdentifier,
            false,
        ),
        (
            &pkcs1,
            HashAlgorithm::Sha512,
            SignerIdStyle::IssuerAndSerial,
            true,
        ),
    ] {
        let doc = mint(MintOptions {
            profile: "passport-pace".into(),
            pki: Some(pki.clone()),
            sod: SodOptions {
                hash,
                signer_id,
                bare_rsa_encryption: bare,
            },
            ..Default::default()
        })
        .unwrap();
        let verdict = verify(&doc, &evidence(&doc));
        assert!(
            verdict.authentic,
            "{hash:?} {signer_id:?} {bare}: {:?}",
            verdict.errors
        );
        assert_eq!(verdict.sod_hash_algorithm, Some(hash));
    }
    // ECDSA on brainpoolP384r1 with SHA-384.
    let bp_pki = TestPki::generate(
        "UT",
        PkiOptions {
            algorithm: KeyAlgorithm::Ecdsa {
                curve: alicem_emrtd::domain_parameters::Curve::BrainpoolP384r1,
            },
            hash: HashAlgorithm::Sha384,
        },
    )
    .unwrap();
    let doc = mint(MintOptions {
        pki: Some(bp_pki),
        ..Default::default()
    })
    .unwrap();
    let verdict = verify(&doc, &evidence(&doc));
    assert!(verdict.authentic, "{:?}", verdict.errors);
}

#[test]
fn a_saved_pki_issues_documents_the_same_master_list_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let original = pki();
    original.save(dir.path()).unwrap();
    let loaded = TestPki::load(dir.path()).unwrap();
    assert_eq!(loaded.csca.certificate, original.csca.certificate);
    let first = mint_with("passport-pace", Faults::default());
    let second = mint(MintOptions {
        pki: Some(loaded),
        ..Default::default()
    })
    .unwrap();
    let verdict = evidence(&second).verify(&trust(&first), today());
    assert!(verdict.authentic, "{:?}", verdict.errors);
}

#[test]
fn a_link_certificate_carries_trust_to_the_cscas_new_key() {
    use pki::{CertificateRequest, Issued, Role, issue};
    let old = pki();
    let new_key =
        SigningKey::generate_ec(alicem_emrtd::domain_parameters::Curve::NistP256).unwrap();
    let new_spki = new_key.spki().unwrap();
    let new_id = HashAlgorithm::Sha1.digest(new_spki.subject_public_key.raw_bytes());
    fn request<'a>(
        issuer: &'a Issued,
        subject: &'a x509_cert::name::Name,
        spki: &'a spki::SubjectPublicKeyInfoOwned,
        role: Role,
        pki: &TestPki,
    ) -> CertificateRequest<'a> {
        CertificateRequest {
            issuer: &issuer.name,
            issuer_key: &issuer.key,
            issuer_key_id: &issuer.key_id,
            subject,
            subject_public_key: spki,
            role,
            not_before: pki.not_before,
            not_after: pki.not_after,
            hash: HashAlgorithm::Sha256,
        }
    }
    // The old CSCA certifies the new key under the same name.
    let link = issue(request(
        &old.csca,
        &old.csca.name,
        &new_spki,
        Role::Csca,
        &old,
    ))
    .unwrap();
    let new_csca = Issued {
        key: new_key,
        certificate: link.clone(),
        name: old.csca.name.clone(),
        key_id: new_id,
    };
    let dsc_key =
        SigningKey::generate_ec(alicem_emrtd::domain_parameters::Curve::NistP256).unwrap();
    let dsc_spki = dsc_key.spki().unwrap();
    let dsc_name = old.document_signer.name.clone();
    let dsc_cert = issue(request(
        &new_csca,
        &dsc_name,
        &dsc_spki,
        Role::DocumentSigner,
        &old,
    ))
    .unwrap();
    let mut rolled = old.clone();
    rolled.document_signer = Issued {
        key_id: HashAlgorithm::Sha1.digest(dsc_spki.subject_public_key.raw_bytes()),
        key: dsc_key,
        certificate: dsc_cert,
        name: dsc_name,
    };
    rolled.csca = new_csca;
    let doc = mint(MintOptions {
        pki: Some(rolled),
        ..Default::default()
    })
    .unwrap();
    let mut store = TrustStore::new();
    store.load("old CSCA", &old.csca.certificate).unwrap();
    let without_link = evidence(&doc).verify(&store, today());
    assert!(!without_link.chain_valid);
    store.load("link", &link).unwrap();
    let verdict = evidence(&doc).verify(&store, today());
    assert!(verdict.authentic, "{:?}", verdict.errors);
}

#[test]
fn ignores_a_crl_not_signed_by_the_csca() {
    let doc = mint_with("passport-pace", Faults::default());
    let p = pki();
    let forged = pki::crl(
        &p.csca.name,
        &p.unknown_csca.key,
        HashAlgorithm::Sha256,
        p.not_before,
        pki::add_days(p.not_before, 30).unwrap(),
        &[p.document_signer.serial().unwrap()],
    )
    .unwrap();
    let mut store = TrustStore::new();
    store.load("masterlist.ml", &doc.master_list).unwrap();
    store.load("forged.crl", &forged).unwrap();
    let verdict = evidence(&doc).verify(&store, today());
    assert_eq!(
        verdict.dsc_revocation,
        Some(alicem_emrtd::verify::trust::Revocation::NoCrl)
    );
    assert!(verdict.authentic, "{:?}", verdict.errors);
}
