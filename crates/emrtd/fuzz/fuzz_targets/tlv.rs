//! BER-TLV data objects, dynamic authentication data and EF.ATR/INFO: never a panic.
#![no_main]

use alicem_emrtd::{commands, read, tlv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(objects) = tlv::parse_all(data) {
        let mut again = Vec::new();
        for o in &objects {
            again.extend(tlv::encode(o.tag, o.value));
        }
        assert_eq!(tlv::parse_all(&again).map(|v| v.len()).ok(), Some(objects.len()));
    }
    let _ = tlv::peek_header(data);
    let _ = read::parse_atr_info(data);
    let _ = commands::parse_dynamic_authentication_data(data);
    let _ = commands::decode_reference(data);
});
