//! `pipeline evaluate GOLD.json`: how right the dataset's facts are, measured against a gold file of
//! hand-checked facts (format: docs/GOLD.md).
//!
//! Researchers trust a dataset as far as they can measure it, so this is the measure every change
//! of rules is judged by. The rules are those of the reference scorer the gold files come with
//! (`tests/scorer/score.py`), ported rather than called, so that a figure means the same whichever
//! of the two computed it:
//! - gold documents are matched to rows of `documents` by the source file's base name and `part`;
//!   a gold document with no such row (its file rejected, dropped as a copy, or split otherwise)
//!   counts as missing: all its fields wrong and all its headings unfound;
//! - text fields compare after [`fold`]; a date compares at the gold's precision (`2015`,
//!   `2015-11`, `2015-11-12`), the dataset's date cut to its own precision;
//! - headings compare per document as a set of folded texts, the marker put back in front of a
//!   heading that does not start with it; a level error is a matched heading at another level.
//!
//! Besides the totals it reports every file on its own and the macro average over files, since one
//! long report with many headings would otherwise hide many short texts done wrong.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use arrow::array::{Array, Date32Array, Int32Array, RecordBatch, StringArray};
use serde::{Deserialize, Deserializer, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::io::parquet::read_batches;
use crate::schema::typed_column;

/// The scored fields, in the order they are reported.
pub const FIELDS: [&str; 6] = [
    "title",
    "speaker",
    "speaker_role",
    "date",
    "occasion",
    "genre",
];

/// A gold file: what each raw file should give, and the facts of each document.
#[derive(Debug, Deserialize)]
pub struct Gold {
    pub files: BTreeMap<String, GoldFile>,
    pub documents: Vec<GoldDocument>,
}

#[derive(Debug, Deserialize)]
pub struct GoldFile {
    /// How many documents the file holds.
    pub documents: usize,
    /// Substrings that must not survive cleaning.
    #[serde(default)]
    pub noise: Vec<String>,
}

/// One document's facts. Each field must be present; `null` means the text does not say.
/// `accept_<field>` lists other answers that count as right.
#[derive(Debug, Deserialize)]
pub struct GoldDocument {
    pub file: String,
    pub part: i32,
    #[serde(deserialize_with = "present")]
    pub title: Option<String>,
    #[serde(deserialize_with = "present")]
    pub speaker: Option<String>,
    #[serde(deserialize_with = "present")]
    pub speaker_role: Option<String>,
    #[serde(deserialize_with = "present")]
    pub date: Option<String>,
    #[serde(deserialize_with = "present")]
    pub occasion: Option<String>,
    #[serde(deserialize_with = "present")]
    pub genre: Option<String>,
    #[serde(default)]
    pub accept_title: Vec<Option<String>>,
    #[serde(default)]
    pub accept_speaker: Vec<Option<String>>,
    #[serde(default)]
    pub accept_speaker_role: Vec<Option<String>>,
    #[serde(default)]
    pub accept_date: Vec<Option<String>>,
    #[serde(default)]
    pub accept_occasion: Vec<Option<String>>,
    #[serde(default)]
    pub accept_genre: Vec<Option<String>>,
    pub headings: Vec<GoldHeading>,
}

#[derive(Debug, Deserialize)]
pub struct GoldHeading {
    pub level: i32,
    /// The heading with its marker (一、…), as written.
    pub text: String,
    /// The heading starts mid-paragraph because the source lost a line break.
    #[serde(default)]
    pub inline: bool,
}

/// A key that must be there, though it may be `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Option::deserialize(d)
}

impl GoldDocument {
    /// The gold value of a field and the answers accepted for it.
    fn accepted(&self, field: &str) -> (Option<&str>, Vec<Option<&str>>) {
        let (value, alternatives) = match field {
            "title" => (&self.title, &self.accept_title),
            "speaker" => (&self.speaker, &self.accept_speaker),
            "speaker_role" => (&self.speaker_role, &self.accept_speaker_role),
            "date" => (&self.date, &self.accept_date),
            "occasion" => (&self.occasion, &self.accept_occasion),
            _ => (&self.genre, &self.accept_genre),
        };
        let mut accepted = vec![value.as_deref()];
        accepted.extend(alternatives.iter().map(Option::as_deref));
        (value.as_deref(), accepted)
    }
}

/// Reads a gold file; a missing key or a value of the wrong type is named with its place.
pub fn read_gold(path: &Path) -> Result<Gold> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut json = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        reason: format!("not a gold file: at `{}`: {}", e.path(), e.inner()),
    })
}

/// How gold texts and extracted texts are compared: NFKC (full-width letters and punctuation to
/// their ASCII forms), white space removed, curly quotes straightened, trailing full stops (。 .)
/// dropped.
pub fn fold(s: &str) -> String {
    let folded: String = s
        .nfkc()
        // Python's `\s`, which the reference scorer uses: Unicode white space and the separators.
        .filter(|c| !c.is_whitespace() && !('\u{1c}'..='\u{1f}').contains(c))
        .map(|c| match c {
            '“' | '”' => '"',
            '‘' | '’' => '\'',
            c => c,
        })
        .collect();
    folded.trim_end_matches(['。', '.']).to_string()
}

/// What the evaluation reads of a dataset.
pub struct Dataset {
    documents: Vec<OutputDocument>,
    /// Each document's headings (sections of level ≥ 1) in text order, by doc_id.
    headings: HashMap<String, Vec<OutputHeading>>,
    /// What became of each raw file, by base name: status and reason (from `sources`).
    sources: HashMap<String, (String, Option<String>)>,
}

struct OutputDocument {
    file: String,
    part: i32,
    doc_id: String,
    fields: [Option<String>; 6],
    text: String,
}

struct OutputHeading {
    level: i32,
    char_start: i32,
    /// Folded, with the marker in front.
    text: String,
}

/// The base name of a source path, the key gold files use.
fn base_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

impl Dataset {
    /// Reads the published tables of the dataset folder `out`.
    pub fn read(out: &Path) -> Result<Self> {
        let table = |name: &str| {
            let path = out.join(format!("{name}.parquet"));
            if path.exists() {
                Ok(path)
            } else {
                Err(Error::BadFile {
                    path,
                    reason: "no such table; run `pipeline run` first".into(),
                })
            }
        };
        let mut documents = Vec::new();
        let path = table("documents")?;
        for batch in read_batches(&path)? {
            let batch = batch?;
            let columns = Columns::new(&batch, &path);
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

        let mut headings: HashMap<String, Vec<OutputHeading>> = HashMap::new();
        let path = table("sections")?;
        for batch in read_batches(&path)? {
            let batch = batch?;
            let columns = Columns::new(&batch, &path);
            let (doc_id, level, char_start) = (
                columns.text("doc_id")?,
                columns.int("level")?,
                columns.int("char_start")?,
            );
            let (marker, heading) = (columns.text("marker")?, columns.text("heading")?);
            for i in 0..batch.num_rows() {
                if level.value(i) < 1 {
                    continue;
                }
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

        let mut sources = HashMap::new();
        let path = out.join("sources.parquet");
        if path.exists() {
            for batch in read_batches(&path)? {
                let batch = batch?;
                let columns = Columns::new(&batch, &path);
                let (file, status, reason) = (
                    columns.text("source_file")?,
                    columns.text("status")?,
                    columns.text("reason")?,
                );
                for i in 0..batch.num_rows() {
                    sources.insert(
                        base_name(file.value(i)),
                        (status.value(i).to_string(), optional(reason, i)),
                    );
                }
            }
        }
        Ok(Dataset {
            documents,
            headings,
            sources,
        })
    }
}

impl Dataset {
    /// The documents of the raw file with this base name.
    fn of_file<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a OutputDocument> + 'a {
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

/// Right answers out of all, for one field.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Tally {
    pub right: usize,
    pub total: usize,
    pub accuracy: f64,
}

/// Heading counts; `inline_*` count the gold headings that start mid-paragraph, on their own.
#[derive(Debug, Default, Clone, Serialize)]
pub struct HeadingCounts {
    pub found: usize,
    pub wanted: usize,
    pub matched: usize,
    /// Found headings whose text no gold heading has.
    pub extra: usize,
    pub level_errors: usize,
    pub inline_wanted: usize,
    pub inline_matched: usize,
}

/// One raw file's figures. Heading precision is `None` when no heading was found and recall `None`
/// when the gold has none: a figure with nothing to measure is left out of the macro average
/// rather than counted as perfect.
#[derive(Debug, Default, Clone, Serialize)]
pub struct FileScore {
    pub documents: usize,
    pub expected_documents: Option<usize>,
    pub fields_right: usize,
    pub fields_total: usize,
    pub field_accuracy: f64,
    pub headings_found: usize,
    pub headings_wanted: usize,
    pub headings_matched: usize,
    pub headings_extra: usize,
    pub heading_precision: Option<f64>,
    pub heading_recall: Option<f64>,
    pub noise_leaks: usize,
}

/// The unweighted mean of the per-file figures (heading figures over the files that have them).
#[derive(Debug, Default, Clone, Serialize)]
pub struct MacroAverage {
    pub field_accuracy: f64,
    pub heading_precision: f64,
    pub heading_recall: f64,
}

/// The whole evaluation; `--json` prints it as it is.
#[derive(Debug, Serialize)]
pub struct Report {
    pub documents_expected: usize,
    pub documents_found: usize,
    pub field_accuracy: f64,
    pub fields: BTreeMap<&'static str, Tally>,
    pub heading_precision: f64,
    pub heading_recall: f64,
    pub level_errors: usize,
    pub headings: HeadingCounts,
    pub doc_count_errors: Vec<String>,
    pub missing_documents: Vec<String>,
    pub noise_leaks: Vec<String>,
    pub mismatches: Vec<String>,
    pub files: BTreeMap<String, FileScore>,
    pub macro_average: MacroAverage,
    /// Gold files the dataset has no document of, and why.
    pub warnings: Vec<String>,
}

/// Figures are reported to three decimals, as the reference scorer does.
fn share(part: usize, whole: usize) -> f64 {
    round3(part as f64 / whole.max(1) as f64)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A heading text shortened for a mismatch line.
fn clip(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text.to_string()
    }
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "null".to_string(), |v| format!("{v:?}"))
}

/// Scores `dataset` against `gold`, counting headings down to `max_level` (for gold files that
/// list only the upper levels).
pub fn evaluate(gold: &Gold, dataset: &Dataset, max_level: i32) -> Report {
    let mut fields: BTreeMap<&'static str, Tally> =
        FIELDS.iter().map(|f| (*f, Tally::default())).collect();
    let mut counts = HeadingCounts::default();
    let mut files: BTreeMap<String, FileScore> = BTreeMap::new();
    let mut report = Report {
        documents_expected: gold.documents.len(),
        documents_found: 0,
        field_accuracy: 0.0,
        fields: BTreeMap::new(),
        heading_precision: 0.0,
        heading_recall: 0.0,
        level_errors: 0,
        headings: HeadingCounts::default(),
        doc_count_errors: Vec::new(),
        missing_documents: Vec::new(),
        noise_leaks: Vec::new(),
        mismatches: Vec::new(),
        files: BTreeMap::new(),
        macro_average: MacroAverage::default(),
        warnings: Vec::new(),
    };

    let named: BTreeSet<&str> = gold
        .files
        .keys()
        .map(String::as_str)
        .chain(gold.documents.iter().map(|d| d.file.as_str()))
        .collect();
    for &name in &named {
        let file = files.entry(name.to_string()).or_default();
        file.documents = dataset.of_file(name).count();
        if file.documents == 0 {
            let why = match dataset.sources.get(name) {
                Some((status, Some(reason))) => format!("{status}: {reason}"),
                Some((status, None)) => status.clone(),
                None => "no raw file of that name was read".to_string(),
            };
            report.warnings.push(format!(
                "{name}: the dataset has no document of this file ({why}); its gold documents count as missing"
            ));
        }
        let Some(expected) = gold.files.get(name) else {
            continue;
        };
        file.expected_documents = Some(expected.documents);
        if file.documents != expected.documents {
            report.doc_count_errors.push(format!(
                "{name}: {} documents, expected {}",
                file.documents, expected.documents
            ));
        }
        for noise in &expected.noise {
            for doc in dataset
                .of_file(name)
                .filter(|d| d.text.contains(noise.as_str()))
            {
                file.noise_leaks += 1;
                report
                    .noise_leaks
                    .push(format!("{name}#{}: {noise}", doc.part));
            }
        }
    }

    for g in &gold.documents {
        let file = files.get_mut(&g.file).expect("every gold file is listed");
        let id = format!("{}#{}", g.file, g.part);
        let found: Vec<&OutputDocument> = dataset
            .of_file(&g.file)
            .filter(|d| d.part == g.part)
            .collect();
        let [doc] = found[..] else {
            report.missing_documents.push(id);
            for tally in fields.values_mut() {
                tally.total += 1;
            }
            file.fields_total += FIELDS.len();
            counts.wanted += g.headings.len();
            file.headings_wanted += g.headings.len();
            continue;
        };
        report.documents_found += 1;
        for (field, got) in FIELDS.iter().zip(&doc.fields) {
            let (want, accepted) = g.accepted(field);
            let got = got.as_deref();
            let right = if *field == "date" {
                accepted.contains(&got)
            } else {
                let got = got.map(fold);
                accepted.iter().any(|a| a.map(fold) == got)
            };
            let tally = fields.get_mut(field).expect("a scored field");
            tally.total += 1;
            file.fields_total += 1;
            if right {
                tally.right += 1;
                file.fields_right += 1;
            } else {
                report.mismatches.push(format!(
                    "{id} {field}: got {} want {}",
                    shown(got),
                    shown(want)
                ));
            }
        }

        let got: Vec<&OutputHeading> = dataset
            .headings
            .get(&doc.doc_id)
            .map(|list| list.iter().filter(|h| h.level <= max_level).collect())
            .unwrap_or_default();
        // A text found twice keeps the level of its last occurrence, as in the reference scorer.
        let got_levels: HashMap<&str, i32> =
            got.iter().map(|h| (h.text.as_str(), h.level)).collect();
        let wanted: Vec<(i32, String, bool)> = g
            .headings
            .iter()
            .map(|h| (h.level, fold(&h.text), h.inline))
            .collect();
        counts.found += got.len();
        counts.wanted += wanted.len();
        file.headings_found += got.len();
        file.headings_wanted += wanted.len();
        for (level, text, inline) in &wanted {
            counts.inline_wanted += usize::from(*inline);
            match got_levels.get(text.as_str()) {
                Some(&found_level) => {
                    counts.matched += 1;
                    file.headings_matched += 1;
                    counts.inline_matched += usize::from(*inline);
                    if found_level != *level {
                        counts.level_errors += 1;
                        report.mismatches.push(format!(
                            "{id} heading level: got {found_level} want {level}: {}",
                            clip(text)
                        ));
                    }
                }
                None => report
                    .mismatches
                    .push(format!("{id} heading missing: {}", clip(text))),
            }
        }
        let wanted_texts: HashSet<&str> = wanted.iter().map(|(_, t, _)| t.as_str()).collect();
        for h in got
            .iter()
            .filter(|h| !wanted_texts.contains(h.text.as_str()))
        {
            counts.extra += 1;
            file.headings_extra += 1;
            report.mismatches.push(format!(
                "{id} heading extra: level {} {}",
                h.level,
                clip(&h.text)
            ));
        }
    }

    for tally in fields.values_mut() {
        tally.accuracy = share(tally.right, tally.total);
    }
    let right: usize = fields.values().map(|t| t.right).sum();
    let total: usize = fields.values().map(|t| t.total).sum();
    report.field_accuracy = share(right, total);
    report.heading_precision = share(counts.matched, counts.matched + counts.extra);
    report.heading_recall = share(counts.matched, counts.wanted);
    report.level_errors = counts.level_errors;
    report.fields = fields;
    report.headings = counts;

    let ratio = |part: usize, whole: usize| (whole > 0).then(|| part as f64 / whole as f64);
    let mean = |values: Vec<f64>| match values.len() {
        0 => 1.0,
        n => round3(values.iter().sum::<f64>() / n as f64),
    };
    let (mut field_shares, mut precisions, mut recalls) = (Vec::new(), Vec::new(), Vec::new());
    for file in files.values_mut() {
        let fields = ratio(file.fields_right, file.fields_total).unwrap_or(0.0);
        let precision = ratio(
            file.headings_matched,
            file.headings_matched + file.headings_extra,
        );
        let recall = ratio(file.headings_matched, file.headings_wanted);
        field_shares.push(fields);
        precisions.extend(precision);
        recalls.extend(recall);
        file.field_accuracy = round3(fields);
        file.heading_precision = precision.map(round3);
        file.heading_recall = recall.map(round3);
    }
    report.macro_average = MacroAverage {
        field_accuracy: mean(field_shares),
        heading_precision: mean(precisions),
        heading_recall: mean(recalls),
    };
    report.files = files;
    report
}

impl Report {
    /// The smaller of heading precision and recall: what `--min-headings` guards.
    pub fn heading_score(&self) -> f64 {
        self.heading_precision.min(self.heading_recall)
    }

    /// The report for a person: totals, then every problem, then the figures per file.
    pub fn to_text(&self) -> String {
        let mut r = String::new();
        let _ = writeln!(
            r,
            "documents: {} of {} gold documents found",
            self.documents_found, self.documents_expected
        );
        let _ = writeln!(r, "\nfields (share right)");
        for field in FIELDS {
            let t = &self.fields[field];
            let _ = writeln!(
                r,
                "  {field:<14}{:>5}/{:<5}{:.3}",
                t.right, t.total, t.accuracy
            );
        }
        let (right, total) = self
            .fields
            .values()
            .fold((0, 0), |(r, t), f| (r + f.right, t + f.total));
        let _ = writeln!(
            r,
            "  {:<14}{right:>5}/{total:<5}{:.3}",
            "all", self.field_accuracy
        );

        let with_count = self
            .files
            .values()
            .filter(|f| f.expected_documents.is_some())
            .count();
        let _ = writeln!(
            r,
            "\ndocuments per file: {} of {with_count} files right",
            with_count - self.doc_count_errors.len()
        );
        for e in &self.doc_count_errors {
            let _ = writeln!(r, "  {e}");
        }
        for m in &self.missing_documents {
            let _ = writeln!(r, "  missing: {m}");
        }

        let h = &self.headings;
        let _ = writeln!(
            r,
            "\nheadings: precision {:.3}  recall {:.3}  level errors {}  (found {}, wanted {}, matched {}; inline {} of {})",
            self.heading_precision,
            self.heading_recall,
            self.level_errors,
            h.found,
            h.wanted,
            h.matched,
            h.inline_matched,
            h.inline_wanted
        );

        let _ = writeln!(r, "\nnoise: {} strings survived", self.noise_leaks.len());
        for leak in &self.noise_leaks {
            let _ = writeln!(r, "  {leak}");
        }

        let _ = writeln!(r, "\nmismatches: {}", self.mismatches.len());
        for m in &self.mismatches {
            let _ = writeln!(r, "  {m}");
        }

        let width = self
            .files
            .keys()
            .map(|k| k.len())
            .max()
            .unwrap_or(4)
            .max(13);
        let _ = writeln!(
            r,
            "\nper file\n  {:<width$}  docs   fields  heading P  heading R  noise",
            "file"
        );
        for (name, f) in &self.files {
            let docs = match f.expected_documents {
                Some(expected) => format!("{}/{expected}", f.documents),
                None => f.documents.to_string(),
            };
            let figure = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.3}"));
            let _ = writeln!(
                r,
                "  {name:<width$}  {docs:<5}  {:.3}  {:>9}  {:>9}  {:>5}",
                f.field_accuracy,
                figure(f.heading_precision),
                figure(f.heading_recall),
                f.noise_leaks
            );
        }
        let m = &self.macro_average;
        let _ = writeln!(
            r,
            "  {:<width$}  {:<5}  {:.3}  {:>9.3}  {:>9.3}",
            "macro average", "", m.field_accuracy, m.heading_precision, m.heading_recall
        );
        let _ = writeln!(
            r,
            "  (–: no heading found, or none in the gold; left out of the macro average)"
        );
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_normalises_width_space_quotes_and_final_stops() {
        assert_eq!(
            fold("一、 正确处理好“带头干”。"),
            "一、正确处理好\"带头干\""
        );
        assert_eq!(fold("（一）ＡＢ，１２\u{3000}x．"), "(一)AB,12x");
        assert_eq!(fold("你好。。.."), "你好");
    }

    #[test]
    fn a_missing_or_mistyped_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.json");
        let doc = r#"{"file": "a.txt", "part": 1, "speaker": null, "speaker_role": null,
            "date": null, "occasion": null, "genre": "讲话", "headings": []}"#;
        std::fs::write(&path, format!(r#"{{"files": {{}}, "documents": [{doc}]}}"#)).unwrap();
        let err = read_gold(&path).unwrap_err().to_string();
        assert!(
            err.contains("documents[0]") && err.contains("`title`"),
            "{err}"
        );

        let doc = doc.replace(r#""part": 1"#, r#""part": "one""#);
        std::fs::write(&path, format!(r#"{{"files": {{}}, "documents": [{doc}]}}"#)).unwrap();
        let err = read_gold(&path).unwrap_err().to_string();
        assert!(err.contains("documents[0].part"), "{err}");
    }
}
