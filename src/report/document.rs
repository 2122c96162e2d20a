//! One document's page of the report (`report/<doc_id>.html`, or `pipeline inspect --html`): its
//! metadata beside the evidence for each field, its text with that evidence marked where it
//! stands, its outline as a tree linked to the paragraphs, and its cleaning edits. Read from the
//! published tables only (documents, sections), so any copy of the dataset can draw it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use arrow::array::{
    Array, Date32Array, Int32Array, Int64Array, ListArray, RecordBatch, StringArray, StructArray,
};

use super::{escape, page};
use crate::error::Result;
use crate::io::parquet::read_rows;
use crate::schema::typed_column;

/// Rows decoded at a time: a document's text can be large, so batches stay small.
const BATCH_DOCUMENTS: usize = 256;

/// Edits listed on a page; the rest are counted (`pipeline inspect` lists them all).
const MAX_EDITS: usize = 300;

/// The metadata fields in the order the page lists them.
const FIELDS: [&str; 10] = [
    "title",
    "speaker",
    "speaker_role",
    "date",
    "occasion",
    "genre",
    "source",
    "source_column",
    "collection",
    "region",
];

/// What a page shows of a document (a row of the documents table).
#[derive(Debug, Default)]
struct Shown {
    doc_id: String,
    source_file: String,
    part: i32,
    values: BTreeMap<&'static str, String>,
    keywords: Vec<String>,
    quality_flags: Vec<String>,
    near_duplicate_of: Option<String>,
    text: String,
    evidence: Vec<(String, String)>,
    edits: Vec<Edit>,
}

#[derive(Debug)]
struct Edit {
    line: i32,
    rule: String,
    before: String,
    after: Option<String>,
}

/// A headed section of the outline (a row of the sections table).
#[derive(Debug)]
struct Heading {
    section_id: String,
    parent_id: Option<String>,
    heading: String,
    path: String,
    paragraph_start: i32,
}

/// The pages of the documents `wanted` of the dataset folder `out`, as (doc_id, page), in doc_id
/// order. `back` links each page to the dataset's report (empty for none).
pub fn pages(out: &Path, wanted: &BTreeSet<String>, back: &str) -> Result<Vec<(String, String)>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let outlines = outlines(out, wanted)?;
    let columns: Vec<&str> = ["doc_id", "source_file", "part"]
        .into_iter()
        .chain(FIELDS)
        .chain([
            "keywords",
            "text",
            "quality_flags",
            "near_duplicate_of",
            "evidence",
            "cleaning_edits",
        ])
        .collect();
    let path = out.join("documents.parquet");
    let mut pages = Vec::new();
    for batch in read_rows(
        &path,
        &columns,
        Some(("doc_id", wanted.clone())),
        BATCH_DOCUMENTS,
    )? {
        let batch = batch?;
        for i in 0..batch.num_rows() {
            let doc = shown(&batch, i);
            let empty = Vec::new();
            let outline = outlines.get(&doc.doc_id).unwrap_or(&empty);
            pages.push((doc.doc_id.clone(), render(&doc, outline, back)));
        }
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pages)
}

/// The headed sections of each wanted document, in document order.
fn outlines(out: &Path, wanted: &BTreeSet<String>) -> Result<BTreeMap<String, Vec<Heading>>> {
    let columns = [
        "doc_id",
        "section_id",
        "parent_id",
        "path",
        "heading",
        "paragraph_start",
    ];
    let path = out.join("sections.parquet");
    let mut outlines: BTreeMap<String, Vec<Heading>> = BTreeMap::new();
    for batch in read_rows(&path, &columns, Some(("doc_id", wanted.clone())), 64 * 1024)? {
        let batch = batch?;
        for i in 0..batch.num_rows() {
            let Some(heading) = string(&batch, "heading", i) else {
                continue;
            };
            let doc_id = string(&batch, "doc_id", i).unwrap_or_default();
            outlines.entry(doc_id).or_default().push(Heading {
                section_id: string(&batch, "section_id", i).unwrap_or_default(),
                parent_id: string(&batch, "parent_id", i),
                heading,
                path: string(&batch, "path", i).unwrap_or_default(),
                paragraph_start: int32(&batch, "paragraph_start", i),
            });
        }
    }
    Ok(outlines)
}

pub(super) fn string(batch: &RecordBatch, name: &str, i: usize) -> Option<String> {
    let column = typed_column::<StringArray>(batch, name)?;
    column.is_valid(i).then(|| column.value(i).to_string())
}

pub(super) fn int32(batch: &RecordBatch, name: &str, i: usize) -> i32 {
    typed_column::<Int32Array>(batch, name).map_or(0, |c| c.value(i))
}

pub(super) fn strings(batch: &RecordBatch, name: &str, i: usize) -> Vec<String> {
    let Some(lists) = typed_column::<ListArray>(batch, name) else {
        return Vec::new();
    };
    let items = lists.value(i);
    let Some(items) = items.as_any().downcast_ref::<StringArray>() else {
        return Vec::new();
    };
    items.iter().flatten().map(str::to_string).collect()
}

/// The struct items of a list column, each as its string fields in order (a null as `None`).
fn structs(batch: &RecordBatch, name: &str, i: usize) -> Vec<Vec<Option<String>>> {
    let Some(lists) = typed_column::<ListArray>(batch, name) else {
        return Vec::new();
    };
    let items = lists.value(i);
    let Some(items) = items.as_any().downcast_ref::<StructArray>() else {
        return Vec::new();
    };
    (0..items.len())
        .map(|row| {
            items
                .columns()
                .iter()
                .map(|field| {
                    if let Some(s) = field.as_any().downcast_ref::<StringArray>() {
                        s.is_valid(row).then(|| s.value(row).to_string())
                    } else if let Some(n) = field.as_any().downcast_ref::<Int32Array>() {
                        Some(n.value(row).to_string())
                    } else {
                        let n = field.as_any().downcast_ref::<Int64Array>();
                        n.map(|n| n.value(row).to_string())
                    }
                })
                .collect()
        })
        .collect()
}

fn shown(batch: &RecordBatch, i: usize) -> Shown {
    let mut values = BTreeMap::new();
    for field in FIELDS {
        let value = match field {
            "date" => typed_column::<Date32Array>(batch, "date")
                .filter(|c| c.is_valid(i))
                .and_then(|c| c.value_as_date(i))
                .map(|d| d.to_string()),
            "region" => Some(strings(batch, "region", i).join(", ")).filter(|r| !r.is_empty()),
            field => string(batch, field, i),
        };
        if let Some(value) = value {
            values.insert(field, value);
        }
    }
    let evidence = structs(batch, "evidence", i)
        .into_iter()
        .filter_map(|item| match item.as_slice() {
            [Some(field), Some(text)] => Some((field.clone(), text.clone())),
            _ => None,
        })
        .collect();
    let edits = structs(batch, "cleaning_edits", i)
        .into_iter()
        .filter_map(|item| match item.as_slice() {
            [line, Some(rule), Some(before), after] => Some(Edit {
                line: line.as_deref().and_then(|l| l.parse().ok()).unwrap_or(0),
                rule: rule.clone(),
                before: before.clone(),
                after: after.clone(),
            }),
            _ => None,
        })
        .collect();
    Shown {
        doc_id: string(batch, "doc_id", i).unwrap_or_default(),
        source_file: string(batch, "source_file", i).unwrap_or_default(),
        part: int32(batch, "part", i),
        values,
        keywords: strings(batch, "keywords", i),
        quality_flags: strings(batch, "quality_flags", i),
        near_duplicate_of: string(batch, "near_duplicate_of", i),
        text: string(batch, "text", i).unwrap_or_default(),
        evidence,
        edits,
    }
}

/// A CSS class name for a field (letters and `_` only: the field comes from the data).
fn class(field: &str) -> String {
    let name: String = field
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    format!("f-{name}")
}

fn render(doc: &Shown, outline: &[Heading], back: &str) -> String {
    let mut body = String::new();
    if !back.is_empty() {
        let _ = writeln!(
            body,
            "<p><a href=\"{}\">← the dataset</a></p>",
            escape(back)
        );
    }
    let title = doc
        .values
        .get("title")
        .cloned()
        .unwrap_or_else(|| "(no title)".into());
    let _ = writeln!(
        body,
        "<h1>{}</h1>\n<p class=\"lead\"><code>{}</code> · {} part {}</p>",
        escape(&title),
        escape(&doc.doc_id),
        escape(&doc.source_file),
        doc.part
    );
    body.push_str(&metadata(doc));
    body.push_str(&outline_tree(outline));
    body.push_str(&marked_text(&doc.text, &doc.evidence));
    body.push_str(&edits(&doc.edits));
    page(&title, &body)
}

/// The metadata table: each field's value and the evidence it was read from.
fn metadata(doc: &Shown) -> String {
    let mut html = String::from(
        "<section><h2>Metadata</h2>\n<table class=\"metadata\"><tr><th>field</th><th>value</th>\
         <th>evidence</th></tr>\n",
    );
    for field in FIELDS {
        let value = doc.values.get(field);
        let evidence: Vec<&str> = doc
            .evidence
            .iter()
            .filter(|(f, _)| f == field || (field == "date" && f == "date_year"))
            .map(|(_, text)| text.as_str())
            .collect();
        let shown_evidence = evidence
            .iter()
            .map(|text| {
                let where_ = if doc.text.contains(text) {
                    ""
                } else {
                    " <small>(not in the text: a line cleaning set aside, or a page fact)</small>"
                };
                format!(
                    "<mark class=\"{}\">{}</mark>{where_}",
                    class(field),
                    escape(text)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            html,
            "<tr><td>{field}</td><td>{}</td><td>{shown_evidence}</td></tr>",
            value.map_or_else(|| "—".to_string(), |v| escape(v))
        );
    }
    for (label, values) in [
        ("keywords", &doc.keywords),
        ("quality_flags", &doc.quality_flags),
    ] {
        let _ = writeln!(
            html,
            "<tr><td>{label}</td><td>{}</td><td></td></tr>",
            escape(&values.join(", "))
        );
    }
    if let Some(of) = &doc.near_duplicate_of {
        let _ = writeln!(
            html,
            "<tr><td>near_duplicate_of</td><td><code>{}</code></td><td></td></tr>",
            escape(of)
        );
    }
    html.push_str("</table></section>\n");
    html
}

/// The outline as nested lists, each heading linked to its paragraph in the text.
fn outline_tree(outline: &[Heading]) -> String {
    let mut html = String::from("<section><h2>Outline</h2>\n");
    if outline.is_empty() {
        html.push_str("<p>No headings.</p></section>\n");
        return html;
    }
    let mut children: BTreeMap<Option<&str>, Vec<&Heading>> = BTreeMap::new();
    let headed: BTreeSet<&str> = outline.iter().map(|h| h.section_id.as_str()).collect();
    for heading in outline {
        // A headed section under an unheaded one (none today) stands at the top.
        let parent = heading.parent_id.as_deref().filter(|p| headed.contains(p));
        children.entry(parent).or_default().push(heading);
    }
    tree(&mut html, &children, None);
    html.push_str("</section>\n");
    html
}

fn tree(html: &mut String, children: &BTreeMap<Option<&str>, Vec<&Heading>>, of: Option<&str>) {
    let Some(items) = children.get(&of) else {
        return;
    };
    html.push_str("<ul class=\"outline\">\n");
    for heading in items {
        let _ = write!(
            html,
            "<li><a href=\"#p{}\"><span class=\"path\">{}</span> {}</a>",
            heading.paragraph_start,
            escape(&heading.path),
            escape(&heading.heading)
        );
        tree(html, children, Some(heading.section_id.as_str()));
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n");
}

/// The text, one `<p id="pN">` per paragraph, with every evidence string marked where it first
/// stands (a stretch two fields share carries both classes).
fn marked_text(text: &str, evidence: &[(String, String)]) -> String {
    // Byte offsets where the set of fields covering the text changes.
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for (field, needle) in evidence {
        if let Some(start) = (!needle.is_empty())
            .then(|| text.find(needle.as_str()))
            .flatten()
        {
            spans.push((start, start + needle.len(), field.as_str()));
        }
    }
    let mut cuts: BTreeSet<usize> = [0, text.len()].into();
    for (start, end, _) in &spans {
        cuts.insert(*start);
        cuts.insert(*end);
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    let mut html = String::from("<section><h2>Text</h2>\n<div class=\"text\">\n<p id=\"p0\">");
    let mut paragraph = 0;
    for window in cuts.windows(2) {
        let (from, to) = (window[0], window[1]);
        let mut fields: Vec<&str> = spans
            .iter()
            .filter(|(start, end, _)| *start <= from && to <= *end)
            .map(|(_, _, field)| *field)
            .collect();
        fields.sort_unstable();
        fields.dedup();
        let open = (!fields.is_empty()).then(|| {
            let classes: Vec<String> = fields.iter().map(|f| class(f)).collect();
            format!(
                "<mark class=\"{}\" title=\"{}\">",
                classes.join(" "),
                escape(&fields.join(", "))
            )
        });
        for (k, line) in text[from..to].split('\n').enumerate() {
            if k > 0 {
                paragraph += 1;
                let _ = write!(html, "</p>\n<p id=\"p{paragraph}\">");
            }
            if line.is_empty() {
                continue;
            }
            match &open {
                Some(open) => {
                    let _ = write!(html, "{open}{}</mark>", escape(line));
                }
                None => html.push_str(&escape(line)),
            }
        }
    }
    html.push_str("</p>\n</div></section>\n");
    html
}

/// The cleaning edits: the raw line, the rule, what it became.
fn edits(edits: &[Edit]) -> String {
    let mut html = format!(
        "<section><h2>Cleaning edits ({})</h2>\n",
        crate::progress::counted(edits.len() as u64, "edit", "edits")
    );
    if edits.is_empty() {
        html.push_str("</section>\n");
        return html;
    }
    html.push_str(
        "<table class=\"edits\"><tr><th>line</th><th>rule</th><th>before</th><th>after</th></tr>\n",
    );
    for edit in edits.iter().take(MAX_EDITS) {
        let after = edit
            .after
            .as_deref()
            .map_or_else(|| "<em>removed</em>".to_string(), escape);
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{after}</td></tr>",
            edit.line,
            escape(&edit.rule),
            escape(&edit.before)
        );
    }
    html.push_str("</table>\n");
    if edits.len() > MAX_EDITS {
        let _ = writeln!(
            html,
            "<p>… and {} more: <code>pipeline inspect</code> lists them all.</p>",
            edits.len() - MAX_EDITS
        );
    }
    html.push_str("</section>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_marked_where_it_stands_and_shared_stretches_carry_both_fields() {
        let text = "在全市工作会议上的讲话\n刘小英\n同志们：<b>";
        let evidence = vec![
            ("title".to_string(), "在全市工作会议上的讲话".to_string()),
            ("occasion".to_string(), "全市工作会议".to_string()),
            ("speaker".to_string(), "刘小英".to_string()),
        ];
        let html = marked_text(text, &evidence);
        assert!(
            html.contains(
                "<mark class=\"f-occasion f-title\" title=\"occasion, title\">全市工作会议</mark>"
            ),
            "{html}"
        );
        assert!(
            html.contains(
                "<p id=\"p1\"><mark class=\"f-speaker\" title=\"speaker\">刘小英</mark></p>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<p id=\"p2\">同志们：&lt;b&gt;</p>"),
            "{html}"
        );
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn the_outline_nests_under_parents() {
        let heading = |id: &str, parent: Option<&str>, text: &str, p: i32| Heading {
            section_id: id.into(),
            parent_id: parent.map(str::to_string),
            heading: text.into(),
            path: String::new(),
            paragraph_start: p,
        };
        let outline = [
            heading("d:1", Some("d:0x"), "一、总体要求", 2),
            heading("d:2", Some("d:1"), "（一）目标", 3),
            heading("d:3", None, "二、重点任务", 5),
        ];
        let html = outline_tree(&outline);
        let first = html.find("一、总体要求").unwrap();
        let nested = html.find("（一）目标").unwrap();
        let second = html.find("二、重点任务").unwrap();
        assert!(first < nested && nested < second);
        assert_eq!(html.matches("<ul").count(), 2, "{html}");
        assert!(html.contains("href=\"#p3\""));
    }
}
