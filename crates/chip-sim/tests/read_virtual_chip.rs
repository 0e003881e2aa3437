//! The reader (alicem-emrtd) against the virtual chip, profile by profile: access
//! protocols, ciphers and curves, Chip and Active Authentication, read sizes, refusals.

// Helpers of this test file panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use alicem_chip_sim::profile::{
    AaHash, ActiveAuthenticationProfile, CaCommand, ChipAuthenticationProfile, OversizeRead,
    PaceOffer,
};
use alicem_chip_sim::test_image::{ImageSpec, build};
use alicem_chip_sim::{ChipImage, ChipProfile, VirtualChip};
use alicem_emrtd::Document;
use alicem_emrtd::ca::ChipAuthenticationMethod;
use alicem_emrtd::domain_parameters::{Curve, DhGroup, DomainParameters};
use alicem_emrtd::error::{AccessMethod, EmrtdError};
use alicem_emrtd::lds::security_infos::{CaProtocol, Cipher, KeyAgreement, Mapping, PaceProtocol};
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::mrz::{AccessKey, Can};
use alicem_emrtd::read::ReadOptions;
use alicem_emrtd::session::{AccessChoice, AccessProtocol, AuthenticatedSession, OpenOptions};
use alicem_emrtd::sm::SmError;
use alicem_emrtd::transport::{Transport, TransportError};

fn base_profile(name: &str) -> ChipProfile {
    ChipProfile {
        name: name.into(),
        bac: false,
        pace: vec![],
        chip_authentication: None,
        active_authentication: None,
        extended_length: false,
        max_read: 0xFF,
        oversize_read: OversizeRead::WrongLength,
    }
}

fn offer(mapping: Mapping, parameters: DomainParameters, cipher: Cipher) -> PaceOffer {
    PaceOffer {
        protocol: PaceProtocol {
            key_agreement: match parameters {
                DomainParameters::Dh(_) => KeyAgreement::Dh,
                DomainParameters::Ecdh(_) => KeyAgreement::Ecdh,
            },
            mapping,
            cipher,
        },
        parameters,
    }
}

fn image(profile: ChipProfile) -> ChipImage {
    build(&ImageSpec::new(profile)).unwrap()
}

fn mrz_key(image: &ChipImage) -> AccessKey {
    image.access.mrz_key().unwrap()
}

fn open(image: &ChipImage, key: &AccessKey) -> AuthenticatedSession<VirtualChip> {
    let chip = VirtualChip::new(image.clone()).unwrap();
    Document::open(chip, key).unwrap()
}

/// Reads every file of the image and checks the bytes.
fn read_all(session: &mut AuthenticatedSession<VirtualChip>, image: &ChipImage) {
    for (file, bytes) in &image.files {
        if *file == FileId::CardSecurity && matches!(session.access(), AccessProtocol::Bac) {
            continue;
        }
        let read = session
            .read_file(*file)
            .unwrap()
            .unwrap_or_else(|| panic!("{file} missing"));
        assert_eq!(&read, bytes, "{file}");
    }
    assert_eq!(
        session
            .read_file(FileId::Dg(DataGroup::new(9).unwrap()))
            .unwrap(),
        None
    );
}

#[test]
fn reads_a_bac_only_passport() {
    let img = image(ChipProfile {
        bac: true,
        ..base_profile("bac")
    });
    let mut session = open(&img, &mrz_key(&img));
    assert_eq!(session.access(), &AccessProtocol::Bac);
    assert_eq!(session.cipher(), Cipher::Tdes);
    read_all(&mut session, &img);
}

#[test]
fn reads_pace_generic_mapping_on_every_curve() {
    for curve in Curve::ALL {
        let img = image(ChipProfile {
            pace: vec![offer(
                Mapping::Generic,
                DomainParameters::Ecdh(curve),
                Cipher::Aes128,
            )],
            ..base_profile("gm")
        });
        let mut session = open(&img, &mrz_key(&img));
        match session.access() {
            AccessProtocol::Pace { parameters, .. } => {
                assert_eq!(*parameters, DomainParameters::Ecdh(curve))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            session.read_file(FileId::Com).unwrap().as_ref(),
            img.files.get(&FileId::Com)
        );
    }
}

#[test]
fn reads_pace_integrated_mapping_on_every_curve_that_allows_it() {
    let ciphers = [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256];
    for (i, curve) in Curve::ALL
        .into_iter()
        .filter(|c| *c != Curve::NistP224)
        .enumerate()
    {
        let cipher = ciphers[i % ciphers.len()];
        let img = image(ChipProfile {
            pace: vec![offer(
                Mapping::Integrated,
                DomainParameters::Ecdh(curve),
                cipher,
            )],
            ..base_profile("im")
        });
        let mut session = open(&img, &mrz_key(&img));
        assert_eq!(session.cipher(), cipher, "{curve:?}");
        assert_eq!(
            session
                .read_file(FileId::Dg(DataGroup::DG1))
                .unwrap()
                .as_ref(),
            img.files.get(&FileId::Dg(DataGroup::DG1))
        );
    }
}

#[test]
fn reads_pace_with_every_cipher_and_mapping_on_brainpool_p256r1() {
    let p = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    for mapping in [
        Mapping::Generic,
        Mapping::Integrated,
        Mapping::ChipAuthentication,
    ] {
        for cipher in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
            if mapping == Mapping::ChipAuthentication && cipher == Cipher::Tdes {
                continue;
            }
            let img = image(ChipProfile {
                pace: vec![offer(mapping, p, cipher)],
                ..base_profile("fr-cnie-like")
            });
            let mut session = open(&img, &mrz_key(&img));
            assert_eq!(session.cipher(), cipher);
            read_all(&mut session, &img);
            assert_eq!(
                session.has_pace_cam(),
                mapping == Mapping::ChipAuthentication
            );
        }
    }
}

#[test]
fn authenticates_the_chip_with_pace_cam_on_every_curve() {
    let ciphers = [Cipher::Aes128, Cipher::Aes192, Cipher::Aes256];
    for (i, curve) in Curve::ALL.into_iter().enumerate() {
        let img = image(ChipProfile {
            pace: vec![offer(
                Mapping::ChipAuthentication,
                DomainParameters::Ecdh(curve),
                ciphers[i % 3],
            )],
            ..base_profile("cam")
        });
        let mut session = open(&img, &mrz_key(&img));
        let card_security = session.read_file(FileId::CardSecurity).unwrap().unwrap();
        let outcome = session.verify_pace_cam(&card_security).unwrap();
        assert!(outcome.success, "{curve:?}: {:?}", outcome.failure);
        assert_eq!(outcome.method, ChipAuthenticationMethod::PaceCam);
        assert_eq!(
            outcome.key_id,
            Some(u64::from(DomainParameters::Ecdh(curve).standardized_id()))
        );
    }
}

#[test]
fn pace_cam_exposes_a_chip_whose_key_is_not_the_one_in_card_security() {
    let p = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    let genuine = image(ChipProfile {
        pace: vec![offer(Mapping::ChipAuthentication, p, Cipher::Aes128)],
        ..base_profile("cam")
    });
    let mut clone = image(genuine.profile.clone());
    clone.files = genuine.files.clone();
    clone.access = genuine.access.clone();
    let mut session = open(&clone, &mrz_key(&clone));
    let card_security = session.read_file(FileId::CardSecurity).unwrap().unwrap();
    let outcome = session.verify_pace_cam(&card_security).unwrap();
    assert!(!outcome.success);
}

#[test]
fn reads_pace_dh_generic_and_integrated_mappings() {
    let cases = [
        (Mapping::Generic, DhGroup::Modp1024_160, Cipher::Tdes),
        (Mapping::Generic, DhGroup::Modp1024_160, Cipher::Aes256),
        (Mapping::Integrated, DhGroup::Modp1024_160, Cipher::Aes128),
        (Mapping::Integrated, DhGroup::Modp1024_160, Cipher::Aes192),
        (Mapping::Generic, DhGroup::Modp2048_224, Cipher::Aes128),
        (Mapping::Integrated, DhGroup::Modp2048_256, Cipher::Aes256),
    ];
    for (mapping, group, cipher) in cases {
        let img = image(ChipProfile {
            pace: vec![offer(mapping, DomainParameters::Dh(group), cipher)],
            ..base_profile("dh")
        });
        let mut session = open(&img, &mrz_key(&img));
        assert_eq!(session.cipher(), cipher);
        assert_eq!(
            session
                .read_file(FileId::Dg(DataGroup::DG1))
                .unwrap()
                .as_ref(),
            img.files.get(&FileId::Dg(DataGroup::DG1))
        );
    }
}

#[test]
fn opens_pace_with_the_can_and_prefers_the_strongest_offer() {
    let img = image(ChipProfile {
        bac: true,
        pace: vec![
            offer(
                Mapping::Generic,
                DomainParameters::Ecdh(Curve::NistP256),
                Cipher::Aes128,
            ),
            offer(
                Mapping::Generic,
                DomainParameters::Ecdh(Curve::BrainpoolP384r1),
                Cipher::Aes256,
            ),
            offer(
                Mapping::Integrated,
                DomainParameters::Ecdh(Curve::BrainpoolP256r1),
                Cipher::Aes128,
            ),
        ],
        ..base_profile("pace-and-bac")
    });
    let can = AccessKey::Can(Can::new(&img.access.can).unwrap());
    let mut session = open(&img, &can);
    match session.access() {
        AccessProtocol::Pace {
            parameters, pace, ..
        } => {
            assert_eq!(*parameters, DomainParameters::Ecdh(Curve::BrainpoolP384r1));
            assert_eq!(pace.cipher, Cipher::Aes256);
        }
        other => panic!("{other:?}"),
    }
    read_all(&mut session, &img);

    // The same chip opened with BAC on request.
    let chip = VirtualChip::new(img.clone()).unwrap();
    let options = OpenOptions {
        access: AccessChoice::Bac,
        ..Default::default()
    };
    let mut session = Document::open_with(chip, &mrz_key(&img), &options).unwrap();
    assert_eq!(session.access(), &AccessProtocol::Bac);
    assert!(
        session
            .read_file(FileId::Dg(DataGroup::DG2))
            .unwrap()
            .is_some()
    );
}

#[test]
fn refuses_a_wrong_mrz_or_can() {
    let bac = image(ChipProfile {
        bac: true,
        ..base_profile("bac")
    });
    let other = image(ChipProfile {
        bac: true,
        ..base_profile("other")
    });
    let mut other_access = other.access.clone();
    other_access.mrz = alicem_chip_sim::test_image::td3_mrz("ZZ9999999", "900202", "330303", "X");
    let wrong = other_access.mrz_key().unwrap();
    match Document::open(VirtualChip::new(bac).unwrap(), &wrong) {
        Err(EmrtdError::AccessDenied {
            method: AccessMethod::Bac,
            ..
        }) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("opened with a wrong MRZ"),
    }
    let pace = image(ChipProfile {
        pace: vec![offer(
            Mapping::Generic,
            DomainParameters::Ecdh(Curve::BrainpoolP256r1),
            Cipher::Aes256,
        )],
        ..base_profile("pace")
    });
    let mut chip = VirtualChip::new(pace.clone()).unwrap();
    let wrong_can = AccessKey::Can(Can::new("654321").unwrap());
    match Document::open(&mut chip, &wrong_can) {
        Err(
            e @ EmrtdError::AccessDenied {
                method: AccessMethod::Pace,
                ..
            },
        ) => assert!(e.to_string().contains("MRZ or CAN")),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("opened with a wrong CAN"),
    }
    // The same chip then opens with the right password.
    let mut session = Document::open(&mut chip, &mrz_key(&pace)).unwrap();
    assert!(session.read_file(FileId::Com).unwrap().is_some());
}

#[test]
fn a_can_cannot_open_a_bac_only_chip() {
    let img = image(ChipProfile {
        bac: true,
        ..base_profile("bac")
    });
    let can = AccessKey::Can(Can::new("123456").unwrap());
    assert!(matches!(
        Document::open(VirtualChip::new(img).unwrap(), &can),
        Err(EmrtdError::Unsupported(_))
    ));
}

fn ca_profile(
    pace: Option<(DomainParameters, Cipher)>,
    ca_parameters: DomainParameters,
    ca_cipher: Cipher,
    command: CaCommand,
    announce_info: bool,
) -> ChipProfile {
    ChipProfile {
        bac: pace.is_none(),
        pace: pace
            .map(|(p, c)| vec![offer(Mapping::Generic, p, c)])
            .unwrap_or_default(),
        chip_authentication: Some(ChipAuthenticationProfile {
            protocol: CaProtocol {
                key_agreement: match ca_parameters {
                    DomainParameters::Dh(_) => KeyAgreement::Dh,
                    DomainParameters::Ecdh(_) => KeyAgreement::Ecdh,
                },
                cipher: ca_cipher,
            },
            parameters: ca_parameters,
            key_id: Some(1),
            command,
            announce_info,
        }),
        ..base_profile("ca")
    }
}

fn run_ca(
    img: &ChipImage,
) -> (
    AuthenticatedSession<VirtualChip>,
    alicem_emrtd::ca::ChipAuthenticationOutcome,
) {
    let mut session = open(img, &mrz_key(img));
    let dg14 = session
        .read_file(FileId::Dg(DataGroup::DG14))
        .unwrap()
        .unwrap();
    let outcome = session.chip_authenticate(&dg14).unwrap();
    (session, outcome)
}

#[test]
fn runs_chip_authentication_with_set_at_and_switches_cipher() {
    let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    let cases = [
        // PACE AES-256, CA AES-128.
        (Some((bp256, Cipher::Aes256)), bp256, Cipher::Aes128),
        // BAC (3DES), CA AES-256 on P-384.
        (
            None,
            DomainParameters::Ecdh(Curve::NistP384),
            Cipher::Aes256,
        ),
        // PACE AES-128, CA DH AES-192.
        (
            Some((bp256, Cipher::Aes128)),
            DomainParameters::Dh(DhGroup::Modp2048_224),
            Cipher::Aes192,
        ),
    ];
    for (pace, params, cipher) in cases {
        let img = image(ca_profile(pace, params, cipher, CaCommand::SetAt, true));
        let (mut session, outcome) = run_ca(&img);
        assert!(outcome.success, "{:?}", outcome.failure);
        assert_eq!(outcome.method, ChipAuthenticationMethod::SetAt);
        assert_eq!(outcome.key_id, Some(1));
        assert_eq!(session.cipher(), cipher);
        read_all(&mut session, &img);
    }
}

#[test]
fn runs_legacy_set_kat_chip_authentication_from_aes_pace_to_3des() {
    let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    // A French-passport-like chip: PACE AES-256, then CA with 3DES via MSE:Set KAT, and
    // DG14 without ChipAuthenticationInfo (3DES implied).
    let img = image(ca_profile(
        Some((bp256, Cipher::Aes256)),
        bp256,
        Cipher::Tdes,
        CaCommand::SetKat,
        false,
    ));
    let (mut session, outcome) = run_ca(&img);
    assert!(outcome.success, "{:?}", outcome.failure);
    assert_eq!(outcome.method, ChipAuthenticationMethod::SetKat);
    assert_eq!(session.cipher(), Cipher::Tdes);
    read_all(&mut session, &img);

    // DH key, BAC, Set KAT.
    let img = image(ca_profile(
        None,
        DomainParameters::Dh(DhGroup::Modp1024_160),
        Cipher::Tdes,
        CaCommand::Both,
        true,
    ));
    let (mut session, outcome) = run_ca(&img);
    assert!(outcome.success);
    assert_eq!(outcome.method, ChipAuthenticationMethod::SetKat);
    read_all(&mut session, &img);
}

#[test]
fn falls_back_to_set_at_when_a_3des_chip_lacks_set_kat() {
    let p256 = DomainParameters::Ecdh(Curve::NistP256);
    let img = image(ca_profile(None, p256, Cipher::Tdes, CaCommand::SetAt, true));
    let (mut session, outcome) = run_ca(&img);
    assert!(outcome.success, "{:?}", outcome.failure);
    assert_eq!(outcome.method, ChipAuthenticationMethod::SetAt);
    read_all(&mut session, &img);
}

#[test]
fn chip_authentication_exposes_a_cloned_chip_and_closes_the_session() {
    let bp256 = DomainParameters::Ecdh(Curve::BrainpoolP256r1);
    let genuine = image(ca_profile(
        Some((bp256, Cipher::Aes128)),
        bp256,
        Cipher::Aes128,
        CaCommand::SetAt,
        true,
    ));
    // Same files (DG14 with the genuine key), another private key.
    let mut clone = image(genuine.profile.clone());
    clone.files = genuine.files.clone();
    clone.access = genuine.access.clone();
    let (mut session, outcome) = run_ca(&clone);
    assert!(!outcome.success);
    assert!(
        outcome
            .failure
            .unwrap()
            .contains("does not hold the private key")
    );
    assert!(session.is_closed());
    assert!(matches!(
        session.read_file(FileId::Com),
        Err(EmrtdError::SecureMessaging(SmError::Closed))
    ));
    assert!(!outcome.public_key_spki.is_empty());
}

fn rsa_verify(image: &ChipImage, challenge: &[u8; 8], signature: &[u8], hash: AaHash) {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let dg15 = &image.files[&FileId::Dg(DataGroup::DG15)];
    let spki = alicem_emrtd::tlv::parse_single(dg15, 0x6F).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(spki).unwrap();
    let s = rsa::BoxedUint::from_be_slice(signature, key.n().bits_precision()).unwrap();
    let f = rsa::hazmat::rsa_encrypt(&key, &s).unwrap().to_be_bytes();
    let f = &f[f.len() - signature.len()..];
    let (digest_len, trailer): (usize, &[u8]) = match hash {
        AaHash::Sha1 => (20, &[0xBC]),
        AaHash::Sha256 => (32, &[0x34, 0xCC]),
        AaHash::Sha512 => (64, &[0x35, 0xCC]),
        _ => unreachable!(),
    };
    assert_eq!(f[0], 0x6A, "partial recovery header");
    assert!(f.ends_with(trailer));
    let m1 = &f[1..f.len() - trailer.len() - digest_len];
    let h = &f[f.len() - trailer.len() - digest_len..f.len() - trailer.len()];
    let mut m = m1.to_vec();
    m.extend_from_slice(challenge);
    use sha2::Digest;
    let expected = match hash {
        AaHash::Sha1 => sha1::Sha1::digest(&m).to_vec(),
        AaHash::Sha256 => sha2::Sha256::digest(&m).to_vec(),
        _ => sha2::Sha512::digest(&m).to_vec(),
    };
    assert_eq!(h, expected);
}

#[test]
fn active_authentication_signs_the_callers_challenge_with_rsa_9796_2() {
    for (bits, hash, extended) in [
        (1024, AaHash::Sha1, false),
        (1024, AaHash::Sha256, false),
        (2048, AaHash::Sha512, true),
    ] {
        let img = image(ChipProfile {
            bac: true,
            active_authentication: Some(ActiveAuthenticationProfile::Rsa { bits, hash }),
            extended_length: extended,
            max_read: if extended { 4000 } else { 0xFF },
            ..base_profile("aa-rsa")
        });
        let mut session = open(&img, &mrz_key(&img));
        let challenge = *b"\x01\x23\x45\x67\x89\xAB\xCD\xEF";
        let signature = session.active_authenticate(&challenge).unwrap();
        assert_eq!(signature.len(), bits / 8);
        rsa_verify(&img, &challenge, &signature, hash);
        // Another challenge, another signature.
        assert_ne!(session.active_authenticate(&[0; 8]).unwrap(), signature);
    }
}

#[test]
fn a_2048_bit_rsa_signature_needs_extended_length_under_secure_messaging() {
    let img = image(ChipProfile {
        bac: true,
        active_authentication: Some(ActiveAuthenticationProfile::Rsa {
            bits: 2048,
            hash: AaHash::Sha256,
        }),
        ..base_profile("aa-rsa-short")
    });
    let mut session = open(&img, &mrz_key(&img));
    assert!(matches!(
        session.active_authenticate(&[7; 8]),
        Err(EmrtdError::Chip { .. })
    ));
}

#[test]
fn active_authentication_with_ecdsa_returns_a_plain_signature() {
    use ecdsa::signature::hazmat::PrehashVerifier;
    use sha2::Digest;
    for (curve, hash) in [
        (Curve::NistP256, AaHash::Sha256),
        (Curve::BrainpoolP384r1, AaHash::Sha384),
        (Curve::NistP521, AaHash::Sha512),
    ] {
        let img = image(ChipProfile {
            pace: vec![offer(
                Mapping::Generic,
                DomainParameters::Ecdh(Curve::BrainpoolP256r1),
                Cipher::Aes128,
            )],
            active_authentication: Some(ActiveAuthenticationProfile::Ecdsa { curve, hash }),
            ..base_profile("aa-ecdsa")
        });
        let mut session = open(&img, &mrz_key(&img));
        let challenge = [0x42; 8];
        let signature = session.active_authenticate(&challenge).unwrap();
        let dg15 = &img.files[&FileId::Dg(DataGroup::DG15)];
        let spki = alicem_emrtd::tlv::parse_single(dg15, 0x6F).unwrap();
        let prehash = match hash {
            AaHash::Sha256 => sha2::Sha256::digest(challenge).to_vec(),
            AaHash::Sha384 => sha2::Sha384::digest(challenge).to_vec(),
            _ => sha2::Sha512::digest(challenge).to_vec(),
        };
        use spki::DecodePublicKey;
        match curve {
            Curve::NistP256 => {
                let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki).unwrap();
                let sig = p256::ecdsa::Signature::from_slice(&signature).unwrap();
                key.verify_prehash(&prehash, &sig).unwrap();
            }
            Curve::BrainpoolP384r1 => {
                let key = ecdsa::VerifyingKey::<bp384::BrainpoolP384r1>::from_public_key_der(spki)
                    .unwrap();
                let sig =
                    ecdsa::Signature::<bp384::BrainpoolP384r1>::from_slice(&signature).unwrap();
                ecdsa::hazmat::verify_prehashed(&key.as_affine().into(), &prehash, &sig).unwrap();
            }
            _ => {
                let key = p521::ecdsa::VerifyingKey::from_public_key_der(spki).unwrap();
                let sig = p521::ecdsa::Signature::from_slice(&signature).unwrap();
                key.verify_prehash(&prehash, &sig).unwrap();
            }
        }
    }
}

fn big_dg2_image(profile: ChipProfile) -> ChipImage {
    let mut spec = ImageSpec::new(profile);
    spec.dg2_size = 40_000;
    build(&spec).unwrap()
}

#[test]
fn reads_files_beyond_32k_with_short_and_extended_reads() {
    for (extended, max_read) in [(false, 0xFF), (true, 0x2000), (true, 65_536)] {
        let img = big_dg2_image(ChipProfile {
            pace: vec![offer(
                Mapping::Generic,
                DomainParameters::Ecdh(Curve::NistP256),
                Cipher::Aes128,
            )],
            extended_length: extended,
            max_read,
            ..base_profile("big")
        });
        let mut session = open(&img, &mrz_key(&img));
        assert_eq!(session.uses_extended_length(), extended);
        let before = session.stats().traffic.apdus;
        let mut seen = Vec::new();
        let dg2 = session
            .read_file_with_progress(FileId::Dg(DataGroup::DG2), &mut |p| {
                seen.push((p.read, p.total))
            })
            .unwrap()
            .unwrap();
        assert_eq!(&dg2, &img.files[&FileId::Dg(DataGroup::DG2)]);
        let apdus = session.stats().traffic.apdus - before;
        let total = dg2.len();
        assert!(seen.iter().all(|(_, t)| *t == Some(total)));
        assert_eq!(seen.last().unwrap().0, total);
        if extended {
            assert!(apdus < 10, "{apdus} APDUs with extended length");
        } else {
            assert!(apdus > 150, "{apdus} APDUs with short reads");
        }
    }
}

#[test]
fn adapts_to_chips_refusing_large_reads_each_way() {
    for oversize in [
        OversizeRead::WrongLength,
        OversizeRead::WrongLe,
        OversizeRead::Truncate,
    ] {
        // Short reads: the chip takes 64 bytes, the reader asks for 0xE7 first.
        let img = big_dg2_image(ChipProfile {
            bac: true,
            max_read: 0x40,
            oversize_read: oversize,
            ..base_profile("stingy")
        });
        let chip = VirtualChip::new(img.clone()).unwrap();
        let mut session = Document::open(chip, &mrz_key(&img)).unwrap();
        read_all(&mut session, &img);

        // Extended reads: EF.ATR/INFO announces 4 KB, the chip honours 1000 bytes.
        let img = big_dg2_image(ChipProfile {
            pace: vec![offer(
                Mapping::Generic,
                DomainParameters::Ecdh(Curve::NistP256),
                Cipher::Aes128,
            )],
            extended_length: true,
            max_read: 4096,
            oversize_read: oversize,
            ..base_profile("overstating")
        });
        let mut chip = VirtualChip::new(img.clone()).unwrap();
        chip.set_max_read(1000);
        let mut session = Document::open(chip, &mrz_key(&img)).unwrap();
        assert!(session.uses_extended_length());
        read_all(&mut session, &img);
    }
}

#[test]
fn reads_with_short_ef_identifiers() {
    let img = image(ChipProfile {
        bac: true,
        ..base_profile("sfi")
    });
    let chip = VirtualChip::new(img.clone()).unwrap();
    let options = OpenOptions {
        read: ReadOptions {
            short_ef_ids: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut session = Document::open_with(chip, &mrz_key(&img), &options).unwrap();
    read_all(&mut session, &img);
}

/// A link that alters one byte of the n-th response.
struct Tamper {
    chip: VirtualChip,
    countdown: usize,
}

impl Transport for Tamper {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut answer = self.chip.process(command);
        if self.countdown == 0 && answer.len() > 4 {
            answer[2] ^= 0x01;
        }
        self.countdown = self.countdown.wrapping_sub(1);
        Ok(answer)
    }
}

#[test]
fn a_tampered_response_kills_the_session_for_good() {
    let img = image(ChipProfile {
        pace: vec![offer(
            Mapping::Generic,
            DomainParameters::Ecdh(Curve::BrainpoolP256r1),
            Cipher::Aes128,
        )],
        ..base_profile("tamper")
    });
    let chip = VirtualChip::new(img.clone()).unwrap();
    // connect (MF, CardAccess, ATR/INFO: 5 APDUs), PACE (5), SELECT application (1),
    // then SELECT DG1 and its first READ BINARY: tamper with that read.
    let tamper = Tamper {
        chip,
        countdown: 12,
    };
    let mut session = Document::open(tamper, &mrz_key(&img)).unwrap();
    assert!(matches!(
        session.read_file(FileId::Dg(DataGroup::DG1)),
        Err(EmrtdError::SecureMessaging(SmError::MacMismatch))
    ));
    assert!(session.is_closed());
    assert!(matches!(
        session.read_file(FileId::Com),
        Err(EmrtdError::SecureMessaging(SmError::Closed))
    ));
}
