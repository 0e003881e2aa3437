//! A writer killed with SIGKILL in the middle of writing leaves the wallet in its
//! previous state or the new one, loadable, never half-written.
//!
//! The test binary re-runs itself as the writer: the ignored test `writer_child` is
//! the child's body, selected with `--exact --ignored` and given the wallet directory
//! in an environment variable. The parent kills it as soon as a temporary file
//! appears in the wallet directory, i.e. between the creation of the new version and
//! its rename over the old one.

// A test file: its helpers may panic on unexpected input like the tests do.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alicem_wallet::{HistoryCopy, KdfParams, Wallet};
use serde_json::json;

const DIR_VAR: &str = "ALICEM_WALLET_CRASH_TEST_DIR";
/// About 1 MiB per history copy.
const ENTRIES: usize = 16;
const ENTRY_LEN: usize = 64 * 1024;
const ROUNDS: usize = 4;

fn history(generation: u64) -> HistoryCopy {
    let filler = "x".repeat(ENTRY_LEN);
    HistoryCopy {
        fetched_at: i64::try_from(generation).unwrap(),
        entries: (0..ENTRIES)
            .map(|i| json!({"generation": generation, "index": i, "filler": filler}))
            .collect(),
    }
}

/// The history must be one complete generation: every entry of the same one.
fn check_consistent(copy: &HistoryCopy) -> u64 {
    let generation = u64::try_from(copy.fetched_at).unwrap();
    assert_eq!(copy.entries.len(), ENTRIES);
    for (i, entry) in copy.entries.iter().enumerate() {
        assert_eq!(entry["generation"], generation);
        assert_eq!(entry["index"], i);
    }
    generation
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .count()
}

#[test]
#[ignore = "child process of a_writer_killed_mid_write_leaves_the_previous_state_loadable"]
fn writer_child() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let mut wallet = Wallet::open(Path::new(&dir)).unwrap();
    let start = check_consistent(&wallet.history().unwrap().unwrap());
    for generation in start + 1.. {
        wallet.store_history(&history(generation)).unwrap();
        println!("\nwrote {generation}");
    }
}

#[test]
fn a_writer_killed_mid_write_leaves_the_previous_state_loadable() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("wallet");
    let mut wallet =
        Wallet::create(&dir, "https://id.alicem.test", KdfParams::FAST_INSECURE).unwrap();
    wallet.store_history(&history(0)).unwrap();
    drop(wallet);

    let mut killed_inside_a_write = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "writer_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for one complete write, so each round changes something.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let last_confirmed: u64 = loop {
            let line = lines.next().expect("writer ended early").unwrap();
            if let Some(n) = line.strip_prefix("wrote ") {
                break n.parse().unwrap();
            }
        };
        // Then kill it while the next version is being written.
        let deadline = Instant::now() + Duration::from_secs(10);
        while temp_files(&dir) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if temp_files(&dir) > 0 {
            killed_inside_a_write += 1;
        }

        let wallet = Wallet::open(&dir).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let copy = wallet.history().unwrap().expect("history lost");
        let generation = check_consistent(&copy);
        // Either the last confirmed write, or the next one if its rename completed
        // before the kill.
        assert!(
            generation == last_confirmed || generation == last_confirmed + 1,
            "round {round}: generation {generation} after confirmed {last_confirmed}"
        );
        assert_eq!(temp_files(&dir), 0, "open() removes interrupted temp files");
    }
    eprintln!("{killed_inside_a_write} of {ROUNDS} kills landed inside a write");
    assert!(
        killed_inside_a_write > 0,
        "no kill landed between temp-file creation and rename"
    );
}
