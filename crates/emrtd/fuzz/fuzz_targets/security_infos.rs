//! EF.CardAccess, DG14 and EF.CardSecurity parsing never panics, nor does choosing the
//! PACE offer or the Chip Authentication key from what was parsed.
#![no_main]

use alicem_emrtd::ca::{self, ChipPublicKey};
use alicem_emrtd::lds::SecurityInfos;
use alicem_emrtd::pace;
use libfuzzer_sys::fuzz_target;

fn exercise(infos: &SecurityInfos) {
    let _ = pace::choose(infos);
    let _ = ca::plan(infos);
    for key in infos.chip_authentication_public_keys() {
        let _ = ChipPublicKey::from_spki(&key.public_key);
    }
    if let Ok(der) = infos.to_der() {
        assert!(SecurityInfos::from_der(&der).is_ok());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(infos) = SecurityInfos::from_der(data) {
        exercise(&infos);
    }
    if let Ok(infos) = SecurityInfos::from_dg14(data) {
        exercise(&infos);
    }
    if let Ok(infos) = ca::card_security_infos(data) {
        exercise(&infos);
    }
});
