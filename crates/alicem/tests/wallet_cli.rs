//! `alicem wallet …` as a user runs it, for what needs no identity server: creating
//! the wallet, what it shows, and the mistakes refused before anything is sent.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

/// A closed port on this machine: nothing answers there.
const NO_SERVER: &str = "http://127.0.0.1:9";

fn wallet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
        .arg("wallet")
        .arg("--wallet-dir")
        .arg(dir)
        .args(args)
        .env_remove("ALICEM_WALLET_DIR")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(dir: &Path) {
    let out = wallet(
        dir,
        &["init", "--server", NO_SERVER, "--insecure-fast-pin-kdf"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn init_creates_a_private_wallet_that_show_describes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let out = wallet(&dir, &["show", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["server_url"], NO_SERVER);
    assert!(shown["identity_id"].is_null());
    assert!(shown["credential"].is_null());
    // RFC 7638 thumbprint: base64url of SHA-256.
    assert_eq!(shown["device_key_thumbprint"].as_str().unwrap().len(), 43);
}

#[test]
fn init_refuses_an_existing_wallet_and_plain_http_to_another_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    let again = wallet(&dir, &["init", "--server", NO_SERVER]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let other = tmp.path().join("other");
    let out = wallet(&other, &["init", "--server", "http://id.example.org"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert!(!other.exists());
}

#[test]
fn the_face_path_without_frames_is_refused_before_contacting_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    let out = wallet(
        &dir,
        &[
            "enroll",
            "--sim",
            "/nonexistent",
            "--can",
            "123456",
            "--email",
            "a@b.fr",
            "--phone",
            "+33612345678",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--frames"), "{err}");
    assert!(!err.contains("reach"), "{err}");
}

#[test]
fn a_misnamed_frame_is_refused_before_contacting_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    let frames = tmp.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    std::fs::write(frames.join("01_turn_lfet.jpg"), [0xFF, 0xD8, 0xFF]).unwrap();
    let out = wallet(
        &dir,
        &[
            "enroll",
            "--sim",
            "/nonexistent",
            "--can",
            "123456",
            "--frames",
            frames.to_str().unwrap(),
            "--email",
            "a@b.fr",
            "--phone",
            "+33612345678",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("01_turn_lfet.jpg"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unreachable_server_is_reported_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    let out = wallet(
        &dir,
        &[
            "enroll",
            "--sim",
            "/x",
            "--can",
            "123456",
            "--path",
            "agent",
            "--email",
            "a@b.fr",
            "--phone",
            "+33612345678",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot reach the server"),
        "{}",
        stderr(&out)
    );
    // Nothing was recorded as in progress.
    let shown: serde_json::Value =
        serde_json::from_slice(&wallet(&dir, &["show", "--json"]).stdout).unwrap();
    assert!(shown["enrollment_in_progress"].is_null());
}

#[test]
fn identity_commands_on_a_wallet_without_identity_say_to_enroll_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir);
    for args in [
        &["requests"][..],
        &["status"],
        &["history"],
        &["approve", "login-1", "--pin-stdin"],
        &["suspend", "--pin-stdin"],
        &["pin", "change", "--pin-stdin"],
    ] {
        let out = wallet(&dir, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("enroll first"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = wallet(&dir, &["receipts"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("no erasure receipt"));
}

#[test]
fn a_missing_wallet_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = wallet(&tmp.path().join("none"), &["show"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no wallet in"), "{}", stderr(&out));
}
