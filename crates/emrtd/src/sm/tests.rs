use serde_json::Value;

use super::*;
use crate::apdu::{CommandApdu, ResponseApdu};

fn d4() -> Value {
    serde_json::from_str(include_str!(
        "../../testdata/icao/icao9303-11_appD4_sm_3des.json"
    ))
    .unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn channel(v: &Value) -> SecureChannel {
    let keys = SessionKeys::new(Cipher::Tdes, &h(&v["ks_enc"]), &h(&v["ks_mac"])).unwrap();
    SecureChannel::new(keys, &h(&v["initial_ssc"]))
}

#[test]
fn terminal_reproduces_icao_appendix_d4_exchanges() {
    let v = d4();
    let mut terminal = channel(&v);
    let mut ef_com = Vec::new();
    for step in v["steps"].as_array().unwrap() {
        let plain = CommandApdu::from_bytes(&h(&step["unprotected_command"])).unwrap();
        let protected = terminal.protect_command(&plain, false).unwrap();
        assert_eq!(
            protected.to_bytes().unwrap(),
            h(&step["protected_command"]),
            "{}",
            step["step"]
        );
        assert_eq!(terminal.ssc_bytes(), h(&step["ssc"]));
        let response = ResponseApdu::from_bytes(&h(&step["protected_response"])).unwrap();
        let unprotected = terminal.unprotect_response(&response).unwrap();
        assert_eq!(
            unprotected.to_bytes(),
            h(&step["unprotected_response"]),
            "{}",
            step["step"]
        );
        ef_com.extend(unprotected.data);
    }
    assert_eq!(ef_com, h(&v["ef_com_content"]));
}

#[test]
fn chip_reproduces_icao_appendix_d4_exchanges() {
    let v = d4();
    let mut chip = channel(&v);
    for step in v["steps"].as_array().unwrap() {
        let protected = CommandApdu::from_bytes(&h(&step["protected_command"])).unwrap();
        let plain = chip.unprotect_command(&protected).unwrap();
        assert_eq!(
            plain,
            CommandApdu::from_bytes(&h(&step["unprotected_command"])).unwrap()
        );
        let answer = ResponseApdu::from_bytes(&h(&step["unprotected_response"])).unwrap();
        let wrapped = chip.protect_response(&answer, false).unwrap();
        assert_eq!(
            wrapped.to_bytes(),
            h(&step["protected_response"]),
            "{}",
            step["step"]
        );
    }
}

fn pair(cipher: Cipher) -> (SecureChannel, SecureChannel) {
    let keys = SessionKeys::derive(b"shared secret", cipher);
    (
        SecureChannel::with_zero_ssc(keys.clone()),
        SecureChannel::with_zero_ssc(keys),
    )
}

#[test]
fn terminal_and_chip_agree_for_every_cipher_and_length() {
    for cipher in [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256] {
        let (mut terminal, mut chip) = pair(cipher);
        for len in [0usize, 1, 7, 8, 15, 16, 17, 200, 255, 1000] {
            for (ins, extended) in [(0xB0u8, false), (0xB1, true), (0x86, false)] {
                let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let mut command = CommandApdu::new(0x00, ins, 1, 2).with_data(data.clone());
                command.le = Some(if extended { 4000 } else { 256 });
                let protected = terminal.protect_command(&command, extended).unwrap();
                let bytes = protected.to_bytes().unwrap();
                let received = CommandApdu::from_bytes(&bytes).unwrap();
                assert_eq!(chip.unprotect_command(&received).unwrap(), command);
                let answer = ResponseApdu::new(data.clone(), StatusWord(0x6282));
                let wrapped = chip.protect_response(&answer, ins & 1 == 1).unwrap();
                assert_eq!(
                    wrapped.data.len(),
                    if ins & 1 == 1 && len > 0 {
                        // DO'85' carries no padding-indicator byte.
                        protected_response_len(cipher, len) - 1
                    } else {
                        protected_response_len(cipher, len)
                    }
                );
                let back = ResponseApdu::from_bytes(&wrapped.to_bytes()).unwrap();
                assert_eq!(terminal.unprotect_response(&back).unwrap(), answer);
            }
        }
    }
}

#[test]
fn a_tampered_response_closes_the_channel_for_good() {
    let (mut terminal, mut chip) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0, 0xB0, 0, 0).with_le(16);
    let protected = terminal.protect_command(&command, false).unwrap();
    chip.unprotect_command(&protected).unwrap();
    let mut wrapped = chip
        .protect_response(&ResponseApdu::new(vec![1; 16], StatusWord::SUCCESS), false)
        .unwrap();
    wrapped.data[5] ^= 0x01;
    assert_eq!(
        terminal.unprotect_response(&wrapped),
        Err(SmError::MacMismatch)
    );
    assert!(terminal.is_closed());
    assert_eq!(
        terminal.protect_command(&command, false),
        Err(SmError::Closed)
    );
}

#[test]
fn a_tampered_command_closes_the_chip_side() {
    let (mut terminal, mut chip) = pair(Cipher::Tdes);
    let command = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data([1, 0x1E]);
    let mut protected = terminal.protect_command(&command, false).unwrap();
    protected.p2 ^= 1;
    assert_eq!(
        chip.unprotect_command(&protected),
        Err(SmError::MacMismatch)
    );
    assert_eq!(chip.unprotect_command(&protected), Err(SmError::Closed));
}

#[test]
fn a_replayed_command_fails_because_the_counter_moved_on() {
    let (mut terminal, mut chip) = pair(Cipher::Aes256);
    let command = CommandApdu::new(0, 0xB0, 0, 0).with_le(4);
    let protected = terminal.protect_command(&command, false).unwrap();
    chip.unprotect_command(&protected).unwrap();
    chip.protect_response(&ResponseApdu::status(StatusWord::SUCCESS), false)
        .unwrap();
    assert_eq!(
        chip.unprotect_command(&protected),
        Err(SmError::MacMismatch)
    );
}

#[test]
fn plain_status_words_pass_but_a_plain_success_or_sm_error_does_not() {
    let (mut terminal, _) = pair(Cipher::Aes128);
    let command = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data([1, 0x05]);
    terminal.protect_command(&command, false).unwrap();
    let not_found = ResponseApdu::status(StatusWord::FILE_NOT_FOUND);
    assert_eq!(terminal.unprotect_response(&not_found).unwrap(), not_found);
    terminal.protect_command(&command, false).unwrap();
    assert_eq!(
        terminal.unprotect_response(&ResponseApdu::status(StatusWord(0x6988))),
        Err(SmError::ChipAborted(StatusWord(0x6988)))
    );
    let (mut terminal, _) = pair(Cipher::Aes128);
    terminal.protect_command(&command, false).unwrap();
    assert!(
        terminal
            .unprotect_response(&ResponseApdu::status(StatusWord::SUCCESS))
            .is_err()
    );
    assert!(terminal.is_closed());
}

#[test]
fn the_largest_short_read_fits_in_256_bytes() {
    assert_eq!(max_plain_response(Cipher::Tdes, 256), 0xE7);
    assert_eq!(max_plain_response(Cipher::Aes128, 256), 0xDF);
    for cipher in [Cipher::Tdes, Cipher::Aes256] {
        for budget in [64, 256, 1000, 65536] {
            let n = max_plain_response(cipher, budget);
            assert!(protected_response_len(cipher, n) <= budget);
            assert!(protected_response_len(cipher, n + 1) > budget);
        }
    }
}
