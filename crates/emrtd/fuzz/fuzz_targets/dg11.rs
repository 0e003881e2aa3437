#![no_main]
use alicem_emrtd::lds::{Dg11, Dg12};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Dg11::parse(data);
    let _ = Dg12::parse(data);
});
