//! Our libjpeg-turbo-exact JPEG decoder never panics, and what it returns is whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = alicem_face::jpeg::decode(data) {
        assert_eq!(frame.as_raw().len(), frame.width() * frame.height() * 3);
    }
});
