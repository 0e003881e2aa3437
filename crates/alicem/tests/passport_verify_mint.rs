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
