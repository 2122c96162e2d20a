//! Stage artifacts on disk: each stage writes into a temporary folder and renames it into place when
//! complete, with a `fingerprint.json` recording what it was made from (input digests, settings,
//! program version) and the SHA-256 of every file it wrote. A stage whose fingerprint is unchanged
//! and whose files still match their digests is not redone.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const FINGERPRINT_FILE: &str = "fingerprint.json";
/// Raised whenever a stage's files change shape, so that artifacts an older build left behind are
/// redone rather than misread.
const ARTIFACT_FORMAT: &str = "artifacts-3";
/// A digest of the program's sources and data files, made at build time (build.rs).
pub const BUILD_ID: &str = env!("PIPELINE_BUILD_ID");

/// What a stage's output was made from, and what it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fingerprint {
    pub stage: String,
    pub program_version: String,
    /// SHA-256 over the stage's inputs (upstream output digests or raw file hashes) and settings.
    pub key: String,
    /// Output file name → SHA-256 of its bytes.
    pub outputs: BTreeMap<String, String>,
    /// SHA-256 over the stage's settings alone (and program version): a stage that reruns on new
    /// input may reuse the per-document work of an output made with the same settings.
    #[serde(default)]
    pub settings: String,
    /// The whole settings the stage ran with (its own section is what the published card reports
    /// when the stage is later skipped).
    #[serde(default)]
    pub made_with: serde_json::Value,
}

/// Where a stage keeps its finished artifacts, in the run's work folder (`run.work_dir`).
pub fn stage_dir(work: &Path, stage: &str) -> PathBuf {
    work.join(stage)
}

/// The fingerprint of a finished stage, if it is there and all its files match their digests.
pub fn intact_fingerprint(work: &Path, stage: &str) -> Option<Fingerprint> {
    let dir = stage_dir(work, stage);
    let text = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).ok()?;
    let fingerprint: Fingerprint = serde_json::from_str(&text).ok()?;
    // Files are hashed in parallel: checking a large corpus's artifacts reads gigabytes.
    use rayon::prelude::*;
    let whole = fingerprint
        .outputs
        .par_iter()
        .all(|(name, digest)| sha256_file(&dir.join(name)).is_ok_and(|d| d == *digest));
    whole.then_some(fingerprint)
}

/// Digest of the parts that decide a stage's output.
pub fn fingerprint_key(
    stage: &str,
    settings: &impl Serialize,
    inputs: &[&BTreeMap<String, String>],
) -> String {
    // The program's own rules: a change of code or data redoes the stage (see build.rs).
    key_of_build(BUILD_ID, stage, settings, inputs)
}

fn key_of_build(
    build: &str,
    stage: &str,
    settings: &impl Serialize,
    inputs: &[&BTreeMap<String, String>],
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(stage.as_bytes());
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(build.as_bytes());
    hasher.update(ARTIFACT_FORMAT.as_bytes());
    hasher.update(serde_json::to_vec(settings).expect("settings serialise"));
    for input in inputs {
        hasher.update(serde_json::to_vec(input).expect("digests serialise"));
    }
    hex(&hasher.finalize())
}

/// A stage's output folder under construction; it becomes visible only through `commit`.
pub struct StageOutput {
    stage: String,
    final_dir: PathBuf,
    tmp_dir: PathBuf,
}

impl StageOutput {
    pub fn begin(work: &Path, stage: &str) -> Result<Self> {
        let final_dir = stage_dir(work, stage);
        let tmp_dir = work.join(format!(".tmp-{stage}"));
        if tmp_dir.exists() {
            std::fs::remove_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
        }
        std::fs::create_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
        Ok(StageOutput {
            stage: stage.to_string(),
            final_dir,
            tmp_dir,
        })
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp_dir.join(name)
    }

    /// Where `file(name)` will be once the stage is committed (what messages should name).
    pub fn final_file(&self, name: &str) -> PathBuf {
        self.final_dir.join(name)
    }

    /// Hashes every file written, records the fingerprint and moves the folder into place.
    pub fn commit(
        self,
        key: String,
        settings: String,
        made_with: serde_json::Value,
    ) -> Result<Fingerprint> {
        let mut outputs = BTreeMap::new();
        let mut names: Vec<String> = std::fs::read_dir(&self.tmp_dir)
            .map_err(|e| Error::io(&self.tmp_dir, e))?
            .filter_map(|entry| {
                entry
                    .ok()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
            })
            .collect();
        names.sort();
        for name in names {
            let path = self.tmp_dir.join(&name);
            let written = WRITTEN.lock().expect("not poisoned").remove(&path);
            let digest = match written {
                Some(digest) => digest,
                None => sha256_file(&path)?,
            };
            outputs.insert(name, digest);
        }
        let fingerprint = Fingerprint {
            stage: self.stage.clone(),
            program_version: env!("CARGO_PKG_VERSION").to_string(),
            key,
            outputs,
            settings,
            made_with,
        };
        let path = self.tmp_dir.join(FINGERPRINT_FILE);
        let json = serde_json::to_string_pretty(&fingerprint).expect("fingerprint serialises");
        std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
        if self.final_dir.exists() {
            std::fs::remove_dir_all(&self.final_dir).map_err(|e| Error::io(&self.final_dir, e))?;
        }
        std::fs::rename(&self.tmp_dir, &self.final_dir)
            .map_err(|e| Error::io(&self.final_dir, e))?;
        Ok(fingerprint)
    }
}

/// Writes one serialisable value per line.
pub struct JsonlWriter<T> {
    path: PathBuf,
    out: BufWriter<HashedFile>,
    _items: PhantomData<T>,
}

impl<T: Serialize> JsonlWriter<T> {
    pub fn create(path: &Path) -> Result<Self> {
        let file = HashedFile::create(path)?;
        Ok(JsonlWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            _items: PhantomData,
        })
    }

    pub fn write(&mut self, item: &T) -> Result<()> {
        serde_json::to_writer(&mut self.out, item)
            .map_err(|e| Error::io(&self.path, std::io::Error::other(e)))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Writes a line made by `to_json_line`.
    pub fn write_line(&mut self, line: &[u8]) -> Result<()> {
        self.out
            .write_all(line)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| Error::io(&self.path, e))
    }

    pub fn finish(self) -> Result<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.finish(&self.path, &self.path)
    }
}

/// Reads one value per line, naming the file and line of anything it cannot read.
pub fn read_jsonl<T: DeserializeOwned>(
    path: &Path,
) -> Result<impl Iterator<Item = Result<T>> + use<T>> {
    Ok(read_lines(path)?.map(|line| line?.parse()))
}

/// Where a file is written before it is renamed to `target`: beside it, with a `.tmp-` prefix.
pub fn temporary_path(target: &Path) -> PathBuf {
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".tmp-{file_name}"))
}

/// A file being written that hashes its bytes on the way, so a stage's commit need not read its
/// outputs back to hash them (the writers run beside the workers; a commit runs alone).
pub struct HashedFile {
    file: File,
    hasher: Sha256,
}

impl HashedFile {
    pub fn create(path: &Path) -> Result<Self> {
        Ok(HashedFile {
            file: File::create(path).map_err(|e| Error::io(path, e))?,
            hasher: Sha256::new(),
        })
    }

    /// Syncs the file to disk and records its digest under `final_path`, the name it will have.
    pub fn finish(self, path: &Path, final_path: &Path) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(path, e))?;
        let digest = hex(&self.hasher.finalize());
        WRITTEN
            .lock()
            .expect("not poisoned")
            .insert(final_path.to_path_buf(), digest);
        Ok(())
    }
}

impl Write for HashedFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Digests of the files this process wrote whole through `HashedFile`, by path; a commit takes
/// them instead of reading the files again.
static WRITTEN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<PathBuf, String>>> =
    std::sync::LazyLock::new(Default::default);

/// One line of a JSON-lines artifact, not yet parsed: stages read lines on one thread and parse
/// them on the workers.
pub struct JsonLine {
    path: std::sync::Arc<PathBuf>,
    number: usize,
    /// The line's bytes without its end; checked as UTF-8 only when parsed, on a worker.
    bytes: Vec<u8>,
}

impl JsonLine {
    /// The line as read.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// 1-based line number in its file.
    pub fn number(&self) -> usize {
        self.number
    }

    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        let error = |reason: String| Error::BadFile {
            path: self.path.to_path_buf(),
            reason: format!("line {}: {reason}", self.number),
        };
        // Checked as a whole by SIMD: serde_json's own check, string by string, reads Chinese
        // text at about 1 GB/s and was 4% of a run.
        let text =
            simdutf8::basic::from_utf8(&self.bytes).map_err(|_| error("not valid UTF-8".into()))?;
        serde_json::from_str(text).map_err(|e| error(e.to_string()))
    }
}

/// The lines of a JSON-lines artifact, to be parsed with `JsonLine::parse`.
pub fn read_lines(path: &Path) -> Result<impl Iterator<Item = Result<JsonLine>> + use<>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let path = std::sync::Arc::new(path.to_path_buf());
    Ok(BufReader::with_capacity(1 << 20, file)
        .split(b'\n')
        .enumerate()
        .map(move |(i, line)| {
            let mut bytes = line.map_err(|e| Error::io(path.as_path(), e))?;
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            Ok(JsonLine {
                bytes,
                number: i + 1,
                path: path.clone(),
            })
        }))
}

/// A value as one JSON line (without the line end), made on a worker for `JsonlWriter::write_line`.
pub fn to_json_line<T: Serialize>(item: &T) -> Vec<u8> {
    serde_json::to_vec(item).expect("stage records serialise")
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    // Small: this runs once per raw file, and zeroing a large buffer each time cost more than hashing.
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Lines in a JSON-lines artifact: its number of records.
pub fn count_lines(path: &Path) -> Result<u64> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut count = 0u64;
    loop {
        let buffer = reader.fill_buf().map_err(|e| Error::io(path, e))?;
        if buffer.is_empty() {
            return Ok(count);
        }
        count += buffer.iter().filter(|b| **b == b'\n').count() as u64;
        let n = buffer.len();
        reader.consume(n);
    }
}

/// The first 128 bits of a hex digest, as a compact map key.
pub fn hash_key(hex: &str) -> u128 {
    u128::from_str_radix(hex.get(..32).unwrap_or(hex), 16).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program with other rules (another build) never takes the stored output as up to date.
    #[test]
    fn a_stage_key_depends_on_the_programs_build() {
        let inputs = BTreeMap::from([("a.txt".to_string(), "00".to_string())]);
        let key = |build| key_of_build(build, "tag", &serde_json::json!({"x": 1}), &[&inputs]);
        assert_ne!(key("0123456789abcdef"), key("fedcba9876543210"));
        assert_eq!(
            fingerprint_key("tag", &serde_json::json!({"x": 1}), &[&inputs]),
            key(BUILD_ID)
        );
        assert_eq!(BUILD_ID.len(), 16);
        assert!(BUILD_ID.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn lines_are_parsed_and_a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("documents.jsonl");
        let mut bytes = b"{\"a\":\"\xe5\x90\x8c\xe5\xbf\x97\"}\r\n{\"a\":\"".to_vec();
        bytes.extend_from_slice(b"\xe5\x90\"}\n{\"a\":1}\n");
        std::fs::write(&path, bytes).unwrap();
        let lines: Vec<JsonLine> = read_lines(&path).unwrap().map(|l| l.unwrap()).collect();
        assert_eq!(lines.len(), 3);
        let first: serde_json::Value = lines[0].parse().unwrap();
        assert_eq!(first["a"], "同志");
        let truncated = lines[1].parse::<serde_json::Value>().unwrap_err();
        assert!(
            truncated.to_string().contains("line 2: not valid UTF-8"),
            "{truncated}"
        );
        let wrong_type = lines[2].parse::<BTreeMap<String, String>>().unwrap_err();
        assert!(
            wrong_type.to_string().contains("line 3: invalid type"),
            "{wrong_type}"
        );
    }
}
