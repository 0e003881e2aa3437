use std::os::unix::fs::PermissionsExt;

use alicem_credential::jose::jwt::Clock;
use alicem_credential::jose::{JwkSet, JwsSigner, SigningKey};
use alicem_credential::pin::{Pepper, PinPurpose, PinVerifier};
use alicem_credential::sd_jwt::{self, Issuance, KeyBindingInput, PresentationPolicy};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

use super::*;

const SERVER: &str = "https://id.alicem.test";

fn new_wallet() -> (tempfile::TempDir, Wallet) {
    let parent = tempfile::tempdir().unwrap();
    let wallet =
        Wallet::create(&parent.path().join("w"), SERVER, KdfParams::FAST_INSECURE).unwrap();
    (parent, wallet)
}

fn issuer() -> SigningKey {
    SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[1; 32]).unwrap()).with_kid("iss")
}

fn issue_for(holder: &alicem_credential::jose::Jwk) -> String {
    sd_jwt::issue(
        &Issuance {
            issuer: SERVER,
            vct: "urn:alicem:identity:1",
            issued_at: 1_700_000_000,
            expires_at: 4_000_000_000,
            holder_key: holder,
            claims: vec![
                ("given_name".into(), json!("MARIANNE")),
                ("family_name".into(), json!("DUPONT")),
            ],
            min_digests: 4,
        },
        &issuer(),
        &mut StdRng::seed_from_u64(3),
    )
    .unwrap()
}

fn sealed(wallet: &Wallet, record: &str) -> PathBuf {
    wallet.dir().join(format!("{record}.sealed"))
}

#[test]
fn a_new_wallet_is_private_and_reopens_with_the_same_device_key() {
    let (_parent, wallet) = new_wallet();
    let dir = wallet.dir().to_path_buf();
    let thumbprint = wallet.device_key().thumbprint();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    drop(wallet);
    let again = Wallet::open(&dir).unwrap();
    assert_eq!(again.device_key().thumbprint(), thumbprint);
    assert_eq!(again.profile().server_url, SERVER);
}

#[test]
fn refuses_to_create_over_an_existing_wallet_or_open_a_missing_one() {
    let (_parent, wallet) = new_wallet();
    let dir = wallet.dir().to_path_buf();
    assert!(matches!(
        Wallet::create(&dir, SERVER, KdfParams::FAST_INSECURE),
        Err(WalletError::AlreadyExists(_))
    ));
    assert!(matches!(
        Wallet::open(&dir.with_file_name("nothing")),
        Err(WalletError::NotFound(_))
    ));
}

#[test]
fn only_one_process_opens_a_wallet_at_a_time() {
    let (_parent, wallet) = new_wallet();
    assert!(matches!(
        Wallet::open(wallet.dir()),
        Err(WalletError::InUse(_))
    ));
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    assert!(Wallet::open(&dir).is_ok());
}

#[test]
fn stores_and_reloads_its_credential() {
    let (_parent, mut wallet) = new_wallet();
    let issued = issue_for(wallet.device_key().public_jwk());
    wallet.store_credential(&issued).unwrap();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    let wallet = Wallet::open(&dir).unwrap();
    let credential = wallet.credential().unwrap().unwrap();
    assert_eq!(credential.as_str(), issued);
    credential
        .verify_issuer(&JwkSet::new(vec![issuer().public_jwk()]))
        .unwrap();
}

#[test]
fn refuses_a_credential_bound_to_another_device() {
    let (_parent, mut wallet) = new_wallet();
    let other = SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap());
    let issued = issue_for(&other.public_jwk());
    assert!(matches!(
        wallet.store_credential(&issued),
        Err(WalletError::ForeignCredential)
    ));
    assert!(wallet.credential().unwrap().is_none());
}

#[test]
fn a_credential_altered_on_disk_is_detected() {
    let (_parent, mut wallet) = new_wallet();
    wallet
        .store_credential(&issue_for(wallet.device_key().public_jwk()))
        .unwrap();
    let path = sealed(&wallet, "credential");
    let original = fs::read(&path).unwrap();
    // Every byte position matters: flip one in the header, the nonce, the body, the tag.
    for position in [3, 10, original.len() / 2, original.len() - 1] {
        let mut altered = original.clone();
        altered[position] ^= 0x01;
        fs::write(&path, &altered).unwrap();
        assert!(
            matches!(
                wallet.credential(),
                Err(WalletError::Tampered {
                    record: "credential"
                })
            ),
            "byte {position}"
        );
    }
    fs::write(&path, &original[..original.len() - 5]).unwrap();
    assert!(matches!(
        wallet.credential(),
        Err(WalletError::Tampered { .. })
    ));
    fs::write(&path, &original).unwrap();
    assert!(wallet.credential().unwrap().is_some());
}

#[test]
fn records_swapped_between_files_or_wallets_are_detected() {
    let (_parent, mut wallet) = new_wallet();
    wallet
        .store_credential(&issue_for(wallet.device_key().public_jwk()))
        .unwrap();
    wallet
        .store_history(&HistoryCopy {
            fetched_at: 1,
            entries: vec![json!({"sp": "impots"})],
        })
        .unwrap();
    // Same key, other record name: the AAD binds each file to its name.
    fs::copy(sealed(&wallet, "history"), sealed(&wallet, "credential")).unwrap();
    assert!(matches!(
        wallet.credential(),
        Err(WalletError::Tampered {
            record: "credential"
        })
    ));

    // Same record name, other wallet's key.
    let (_p2, mut other) = new_wallet();
    other
        .store_credential(&issue_for(other.device_key().public_jwk()))
        .unwrap();
    fs::copy(sealed(&other, "credential"), sealed(&wallet, "credential")).unwrap();
    assert!(matches!(
        wallet.credential(),
        Err(WalletError::Tampered { .. })
    ));
}

#[test]
fn a_replaced_key_file_makes_every_record_unreadable() {
    let (_parent, wallet) = new_wallet();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    fs::write(dir.join("wallet.key"), [7u8; 32]).unwrap();
    assert!(matches!(
        Wallet::open(&dir),
        Err(WalletError::Tampered { .. })
    ));
}

#[test]
fn refuses_a_key_file_others_can_read() {
    let (_parent, wallet) = new_wallet();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    fs::set_permissions(dir.join("wallet.key"), fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(
        Wallet::open(&dir),
        Err(WalletError::InsecurePermissions { mode: 0o644, .. })
    ));
}

#[test]
fn leftovers_of_an_interrupted_write_are_ignored_and_removed() {
    let (_parent, mut wallet) = new_wallet();
    let issued = issue_for(wallet.device_key().public_jwk());
    wallet.store_credential(&issued).unwrap();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    // What a crash between "create temp file" and "rename" leaves behind.
    let leftover = dir.join(".tmp-credential.sealed-999-0");
    fs::write(&leftover, b"ALICEMW1 half a record").unwrap();
    let wallet = Wallet::open(&dir).unwrap();
    assert!(!leftover.exists());
    assert_eq!(wallet.credential().unwrap().unwrap().as_str(), issued);
}

#[test]
fn the_device_key_signs_presentations_the_server_accepts() {
    let (_parent, mut wallet) = new_wallet();
    let credential = wallet
        .store_credential(&issue_for(wallet.device_key().public_jwk()))
        .unwrap();
    let presentation = credential
        .present(
            &["family_name"],
            &KeyBindingInput {
                audience: SERVER,
                nonce: "n-1",
                issued_at: 1_800_000_000,
            },
            wallet.device_key(),
        )
        .unwrap();
    let verified = sd_jwt::verify_presentation(
        &presentation,
        &JwkSet::new(vec![issuer().public_jwk()]),
        &PresentationPolicy {
            vct: "urn:alicem:identity:1",
            issuer: Some(SERVER),
            audience: SERVER,
            nonce: "n-1",
            clock: Clock::new(1_800_000_010, 30),
            max_key_binding_age: 300,
            requested_claims: Some(&["family_name"]),
        },
    )
    .unwrap();
    assert_eq!(
        verified.holder_key_thumbprint,
        wallet.device_key().thumbprint()
    );
    assert_eq!(
        wallet.device_key().algorithm(),
        alicem_credential::jose::JwsAlgorithm::Es256
    );
}

#[test]
fn pin_proofs_and_a_pin_change_survive_reopening() {
    let (_parent, mut wallet) = new_wallet();
    let pepper = Pepper::new(1, &[3; 32]).unwrap();
    let pin = Pin::new_chosen("482915").unwrap();
    let registration = wallet.pin_secret().unwrap().register(&pin).unwrap();
    let verifier = PinVerifier::register(&pepper, "acct", &registration).unwrap();
    let device = wallet.device_key().thumbprint();
    let context = |purpose, request| ProofContext {
        purpose,
        account: "acct",
        request,
        device_key_thumbprint: &device,
    };
    let mut rng = StdRng::seed_from_u64(4);

    let challenge = PinChallenge::generate(&verifier, &mut rng);
    let proof = wallet
        .prove_pin(&pin, &challenge, &context(PinPurpose::Login, "r1"))
        .unwrap();
    assert!(
        verifier
            .verify(
                &pepper,
                &challenge,
                &context(PinPurpose::Login, "r1"),
                &proof
            )
            .is_ok()
    );

    // PIN change: the server accepts, then the wallet "crashes" before committing.
    let challenge = PinChallenge::generate(&verifier, &mut rng);
    let new_pin = Pin::new_chosen("730164").unwrap();
    let change = wallet
        .begin_pin_change(
            &pin,
            &new_pin,
            &challenge,
            &context(PinPurpose::ChangePin, "c1"),
        )
        .unwrap();
    let (_, result) = verifier.change(
        &pepper,
        Default::default(),
        &challenge,
        &context(PinPurpose::ChangePin, "c1"),
        &change,
    );
    let new_verifier = result.unwrap();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    let mut wallet = Wallet::open(&dir).unwrap();
    // The next challenge names the new secret: the wallet finds it among its pending one.
    let challenge = PinChallenge::generate(&new_verifier, &mut rng);
    let proof = wallet
        .prove_pin(&new_pin, &challenge, &context(PinPurpose::Login, "r2"))
        .unwrap();
    assert!(
        new_verifier
            .verify(
                &pepper,
                &challenge,
                &context(PinPurpose::Login, "r2"),
                &proof
            )
            .is_ok()
    );
    wallet.commit_pin_change().unwrap();
    assert_eq!(wallet.pin_secret().unwrap().id(), new_verifier.secret_id());
    assert!(matches!(
        wallet.commit_pin_change(),
        Err(WalletError::NoPendingPinChange)
    ));
}

/// What a thief copies from the phone (every file, the key file included) does not
/// depend on the PIN: two wallets made from the same randomness hold the same PIN
/// secret whatever PIN each citizen chose.
#[test]
fn a_stolen_wallet_directory_holds_nothing_that_depends_on_the_pin() {
    let make = || {
        let parent = tempfile::tempdir().unwrap();
        let wallet = Wallet::create_with_rng(
            &parent.path().join("w"),
            SERVER,
            KdfParams::FAST_INSECURE,
            &mut StdRng::seed_from_u64(11),
        )
        .unwrap();
        (parent, wallet)
    };
    let (_a, wallet_a) = make();
    let (_b, wallet_b) = make();
    let reg_a = wallet_a
        .pin_secret()
        .unwrap()
        .register(&Pin::new("482915").unwrap())
        .unwrap();
    let reg_b = wallet_b
        .pin_secret()
        .unwrap()
        .register(&Pin::new("730164").unwrap())
        .unwrap();
    assert_ne!(reg_a, reg_b);
    for record in ["pin", "device-key"] {
        assert_eq!(
            wallet_a.store.require(record).unwrap().as_slice(),
            wallet_b.store.require(record).unwrap().as_slice(),
            "{record}"
        );
    }
    assert_eq!(
        fs::read(wallet_a.dir().join("wallet.key")).unwrap(),
        fs::read(wallet_b.dir().join("wallet.key")).unwrap()
    );
}

#[test]
fn receipts_and_history_are_kept() {
    let (_parent, mut wallet) = new_wallet();
    assert!(wallet.receipts().unwrap().is_empty());
    assert!(wallet.history().unwrap().is_none());
    let receipt = |id: &str, n| ErasureReceipt {
        id: id.into(),
        received_at: n,
        body: json!({"erased": ["DG2", "frames"]}),
    };
    wallet.add_receipt(receipt("s1", 1)).unwrap();
    wallet.add_receipt(receipt("s2", 2)).unwrap();
    wallet.add_receipt(receipt("s1", 3)).unwrap();
    let receipts = wallet.receipts().unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts.iter().any(|r| r.id == "s1" && r.received_at == 3));
    let copy = HistoryCopy {
        fetched_at: 5,
        entries: vec![json!({"sp": "impots.gouv", "claims": ["given_name"]})],
    };
    wallet.store_history(&copy).unwrap();
    wallet.set_account_id("acct-1").unwrap();
    let dir = wallet.dir().to_path_buf();
    drop(wallet);
    let wallet = Wallet::open(&dir).unwrap();
    assert_eq!(wallet.history().unwrap(), Some(copy));
    assert_eq!(wallet.profile().account_id.as_deref(), Some("acct-1"));
}

#[test]
fn destroying_the_wallet_removes_everything() {
    let (parent, wallet) = new_wallet();
    let dir = wallet.dir().to_path_buf();
    wallet.destroy().unwrap();
    assert!(!dir.exists());
    assert_eq!(fs::read_dir(parent.path()).unwrap().count(), 0);
}
