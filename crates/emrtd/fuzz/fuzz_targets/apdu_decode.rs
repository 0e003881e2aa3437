//! APDU decoding never panics; a decoded command re-encodes to something that decodes
//! to the same command.
#![no_main]

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(command) = CommandApdu::from_bytes(data) {
        let extended = data.len() > 5 && data[4] == 0;
        if let Ok(bytes) = command.encode(extended) {
            assert_eq!(CommandApdu::from_bytes(&bytes).ok(), Some(command));
        }
    }
    if let Ok(response) = ResponseApdu::from_bytes(data) {
        assert_eq!(response.to_bytes(), data);
        let _ = response.status.meaning();
    }
});
