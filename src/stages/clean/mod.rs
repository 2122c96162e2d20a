//! The clean stage: every raw file read once, cleaned by the rules of [`rules`] and accounted for.
//! Byte-identical files are known from their raw hash and cleaned once (the others are recorded
//! as duplicates of it); a file over `clean.max_file_bytes` is refused unread; a file that cannot
//! be read or decoded is rejected with its reason, and the run goes on. With the same settings as
//! the stored output, a raw file it already cleaned (same name, same bytes) has its documents
//! copied from there, so adding files to a corpus cleans only them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::artifact::{
    JsonlWriter, StageOutput, hash_key, read_jsonl, read_lines, stage_dir, to_json_line,
};
use crate::io::raw::list_raw_files;
use crate::model::{Document, STATUS_DUPLICATE, STATUS_KEPT, STATUS_REJECTED, SourceRecord};
use crate::progress::counted;
use crate::settings::Settings;
use crate::stages::{Context, Items, Stage};

mod blocks;
mod boilerplate;
mod html;
mod items;
use boilerplate::Boilerplate;
mod markup;
mod notes;
mod rules;
mod spaced;
mod split;
#[cfg(test)]
mod tests;
mod wrap;
pub use rules::{CleanedFile, Cleaner, repair_punctuation};

/// The lines learned as boilerplate (one JSON line each: the line, how many texts hold it).
pub const BOILERPLATE_FILE: &str = "boilerplate.jsonl";

#[derive(serde::Serialize)]
struct LearnedLine<'a> {
    line: &'a str,
    texts: usize,
}

/// A raw file as listed: its record (name, SHA-256, size; or why it was rejected) and its real path
/// (its name in the tables may have lost bytes that are not UTF-8).
pub type ListedFile = (SourceRecord, Option<PathBuf>);

/// The clean stage over the files the runner listed.
pub struct Clean {
    cleaner: Cleaner,
    /// The boilerplate learned from the corpus, as written to `boilerplate.jsonl`.
    boilerplate: Vec<Vec<u8>>,
    /// For each listed file, the encoding the learning pass detected (none for UTF-8 or marked
    /// text, or when it did not read the file).
    encodings: Vec<Option<&'static encoding_rs::Encoding>>,
    max_file_bytes: u64,
    /// The listed files, in name order.
    files: Vec<ListedFile>,
    /// For each listed file, the earlier one with the same bytes.
    copy_of: Vec<Option<usize>>,
    /// Which listed files the stored output already cleaned.
    reusable: Vec<bool>,
    stored: std::sync::Mutex<Option<StoredClean>>,
    raw: PathBuf,
    quiet: bool,
    verbose: bool,
}

/// What became of one raw file on a worker.
pub struct CleanedOrNot {
    file: usize,
    outcome: Outcome,
    text_bytes: usize,
}

enum Outcome {
    /// The stored output cleaned this very file: copy its documents from there.
    Reused,
    /// Its documents, and each one's JSON line.
    Cleaned(CleanedFile, Vec<Vec<u8>>),
    /// Why it was rejected.
    Rejected(String),
}

pub struct CleanSink {
    writer: JsonlWriter<Document>,
    sources: Vec<SourceRecord>,
    stored: Option<StoredClean>,
    documents: usize,
    reused: usize,
}

impl Stage for Clean {
    const NAME: &'static str = "clean";
    const UNIT: &'static str = "files";
    type Item = usize;
    type Done = CleanedOrNot;
    type Sink = CleanSink;

    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(&settings.clean).expect("settings serialise")
    }

    fn build(cx: &Context) -> Result<Self> {
        let files = cx.raw_files.to_vec();
        // Byte-identical files are known from their raw hash: only the first is decoded.
        let mut first_with_hash: HashMap<&str, usize> = HashMap::new();
        let mut copy_of = vec![None; files.len()];
        for (i, (record, _)) in files.iter().enumerate() {
            if record.status.is_empty() {
                match first_with_hash.get(record.source_sha256.as_str()) {
                    Some(&first) => copy_of[i] = Some(first),
                    None => {
                        first_with_hash.insert(&record.source_sha256, i);
                    }
                }
            }
        }
        let stored = match cx.reuse {
            true => match StoredClean::open(&stage_dir(cx.work, Self::NAME)) {
                Ok(stored) => Some(stored),
                Err(e) => {
                    eprintln!(
                        "warning: the last clean output cannot be reused ({e}); cleaning every file"
                    );
                    None
                }
            },
            false => None,
        };
        // A corpus-wide pass first: the short lines that recur across texts.
        let mut unique: Vec<usize> = first_with_hash.values().copied().collect();
        unique.retain(|&i| files[i].1.is_some());
        unique.sort_unstable();
        let paths: Vec<&Path> = unique
            .iter()
            .filter_map(|&i| files[i].1.as_deref())
            .collect();
        let settings = &cx.settings.clean;
        let (learned, detected) = Boilerplate::learn(
            &paths,
            settings.max_file_bytes,
            settings.boilerplate_min_files,
        );
        // The encodings the pass detected, so that clean reads those files without guessing again.
        let mut encodings = vec![None; files.len()];
        for (&i, encoding) in unique.iter().zip(detected) {
            encodings[i] = encoding;
        }
        let boilerplate: Vec<Vec<u8>> = learned
            .lines()
            .map(|(line, texts)| {
                let mut json = to_json_line(&LearnedLine {
                    line,
                    texts: *texts,
                });
                json.push(b'\n');
                json
            })
            .collect();
        // A file cleaned before is reused only if what counts as boilerplate did not change (a
        // new file can change it).
        let same_boilerplate = std::fs::read(stage_dir(cx.work, Self::NAME).join(BOILERPLATE_FILE))
            .is_ok_and(|stored| stored == boilerplate.concat());
        let reusable = files
            .iter()
            .map(|(record, _)| {
                same_boilerplate
                    && stored
                        .as_ref()
                        .is_some_and(|s| StoredClean::has(&s.files, record))
            })
            .collect();
        Ok(Clean {
            cleaner: Cleaner::new(settings).with_boilerplate(std::sync::Arc::new(learned)),
            boilerplate,
            encodings,
            max_file_bytes: cx.settings.clean.max_file_bytes,
            files,
            copy_of,
            reusable,
            stored: std::sync::Mutex::new(stored),
            raw: cx.raw.to_path_buf(),
            quiet: cx.quiet,
            verbose: cx.verbose,
        })
    }

    fn items(&self, _cx: &Context) -> Result<(u64, Items<usize>)> {
        let to_clean: Vec<usize> = (0..self.files.len())
            .filter(|&i| self.files[i].0.status.is_empty() && self.copy_of[i].is_none())
            .collect();
        Ok((
            to_clean.len() as u64,
            Box::new(to_clean.into_iter().map(Ok)),
        ))
    }

    fn work(&self, file: usize) -> Result<CleanedOrNot> {
        if self.reusable[file] {
            return Ok(CleanedOrNot {
                file,
                outcome: Outcome::Reused,
                text_bytes: 0,
            });
        }
        let (record, path) = &self.files[file];
        let path = path.as_ref().expect("listed files have a path");
        let cleaned = read_limited(path, self.max_file_bytes).and_then(|bytes| {
            let known = self.encodings[file];
            self.cleaner
                .clean_file_as(&record.source_file, &bytes, known)
        });
        let (outcome, text_bytes) = match cleaned {
            Ok(cleaned) => {
                let lines = cleaned.documents.iter().map(to_json_line).collect();
                let bytes = cleaned.documents.iter().map(|d| d.text.len()).sum();
                (Outcome::Cleaned(cleaned, lines), bytes)
            }
            Err(reason) => (Outcome::Rejected(reason), 0),
        };
        Ok(CleanedOrNot {
            file,
            outcome,
            text_bytes,
        })
    }

    fn text_bytes(done: &CleanedOrNot) -> usize {
        done.text_bytes
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<CleanSink> {
        Ok(CleanSink {
            writer: JsonlWriter::create(&output.file("documents.jsonl"))?,
            sources: self
                .files
                .iter()
                .map(|(record, _)| record.clone())
                .collect(),
            stored: self.stored.lock().expect("not poisoned").take(),
            documents: 0,
            reused: 0,
        })
    }

    fn absorb(&self, sink: &mut CleanSink, done: CleanedOrNot) -> Result<()> {
        let source = &mut sink.sources[done.file];
        match done.outcome {
            Outcome::Reused => {
                let stored = sink
                    .stored
                    .as_mut()
                    .ok_or_else(|| out_of_step("the last clean output is not open"))?;
                for line in stored.documents(source)? {
                    sink.writer.write_line(line.bytes())?;
                    sink.documents += 1;
                }
                sink.reused += 1;
            }
            Outcome::Cleaned(cleaned, lines) => {
                source.status = STATUS_KEPT.into();
                source.encoding = Some(cleaned.encoding);
                for (doc, line) in cleaned.documents.iter().zip(&lines) {
                    source.doc_ids.push(doc.doc_id.clone());
                    sink.writer.write_line(line)?;
                    sink.documents += 1;
                }
            }
            Outcome::Rejected(reason) => {
                source.status = STATUS_REJECTED.into();
                source.reason = Some(reason);
            }
        }
        Ok(())
    }

    fn finish(&self, _cx: &Context, sink: CleanSink, output: &StageOutput) -> Result<String> {
        let CleanSink {
            writer,
            mut sources,
            documents,
            reused,
            ..
        } = sink;
        writer.finish()?;
        for (i, first) in self.copy_of.iter().enumerate() {
            if let Some(&first) = first.as_ref() {
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
        self.report(&sources);
        let count = |status: &str| sources.iter().filter(|s| s.status == status).count();
        let (rejected, copies) = (count(STATUS_REJECTED), count(STATUS_DUPLICATE));
        let mut source_writer = JsonlWriter::create(&output.file("sources.jsonl"))?;
        for source in &sources {
            source_writer.write(source)?;
        }
        source_writer.finish()?;
        let path = output.file(BOILERPLATE_FILE);
        std::fs::write(&path, self.boilerplate.concat()).map_err(|e| Error::io(&path, e))?;
        let reused = match reused {
            0 => String::new(),
            n => format!(" ({n} files' documents reused from the last run)"),
        };
        let copies = match copies {
            0 => String::new(),
            n => format!(
                ", {} of other files",
                counted(n as u64, "byte-identical copy", "byte-identical copies")
            ),
        };
        Ok(format!(
            "{} → {}, {rejected} rejected{copies}{reused}",
            counted(sources.len() as u64, "file", "files"),
            counted(documents as u64, "document", "documents"),
        ))
    }
}

impl Clean {
    /// One line per rejected file, in file order, naming the file and the problem; with
    /// --verbose one line per file.
    fn report(&self, sources: &[SourceRecord]) {
        for source in sources {
            let path = self.raw.join(&source.source_file);
            if source.status == STATUS_REJECTED {
                eprintln!(
                    "warning: {}: rejected: {}",
                    path.display(),
                    source.reason.as_deref().unwrap_or("")
                );
            } else if self.verbose && !self.quiet {
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
    }
}

/// Lists the raw files (on the current thread pool) and hashes their bytes (streaming: a huge file is never held whole):
/// the clean stage's fingerprint and the sources' `source_sha256`. Each record comes with the
/// file's real path (its name in the tables may have lost bytes that are not UTF-8). Files that
/// cannot even be listed or read are recorded as rejected here.
pub fn scan(raw: &Path) -> Result<Vec<ListedFile>> {
    let (files, problems) = list_raw_files(raw)?;
    let mut records: Vec<ListedFile> = files
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
        .collect();
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
            .ok_or_else(|| out_of_step("the last clean output lost a file"))?;
        source.status = record.status;
        source.encoding = record.encoding;
        source.doc_ids = record.doc_ids;
        let mut lines = Vec::with_capacity(source.doc_ids.len());
        while lines.len() < source.doc_ids.len() {
            let line = self
                .lines
                .next()
                .ok_or_else(|| out_of_step("the last clean output lost a document"))??;
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

fn out_of_step(reason: &str) -> Error {
    Error::Stage {
        stage: "clean",
        reason: reason.to_string(),
    }
}
