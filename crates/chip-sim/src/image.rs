//! Everything a virtual chip holds: its files, the secrets that open it, its private
//! keys and its profile. The factory produces one; the chip serves one.
//!
//! On disk (the `--out DIR` of `alicem passport mint`):
//! - `<name>.bin` for each file, named as the reader saves them (`EF_COM.bin`, `DG1.bin`…);
//! - `document.json`: `{"mrz": [lines], "can": "123456"}`;
//! - `chip.json`: `{"profile": …, "keys": {"chip_authentication": …, "active_authentication": …}}`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use alicem_emrtd::domain_parameters::{Curve, DhGroup};
use alicem_emrtd::lds::FileId;
use alicem_emrtd::mrz::{AccessKey, Can, Mrz, MrzError};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::profile::ChipProfile;

/// A private key held by the chip. Scalars and exponents are big-endian.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PrivateKey {
    Ec {
        #[zeroize(skip)]
        curve: Curve,
        #[serde(with = "hex")]
        scalar: Vec<u8>,
    },
    Dh {
        #[zeroize(skip)]
        group: DhGroup,
        #[serde(with = "hex")]
        x: Vec<u8>,
    },
    /// An RSA key as PKCS#8 DER.
    Rsa {
        #[serde(with = "hex")]
        pkcs8: Vec<u8>,
    },
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PrivateKey::Ec { curve, .. } => write!(f, "PrivateKey::Ec({curve:?}, ..)"),
            PrivateKey::Dh { group, .. } => write!(f, "PrivateKey::Dh({group:?}, ..)"),
            PrivateKey::Rsa { .. } => f.write_str("PrivateKey::Rsa(..)"),
        }
    }
}

/// The chip's private keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipKeys {
    /// The static key-agreement key of Chip Authentication and PACE-CAM.
    pub chip_authentication: Option<PrivateKey>,
    /// The Active Authentication signing key.
    pub active_authentication: Option<PrivateKey>,
}

/// The holder's view of the document: what opens the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAccess {
    /// The MRZ lines as printed.
    pub mrz: Vec<String>,
    /// The card access number printed on the document.
    pub can: String,
}

impl DocumentAccess {
    pub fn parsed_mrz(&self) -> Result<Mrz, MrzError> {
        Mrz::parse(&self.mrz.join("\n"))
    }

    pub fn mrz_key(&self) -> Result<AccessKey, MrzError> {
        Ok(AccessKey::Mrz(self.parsed_mrz()?.info()))
    }

    pub fn can_key(&self) -> Result<AccessKey, MrzError> {
        Ok(AccessKey::Can(Can::new(&self.can)?))
    }
}

/// A complete chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipImage {
    pub files: BTreeMap<FileId, Vec<u8>>,
    pub access: DocumentAccess,
    pub profile: ChipProfile,
    pub keys: ChipKeys,
}

#[derive(Serialize, Deserialize)]
struct ChipJson {
    profile: ChipProfile,
    keys: ChipKeys,
}

/// Failure to load or save a chip image.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{0}: not a chip image (no document.json / chip.json); mint one with `alicem passport mint`"
    )]
    NotAnImage(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
    move |source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, ImageError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|source| ImageError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never
/// leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir, path)?;
    tmp.1.write_all(bytes).map_err(io(&tmp.0))?;
    tmp.1.sync_all().map_err(io(&tmp.0))?;
    drop(tmp.1);
    fs::rename(&tmp.0, path).map_err(io(path))
}

fn tempfile_in(dir: &Path, target: &Path) -> Result<(PathBuf, fs::File), ImageError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 0..100u32 {
        let candidate = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&candidate)(e)),
        }
    }
    Err(io(dir)(std::io::Error::other(
        "no free temporary file name",
    )))
}

fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), ImageError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| ImageError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomically(path, text.as_bytes())
}

impl ChipImage {
    /// Loads a chip image from a directory written by [`ChipImage::save`].
    pub fn load(dir: &Path) -> Result<Self, ImageError> {
        let document = dir.join("document.json");
        let chip = dir.join("chip.json");
        if !document.exists() || !chip.exists() {
            return Err(ImageError::NotAnImage(dir.to_path_buf()));
        }
        let access: DocumentAccess = read_json(&document)?;
        let ChipJson { profile, keys } = read_json(&chip)?;
        let mut files = BTreeMap::new();
        for file in FileId::all() {
            let path = dir.join(format!("{}.bin", file.name()));
            match fs::read(&path) {
                Ok(bytes) => {
                    files.insert(file, bytes);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Ok(Self {
            files,
            access,
            profile,
            keys,
        })
    }

    /// Saves the image into `dir` (created if missing), each file written atomically.
    pub fn save(&self, dir: &Path) -> Result<(), ImageError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        for (file, bytes) in &self.files {
            write_atomically(&dir.join(format!("{}.bin", file.name())), bytes)?;
        }
        write_json(&self.access, &dir.join("document.json"))?;
        write_json(
            &ChipJson {
                profile: self.profile.clone(),
                keys: self.keys.clone(),
            },
            &dir.join("chip.json"),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::OversizeRead;
    use alicem_emrtd::lds::DataGroup;

    fn sample() -> ChipImage {
        let mut files = BTreeMap::new();
        files.insert(FileId::Com, vec![0x60, 0x00]);
        files.insert(FileId::Dg(DataGroup::DG1), vec![0x61, 0x00]);
        ChipImage {
            files,
            access: DocumentAccess {
                mrz: vec![
                    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
                    "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into(),
                ],
                can: "123456".into(),
            },
            profile: ChipProfile {
                name: "test".into(),
                bac: true,
                pace: vec![],
                chip_authentication: None,
                active_authentication: None,
                extended_length: false,
                max_read: 0xDF,
                oversize_read: OversizeRead::WrongLength,
            },
            keys: ChipKeys {
                chip_authentication: Some(PrivateKey::Ec {
                    curve: Curve::BrainpoolP256r1,
                    scalar: vec![1; 32],
                }),
                active_authentication: None,
            },
        }
    }

    #[test]
    fn saves_and_loads_the_same_image() {
        let dir = tempfile::tempdir().unwrap();
        let image = sample();
        image.save(dir.path()).unwrap();
        assert!(dir.path().join("EF_COM.bin").exists());
        assert!(dir.path().join("DG1.bin").exists());
        assert_eq!(ChipImage::load(dir.path()).unwrap(), image);
        assert!(image.access.mrz_key().is_ok());
    }

    #[test]
    fn refuses_a_directory_that_is_not_an_image() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            ChipImage::load(dir.path()),
            Err(ImageError::NotAnImage(_))
        ));
    }

    #[test]
    fn hides_private_keys_in_debug_output() {
        let shown = format!("{:?}", sample().keys);
        assert!(!shown.contains("1, 1"), "{shown}");
    }
}
