//! Parquet in and out. A `TableWriter` writes to a temporary name beside the target and renames it
//! into place on `finish`, so a crash never leaves a half-written table under a final name.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

pub struct TableWriter {
    target: PathBuf,
    tmp: PathBuf,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl TableWriter {
    /// A table of the dataset: zstd, small on disk.
    pub fn create(target: &Path, schema: SchemaRef) -> Result<Self> {
        let zstd = Compression::ZSTD(ZstdLevel::try_new(3).expect("valid level"));
        Self::with_compression(target, schema, zstd)
    }

    /// A stage's intermediate table, read back once: snappy, cheap to write and read.
    pub fn intermediate(target: &Path, schema: SchemaRef) -> Result<Self> {
        Self::with_compression(target, schema, Compression::SNAPPY)
    }

    fn with_compression(
        target: &Path,
        schema: SchemaRef,
        compression: Compression,
    ) -> Result<Self> {
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = target.with_file_name(format!(".tmp-{file_name}"));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let properties = WriterProperties::builder()
            .set_compression(compression)
            .set_created_by(format!("pipeline {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(file, schema, Some(properties))
            .map_err(|e| Error::parquet(&tmp, e))?;
        Ok(TableWriter {
            target: target.to_path_buf(),
            tmp,
            writer,
            rows: 0,
        })
    }

    /// Writes a batch; a full row group is flushed to disk as it fills.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.writer
            .write(batch)
            .map_err(|e| Error::parquet(&self.tmp, e))
    }

    /// Ends the current row group, so memory stays bounded by what one group holds.
    pub fn flush(&mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::parquet(&self.tmp, e))
    }

    /// Closes the file and moves it to its final name. Returns the number of rows written.
    pub fn finish(self) -> Result<u64> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::parquet(&self.tmp, e))?;
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        Ok(self.rows)
    }
}

/// Reads a Parquet file batch by batch.
pub fn read_batches(path: &Path) -> Result<impl Iterator<Item = Result<RecordBatch>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| Error::parquet(path, e))?
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| Error::parquet(path, e))?;
    let path = path.to_path_buf();
    Ok(reader.map(move |b| b.map_err(|e| Error::arrow(path.display().to_string(), e))))
}

/// Rows of a Parquet file, read from its footer.
pub fn row_count(path: &Path) -> Result<u64> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| Error::parquet(path, e))?;
    Ok(reader.metadata().file_metadata().num_rows() as u64)
}
