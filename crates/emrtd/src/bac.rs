//! Basic Access Control (Doc 9303-11 §4.3): a three-pass challenge-response with keys
//! derived from the MRZ, yielding 3DES session keys.
//!
//! The cryptogram helpers serve both sides; [`authenticate`] is the terminal's run.

use zeroize::Zeroizing;

use crate::apdu::StatusMeaning;
use crate::commands;
use crate::crypto::cipher::{cbc_decrypt_zero_iv, cbc_encrypt_zero_iv};
use crate::crypto::entropy::{Entropy, random_bytes};
use crate::crypto::kdf::bac_key_seed;
use crate::crypto::padding::pad;
use crate::error::{AccessMethod, EmrtdError};
use crate::lds::security_infos::Cipher;
use crate::mrz::MrzInfo;
use crate::session::link::Link;
use crate::sm::{SecureChannel, SessionKeys};
use crate::transport::Transport;

/// Length of E ‖ M in EXTERNAL AUTHENTICATE and its answer.
pub const CRYPTOGRAM_LEN: usize = 40;

/// The document basic access keys `K_enc = KDF(K_seed, 1)`, `K_mac = KDF(K_seed, 2)`
/// (Appendix D.1–D.2): the same derivation as session keys, from the MRZ's key seed.
pub fn document_keys(mrz: &MrzInfo) -> SessionKeys {
    SessionKeys::derive(&bac_key_seed(mrz), Cipher::Tdes)
}

/// `E(K_enc, plain) ‖ MAC(K_mac, E)` for a 32-byte `plain`.
pub fn seal(keys: &SessionKeys, plain: &[u8]) -> Result<Vec<u8>, EmrtdError> {
    let mut out = cbc_encrypt_zero_iv(Cipher::Tdes, keys.k_enc(), plain)?;
    let mac = keys.mac(&pad(&out, 8))?;
    out.extend_from_slice(&mac);
    Ok(out)
}

/// Checks the MAC of `E ‖ M` and decrypts E; `None` if the MAC is wrong.
pub fn open(keys: &SessionKeys, sealed: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, EmrtdError> {
    if sealed.len() != CRYPTOGRAM_LEN {
        return Ok(None);
    }
    let (cryptogram, mac) = sealed.split_at(32);
    let expected = keys.mac(&pad(cryptogram, 8))?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], mac)) {
        return Ok(None);
    }
    Ok(Some(Zeroizing::new(cbc_decrypt_zero_iv(
        Cipher::Tdes,
        keys.k_enc(),
        cryptogram,
    )?)))
}

/// The session both sides derive: keys from `K.IC ⊕ K.IFD`, SSC from the nonces.
pub fn session(k_ic: &[u8], k_ifd: &[u8], rnd_ic: &[u8], rnd_ifd: &[u8]) -> SecureChannel {
    let seed: Zeroizing<Vec<u8>> =
        Zeroizing::new(k_ic.iter().zip(k_ifd).map(|(a, b)| a ^ b).collect());
    let keys = SessionKeys::derive(&seed, Cipher::Tdes);
    let mut ssc = rnd_ic.get(4..8).unwrap_or_default().to_vec();
    ssc.extend_from_slice(rnd_ifd.get(4..8).unwrap_or_default());
    SecureChannel::new(keys, &ssc)
}

/// Runs BAC as the terminal. The eMRTD application must already be selected.
pub(crate) fn authenticate<T: Transport>(
    link: &mut Link<T>,
    mrz: &MrzInfo,
    rng: &mut dyn Entropy,
) -> Result<SecureChannel, EmrtdError> {
    let challenge = link.transmit(&commands::get_challenge(), false)?;
    if !challenge.is_success() {
        return Err(EmrtdError::Chip {
            command: "GET CHALLENGE",
            status: challenge.status,
        });
    }
    let rnd_ic = challenge.data;
    if rnd_ic.len() != 8 {
        return Err(EmrtdError::protocol(
            "GET CHALLENGE",
            "the challenge is not 8 bytes",
        ));
    }
    let rnd_ifd = random_bytes(rng, 8)?;
    let k_ifd = random_bytes(rng, 16)?;
    let keys = document_keys(mrz);
    let mut s = Zeroizing::new(Vec::with_capacity(32));
    s.extend_from_slice(&rnd_ifd);
    s.extend_from_slice(&rnd_ic);
    s.extend_from_slice(&k_ifd);
    let command = commands::external_authenticate(&seal(&keys, &s)?);
    let answer = link.transmit(&command, false)?;
    match answer.status.meaning() {
        StatusMeaning::Success => {}
        StatusMeaning::AuthenticationMethodBlocked => {
            return Err(EmrtdError::AccessBlocked {
                method: AccessMethod::Bac,
                status: answer.status,
            });
        }
        StatusMeaning::VerificationFailed { retries } => {
            return Err(EmrtdError::AccessDenied {
                method: AccessMethod::Bac,
                retries: Some(retries),
            });
        }
        // Chips answer a wrong MRZ with 6300, 6982 or 6A80 depending on the model.
        StatusMeaning::AuthenticationFailed
        | StatusMeaning::SecurityStatusNotSatisfied
        | StatusMeaning::IncorrectData => {
            return Err(EmrtdError::AccessDenied {
                method: AccessMethod::Bac,
                retries: None,
            });
        }
        _ => {
            return Err(EmrtdError::Chip {
                command: "EXTERNAL AUTHENTICATE",
                status: answer.status,
            });
        }
    }
    let r = open(&keys, &answer.data)?.ok_or(EmrtdError::ChipNotAuthenticated)?;
    let (echo_ic, rest) = r.split_at(8);
    let (echo_ifd, k_ic) = rest.split_at(8);
    let nonces_ok = subtle::ConstantTimeEq::ct_eq(echo_ic, &rnd_ic[..])
        & subtle::ConstantTimeEq::ct_eq(echo_ifd, &rnd_ifd[..]);
    if !bool::from(nonces_ok) {
        return Err(EmrtdError::ChipNotAuthenticated);
    }
    Ok(session(k_ic, &k_ifd, &rnd_ic, &rnd_ifd))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::crypto::ScriptedEntropy;
    use crate::testing::ScriptedTransport;

    fn vector() -> Value {
        serde_json::from_str(include_str!("../testdata/icao/icao9303-11_appD_bac.json")).unwrap()
    }

    fn h(v: &Value) -> Vec<u8> {
        hex::decode(v.as_str().unwrap()).unwrap()
    }

    fn mrz(v: &Value) -> MrzInfo {
        let f = &v["mrz_fields"];
        MrzInfo::new(
            f["document_number"].as_str().unwrap(),
            f["date_of_birth"].as_str().unwrap(),
            f["date_of_expiry"].as_str().unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn terminal_runs_icao_appendix_d3_exchange() {
        let v = vector();
        let mut challenge_answer = h(&v["rnd_ic"]);
        challenge_answer.extend([0x90, 0x00]);
        let mut auth_answer = h(&v["resp_data"]);
        auth_answer.extend([0x90, 0x00]);
        let transport = ScriptedTransport::new(vec![
            (h(&v["get_challenge_command"]), challenge_answer),
            (h(&v["external_authenticate_command"]), auth_answer),
        ]);
        let mut link = Link::new(transport);
        let mut rng = ScriptedEntropy::new([h(&v["rnd_ifd"]), h(&v["k_ifd"])]);
        let channel = authenticate(&mut link, &mrz(&v), &mut rng).unwrap();
        assert_eq!(channel.keys().k_enc(), &h(&v["ks_enc"])[..]);
        assert_eq!(channel.keys().k_mac(), &h(&v["ks_mac"])[..]);
        assert_eq!(channel.ssc_bytes(), h(&v["ssc"]));
        assert!(link.transport.is_done());
    }

    #[test]
    fn chip_side_helpers_reproduce_the_chip_answer_of_appendix_d3() {
        let v = vector();
        let keys = document_keys(&mrz(&v));
        let s = open(&keys, &h(&v["cmd_data"])).unwrap().unwrap();
        assert_eq!(&s[..], &h(&v["S"])[..]);
        assert_eq!(
            seal(&keys, &h(&v["R_decrypted"])).unwrap(),
            h(&v["resp_data"])
        );
    }

    #[test]
    fn a_wrong_mrz_is_reported_as_access_denied() {
        let v = vector();
        let mut challenge_answer = h(&v["rnd_ic"]);
        challenge_answer.extend([0x90, 0x00]);
        let transport = ScriptedTransport::new(vec![
            (h(&v["get_challenge_command"]), challenge_answer),
            (h(&v["external_authenticate_command"]), vec![0x63, 0x00]),
        ]);
        let mut link = Link::new(transport);
        let mut rng = ScriptedEntropy::new([h(&v["rnd_ifd"]), h(&v["k_ifd"])]);
        let error = authenticate(&mut link, &mrz(&v), &mut rng).unwrap_err();
        assert!(error.is_wrong_password(), "{error}");
    }
}
