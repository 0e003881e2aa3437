//! Passive Authentication throughput in verifications per second of CPU time (the
//! criterion bench measures wall time, which a busy shared machine inflates):
//! `taskset -c 0 cargo run --release -p alicem-emrtd --example pa_throughput`.

use std::collections::BTreeMap;
use std::time::Instant;

use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::verify::{DocumentEvidence, TrustStore, parse_date};

fn read(path: &str) -> Vec<u8> {
    let full = format!(
        "{}/testdata/minted/id-card-p256/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// User + system CPU seconds of this process, from /proc (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut trust = TrustStore::new();
    trust
        .load("masterlist.ml", &read("masterlist.ml"))
        .expect("master list");
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, read("EF_SOD.bin"));
    for dg in [
        DataGroup::DG1,
        DataGroup::DG2,
        DataGroup::DG11,
        DataGroup::DG14,
    ] {
        files.insert(FileId::Dg(dg), read(&format!("DG{}.bin", dg.number())));
    }
    let evidence = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    };
    let at = parse_date("2027-06-01").expect("date");
    assert!(evidence.verify(&trust, at).authentic);
    let n = 20_000;
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    for _ in 0..n {
        std::hint::black_box(evidence.verify(&trust, at));
    }
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    println!(
        "{n} verifications: {:.0}/s of CPU time ({:.1} µs each), {:.0}/s of wall time",
        n as f64 / cpu,
        cpu / n as f64 * 1e6,
        n as f64 / wall
    );
}
