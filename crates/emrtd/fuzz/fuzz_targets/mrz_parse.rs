//! MRZ parsing never panics, and what parses yields MRZ information.
#![no_main]

use alicem_emrtd::mrz::{Can, Mrz, MrzInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(mrz) = Mrz::parse(&text) {
        let info = mrz.info();
        let seed = info.key_seed_input();
        assert!(seed.len() >= 24);
    }
    let mut parts = text.splitn(3, '|');
    if let (Some(n), Some(b), Some(e)) = (parts.next(), parts.next(), parts.next()) {
        let _ = MrzInfo::new(n, b, e).map(|i| i.key_seed_input());
    }
    let _ = Can::new(&text);
});
