//! Everything that touches files: raw input, stage artifacts, Parquet tables.

pub mod artifact;
pub mod documents;
pub mod folder;
pub mod ipc;
pub mod parquet;
pub mod raw;
