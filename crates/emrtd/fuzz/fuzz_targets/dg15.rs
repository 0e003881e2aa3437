#![no_main]
//! DG15 and Active Authentication verification with whatever key it holds.
use alicem_emrtd::lds::Dg15;
use alicem_emrtd::verify::active::verify_active_authentication;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input: DG15, then a signature over a fixed challenge.
    let Some((&split, rest)) = data.split_first() else { return };
    let at = usize::from(split).min(rest.len());
    let (dg15, signature) = rest.split_at(rest.len() - at);
    if let Ok(dg15) = Dg15::parse(dg15) {
        let _ = verify_active_authentication(&dg15, None, &[1, 2, 3, 4, 5, 6, 7, 8], signature);
    }
    let _ = Dg15::parse(data);
});
