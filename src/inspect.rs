//! `pipeline inspect DOC`: why one document is what it is. Reads the stage artifacts (which keep the
//! full model) and prints the metadata with the evidence for each field, the lines cleaning removed
//! or changed and the rule behind each, the section outline, and the copies of the document.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::artifact::{read_jsonl, stage_dir};
use crate::io::documents::tagged_documents;
use crate::model::{Document, SourceRecord};
use crate::progress::counted;
use crate::schema::typed_column;

/// A doc_id prefix this long or longer picks the documents whose id starts with it.
const MIN_ID_PREFIX: usize = 4;

/// The report for every document whose id (or an id's first characters) or source file is
/// `query`; a source file may be named as the user has it (`raw/x.txt`, an absolute path, with the
/// raw folder `raw`). A file that gave no document in the dataset (rejected, a copy) is reported
/// from `sources`, with why.
pub fn inspect(work: &Path, raw: &Path, query: &str) -> Result<String> {
    let wanted = Query::new(raw, query);
    let file = &wanted.file;
    let mut matches = Vec::new();
    let mut near_copies: Vec<(String, String, f64)> = Vec::new();
    for doc in tagged_documents(work)? {
        let doc = doc?;
        if let (Some(of), Some(similarity)) =
            (&doc.near_duplicate_of, doc.near_duplicate_similarity)
        {
            near_copies.push((of.clone(), doc.doc_id.clone(), similarity));
        }
        if wanted.matches(&doc.doc_id, &doc.source_file) {
            matches.push(doc);
        }
    }
    let sources: Vec<SourceRecord> =
        read_jsonl(&stage_dir(work, "dedupe").join("sources.jsonl"))?.collect::<Result<_>>()?;
    if matches.is_empty() {
        if let Some(source) = sources.iter().find(|s| &s.source_file == file) {
            return Ok(report_source(source));
        }
        return Err(Error::Stage {
            stage: "inspect",
            reason: format!(
                "no document has the id or source file `{query}` in {}",
                work.display()
            ),
        });
    }
    let wanted: Vec<&str> = matches.iter().map(|d| d.doc_id.as_str()).collect();
    let sections = outline_rows(
        &stage_dir(work, "sectionize").join("sections.parquet"),
        &wanted,
    )?;

    let mut report = String::new();
    for doc in &matches {
        report_document(&mut report, doc, &sections, &sources, &near_copies);
    }
    Ok(report)
}

/// What `pipeline inspect` was asked for: a doc_id or its first characters, or a source file.
pub(crate) struct Query {
    query: String,
    /// The query as a source file's name in the dataset (`source_name`).
    pub file: String,
    /// Long enough and hexadecimal: it may be a doc_id's first characters.
    id_prefix: bool,
}

impl Query {
    /// The query `query`, a source file named with the raw folder `raw`.
    pub fn new(raw: &Path, query: &str) -> Query {
        Query {
            query: query.to_string(),
            file: source_name(raw, query),
            id_prefix: query.len() >= MIN_ID_PREFIX && query.bytes().all(|b| b.is_ascii_hexdigit()),
        }
    }

    /// Whether it names the document `doc_id` from `source_file`.
    pub fn matches(&self, doc_id: &str, source_file: &str) -> bool {
        source_file == self.file || self.id_prefix && doc_id.starts_with(&self.query)
    }
}

/// `query` as a source file's name in the dataset (relative to the raw folder, `/` separators):
/// the raw folder's path or name taken off the front, `./` too.
fn source_name(raw: &Path, query: &str) -> String {
    let path = Path::new(query);
    let absolute = |p: &Path| std::fs::canonicalize(p).ok();
    if let (Some(file), Some(folder)) = (absolute(path), absolute(raw))
        && let Ok(inside) = file.strip_prefix(&folder)
    {
        return inside.to_string_lossy().replace('\\', "/");
    }
    let query = query.strip_prefix("./").unwrap_or(query);
    let folder = raw.to_string_lossy();
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    query
        .strip_prefix(folder)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(query)
        .to_string()
}

/// A raw file that gave no document in the dataset: what became of it and why.
fn report_source(source: &SourceRecord) -> String {
    let mut r = format!(
        "file {}  ({}, {} bytes)\n  {}",
        source.source_file,
        source.encoding.as_deref().unwrap_or("not decoded"),
        source.bytes,
        source.status
    );
    if let Some(reason) = &source.reason {
        let _ = write!(r, ": {reason}");
    }
    r.push('\n');
    if !source.duplicate_of.is_empty() {
        let _ = writeln!(
            r,
            "  its documents copy {} (inspect those for their metadata)",
            source.duplicate_of.join(", ")
        );
    }
    r
}

fn report_document(
    r: &mut String,
    doc: &Document,
    sections: &[OutlineRow],
    sources: &[SourceRecord],
    near_copies: &[(String, String, f64)],
) {
    let _ = writeln!(
        r,
        "document {}  ({} part {}, {})",
        doc.doc_id, doc.source_file, doc.part, doc.encoding
    );
    report_metadata(r, doc);
    report_cleaning(r, doc);
    report_outline(r, doc, sections);
    report_copies(r, doc, sources, near_copies);
    let _ = writeln!(r);
}

/// Each field with the words it came from, then counts and flags.
fn report_metadata(r: &mut String, doc: &Document) {
    let meta = doc.meta.clone().unwrap_or_default();
    let fields: [(&str, Option<String>); 11] = [
        ("title", meta.title.clone()),
        ("speaker", meta.speaker.clone()),
        ("speaker_role", meta.speaker_role.clone()),
        (
            "date",
            meta.date
                .clone()
                .map(|d| format!("{d} ({})", meta.date_precision.clone().unwrap_or_default())),
        ),
        ("occasion", meta.occasion.clone()),
        ("genre", Some(meta.genre.clone())),
        ("source", meta.source.clone()),
        ("source_column", meta.column.clone()),
        ("collection", doc.collection.clone()),
        (
            "region",
            (!meta.region.is_empty()).then(|| meta.region.join("、")),
        ),
        (
            "keywords",
            (!meta.keywords.is_empty()).then(|| meta.keywords.join("、")),
        ),
    ];
    let _ = writeln!(r, "\nmetadata (value  ← evidence)");
    for (name, value) in fields {
        let value = value.unwrap_or_else(|| "—".into());
        match meta.evidence.get(name) {
            Some(evidence) => {
                let _ = writeln!(
                    r,
                    "  {name:<13} {value}\n  {:<13} ← {}",
                    "",
                    evidence.replace('\n', " ⏎ ")
                );
            }
            None => {
                let _ = writeln!(r, "  {name:<13} {value}");
            }
        }
    }
    let _ = writeln!(
        r,
        "  counts        {}, {}, {}; body from paragraph {}",
        counted(doc.text.chars().count() as u64, "character", "characters"),
        counted(meta.paragraph_count, "paragraph", "paragraphs"),
        counted(meta.token_count, "token", "tokens"),
        meta.body_start
    );
    let _ = writeln!(
        r,
        "  flags         {}",
        if doc.flags.is_empty() {
            "—".into()
        } else {
            doc.flags.join(", ")
        }
    );
}

/// How much of an edited line is shown.
const EDIT_CHARS: usize = 60;

/// The same window of a changed line before and after: from a little before the first character
/// that differs, so that a change late in a long line shows (…提出,把 → …提出，把).
fn around_first_difference(before: &str, after: &str) -> (String, String) {
    let same = before
        .chars()
        .zip(after.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let start = same.saturating_sub(EDIT_CHARS / 4);
    let window = |text: &str| {
        let shown: String = text.chars().skip(start).take(EDIT_CHARS).collect();
        match start {
            0 => shown,
            _ => format!("…{shown}"),
        }
    };
    (window(before), window(after))
}

/// Every line cleaning removed or changed, and the rule that did it.
fn report_cleaning(r: &mut String, doc: &Document) {
    let _ = writeln!(
        r,
        "\ncleaning ({} removed or changed)",
        counted(doc.edits.len() as u64, "line", "lines")
    );
    for edit in &doc.edits {
        match &edit.after {
            None => {
                let before: String = edit.before.chars().take(EDIT_CHARS).collect();
                let _ = writeln!(
                    r,
                    "  line {:>4}  {:<20} removed  {before}",
                    edit.line, edit.rule
                );
            }
            Some(after) => {
                let (before, after) = around_first_difference(&edit.before, after);
                let _ = writeln!(
                    r,
                    "  line {:>4}  {:<20} changed  {before}\n  {:>30}→ {}",
                    edit.line,
                    edit.rule,
                    "",
                    after.replace('\n', " ⏎ ")
                );
            }
        }
    }
}

fn report_outline(r: &mut String, doc: &Document, sections: &[OutlineRow]) {
    let outline: Vec<&OutlineRow> = sections.iter().filter(|s| s.doc_id == doc.doc_id).collect();
    let sections = counted(outline.len() as u64, "section", "sections");
    let _ = writeln!(r, "\noutline ({sections})");
    for s in outline {
        let indent = "  ".repeat(s.level.max(1) as usize);
        let label = match (&s.heading, s.level) {
            (Some(heading), _) => heading.clone(),
            (None, _) if s.char_start == 0 => "[preamble]".into(),
            (None, _) => "[closing]".into(),
        };
        let _ = writeln!(
            r,
            "{indent}{} L{} {label}  [{}..{})",
            s.path.as_deref().unwrap_or("-"),
            s.level,
            s.char_start,
            s.char_end
        );
    }
}

/// The files that were copies of this document, its near copies, and what it is a copy of.
fn report_copies(
    r: &mut String,
    doc: &Document,
    sources: &[SourceRecord],
    near_copies: &[(String, String, f64)],
) {
    let _ = writeln!(r, "\ncopies");
    let mut any = false;
    for source in sources
        .iter()
        .filter(|s| s.duplicate_of.contains(&doc.doc_id))
    {
        any = true;
        let _ = writeln!(
            r,
            "  {} ({}): {}",
            source.source_file,
            source.status,
            source.reason.as_deref().unwrap_or("")
        );
    }
    for (_, copy, similarity) in near_copies.iter().filter(|(of, _, _)| *of == doc.doc_id) {
        any = true;
        let _ = writeln!(r, "  near copy {copy} (similarity {similarity:.3})");
    }
    if let (Some(of), Some(similarity)) = (&doc.near_duplicate_of, doc.near_duplicate_similarity) {
        any = true;
        let _ = writeln!(
            r,
            "  this is a near copy of {of} (similarity {similarity:.3})"
        );
    }
    if !any {
        let _ = writeln!(r, "  none");
    }
}

/// What the report shows of a section (a row of the sections table).
struct OutlineRow {
    doc_id: String,
    level: i32,
    path: Option<String>,
    heading: Option<String>,
    char_start: i32,
    char_end: i32,
}

/// The sections of the wanted documents, read from the sections table.
fn outline_rows(path: &Path, wanted: &[&str]) -> Result<Vec<OutlineRow>> {
    use arrow::array::{Array, Int32Array, StringArray};
    let mut rows = Vec::new();
    for batch in crate::io::parquet::read_batches(path)? {
        let batch = batch?;
        let missing = |name: &str| Error::BadFile {
            path: path.to_path_buf(),
            reason: format!("no column {name} of the sections schema"),
        };
        let text =
            |name: &str| typed_column::<StringArray>(&batch, name).ok_or_else(|| missing(name));
        let int =
            |name: &str| typed_column::<Int32Array>(&batch, name).ok_or_else(|| missing(name));
        let (doc_id, path_, heading) = (text("doc_id")?, text("path")?, text("heading")?);
        let (level, start, end) = (int("level")?, int("char_start")?, int("char_end")?);
        let optional =
            |array: &StringArray, i: usize| array.is_valid(i).then(|| array.value(i).to_string());
        for i in 0..batch.num_rows() {
            if wanted.contains(&doc_id.value(i)) {
                rows.push(OutlineRow {
                    doc_id: doc_id.value(i).to_string(),
                    level: level.value(i),
                    path: optional(path_, i),
                    heading: optional(heading, i),
                    char_start: start.value(i),
                    char_end: end.value(i),
                });
            }
        }
    }
    Ok(rows)
}
