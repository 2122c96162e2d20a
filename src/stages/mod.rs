//! One module per stage. Each stage is a [`Stage`]: built once from the settings (rules compiled,
//! dictionaries loaded), then every item of its input is worked on by [`Stage::work`] on any thread
//! and the results are absorbed in input order by [`Stage::absorb`] into the stage's sink (its
//! writers and in-order state), which [`Stage::finish`] closes with a summary. [`run`] drives any
//! stage that way; the runner only decides whether a stage runs and commits its output. A stage
//! holds its own policy (what to keep, reuse, write) beside its algorithm, and does no threading.
//!
//! A global stage (dedupe: a document is a copy only of one absorbed before it) keeps its state in
//! the sink. A stage that needs a corpus-wide pass before its per-item work makes it in `build`,
//! which sees the whole input through the context.
//!
//! [`StageId`] is the one list of the stages: their order, what each reads and how the runner
//! reaches each one. Adding a stage means a file implementing [`Stage`] and a line there
//! (`example.rs` is a template).

use std::path::Path;

use crate::batch::for_each_batch;
use crate::error::Result;
use crate::io::artifact::StageOutput;
use crate::progress::Progress;
use crate::settings::Settings;

pub mod clean;
pub mod dedupe;
/// A commented template for a new stage (compiled in tests only).
#[cfg(test)]
pub mod example;
pub mod sectionize;
pub mod segment;
pub mod tag;

/// The stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum StageId {
    Clean,
    Dedupe,
    Segment,
    Tag,
    Sectionize,
}

/// How the runner reaches one stage without naming its types.
struct Entry {
    name: &'static str,
    /// The stages whose output this one reads; none means it reads the raw files.
    inputs: &'static [StageId],
    fingerprint_settings: fn(&Settings) -> serde_json::Value,
    prepare: fn(&Settings),
    run: fn(&Context, &StageOutput) -> Result<String>,
}

const fn entry<S: Stage>(inputs: &'static [StageId]) -> Entry {
    Entry {
        name: S::NAME,
        inputs,
        fingerprint_settings: S::fingerprint_settings,
        prepare: S::prepare,
        run: run::<S>,
    }
}

/// In the order of [`StageId`].
static STAGES: [Entry; 5] = {
    use StageId::*;
    [
        entry::<clean::Clean>(&[]),
        entry::<dedupe::Dedupe>(&[Clean]),
        // The texts are the clean stage's; dedupe says which are kept.
        entry::<segment::Segment>(&[Clean, Dedupe]),
        entry::<tag::Tagger>(&[Clean, Dedupe, Segment]),
        entry::<sectionize::Sectionize>(&[Clean, Dedupe, Segment, Tag]),
    ]
};

impl StageId {
    pub const ALL: [StageId; 5] = [
        StageId::Clean,
        StageId::Dedupe,
        StageId::Segment,
        StageId::Tag,
        StageId::Sectionize,
    ];

    fn entry(self) -> &'static Entry {
        &STAGES[self as usize]
    }

    /// The stage's name: its command and its artifact folder.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The stages whose output this one reads; empty for the one that reads the raw files.
    pub fn inputs(self) -> &'static [StageId] {
        self.entry().inputs
    }

    /// See [`Stage::fingerprint_settings`].
    pub fn fingerprint_settings(self, settings: &Settings) -> serde_json::Value {
        (self.entry().fingerprint_settings)(settings)
    }

    /// See [`Stage::prepare`].
    pub fn prepare(self, settings: &Settings) {
        (self.entry().prepare)(settings)
    }

    /// Runs the stage over its whole input into `output` (see [`run`]).
    pub fn run(self, cx: &Context, output: &StageOutput) -> Result<String> {
        (self.entry().run)(cx, output)
    }
}

impl std::fmt::Display for StageId {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a stage sees of the run.
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// The raw folder.
    pub raw: &'a Path,
    /// The work folder: the earlier stages' artifacts are in a folder each (`stage_dir`).
    pub work: &'a Path,
    /// The stage's stored output was made with the same settings, so per-item work in it may be
    /// reused (the input changed, or part of it).
    pub reuse: bool,
    /// The raw files, listed and hashed (for the stage that reads them; empty for the others).
    pub raw_files: &'a [clean::ListedFile],
    pub quiet: bool,
    pub verbose: bool,
}

/// A stage's input, item by item.
pub type Items<T> = Box<dyn Iterator<Item = Result<T>> + Send>;

/// A stage of the pipeline.
pub trait Stage: Sized + Sync {
    /// The stage's name: its command, its folder in the work folder.
    const NAME: &'static str;
    /// What the items are called in progress lines.
    const UNIT: &'static str = "documents";
    /// One unit of input, read in dataset order.
    type Item: Send;
    /// What [`Stage::work`] makes of one item.
    type Done: Send;
    /// The stage's writers and in-order state.
    type Sink: Send;

    /// The settings that decide this stage's output (they key its fingerprint).
    fn fingerprint_settings(settings: &Settings) -> serde_json::Value;

    /// Starts, on a thread of its own, slow set-up that does not depend on the input (loading
    /// dictionaries), for a run that reaches this stage after earlier ones. Most stages have none.
    fn prepare(_settings: &Settings) {}

    /// Builds the stage (compiles rules, loads dictionaries).
    fn build(cx: &Context) -> Result<Self>;

    /// The input, item by item, in dataset order, and how many items there are (for progress).
    fn items(&self, cx: &Context) -> Result<(u64, Items<Self::Item>)>;

    /// One item, on any thread; pure.
    fn work(&self, item: Self::Item) -> Result<Self::Done>;

    /// Bytes of text one done item stands for (for the throughput shown with progress).
    fn text_bytes(done: &Self::Done) -> usize;

    /// Opens the stage's files in its output folder.
    fn open(&self, cx: &Context, output: &StageOutput) -> Result<Self::Sink>;

    /// One done item, in input order, on one thread: decide, count, write.
    fn absorb(&self, sink: &mut Self::Sink, done: Self::Done) -> Result<()>;

    /// Closes the files; returns the summary line.
    fn finish(&self, cx: &Context, sink: Self::Sink, output: &StageOutput) -> Result<String>;
}

/// Runs stage `S` over its whole input into `output`, showing progress; returns its summary.
fn run<S: Stage>(cx: &Context, output: &StageOutput) -> Result<String> {
    let stage = S::build(cx)?;
    let (total, items) = stage.items(cx)?;
    let mut sink = stage.open(cx, output)?;
    let mut progress = Progress::new(S::NAME, S::UNIT, total, cx.quiet);
    for_each_batch(
        items,
        cx.settings.run.batch_documents,
        |item| stage.work(item),
        |done| {
            let done = done?;
            progress.inc(S::text_bytes(&done));
            stage.absorb(&mut sink, done)
        },
    )?;
    drop(progress);
    stage.finish(cx, sink, output)
}
