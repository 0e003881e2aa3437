//! `alicem passport mint`, `alicem passport verify` and `alicem trust inspect`, run as
//! the binary a user runs.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::path::Path;
use std::process::{Command, Output};

fn alicem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(args)
        .output()
        .expect("run alicem")
}

fn shared(relative: &str) -> String {
    format!(
        "{}/../../../shared/vectors/emrtd/pa/{relative}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON verdict")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_minted_passport_verifies_and_a_tampered_one_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = tmp.path().join("pki");
    let good = tmp.path().join("good");
    let bad = tmp.path().join("bad");
    let out = alicem(&[
        "passport",
        "mint",
        "--out",
        path(&good),
        "--pki",
        path(&pki),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = alicem(&[
        "passport",
        "mint",
        "--out",
        path(&bad),
        "--pki",
        path(&pki),
        "--tampered-dg",
        "--profile",
        "id-card-fr",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let verdict = alicem(&[
        "passport",
        "verify",
        "--dir",
        path(&good),
        "--trust",
        path(&good),
        "--json",
    ]);
    assert!(verdict.status.success());
    let v = json(&verdict);
    assert_eq!(v["authentic"], true);
    assert_eq!(v["sod_signature_valid"], true);
    assert_eq!(v["chain_valid"], true);
    assert_eq!(v["csca_country"], "UT");
    assert_eq!(v["data_groups"]["1"], "match");
    assert_eq!(v["active_authentication"], "not_performed");

    // The tampered card is checked against the first document's master list (same PKI).
    let verdict = alicem(&[
        "passport",
        "verify",
        "--dir",
        path(&bad),
        "--trust",
        &format!("{}/masterlist.ml", path(&good)),
        "--json",
    ]);
    assert!(!verdict.status.success());
    let v = json(&verdict);
    assert_eq!(v["authentic"], false);
    assert_eq!(v["data_groups"]["1"], "mismatch");
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("DG1"))
    );
}

#[test]
fn refuses_to_mint_into_a_non_empty_directory_or_with_an_unknown_profile() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x"), b"x").unwrap();
    let out = alicem(&["passport", "mint", "--out", path(tmp.path())]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let dir = tmp.path().join("new");
    let out = alicem(&["passport", "mint", "--out", path(&dir), "--profile", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("passport-bac"));
    assert!(!dir.exists());
}

#[test]
fn the_spanish_specimen_sod_alone_chains_to_the_german_master_list() {
    let verdict = alicem(&[
        "passport",
        "verify",
        "--sod",
        &shared("es_dnie_specimen/EF_SOD.bin"),
        "--trust",
        &shared("trust"),
        "--at",
        "2020-06-01",
        "--json",
    ]);
    assert!(
        verdict.status.success(),
        "{}",
        String::from_utf8_lossy(&verdict.stdout)
    );
    let v = json(&verdict);
    assert_eq!(v["csca_country"], "ES");
}

#[test]
fn the_dutch_specimen_data_groups_match_given_one_by_one() {
    let dir = "nl_specimen_2006";
    let verdict = alicem(&[
        "passport",
        "verify",
        "--sod",
        &shared(&format!("{dir}/EF_SOD_011D.bin")),
        "--dg",
        &format!("1={}", shared(&format!("{dir}/EF_DG1_0101.bin"))),
        "--dg",
        &format!("2={}", shared(&format!("{dir}/EF_DG2_0102.bin"))),
        "--trust",
        &shared("trust"),
        "--at",
        "2008-01-01",
        "--json",
    ]);
    // Its CSCA is not public: not authentic, but signature and hashes are good.
    assert!(!verdict.status.success());
    let v = json(&verdict);
    assert_eq!(v["sod_signature_valid"], true);
    assert_eq!(v["chain_valid"], false);
    assert_eq!(v["data_groups"]["2"], "match");
}

#[test]
fn trust_inspect_shows_the_master_list_signer_and_cscas() {
    let out = alicem(&[
        "trust",
        "inspect",
        &shared("trust/DE_ML_2026-05-28-08-28-45.ml"),
        "--json",
    ]);
    assert!(out.status.success());
    let v = json(&out);
    let list = &v[0];
    assert_eq!(list["kind"], "master_list");
    assert_eq!(list["csca_count"], 588);
    assert!(
        list["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "ES")
    );
    assert!(
        list["signer"]["subject"]
            .as_str()
            .unwrap()
            .contains("Master List Signer")
    );
}

/// Writes `session.json` as `alicem passport read` does, with an Active Authentication
/// response and a Chip Authentication outcome computed from the chip's keys.
fn write_session(dir: &Path, doc: &alicem_chip_sim::factory::MintedDocument) {
    use alicem_chip_sim::PrivateKey;
    use alicem_chip_sim::factory::keys;
    use alicem_emrtd::verify::keys::HashAlgorithm;
    use der::Encode;
    let challenge = [0x11u8; 8];
    let Some(PrivateKey::Ec { curve, scalar }) = &doc.image.keys.active_authentication else {
        panic!("ECDSA AA expected")
    };
    let signature =
        keys::ecdsa_sign(*curve, scalar, &HashAlgorithm::Sha256.digest(&challenge)).unwrap();
    let Some(PrivateKey::Ec { curve, scalar }) = &doc.image.keys.chip_authentication else {
        panic!("CA key expected")
    };
    let point = keys::ec_public_point(*curve, scalar).unwrap();
    let spki = keys::ec_spki(*curve, &point).unwrap().to_der().unwrap();
    // The fields `alicem passport read` writes (and some it writes that are not used).
    let session = serde_json::json!({
        "version": 1,
        "active_authentication": {
            "challenge": hex::encode(challenge),
            "challenge_source": "caller",
            "signature": hex::encode(signature),
        },
        "chip_authentication": {
            "protocol": "CA",
            "command": "MSE:Set AT",
            "success": true,
            "key_id": null,
            "public_key_spki": hex::encode(spki),
            "failure": null,
        },
    });
    std::fs::write(dir.join("session.json"), session.to_string()).unwrap();
}

#[test]
fn verifies_the_anti_clone_evidence_of_session_json() {
    use alicem_chip_sim::factory::{Faults, MintOptions, mint};
    let tmp = tempfile::tempdir().unwrap();
    for (name, cloned) in [("genuine", false), ("clone", true)] {
        let doc = mint(MintOptions {
            profile: "passport-pace".into(),
            faults: Faults {
                cloned_chip: cloned,
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        let dir = tmp.path().join(name);
        doc.save(&dir).unwrap();
        write_session(&dir, &doc);
        let out = alicem(&[
            "passport",
            "verify",
            "--dir",
            path(&dir),
            "--trust",
            path(&dir),
            "--json",
        ]);
        let v = json(&out);
        if cloned {
            assert!(!out.status.success());
            assert_eq!(v["active_authentication"], "invalid");
            assert_eq!(v["chip_authentication"], "invalid");
        } else {
            assert!(out.status.success(), "{v}");
            assert_eq!(v["active_authentication"], "valid");
            assert_eq!(v["chip_authentication"], "valid");
        }
    }
}
