//! What the evaluation reads of a dataset folder: the published documents and sections tables
//! (and `sources`, to say what became of a file the gold names but the dataset lacks).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use arrow::array::{Array, Date32Array, Int32Array, RecordBatch, StringArray};

use crate::error::{Error, Result};
use crate::io::parquet::read_batches;
use crate::schema::typed_column;

use super::gold::fold;

/// What the evaluation reads of a dataset.
pub struct Dataset {
    pub(super) documents: Vec<OutputDocument>,
    /// Each document's headings (sections of level ≥ 1) in text order, by doc_id.
    pub(super) headings: HashMap<String, Vec<OutputHeading>>,
    /// What became of each raw file, by base name: status and reason (from `sources`).
    pub(super) sources: HashMap<String, (String, Option<String>)>,
}

pub(super) struct OutputDocument {
    pub file: String,
    pub part: i32,
    pub doc_id: String,
    pub fields: [Option<String>; 6],
    pub text: String,
}

pub(super) struct OutputHeading {
    pub level: i32,
    char_start: i32,
    /// Folded, with the marker in front.
    pub text: String,
}

/// The base name of a source path, the key gold files use.
fn base_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

impl Dataset {
    /// Reads the published tables of the dataset folder `out`.
    pub fn read(out: &Path) -> Result<Self> {
        let sources = out.join("sources.parquet");
        Ok(Dataset {
            documents: read_documents(&table(out, "documents")?)?,
            headings: read_headings(&table(out, "sections")?)?,
            sources: match sources.exists() {
                true => read_sources(&sources)?,
                false => HashMap::new(),
            },
        })
    }
}

/// A published table's file, or what to do when it is not there.
fn table(out: &Path, name: &str) -> Result<PathBuf> {
    let path = out.join(format!("{name}.parquet"));
    if path.exists() {
        Ok(path)
    } else {
        Err(Error::BadFile {
            path,
            reason: "no such table; run `pipeline run` first".into(),
        })
    }
}

fn read_documents(path: &Path) -> Result<Vec<OutputDocument>> {
    let mut documents = Vec::new();
    for batch in read_batches(path)? {
        let batch = batch?;
        let columns = Columns::new(&batch, path);
        let (source_file, part, doc_id) = (
            columns.text("source_file")?,
            columns.int("part")?,
            columns.text("doc_id")?,
        );
        let (title, speaker, role) = (
            columns.text("title")?,
            columns.text("speaker")?,
            columns.text("speaker_role")?,
        );
        let (date, precision) = (columns.date("date")?, columns.text("date_precision")?);
        let (occasion, genre, text) = (
            columns.text("occasion")?,
            columns.text("genre")?,
            columns.text("text")?,
        );
        for i in 0..batch.num_rows() {
            // The date as the gold writes it: cut to the dataset's own precision.
            let date = date.value_as_date(i).filter(|_| date.is_valid(i)).map(|d| {
                let d = d.format("%Y-%m-%d").to_string();
                match optional(precision, i).as_deref() {
                    Some("year") => d[..4].to_string(),
                    Some("month") => d[..7].to_string(),
                    _ => d,
                }
            });
            documents.push(OutputDocument {
                file: base_name(source_file.value(i)),
                part: part.value(i),
                doc_id: doc_id.value(i).to_string(),
                fields: [
                    optional(title, i),
                    optional(speaker, i),
                    optional(role, i),
                    date,
                    optional(occasion, i),
                    optional(genre, i),
                ],
                text: text.value(i).to_string(),
            });
        }
    }
    Ok(documents)
}

/// Each document's headings (sections of level ≥ 1) in text order.
fn read_headings(path: &Path) -> Result<HashMap<String, Vec<OutputHeading>>> {
    let mut headings: HashMap<String, Vec<OutputHeading>> = HashMap::new();
    for batch in read_batches(path)? {
        let batch = batch?;
        let columns = Columns::new(&batch, path);
        let (doc_id, level, char_start) = (
            columns.text("doc_id")?,
            columns.int("level")?,
            columns.int("char_start")?,
        );
        let (marker, heading) = (columns.text("marker")?, columns.text("heading")?);
        for i in (0..batch.num_rows()).filter(|&i| level.value(i) >= 1) {
            let heading = optional(heading, i).unwrap_or_default();
            let marker = optional(marker, i).unwrap_or_default();
            let text = if !marker.is_empty() && !fold(&heading).starts_with(&fold(&marker)) {
                fold(&format!("{marker}{heading}"))
            } else {
                fold(&heading)
            };
            headings
                .entry(doc_id.value(i).to_string())
                .or_default()
                .push(OutputHeading {
                    level: level.value(i),
                    char_start: char_start.value(i),
                    text,
                });
        }
    }
    for list in headings.values_mut() {
        list.sort_by_key(|h| h.char_start);
    }
    Ok(headings)
}

/// What became of each raw file, by base name: status and reason.
fn read_sources(path: &Path) -> Result<HashMap<String, (String, Option<String>)>> {
    let mut sources = HashMap::new();
    for batch in read_batches(path)? {
        let batch = batch?;
        let columns = Columns::new(&batch, path);
        let (file, status, reason) = (
            columns.text("source_file")?,
            columns.text("status")?,
            columns.text("reason_detail")?,
        );
        for i in 0..batch.num_rows() {
            sources.insert(
                base_name(file.value(i)),
                (status.value(i).to_string(), optional(reason, i)),
            );
        }
    }
    Ok(sources)
}

impl Dataset {
    /// A document's headings down to `max_level`, in text order.
    pub(super) fn headings_of(&self, doc_id: &str, max_level: i32) -> Vec<&OutputHeading> {
        self.headings
            .get(doc_id)
            .map(|list| list.iter().filter(|h| h.level <= max_level).collect())
            .unwrap_or_default()
    }

    /// The documents of the raw file with this base name.
    pub(super) fn of_file<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a OutputDocument> + 'a {
        self.documents.iter().filter(move |d| d.file == name)
    }
}

/// Typed access to the columns of one batch, naming the table file when a column is missing.
struct Columns<'a> {
    batch: &'a RecordBatch,
    path: &'a Path,
}

impl<'a> Columns<'a> {
    fn new(batch: &'a RecordBatch, path: &'a Path) -> Self {
        Columns { batch, path }
    }

    fn get<T: 'static>(&self, name: &str, kind: &str) -> Result<&'a T> {
        typed_column::<T>(self.batch, name).ok_or_else(|| Error::BadFile {
            path: self.path.to_path_buf(),
            reason: format!("no {kind} column `{name}`"),
        })
    }

    fn text(&self, name: &str) -> Result<&'a StringArray> {
        self.get(name, "string")
    }

    fn int(&self, name: &str) -> Result<&'a Int32Array> {
        self.get(name, "int32")
    }

    fn date(&self, name: &str) -> Result<&'a Date32Array> {
        self.get(name, "date32")
    }
}

fn optional(array: &StringArray, i: usize) -> Option<String> {
    array.is_valid(i).then(|| array.value(i).to_string())
}
