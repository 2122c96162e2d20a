//! The integration tests, one binary with a module for each concern:
//! - `runs`: the real `pipeline` binary on the seeds (the data contract, the gold facts, reruns,
//!   determinism, the account of every raw file, bad settings, the published folder);
//! - `reliability`: bad input, a large collection, killed runs;
//! - `evaluate`: `pipeline evaluate` against gold;
//! - `stages`: one conformance check run against every stage;
//! - `properties`: property tests of clean, segment and sectionize on texts built from pieces
//!   that matter (markers, salutations, noise, odd white space).

mod common;
mod evaluate;
mod properties;
mod reliability;
mod runs;
mod stages;
