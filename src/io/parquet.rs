//! Parquet in and out. A `TableWriter` writes to a temporary name beside the target and renames it
//! into place on `finish`, so a crash never leaves a half-written table under a final name; it
//! encodes the columns of each row group in parallel.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::artifact::{HashedFile, temporary_path};

pub struct TableWriter {
    target: PathBuf,
    tmp: PathBuf,
    writer: SerializedFileWriter<HashedFile>,
    columns: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// Rows not yet encoded.
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    /// The row group being encoded: one writer per leaf column, and the rows it holds.
    group: Option<Vec<ArrowColumnWriter>>,
    group_rows: usize,
    rows_per_group: usize,
    row_groups: usize,
    rows: u64,
}

/// Rows encoded at a time: enough to keep both cores busy, few enough to keep memory small.
const ENCODE_ROWS: usize = 64 * 1024;

impl TableWriter {
    /// A table of the dataset: zstd, small on disk, a row group every `rows_per_group` rows.
    pub fn create(target: &Path, schema: SchemaRef, rows_per_group: usize) -> Result<Self> {
        let tmp = temporary_path(target);
        let file = HashedFile::create(&tmp)?;
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).expect("valid level"),
            ))
            .set_created_by(format!("pipeline {}", env!("CARGO_PKG_VERSION")));
        // Integers here are positions, spans and counts: mostly distinct, so a dictionary only
        // costs time, and they rise steadily, so delta coding packs them small (the tokens table
        // shrinks from 102 MB to 38 MB per 100 MB of raw text). Strings keep their dictionaries.
        for field in schema.fields() {
            if matches!(field.data_type(), DataType::Int32 | DataType::Int64) {
                let column = ColumnPath::from(field.name().as_str());
                properties = properties
                    .set_column_dictionary_enabled(column.clone(), false)
                    .set_column_encoding(column, Encoding::DELTA_BINARY_PACKED);
            }
        }
        let properties = properties.build();
        // The Arrow writer records the Arrow schema in the footer; its parts then let each row
        // group's columns be encoded in parallel.
        let (writer, columns) = ArrowWriter::try_new(file, schema.clone(), Some(properties))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(|e| Error::parquet(&tmp, e))?;
        Ok(TableWriter {
            target: target.to_path_buf(),
            tmp,
            writer,
            columns,
            schema,
            pending: Vec::new(),
            pending_rows: 0,
            group: None,
            group_rows: 0,
            rows_per_group: rows_per_group.max(1),
            row_groups: 0,
            rows: 0,
        })
    }

    /// Adds rows. They are encoded in slices whose bounds depend only on row numbers, so the file
    /// is the same however the rows were split between calls.
    pub fn write(&mut self, batch: RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.pending_rows += batch.num_rows();
        self.pending.push(batch);
        if self.pending_rows >= self.next_slice() {
            self.encode_pending(false)?;
        }
        Ok(())
    }

    /// Rows of the next slice to encode: `ENCODE_ROWS`, or what is left of the row group.
    fn next_slice(&self) -> usize {
        ENCODE_ROWS.min(self.rows_per_group - self.group_rows)
    }

    /// Encodes the pending rows slice by slice (a slice ends at `ENCODE_ROWS` rows or at the end
    /// of a row group); with `all` false, a last short slice stays pending.
    fn encode_pending(&mut self, all: bool) -> Result<()> {
        let mut rows = arrow::compute::concat_batches(&self.schema, self.pending.iter())
            .map_err(|e| Error::arrow(self.tmp.display().to_string(), e))?;
        self.pending.clear();
        loop {
            let size = self.next_slice();
            if rows.num_rows() == 0 || (!all && rows.num_rows() < size) {
                break;
            }
            let size = size.min(rows.num_rows());
            self.encode(&rows.slice(0, size))?;
            rows = rows.slice(size, rows.num_rows() - size);
            if self.group_rows == self.rows_per_group {
                self.close_row_group()?;
            }
        }
        self.pending_rows = rows.num_rows();
        if self.pending_rows > 0 {
            self.pending.push(rows);
        }
        Ok(())
    }

    /// Encodes rows into the open row group, its columns in parallel (on the current rayon pool).
    fn encode(&mut self, rows: &RecordBatch) -> Result<()> {
        let parquet_error = |e| Error::parquet(&self.tmp, e);
        let mut writers = match self.group.take() {
            Some(writers) => writers,
            None => self
                .columns
                .create_column_writers(self.row_groups)
                .map_err(parquet_error)?,
        };
        let mut leaves = Vec::with_capacity(writers.len());
        for (field, column) in self.schema.fields().iter().zip(rows.columns()) {
            leaves.extend(compute_leaves(field, column).map_err(parquet_error)?);
        }
        writers
            .par_iter_mut()
            .zip(leaves)
            .try_for_each(|(writer, leaf)| writer.write(&leaf))
            .map_err(parquet_error)?;
        self.group = Some(writers);
        self.group_rows += rows.num_rows();
        Ok(())
    }

    /// Finishes the open row group and appends it to the file.
    fn close_row_group(&mut self) -> Result<()> {
        let Some(writers) = self.group.take() else {
            return Ok(());
        };
        let parquet_error = |e| Error::parquet(&self.tmp, e);
        let chunks: Vec<ArrowColumnChunk> = writers
            .into_par_iter()
            .map(ArrowColumnWriter::close)
            .collect::<std::result::Result<_, _>>()
            .map_err(parquet_error)?;
        let mut row_group = self.writer.next_row_group().map_err(parquet_error)?;
        for chunk in chunks {
            chunk
                .append_to_row_group(&mut row_group)
                .map_err(parquet_error)?;
        }
        row_group.close().map_err(parquet_error)?;
        self.row_groups += 1;
        self.group_rows = 0;
        Ok(())
    }

    /// Writes what is pending, closes the file and moves it to its final name. Returns the number
    /// of rows written.
    pub fn finish(mut self) -> Result<u64> {
        self.encode_pending(true)?;
        self.close_row_group()?;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::parquet(&self.tmp, e))?;
        file.finish(&self.tmp, &self.target)?;
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

/// Reads the columns `columns` of a Parquet file, `batch_rows` rows at a time; with a `filter`
/// (a key column and the values wanted), only the rows whose key holds one of them. The key is
/// read first and the other columns are decoded only for the rows it picks (a few pages of a text
/// column, not all of it).
pub fn read_rows(
    path: &Path,
    columns: &[&str],
    filter: Option<(&str, std::collections::BTreeSet<String>)>,
    batch_rows: usize,
) -> Result<impl Iterator<Item = Result<RecordBatch>>> {
    use arrow::array::{Array, BooleanArray, StringArray};
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::{ArrowPredicateFn, RowFilter};
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::parquet(path, e))?;
    let roots = |names: &[&str]| -> Result<Vec<usize>> {
        names
            .iter()
            .map(|name| {
                builder.schema().index_of(name).map_err(|_| Error::BadFile {
                    path: path.to_path_buf(),
                    reason: format!("no column `{name}`"),
                })
            })
            .collect()
    };
    let schema = builder.parquet_schema();
    let projection = ProjectionMask::roots(schema, roots(columns)?);
    let row_filter = match filter {
        None => None,
        Some((key, wanted)) => {
            let key_only = ProjectionMask::roots(schema, roots(&[key])?);
            let predicate = ArrowPredicateFn::new(key_only, move |batch: RecordBatch| {
                let keys = batch.column(0);
                let Some(keys) = keys.as_any().downcast_ref::<StringArray>() else {
                    return Ok(BooleanArray::from(vec![false; keys.len()]));
                };
                Ok(keys
                    .iter()
                    .map(|k| Some(k.is_some_and(|k| wanted.contains(k))))
                    .collect::<BooleanArray>())
            });
            Some(RowFilter::new(vec![Box::new(predicate)]))
        }
    };
    let mut builder = builder
        .with_projection(projection)
        .with_batch_size(batch_rows);
    if let Some(row_filter) = row_filter {
        builder = builder.with_row_filter(row_filter);
    }
    let reader = builder.build().map_err(|e| Error::parquet(path, e))?;
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
