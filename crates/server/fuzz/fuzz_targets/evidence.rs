//! The evidence upload decoder must refuse any body with a named part, never panic.
#![no_main]

use alicem_api::enrollment::EnrollmentPath;
use alicem_server::enrollment::evidence::{EvidenceLimits, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = EvidenceLimits::default();
    for path in [EnrollmentPath::Face, EnrollmentPath::Agent] {
        if let Err(e) = decode(data, path, &limits) {
            assert!(!e.part.is_empty());
        }
    }
});
