//! Writing outputs atomically, with a manifest.
//!
//! Everything a command produces is built in memory as [`Artifact`]s first; only then
//! is it written, each file to a temporary name in the output folder and renamed into
//! place, `manifest.json` last. A failed build therefore leaves no half-written file,
//! and a failure while writing removes what this call wrote.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A file to write, relative to the output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Artifact {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Self {
        Artifact {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "refusing to write {0}: output paths must be relative and stay inside the output folder"
    )]
    Escapes(PathBuf),
    #[error("refusing to write {0}: it is one of this command's inputs; choose another output")]
    OverwritesInput(PathBuf),
    #[error(
        "cannot write `{name}…` ({bytes} bytes) in {dir}: file names are at most {NAME_MAX} bytes; shorten the name it is made from (the design's `name:`)"
    )]
    NameTooLong {
        dir: PathBuf,
        /// The first 40 characters of the name.
        name: String,
        bytes: usize,
    },
}

/// The longest file name (bytes) on the file systems nmgen writes to (Linux
/// `NAME_MAX`, macOS and Windows alike); the staging name is shorter.
pub const NAME_MAX: usize = 255;

/// Canonical paths of every file this process has read as input.
static INPUTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Records that `path` was read as an input: no output may be written over it.
pub fn note_input(path: &Path) {
    if let Ok(canonical) = path.canonicalize() {
        let mut inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
        if !inputs.contains(&canonical) {
            inputs.push(canonical);
        }
    }
}

/// Whether `target` is (the same file as) an input read by this process.
fn is_input(target: &Path) -> bool {
    let Ok(canonical) = target.canonicalize() else {
        return false; // does not exist yet, so it was not read
    };
    let inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    inputs.contains(&canonical)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest: every file written with its SHA-256, the spec's path and nmgen's version.
pub fn manifest(spec: &Path, artifacts: &[Artifact]) -> Artifact {
    manifest_with(spec, artifacts, Vec::new())
}

/// The manifest, with entries of streamed files listed first.
fn manifest_with(
    spec: &Path,
    artifacts: &[Artifact],
    streamed: Vec<serde_json::Value>,
) -> Artifact {
    let mut files = streamed;
    files.extend(artifacts.iter().map(|a| {
        serde_json::json!({
            "path": a.path.to_string_lossy().replace('\\', "/"),
            "sha256": hex(&Sha256::digest(&a.bytes)),
            "bytes": a.bytes.len(),
        })
    }));
    let doc = serde_json::json!({
        "nmgen_version": env!("CARGO_PKG_VERSION"),
        "spec": spec.to_string_lossy().replace('\\', "/"),
        "files": files,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    Artifact::new("manifest.json", text)
}

/// Writes the artifacts and their manifest into `dir` (created if needed).
/// Returns the paths written.
pub fn write_all(
    dir: &Path,
    spec: &Path,
    artifacts: &[Artifact],
) -> Result<Vec<PathBuf>, OutputError> {
    let mut all: Vec<Artifact> = artifacts.to_vec();
    all.push(manifest(spec, artifacts));
    write_files(dir, &all)
}

/// Whether `path` may be written under `dir`: relative, inside it, not an input, with
/// file names the file system takes.
fn check_target(dir: &Path, path: &Path) -> Result<(), OutputError> {
    if path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(OutputError::Escapes(path.to_path_buf()));
    }
    let target = dir.join(path);
    if is_input(&target) {
        return Err(OutputError::OverwritesInput(target));
    }
    for c in path.components() {
        let bytes = c.as_os_str().len();
        if bytes > NAME_MAX {
            let name: String = c.as_os_str().to_string_lossy().chars().take(40).collect();
            return Err(OutputError::NameTooLong {
                dir: dir.to_path_buf(),
                name,
                bytes,
            });
        }
    }
    Ok(())
}

/// A large output written piece by piece (through [`Write`]) straight into its
/// staging file in the output folder, so that it is never held in memory whole. It
/// goes into place with the other outputs ([`write_all_streamed`]); dropped unused
/// (an error on the way), its staging file is deleted.
pub struct StreamedFile {
    path: PathBuf,
    target: PathBuf,
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    hasher: Sha256,
    bytes: u64,
}

impl StreamedFile {
    /// Starts `path` (relative) under `dir`, creating the folders it needs.
    pub fn create(dir: &Path, path: impl Into<PathBuf>) -> Result<Self, OutputError> {
        let path = path.into();
        check_target(dir, &path)?;
        let target = dir.join(&path);
        let parent = target.parent().unwrap_or(dir).to_path_buf();
        let io = |source| OutputError::Io {
            path: target.clone(),
            source,
        };
        std::fs::create_dir_all(&parent).map_err(io)?;
        let tmp = tempfile::Builder::new()
            .prefix(".nmgen-")
            .tempfile_in(&parent)
            .map_err(io)?;
        Ok(StreamedFile {
            path,
            target,
            file: std::io::BufWriter::with_capacity(1 << 16, tmp),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }
}

impl Write for StreamedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes the artifacts, the streamed files and a manifest of them all into `dir`:
/// as [`write_all`], the streamed files already staged. Returns the paths written.
pub fn write_all_streamed(
    dir: &Path,
    spec: &Path,
    artifacts: &[Artifact],
    streamed: Vec<StreamedFile>,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut entries: Vec<serde_json::Value> = Vec::new();
    let mut staged = Vec::new();
    for s in streamed {
        let StreamedFile {
            path,
            target,
            file,
            hasher,
            bytes,
        } = s;
        let tmp = file.into_inner().map_err(|e| OutputError::Io {
            path: target.clone(),
            source: e.into_error(),
        })?;
        entries.push(serde_json::json!({
            "path": path.to_string_lossy().replace('\\', "/"),
            "sha256": hex(&hasher.finalize()),
            "bytes": bytes,
        }));
        staged.push((tmp, target));
    }
    let mut all: Vec<Artifact> = artifacts.to_vec();
    all.push(manifest_with(spec, artifacts, entries));
    write_staged(dir, &all, staged)
}

/// Writes the artifacts into `dir` (created if needed), each staged under a
/// temporary name and renamed into place, without a manifest. Returns the paths.
pub fn write_files(dir: &Path, artifacts: &[Artifact]) -> Result<Vec<PathBuf>, OutputError> {
    write_staged(dir, artifacts, Vec::new())
}

/// [`write_files`], with files already staged (`(staging file, target)`) renamed into
/// place before the artifacts.
fn write_staged(
    dir: &Path,
    artifacts: &[Artifact],
    streamed: Vec<(tempfile::NamedTempFile, PathBuf)>,
) -> Result<Vec<PathBuf>, OutputError> {
    for a in artifacts {
        check_target(dir, &a.path)?;
    }
    let all = artifacts;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // stage every file under a temporary name, then rename them all into place
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (tmp, target) in streamed {
        match tmp.keep() {
            Ok((_, tmp_path)) => staged.push((tmp_path, target)),
            Err(e) => {
                for (tmp, _) in &staged {
                    let _ = std::fs::remove_file(tmp);
                }
                return Err(OutputError::Io {
                    path: target,
                    source: e.error,
                });
            }
        }
    }
    let result = (|| {
        for a in all {
            let target = dir.join(&a.path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            let parent = target.parent().unwrap_or(dir);
            let mut tmp = tempfile::Builder::new()
                .prefix(".nmgen-")
                .tempfile_in(parent)
                .map_err(io(&target))?;
            tmp.write_all(&a.bytes).map_err(io(&target))?;
            let (_, tmp_path) = tmp.keep().map_err(|e| OutputError::Io {
                path: target.clone(),
                source: e.error,
            })?;
            staged.push((tmp_path, target));
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (tmp, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    // Rename into place. If one rename fails (a folder where a file goes, a full
    // disk), the files this call put in place where none was are removed again and
    // every staged file is deleted: no partial output.
    let mut written: Vec<(PathBuf, bool)> = Vec::new();
    for (k, (tmp, target)) in staged.iter().enumerate() {
        let existed = std::fs::symlink_metadata(target).is_ok();
        if let Err(e) = std::fs::rename(tmp, target) {
            for (tmp, _) in &staged[k..] {
                let _ = std::fs::remove_file(tmp);
            }
            for (path, existed) in &written {
                if !existed {
                    let _ = std::fs::remove_file(path);
                }
            }
            return Err(io(target)(e));
        }
        written.push((target.clone(), existed));
    }
    Ok(written.into_iter().map(|(p, _)| p).collect())
}
