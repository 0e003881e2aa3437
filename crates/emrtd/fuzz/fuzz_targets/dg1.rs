#![no_main]
use alicem_emrtd::lds::{EfCom, dg1};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dg1::parse(data);
    let _ = EfCom::parse(data);
});
