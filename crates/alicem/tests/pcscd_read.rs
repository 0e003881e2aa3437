//! End to end through the real PC/SC stack: `alicem passport emulate` plugs a virtual
//! chip into pcscd's vpcd reader, and `alicem passport read` reads it like a card on a
//! USB reader. Needs pcscd with vpcd, which scripts/pcscd-vpcd starts; the test is
//! skipped (with a printed reason) only when pcscd cannot be started at all.

// Helpers of this test file panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alicem_chip_sim::ChipProfile;
use alicem_chip_sim::profile::{
    AaHash, ActiveAuthenticationProfile, CaCommand, ChipAuthenticationProfile, OversizeRead,
    PaceOffer,
};
use alicem_chip_sim::test_image::{ImageSpec, build};
use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use alicem_emrtd::lds::security_infos::{CaProtocol, Cipher, KeyAgreement, Mapping, PaceProtocol};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Starts pcscd with vpcd; `None` (with the reason printed) if that is impossible here.
fn pcscd_vpcd() -> Option<String> {
    let output = Command::new(repo_root().join("scripts/pcscd-vpcd"))
        .stderr(Stdio::piped())
        .output();
    match output {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        Ok(o) => {
            eprintln!(
                "SKIPPED: pcscd with vpcd could not be started: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            None
        }
        Err(e) => {
            eprintln!("SKIPPED: scripts/pcscd-vpcd could not run: {e}");
            None
        }
    }
}

struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn alicem() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
}

fn emulate(dir: &Path, vpcd: &str) -> Emulator {
    let child = alicem()
        .args(["passport", "emulate", "--dir"])
        .arg(dir)
        .args(["--vpcd", vpcd])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("alicem passport emulate starts");
    Emulator(child)
}

/// Waits until the reader reports a card, by listing readers and trying a read.
fn read(mrz: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    alicem()
        .args([
            "passport",
            "read",
            "--reader",
            "Virtual PCD 00 00",
            "--mrz",
            mrz,
            "--out",
        ])
        .arg(out)
        .args(["--wait", "20"])
        .args(extra)
        .output()
        .expect("alicem passport read runs")
}

fn wait_for_reader() {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let out = alicem()
            .args(["passport", "readers"])
            .output()
            .expect("alicem passport readers runs");
        if String::from_utf8_lossy(&out.stdout).contains("Virtual PCD") {
            return;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("pcscd lists no vpcd reader");
}

fn profile() -> ChipProfile {
    let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    ChipProfile {
        name: "pcscd-passport".into(),
        bac: true,
        pace: vec![PaceOffer {
            protocol: PaceProtocol {
                key_agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Generic,
                cipher: Cipher::Aes256,
            },
            parameters: bp256,
        }],
        chip_authentication: Some(ChipAuthenticationProfile {
            protocol: CaProtocol {
                key_agreement: KeyAgreement::Ecdh,
                cipher: Cipher::Tdes,
            },
            parameters: bp256,
            key_id: Some(1),
            command: CaCommand::SetKat,
            announce_info: false,
        }),
        active_authentication: Some(ActiveAuthenticationProfile::Rsa {
            bits: 2048,
            hash: AaHash::Sha256,
        }),
        extended_length: true,
        max_read: 0x1000,
        oversize_read: OversizeRead::WrongLength,
    }
}

#[test]
fn reads_a_virtual_passport_through_pcscd() {
    let Some(vpcd) = pcscd_vpcd() else {
        return;
    };
    let image_dir = tempfile::tempdir().unwrap();
    let mut spec = ImageSpec::new(profile());
    spec.dg2_size = 20_000;
    let image = build(&spec).unwrap();
    image.save(image_dir.path()).unwrap();
    let _emulator = emulate(image_dir.path(), &vpcd);
    wait_for_reader();
    let mrz = image.access.mrz.join("\n");

    // A wrong MRZ: clear error, non-zero exit, nothing written.
    let wrong_out = tempfile::tempdir().unwrap();
    let wrong_mrz =
        alicem_chip_sim::test_image::td3_mrz("WRONG1234", "800101", "350101", "X").join("\n");
    let out = read(&wrong_mrz, &wrong_out.path().join("out"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("MRZ or CAN"), "{stderr}");
    assert!(!wrong_out.path().join("out").exists());

    // The real read.
    let out_dir = tempfile::tempdir().unwrap();
    let out = read(
        &mrz,
        out_dir.path(),
        &["--challenge", "0011223344556677", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let session: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(session["access"]["protocol"], "PACE");
    assert_eq!(session["access"]["mapping"], "GM");
    assert_eq!(session["access"]["parameters"], "brainpoolP256r1");
    assert_eq!(session["access"]["cipher"], "AES-256");
    assert_eq!(session["chip_authentication"]["protocol"], "CA");
    assert_eq!(session["chip_authentication"]["command"], "MSE:Set KAT");
    assert_eq!(session["chip_authentication"]["success"], true);
    assert_eq!(session["secure_messaging"]["cipher"], "3DES");
    assert_eq!(
        session["active_authentication"]["challenge"],
        "0011223344556677"
    );
    assert_eq!(
        session["active_authentication"]["signature"]
            .as_str()
            .unwrap()
            .len(),
        2 * 256
    );
    assert!(session["traffic"]["apdus"].as_u64().unwrap() > 10);
    for (file, bytes) in &image.files {
        let written = std::fs::read(out_dir.path().join(format!("{}.bin", file.name()))).unwrap();
        assert_eq!(&written, bytes, "{file}");
    }
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.path().join("session.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk, session);
}
