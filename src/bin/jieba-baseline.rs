//! The speed limit for the pipeline: bare jieba-rs POS tagging of the same cleaned text on all
//! cores, with no other work (no cleaning, no tables). Reads the texts of a dedupe stage artifact
//! into memory first (not timed), then tags every paragraph in parallel and prints the throughput.
//!
//! Usage: jieba-baseline OUT/stages/dedupe/documents.jsonl

use std::io::BufRead;
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: jieba-baseline OUT/stages/dedupe/documents.jsonl");
        return ExitCode::FAILURE;
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if let Some(text) = value["text"].as_str() {
            texts.push(text.to_string());
        }
    }
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
