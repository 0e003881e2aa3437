#![no_main]
//! Face image decoding (JPEG, PNG, JPEG 2000 JP2 and J2K).
use alicem_emrtd::lds::decode_face_image;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_face_image(data);
});
