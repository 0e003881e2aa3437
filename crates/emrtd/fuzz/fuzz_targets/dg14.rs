#![no_main]
//! DG14, EF.CardAccess and EF.CardSecurity (SecurityInfos, signed or not).
use alicem_emrtd::lds::{CardSecurity, SecurityInfos};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = SecurityInfos::from_dg14(data);
    let _ = SecurityInfos::from_der(data);
    let _ = CardSecurity::parse(data);
});
