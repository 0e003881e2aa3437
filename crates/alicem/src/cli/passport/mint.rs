//! `alicem passport mint`: issue a test document into a directory.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alicem_chip_sim::factory::cms::SignerIdStyle;
use alicem_chip_sim::factory::profiles;
use alicem_chip_sim::factory::{
    Faults, KeyAlgorithm, MintOptions, Person, PkiOptions, SodOptions, TestPki, mint,
};
use alicem_emrtd::domain_parameters::Curve;
use alicem_emrtd::verify::country::alpha2_of_mrz_code;
use alicem_emrtd::verify::keys::HashAlgorithm;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl From<Hash> for HashAlgorithm {
    fn from(h: Hash) -> Self {
        match h {
            Hash::Sha1 => HashAlgorithm::Sha1,
            Hash::Sha224 => HashAlgorithm::Sha224,
            Hash::Sha256 => HashAlgorithm::Sha256,
            Hash::Sha384 => HashAlgorithm::Sha384,
            Hash::Sha512 => HashAlgorithm::Sha512,
        }
    }
}

/// The PKI's key type (used when a new PKI is generated).
#[derive(Clone, Copy, ValueEnum)]
enum Signature {
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    EcdsaBp256,
    EcdsaBp384,
    /// RSA 2048 with PKCS#1 v1.5 (slow to generate in debug builds).
    RsaPkcs1,
    /// RSA 2048 with RSASSA-PSS.
    RsaPss,
}

impl From<Signature> for KeyAlgorithm {
    fn from(s: Signature) -> Self {
        let ec = |curve| KeyAlgorithm::Ecdsa { curve };
        match s {
            Signature::EcdsaP256 => ec(Curve::NistP256),
            Signature::EcdsaP384 => ec(Curve::NistP384),
            Signature::EcdsaP521 => ec(Curve::NistP521),
            Signature::EcdsaBp256 => ec(Curve::BrainpoolP256r1),
            Signature::EcdsaBp384 => ec(Curve::BrainpoolP384r1),
            Signature::RsaPkcs1 => KeyAlgorithm::Rsa {
                bits: 2048,
                pss: false,
            },
            Signature::RsaPss => KeyAlgorithm::Rsa {
                bits: 2048,
                pss: true,
            },
        }
    }
}

#[derive(Args)]
pub struct MintArgs {
    /// The directory to create (must not exist or be empty).
    #[arg(long, required_unless_present = "list_profiles")]
    out: Option<PathBuf>,
    /// The holder and document data (PERSON.json); a fictional person otherwise.
    #[arg(long)]
    person: Option<PathBuf>,
    /// The face photo (JPEG or JPEG 2000); a synthetic drawing otherwise.
    #[arg(long)]
    face: Option<PathBuf>,
    /// Store the face as JPEG 2000 whatever the profile says (a given JPEG stays JPEG:
    /// no JPEG 2000 encoder is available).
    #[arg(long, conflicts_with = "jpeg")]
    jpeg2000: bool,
    /// Store the face as JPEG whatever the profile says.
    #[arg(long)]
    jpeg: bool,
    /// The chip profile (see --list-profiles).
    #[arg(long, default_value = "passport-pace")]
    profile: String,
    /// List the profiles and exit.
    #[arg(long)]
    list_profiles: bool,
    /// A PKI directory to issue under (created with a new PKI if it has no pki.json),
    /// so that several documents share one CSCA and master list.
    #[arg(long)]
    pki: Option<PathBuf>,
    /// The PKI's signature algorithm when a new PKI is generated.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    signature: Signature,
    /// The data-group hash and SOD digest algorithm.
    #[arg(long, value_enum, default_value = "sha256")]
    hash: Hash,
    /// Name the SOD's signer by subject key identifier instead of issuer and serial.
    #[arg(long)]
    signer_key_id: bool,

    /// Fault: alter DG1 (the holder's name) after the SOD is signed.
    #[arg(long, help_heading = "Faults")]
    tampered_dg: bool,
    /// Fault: sign with a Document Signer of a CSCA no trust list contains.
    #[arg(long, help_heading = "Faults")]
    unknown_csca: bool,
    /// Fault: the document expired a month ago.
    #[arg(long, help_heading = "Faults")]
    expired: bool,
    /// Fault: the CSCA's CRL revokes the Document Signer.
    #[arg(long, help_heading = "Faults")]
    revoked_dsc: bool,
    /// Fault: the chip's Active/Chip Authentication keys are not those DG15/DG14 carry.
    #[arg(long, help_heading = "Faults")]
    cloned_chip: bool,
    /// Fault: the MRZ issuing state is not the CSCA's country.
    #[arg(long, help_heading = "Faults")]
    country_mismatch: bool,
    /// Fault: the chip opens with PACE only (no BAC).
    #[arg(long, help_heading = "Faults", conflicts_with = "bac_only")]
    pace_only: bool,
    /// Fault: the chip opens with BAC only (no PACE, no EF.CardAccess).
    #[arg(long, help_heading = "Faults")]
    bac_only: bool,
}

fn read_person(path: &Path) -> anyhow::Result<Person> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// A directory that may receive a new document.
fn check_out_dir(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("reading {}", out.display()))?
            .next()
            .is_none();
        if !empty {
            bail!("{} already exists and is not empty", out.display());
        }
    }
    Ok(())
}

pub fn run(args: MintArgs) -> anyhow::Result<ExitCode> {
    if args.list_profiles {
        for name in profiles::NAMES {
            if let Some(p) = profiles::profile(name) {
                println!("{name:<20} {}", p.description);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out) = &args.out else {
        bail!("--out DIR is required");
    };
    check_out_dir(out)?;
    let person = args.person.as_deref().map(read_person).transpose()?;
    let face = args
        .face
        .as_deref()
        .map(|p| std::fs::read(p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    let pki_options = PkiOptions {
        algorithm: args.signature.into(),
        hash: args.hash.into(),
    };
    let pki = match &args.pki {
        Some(dir) if dir.join("pki.json").exists() => Some(
            TestPki::load(dir).with_context(|| format!("loading the PKI in {}", dir.display()))?,
        ),
        Some(dir) => {
            let state = person.as_ref().map_or("UTO", |p| p.issuing_state.as_str());
            let country = alpha2_of_mrz_code(state)
                .with_context(|| format!("issuing state {state:?} is not a known ICAO code"))?;
            let pki = TestPki::generate(country, pki_options)?;
            pki.save(dir)
                .with_context(|| format!("saving the PKI in {}", dir.display()))?;
            Some(pki)
        }
        None => None,
    };
    let faults = Faults {
        tampered_dg: args.tampered_dg,
        unknown_csca: args.unknown_csca,
        expired: args.expired,
        revoked_dsc: args.revoked_dsc,
        cloned_chip: args.cloned_chip,
        country_mismatch: args.country_mismatch,
        pace_only: args.pace_only,
        bac_only: args.bac_only,
    };
    let document = mint(MintOptions {
        profile: args.profile.clone(),
        person,
        face,
        face_format: if args.jpeg2000 {
            Some(profiles::FaceFormat::Jpeg2000)
        } else if args.jpeg {
            Some(profiles::FaceFormat::Jpeg)
        } else {
            None
        },
        faults,
        pki,
        pki_options,
        sod: SodOptions {
            hash: args.hash.into(),
            signer_id: if args.signer_key_id {
                SignerIdStyle::SubjectKeyIdentifier
            } else {
                SignerIdStyle::IssuerAndSerial
            },
            bare_rsa_encryption: false,
        },
    })?;
    for warning in &document.warnings {
        eprintln!("warning: {warning}");
    }
    // Write next to the target, then move into place: never a half-written document.
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = parent.join(format!(
        ".{}.minting.{}",
        out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let written = document
        .save(&staging)
        .map_err(anyhow::Error::from)
        .and_then(|()| {
            if out.exists() {
                std::fs::remove_dir(out).with_context(|| format!("replacing {}", out.display()))?;
            }
            std::fs::rename(&staging, out).with_context(|| format!("creating {}", out.display()))
        });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let faults = faults.names();
    println!(
        "minted {} (document type {}{}) into {}",
        args.profile,
        document.person.document_type,
        if faults.is_empty() {
            String::new()
        } else {
            format!(", faults: {}", faults.join(", "))
        },
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
