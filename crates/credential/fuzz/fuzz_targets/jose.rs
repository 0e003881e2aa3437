//! JWS, JWK and JWK Set parsing on hostile input: never panic.
#![no_main]

use alicem_credential::jose::{Jwk, JwkSet, JwsHeader, UnverifiedJws};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = JwsHeader::parse(data);
    let _ = Jwk::parse(data);
    if let Ok(set) = JwkSet::parse(data) {
        for key in set.keys() {
            let _ = key.thumbprint();
            let _ = key.verifying_key();
        }
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(jws) = UnverifiedJws::parse(text)
    {
        let _ = jws.header();
    }
});
