//! `pipeline stats`: a summary of a dataset as tables in the terminal, computed with polars over
//! the final Parquet tables (only the columns each summary needs are read).

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

fn read(out: &Path, table: &str, columns: &[&str]) -> Result<DataFrame> {
    let path = out.join(format!("{table}.parquet"));
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    ParquetReader::new(file)
        .with_columns(Some(columns.iter().map(|c| c.to_string()).collect()))
        .finish()
        .map_err(|e| polars_error(&path, e))
}

fn polars_error(path: &Path, e: PolarsError) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Rows per value of `by`, at most `limit` rows: in value order when `by_value`, else most frequent
/// first (ties in value order).
fn count_by(
    df: &DataFrame,
    by: &str,
    by_value: bool,
    limit: usize,
    path: &Path,
) -> Result<DataFrame> {
    let counted = df
        .group_by([by])
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
        .map_err(|e| polars_error(path, e))?;
    Ok(counted.head(Some(limit)))
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
    for (by, by_value, limit) in [
        ("year", true, 100),
        ("genre", false, 20),
        ("speaker", false, 20),
    ] {
        let counts = count_by(&documents, by, by_value, limit, &documents_path)?;
        let _ = writeln!(report, "\ndocuments by {by}\n{counts}");
    }

    let sections_path = out.join("sections.parquet");
    let sections = read(out, "sections", &["section_id", "level"])?;
    let _ = writeln!(
        report,
        "\nsections by level\n{}",
        count_by(&sections, "level", true, 20, &sections_path)?
    );

    let tokens = crate::io::parquet::row_count(&out.join("tokens.parquet"))?;
    let _ = writeln!(report, "\ntokens: {tokens}");

    let sources_path = out.join("sources.parquet");
    let sources = read(out, "sources", &["source_file", "status"])?;
    let _ = writeln!(
        report,
        "\nsources by status\n{}",
        count_by(&sources, "status", false, 10, &sources_path)?
    );
    Ok(report)
}

/// The calendar year of each document's date (null where undated).
fn years(documents: &DataFrame) -> PolarsResult<Vec<Option<i32>>> {
    let days = documents.column("date")?.cast(&DataType::Int32)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.map(|d| chrono::Datelike::year(&(epoch + chrono::Duration::days(d as i64)))))
        .collect())
}
