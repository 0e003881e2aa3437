//! `alicem trust …`: CSCA trust material (certificates, master lists, CRLs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alicem_emrtd::verify::certificate::{Certificate, date_string};
use alicem_emrtd::verify::crl::Crl;
use alicem_emrtd::verify::master_list::{MasterList, SignerChain};
use alicem_emrtd::verify::trust::{Loaded, TrustStore};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Show what trust files contain: a master list's signer, signature result, CSCAs
    /// with their countries and validity; a certificate's subject, key and validity; a
    /// CRL's issuer and entries.
    Inspect(InspectArgs),
}

#[derive(Args)]
pub struct InspectArgs {
    /// Master lists (.ml), certificates (DER or PEM) or CRLs.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(command: TrustCommand) -> anyhow::Result<ExitCode> {
    match command {
        TrustCommand::Inspect(args) => inspect(args),
    }
}

/// Loads `--trust` paths: files (which must be trust material) and folders (whose
/// trust files are loaded, other files skipped).
pub fn load_trust(paths: &[PathBuf]) -> anyhow::Result<TrustStore> {
    let mut store = TrustStore::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading trust folder {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for file in entries {
                let bytes =
                    std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let trust_extension = file.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["ml", "der", "cer", "crt", "pem", "crl"]
                        .contains(&e.to_ascii_lowercase().as_str())
                });
                match store.load(&file.display().to_string(), &bytes) {
                    Ok(loaded) => report(&file, &loaded, false),
                    // A file named as trust material that does not load is worth a
                    // warning; other files of the folder (chip files…) are just skipped.
                    Err(e) if trust_extension => tracing::warn!("ignored: {e}"),
                    Err(e) => tracing::debug!("skipping {}: {e}", file.display()),
                }
            }
        } else {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let loaded = store.load(&path.display().to_string(), &bytes)?;
            report(path, &loaded, true);
        }
    }
    if store.is_empty() {
        tracing::warn!("the trust store holds no CSCA: no chain can be valid");
    }
    Ok(store)
}

/// Logs what a trust file gave; a non-CA certificate named explicitly is a warning.
fn report(path: &Path, loaded: &Loaded, explicit: bool) {
    match loaded {
        Loaded::Certificates(n) => tracing::info!("{}: {n} CSCA certificate(s)", path.display()),
        Loaded::NotCa(n) if explicit => tracing::warn!(
            "{}: {n} certificate(s) that are not CAs, not trusted",
            path.display()
        ),
        Loaded::NotCa(n) => tracing::info!(
            "{}: {n} certificate(s) that are not CAs, not trusted",
            path.display()
        ),
        Loaded::MasterList(list) => tracing::info!(
            "{}: master list of {} CSCA(s), signature valid",
            path.display(),
            list.certificates.len()
        ),
        Loaded::Crl => tracing::info!("{}: CRL", path.display()),
    }
}

#[derive(Serialize)]
struct CertificateInfo {
    subject: String,
    issuer: String,
    serial: String,
    country: Option<String>,
    not_before: String,
    not_after: String,
    key: String,
    ca: bool,
    /// For self-issued certificates: whether the self-signature verifies.
    #[serde(skip_serializing_if = "Option::is_none")]
    self_signature: Option<String>,
}

fn certificate_info(c: &Certificate) -> CertificateInfo {
    CertificateInfo {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.serial_hex(),
        country: c.country(),
        not_before: date_string(c.not_before()),
        not_after: date_string(c.not_after()),
        key: c
            .public_key()
            .map(|k| k.description())
            .unwrap_or_else(|e| format!("unusable: {e}")),
        ca: c.is_ca(),
        self_signature: c.is_self_issued().then(|| {
            match c.public_key().and_then(|k| c.verify_signed_by(k)) {
                Ok(()) => "valid".to_string(),
                Err(e) => format!("not verified: {e}"),
            }
        }),
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Inspected {
    MasterList {
        file: String,
        signer: Box<CertificateInfo>,
        signature_algorithm: String,
        signature_valid: bool,
        signer_chain: SignerChain,
        signing_time: Option<String>,
        csca_count: usize,
        countries: Vec<String>,
        cscas: Vec<CertificateInfo>,
        rejected_entries: Vec<String>,
    },
    Certificate {
        file: String,
        certificates: Vec<CertificateInfo>,
    },
    Crl {
        file: String,
        issuer: String,
        this_update: String,
        next_update: Option<String>,
        revoked: usize,
    },
    Invalid {
        file: String,
        error: String,
    },
}

fn inspect_file(path: &Path) -> anyhow::Result<Inspected> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path.display().to_string();
    let is_cms = bytes.windows(11).take(40).any(|w| {
        w == [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
        ]
    });
    if is_cms {
        return Ok(match MasterList::parse(&bytes) {
            Ok(list) => master_list(file, &list),
            Err(e) => Inspected::Invalid {
                file,
                error: e.to_string(),
            },
        });
    }
    if let Ok(certs) = Certificate::from_pem_or_der(&bytes) {
        return Ok(Inspected::Certificate {
            file,
            certificates: certs.iter().map(certificate_info).collect(),
        });
    }
    Ok(match Crl::from_der(&bytes) {
        Ok(crl) => Inspected::Crl {
            file,
            issuer: crl.issuer().to_string(),
            this_update: date_string(crl.this_update()),
            next_update: crl.next_update().map(date_string),
            revoked: crl.revoked_count(),
        },
        Err(_) => Inspected::Invalid {
            file,
            error: "neither a CSCA master list, a certificate nor a CRL".into(),
        },
    })
}

fn master_list(file: String, list: &MasterList) -> Inspected {
    Inspected::MasterList {
        file,
        signer: Box::new(certificate_info(&list.signer)),
        signature_algorithm: list.signature_algorithm.clone(),
        signature_valid: true,
        signer_chain: list.signer_chain.clone(),
        signing_time: list.signing_time.clone(),
        csca_count: list.certificates.len(),
        countries: list.countries(),
        cscas: list.certificates.iter().map(certificate_info).collect(),
        rejected_entries: list.rejected.clone(),
    }
}

fn print_text(out: &mut String, item: &Inspected) {
    match item {
        Inspected::MasterList {
            file,
            signer,
            signature_algorithm,
            signer_chain,
            signing_time,
            csca_count,
            countries,
            cscas,
            rejected_entries,
            ..
        } => {
            let _ = writeln!(out, "{file}: CSCA master list");
            let _ = writeln!(
                out,
                "  signer:     {} (serial {})",
                signer.subject, signer.serial
            );
            let _ = writeln!(out, "  signature:  valid ({signature_algorithm})");
            if let Some(t) = signing_time {
                let _ = writeln!(out, "  signed at:  {t}");
            }
            let chain = match signer_chain {
                SignerChain::Valid { issuer } => format!("valid, issued by {issuer}"),
                SignerChain::IssuerNotFound => "issuer not in the list".into(),
                SignerChain::Invalid(e) => format!("not verified: {e}"),
            };
            let _ = writeln!(out, "  signer certificate: {chain}");
            let _ = writeln!(
                out,
                "  CSCAs:      {csca_count} from {} countries",
                countries.len()
            );
            for c in cscas {
                let _ = writeln!(
                    out,
                    "    {:<3} {} .. {}  {:<22} {}",
                    c.country.as_deref().unwrap_or("??"),
                    c.not_before,
                    c.not_after,
                    c.key,
                    c.subject
                );
            }
            for r in rejected_entries {
                let _ = writeln!(out, "  unreadable entry: {r}");
            }
        }
        Inspected::Certificate { file, certificates } => {
            for c in certificates {
                let _ = writeln!(out, "{file}: certificate");
                let _ = writeln!(out, "  subject:  {}", c.subject);
                let _ = writeln!(out, "  issuer:   {}", c.issuer);
                let _ = writeln!(out, "  serial:   {}", c.serial);
                let _ = writeln!(out, "  country:  {}", c.country.as_deref().unwrap_or("-"));
                let _ = writeln!(out, "  valid:    {} to {}", c.not_before, c.not_after);
                let _ = writeln!(out, "  key:      {}", c.key);
                let _ = writeln!(out, "  CA:       {}", if c.ca { "yes" } else { "no" });
                if let Some(s) = &c.self_signature {
                    let _ = writeln!(out, "  self-signature: {s}");
                }
            }
        }
        Inspected::Crl {
            file,
            issuer,
            this_update,
            next_update,
            revoked,
        } => {
            let _ = writeln!(out, "{file}: CRL");
            let _ = writeln!(out, "  issuer:   {issuer}");
            let _ = writeln!(
                out,
                "  updated:  {this_update} (next {})",
                next_update.as_deref().unwrap_or("-")
            );
            let _ = writeln!(out, "  revoked:  {revoked} certificate(s)");
        }
        Inspected::Invalid { file, error } => {
            let _ = writeln!(out, "{file}: INVALID: {error}");
        }
    }
}

fn inspect(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let items = args
        .files
        .iter()
        .map(|f| inspect_file(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&items)?));
    } else {
        let mut out = String::new();
        for item in &items {
            print_text(&mut out, item);
        }
        super::emit(&out);
    }
    let all_valid = !items.iter().any(|i| matches!(i, Inspected::Invalid { .. }));
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
