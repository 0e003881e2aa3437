//! Files: atomic replacement, owner-only permissions, leftovers of interrupted writes.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::WalletError;

/// Prefix of temporary files; anything starting with it is a leftover.
const TMP_PREFIX: &str = ".tmp-";

pub(crate) fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> WalletError {
    let path = path.to_path_buf();
    move |source| WalletError::Io { op, path, source }
}

fn temp_name(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{TMP_PREFIX}{name}-{}-{n}", std::process::id())
}

/// Creates `path` with mode 0600, failing if it exists.
pub(crate) fn create_private(path: &Path) -> Result<File, WalletError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io("create", path))
}

/// Flushes a directory's entries (renames, creations) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WalletError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync", dir))
}

/// Replaces `dir/name` with `data` atomically: temp file, fsync, rename, fsync dir.
pub(crate) fn write_atomic(dir: &Path, name: &str, data: &[u8]) -> Result<(), WalletError> {
    let tmp = dir.join(temp_name(name));
    let result = (|| {
        let mut file = create_private(&tmp)?;
        file.write_all(data).map_err(io("write", &tmp))?;
        file.sync_all().map_err(io("sync", &tmp))?;
        drop(file);
        let target = dir.join(name);
        fs::rename(&tmp, &target).map_err(io("rename", &target))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads `dir/name`, `None` if absent.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, WalletError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io("read", path)(e)),
    }
}

/// Refuses a file that group or others may access.
pub(crate) fn check_private(path: &Path) -> Result<(), WalletError> {
    let mode = fs::metadata(path)
        .map_err(io("stat", path))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(WalletError::InsecurePermissions {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

/// Removes temporary files left by writes that were interrupted (a crash or a kill
/// between creating the temp file and renaming it).
pub(crate) fn remove_leftovers(dir: &Path) -> Result<usize, WalletError> {
    let mut removed = 0;
    for entry in fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            fs::remove_file(entry.path()).map_err(io("remove", &entry.path()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// A sibling of `dir` to build a new wallet in before renaming it into place.
pub(crate) fn staging_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "wallet".into());
    dir.with_file_name(temp_name(&name))
}

/// Creates a directory with mode 0700.
pub(crate) fn create_private_dir(path: &Path) -> Result<(), WalletError> {
    fs::create_dir(path).map_err(io("create directory", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(io("chmod", path))
}
