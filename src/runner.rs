//! The runner: decides which stages run (a stage whose inputs and settings did not change is
//! skipped), checks that their inputs are whole, gives each a thread pool and its output folder, and
//! commits the output atomically with its fingerprint; then publishes the final tables. Dedupe,
//! segment, tag and sectionize are driven by `stages::run` through the `Stage` trait; clean is still
//! driven here (`Runner::clean`) until it moves into `stages/clean.rs`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::artifact::{
    FINGERPRINT_FILE, Fingerprint, JsonlWriter, StageOutput, fingerprint_key, hash_key,
    intact_fingerprint, read_jsonl, read_lines, stage_dir, to_json_line,
};
use crate::io::raw::list_raw_files;
use crate::model::{Document, STATUS_DUPLICATE, STATUS_KEPT, STATUS_REJECTED, SourceRecord};
use crate::settings::Settings;
use crate::stages::clean::Cleaner;
use crate::stages::dedupe::Dedupe;
use crate::stages::sectionize::Sectionize;
use crate::stages::segment::Segment;
use crate::stages::tag::Tagger;
use crate::stages::{self, Context, Stage as _};

/// The stages in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Stage {
    Clean,
    Dedupe,
    Segment,
    Tag,
    Sectionize,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Clean,
        Stage::Dedupe,
        Stage::Segment,
        Stage::Tag,
        Stage::Sectionize,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Clean => "clean",
            Stage::Dedupe => "dedupe",
            Stage::Segment => "segment",
            Stage::Tag => "tag",
            Stage::Sectionize => "sectionize",
        }
    }

    /// The stages whose output this one reads.
    fn inputs(self) -> &'static [Stage] {
        match self {
            Stage::Clean => &[],
            Stage::Dedupe => &[Stage::Clean],
            // The texts are the clean stage's; dedupe says which are kept.
            Stage::Segment => &[Stage::Clean, Stage::Dedupe],
            Stage::Tag => &[Stage::Clean, Stage::Dedupe, Stage::Segment],
            Stage::Sectionize => &[Stage::Clean, Stage::Dedupe, Stage::Segment, Stage::Tag],
        }
    }
}

/// The final tables, published from the sectionize stage's folder into the output folder.
pub const TABLES: [&str; 4] = [
    "documents.parquet",
    "sections.parquet",
    "tokens.parquet",
    "sources.parquet",
];

pub struct Runner {
    settings: Settings,
    raw: PathBuf,
    out: PathBuf,
    pool: rayon::ThreadPool,
    /// Stages whose artifacts this process has checked or written: each is hashed once per run.
    checked: std::sync::Mutex<HashMap<Stage, Fingerprint>>,
    /// No stage summaries (warnings still go to stderr).
    pub quiet: bool,
    /// One line per raw file in the clean stage.
    pub verbose: bool,
    /// Held for the runner's life: one run at a time per output folder.
    _lock: File,
}

impl Runner {
    /// Prepares a run; fails at once if another run holds the output folder.
    pub fn new(settings: Settings) -> Result<Self> {
        let out = PathBuf::from(&settings.run.out_dir);
        std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        let lock = lock_output(&out)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.run.threads)
            .build()
            .map_err(|e| Error::setting("run.threads", e.to_string()))?;
        Ok(Runner {
            raw: PathBuf::from(&settings.run.raw_dir),
            out: PathBuf::from(&settings.run.out_dir),
            settings,
            pool,
            quiet: false,
            verbose: false,
            checked: Default::default(),
            _lock: lock,
        })
    }

    /// How many raw files the last clean rejected, from its account on disk.
    pub fn rejected_files(&self) -> Result<usize> {
        let path = stage_dir(&self.out, "dedupe").join("sources.jsonl");
        let mut rejected = 0;
        for source in read_jsonl::<SourceRecord>(&path)? {
            rejected += (source?.status == STATUS_REJECTED) as usize;
        }
        Ok(rejected)
    }

    /// Runs `from` and every stage after it; up-to-date stages are skipped unless `force`.
    pub fn run(&self, from: Stage, force: bool) -> Result<()> {
        std::fs::create_dir_all(&self.out).map_err(|e| Error::io(&self.out, e))?;
        if from < Stage::Segment {
            Segment::preload(&self.settings);
        }
        for stage in Stage::ALL.into_iter().filter(|s| *s >= from) {
            self.run_stage(stage, force)?;
        }
        self.publish()
    }

    /// Runs one stage from its predecessors' output on disk (skipped when up to date unless `force`).
    pub fn run_stage(&self, stage: Stage, force: bool) -> Result<()> {
        std::fs::create_dir_all(&self.out).map_err(|e| Error::io(&self.out, e))?;
        let mut inputs = Vec::new();
        for input in stage.inputs() {
            let fingerprint = self.intact(*input).ok_or_else(|| Error::Stage {
                stage: stage.name(),
                reason: format!(
                    "needs the output of `{}`, which is missing or damaged: run `pipeline run` (or `pipeline {}`) first",
                    input.name(),
                    input.name()
                ),
            })?;
            inputs.push(fingerprint.outputs);
        }
        let started = Instant::now();
        let (key, raw_listing) = match stage {
            Stage::Clean => {
                let listing = self.hash_raw_files()?;
                let digests: BTreeMap<String, String> = listing
                    .iter()
                    .map(|(s, _)| (s.source_file.clone(), s.source_sha256.clone()))
                    .collect();
                (
                    fingerprint_key("clean", &self.settings.clean, &[&digests]),
                    Some(listing),
                )
            }
            _ => {
                let refs: Vec<&BTreeMap<String, String>> = inputs.iter().collect();
                (
                    fingerprint_key(stage.name(), &self.stage_settings(stage), &refs),
                    None,
                )
            }
        };
        let stored = self.intact(stage);
        // Per-document work of the stored output can be reused when only the input changed.
        let settings_key = fingerprint_key(stage.name(), &self.stage_settings(stage), &[]);
        let reusable = !force && stored.as_ref().is_some_and(|f| f.settings == settings_key);
        if stored.is_none()
            && stage_dir(&self.out, stage.name())
                .join(FINGERPRINT_FILE)
                .exists()
        {
            eprintln!(
                "warning: {}: stored output is damaged (a file is missing or fails its checksum); rebuilding",
                stage_dir(&self.out, stage.name()).display()
            );
        }
        if !force && stored.is_some_and(|f| f.key == key) {
            if !self.quiet {
                eprintln!("{:<10} up to date, skipped", stage.name());
            }
            return Ok(());
        }
        let output = StageOutput::begin(&self.out, stage.name())?;
        let cx = Context {
            settings: &self.settings,
            raw: &self.raw,
            out: &self.out,
            reuse: reusable,
            quiet: self.quiet,
            verbose: self.verbose,
        };
        let summary = self.pool.install(|| match stage {
            Stage::Clean => self.clean(&output, raw_listing.unwrap_or_default(), reusable),
            Stage::Dedupe => stages::run::<Dedupe>(&cx, &output),
            Stage::Segment => stages::run::<Segment>(&cx, &output),
            Stage::Tag => stages::run::<Tagger>(&cx, &output),
            Stage::Sectionize => stages::run::<Sectionize>(&cx, &output),
        })?;
        let fingerprint = output.commit(key, settings_key)?;
        self.checked
            .lock()
            .expect("not poisoned")
            .insert(stage, fingerprint);
        if !self.quiet {
            eprintln!(
                "{:<10} {summary} ({:.1} s)",
                stage.name(),
                started.elapsed().as_secs_f64()
            );
        }
        Ok(())
    }

    /// The stage's fingerprint if its artifacts are whole (their checksums are verified the first
    /// time this process asks, then remembered).
    fn intact(&self, stage: Stage) -> Option<Fingerprint> {
        let mut checked = self.checked.lock().expect("not poisoned");
        if let Some(fingerprint) = checked.get(&stage) {
            return Some(fingerprint.clone());
        }
        let fingerprint = intact_fingerprint(&self.out, stage.name())?;
        checked.insert(stage, fingerprint.clone());
        Some(fingerprint)
    }

    fn stage_settings(&self, stage: Stage) -> serde_json::Value {
        let s = &self.settings;
        match stage {
            Stage::Clean => serde_json::to_value(&s.clean),
            Stage::Dedupe => Ok(Dedupe::fingerprint_settings(s)),
            // The row group size shapes only the final tokens table, which sectionize writes.
            Stage::Segment => Ok(Segment::fingerprint_settings(s)),
            Stage::Tag => Ok(Tagger::fingerprint_settings(s)),
            Stage::Sectionize => Ok(Sectionize::fingerprint_settings(s)),
        }
        .expect("settings serialise")
    }

    /// Lists the raw files and hashes their bytes (streaming: a huge file is never held whole):
    /// the clean stage's fingerprint and the sources' `source_sha256`. Each record comes with the
    /// file's real path (its name in the tables may have lost bytes that are not UTF-8). Files that
    /// cannot even be listed or read are recorded as rejected here.
    fn hash_raw_files(&self) -> Result<Vec<(SourceRecord, Option<PathBuf>)>> {
        let (files, problems) = list_raw_files(&self.raw)?;
        let mut records: Vec<(SourceRecord, Option<PathBuf>)> = self.pool.install(|| {
            files
                .par_iter()
                .map(|file| {
                    let hashed = std::fs::metadata(&file.path)
                        .map_err(|e| e.to_string())
                        .and_then(|meta| {
                            crate::io::artifact::sha256_file(&file.path)
                                .map(|digest| (digest, meta.len()))
                                .map_err(|e| e.to_string())
                        });
                    let record = match hashed {
                        Ok((digest, bytes)) => SourceRecord {
                            source_file: file.name.clone(),
                            source_sha256: digest,
                            bytes,
                            ..Default::default()
                        },
                        Err(e) => SourceRecord {
                            source_file: file.name.clone(),
                            status: STATUS_REJECTED.into(),
                            reason: Some(format!("cannot be read: {e}")),
                            ..Default::default()
                        },
                    };
                    (record, Some(file.path.clone()))
                })
                .collect()
        });
        for problem in problems {
            let record = SourceRecord {
                source_file: problem.name,
                status: STATUS_REJECTED.into(),
                reason: Some(problem.reason),
                ..Default::default()
            };
            records.push((record, None));
        }
        records.sort_by(|a, b| a.0.source_file.cmp(&b.0.source_file));
        Ok(records)
    }

    /// With `reuse`, a raw file the stored output already cleaned (same name, same bytes, same
    /// settings) has its documents copied from there: adding files to a corpus cleans only them.
    fn clean(
        &self,
        output: &StageOutput,
        listing: Vec<(SourceRecord, Option<PathBuf>)>,
        reuse: bool,
    ) -> Result<String> {
        let cleaner = Cleaner::new(&self.settings.clean);
        let mut stored = match reuse {
            true => StoredClean::open(&stage_dir(&self.out, "clean")).ok(),
            false => None,
        };
        let mut reused = 0usize;
        let (mut sources, paths): (Vec<SourceRecord>, Vec<Option<PathBuf>>) =
            listing.into_iter().unzip();
        // Byte-identical files are known from their raw hash: only the first is decoded.
        let mut first_with_hash: HashMap<String, usize> = HashMap::new();
        let mut copy_of: Vec<Option<usize>> = vec![None; sources.len()];
        for (i, s) in sources.iter().enumerate() {
            if s.status.is_empty() {
                match first_with_hash.get(&s.source_sha256) {
                    Some(&first) => copy_of[i] = Some(first),
                    None => {
                        first_with_hash.insert(s.source_sha256.clone(), i);
                    }
                }
            }
        }
        let mut writer = JsonlWriter::<Document>::create(&output.file("documents.jsonl"))?;
        let mut documents = 0usize;
        let to_clean: Vec<usize> = (0..sources.len())
            .filter(|&i| sources[i].status.is_empty() && copy_of[i].is_none())
            .collect();
        for chunk in to_clean.chunks(self.settings.run.batch_documents) {
            let stored_files = stored.as_ref().map(|s| &s.files);
            let results: Vec<(usize, std::result::Result<_, String>)> = chunk
                .par_iter()
                .map(|&i| {
                    if stored_files.is_some_and(|files| StoredClean::has(files, &sources[i])) {
                        return (i, Ok(None));
                    }
                    let path = paths[i].as_ref().expect("listed files have a path");
                    let result = read_limited(path, self.settings.clean.max_file_bytes)
                        .map_err(|e| format!("cannot be read: {e}"))
                        .and_then(|bytes| cleaner.clean_file(&sources[i].source_file, &bytes))
                        .map(|cleaned| {
                            let lines: Vec<Vec<u8>> =
                                cleaned.documents.iter().map(to_json_line).collect();
                            Some((cleaned, lines))
                        });
                    (i, result)
                })
                .collect();
            for (i, result) in results {
                let source = &mut sources[i];
                match result {
                    Ok(None) => {
                        let earlier = stored.as_mut().expect("found in it");
                        for line in earlier.documents(source)? {
                            writer.write_line(line.bytes())?;
                            documents += 1;
                        }
                        reused += 1;
                    }
                    Ok(Some((cleaned, lines))) => {
                        source.status = STATUS_KEPT.into();
                        source.encoding = Some(cleaned.encoding);
                        for (doc, line) in cleaned.documents.iter().zip(&lines) {
                            source.doc_ids.push(doc.doc_id.clone());
                            writer.write_line(line)?;
                            documents += 1;
                        }
                    }
                    Err(reason) => {
                        source.status = STATUS_REJECTED.into();
                        source.reason = Some(reason);
                    }
                }
            }
        }
        writer.finish()?;
        for i in 0..sources.len() {
            if let Some(first) = copy_of[i] {
                let original = sources[first].clone();
                let source = &mut sources[i];
                source.encoding = original.encoding;
                if original.status == STATUS_REJECTED {
                    source.status = STATUS_REJECTED.into();
                    source.reason = original.reason;
                } else {
                    source.status = STATUS_DUPLICATE.into();
                    source.reason = Some(format!("byte-identical to {}", original.source_file));
                    source.duplicate_of = original.doc_ids;
                }
            }
        }
        // One line per rejected file, in file order, naming the file and the problem; with
        // --verbose one line per file.
        for source in &sources {
            let path = self.raw.join(&source.source_file);
            if source.status == STATUS_REJECTED {
                eprintln!(
                    "warning: {}: rejected: {}",
                    path.display(),
                    source.reason.as_deref().unwrap_or("")
                );
            } else if self.verbose {
                let encoding = source.encoding.as_deref().unwrap_or("?");
                let what = match &source.reason {
                    Some(reason) => reason.clone(),
                    None => format!(
                        "{} document(s) {}",
                        source.doc_ids.len(),
                        source.doc_ids.join(" ")
                    ),
                };
                eprintln!(
                    "           {}: {} ({encoding}): {what}",
                    path.display(),
                    source.status
                );
            }
        }
        let rejected = sources
            .iter()
            .filter(|s| s.status == STATUS_REJECTED)
            .count();
        let mut source_writer = JsonlWriter::create(&output.file("sources.jsonl"))?;
        for source in &sources {
            source_writer.write(source)?;
        }
        source_writer.finish()?;
        let reused = match reused {
            0 => String::new(),
            n => format!(" ({n} files' documents reused from the last run)"),
        };
        Ok(format!(
            "{} files → {documents} documents, {rejected} rejected{reused}",
            sources.len()
        ))
    }

    /// Makes the final tables visible under `out/` (hard links to the sectionize stage's files,
    /// each swapped in by one rename).
    pub fn publish(&self) -> Result<()> {
        let dir = stage_dir(&self.out, "sectionize");
        for table in TABLES {
            let from = dir.join(table);
            let tmp = self.out.join(format!(".tmp-{table}"));
            let target = self.out.join(table);
            let _ = std::fs::remove_file(&tmp);
            if std::fs::hard_link(&from, &tmp).is_err() {
                std::fs::copy(&from, &tmp).map_err(|e| Error::io(&from, e))?;
            }
            crate::io::artifact::publish_file(&tmp, &target)?;
        }
        let input = self.intact(Stage::Clean).map(|f| f.key).unwrap_or_default();
        crate::publish::write(&self.out, &self.settings, &input)?;
        if !self.quiet {
            eprintln!(
                "dataset    {} (tables, README.md, manifest.json)",
                self.out.display()
            );
        }
        Ok(())
    }
}

/// A problem in a stage's own intermediate table (used by tag and sectionize alike).
fn stage_error(reason: &str) -> Error {
    Error::Stage {
        stage: "reading a stage table",
        reason: reason.to_string(),
    }
}

/// Raw file name → (its bytes' SHA-256, its record, 1-based line of its first document).
type StoredFiles = HashMap<String, (u128, SourceRecord, u64)>;

/// A finished clean output opened for reuse: which raw files it cleaned (by name and the SHA-256
/// of their bytes) and where their documents are, read in one pass as files ask for them (in name
/// order, like the documents).
struct StoredClean {
    files: StoredFiles,
    lines: Box<dyn Iterator<Item = Result<crate::io::artifact::JsonLine>> + Send>,
}

impl StoredClean {
    fn open(dir: &Path) -> Result<Self> {
        let mut files = HashMap::new();
        let mut next_line = 1u64;
        for record in read_jsonl::<SourceRecord>(&dir.join("sources.jsonl"))? {
            let record = record?;
            if record.status == STATUS_KEPT {
                let documents = record.doc_ids.len() as u64;
                let key = hash_key(&record.source_sha256);
                files.insert(record.source_file.clone(), (key, record, next_line));
                next_line += documents;
            }
        }
        Ok(StoredClean {
            files,
            lines: Box::new(read_lines(&dir.join("documents.jsonl"))?),
        })
    }

    /// Whether the stored output cleaned this very file.
    fn has(files: &StoredFiles, source: &SourceRecord) -> bool {
        files.get(&source.source_file).is_some_and(|(key, _, _)| {
            *key == hash_key(&source.source_sha256) && !source.source_sha256.is_empty()
        })
    }

    /// The stored documents of a file `has` found, with its record's outcome copied into `source`.
    fn documents(
        &mut self,
        source: &mut SourceRecord,
    ) -> Result<Vec<crate::io::artifact::JsonLine>> {
        let (_, record, first) = self
            .files
            .remove(&source.source_file)
            .ok_or_else(|| stage_error("the last clean output lost a file"))?;
        source.status = record.status;
        source.encoding = record.encoding;
        source.doc_ids = record.doc_ids;
        let mut lines = Vec::with_capacity(source.doc_ids.len());
        while lines.len() < source.doc_ids.len() {
            let line = self
                .lines
                .next()
                .ok_or_else(|| stage_error("the last clean output lost a document"))??;
            if line.number() as u64 >= first {
                lines.push(line);
            }
        }
        Ok(lines)
    }
}

/// A raw file's bytes, refusing one larger than `max` before reading it.
fn read_limited(path: &Path, max: u64) -> std::result::Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    if size > max {
        return Err(format!(
            "file of {size} bytes is larger than clean.max_file_bytes ({max})"
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))
}

/// Takes the output folder's lock file, or says that another run holds it. The lock goes with the
/// process, so a crashed run never leaves the folder locked.
fn lock_output(out: &Path) -> Result<File> {
    let path = out.join(".lock");
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::BadFile {
            path: out.to_path_buf(),
            reason: "another pipeline run is using this output folder; wait for it to finish"
                .into(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}
