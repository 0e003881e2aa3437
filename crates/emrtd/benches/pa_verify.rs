//! Passive Authentication throughput: an ECDSA P-256 EF.SOD minted by the factory
//! (signature, Document Signer → CSCA chain, 4 data-group hashes), and the time to load
//! the German CSCA master list (588 CSCAs, signature verified).
//!
//! Run on one core: `taskset -c 0 cargo bench -p alicem-emrtd --bench pa_verify`.

use std::collections::BTreeMap;
use std::hint::black_box;

use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::verify::{DocumentEvidence, MasterList, TrustStore, parse_date};
use criterion::{Criterion, criterion_group, criterion_main};

fn read(path: &str) -> Vec<u8> {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn pa_verify(c: &mut Criterion) {
    let dir = "testdata/minted/id-card-p256";
    let mut trust = TrustStore::new();
    trust
        .load("masterlist.ml", &read(&format!("{dir}/masterlist.ml")))
        .expect("master list");
    let mut files = BTreeMap::new();
    files.insert(FileId::Sod, read(&format!("{dir}/EF_SOD.bin")));
    for dg in [
        DataGroup::DG1,
        DataGroup::DG2,
        DataGroup::DG11,
        DataGroup::DG14,
    ] {
        files.insert(
            FileId::Dg(dg),
            read(&format!("{dir}/DG{}.bin", dg.number())),
        );
    }
    let evidence = DocumentEvidence {
        files: files.into(),
        ..Default::default()
    };
    let at = parse_date("2027-06-01").expect("date");
    assert!(evidence.verify(&trust, at).authentic);
    // Steady state: the Document Signer's certificate was verified on an earlier
    // document and is remembered by the trust store.
    c.bench_function("pa_verify (ECDSA P-256 SOD, chain, 4 DG hashes)", |b| {
        b.iter(|| black_box(evidence.verify(black_box(&trust), at)))
    });
    // The first document of a Document Signer: its certificate is verified too.
    let fresh = {
        let mut store = TrustStore::new();
        store
            .load("masterlist.ml", &read(&format!("{dir}/masterlist.ml")))
            .expect("master list");
        store
    };
    c.bench_function("pa_verify, first document of its Document Signer", |b| {
        b.iter_batched(
            || fresh.clone(),
            |store| black_box(evidence.verify(&store, at)),
            criterion::BatchSize::SmallInput,
        )
    });
}

fn load_german_master_list(c: &mut Criterion) {
    let ml = format!(
        "{}/../../../shared/vectors/emrtd/pa/trust/DE_ML_2026-05-28-08-28-45.ml",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(bytes) = std::fs::read(&ml) else {
        eprintln!("{ml} not found: skipping the master list benchmark");
        return;
    };
    let mut group = c.benchmark_group("master list");
    group.sample_size(10);
    group.bench_function("load the German master list (588 CSCAs)", |b| {
        b.iter(|| {
            let list = MasterList::parse(black_box(&bytes)).expect("master list");
            let mut store = TrustStore::new();
            store.add_master_list(&list, "DE");
            black_box(store.len())
        })
    });
    group.finish();
}

criterion_group!(benches, pa_verify, load_german_master_list);
criterion_main!(benches);
