#![no_main]
//! DG2: CBEFF template, ISO/IEC 19794-5 and 39794-5 face records (not the image).
use alicem_emrtd::lds::{Dg2, Dg7};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Dg2::parse(data);
    let _ = Dg7::parse(data);
});
