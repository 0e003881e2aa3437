//! The DG2 face record parser and the decoding of every face it yields, as the face
//! engine reads a reference image, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg2) = alicem_emrtd::lds::Dg2::parse(data) {
        for face in &dg2.faces {
            let _ = alicem_face::RgbFrame::decode(&face.data);
        }
    }
});
