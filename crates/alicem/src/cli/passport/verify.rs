//! `alicem passport verify`: the offline verdict on a document's chip data.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::verify::{
    ActiveAuthenticationEvidence, ChipAuthenticationOutcome, DataGroupResult, DocumentEvidence,
    DocumentVerdict, ProofResult, parse_date,
};
use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;

use crate::cli::trust::load_trust;

#[derive(Args)]
pub struct VerifyArgs {
    /// A directory written by `alicem passport read` or `alicem passport mint`: the
    /// files (`EF_SOD.bin`, `DG1.bin`, …) and, if present, `session.json` with the
    /// Active Authentication challenge/signature and the Chip Authentication outcome.
    #[arg(long, conflicts_with_all = ["sod", "dg"])]
    dir: Option<PathBuf>,
    /// EF.SOD (with --dg for the data groups), instead of --dir.
    #[arg(long, required_unless_present = "dir")]
    sod: Option<PathBuf>,
    /// A data group file as N=FILE (e.g. --dg 1=DG1.bin); repeatable.
    #[arg(long, value_name = "N=FILE")]
    dg: Vec<String>,
    /// CSCA certificates (DER/PEM), CSCA master lists (.ml), CRLs, or folders of them.
    #[arg(long, required = true, num_args = 1..)]
    trust: Vec<PathBuf>,
    /// A Document Signer certificate, for an EF.SOD that does not embed it.
    #[arg(long)]
    dsc: Option<PathBuf>,
    /// The Active Authentication challenge sent to the chip (hex).
    #[arg(long, requires = "aa_signature")]
    challenge: Option<String>,
    /// The chip's Active Authentication response (binary file).
    #[arg(long, requires = "challenge")]
    aa_signature: Option<PathBuf>,
    /// Check validity periods at this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    at: Option<String>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

/// The parts of `session.json` (written by `alicem passport read`) the verdict uses:
/// `active_authentication` {challenge, signature} and `chip_authentication`
/// {protocol, success, key_id, public_key_spki} (also accepted as `aa` / `ca`).
#[derive(Deserialize, Default)]
struct Session {
    #[serde(default, alias = "active_authentication")]
    aa: Option<ActiveAuthenticationEvidence>,
    #[serde(default, alias = "chip_authentication")]
    ca: Option<ChipAuthenticationOutcome>,
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn load_dir(dir: &Path) -> anyhow::Result<(BTreeMap<FileId, Vec<u8>>, Session)> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let mut files = BTreeMap::new();
    for file in FileId::all() {
        let path = dir.join(format!("{}.bin", file.name()));
        if path.exists() {
            files.insert(file, read(&path)?);
        }
    }
    if files.is_empty() {
        bail!("{}: no chip files (EF_SOD.bin, DG1.bin, …)", dir.display());
    }
    let session_path = dir.join("session.json");
    let session = if session_path.exists() {
        let text = std::fs::read_to_string(&session_path)
            .with_context(|| format!("reading {}", session_path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("parsing {}", session_path.display()))?
    } else {
        Session::default()
    };
    Ok((files, session))
}

fn today() -> anyhow::Result<der::DateTime> {
    der::DateTime::from_system_time(std::time::SystemTime::now())
        .map_err(|e| anyhow::anyhow!("reading the clock: {e}"))
}

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let at = match &args.at {
        Some(text) => {
            parse_date(text).with_context(|| format!("--at {text:?} is not a YYYY-MM-DD date"))?
        }
        None => today()?,
    };
    let trust = load_trust(&args.trust)?;
    let (files, session) = match (&args.dir, &args.sod) {
        (Some(dir), _) => load_dir(dir)?,
        (None, Some(sod)) => {
            let mut files = BTreeMap::new();
            files.insert(FileId::Sod, read(sod)?);
            for spec in &args.dg {
                let (n, path) = spec
                    .split_once('=')
                    .with_context(|| format!("--dg {spec:?}: expected N=FILE"))?;
                let dg = n
                    .trim()
                    .trim_start_matches(['D', 'G', 'd', 'g'])
                    .parse::<u8>()
                    .ok()
                    .and_then(DataGroup::new)
                    .with_context(|| format!("--dg {spec:?}: {n:?} is not a data group 1-16"))?;
                files.insert(FileId::Dg(dg), read(Path::new(path))?);
            }
            (files, Session::default())
        }
        (None, None) => bail!("give --dir DIR or --sod FILE"),
    };
    let mut active_authentication = session.aa;
    if let (Some(challenge), Some(signature)) = (&args.challenge, &args.aa_signature) {
        active_authentication = Some(ActiveAuthenticationEvidence {
            challenge: hex::decode(challenge.trim())
                .with_context(|| format!("--challenge {challenge:?} is not hex"))?,
            signature: read(signature)?,
        });
    }
    let evidence = DocumentEvidence {
        files: files.into(),
        document_signer: args.dsc.as_deref().map(read).transpose()?,
        active_authentication,
        chip_authentication: session.ca,
    };
    let verdict = evidence.verify(&trust, at);
    if args.json {
        crate::cli::emit(&format!("{}\n", serde_json::to_string_pretty(&verdict)?));
    } else {
        let mut out = String::new();
        print_text(&mut out, &verdict);
        crate::cli::emit(&out);
    }
    Ok(if verdict.authentic {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn yes(ok: bool) -> &'static str {
    if ok { "valid" } else { "INVALID" }
}

fn proof(p: ProofResult) -> &'static str {
    match p {
        ProofResult::Valid => "valid",
        ProofResult::Invalid => "INVALID",
        ProofResult::NotPerformed => "not performed",
    }
}

fn print_text(out: &mut String, v: &DocumentVerdict) {
    let _ = writeln!(out, "checked at:        {}", v.checked_at);
    let _ = writeln!(
        out,
        "SOD signature:     {}{}",
        yes(v.sod_signature_valid),
        v.sod_signature_algorithm
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default()
    );
    if let Some(h) = v.sod_hash_algorithm {
        let _ = writeln!(out, "data-group hash:   {}", h.name());
    }
    if let Some(dsc) = &v.dsc {
        let _ = writeln!(
            out,
            "Document Signer:   {} (serial {}, valid {} to {})",
            dsc.subject, dsc.serial, dsc.not_before, dsc.not_after
        );
    }
    match &v.csca {
        Some(csca) => {
            let _ = writeln!(
                out,
                "CSCA:              {} (country {}, valid {} to {})",
                csca.subject,
                csca.country.as_deref().unwrap_or("?"),
                csca.not_before,
                csca.not_after
            );
        }
        None => {
            let _ = writeln!(out, "CSCA:              not found");
        }
    }
    let _ = writeln!(out, "chain:             {}", yes(v.chain_valid));
    for (dg, result) in &v.data_groups {
        let text = match result {
            DataGroupResult::Match => "hash matches",
            DataGroupResult::Mismatch => "HASH MISMATCH",
            DataGroupResult::AbsentFromSod => "NOT IN THE SOD",
        };
        let _ = writeln!(out, "DG{dg:<2}              {text}");
    }
    if !v.not_read.is_empty() {
        let list: Vec<String> = v.not_read.iter().map(|d| format!("DG{d}")).collect();
        let _ = writeln!(out, "in SOD, not given: {}", list.join(", "));
    }
    if let Some(state) = &v.issuing_state {
        let matches = match v.issuing_state_matches_csca {
            Some(true) => " (the CSCA's country)",
            Some(false) => " (NOT the CSCA's country)",
            None => "",
        };
        let _ = writeln!(out, "issuing state:     {state}{matches}");
    }
    if let Some(expiry) = &v.document_expiry {
        let state = if v.document_expired == Some(true) {
            "EXPIRED"
        } else {
            "not expired"
        };
        let _ = writeln!(out, "expiry:            {expiry} ({state})");
    }
    let _ = writeln!(
        out,
        "Active Auth.:      {}{}",
        proof(v.active_authentication),
        v.active_authentication_algorithm
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "Chip Auth.:        {}{}",
        proof(v.chip_authentication),
        v.chip_authentication_protocol
            .map(|p| format!(" ({p:?})"))
            .unwrap_or_default()
    );
    for e in &v.errors {
        let _ = writeln!(out, "error:             {e}");
    }
    let _ = writeln!(
        out,
        "verdict:           {}",
        if v.authentic {
            "AUTHENTIC"
        } else {
            "NOT AUTHENTIC"
        }
    );
}
