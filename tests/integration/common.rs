//! Helpers shared by the integration tests.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output};

use arrow::array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// A whole Parquet table as one record batch.
pub fn read_table(path: &Path) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// Runs the real `pipeline` binary in `dir` and waits for it.
pub fn pipeline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A document of `text` as the stages after clean see it, with empty metadata.
pub fn document(text: &str) -> pipeline::model::Document {
    pipeline::model::Document {
        doc_id: "d".into(),
        text: text.into(),
        meta: Some(pipeline::model::Metadata::default()),
        ..Default::default()
    }
}
