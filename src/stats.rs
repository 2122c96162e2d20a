//! `pipeline stats`: a summary of a dataset as tables in the terminal, computed with polars over
//! the final Parquet tables (only the columns each summary needs are read).

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

pub(crate) fn read(out: &Path, table: &str, columns: &[&str]) -> Result<DataFrame> {
    let path = out.join(format!("{table}.parquet"));
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    ParquetReader::new(file)
        .with_columns(Some(columns.iter().map(|c| c.to_string()).collect()))
        .finish()
        .map_err(|e| polars_error(&path, e))
}

pub(crate) fn polars_error(path: &Path, e: PolarsError) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Rows per value of `by`: in value order when `by_value`, else most frequent first (ties in value
/// order); missing values last.
pub(crate) fn count_by(df: &DataFrame, by: &str, by_value: bool, path: &Path) -> Result<DataFrame> {
    df.group_by([by])
        .and_then(|g| g.select([by]).count())
        .and_then(|c| {
            let count = c.get_column_names()[1].to_string();
            if by_value {
                c.sort([by], SortMultipleOptions::default().with_nulls_last(true))
            } else {
                c.sort(
                    [count.as_str(), by],
                    SortMultipleOptions::default()
                        .with_order_descending_multi([true, false])
                        .with_nulls_last(true),
                )
            }
        })
        .map_err(|e| polars_error(path, e))
}

/// A count table as text: a heading, then one aligned row per value (`missing` standing for a null),
/// the first `limit` rows and a line saying how many more there are.
fn table(
    heading: &str,
    columns: [&str; 2],
    counts: &DataFrame,
    missing: &str,
    limit: usize,
) -> String {
    let values = &counts.columns()[0];
    let numbers = &counts.columns()[1];
    let rows: Vec<(String, String)> = (0..counts.height())
        .map(|i| {
            let value = match values.get(i) {
                Ok(AnyValue::Null) | Err(_) => missing.to_string(),
                Ok(v) => v.get_str().map_or_else(|| v.to_string(), str::to_string),
            };
            let number = numbers.get(i).map_or(String::new(), |n| n.to_string());
            (value, number)
        })
        .collect();
    let shown = &rows[..rows.len().min(limit)];
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let key_width = shown
        .iter()
        .map(|(k, _)| width(k))
        .chain([width(columns[0])])
        .max()
        .unwrap_or(0);
    let pad = |s: &str| format!("{s}{}", " ".repeat(key_width - width(s)));
    let mut text = format!("\n{heading}\n  {}  {}\n", pad(columns[0]), columns[1]);
    for (key, number) in shown {
        let _ = writeln!(text, "  {}  {number:>w$}", pad(key), w = width(columns[1]));
    }
    if rows.len() > shown.len() {
        let _ = writeln!(text, "  … and {} more", rows.len() - shown.len());
    }
    text
}

/// The summary as text.
pub fn stats(out: &Path) -> Result<String> {
    let mut report = String::new();
    let documents_path = out.join("documents.parquet");
    let mut documents = read(
        out,
        "documents",
        &[
            "doc_id",
            "date",
            "genre",
            "speaker",
            "char_count",
            "token_count",
        ],
    )?;

    // The year of each dated document, as its own column.
    let years = years(&documents).map_err(|e| polars_error(&documents_path, e))?;
    documents
        .with_column(Column::new("year".into(), years))
        .map_err(|e| polars_error(&documents_path, e))?;

    let total_chars: i64 = documents
        .column("char_count")
        .ok()
        .and_then(|c| c.i64().ok()?.sum())
        .unwrap_or(0);
    let _ = writeln!(
        report,
        "documents: {} ({} characters)",
        documents.height(),
        total_chars
    );
    for (by, by_value, missing, limit) in [
        ("year", true, "(no date)", usize::MAX),
        ("genre", false, "(none)", usize::MAX),
        ("speaker", false, "(unknown)", 20),
    ] {
        let counts = count_by(&documents, by, by_value, &documents_path)?;
        let heading = format!("documents by {by}");
        report.push_str(&table(&heading, [by, "documents"], &counts, missing, limit));
    }

    let sections_path = out.join("sections.parquet");
    let sections = read(out, "sections", &["section_id", "level"])?;
    let levels = count_by(&sections, "level", true, &sections_path)?;
    let heading = "sections by level (0: text outside any heading)";
    report.push_str(&table(
        heading,
        ["level", "sections"],
        &levels,
        "",
        usize::MAX,
    ));

    let tokens = crate::io::parquet::row_count(&out.join("tokens.parquet"))?;
    let _ = writeln!(report, "\ntokens: {tokens}");

    let sources_path = out.join("sources.parquet");
    let sources = read(out, "sources", &["source_file", "status", "reason"])?;
    let statuses = count_by(&sources, "status", false, &sources_path)?;
    report.push_str(&table(
        "raw files by status",
        ["status", "files"],
        &statuses,
        "",
        usize::MAX,
    ));
    let reasons = count_by(&sources, "reason", false, &sources_path)?;
    if reasons.height() > 1 || reasons.columns()[0].null_count() == 0 {
        report.push_str(&table(
            "raw files by reason (rejected or copies; see sources.reason_detail)",
            ["reason", "files"],
            &reasons,
            "(kept)",
            usize::MAX,
        ));
    }
    Ok(report)
}

/// The calendar year of each document's date (null where undated).
pub(crate) fn years(documents: &DataFrame) -> PolarsResult<Vec<Option<i32>>> {
    let days = documents.column("date")?.cast(&DataType::Int32)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.map(|d| chrono::Datelike::year(&(epoch + chrono::Duration::days(d as i64)))))
        .collect())
}
