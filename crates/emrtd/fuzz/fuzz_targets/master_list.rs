#![no_main]
//! CSCA master lists and anything else a trust folder may hold (certificates, CRLs).
use alicem_emrtd::verify::{MasterList, TrustStore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = MasterList::parse(data);
    let _ = TrustStore::new().load("fuzz", data);
});
