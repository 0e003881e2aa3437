use serde_json::Value;

use super::*;
use crate::crypto::ScriptedEntropy;
use crate::domain_parameters::Curve;
use crate::mrz::MrzInfo;
use crate::testing::ScriptedTransport;

fn vector(name: &str) -> Value {
    let path = format!("{}/testdata/icao/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn script(v: &Value) -> ScriptedTransport {
    ScriptedTransport::new(
        v["apdus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (h(&a["command"]), h(&a["response"])))
            .collect(),
    )
}

fn mrz(document_number: &str, birth: &str, expiry: &str) -> AccessKey {
    AccessKey::Mrz(MrzInfo::new(document_number, birth, expiry).unwrap())
}

/// The vectors give either EF.CardAccess (a SET) or the bare PACEInfo (a SEQUENCE).
fn choice_from(card_access: &[u8]) -> PaceChoice {
    let set = if card_access[0] == 0x30 {
        let mut set = vec![0x31, card_access.len() as u8];
        set.extend_from_slice(card_access);
        set
    } else {
        card_access.to_vec()
    };
    choose(&SecurityInfos::from_der(&set).unwrap()).unwrap()
}

#[test]
fn terminal_runs_icao_g1_ecdh_generic_mapping_byte_for_byte() {
    let v = vector("icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json");
    let mut link = Link::new(script(&v));
    let mut rng = ScriptedEntropy::new([
        h(&v["mapping"]["terminal_private"]),
        h(&v["key_agreement"]["terminal_private"]),
    ]);
    let choice = choice_from(&h(&v["card_access_paceinfo"]));
    let key = mrz("T22000129", "640812", "101031");
    let done = establish(&mut link, &key, &choice, &mut rng).unwrap();
    assert_eq!(done.channel.keys().k_enc(), &h(&v["ks_enc"])[..]);
    assert_eq!(done.channel.keys().k_mac(), &h(&v["ks_mac"])[..]);
    assert_eq!(done.channel.ssc_bytes(), vec![0; 16]);
    assert!(done.cam.is_none());
    assert!(link.transport.is_done());
}

#[test]
fn terminal_runs_icao_g2_dh_generic_mapping_byte_for_byte() {
    let v = vector("icao9303-11_appG2_pace_dh_gm_modp1024.json");
    let mut link = Link::new(script(&v));
    let mut rng = ScriptedEntropy::new([
        h(&v["mapping"]["terminal_private"]),
        h(&v["key_agreement"]["terminal_private"]),
    ]);
    let choice = choice_from(&h(&v["card_access_paceinfo"]));
    assert_eq!(
        choice.parameters,
        DomainParameters::Dh(crate::domain_parameters::DhGroup::Modp1024_160)
    );
    let key = mrz("T22000129", "640812", "101031");
    let done = establish(&mut link, &key, &choice, &mut rng).unwrap();
    assert_eq!(done.channel.keys().k_enc(), &h(&v["ks_enc"])[..]);
    assert_eq!(done.channel.keys().k_mac(), &h(&v["ks_mac"])[..]);
    assert!(link.transport.is_done());
}

#[test]
fn terminal_runs_icao_i1_chip_authentication_mapping_and_verifies_the_chip() {
    let v = vector("icao9303-11_appI1_pace_ecdh_cam_brainpoolP256r1.json");
    let mut link = Link::new(script(&v));
    let mut rng = ScriptedEntropy::new([
        h(&v["mapping"]["terminal_private"]),
        h(&v["key_agreement"]["terminal_private"]),
    ]);
    let choice = choice_from(&h(&v["card_access_paceinfo"]));
    assert_eq!(choice.protocol.mapping, Mapping::ChipAuthentication);
    let key = mrz("C11T002JM", "960812", "231031");
    let done = establish(&mut link, &key, &choice, &mut rng).unwrap();
    assert_eq!(done.channel.keys().k_enc(), &h(&v["ks_enc"])[..]);
    let cam = done.cam.unwrap();
    assert_eq!(
        &cam.authentication_data[..],
        &h(&v["chip_authentication_data"])[..]
    );
    assert_eq!(cam.key_id, Some(13));
    let group = Group::new(cam.parameters).unwrap();
    let pk_ic = group.decode_public(&h(&v["chip_static_public"])).unwrap();
    assert!(
        group
            .cam_verify(&cam.authentication_data, &pk_ic, &cam.mapping_public)
            .unwrap()
    );
}

#[test]
fn a_chip_refusing_the_token_means_a_wrong_password() {
    let v = vector("icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json");
    let mut exchanges: Vec<(Vec<u8>, Vec<u8>)> = v["apdus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (h(&a["command"]), h(&a["response"])))
        .collect();
    exchanges.last_mut().unwrap().1 = vec![0x63, 0xC2];
    let mut link = Link::new(ScriptedTransport::new(exchanges));
    let mut rng = ScriptedEntropy::new([
        h(&v["mapping"]["terminal_private"]),
        h(&v["key_agreement"]["terminal_private"]),
    ]);
    let choice = choice_from(&h(&v["card_access_paceinfo"]));
    let key = mrz("T22000129", "640812", "101031");
    match establish(&mut link, &key, &choice, &mut rng) {
        Err(EmrtdError::AccessDenied {
            method: AccessMethod::Pace,
            retries: Some(2),
        }) => {}
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn chooses_the_strongest_offer() {
    use crate::lds::security_infos::{Cipher, KeyAgreement, PaceInfo, SecurityInfo};
    let offer = |mapping, cipher, id| {
        SecurityInfo::Pace(PaceInfo {
            protocol: PaceProtocol {
                key_agreement: if id < 8 {
                    KeyAgreement::Dh
                } else {
                    KeyAgreement::Ecdh
                },
                mapping,
                cipher,
            },
            version: 2,
            parameter_id: Some(id),
        })
    };
    let infos = SecurityInfos(vec![
        offer(Mapping::Generic, Cipher::Aes128, 13),
        offer(Mapping::Integrated, Cipher::Aes256, 13),
        offer(Mapping::Generic, Cipher::Aes256, 13),
        offer(Mapping::Generic, Cipher::Aes128, 2),
        offer(Mapping::Generic, Cipher::Tdes, 16),
    ]);
    let choice = choose(&infos).unwrap();
    assert_eq!(
        choice.parameters,
        DomainParameters::Ecdh(Curve::BrainpoolP384r1)
    );
    assert!(choice.ambiguous);
    let infos = SecurityInfos(vec![
        offer(Mapping::Generic, Cipher::Aes128, 13),
        offer(Mapping::Integrated, Cipher::Aes256, 13),
        offer(Mapping::Generic, Cipher::Aes256, 13),
        offer(Mapping::ChipAuthentication, Cipher::Aes128, 13),
    ]);
    let choice = choose(&infos).unwrap();
    assert_eq!(
        (
            choice.protocol.mapping,
            choice.protocol.cipher,
            choice.ambiguous
        ),
        (Mapping::Generic, Cipher::Aes256, false)
    );
    assert!(
        choose(&SecurityInfos(vec![offer(
            Mapping::Generic,
            Cipher::Aes128,
            5
        )]))
        .is_none()
    );
}
