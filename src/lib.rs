//! `pipeline` turns raw Chinese speech texts into an open research dataset: Parquet tables of
//! documents, sections, tokens and sources.
//!
//! The stages run in order, each reading its predecessors' output in the work folder:
//! clean → dedupe → segment → tag → sectionize (see `stages`: each is a `Stage`, listed once in
//! `stages::StageId` and driven in the one batch loop of `batch`). The `runner` decides which
//! stages run, commits their output and publishes the dataset (`publish`: card and manifest; the
//! output folder replaced whole by `io::folder`); `schema` is the one place that defines the output
//! tables; `model` is the data passed between stages; `evaluate` scores a dataset against
//! hand-checked gold.

pub mod batch;
pub mod error;
pub mod evaluate;
pub mod gazetteer;
pub mod inspect;
pub mod io;
pub mod keywords;
pub mod model;
pub mod names;
pub mod outline;
pub mod progress;
pub mod publish;
#[cfg(feature = "stats")]
pub mod report;
pub mod runner;
pub mod schema;
pub mod settings;
pub mod simplified;
pub mod stages;
#[cfg(feature = "stats")]
pub mod stats;
