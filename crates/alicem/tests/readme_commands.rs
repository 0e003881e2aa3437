//! The README must stay true. Every `alicem …` command line it shows parses (every
//! subcommand and flag exists), checked with the binary itself in parse-only mode;
//! and [`every_readme_command_runs_in_order`] runs each of them for real, with the
//! README's configuration file, against a local server.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers")]

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn readme_text() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    std::fs::read_to_string(&readme).expect("README.md is readable")
}

/// The README's one `toml` block: the server's configuration file.
fn readme_config() -> String {
    let text = readme_text();
    let start = text
        .find("```toml\n")
        .expect("the README shows a configuration file")
        + 8;
    let len = text[start..].find("```").expect("the toml block ends");
    text[start..start + len].to_owned()
}

/// Command lines of the README's `sh` blocks that start with `alicem` (comments and
/// trailing `\` continuations handled).
fn readme_commands() -> Vec<Vec<String>> {
    let text = readme_text();
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = trimmed.split(" #").next().unwrap_or("").trim();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        let full = std::mem::take(&mut pending);
        let full = full.trim();
        if let Some(args) = full.strip_prefix("alicem ") {
            commands.push(split_shell_words(args));
        }
    }
    commands
}

/// Splits like a shell for the simple quoting the README uses ('…' and "…").
fn split_shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut has_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if has_word || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if has_word || !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn readme_shows_alicem_commands() {
    assert!(
        readme_commands().len() >= 5,
        "the README should show how to run alicem for real"
    );
}

#[test]
fn every_readme_command_line_parses() {
    for args in readme_commands() {
        let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(&args)
            .env("ALICEM_PARSE_ONLY", "1")
            // demo-sp takes the secret `sp add` printed from the environment.
            .env("ALICEM_DEMO_SP_SECRET", "a-secret-printed-by-sp-add")
            .output()
            .expect("alicem runs");
        assert!(
            output.status.success(),
            "README command `alicem {}` does not parse:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_misspelt_flag_would_be_caught() {
    let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(["passport", "verify", "--no-such-flag"])
        .env("ALICEM_PARSE_ONLY", "1")
        .output()
        .expect("alicem runs");
    assert!(!output.status.success());
}

// ---------------------------------------------------------------------------------
// The walkthrough: every command, run.

const AGENT_PASSWORD: &str = "a long password for the README's agent";
const PIN: &str = "305718";
/// The vpcd virtual reader's name in pcscd (the README's USB reader stands for it).
const VIRTUAL_READER: &str = "Virtual PCD 00 00";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A long-running command (`serve`, `emulate`, `demo-sp`), stopped when dropped.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the README's commands run, and what its example values stand for here.
struct Walkthrough {
    root: tempfile::TempDir,
    /// Replaced inside every argument, in order: the README's values → this machine's.
    replacements: Vec<(String, String)>,
    env: BTreeMap<String, String>,
    base: String,
    running: Vec<Background>,
}

impl Walkthrough {
    fn cwd(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn args(&self, readme_args: &[String]) -> Vec<String> {
        readme_args
            .iter()
            .map(|a| {
                self.replacements
                    .iter()
                    .fold(a.clone(), |a, (from, to)| a.replace(from, to))
            })
            .collect()
    }

    fn command(&self, args: &[String]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_alicem"));
        c.args(args)
            .current_dir(self.cwd())
            .env("HOME", self.root.path().join("home"))
            .env("XDG_DATA_HOME", self.root.path().join("home/.local/share"))
            .env("XDG_CACHE_HOME", self.root.path().join("home/.cache"))
            .envs(&self.env);
        c
    }

    fn run(&self, args: &[String], stdin: Option<&str>) -> Output {
        eprintln!("$ alicem {}", args.join(" "));
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "`alicem {}` failed ({:?})\nstdout: {}\nstderr: {}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn spawn(&mut self, args: &[String], ready: impl Fn() -> bool) {
        eprintln!("$ alicem {} &", args.join(" "));
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !ready() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("`alicem {}` exited early: {status}", args.join(" "));
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "`alicem {}` did not become ready",
                args.join(" ")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        self.running.push(Background(child));
    }
}

fn answers(url: &str) -> bool {
    reqwest::blocking::get(url).is_ok_and(|r| r.status().is_success())
}

/// `name: value` from a command's output (what `sp add` prints).
fn printed(out: &Output, name: &str) -> String {
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} printed:\n{text}"))
        .trim()
        .to_owned()
}

fn shared(relative: &str) -> String {
    format!("{}/../../../shared/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh PostgreSQL database when a server answers (`ALICEM_TEST_POSTGRES_URL`, or
/// 127.0.0.1:5432 with trust auth), as the README's configuration asks; `None` runs
/// the walkthrough on the embedded SQLite instead (and says so).
fn postgres_database() -> Option<String> {
    let admin = match std::env::var("ALICEM_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => {
            let addr = "127.0.0.1:5432".parse().unwrap();
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok()?;
            "postgres://postgres@127.0.0.1:5432/postgres".to_owned()
        }
    };
    let mut bytes = [0u8; 6];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut bytes);
    let name = format!("alicem_readme_{}", hex::encode(bytes));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .ok()?;
        sqlx::Executor::execute(
            &mut conn,
            sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
        )
        .await
        .ok()?;
        Some(())
    })?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    Some(format!("{base}/{name}"))
}

/// The README's configuration file, with this machine's port, data directory,
/// issuer and database.
fn write_config(path: &Path, port: u16, data: &Path, base: &str) {
    let mut config = readme_config()
        .replace("127.0.0.1:8443", &format!("127.0.0.1:{port}"))
        .replace("https://id.example.gouv", base)
        .replace("/var/lib/alicem", data.to_str().unwrap());
    let readme_db = "postgres://alicem@db/alicem";
    assert!(config.contains(readme_db), "{config}");
    match postgres_database() {
        Some(url) => config = config.replace(readme_db, &url),
        None => {
            eprintln!("no PostgreSQL here: the walkthrough runs on SQLite");
            config = config
                .lines()
                .filter(|l| !l.contains(readme_db))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    std::fs::write(path, config).unwrap();
}

/// Starts pcscd with vpcd (scripts/pcscd-vpcd); its address.
fn pcscd_vpcd() -> String {
    let out = Command::new(format!(
        "{}/../../scripts/pcscd-vpcd",
        env!("CARGO_MANIFEST_DIR")
    ))
    .output()
    .expect("scripts/pcscd-vpcd runs");
    assert!(
        out.status.success(),
        "pcscd with vpcd is needed to run the README's reader commands: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Every command of the README, run for real, in the README's order except that the
/// test material (`passport mint`) comes first: the minted document stands for the
/// citizen's passport and its CSCA for `FR_CSCA.der`. What stands for what:
/// `/etc/alicem/alicem.toml` → the README's configuration file with a free port, a
/// temporary data directory, this server as issuer, and a fresh PostgreSQL database
/// (SQLite when none runs); `DE_masterlist.ml` → the German master list of the shared
/// vectors; the USB reader → pcscd's vpcd reader fed by `passport emulate`; the CAN
/// → the minted document's; `id.example.gouv` → the local server; the demo-sp port →
/// a free one. Commands that ask for a secret on a terminal get it on standard input
/// (`--pin-stdin`), and the agent's decision is taken on the console while the
/// wallet waits for it, as the README describes.
#[test]
fn every_readme_command_runs_in_order() {
    let commands = readme_commands();
    let root = tempfile::tempdir().unwrap();
    for dir in ["work", "home", "data"] {
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
    }
    let port = free_port();
    let sp_port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = root.path().join("alicem.toml");
    write_config(&config, port, &root.path().join("data"), &base);
    let vpcd = pcscd_vpcd();

    let mut walk = Walkthrough {
        replacements: vec![
            (
                "/etc/alicem/alicem.toml".into(),
                config.display().to_string(),
            ),
            ("https://id.example.gouv".into(), base.clone()),
            (
                "DE_masterlist.ml".into(),
                shared("vectors/emrtd/pa/trust/DE_ML_2026-05-28-08-28-45.ml"),
            ),
            ("FR_CSCA.der".into(), "doc/CSCA.der".into()),
            ("ACS ACR1252".into(), VIRTUAL_READER.into()),
            ("127.0.0.1:8088".into(), format!("127.0.0.1:{sp_port}")),
        ],
        env: BTreeMap::from([("ALICEM_AGENT_PASSWORD".into(), AGENT_PASSWORD.into())]),
        base: base.clone(),
        running: Vec::new(),
        root,
    };
    // Test material first, in the README's order among itself: the documents, then
    // the chip plugged into the reader the citizen's commands use.
    let material_rank =
        |c: &Vec<String>| match (c.first().map(String::as_str), c.get(1).map(String::as_str)) {
            (Some("passport"), Some("mint")) => 0,
            (Some("passport"), Some("emulate")) => 1,
            _ => 2,
        };
    let mut commands = commands;
    commands.sort_by_key(material_rank);
    assert!(
        commands.iter().any(|c| material_rank(c) == 0)
            && commands.iter().any(|c| material_rank(c) == 2)
    );
    let mut can_known = false;
    let mut ran = Vec::new();
    for readme_args in &commands {
        if !can_known && material_rank(readme_args) > 0 {
            let document: serde_json::Value = serde_json::from_slice(
                &std::fs::read(walk.cwd().join("doc/document.json"))
                    .expect("mint writes doc/document.json"),
            )
            .unwrap();
            let can = document["can"].as_str().expect("the minted CAN").to_owned();
            walk.replacements.push(("123456".into(), can));
            can_known = true;
        }
        let args = walk.args(readme_args);
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["serve", ..] => {
                let health = format!("{base}/healthz");
                walk.spawn(&args, || answers(&health));
            }
            ["passport", "emulate", ..] => {
                // The chip is plugged in at once; `passport read` waits for the card.
                let mut args = args.clone();
                args.extend(["--vpcd".into(), vpcd.clone()]);
                walk.spawn(&args, || true);
                std::thread::sleep(Duration::from_millis(500));
            }
            ["passport", "readers"] => {
                let out = walk.run(&args, None);
                assert!(
                    String::from_utf8_lossy(&out.stdout).contains(VIRTUAL_READER),
                    "{}",
                    String::from_utf8_lossy(&out.stdout)
                );
            }
            ["demo-sp", ..] => {
                assert!(
                    walk.env.contains_key("ALICEM_DEMO_SP_SECRET"),
                    "the README registers the demo SP before running it"
                );
                let home = format!("http://127.0.0.1:{sp_port}/");
                walk.spawn(&args, || answers(&home));
                let page = reqwest::blocking::get(&home).unwrap().text().unwrap();
                assert!(page.contains("alicem"), "{page}");
            }
            ["admin", ..] if words.windows(2).any(|w| w == ["sp", "add"]) => {
                let out = walk.run(&args, None);
                let secret = printed(&out, "client_secret");
                if words.contains(&"impots-demo") {
                    walk.env.insert("ALICEM_DEMO_SP_SECRET".into(), secret);
                }
            }
            ["wallet", "enroll", ..] => enroll_on_the_agent_path(&walk, &args),
            _ => {
                walk.run(&args, None);
            }
        }
        ran.push(words.iter().take(2).copied().collect::<Vec<_>>().join(" "));
    }
    // The identity the walkthrough created is active, on PostgreSQL or SQLite.
    let status = walk.run(&["wallet".into(), "status".into(), "--json".into()], None);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["status"], "active", "{status}; ran {ran:?}");
    drop(walk.running.drain(..));
}

/// `wallet enroll … --path agent` as the README shows it: the wallet reads the chip,
/// shows a session code and waits; the agent approves on the console; the wallet
/// then takes the new PIN and stores the credential.
fn enroll_on_the_agent_path(walk: &Walkthrough, args: &[String]) {
    let mut args = args.to_vec();
    args.push("--pin-stdin".into());
    args.extend(["--poll-interval".into(), "1".into()]);
    eprintln!("$ alicem {}", args.join(" "));
    let mut child = walk
        .command(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The PIN is read when it is needed, after the decision.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PIN}\n").as_bytes())
        .unwrap();
    // The wallet holds its lock while it waits, so the code is read where the citizen
    // reads it: on the terminal.
    let stderr = child.stderr.take().unwrap();
    let (lines, seen) = std::sync::mpsc::channel::<String>();
    let relay = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            eprintln!("  {line}");
            all.push_str(&line);
            all.push('\n');
            let _ = lines.send(line);
        }
        all
    });
    let code = loop {
        match seen.recv_timeout(Duration::from_secs(90)) {
            Ok(line) => {
                if let Some((_, code)) = line.split_once("show them the session code ") {
                    break code.trim().to_owned();
                }
            }
            Err(e) => {
                let _ = child.kill();
                let status = child.wait().unwrap();
                panic!(
                    "no session code from wallet enroll ({e}, {status}): {}",
                    relay.join().unwrap()
                );
            }
        }
    };
    common::console::agent_approves(&walk.base, "m.durand", AGENT_PASSWORD, &code);
    let out = child.wait_with_output().unwrap();
    let stderr = relay.join().unwrap();
    assert!(
        out.status.success(),
        "wallet enroll: {:?}\nstdout: {}\nstderr: {stderr}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
    );
}
