//! The speed limit for the pipeline: bare jieba-rs POS tagging of the same cleaned text on all
//! cores, with no other work (no cleaning, no tables). Reads the `text` column of a finished run's
//! documents table into memory first (not timed), then tags every paragraph in parallel and prints
//! the throughput.
//!
//! Usage: jieba-baseline OUT/documents.parquet

use std::process::ExitCode;
use std::time::Instant;

use arrow::array::{Array, StringArray};
use rayon::prelude::*;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: jieba-baseline OUT/documents.parquet");
        return ExitCode::FAILURE;
    };
    let texts = match read_texts(std::path::Path::new(&path)) {
        Ok(texts) => texts,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let started = Instant::now();
    let jieba = jieba_rs::Jieba::new();
    let tokens: usize = texts
        .par_iter()
        .map(|text| {
            text.split('\n')
                .map(|p| jieba.tag(p, true).len())
                .sum::<usize>()
        })
        .sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "jieba-baseline: {} documents, {:.2} MB of text, {tokens} tokens in {seconds:.2} s: {:.2} MB/s on {} threads",
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds,
        rayon::current_num_threads()
    );
    ExitCode::SUCCESS
}

/// Every value of the documents table's `text` column.
fn read_texts(path: &std::path::Path) -> Result<Vec<String>, String> {
    let mut texts = Vec::new();
    for batch in pipeline::io::parquet::read_batches(path).map_err(|e| e.to_string())? {
        let batch = batch.map_err(|e| e.to_string())?;
        let column = batch
            .column_by_name("text")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| format!("{}: no text column", path.display()))?;
        texts.extend((0..column.len()).map(|i| column.value(i).to_string()));
    }
    Ok(texts)
}
