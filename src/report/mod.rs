//! The visual report: the dataset at a glance, as one self-contained HTML page (`report.html` in the
//! dataset folder, written by `pipeline run` beside the tables, rewritten by `pipeline report`):
//! documents by year and genre, the most frequent speakers, text lengths, outline depth, the top
//! terms of each year, how much of each metadata field was found, quality flags, the account of raw
//! files, and a list of documents that opens each to its own page (`document.rs`, in `report/`).
//! No network: styles inline, charts as inline `<svg>`, no scripts.
//!
//! The charts are hand-written SVG (bars and labels): plotters' SVG backend draws no axis labels
//! without a font backend, and its font backends measure text with the machine's fonts, so the page
//! would differ between machines. Every text the page shows comes from raw files and is escaped.
//! The same dataset gives the same bytes.
//!
//! A corpus of 100,000 documents would make a page no browser opens, so only
//! `report.max_documents` documents get a page and a row in the list: those with the smallest
//! doc_ids, which (doc_ids being content hashes) is an even sample of the corpus that does not
//! change when other documents come or go. `pipeline inspect --html DOC` draws any other.

mod document;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::parquet::read_rows;
use crate::publish::{FileEntry, REPORT, REPORT_PAGES};
use crate::settings::ReportSettings;
use crate::stats::{count_by, polars_error, read, years};

/// Raw files set aside (rejected, copies) listed by name.
const MAX_SET_ASIDE: usize = 500;

/// Terms shown for each year.
const TERMS_PER_YEAR: usize = 8;

/// Writes `report.html` and the document pages (`report/<doc_id>.html`) into the dataset folder
/// `out`, each file whole or not at all, the pages' folder replacing the old one in one step;
/// returns the files written (relative to `out`) with their manifest entries, made from the bytes
/// written rather than read back.
pub fn write(out: &Path, settings: &ReportSettings) -> Result<Vec<(String, FileEntry)>> {
    use rayon::prelude::*;
    let paged = paged_documents(out, settings.max_documents)?;
    let pages = document::pages(out, &paged, &format!("../{REPORT}"))?;
    let staged = out.join(format!(".tmp-{REPORT_PAGES}"));
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
    }
    std::fs::create_dir(&staged).map_err(|e| Error::io(&staged, e))?;
    // Both cores: most of the time goes to creating the files.
    let mut written = pages
        .par_iter()
        .map(|(doc_id, page)| {
            let path = staged.join(format!("{doc_id}.html"));
            std::fs::write(&path, page).map_err(|e| Error::io(&path, e))?;
            Ok((
                format!("{REPORT_PAGES}/{doc_id}.html"),
                FileEntry::of(page.as_bytes()),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    crate::io::folder::replace(&staged, &out.join(REPORT_PAGES), &[])?;
    let page = render(out, &paged)?;
    let path = out.join(REPORT);
    let partial = out.join(format!(".tmp-{REPORT}"));
    std::fs::write(&partial, &page).map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
    written.push((REPORT.to_string(), FileEntry::of(page.as_bytes())));
    written.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(written)
}

/// The pages of the documents `query` names in the dataset folder `out` (a doc_id or its first
/// characters, or a source file as `pipeline inspect` takes it, with the raw folder `raw`), each on
/// its own: `pipeline inspect --html`.
pub fn document_pages(out: &Path, raw: &Path, query: &str) -> Result<Vec<(String, String)>> {
    let path = out.join("documents.parquet");
    let documents = read(out, "documents", &["doc_id", "source_file"])?;
    let bad = |e| polars_error(&path, e);
    let ids = documents
        .column("doc_id")
        .and_then(|c| c.str().cloned())
        .map_err(bad)?;
    let files = documents
        .column("source_file")
        .and_then(|c| c.str().cloned())
        .map_err(bad)?;
    let asked = crate::inspect::Query::new(raw, query);
    let wanted: BTreeSet<String> = ids
        .iter()
        .zip(files.iter())
        .filter_map(|(id, source)| {
            let id = id?;
            asked
                .matches(id, source.unwrap_or_default())
                .then(|| id.to_string())
        })
        .collect();
    if wanted.is_empty() {
        return Err(Error::Stage {
            stage: "inspect",
            reason: format!(
                "no document of {} has the id or source file `{query}`",
                out.display()
            ),
        });
    }
    document::pages(out, &wanted, "")
}

/// The documents that get a page: the `max` smallest doc_ids.
fn paged_documents(out: &Path, max: usize) -> Result<BTreeSet<String>> {
    let path = out.join("documents.parquet");
    let ids = read(out, "documents", &["doc_id"])?;
    let ids = ids
        .column("doc_id")
        .and_then(|c| c.str().cloned())
        .map_err(|e| polars_error(&path, e))?;
    let mut smallest: BTreeSet<String> = BTreeSet::new();
    for id in ids.iter().flatten() {
        if smallest.len() < max {
            smallest.insert(id.to_string());
        } else if smallest.last().is_some_and(|last| id < last.as_str()) {
            smallest.pop_last();
            smallest.insert(id.to_string());
        }
    }
    Ok(smallest)
}

/// The page for the dataset folder `out`; the documents `paged` have pages of their own.
fn render(out: &Path, paged: &BTreeSet<String>) -> Result<String> {
    let documents_path = out.join("documents.parquet");
    let columns = [
        "doc_id",
        "source_file",
        "title",
        "speaker",
        "speaker_role",
        "date",
        "occasion",
        "genre",
        "char_count",
    ];
    let mut documents = read(out, "documents", &columns)?;
    let bad = |e| polars_error(&documents_path, e);
    let year = years(&documents).map_err(bad)?;
    documents
        .with_column(Column::new("year".into(), year))
        .map_err(bad)?;
    let sources_path = out.join("sources.parquet");
    let sources = read(out, "sources", &["status", "reason"])?;

    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"lead\">{} documents from {} raw files.</p>",
        documents.height(),
        sources.height()
    );
    let by_year = count_by(&documents, "year", true, &documents_path)?;
    body.push_str(&bar_chart(
        "Documents by year",
        &rows(&by_year, "(no date)"),
    ));
    let by_genre = count_by(&documents, "genre", false, &documents_path)?;
    body.push_str(&bar_chart("Documents by genre", &rows(&by_genre, "(none)")));
    let by_speaker = count_by(&documents, "speaker", false, &documents_path)?;
    let speakers: Vec<(String, u64)> = rows(&by_speaker, "(unknown)")
        .into_iter()
        .take(20)
        .collect();
    body.push_str(&bar_chart("The most frequent speakers", &speakers));
    body.push_str(&bar_chart(
        "Text length (characters)",
        &length_buckets(&documents).map_err(bad)?,
    ));
    body.push_str(&bar_chart(
        "Outline depth (deepest heading level of each document)",
        &outline_depths(out)?,
    ));
    body.push_str(&top_terms(out)?);
    body.push_str(&coverage(&documents));
    body.push_str(&bar_chart("Quality flags", &flag_counts(out)?));
    let by_status = count_by(&sources, "status", false, &sources_path)?;
    body.push_str(&bar_chart("Raw files by status", &rows(&by_status, "")));
    let by_reason = count_by(&sources, "reason", false, &sources_path)?;
    let reasons: Vec<(String, u64)> = rows(&by_reason, "")
        .into_iter()
        .filter(|(reason, _)| !reason.is_empty())
        .collect();
    if !reasons.is_empty() {
        body.push_str(&bar_chart(
            "Raw files rejected or copies, by reason",
            &reasons,
        ));
        body.push_str(&set_aside(out)?);
    }
    body.push_str(&document_list(&documents, paged).map_err(bad)?);
    Ok(page(
        "Dataset report",
        &format!("<h1>Dataset report</h1>\n{body}"),
    ))
}

/// The raw files that gave no document of their own (rejected, or copies), by name, with why; the
/// first `MAX_SET_ASIDE` by name.
fn set_aside(out: &Path) -> Result<String> {
    let path = out.join("sources.parquet");
    let columns = ["source_file", "status", "reason_detail"];
    let mut files: Vec<[String; 3]> = Vec::new();
    let mut total = 0;
    for batch in read_rows(&path, &columns, None, 64 * 1024)? {
        let batch = batch?;
        for i in 0..batch.num_rows() {
            let [file, status, detail] =
                columns.map(|c| document::string(&batch, c, i).unwrap_or_default());
            if status == "kept" {
                continue;
            }
            total += 1;
            files.push([file, status, detail]);
        }
    }
    files.sort();
    let mut html = format!(
        "<section><h2>Raw files set aside ({total})</h2>\n<table class=\"sources\"><tr><th>file</th>\
         <th>status</th><th>why</th></tr>\n"
    );
    for [file, status, detail] in files.iter().take(MAX_SET_ASIDE) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(file),
            escape(status),
            escape(detail)
        );
    }
    html.push_str("</table>\n");
    if total > MAX_SET_ASIDE {
        let _ = writeln!(
            html,
            "<p>… and {} more: the <code>sources</code> table lists every file.</p>",
            total - MAX_SET_ASIDE
        );
    }
    html.push_str("</section>\n");
    Ok(html)
}

/// `text` safe inside HTML text and attribute values. The five marks are ASCII, which no byte of
/// a multi-byte UTF-8 character equals, so the text is copied in runs between them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut copied = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..i]);
        out.push_str(entity);
        copied = i + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// A count table's rows as (value, count), a null value shown as `missing`.
fn rows(counts: &DataFrame, missing: &str) -> Vec<(String, u64)> {
    let values = &counts.columns()[0];
    let numbers = &counts.columns()[1];
    (0..counts.height())
        .map(|i| {
            let value = match values.get(i) {
                Ok(AnyValue::Null) | Err(_) => missing.to_string(),
                Ok(v) => v.get_str().map_or_else(|| v.to_string(), str::to_string),
            };
            let number = numbers
                .get(i)
                .ok()
                .and_then(|n| n.extract::<u64>())
                .unwrap_or(0);
            (value, number)
        })
        .collect()
}

/// The width a label takes, in half-width columns (a Han character is two).
fn columns(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A horizontal bar chart as inline SVG, one bar per row, with its label and count.
fn bar_chart(title: &str, rows: &[(String, u64)]) -> String {
    const BAR: usize = 18;
    const CHART: usize = 360;
    let label_width = rows.iter().map(|(l, _)| columns(l)).max().unwrap_or(0) * 7 + 12;
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = rows.len() * BAR + 4;
    let width = label_width + CHART + 60;
    let mut svg = format!(
        "<section><h2>{}</h2>\n<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"{}\">\n",
        escape(title),
        escape(title)
    );
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = i * BAR;
        let bar = (*n as usize * CHART).div_ceil(max as usize);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_width}\" y=\"{}\" width=\"{bar}\" height=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{n}</text>",
            label_width - 6,
            y + 13,
            escape(label),
            y + 2,
            BAR - 4,
            label_width + bar + 4,
            y + 13
        );
    }
    if rows.is_empty() {
        svg.push_str("<text x=\"0\" y=\"13\">none</text>\n");
    }
    svg.push_str("</svg></section>\n");
    svg
}

/// Documents by length, in buckets that double (up to 1,000 characters, 1,000–2,000, …).
fn length_buckets(documents: &DataFrame) -> PolarsResult<Vec<(String, u64)>> {
    let mut buckets: Vec<(String, u64)> = Vec::new();
    let lengths = documents.column("char_count")?.i64()?;
    let mut counts = [0u64; 8];
    for length in lengths.iter().flatten() {
        let thousands = (length.max(0) as u64) / 1000;
        let bucket = (u64::BITS - thousands.leading_zeros()).min(7) as usize;
        counts[bucket] += 1;
    }
    for (i, count) in counts.iter().enumerate() {
        let (low, high) = match i {
            0 => (0, 1000),
            i => (1000 << (i - 1), 1000 << i),
        };
        let label = match i {
            7 => format!("{low}+"),
            _ => format!("{low}–{high}"),
        };
        buckets.push((label, *count));
    }
    Ok(buckets)
}

/// The share of documents with each metadata field found.
fn coverage(documents: &DataFrame) -> String {
    let total = documents.height().max(1);
    let mut html = String::from(
        "<section><h2>Metadata found</h2>\n<table><tr><th>field</th><th>documents</th><th>share</th></tr>\n",
    );
    for field in ["title", "speaker", "speaker_role", "date", "occasion"] {
        let found = documents
            .column(field)
            .map_or(0, |c| c.len() - c.null_count());
        let _ = writeln!(
            html,
            "<tr><td>{field}</td><td>{found}</td><td>{:.0}%</td></tr>",
            found as f64 * 100.0 / total as f64
        );
    }
    html.push_str("</table></section>\n");
    html
}

/// How many documents carry each quality flag, most frequent first (read with arrow: one list
/// column).
fn flag_counts(out: &Path) -> Result<Vec<(String, u64)>> {
    use arrow::array::{Array, ListArray, StringArray};
    let path = out.join("documents.parquet");
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for batch in read_rows(&path, &["quality_flags"], None, 64 * 1024)? {
        let batch = batch?;
        let Some(lists) = crate::schema::typed_column::<ListArray>(&batch, "quality_flags") else {
            continue;
        };
        for i in (0..lists.len()).filter(|&i| lists.is_valid(i)) {
            let flags = lists.value(i);
            let Some(flags) = flags.as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            for flag in flags.iter().flatten() {
                *counts.entry(flag.to_string()).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(counts)
}

/// The documents that have pages, by date then id: title (linked to its page), speaker, date,
/// genre, file.
fn document_list(documents: &DataFrame, paged: &BTreeSet<String>) -> PolarsResult<String> {
    let sorted = documents.sort(
        ["date", "doc_id"],
        SortMultipleOptions::default().with_nulls_last(true),
    )?;
    let text = |name: &str| -> PolarsResult<Vec<Option<String>>> {
        let column = sorted.column(name)?.cast(&DataType::String)?;
        Ok(column
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (ids, titles, speakers) = (text("doc_id")?, text("title")?, text("speaker")?);
    let (dates, genres, files) = (text("date")?, text("genre")?, text("source_file")?);
    let mut html = format!(
        "<section><h2>Documents ({} of {})</h2>\n",
        paged.len(),
        sorted.height()
    );
    if paged.len() < sorted.height() {
        let _ = writeln!(
            html,
            "<p>A page for each of {} documents (<code>report.max_documents</code>): those with the \
             smallest doc_ids, an even sample of the corpus. <code>pipeline inspect --html DOC</code> \
             writes the page of any other.</p>",
            paged.len()
        );
    }
    html.push_str(
        "<table class=\"documents\"><tr><th>title</th><th>speaker</th><th>date</th><th>genre</th>\
         <th>file</th><th>doc_id</th></tr>\n",
    );
    let cell = |v: &Option<String>| escape(v.as_deref().unwrap_or("—"));
    for i in 0..sorted.height() {
        let Some(id) = ids[i].as_deref().filter(|id| paged.contains(*id)) else {
            continue;
        };
        let _ = writeln!(
            html,
            "<tr><td><a href=\"{REPORT_PAGES}/{}.html\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td><code>{}</code></td></tr>",
            escape(id),
            titles[i]
                .as_deref()
                .map_or_else(|| "(no title)".into(), escape),
            cell(&speakers[i]),
            cell(&dates[i]),
            cell(&genres[i]),
            cell(&files[i]),
            escape(id)
        );
    }
    html.push_str("</table></section>\n");
    Ok(html)
}

/// Documents by the deepest level of their outline (0: no headings).
fn outline_depths(out: &Path) -> Result<Vec<(String, u64)>> {
    let path = out.join("sections.parquet");
    let mut deepest: BTreeMap<String, i32> = BTreeMap::new();
    for batch in read_rows(&path, &["doc_id", "level"], None, 64 * 1024)? {
        let batch = batch?;
        for i in 0..batch.num_rows() {
            let doc_id = document::string(&batch, "doc_id", i).unwrap_or_default();
            let level = document::int32(&batch, "level", i);
            let depth = deepest.entry(doc_id).or_default();
            *depth = (*depth).max(level);
        }
    }
    let mut documents: BTreeMap<i32, u64> = BTreeMap::new();
    for depth in deepest.values() {
        *documents.entry(*depth).or_default() += 1;
    }
    Ok(documents
        .into_iter()
        .map(|(depth, n)| match depth {
            0 => ("0 (no headings)".to_string(), n),
            depth => (depth.to_string(), n),
        })
        .collect())
}

/// A year's documents, and in how many of them each term is a keyword.
type YearTerms = (u64, BTreeMap<String, u64>);

/// For each year, the terms most often among its documents' keywords (TF-IDF, so a term counts
/// where it stands out in a document, not where it merely occurs), with the number of documents.
fn top_terms(out: &Path) -> Result<String> {
    use arrow::array::{Array, Date32Array};
    let path = out.join("documents.parquet");
    // (undated, year) → (documents, documents per term): dated years first, in order.
    let mut counts: BTreeMap<(bool, Option<i32>), YearTerms> = BTreeMap::new();
    for batch in read_rows(&path, &["date", "keywords"], None, 64 * 1024)? {
        let batch = batch?;
        let dates = crate::schema::typed_column::<Date32Array>(&batch, "date");
        for i in 0..batch.num_rows() {
            let year = dates
                .filter(|d| d.is_valid(i))
                .and_then(|d| d.value_as_date(i))
                .map(|d| chrono::Datelike::year(&d));
            let entry = counts.entry((year.is_none(), year)).or_default();
            entry.0 += 1;
            for term in document::strings(&batch, "keywords", i) {
                *entry.1.entry(term).or_default() += 1;
            }
        }
    }
    let mut html = String::from(
        "<section><h2>Top terms of each year</h2>\n<p>The terms most often among the year's \
         documents' keywords (TF-IDF), with the number of those documents.</p>\n\
         <table class=\"terms\"><tr><th>year</th><th>documents</th><th>terms</th></tr>\n",
    );
    for ((_, year), (documents, terms)) in &counts {
        let mut terms: Vec<(&String, &u64)> = terms.iter().collect();
        terms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = terms
            .iter()
            .take(TERMS_PER_YEAR)
            .map(|(term, n)| format!("{} <small>{n}</small>", escape(term)))
            .collect();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{documents}</td><td>{}</td></tr>",
            year.map_or_else(|| "(no date)".to_string(), |y| y.to_string()),
            shown.join(" · ")
        );
    }
    html.push_str("</table></section>\n");
    Ok(html)
}

/// A whole page titled `title` around `body`; the dataset's page and the documents' share it.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// The pages' style: CJK fonts named first, one colour per metadata field for its evidence.
const STYLE: &str = "\
body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \
\"Microsoft YaHei\", sans-serif; margin: 2em; color: #222; max-width: 72em; }
svg.chart text { font-size: 12px; fill: #222; }
svg.chart rect { fill: #3b6ea5; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: 2px 8px; \
text-align: left; vertical-align: top; }
div.text p { line-height: 1.8; margin: 0.4em 0; }
ul.outline { list-style: none; padding-left: 1.4em; } ul.outline a { text-decoration: none; }
span.path { color: #888; }
mark { background: #fde68a; } mark.f-title { background: #bfdbfe; } \
mark.f-speaker, mark.f-speaker_role { background: #bbf7d0; } \
mark.f-date, mark.f-date_year { background: #fecaca; } mark.f-occasion { background: #e9d5ff; } \
mark.f-region { background: #fed7aa; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_is_shown_not_run() {
        let planted = "<script>alert(1)</script><img src=x onerror=\"alert(2)\">";
        let chart = bar_chart("t", &[(planted.to_string(), 3)]);
        assert!(
            !chart.contains("<script") && !chart.contains("<img"),
            "{chart}"
        );
        assert!(chart.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(escape("a'b\"c&"), "a&#39;b&quot;c&amp;");
        assert_eq!(escape("讲话<稿>。"), "讲话&lt;稿&gt;。");
    }

    #[test]
    fn bars_are_as_long_as_their_counts() {
        let chart = bar_chart("t", &[("讲话".into(), 4), ("文章".into(), 2)]);
        assert!(chart.contains("width=\"360\""), "{chart}");
        assert!(chart.contains("width=\"180\""), "{chart}");
    }
}
