//! The backup archive: a gzip-compressed tar file that holds everything a restore needs.
//!
//! Layout: `data/bsn-knowledge.sqlite3` (a consistent snapshot), every other file of the data
//! directory under `data/` (the signing secret `secret_key`, the ACME account and certificates under
//! `acme/`, self-signed certificates under `tls/`, later uploads), the config file the server ran with
//! as `config/config.toml`, and last `manifest.json`, which lists every file with its size and SHA-256.
//! Verification reads the whole archive back and checks every entry against the manifest, so a
//! truncated, corrupted or tampered archive is refused before anything is restored from it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Archive names written by `backup` start with this and end with [`ARCHIVE_SUFFIX`].
pub const ARCHIVE_PREFIX: &str = "bsn-knowledge-";
pub const ARCHIVE_SUFFIX: &str = ".tar.gz";
/// The manifest entry, written last.
pub const MANIFEST: &str = "manifest.json";
/// Where the database sits inside the archive.
pub const DATABASE_ENTRY: &str = "data/bsn-knowledge.sqlite3";
/// Where the config file sits inside the archive.
pub const CONFIG_ENTRY: &str = "config/config.toml";
/// The archive format this binary writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What the archive holds, written as its last entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub app_version: String,
    pub schema_version: i64,
    /// The config file the backup was taken with, if there was one.
    #[serde(default)]
    pub config_source: Option<String>,
    pub files: Vec<ManifestFile>,
}

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub mode: u32,
}

/// Archive problems; each says what it means for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("{0} is not a usable backup archive: {1}")]
    Invalid(String, String),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ArchiveError {
    let what = what.into();
    move |source| ArchiveError::Io { what, source }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        self.count += read as u64;
        Ok(read)
    }
}

/// Writes an archive file entry by entry; [`ArchiveWriter::finish`] adds the manifest and syncs.
pub struct ArchiveWriter {
    path: PathBuf,
    builder: tar::Builder<GzEncoder<BufWriter<File>>>,
    files: Vec<ManifestFile>,
    mtime: u64,
}

impl ArchiveWriter {
    /// Creates `path` (which must not exist) with owner-only permissions: the archive holds secrets.
    pub fn create(path: &Path) -> Result<ArchiveWriter, ArchiveError> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io_error(format!("cannot create {}", path.display())))?;
        // Level 1: the database pages compress well even at the fastest level, and a backup must not
        // take the CPU away from students answering questions.
        let encoder = GzEncoder::new(BufWriter::with_capacity(1 << 20, file), Compression::fast());
        let mut builder = tar::Builder::new(encoder);
        builder.mode(tar::HeaderMode::Deterministic);
        Ok(ArchiveWriter {
            path: path.to_owned(),
            builder,
            files: Vec::new(),
            mtime: crate::clock::unix_now(),
        })
    }

    /// Adds the file at `source` as `name`, streaming it and recording its hash.
    pub fn add_file(&mut self, name: &str, source: &Path) -> Result<(), ArchiveError> {
        use std::os::unix::fs::PermissionsExt;
        let file =
            File::open(source).map_err(io_error(format!("cannot read {}", source.display())))?;
        let metadata = file
            .metadata()
            .map_err(io_error(format!("cannot read {}", source.display())))?;
        let mode = metadata.permissions().mode() & 0o777;
        let mut header = tar::Header::new_gnu();
        header.set_size(metadata.len());
        header.set_mode(mode);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        let mut reader = Hashing {
            inner: file.take(metadata.len()),
            hasher: Sha256::new(),
            count: 0,
        };
        self.builder
            .append_data(&mut header, name, &mut reader)
            .map_err(io_error(format!("cannot write {}", self.path.display())))?;
        if reader.count != metadata.len() {
            return Err(ArchiveError::Io {
                what: format!("{} changed size while it was archived", source.display()),
                source: io::Error::from(io::ErrorKind::UnexpectedEof),
            });
        }
        self.files.push(ManifestFile {
            path: name.to_owned(),
            size: metadata.len(),
            sha256: hex(&reader.hasher.finalize()),
            mode,
        });
        Ok(())
    }

    /// Writes the manifest (filling in `files`), finishes compression and syncs the file to disk.
    /// Returns the archive's size.
    pub fn finish(mut self, mut manifest: Manifest) -> Result<u64, ArchiveError> {
        manifest.files = std::mem::take(&mut self.files);
        let what = || format!("cannot write {}", self.path.display());
        let json = serde_json::to_vec_pretty(&manifest).map_err(|error| {
            ArchiveError::Invalid(self.path.display().to_string(), error.to_string())
        })?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        self.builder
            .append_data(&mut header, MANIFEST, json.as_slice())
            .map_err(io_error(what()))?;
        let encoder = self.builder.into_inner().map_err(io_error(what()))?;
        let buffered = encoder.finish().map_err(io_error(what()))?;
        let file = buffered.into_inner().map_err(|error| ArchiveError::Io {
            what: what(),
            source: error.into_error(),
        })?;
        file.sync_all().map_err(io_error(what()))?;
        let size = file.metadata().map_err(io_error(what()))?.len();
        Ok(size)
    }
}

/// Checks that an entry name is a plain relative path inside the archive (no `..`, not absolute).
fn safe_relative(name: &Path) -> bool {
    !name.as_os_str().is_empty()
        && name
            .components()
            .all(|component| matches!(component, Component::Normal(_)))
}

/// Reads the whole archive, checks every entry against the manifest and, when `extract_to` is given,
/// writes each file below that directory (which must exist). Returns the manifest.
pub fn verify(path: &Path, extract_to: Option<&Path>) -> Result<Manifest, ArchiveError> {
    let display = path.display().to_string();
    let invalid = |detail: String| ArchiveError::Invalid(display.clone(), detail);
    let file = File::open(path).map_err(io_error(format!("cannot open {display}")))?;
    let mut archive =
        tar::Archive::new(GzDecoder::new(io::BufReader::with_capacity(1 << 20, file)));
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = archive
        .entries()
        .map_err(|error| invalid(error.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|error| invalid(format!("damaged archive: {error}")))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(invalid(
                "it holds an entry that is not a regular file".into(),
            ));
        }
        let name_path = entry
            .path()
            .map_err(|error| invalid(error.to_string()))?
            .into_owned();
        if !safe_relative(&name_path) {
            return Err(invalid(format!(
                "it holds an unsafe path {}",
                name_path.display()
            )));
        }
        let name = name_path.to_string_lossy().into_owned();
        if name == MANIFEST {
            let mut json = Vec::new();
            entry
                .read_to_end(&mut json)
                .map_err(|error| invalid(format!("damaged archive: {error}")))?;
            let parsed: Manifest = serde_json::from_slice(&json)
                .map_err(|error| invalid(format!("unreadable manifest: {error}")))?;
            manifest = Some(parsed);
            continue;
        }
        if seen.contains_key(&name) {
            return Err(invalid(format!("{name} appears twice")));
        }
        let mut hashing = Hashing {
            inner: &mut entry,
            hasher: Sha256::new(),
            count: 0,
        };
        match extract_to {
            Some(root) => {
                let target = root.join(&name_path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(io_error(format!("cannot create {}", parent.display())))?;
                }
                let out = create_private(&target)?;
                let mut out = BufWriter::with_capacity(1 << 20, out);
                io::copy(&mut hashing, &mut out)
                    .map_err(|error| invalid(format!("damaged archive: {error}")))?;
                let out = out.into_inner().map_err(|error| ArchiveError::Io {
                    what: format!("cannot write {}", target.display()),
                    source: error.into_error(),
                })?;
                out.sync_all()
                    .map_err(io_error(format!("cannot write {}", target.display())))?;
            }
            None => {
                io::copy(&mut hashing, &mut io::sink())
                    .map_err(|error| invalid(format!("damaged archive: {error}")))?;
            }
        }
        seen.insert(name, (hashing.count, hex(&hashing.hasher.finalize())));
    }
    let manifest = manifest
        .ok_or_else(|| invalid("it has no manifest (is it a bsn-knowledge backup?)".into()))?;
    if manifest.format != FORMAT_VERSION {
        return Err(invalid(format!(
            "archive format {} is not supported by this version (which reads format {FORMAT_VERSION}); use the bsn-knowledge release that wrote it",
            manifest.format
        )));
    }
    for file in &manifest.files {
        match seen.remove(&file.path) {
            None => {
                return Err(invalid(format!(
                    "{} is listed in the manifest but missing",
                    file.path
                )));
            }
            Some((size, sha256)) if size != file.size || sha256 != file.sha256 => {
                return Err(invalid(format!(
                    "{} does not match its checksum: the archive is damaged",
                    file.path
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(invalid(format!("{extra} is not listed in the manifest")));
    }
    if !manifest
        .files
        .iter()
        .any(|file| file.path == DATABASE_ENTRY)
    {
        return Err(invalid("it holds no database".into()));
    }
    Ok(manifest)
}

/// Creates a new file readable only by its owner.
fn create_private(path: &Path) -> Result<File, ArchiveError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(format!("cannot create {}", path.display())))
}

/// True for file names `backup` writes.
pub fn is_archive_name(name: &str) -> bool {
    name.starts_with(ARCHIVE_PREFIX) && name.ends_with(ARCHIVE_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT_VERSION,
            created_at: "t".into(),
            app_version: "0".into(),
            schema_version: 1,
            config_source: None,
            files: Vec::new(),
        }
    }

    fn write_sample(dir: &Path) -> PathBuf {
        std::fs::write(dir.join("db"), vec![7u8; 100_000]).unwrap();
        std::fs::write(dir.join("secret"), b"s3cret").unwrap();
        let path = dir.join("a.tar.gz");
        let mut writer = ArchiveWriter::create(&path).unwrap();
        writer.add_file(DATABASE_ENTRY, &dir.join("db")).unwrap();
        writer
            .add_file("data/secret_key", &dir.join("secret"))
            .unwrap();
        writer.finish(manifest()).unwrap();
        path
    }

    #[test]
    fn a_written_archive_verifies_and_extracts() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_sample(dir.path());
        let manifest = verify(&path, None).unwrap();
        assert_eq!(manifest.files.len(), 2);
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        verify(&path, Some(&out)).unwrap();
        assert_eq!(
            std::fs::read(out.join("data/secret_key")).unwrap(),
            b"s3cret"
        );
        assert_eq!(
            std::fs::read(out.join(DATABASE_ENTRY)).unwrap().len(),
            100_000
        );
    }

    #[test]
    fn truncated_or_damaged_archives_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_sample(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(verify(&path, None).is_err());
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0xff;
        std::fs::write(&path, &flipped).unwrap();
        assert!(verify(&path, None).is_err());
        std::fs::write(&path, b"not an archive").unwrap();
        assert!(verify(&path, None).is_err());
    }

    #[test]
    fn names_must_stay_inside() {
        assert!(safe_relative(Path::new("data/acme/cert.pem")));
        assert!(!safe_relative(Path::new("../etc/passwd")));
        assert!(!safe_relative(Path::new("/etc/passwd")));
        assert!(!safe_relative(Path::new("data/../../x")));
    }
}
