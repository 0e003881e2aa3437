use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

const ACCOUNT: &str = "acct-42";
const DEVICE: &str = "device-thumbprint";

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn pepper() -> Pepper {
    Pepper::new(1, &[0x5a; 32]).unwrap()
}

fn login(request: &str) -> ProofContext<'_> {
    ProofContext {
        purpose: PinPurpose::Login,
        account: ACCOUNT,
        request,
        device_key_thumbprint: DEVICE,
    }
}

/// A device secret and the server's verifier for `pin`.
fn enrolled(pin: &str) -> (PinSecret, PinVerifier) {
    let secret = PinSecret::generate(KdfParams::FAST_INSECURE, &mut rng(1));
    let registration = secret.register(&Pin::new(pin).unwrap()).unwrap();
    let verifier = PinVerifier::register(&pepper(), ACCOUNT, &registration).unwrap();
    (secret, verifier)
}

#[test]
fn the_right_pin_is_accepted() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("req-1"))
        .unwrap();
    assert_eq!(
        verifier.verify(&pepper(), &challenge, &login("req-1"), &proof),
        Ok(())
    );
}

#[test]
fn a_wrong_pin_is_refused() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482916").unwrap(), &challenge, &login("req-1"))
        .unwrap();
    assert_eq!(
        verifier.verify(&pepper(), &challenge, &login("req-1"), &proof),
        Err(PinCheckError::WrongPin)
    );
}

#[test]
fn a_proof_replayed_on_another_challenge_is_refused() {
    let (secret, verifier) = enrolled("482915");
    let first = PinChallenge::generate(&verifier, &mut rng(2));
    let second = PinChallenge::generate(&verifier, &mut rng(3));
    assert_ne!(first, second);
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &first, &login("req-1"))
        .unwrap();
    assert_eq!(
        verifier.verify(&pepper(), &second, &login("req-1"), &proof),
        Err(PinCheckError::WrongPin)
    );
}

#[test]
fn a_proof_is_bound_to_its_request_purpose_account_and_device() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("req-1"))
        .unwrap();
    let others = [
        login("req-2"),
        ProofContext {
            purpose: PinPurpose::Lifecycle,
            ..login("req-1")
        },
        ProofContext {
            device_key_thumbprint: "another-device",
            ..login("req-1")
        },
    ];
    for context in others {
        assert_eq!(
            verifier.verify(&pepper(), &challenge, &context, &proof),
            Err(PinCheckError::WrongPin),
            "{context:?}"
        );
    }
    // A verifier row copied to another account does not verify there.
    let other_account = ProofContext {
        account: "acct-43",
        ..login("req-1")
    };
    assert_eq!(
        verifier.verify(&pepper(), &challenge, &other_account, &proof),
        Err(PinCheckError::WrongPin)
    );
}

#[test]
fn five_wrong_pins_lock_and_then_even_the_right_pin_is_refused() {
    let (secret, verifier) = enrolled("482915");
    let mut attempts = PinAttempts::default();
    for i in 0..MAX_PIN_FAILURES {
        let challenge = PinChallenge::generate(&verifier, &mut rng(10 + u64::from(i)));
        let proof = secret
            .prove(&Pin::new("000001").unwrap(), &challenge, &login("r"))
            .unwrap();
        let (next, outcome) =
            verifier.attempt(&pepper(), attempts, &challenge, &login("r"), &proof);
        attempts = next;
        let expected = if i + 1 == MAX_PIN_FAILURES {
            PinOutcome::Locked
        } else {
            PinOutcome::WrongPin {
                remaining: MAX_PIN_FAILURES - i - 1,
            }
        };
        assert_eq!(outcome, expected);
    }
    assert!(attempts.is_locked());
    let challenge = PinChallenge::generate(&verifier, &mut rng(99));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("r"))
        .unwrap();
    let (after, outcome) = verifier.attempt(&pepper(), attempts, &challenge, &login("r"), &proof);
    assert_eq!((after, outcome), (attempts, PinOutcome::Locked));
}

#[test]
fn a_success_resets_the_failure_count() {
    let (secret, verifier) = enrolled("482915");
    let attempts = PinAttempts {
        consecutive_failures: 4,
    };
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("r"))
        .unwrap();
    let (after, outcome) = verifier.attempt(&pepper(), attempts, &challenge, &login("r"), &proof);
    assert_eq!(
        (after, outcome),
        (PinAttempts::default(), PinOutcome::Accepted)
    );
}

/// Stolen phone: what the phone stores is a function of randomness alone. Two phones
/// built from the same randomness, enrolled with different PINs, store byte-identical
/// secrets, so no stored byte can confirm or refute a guessed PIN: the thief's only
/// oracle is the server, and it allows 5 tries.
#[test]
fn a_stolen_phone_holds_nothing_to_test_a_pin_against() {
    let phone_a = PinSecret::generate(KdfParams::FAST_INSECURE, &mut rng(7));
    let phone_b = PinSecret::generate(KdfParams::FAST_INSECURE, &mut rng(7));
    let reg_a = phone_a.register(&Pin::new("482915").unwrap()).unwrap();
    let reg_b = phone_b.register(&Pin::new("730264").unwrap()).unwrap();
    assert_ne!(
        reg_a.public_key, reg_b.public_key,
        "the PINs do make different keys"
    );
    let dump_a = serde_json::to_vec(&phone_a).unwrap();
    let dump_b = serde_json::to_vec(&phone_b).unwrap();
    assert_eq!(dump_a, dump_b, "yet the stored state is the same");
    // And the dump does not contain the PIN-derived public key in any form.
    let text = String::from_utf8(dump_a).unwrap();
    assert!(!text.contains(&crate::jose::b64::encode(&reg_a.public_key)));
}

/// Server database + pepper, without the phone: the verifier binds the public PIN key,
/// which depends on the phone's 256-bit secret; a guess of the PIN with any other
/// secret yields another key, so the right PIN cannot even be recognised.
#[test]
fn server_secrets_without_the_phone_cannot_recognise_the_pin() {
    let (_, verifier) = enrolled("482915");
    let attacker_guess_of_secret = PinSecret::generate(KdfParams::FAST_INSECURE, &mut rng(666));
    let guess = attacker_guess_of_secret
        .register(&Pin::new("482915").unwrap())
        .unwrap();
    let forged = PinRegistration {
        secret_id: verifier.secret_id(),
        ..guess
    };
    let candidate = PinVerifier::register(&pepper(), ACCOUNT, &forged).unwrap();
    assert_ne!(candidate, verifier);
}

/// The documented limit: whoever holds the phone's secret *and* the database *and*
/// the pepper can search the PIN space offline (10⁶ Argon2id evaluations). Shown here
/// on a small candidate set.
#[test]
fn phone_plus_database_plus_pepper_allow_an_offline_search() {
    let (secret, verifier) = enrolled("004217");
    let found = (4200..4300).find(|n| {
        let pin = Pin::new(&format!("{n:06}")).unwrap();
        let reg = secret.register(&pin).unwrap();
        PinVerifier::register(&pepper(), ACCOUNT, &reg).unwrap() == verifier
    });
    assert_eq!(found, Some(4217));
}

#[test]
fn the_verifier_is_useless_with_another_pepper() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("r"))
        .unwrap();
    let same_id_other_secret = Pepper::new(1, &[0x11; 32]).unwrap();
    assert_eq!(
        verifier.verify(&same_id_other_secret, &challenge, &login("r"), &proof),
        Err(PinCheckError::WrongPin)
    );
    let rotated = Pepper::new(2, &[0x5a; 32]).unwrap();
    assert_eq!(
        verifier.verify(&rotated, &challenge, &login("r"), &proof),
        Err(PinCheckError::PepperMismatch {
            stored: 1,
            configured: 2
        })
    );
    assert!(Pepper::new(1, &[0u8; 31]).is_err());
}

#[test]
fn changing_the_pin_replaces_the_verifier() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let context = ProofContext {
        purpose: PinPurpose::ChangePin,
        ..login("change-1")
    };
    let (next, change) = secret
        .change(
            &Pin::new("482915").unwrap(),
            &Pin::new_chosen("731906").unwrap(),
            &challenge,
            &context,
            &mut rng(3),
        )
        .unwrap();
    let (attempts, result) = verifier.change(
        &pepper(),
        PinAttempts::default(),
        &challenge,
        &context,
        &change,
    );
    let new_verifier = result.unwrap();
    assert_eq!(attempts, PinAttempts::default());
    assert_eq!(new_verifier.secret_id(), next.id());

    // The new PIN works with the new secret; the old PIN no longer does.
    let c2 = PinChallenge::generate(&new_verifier, &mut rng(4));
    let ok = next
        .prove(&Pin::new("731906").unwrap(), &c2, &login("r"))
        .unwrap();
    assert_eq!(
        new_verifier.verify(&pepper(), &c2, &login("r"), &ok),
        Ok(())
    );
    let old = next
        .prove(&Pin::new("482915").unwrap(), &c2, &login("r"))
        .unwrap();
    assert_eq!(
        new_verifier.verify(&pepper(), &c2, &login("r"), &old),
        Err(PinCheckError::WrongPin)
    );
    // The old secret cannot answer a challenge for the new one.
    assert!(
        secret
            .prove(&Pin::new("482915").unwrap(), &c2, &login("r"))
            .is_err()
    );
}

#[test]
fn changing_the_pin_needs_the_current_pin_and_counts_failures() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let context = ProofContext {
        purpose: PinPurpose::ChangePin,
        ..login("change-1")
    };
    let (_, change) = secret
        .change(
            &Pin::new("111112").unwrap(),
            &Pin::new_chosen("731906").unwrap(),
            &challenge,
            &context,
            &mut rng(3),
        )
        .unwrap();
    let (attempts, result) = verifier.change(
        &pepper(),
        PinAttempts::default(),
        &challenge,
        &context,
        &change,
    );
    assert_eq!(result, Err(PinOutcome::WrongPin { remaining: 4 }));
    assert_eq!(attempts.consecutive_failures, 1);
}

#[test]
fn a_pin_change_without_proof_of_the_new_key_is_refused_without_counting() {
    let (secret, verifier) = enrolled("482915");
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let context = ProofContext {
        purpose: PinPurpose::ChangePin,
        ..login("change-1")
    };
    let (_, mut change) = secret
        .change(
            &Pin::new("482915").unwrap(),
            &Pin::new_chosen("731906").unwrap(),
            &challenge,
            &context,
            &mut rng(3),
        )
        .unwrap();
    // Someone substitutes a key they do not hold.
    let other_reg = PinSecret::generate(KdfParams::FAST_INSECURE, &mut rng(8))
        .register(&Pin::new("555123").unwrap())
        .unwrap();
    change.new_registration.public_key = other_reg.public_key;
    let (attempts, result) = verifier.change(
        &pepper(),
        PinAttempts::default(),
        &challenge,
        &context,
        &change,
    );
    assert_eq!(
        result,
        Err(PinOutcome::Refused(PinCheckError::Malformed(
            "new PIN key proof"
        )))
    );
    assert_eq!(attempts, PinAttempts::default());
    // A login context cannot be used to change the PIN.
    let (_, result) = verifier.change(
        &pepper(),
        PinAttempts::default(),
        &challenge,
        &login("x"),
        &change,
    );
    assert!(matches!(result, Err(PinOutcome::Refused(_))));
}

#[test]
fn pins_are_six_digits_and_chosen_pins_are_not_trivial() {
    for bad in ["12345", "1234567", "12345a", "", "１２３４５６"] {
        assert_eq!(Pin::new(bad), Err(PinError::NotSixDigits), "{bad}");
    }
    for weak in [
        "000000", "999999", "123456", "345678", "987654", "210987", "890123",
    ] {
        assert_eq!(Pin::new_chosen(weak), Err(PinError::TooWeak), "{weak}");
    }
    assert!(
        Pin::new("123456").is_ok(),
        "weak PINs can still be typed to unlock"
    );
    assert!(Pin::new_chosen("482915").is_ok());
}

#[test]
fn messages_and_verifier_round_trip_through_their_stored_forms() {
    let (secret, verifier) = enrolled("482915");
    let stored = verifier.to_storage();
    assert_eq!(PinVerifier::from_storage(&stored).unwrap(), verifier);
    for bad in [
        "",
        "v2.1.a.b",
        "v1.x.AAAAAAAAAAAAAAAAAAAAAA.AA",
        "v1.1.a.b.c",
    ] {
        assert!(PinVerifier::from_storage(bad).is_err(), "{bad}");
    }
    let challenge = PinChallenge::generate(&verifier, &mut rng(2));
    let proof = secret
        .prove(&Pin::new("482915").unwrap(), &challenge, &login("r"))
        .unwrap();
    let json = serde_json::to_string(&proof).unwrap();
    assert_eq!(serde_json::from_str::<PinProof>(&json).unwrap(), proof);
    let json = serde_json::to_string(&challenge).unwrap();
    assert_eq!(
        serde_json::from_str::<PinChallenge>(&json).unwrap(),
        challenge
    );
    let json = serde_json::to_string(&secret).unwrap();
    let back: PinSecret = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.register(&Pin::new("482915").unwrap()).unwrap(),
        secret.register(&Pin::new("482915").unwrap()).unwrap()
    );
}

#[test]
fn a_malformed_public_key_is_refused_at_registration() {
    // x = 2^256 - 1 exceeds the field prime: no such point.
    let mut public_key = [0xff; 33];
    public_key[0] = 0x02;
    let off_curve = PinRegistration {
        secret_id: PinSecretId([1; 16]),
        public_key,
    };
    assert!(PinVerifier::register(&pepper(), ACCOUNT, &off_curve).is_err());
}

#[test]
fn debug_output_never_shows_secrets() {
    let (secret, _) = enrolled("482915");
    let shown = format!(
        "{:?} {:?} {:?}",
        Pin::new("482915").unwrap(),
        secret,
        pepper()
    );
    assert!(!shown.contains("482915"), "{shown}");
    let salt = serde_json::to_value(&secret).unwrap()["salt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!shown.contains(&salt), "{shown}");
}

#[test]
fn recommended_parameters_are_accepted_and_bounds_enforced() {
    let secret = PinSecret::generate(
        KdfParams {
            m_cost_kib: 4,
            t_cost: 1,
            p_cost: 1,
        },
        &mut rng(1),
    );
    assert_eq!(
        secret.register(&Pin::new("482915").unwrap()),
        Err(PinError::KdfParams)
    );
    let huge = PinSecret::generate(
        KdfParams {
            m_cost_kib: 64,
            t_cost: 1000,
            p_cost: 1,
        },
        &mut rng(1),
    );
    assert_eq!(
        huge.register(&Pin::new("482915").unwrap()),
        Err(PinError::KdfParams)
    );
}

/// The signature check of a PIN proof (through ring since the provider's speed-up):
/// each way of spoiling a good proof's signature is a wrong PIN.
mod signature_checks {
    use super::*;

    fn good() -> (PinVerifier, PinChallenge, PinProof) {
        let (secret, verifier) = enrolled("482915");
        let challenge = PinChallenge::generate(&verifier, &mut rng(2));
        let proof = secret
            .prove(&Pin::new("482915").unwrap(), &challenge, &login("req-1"))
            .unwrap();
        assert_eq!(
            verifier.verify(&pepper(), &challenge, &login("req-1"), &proof),
            Ok(())
        );
        (verifier, challenge, proof)
    }

    fn refused(verifier: &PinVerifier, challenge: &PinChallenge, proof: &PinProof) {
        assert_eq!(
            verifier.verify(&pepper(), challenge, &login("req-1"), proof),
            Err(PinCheckError::WrongPin)
        );
    }

    #[test]
    fn refuses_a_tampered_signature() {
        let (verifier, challenge, proof) = good();
        for byte in [0, 31, 32, 63] {
            let mut bad = proof.clone();
            bad.signature[byte] ^= 0x80;
            refused(&verifier, &challenge, &bad);
        }
    }

    #[test]
    fn refuses_a_signature_by_another_key() {
        let (verifier, challenge, proof) = good();
        // Another PIN key (the same device secret with another PIN) signs the same
        // transcript; spliced under the registered public key, only the signature
        // check can refuse it.
        let (secret, _) = enrolled("482915");
        let theirs = secret
            .prove(&Pin::new("482916").unwrap(), &challenge, &login("req-1"))
            .unwrap();
        assert_ne!(theirs.public_key, proof.public_key);
        let spliced = PinProof {
            signature: theirs.signature,
            ..proof.clone()
        };
        refused(&verifier, &challenge, &spliced);
        refused(&verifier, &challenge, &theirs);
    }

    #[test]
    fn refuses_malformed_scalars() {
        let (verifier, challenge, proof) = good();
        // r or s zero, or above the group order (all ones).
        for value in [[0u8; 32], [0xff; 32]] {
            for half in [0..32, 32..64] {
                let mut bad = proof.clone();
                bad.signature[half].copy_from_slice(&value);
                refused(&verifier, &challenge, &bad);
            }
        }
    }

    #[test]
    fn refuses_a_public_key_not_on_the_curve() {
        let (verifier, challenge, proof) = good();
        let mut bad = proof.clone();
        // x = 2^256 - 1 exceeds the field prime: no point has it.
        bad.public_key = [0xff; 33];
        bad.public_key[0] = 0x02;
        refused(&verifier, &challenge, &bad);
        let mut bad = proof;
        bad.public_key[0] = 0x05; // not a SEC1 tag
        refused(&verifier, &challenge, &bad);
    }
}
