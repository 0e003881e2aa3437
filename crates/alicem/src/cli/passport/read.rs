//! `alicem passport read` and `alicem passport readers`: read a chip through PC/SC.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use alicem_chip_sim::image::write_atomically;
use alicem_emrtd::ca::ChipAuthenticationOutcome;
use alicem_emrtd::domain_parameters::DomainParameters;
use alicem_emrtd::lds::security_infos::{KeyAgreement, Mapping};
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::mrz::{AccessKey, Can, Mrz, MrzInfo};
use alicem_emrtd::read::ReadProgress;
use alicem_emrtd::session::{AccessChoice, AccessProtocol, AuthenticatedSession, OpenOptions};
use alicem_emrtd::transport::Transport;
use alicem_emrtd::{Document, EmrtdError, tlv};
use anyhow::{Context as _, bail};
use clap::{ArgGroup, Args, ValueEnum};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Args)]
#[command(group(ArgGroup::new("password").required(true).args(["mrz", "document_number", "can"])))]
pub struct ReadArgs {
    /// The PC/SC reader (its full name, or a part matching one reader).
    #[arg(long)]
    reader: String,
    /// The MRZ: TD1, TD2 or TD3 lines separated by newlines or spaces.
    #[arg(long)]
    mrz: Option<String>,
    /// Document number, as printed in the MRZ (with --birth-date and --expiry-date).
    #[arg(long, requires_all = ["birth_date", "expiry_date"])]
    document_number: Option<String>,
    /// Date of birth, YYMMDD.
    #[arg(long, requires = "document_number")]
    birth_date: Option<String>,
    /// Date of expiry, YYMMDD.
    #[arg(long, requires = "document_number")]
    expiry_date: Option<String>,
    /// The 6-digit card access number.
    #[arg(long)]
    can: Option<String>,
    /// Directory to write the files and session.json into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Active Authentication challenge, 8 bytes in hex (random if absent).
    #[arg(long, value_name = "HEX")]
    challenge: Option<String>,
    /// Print session.json to stdout.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 15)]
    wait: u64,
    /// Access protocol.
    #[arg(long, value_enum, default_value_t = Access::Auto)]
    access: Access,
}

#[derive(Clone, Copy, ValueEnum)]
enum Access {
    /// PACE if the chip offers it, else BAC.
    Auto,
    Bac,
    Pace,
}

fn access_key(args: &ReadArgs) -> anyhow::Result<AccessKey> {
    if let Some(text) = &args.mrz {
        let mrz = Mrz::parse(text).context("--mrz")?;
        return Ok(AccessKey::Mrz(mrz.info()));
    }
    if let Some(can) = &args.can {
        return Ok(AccessKey::Can(Can::new(can).context("--can")?));
    }
    match (&args.document_number, &args.birth_date, &args.expiry_date) {
        (Some(number), Some(birth), Some(expiry)) => Ok(AccessKey::Mrz(
            MrzInfo::new(number, birth, expiry)
                .context("--document-number/--birth-date/--expiry-date")?,
        )),
        _ => bail!("give --mrz, --can, or --document-number with --birth-date and --expiry-date"),
    }
}

fn challenge(args: &ReadArgs) -> anyhow::Result<([u8; 8], &'static str)> {
    match &args.challenge {
        Some(text) => {
            let bytes = hex::decode(text.trim()).context("--challenge is not hexadecimal")?;
            let challenge: [u8; 8] = bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("--challenge must be 8 bytes (16 hex digits)"))?;
            Ok((challenge, "caller"))
        }
        None => {
            let mut challenge = [0u8; 8];
            getrandom::fill(&mut challenge)
                .map_err(|e| anyhow::anyhow!("random challenge: {e}"))?;
            Ok((challenge, "random"))
        }
    }
}

/// `alicem passport readers`.
pub fn readers() -> anyhow::Result<ExitCode> {
    #[cfg(feature = "pcsc")]
    {
        let readers = alicem_emrtd::pcsc::list_readers().context("listing PC/SC readers")?;
        if readers.is_empty() {
            eprintln!("no PC/SC reader found");
        }
        for reader in readers {
            println!("{reader}");
        }
        Ok(ExitCode::SUCCESS)
    }
    #[cfg(not(feature = "pcsc"))]
    bail!("this alicem was built without PC/SC support (feature `pcsc`)")
}

/// `alicem passport read`.
pub fn run(args: ReadArgs) -> anyhow::Result<ExitCode> {
    let key = access_key(&args)?;
    let (challenge, challenge_source) = challenge(&args)?;
    #[cfg(feature = "pcsc")]
    {
        let reader = alicem_emrtd::pcsc::find_reader(&args.reader)?;
        let card =
            alicem_emrtd::pcsc::PcscCard::wait_and_connect(&reader, Duration::from_secs(args.wait))
                .with_context(|| format!("connecting to the card in {reader}"))?;
        let report = read_document(card, &reader, &key, &args, &challenge, challenge_source)?;
        finish(&args, report)
    }
    #[cfg(not(feature = "pcsc"))]
    {
        let _ = (key, challenge, challenge_source, Duration::ZERO);
        bail!("this alicem was built without PC/SC support (feature `pcsc`)")
    }
}

/// What `session.json` records of a read.
#[derive(Serialize)]
pub struct SessionReport {
    pub version: u32,
    pub reader: String,
    pub access: AccessReport,
    pub files: Vec<FileReport>,
    pub skipped: Vec<SkippedFile>,
    pub chip_authentication: Option<ChipAuthenticationReport>,
    pub active_authentication: Option<ActiveAuthenticationReport>,
    pub secure_messaging: SecureMessagingReport,
    pub traffic: alicem_emrtd::session::TrafficStats,
    pub duration_ms: u64,
    #[serde(skip)]
    contents: Vec<(FileId, Vec<u8>)>,
}

#[derive(Serialize)]
pub struct AccessReport {
    /// "BAC" or "PACE".
    pub protocol: &'static str,
    /// PACE: "GM", "IM" or "CAM".
    pub mapping: Option<&'static str>,
    /// PACE: "ECDH" or "DH".
    pub key_agreement: Option<&'static str>,
    /// PACE: curve or group name (brainpoolP256r1, P-256, rfc5114-2048-256…).
    pub parameters: Option<DomainParameters>,
    pub parameter_id: Option<u64>,
    /// Cipher of the access protocol's session keys ("3DES" for BAC).
    pub cipher: alicem_emrtd::lds::security_infos::Cipher,
    /// PACE: "MRZ" or "CAN".
    pub password: Option<&'static str>,
}

#[derive(Serialize)]
pub struct FileReport {
    pub name: String,
    pub file: String,
    pub size: usize,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct SkippedFile {
    pub name: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct ChipAuthenticationReport {
    /// "CA" or "PACE-CAM".
    pub protocol: &'static str,
    /// CA: "MSE:Set AT" or "MSE:Set KAT".
    pub command: Option<&'static str>,
    pub success: bool,
    /// CA: the protocol OID run (e.g. id-CA-ECDH-AES-CBC-CMAC-128).
    pub protocol_oid: Option<String>,
    /// CA: the cipher of the new session keys.
    pub cipher: Option<alicem_emrtd::lds::security_infos::Cipher>,
    pub parameters: DomainParameters,
    pub key_id: Option<u64>,
    /// DER SubjectPublicKeyInfo (hex) of the chip key the chip proved it holds, taken
    /// from DG14 (CA) or EF.CardSecurity (PACE-CAM).
    pub public_key_spki: String,
    pub failure: Option<String>,
}

#[derive(Serialize)]
pub struct ActiveAuthenticationReport {
    pub challenge: String,
    /// "caller" (--challenge) or "random".
    pub challenge_source: &'static str,
    /// The raw signature as returned by INTERNAL AUTHENTICATE (not verified here).
    pub signature: String,
}

#[derive(Serialize)]
pub struct SecureMessagingReport {
    /// The cipher at the end of the session (Chip Authentication may change it).
    pub cipher: alicem_emrtd::lds::security_infos::Cipher,
    pub extended_length: bool,
}

fn access_report(session: &AuthenticatedSession<impl Transport>) -> AccessReport {
    match session.access() {
        AccessProtocol::Bac => AccessReport {
            protocol: "BAC",
            mapping: None,
            key_agreement: None,
            parameters: None,
            parameter_id: None,
            cipher: alicem_emrtd::lds::security_infos::Cipher::Tdes,
            password: None,
        },
        AccessProtocol::Pace {
            pace,
            parameters,
            parameter_id,
            password,
        } => AccessReport {
            protocol: "PACE",
            mapping: Some(match pace.mapping {
                Mapping::Generic => "GM",
                Mapping::Integrated => "IM",
                Mapping::ChipAuthentication => "CAM",
            }),
            key_agreement: Some(match pace.key_agreement {
                KeyAgreement::Dh => "DH",
                KeyAgreement::Ecdh => "ECDH",
            }),
            parameters: Some(*parameters),
            parameter_id: Some(*parameter_id),
            cipher: pace.cipher,
            password: Some(match password {
                alicem_emrtd::commands::PasswordRef::Mrz => "MRZ",
                alicem_emrtd::commands::PasswordRef::Can => "CAN",
            }),
        },
    }
}

fn ca_report(outcome: &ChipAuthenticationOutcome) -> ChipAuthenticationReport {
    use alicem_emrtd::ca::ChipAuthenticationMethod as M;
    ChipAuthenticationReport {
        protocol: outcome.method.protocol_name(),
        command: match outcome.method {
            M::SetAt => Some("MSE:Set AT"),
            M::SetKat => Some("MSE:Set KAT"),
            M::PaceCam => None,
        },
        success: outcome.success,
        protocol_oid: outcome.protocol.map(|p| p.oid().to_string()),
        cipher: outcome.protocol.map(|p| p.cipher),
        parameters: outcome.parameters,
        key_id: outcome.key_id,
        public_key_spki: hex::encode_upper(&outcome.public_key_spki),
        failure: outcome.failure.clone(),
    }
}

/// The data groups EF.COM lists (DO'5C'), if it parses.
fn listed_groups(ef_com: &[u8]) -> Option<Vec<DataGroup>> {
    let inner = tlv::parse_single(ef_com, 0x60).ok()?;
    let objects = tlv::parse_all(inner).ok()?;
    let tags = tlv::find(&objects, 0x5C)?;
    Some(
        tags.iter()
            .filter_map(|&t| DataGroup::from_tag(t))
            .collect(),
    )
}

struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    fn new(visible: bool) -> Self {
        let bar = if visible {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:>16} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self { bar }
    }

    fn update(&self, p: ReadProgress) {
        self.bar.set_message(p.file.name());
        if let Some(total) = p.total {
            self.bar.set_length(total as u64);
        }
        self.bar.set_position(p.read as u64);
    }
}

/// Reads everything: files, then Active Authentication, then Chip Authentication
/// (last, as a chip failing it closes the session).
fn read_document<T: Transport>(
    transport: T,
    reader: &str,
    key: &AccessKey,
    args: &ReadArgs,
    challenge: &[u8; 8],
    challenge_source: &'static str,
) -> anyhow::Result<SessionReport> {
    let options = OpenOptions {
        access: match args.access {
            Access::Auto => AccessChoice::Auto,
            Access::Bac => AccessChoice::Bac,
            Access::Pace => AccessChoice::Pace,
        },
        ..Default::default()
    };
    let document = Document::connect(transport).context("talking to the chip")?;
    let mut session = match document.authenticate(key, &options) {
        Ok(s) => s,
        Err(e @ (EmrtdError::AccessDenied { .. } | EmrtdError::AccessBlocked { .. })) => {
            return Err(
                anyhow::Error::new(e).context("access to the chip refused; nothing was written")
            );
        }
        Err(e) => return Err(anyhow::Error::new(e).context("opening the chip")),
    };
    let progress = Progress::new(std::io::stderr().is_terminal() && !args.json);
    let mut contents: Vec<(FileId, Vec<u8>)> = Vec::new();
    let mut skipped = Vec::new();
    let read = |session: &mut AuthenticatedSession<T>,
                file: FileId,
                contents: &mut Vec<(FileId, Vec<u8>)>,
                skipped: &mut Vec<SkippedFile>|
     -> anyhow::Result<()> {
        if contents.iter().any(|(f, _)| *f == file) {
            return Ok(());
        }
        match session.read_file_with_progress(file, &mut |p| progress.update(p)) {
            Ok(Some(bytes)) => contents.push((file, bytes)),
            Ok(None) => {}
            Err(EmrtdError::FileAccessDenied { .. }) => skipped.push(SkippedFile {
                name: file.name(),
                reason: "protected: needs Terminal Authentication (extended access control)".into(),
            }),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {file}"))),
        }
        Ok(())
    };
    if let Some(card_access) = session.card_access() {
        contents.push((FileId::CardAccess, card_access.to_vec()));
    }
    let pace = matches!(session.access(), AccessProtocol::Pace { .. });
    if pace {
        read(
            &mut session,
            FileId::CardSecurity,
            &mut contents,
            &mut skipped,
        )?;
    }
    read(&mut session, FileId::Com, &mut contents, &mut skipped)?;
    read(&mut session, FileId::Sod, &mut contents, &mut skipped)?;
    let groups: Vec<DataGroup> = contents
        .iter()
        .find(|(f, _)| *f == FileId::Com)
        .and_then(|(_, bytes)| listed_groups(bytes))
        .unwrap_or_else(|| {
            (1..=16)
                .filter_map(DataGroup::new)
                .filter(|g| !matches!(g.number(), 3 | 4))
                .collect()
        });
    for group in groups {
        read(&mut session, FileId::Dg(group), &mut contents, &mut skipped)?;
    }
    progress.bar.finish_and_clear();

    let find = |file: FileId| {
        contents
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, b)| b.clone())
    };
    let active_authentication = match find(FileId::Dg(DataGroup::DG15)) {
        Some(_) => {
            let signature = session
                .active_authenticate(challenge)
                .context("Active Authentication")?;
            Some(ActiveAuthenticationReport {
                challenge: hex::encode_upper(challenge),
                challenge_source,
                signature: hex::encode_upper(signature),
            })
        }
        None => None,
    };
    let chip_authentication = if session.has_pace_cam() {
        let card_security = find(FileId::CardSecurity)
            .context("PACE-CAM ran but EF.CardSecurity could not be read")?;
        Some(ca_report(
            &session
                .verify_pace_cam(&card_security)
                .context("PACE-CAM")?,
        ))
    } else {
        match find(FileId::Dg(DataGroup::DG14)) {
            Some(dg14) => match session.chip_authenticate(&dg14) {
                Ok(outcome) => Some(ca_report(&outcome)),
                Err(EmrtdError::Unsupported(reason)) => {
                    tracing::info!(%reason, "no Chip Authentication");
                    None
                }
                Err(e) => return Err(anyhow::Error::new(e).context("Chip Authentication")),
            },
            None => None,
        }
    };
    let stats = session.stats();
    let files = contents
        .iter()
        .map(|(file, bytes)| FileReport {
            name: file.name(),
            file: format!("{}.bin", file.name()),
            size: bytes.len(),
            sha256: hex::encode(Sha256::digest(bytes)),
        })
        .collect();
    Ok(SessionReport {
        version: 1,
        reader: reader.to_string(),
        access: access_report(&session),
        files,
        skipped,
        chip_authentication,
        active_authentication,
        secure_messaging: SecureMessagingReport {
            cipher: session.cipher(),
            extended_length: session.uses_extended_length(),
        },
        traffic: stats.traffic,
        duration_ms: stats.elapsed.as_millis() as u64,
        contents,
    })
}

/// Writes the files and session.json (each atomically) once everything was read.
fn write_out(dir: &Path, report: &SessionReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (file, bytes) in &report.contents {
        write_atomically(&dir.join(format!("{}.bin", file.name())), bytes)?;
    }
    let json = serde_json::to_string_pretty(report)?;
    write_atomically(&dir.join("session.json"), json.as_bytes())?;
    Ok(())
}

fn finish(args: &ReadArgs, report: SessionReport) -> anyhow::Result<ExitCode> {
    write_out(&args.out, &report)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        eprintln!(
            "read {} files with {} ({} APDUs, {} bytes in {} ms) into {}",
            report.files.len(),
            report.access.protocol,
            report.traffic.apdus,
            report.traffic.bytes_received,
            report.duration_ms,
            args.out.display()
        );
        if let Some(ca) = &report.chip_authentication {
            eprintln!(
                "chip authentication ({}): {}",
                ca.protocol,
                if ca.success { "passed" } else { "FAILED" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_data_groups_of_icao_ef_com() {
        let ef_com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        assert_eq!(
            listed_groups(&ef_com),
            Some(vec![DataGroup::DG1, DataGroup::DG2])
        );
        assert_eq!(listed_groups(&[0x60, 0x05]), None);
    }
}
