//! `pipeline inspect DOC`: why one document is what it is. Reads the stage artifacts (which keep the
//! full model) and prints the metadata with the evidence for each field, the lines cleaning removed
//! or changed and the rule behind each, the section outline, and the copies of the document.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::artifact::{read_jsonl, stage_dir};
use crate::io::documents::tagged_documents;
use crate::model::{Document, SourceRecord};
use crate::schema::typed_column;

/// The report for every document whose id or source file is `query`.
pub fn inspect(work: &Path, query: &str) -> Result<String> {
    let mut matches = Vec::new();
    let mut near_copies: Vec<(String, String, f64)> = Vec::new();
    for doc in tagged_documents(work)? {
        let doc = doc?;
        if let (Some(of), Some(similarity)) =
            (&doc.near_duplicate_of, doc.near_duplicate_similarity)
        {
            near_copies.push((of.clone(), doc.doc_id.clone(), similarity));
        }
        if doc.doc_id == query || doc.source_file == query {
            matches.push(doc);
        }
    }
    if matches.is_empty() {
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
    let sources: Vec<SourceRecord> =
        read_jsonl(&stage_dir(work, "dedupe").join("sources.jsonl"))?.collect::<Result<_>>()?;

    let mut report = String::new();
    for doc in &matches {
        report_document(&mut report, doc, &sections, &sources, &near_copies);
    }
    Ok(report)
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
        "  counts        {} characters, {} paragraphs, {} tokens; body from paragraph {}",
        doc.text.chars().count(),
        meta.paragraph_count,
        meta.token_count,
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

/// Every line cleaning removed or changed, and the rule that did it.
fn report_cleaning(r: &mut String, doc: &Document) {
    let _ = writeln!(
        r,
        "\ncleaning ({} lines removed or changed)",
        doc.edits.len()
    );
    for edit in &doc.edits {
        let before: String = edit.before.chars().take(60).collect();
        match &edit.after {
            None => {
                let _ = writeln!(
                    r,
                    "  line {:>4}  {:<20} removed  {before}",
                    edit.line, edit.rule
                );
            }
            Some(after) => {
                let after: String = after.chars().take(60).collect();
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
    let _ = writeln!(r, "\noutline ({} sections)", outline.len());
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
