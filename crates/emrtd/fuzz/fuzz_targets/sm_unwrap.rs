//! Secure messaging never panics on what a chip (or an attacker) sends: neither the
//! terminal unprotecting a response nor the chip unprotecting a command. With the first
//! byte odd, the fuzzed data objects get a valid MAC, to reach the parsing behind it.
#![no_main]

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::crypto::padding::pad;
use alicem_emrtd::lds::security_infos::Cipher;
use alicem_emrtd::sm::{SecureChannel, SessionKeys};
use alicem_emrtd::tlv;
use libfuzzer_sys::fuzz_target;

fn mac(keys: &SessionKeys, ssc: &[u8], covered: &[u8], block: usize) -> Vec<u8> {
    let mut input = ssc.to_vec();
    input.extend_from_slice(covered);
    keys.mac(&pad(&input, block)).map(|m| m.to_vec()).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let cipher = match mode >> 1 & 3 {
        0 => Cipher::Tdes,
        1 => Cipher::Aes128,
        2 => Cipher::Aes192,
        _ => Cipher::Aes256,
    };
    let block = if cipher == Cipher::Tdes { 8 } else { 16 };
    let keys = SessionKeys::derive(b"fuzz", cipher);

    // Terminal side: one command sent (SSC 1), the response checked at SSC 2.
    let mut terminal = SecureChannel::with_zero_ssc(keys.clone());
    let command = CommandApdu::new(0, 0xB0, 0, 0).with_le(16);
    if terminal.protect_command(&command, false).is_ok() {
        let mut body = rest.to_vec();
        if mode & 1 == 1 {
            let mut ssc = vec![0u8; block];
            if let Some(last) = ssc.last_mut() {
                *last = 2;
            }
            body.extend(tlv::encode(0x8E, &mac(&keys, &ssc, rest, block)));
        }
        let response = ResponseApdu::new(body, StatusWord::SUCCESS);
        let _ = terminal.unprotect_response(&response);
        let _ = terminal.unprotect_response(&response);
    }

    // Chip side: a command arriving at SSC 1.
    let mut chip = SecureChannel::with_zero_ssc(keys.clone());
    let mut body = rest.to_vec();
    if mode & 1 == 1 {
        let header = [0x0C, 0xB0, 0x00, 0x00];
        let mut covered = pad(&header, block);
        covered.extend_from_slice(rest);
        let mut ssc = vec![0u8; block];
        if let Some(last) = ssc.last_mut() {
            *last = 1;
        }
        body.extend(tlv::encode(0x8E, &mac(&keys, &ssc, &covered, block)));
    }
    let command = CommandApdu::new(0x0C, 0xB0, 0, 0).with_data(body);
    let _ = chip.unprotect_command(&command);
    if let Ok(raw) = ResponseApdu::from_bytes(rest) {
        let _ = SecureChannel::with_zero_ssc(keys).unprotect_response(&raw);
    }
});
