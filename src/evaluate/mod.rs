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
//! long report with many headings would otherwise hide many short texts done wrong. `gold` reads
//! the gold file, `dataset` the tables; this file scores and reports.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

mod dataset;
mod gold;

pub use dataset::Dataset;
use dataset::{OutputDocument, OutputHeading};
pub use gold::{Gold, GoldDocument, GoldFile, GoldHeading, fold, read_gold};

/// The scored fields, in the order they are reported.
pub const FIELDS: [&str; 6] = [
    "title",
    "speaker",
    "speaker_role",
    "date",
    "occasion",
    "genre",
];

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
    let mut report = Report::new(gold.documents.len());
    count_files(gold, dataset, &mut report);
    for g in &gold.documents {
        let found: Vec<&OutputDocument> = dataset
            .of_file(&g.file)
            .filter(|d| d.part == g.part)
            .collect();
        match found[..] {
            [doc] => {
                report.documents_found += 1;
                score_fields(g, doc, &mut report);
                let headings = dataset.headings_of(&doc.doc_id, max_level);
                score_headings(g, &headings, &mut report);
            }
            _ => missing(g, &mut report),
        }
    }
    report.add_up();
    report
}

/// Documents per file and noise left, for every file the gold names; a warning for each file the
/// dataset has no document of.
fn count_files(gold: &Gold, dataset: &Dataset, report: &mut Report) {
    let named: BTreeSet<&str> = gold
        .files
        .keys()
        .map(String::as_str)
        .chain(gold.documents.iter().map(|d| d.file.as_str()))
        .collect();
    for &name in &named {
        let file = report.files.entry(name.to_string()).or_default();
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
}

/// A gold document the dataset lacks: every field wrong, every heading unfound.
fn missing(g: &GoldDocument, report: &mut Report) {
    report
        .missing_documents
        .push(format!("{}#{}", g.file, g.part));
    for tally in report.fields.values_mut() {
        tally.total += 1;
    }
    report.headings.wanted += g.headings.len();
    let file = report.files.entry(g.file.clone()).or_default();
    file.fields_total += FIELDS.len();
    file.headings_wanted += g.headings.len();
}

fn score_fields(g: &GoldDocument, doc: &OutputDocument, report: &mut Report) {
    let file = report.files.entry(g.file.clone()).or_default();
    for (field, got) in FIELDS.iter().zip(&doc.fields) {
        let (want, accepted) = g.accepted(field);
        let got = got.as_deref();
        let right = if *field == "date" {
            accepted.contains(&got)
        } else {
            let got = got.map(fold);
            accepted.iter().any(|a| a.map(fold) == got)
        };
        let tally = report.fields.entry(field).or_default();
        tally.total += 1;
        file.fields_total += 1;
        if right {
            tally.right += 1;
            file.fields_right += 1;
        } else {
            report.mismatches.push(format!(
                "{}#{} {field}: got {} want {}",
                g.file,
                g.part,
                shown(got),
                shown(want)
            ));
        }
    }
}

/// The document's headings as a set of folded texts against the gold's.
fn score_headings(g: &GoldDocument, got: &[&OutputHeading], report: &mut Report) {
    let id = format!("{}#{}", g.file, g.part);
    let file = report.files.entry(g.file.clone()).or_default();
    let counts = &mut report.headings;
    // A text found twice keeps the level of its last occurrence, as in the reference scorer.
    let got_levels: HashMap<&str, i32> = got.iter().map(|h| (h.text.as_str(), h.level)).collect();
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
        let Some(&found_level) = got_levels.get(text.as_str()) else {
            report
                .mismatches
                .push(format!("{id} heading missing: {}", clip(text)));
            continue;
        };
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

impl Report {
    fn new(documents_expected: usize) -> Self {
        Report {
            documents_expected,
            documents_found: 0,
            field_accuracy: 0.0,
            fields: FIELDS.iter().map(|f| (*f, Tally::default())).collect(),
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
        }
    }

    /// The shares from the counts: totals, per file, and their macro average.
    fn add_up(&mut self) {
        for tally in self.fields.values_mut() {
            tally.accuracy = share(tally.right, tally.total);
        }
        let right: usize = self.fields.values().map(|t| t.right).sum();
        let total: usize = self.fields.values().map(|t| t.total).sum();
        self.field_accuracy = share(right, total);
        let h = &self.headings;
        self.heading_precision = share(h.matched, h.matched + h.extra);
        self.heading_recall = share(h.matched, h.wanted);
        self.level_errors = h.level_errors;

        let ratio = |part: usize, whole: usize| (whole > 0).then(|| part as f64 / whole as f64);
        let mean = |values: Vec<f64>| match values.len() {
            0 => 1.0,
            n => round3(values.iter().sum::<f64>() / n as f64),
        };
        let (mut field_shares, mut precisions, mut recalls) = (Vec::new(), Vec::new(), Vec::new());
        for file in self.files.values_mut() {
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
        self.macro_average = MacroAverage {
            field_accuracy: mean(field_shares),
            heading_precision: mean(precisions),
            heading_recall: mean(recalls),
        };
    }
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

        self.write_files(&mut r);
        r
    }

    /// The figures of every file, and their macro average.
    fn write_files(&self, r: &mut String) {
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
    }
}
