use serde_json::Value;

use super::*;
use crate::crypto::{OsEntropy, ScriptedEntropy};
use crate::domain_parameters::{Curve, DhGroup, DomainParameters};

fn vector(name: &str) -> Value {
    let path = format!("{}/testdata/icao/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn bp256() -> Group {
    Group::new(DomainParameters::Ecdh(Curve::BrainpoolP256r1)).unwrap()
}

fn modp1024() -> Group {
    Group::new(DomainParameters::Dh(DhGroup::Modp1024_160)).unwrap()
}

/// Checks one Generic Mapping + key agreement run against a worked example.
fn check_generic_mapping(group: Group, v: &Value) {
    let m = &v["mapping"];
    let ka = &v["key_agreement"];
    let g = group.generator();
    let t_map = group
        .private_from_bytes(&h(&m["terminal_private"]))
        .unwrap();
    let c_map = group.private_from_bytes(&h(&m["chip_private"])).unwrap();
    let t_map_pub = group.public(&g, &t_map).unwrap();
    let c_map_pub = group.public(&g, &c_map).unwrap();
    assert_eq!(group.encode_public(&t_map_pub), h(&m["terminal_public"]));
    assert_eq!(group.encode_public(&c_map_pub), h(&m["chip_public"]));
    let h_term = group.agree(&t_map, &c_map_pub).unwrap();
    let h_chip = group.agree(&c_map, &t_map_pub).unwrap();
    assert_eq!(h_term, h_chip);
    assert_eq!(h_term.as_bytes(), &h(&m["shared_secret_H"])[..]);
    let g_hat = group
        .map_generic(&h(&v["decrypted_nonce_s"]), &h_term)
        .unwrap();
    assert_eq!(g_hat.as_bytes(), &h(&m["mapped_generator"])[..]);

    let t = group
        .private_from_bytes(&h(&ka["terminal_private"]))
        .unwrap();
    let c = group.private_from_bytes(&h(&ka["chip_private"])).unwrap();
    let t_pub = group.public(&g_hat, &t).unwrap();
    let c_pub = group.public(&g_hat, &c).unwrap();
    assert_eq!(group.encode_public(&t_pub), h(&ka["terminal_public"]));
    assert_eq!(group.encode_public(&c_pub), h(&ka["chip_public"]));
    let k = group.agree(&t, &c_pub).unwrap();
    assert_eq!(k, group.agree(&c, &t_pub).unwrap());
    let expected = ka
        .get("shared_secret_K_x")
        .or(ka.get("shared_secret"))
        .unwrap();
    assert_eq!(&group.shared_secret(&k)[..], &h(expected)[..]);
}

#[test]
fn reproduces_icao_g1_ecdh_generic_mapping() {
    let v = vector("icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json");
    check_generic_mapping(bp256(), &v);
}

#[test]
fn reproduces_icao_g2_dh_generic_mapping() {
    let v = vector("icao9303-11_appG2_pace_dh_gm_modp1024.json");
    check_generic_mapping(modp1024(), &v);
}

#[test]
fn reproduces_icao_i1_cam_mapping_and_chip_authentication_data() {
    let v = vector("icao9303-11_appI1_pace_ecdh_cam_brainpoolP256r1.json");
    let group = bp256();
    check_generic_mapping(group, &v);
    let pk_ic = group.decode_public(&h(&v["chip_static_public"])).unwrap();
    let pk_map = group
        .decode_public(&h(&v["mapping"]["chip_public"]))
        .unwrap();
    let ca = h(&v["chip_authentication_data"]);
    assert!(group.cam_verify(&ca, &pk_ic, &pk_map).unwrap());
    let mut wrong = ca.clone();
    wrong[31] ^= 1;
    assert!(!group.cam_verify(&wrong, &pk_ic, &pk_map).unwrap());
}

#[test]
fn cam_data_computed_by_a_chip_verifies_on_the_terminal() {
    for curve in [
        Curve::NistP256,
        Curve::BrainpoolP384r1,
        Curve::BrainpoolP512r1,
    ] {
        let group = Group::new(DomainParameters::Ecdh(curve)).unwrap();
        let mut rng = OsEntropy;
        let static_key = group.generate_private(&mut rng).unwrap();
        let map_key = group.generate_private(&mut rng).unwrap();
        let pk_ic = group.public(&group.generator(), &static_key).unwrap();
        let pk_map = group.public(&group.generator(), &map_key).unwrap();
        let ca = group
            .cam_authentication_data(&static_key, &map_key)
            .unwrap();
        assert_eq!(ca.len(), group.order().len());
        assert!(group.cam_verify(&ca, &pk_ic, &pk_map).unwrap(), "{curve:?}");
    }
}

#[test]
fn maps_the_icao_h1_pseudo_random_value_onto_brainpool_p256r1() {
    let v = vector("icao9303-11_appH1_pace_ecdh_im_brainpoolP256r1.json");
    let group = bp256();
    let rp = group.reduce_mod_prime(&h(&v["pseudo_random_R"]));
    assert_eq!(rp, h(&v["pseudo_random_Rp"]));
    let g_hat = group.map_field_element(&rp).unwrap();
    assert_eq!(g_hat.as_bytes(), &h(&v["mapped_generator"])[..]);
    let c = group.private_from_bytes(&h(&v["chip_private"])).unwrap();
    let t = group
        .private_from_bytes(&h(&v["terminal_private"]))
        .unwrap();
    let c_pub = group.public(&g_hat, &c).unwrap();
    assert_eq!(c_pub.as_bytes(), &h(&v["chip_public"])[..]);
    let t_pub = group.public(&g_hat, &t).unwrap();
    assert_eq!(t_pub.as_bytes(), &h(&v["terminal_public"])[..]);
    let k = group.agree(&t, &c_pub).unwrap();
    assert_eq!(&group.shared_secret(&k)[..], &h(&v["shared_secret_K"])[..]);
}

#[test]
fn maps_the_icao_h2_pseudo_random_value_into_the_1024_bit_group() {
    let v = vector("icao9303-11_appH2_pace_dh_im_modp1024.json");
    let group = modp1024();
    let rp = group.reduce_mod_prime(&h(&v["pseudo_random_R"]));
    assert_eq!(rp, h(&v["pseudo_random_Rp"]));
    let g_hat = group.map_field_element(&rp).unwrap();
    assert_eq!(g_hat.as_bytes(), &h(&v["mapped_generator"])[..]);
    let c = group.private_from_bytes(&h(&v["chip_private"])).unwrap();
    let t = group
        .private_from_bytes(&h(&v["terminal_private"]))
        .unwrap();
    let c_pub = group.public(&g_hat, &c).unwrap();
    assert_eq!(group.encode_public(&c_pub), h(&v["chip_public"]));
    let t_pub = group.public(&g_hat, &t).unwrap();
    assert_eq!(group.encode_public(&t_pub), h(&v["terminal_public"]));
    let k = group.agree(&c, &t_pub).unwrap();
    assert_eq!(&group.shared_secret(&k)[..], &h(&v["shared_secret_K"])[..]);
}

#[test]
fn agrees_with_openssl_on_every_curve_of_table_12() {
    let path = format!(
        "{}/testdata/crosscheck/ecdh.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let exchanges = v["exchanges"].as_array().unwrap();
    assert_eq!(exchanges.len(), Curve::ALL.len());
    for e in exchanges {
        let curve: Curve = serde_json::from_value(e["curve"].clone()).unwrap();
        let group = Group::new(DomainParameters::Ecdh(curve)).unwrap();
        let a = group.private_from_bytes(&h(&e["private_a"])).unwrap();
        let b_pub = group.decode_public(&h(&e["public_b"])).unwrap();
        let a_pub = group.public(&group.generator(), &a).unwrap();
        assert_eq!(a_pub.as_bytes(), &h(&e["public_a"])[..], "{curve:?}");
        let k = group.agree(&a, &b_pub).unwrap();
        assert_eq!(
            &group.shared_secret(&k)[..],
            &h(&e["shared_x"])[..],
            "{curve:?}"
        );
    }
}

#[test]
fn integrated_mapping_lands_on_every_curve_with_p_3_mod_4() {
    let mut rng = OsEntropy;
    for curve in Curve::ALL {
        let group = Group::new(DomainParameters::Ecdh(curve)).unwrap();
        let t = crate::crypto::entropy::random_bytes(&mut rng, group.field_len() + 8).unwrap();
        let x = group.reduce_mod_prime(&t);
        let mapped = group.map_field_element(&x);
        if curve == Curve::NistP224 {
            assert!(matches!(mapped, Err(CryptoError::Unsupported(_))));
        } else {
            let g_hat = mapped.unwrap();
            assert!(group.decode_public(g_hat.as_bytes()).is_ok(), "{curve:?}");
        }
    }
}

#[test]
fn rejects_points_off_the_curve_and_the_identity() {
    let group = bp256();
    let mut g = group.generator().as_bytes().to_vec();
    assert!(group.decode_public(&g).is_ok());
    g[40] ^= 1;
    assert!(group.decode_public(&g).is_err());
    assert!(group.decode_public(&[0]).is_err());
    assert!(group.decode_public(&[4; 65]).is_err());
    let generator = group.generator();
    let compressed = &generator.as_bytes()[..33];
    assert!(group.decode_public(compressed).is_err());
}

#[test]
fn private_keys_are_drawn_below_the_order() {
    let mut rng = OsEntropy;
    for params in [
        DomainParameters::Ecdh(Curve::NistP521),
        DomainParameters::Ecdh(Curve::BrainpoolP192r1),
        DomainParameters::Dh(DhGroup::Modp2048_224),
    ] {
        let group = Group::new(params).unwrap();
        let order = group.order();
        for _ in 0..20 {
            let k = group.generate_private(&mut rng).unwrap();
            assert_eq!(k.as_bytes().len(), order.len());
            assert!(k.as_bytes() < &order[..]);
        }
    }
}

#[test]
fn scripted_entropy_yields_the_exact_example_key() {
    let v = vector("icao9303-11_appG1_pace_ecdh_gm_brainpoolP256r1.json");
    let key = h(&v["mapping"]["terminal_private"]);
    let mut rng = ScriptedEntropy::new([key.clone()]);
    let group = bp256();
    assert_eq!(
        group.generate_private(&mut rng).unwrap().as_bytes(),
        &key[..]
    );
    assert!(group.generate_private(&mut rng).is_err());
}
