//! Proof of erasure: what a server must never have written anywhere (database,
//! data directory, logs) once a decision is taken.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use alicem_chip_sim::factory::MintedDocument;
use alicem_emrtd::lds::{DataGroup, FileId};

/// A byte pattern that must not appear, and what it stands for (for the message).
pub struct Needle {
    pub what: String,
    pub bytes: Vec<u8>,
}

impl Needle {
    pub fn new(what: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            what: what.into(),
            bytes: bytes.into(),
        }
    }
}

/// Image signatures (JPEG SOI+marker, JP2 signature box, J2K SOC+SIZ) and the
/// civil-status fields and chip photo of `doc`.
pub fn personal_data_of(doc: &MintedDocument) -> Vec<Needle> {
    let file = |dg| doc.image.files.get(&FileId::Dg(dg)).unwrap().clone();
    let mrz = alicem_emrtd::lds::dg1::parse(&file(DataGroup::DG1)).unwrap();
    let dg2 = alicem_emrtd::lds::Dg2::parse(&file(DataGroup::DG2)).unwrap();
    let photo = dg2.faces[0].data.clone();
    let dg2_bytes = file(DataGroup::DG2);
    let dg1_bytes = file(DataGroup::DG1);
    let mut needles = vec![
        Needle::new("JPEG data", [0xFF, 0xD8, 0xFF]),
        Needle::new("JPEG 2000 (JP2) data", [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50]),
        Needle::new("JPEG 2000 codestream", [0xFF, 0x4F, 0xFF, 0x51]),
        Needle::new("the chip photo", photo[photo.len() / 2..][..64].to_vec()),
        Needle::new(
            "the document number",
            mrz.document_number.trim_end_matches('<').as_bytes(),
        ),
        Needle::new("the MRZ", mrz.lines[0].as_bytes()),
        Needle::new("the surname", doc.person.surname.as_bytes()),
        Needle::new("the given names", doc.person.given_names.as_bytes()),
        Needle::new("the birth date", doc.person.birth_date.as_bytes()),
        // As the upload carried them (a logged request body would show these).
        Needle::new("DG2 in base64url", base64url_prefix(&dg2_bytes)),
        Needle::new("DG1 in base64url", base64url_prefix(&dg1_bytes)),
    ];
    needles.retain(|n| !n.bytes.is_empty());
    needles
}

/// The base64url text of the first 48 bytes of `bytes`, as it starts a JSON string.
pub fn base64url_prefix(bytes: &[u8]) -> Vec<u8> {
    alicem_credential::jose::b64::encode(&bytes[..bytes.len().min(48)]).into_bytes()
}

/// A face descriptor: its float bytes as held in memory, and the decimal forms a log
/// line or a JSON column would show.
pub fn face_template(what: &str, values: &[f32]) -> Vec<Needle> {
    let raw: Vec<u8> = values
        .iter()
        .take(8)
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let text = |v: &[f32]| v.iter().take(3).map(|x| format!("{x}")).collect::<Vec<_>>();
    let mut needles = vec![Needle::new(format!("{what} (f32 bytes)"), raw)];
    for (i, t) in text(values).into_iter().enumerate() {
        // Long enough not to occur by chance.
        if t.len() >= 8 {
            needles.push(Needle::new(format!("{what} value {i} as text"), t));
        }
    }
    needles
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
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

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Panics naming the file and the data when any needle is found under `dir`.
pub fn assert_none_under(dir: &Path, needles: &[Needle]) {
    let files = files_under(dir);
    assert!(!files.is_empty(), "nothing under {}", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for needle in needles {
            assert!(
                !find(&bytes, &needle.bytes),
                "{} contains {}",
                path.display(),
                needle.what
            );
        }
    }
}

/// Panics when any needle is in the captured logs.
pub fn assert_none_logged(needles: &[Needle]) {
    let logs = captured_logs();
    assert!(!logs.is_empty(), "no log was captured");
    for needle in needles {
        assert!(
            !find(&logs, &needle.bytes),
            "the logs contain {}",
            needle.what
        );
    }
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of this process, down to TRACE, from now on.
pub fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| Capture)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

pub fn captured_logs() -> Vec<u8> {
    LOGS.lock().unwrap().clone()
}
