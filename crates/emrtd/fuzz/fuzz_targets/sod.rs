#![no_main]
//! EF.SOD: the 77 wrapper, CMS SignedData, the LDSSecurityObject, and verification
//! against an empty trust store (certificate parsing, signer matching, signatures).
use alicem_emrtd::lds::{FileId, Sod};
use alicem_emrtd::verify::{DocumentEvidence, TrustStore, parse_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if Sod::parse(data).is_ok() {
        let mut files = std::collections::BTreeMap::new();
        files.insert(FileId::Sod, data.to_vec());
        let evidence = DocumentEvidence { files: files.into(), ..Default::default() };
        if let Some(at) = parse_date("2030-01-01") {
            let _ = evidence.verify(&TrustStore::new(), at);
        }
    }
});
