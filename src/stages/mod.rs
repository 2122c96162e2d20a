//! One module per stage, each built once from its settings (heavy things such as dictionaries
//! are loaded then) and then applied to documents. They do no I/O and no threading: the runner
//! does both.

pub mod clean;
pub mod dedupe;
pub mod sectionize;
pub mod segment;
pub mod tag;
