//! The runner: reads each stage's input from disk, drives the stage over documents in bounded
//! parallel batches (output order never depends on the thread count), writes the stage's artifact
//! atomically with its fingerprint, and skips a stage whose inputs and settings did not change.
//! Parallelism and I/O live here, not in the stages.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::artifact::{
    FINGERPRINT_FILE, Fingerprint, JsonlWriter, StageOutput, fingerprint_key, intact_fingerprint,
    read_jsonl, read_lines, stage_dir, to_json_line,
};
use crate::io::documents::{
    ANNOTATIONS_FILE, KEPT_FILE, KeptLine, annotate, kept_lines, with_annotations,
};
use crate::io::ipc::{IpcWriter, read_ipc};
use crate::io::parquet::TableWriter;
use crate::io::raw::list_raw_files;
use crate::model::{
    Annotation, Document, KeptDocument, STATUS_DUPLICATE, STATUS_KEPT, STATUS_REJECTED,
    SourceRecord,
};
use crate::progress::Progress;
use crate::schema::{
    self, DocumentRow, DocumentTokens, SectionRow, SegmentColumns, SegmentedDocument,
};
use crate::settings::Settings;
use crate::stages::clean::Cleaner;
use crate::stages::dedupe::{Deduper, NearDuplicates, RepeatedParagraphs, Signer, Verdict};
use crate::stages::sectionize::{Sectionizer, innermost_section};
use crate::stages::segment::Segmenter;
use crate::stages::tag::Tagger;

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

/// The segment stage's artifact (Arrow IPC, one row per document).
const SEGMENT_TOKENS: &str = "tokens.arrow";
/// Tokens per batch of the segment stage's artifact (small batches keep memory low).
const SEGMENT_BATCH_TOKENS: usize = 64 * 1024;
/// Rows per row group of the documents and sections tables (tokens: `segment.row_group_tokens`).
const DOCUMENTS_PER_ROW_GROUP: usize = 1024;
const SECTIONS_PER_ROW_GROUP: usize = 16384;

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
    /// The segmenter being built in the background while the first stages run (building jieba's
    /// dictionary takes about a third of a second on one core).
    preloaded: std::sync::Mutex<Option<std::thread::JoinHandle<Result<Segmenter>>>>,
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
            preloaded: Default::default(),
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
            let settings = self.settings.segment.clone();
            *self.preloaded.lock().expect("not poisoned") = Some(std::thread::spawn(move || {
                crate::keywords::preload();
                Segmenter::new(&settings)
            }));
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
        let summary = self.pool.install(|| match stage {
            Stage::Clean => self.clean(&output, raw_listing.unwrap_or_default(), reusable),
            Stage::Dedupe => self.dedupe(&output),
            Stage::Segment => self.segment(&output, reusable),
            Stage::Tag => self.tag(&output),
            Stage::Sectionize => self.sectionize(&output),
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
            Stage::Dedupe => serde_json::to_value(&s.dedupe),
            // The row group size shapes only the final tokens table, which sectionize writes.
            Stage::Segment => serde_json::to_value(crate::settings::SegmentSettings {
                row_group_tokens: 0,
                ..s.segment.clone()
            }),
            Stage::Tag => serde_json::to_value(&s.tag),
            Stage::Sectionize => serde_json::to_value((&s.sectionize, s.segment.row_group_tokens)),
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

    fn dedupe(&self, output: &StageOutput) -> Result<String> {
        let input = stage_dir(&self.out, "clean");
        let settings = &self.settings.dedupe;
        let mut exact = Deduper::default();
        let signer = Signer::new(settings);
        let mut near = NearDuplicates::new(settings);
        let mut repeated = RepeatedParagraphs::default();
        let mut writer = JsonlWriter::<KeptDocument>::create(&output.file(KEPT_FILE))?;
        // source file → (dropped document, the kept document it copies)
        let mut copies: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let (mut kept, mut exact_copies, mut near_flagged, mut near_dropped) =
            (0usize, 0usize, 0usize, 0usize);
        for_each_batch(
            read_lines(&input.join("documents.jsonl"))?,
            self.settings.run.batch_documents,
            // Parsing and signatures are the costly parts and independent: done in parallel.
            |line| -> Result<_> {
                let doc: Document = line.parse()?;
                let signature = settings
                    .near_duplicates
                    .then(|| signer.signature(&doc.text));
                let paragraphs = RepeatedParagraphs::keys(&doc.text);
                Ok((doc, line.number(), signature, paragraphs))
            },
            |item| {
                let (doc, line, signature, paragraphs) = item?;
                if let Verdict::DuplicateOf(first) = exact.judge(&doc) {
                    copies
                        .entry(doc.source_file.clone())
                        .or_default()
                        .push((doc.doc_id.clone(), first));
                    exact_copies += 1;
                    return Ok(());
                }
                let mut kept_document = KeptDocument {
                    line: line as u64,
                    doc_id: doc.doc_id.clone(),
                    ..Default::default()
                };
                if let Some(signature) = signature {
                    if let Some(found) = near.best_match(&signature) {
                        if settings.drop_near_duplicates
                            && found.similarity >= settings.drop_threshold
                        {
                            copies
                                .entry(doc.source_file.clone())
                                .or_default()
                                .push((doc.doc_id.clone(), found.doc_id));
                            near_dropped += 1;
                            return Ok(());
                        }
                        kept_document.near_duplicate_of = Some(found.doc_id);
                        kept_document.near_duplicate_similarity = Some(found.similarity);
                        near_flagged += 1;
                    }
                    near.insert(&doc.doc_id, signature);
                }
                repeated.add_keys(&doc.text, &paragraphs);
                kept += 1;
                writer.write(&kept_document)
            },
        )?;
        writer.finish()?;

        let mut source_writer = JsonlWriter::create(&output.file("sources.jsonl"))?;
        for source in read_jsonl::<SourceRecord>(&input.join("sources.jsonl"))? {
            let mut source = source?;
            if let Some(list) = copies.get(&source.source_file) {
                for (doc_id, first) in list {
                    if let Some(at) = source.doc_ids.iter().position(|d| d == doc_id) {
                        source.doc_ids.remove(at);
                    }
                    source.duplicate_of.push(first.clone());
                }
                if source.doc_ids.is_empty() {
                    source.status = STATUS_DUPLICATE.into();
                    source.reason = Some("every document is a copy of one kept earlier".into());
                }
            }
            source_writer.write(&source)?;
        }
        source_writer.finish()?;

        // Boilerplate that cleaning missed: reported so the noise rules can be improved.
        let top = repeated.top(50);
        let mut report = JsonlWriter::create(&output.file("repeated_paragraphs.jsonl"))?;
        for (text, documents) in &top {
            report.write(&serde_json::json!({ "paragraph": text, "documents": documents }))?;
        }
        report.finish()?;
        for (text, documents) in top.iter().take(if self.quiet { 0 } else { 5 }) {
            eprintln!(
                "           repeated in {documents} documents: {}",
                text.chars().take(40).collect::<String>()
            );
        }
        Ok(format!(
            "{kept} documents kept, {exact_copies} exact copies dropped, {near_flagged} near copies flagged, \
             {near_dropped} dropped, {} paragraphs repeated across documents",
            repeated.top(usize::MAX).len()
        ))
    }

    /// With `reuse`, documents whose exact text the stored output already segmented (with the
    /// same settings) take their tokens from it: adding files to a corpus segments only them.
    fn segment(&self, output: &StageOutput, reuse: bool) -> Result<String> {
        // One jieba instance shared by all threads; only this stage needs it, so it goes with it.
        let preloaded = self.preloaded.lock().expect("not poisoned").take();
        let segmenter = match preloaded {
            Some(loading) => loading
                .join()
                .expect("building the segmenter does not panic")?,
            None => Segmenter::new(&self.settings.segment)?,
        };
        let mut writer = IpcWriter::create(
            &output.file(SEGMENT_TOKENS),
            schema::segment_tokens_schema(),
        )?;
        let (stored_index, mut stored) = match reuse {
            true => StoredTokens::open(&stage_dir(&self.out, "segment").join(SEGMENT_TOKENS))
                .map(|(index, stored)| (index, Some(stored)))
                .unwrap_or_default(),
            false => Default::default(),
        };
        let mut columns = SegmentColumns::default();
        let (mut text_bytes, mut tokens, mut reused) = (0usize, 0usize, 0usize);
        let mut progress = Progress::new("segment", self.kept_count()?, self.quiet);
        let started = Instant::now();
        for_each_batch(
            kept_lines(&self.out)?,
            self.settings.run.batch_documents,
            |kept| -> Result<_> {
                let doc = kept.document()?;
                let text_sha256 = crate::io::artifact::sha256_hex(doc.text.as_bytes());
                let segmented = match stored_index.get(&hash_key(&text_sha256)) {
                    Some(&at) => Err(at),
                    None => Ok(SegmentedDocument {
                        text_sha256,
                        ..segmenter.segment(&doc)
                    }),
                };
                Ok((doc.text.len(), segmented))
            },
            |item| {
                let (bytes, segmented) = item?;
                progress.inc(bytes);
                text_bytes += bytes;
                match segmented {
                    Ok(segmented) => {
                        tokens += segmented.len();
                        columns.append(&segmented)?;
                    }
                    Err(at) => {
                        let earlier = stored.as_mut().expect("found in it").read(at)?;
                        tokens += earlier.len();
                        reused += 1;
                        columns.append_stored(&earlier)?;
                    }
                }
                if columns.tokens() >= SEGMENT_BATCH_TOKENS {
                    writer.write(&columns.finish()?)?;
                }
                Ok(())
            },
        )?;
        writer.write(&columns.finish()?)?;
        writer.finish()?;
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let reused = match reused {
            0 => String::new(),
            n => format!(" ({n} documents' tokens reused from the last run)"),
        };
        Ok(format!(
            "{tokens} tokens from {:.2} MB of text, {:.2} MB/s{reused}",
            text_bytes as f64 / 1e6,
            text_bytes as f64 / 1e6 / seconds
        ))
    }

    /// Each kept document's line with the tokens the segment stage gave it (lines are parsed by
    /// `document_with`, on the workers).
    fn with_tokens(
        &self,
    ) -> Result<impl Iterator<Item = Result<(KeptLine, Option<DocumentTokens>)>> + use<>> {
        let lines = kept_lines(&self.out)?;
        let tokens = read_document_tokens(&stage_dir(&self.out, "segment").join(SEGMENT_TOKENS))?;
        let mut tokens = tokens.fuse();
        Ok(lines.map(move |line| Ok((line?, tokens.next().transpose()?))))
    }

    /// Documents the dedupe stage kept (for progress bars).
    fn kept_count(&self) -> Result<u64> {
        count_lines(&stage_dir(&self.out, "dedupe").join(KEPT_FILE))
    }

    fn tag(&self, output: &StageOutput) -> Result<String> {
        let tagger = Tagger::new(&self.settings.tag);
        let mut writer = JsonlWriter::<Annotation>::create(&output.file(ANNOTATIONS_FILE))?;
        let mut documents = 0usize;
        let mut dated = 0usize;
        let mut progress = Progress::new("tag", self.kept_count()?, self.quiet);
        for_each_batch(
            self.with_tokens()?,
            self.settings.run.batch_documents,
            |(line, tokens)| -> Result<_> {
                let (mut doc, tokens) = document_with(&line, tokens)?;
                let text = doc.text.clone();
                let words = tokens
                    .words(&text)
                    .ok_or_else(|| spans_error(&doc.doc_id))?;
                let tagged: Vec<(&str, &str)> = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (*w, tokens.pos.value(i)))
                    .collect();
                tagger.tag(&mut doc, &tagged);
                let annotation = Annotation {
                    doc_id: doc.doc_id,
                    flags: doc.flags,
                    meta: doc.meta.unwrap_or_default(),
                };
                let has_date = annotation.meta.date.is_some();
                Ok((text.len(), has_date, to_json_line(&annotation)))
            },
            |item| {
                let (bytes, has_date, line) = item?;
                progress.inc(bytes);
                documents += 1;
                dated += has_date as usize;
                writer.write_line(&line)
            },
        )?;
        writer.finish()?;
        Ok(format!("{documents} documents tagged, {dated} with a date"))
    }

    fn sectionize(&self, output: &StageOutput) -> Result<String> {
        let sectionizer = Sectionizer::new(&self.settings.sectionize);
        let mut documents = TableWriter::create(
            &output.file("documents.parquet"),
            schema::documents_schema(),
            DOCUMENTS_PER_ROW_GROUP,
        )?;
        let mut sections = TableWriter::create(
            &output.file("sections.parquet"),
            schema::sections_schema(),
            SECTIONS_PER_ROW_GROUP,
        )?;
        let mut tokens = TableWriter::create(
            &output.file("tokens.parquet"),
            schema::tokens_schema(),
            self.settings.segment.row_group_tokens,
        )?;
        // Documents and their sections wait to be written many at a time (one small batch per
        // document would waste the builders' room).
        let mut pending: Vec<(Document, u32)> = Vec::new();
        let mut pending_sections: Vec<arrow::array::RecordBatch> = Vec::new();
        let mut write_rows = |pending: &mut Vec<(Document, u32)>,
                              pending_sections: &mut Vec<arrow::array::RecordBatch>|
         -> Result<()> {
            if pending.is_empty() {
                return Ok(());
            }
            let rows: Vec<DocumentRow> = pending
                .iter()
                .map(|(doc, section_count)| DocumentRow {
                    doc,
                    section_count: *section_count,
                })
                .collect();
            documents.write(schema::documents_batch(&rows)?)?;
            let sections_schema = schema::sections_schema();
            sections.write(
                arrow::compute::concat_batches(&sections_schema, pending_sections.iter())
                    .map_err(|e| Error::arrow("joining section rows", e))?,
            )?;
            pending.clear();
            pending_sections.clear();
            Ok(())
        };
        // Document by document, in parallel: its outline, its tokens with their sections, and its
        // rows of the three tables; written in dataset order.
        for_each_batch(
            with_annotations(&self.out, self.with_tokens()?)?,
            self.settings.run.batch_documents,
            |((line, doc_tokens), annotation)| -> Result<_> {
                let (mut doc, doc_tokens) = document_with(&line, doc_tokens)?;
                annotate(&mut doc, &annotation)?;
                let outline = sectionizer.sectionize(&doc);
                let words = doc_tokens
                    .words(&doc.text)
                    .ok_or_else(|| spans_error(&doc.doc_id))?;
                let mut token_counts = vec![0u64; outline.len()];
                let section_ids: Vec<&str> = doc_tokens
                    .char_start
                    .values()
                    .iter()
                    .map(|&start| {
                        let index = innermost_section(&outline, start as u32);
                        token_counts[index] += 1;
                        outline[index].section_id.as_str()
                    })
                    .collect();
                let token_rows = schema::document_tokens_batch(&doc_tokens, &words, &section_ids)?;
                let chars: Vec<char> = doc.text.chars().collect();
                let section_rows: Vec<SectionRow> = outline
                    .iter()
                    .zip(&token_counts)
                    .map(|(section, &token_count)| {
                        let body: String = chars
                            [section.body_start as usize..section.body_end as usize]
                            .iter()
                            .collect();
                        SectionRow {
                            doc_id: &doc.doc_id,
                            section,
                            text: body.trim_end_matches('\n').to_string(),
                            token_count,
                        }
                    })
                    .collect();
                let section_rows = schema::sections_batch(&section_rows)?;
                Ok((doc, outline.len() as u32, section_rows, token_rows))
            },
            |rows| {
                let (doc, section_count, section_rows, token_rows) = rows?;
                pending.push((doc, section_count));
                pending_sections.push(section_rows);
                if pending.len() >= self.settings.run.batch_documents {
                    write_rows(&mut pending, &mut pending_sections)?;
                }
                tokens.write(token_rows)
            },
        )?;
        write_rows(&mut pending, &mut pending_sections)?;
        let document_rows = documents.finish()?;
        let section_rows = sections.finish()?;
        let token_rows = tokens.finish()?;

        // The account of every raw file.
        let sources: Vec<SourceRecord> =
            read_jsonl(&stage_dir(&self.out, "dedupe").join("sources.jsonl"))?
                .collect::<Result<_>>()?;
        let mut sources_writer = TableWriter::create(
            &output.file("sources.parquet"),
            schema::sources_schema(),
            sources.len(),
        )?;
        sources_writer.write(schema::sources_batch(&sources)?)?;
        sources_writer.finish()?;
        Ok(format!(
            "{document_rows} documents, {section_rows} sections, {token_rows} tokens, {} sources",
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

/// Where a stored document's tokens are: text SHA-256 (first 128 bits) → (batch, row).
type StoredIndex = HashMap<u128, (usize, usize)>;

/// A finished segment artifact opened for reuse: where each text's tokens are (found by the text's
/// SHA-256), read a batch at a time as documents ask for them (they come mostly in order).
struct StoredTokens {
    reader: arrow::ipc::reader::FileReader<std::io::BufReader<File>>,
    current: Option<(usize, Vec<DocumentTokens>)>,
}

impl StoredTokens {
    /// The stored output and its index: text SHA-256 (its first 128 bits) → (batch, row).
    fn open(path: &Path) -> Result<(StoredIndex, Self)> {
        let open =
            |projection| -> Result<arrow::ipc::reader::FileReader<std::io::BufReader<File>>> {
                let file = File::open(path).map_err(|e| Error::io(path, e))?;
                arrow::ipc::reader::FileReader::try_new(std::io::BufReader::new(file), projection)
                    .map_err(|e| Error::arrow(path.display().to_string(), e))
            };
        // The index needs only the hashes: read that one column.
        let column = schema::segment_tokens_schema()
            .index_of("text_sha256")
            .expect("in the schema");
        let hashes = open(Some(vec![column]))?;
        let mut index = HashMap::new();
        for (batch_number, batch) in hashes.enumerate() {
            let batch = batch.map_err(|e| Error::arrow(path.display().to_string(), e))?;
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .ok_or_else(|| stage_error("text_sha256 is not text"))?;
            for row in 0..arrow::array::Array::len(column) {
                index.insert(hash_key(column.value(row)), (batch_number, row));
            }
        }
        let stored = StoredTokens {
            reader: open(None)?,
            current: None,
        };
        Ok((index, stored))
    }

    fn read(&mut self, (batch, row): (usize, usize)) -> Result<DocumentTokens> {
        if self.current.as_ref().is_none_or(|(b, _)| *b != batch) {
            self.reader
                .set_index(batch)
                .map_err(|e| Error::arrow("reading the last segment output", e))?;
            let read = self
                .reader
                .next()
                .ok_or_else(|| stage_error("the last segment output lost a batch"))?
                .map_err(|e| Error::arrow("reading the last segment output", e))?;
            self.current = Some((batch, DocumentTokens::from_batch(&read)?));
        }
        let (_, documents) = self.current.as_ref().expect("set above");
        documents
            .get(row)
            .cloned()
            .ok_or_else(|| stage_error("the last segment output lost a document"))
    }
}

/// The document on a line, checked against the tokens that came with it.
fn document_with(
    line: &KeptLine,
    tokens: Option<DocumentTokens>,
) -> Result<(Document, DocumentTokens)> {
    let doc = line.document()?;
    match tokens {
        Some(tokens) if tokens.doc_id == doc.doc_id => Ok((doc, tokens)),
        _ => Err(stage_error(&format!(
            "the segment stage's tokens do not follow the documents (at {}): run `pipeline segment` again",
            doc.doc_id
        ))),
    }
}

/// The first 128 bits of a hex digest, as a compact map key.
fn hash_key(hex: &str) -> u128 {
    u128::from_str_radix(hex.get(..32).unwrap_or(hex), 16).unwrap_or_default()
}

/// The segment stage's artifact, document by document.
fn read_document_tokens(
    path: &Path,
) -> Result<impl Iterator<Item = Result<DocumentTokens>> + use<>> {
    Ok(read_ipc(path)?.flat_map(|batch| {
        let documents = batch.and_then(|b| DocumentTokens::from_batch(&b));
        match documents {
            Ok(documents) => documents.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }
    }))
}

fn spans_error(doc_id: &str) -> Error {
    stage_error(&format!(
        "the segment stage's token spans do not fit document {doc_id}: run `pipeline segment` again"
    ))
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

/// Lines in a JSON-lines artifact: its number of records.
fn count_lines(path: &Path) -> Result<u64> {
    use std::io::BufRead;
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

/// Maps `work` over `items` in parallel batches of `batch` and hands the results to `sink` in input
/// order, so output never depends on the number of threads. While one batch is worked on, the
/// previous one's results go to `sink` and, at the same time, the next batch is read, so both
/// cores stay busy; memory holds about three batches at a time.
fn for_each_batch<T, U>(
    mut items: impl Iterator<Item = Result<T>> + Send,
    batch: usize,
    work: impl Fn(T) -> U + Sync,
    mut sink: impl FnMut(U) -> Result<()> + Send,
) -> Result<()>
where
    T: Send,
    U: Send,
{
    let mut chunk: Vec<T> = items.by_ref().take(batch).collect::<Result<_>>()?;
    let mut finished: Vec<U> = Vec::new();
    while !chunk.is_empty() {
        let working = std::mem::take(&mut chunk);
        let (results, (sunk, next)) = rayon::join(
            || working.into_par_iter().map(&work).collect::<Vec<U>>(),
            || {
                rayon::join(
                    || finished.drain(..).try_for_each(&mut sink),
                    || items.by_ref().take(batch).collect::<Result<Vec<T>>>(),
                )
            },
        );
        sunk?;
        finished = results;
        chunk = next?;
    }
    finished.into_iter().try_for_each(sink)
}
