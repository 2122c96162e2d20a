//! Arrow IPC files between stages: written as buffers (LZ4-compressed), read back without decoding.
//! Cheaper than Parquet for a table that is written once and read twice by the next stages.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::ipc::CompressionType;
use arrow::ipc::reader::FileReader;
use arrow::ipc::writer::{FileWriter, IpcWriteOptions};

use crate::error::{Error, Result};
use crate::io::artifact::{HashedFile, temporary_path};

/// Writes to a temporary name and renames into place on `finish`, as `TableWriter` does.
pub struct IpcWriter {
    target: PathBuf,
    tmp: PathBuf,
    writer: FileWriter<BufWriter<HashedFile>>,
}

impl IpcWriter {
    pub fn create(target: &Path, schema: SchemaRef) -> Result<Self> {
        let tmp = temporary_path(target);
        let file = HashedFile::create(&tmp)?;
        let options = IpcWriteOptions::default()
            .try_with_compression(Some(CompressionType::LZ4_FRAME))
            .map_err(|e| Error::arrow(tmp.display().to_string(), e))?;
        let writer = FileWriter::try_new_with_options(
            BufWriter::with_capacity(1 << 20, file),
            &schema,
            options,
        )
        .map_err(|e| Error::arrow(tmp.display().to_string(), e))?;
        Ok(IpcWriter {
            target: target.to_path_buf(),
            tmp,
            writer,
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .map_err(|e| Error::arrow(self.tmp.display().to_string(), e))
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer
            .finish()
            .map_err(|e| Error::arrow(self.tmp.display().to_string(), e))?;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::arrow(self.tmp.display().to_string(), e))?
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.finish(&self.tmp, &self.target)?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

/// Reads an Arrow IPC file batch by batch.
pub fn read_ipc(path: &Path) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = FileReader::try_new(std::io::BufReader::with_capacity(1 << 20, file), None)
        .map_err(|e| Error::arrow(path.display().to_string(), e))?;
    let path = path.to_path_buf();
    Ok(reader.map(move |b| b.map_err(|e| Error::arrow(path.display().to_string(), e))))
}
