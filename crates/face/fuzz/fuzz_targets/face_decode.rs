//! Decoding an uploaded selfie frame or DG2 image never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = alicem_face::RgbFrame::decode(data) {
        assert_eq!(frame.as_raw().len(), frame.width() * frame.height() * 3);
    }
});
