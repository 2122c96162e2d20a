//! The `pipeline` command: parse the command line, load and check the settings, run, and turn an
//! error into a message and an exit code.
//!
//! Exit codes: 0 done (rejected raw files are warnings, listed in `sources`); 1 an error stopped the
//! run (bad settings, missing raw folder, a failed stage, `verify` found differences, `evaluate`
//! scored below a floor); 2 the command line was wrong; 3 `--strict` and some raw file was rejected.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pipeline::runner::Runner;
use pipeline::settings::Settings;
use pipeline::stages::StageId;

/// Millions of small strings (tokens) are allocated on every thread; mimalloc keeps that from
/// serialising on the system allocator's locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, `enum mi_option_e`; the crate names no constant).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed by one batch is used again by the next: mimalloc's default hands it back to the OS
/// after 10 ms, and taking it back costs a page fault and the zeroing of a 2 MiB huge page. Keeping
/// it saves about 0.5 s per 100 MB of raw text; the peak is unchanged within a few percent.
fn keep_freed_memory() {
    // SAFETY: sets one of mimalloc's global options; called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Turn raw Chinese speech texts into Parquet tables of documents, sections, tokens and sources.
#[derive(Parser)]
#[command(name = "pipeline", version)]
struct Cli {
    /// Settings file [default: pipeline.toml in the working directory, if there is one].
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Override one setting for this run, e.g. --set segment.domain_dictionary=false (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", global = true)]
    overrides: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

/// The folders a command reads (each subcommand takes those that apply to it).
#[derive(clap::Args, Default)]
struct Folders {
    /// Folder of raw text files (overrides run.raw_dir).
    #[arg(long)]
    raw: Option<String>,
    /// Output folder (overrides run.out_dir).
    #[arg(long)]
    out: Option<String>,
}

/// The output folder alone, for the commands that only read the dataset.
#[derive(clap::Args, Default)]
struct OutFolder {
    /// Output folder (overrides run.out_dir).
    #[arg(long)]
    out: Option<String>,
}

/// How the stages run and how much they say.
#[derive(clap::Args, Default)]
struct Work {
    /// Worker threads (overrides run.threads; the output is the same whatever the number).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// Print only warnings and errors.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print what became of every raw file.
    #[arg(long, short)]
    verbose: bool,
}

/// What a rerun of one stage takes.
#[derive(clap::Args)]
struct StageArgs {
    #[command(flatten)]
    folders: Folders,
    #[command(flatten)]
    work: Work,
}

#[derive(Subcommand)]
enum Command {
    /// Run every stage in order, skipping those whose inputs and settings did not change.
    Run {
        /// Start from this stage (earlier ones must have run).
        #[arg(long, value_enum, default_value = "clean")]
        from: StageId,
        /// Redo stages even when they are up to date.
        #[arg(long)]
        force: bool,
        /// Exit with code 3 if any raw file was rejected.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        folders: Folders,
        #[command(flatten)]
        work: Work,
    },
    /// Rerun the clean stage: raw files → clean documents.
    Clean(StageArgs),
    /// Rerun the dedupe stage from clean's output.
    Dedupe(StageArgs),
    /// Rerun the segment stage from dedupe's output.
    Segment(StageArgs),
    /// Rerun the tag stage from dedupe's and segment's output.
    Tag(StageArgs),
    /// Rerun the sectionize stage and publish the final tables.
    Sectionize(StageArgs),
    /// Check a dataset folder against its manifest.json and name any file that differs.
    Verify {
        /// The dataset folder [default: the output folder].
        dir: Option<PathBuf>,
        #[command(flatten)]
        out: OutFolder,
    },
    /// Explain one document (by doc_id or its first characters, or by source file): metadata with
    /// evidence, cleaning edits, outline, copies; for a file that gave no document, why.
    Inspect {
        /// A doc_id (or its first characters), or a source file: x.txt, raw/x.txt, a full path.
        doc: String,
        /// Write the document's page of the report (as in report/) to DOC_ID.html here instead.
        #[cfg(feature = "stats")]
        #[arg(long)]
        html: bool,
        #[command(flatten)]
        folders: Folders,
    },
    /// Score the dataset against a gold file of hand-checked facts (docs/GOLD.md): share of fields
    /// right, heading precision and recall, document counts, noise left, every mismatch.
    Evaluate(EvaluateArgs),
    /// Summarise the dataset: documents by year, genre and speaker; sections by level; tokens;
    /// raw files by status and reason.
    #[cfg(feature = "stats")]
    Stats {
        #[command(flatten)]
        out: OutFolder,
    },
    /// Write report.html into the dataset folder: the dataset at a glance (charts, field coverage,
    /// quality flags, the account of raw files, the documents), one self-contained page.
    #[cfg(feature = "stats")]
    Report {
        #[command(flatten)]
        out: OutFolder,
    },
    /// Print the effective settings as TOML.
    Config {
        #[command(flatten)]
        folders: Folders,
        #[command(flatten)]
        work: Work,
    },
}

impl Command {
    /// The raw and output folders and the worker threads the command line names, if any.
    fn overrides(&self) -> (Option<&str>, Option<&str>, Option<usize>) {
        let (folders, out, work) = match self {
            Command::Run { folders, work, .. } | Command::Config { folders, work } => {
                (Some(folders), None, Some(work))
            }
            Command::Clean(a)
            | Command::Dedupe(a)
            | Command::Segment(a)
            | Command::Tag(a)
            | Command::Sectionize(a) => (Some(&a.folders), None, Some(&a.work)),
            Command::Inspect { folders, .. } => (Some(folders), None, None),
            Command::Verify { out, .. } => (None, Some(out), None),
            #[cfg(feature = "stats")]
            Command::Stats { out } | Command::Report { out } => (None, Some(out), None),
            Command::Evaluate(args) => (None, Some(&args.out), None),
        };
        let raw = folders.and_then(|f| f.raw.as_deref());
        let out = folders
            .and_then(|f| f.out.as_deref())
            .or(out.and_then(|o| o.out.as_deref()));
        (raw, out, work.and_then(|w| w.threads))
    }

    /// How much the stages say.
    fn talk(&self) -> Talk {
        let work = match self {
            Command::Run { work, .. } | Command::Config { work, .. } => Some(work),
            Command::Clean(a)
            | Command::Dedupe(a)
            | Command::Segment(a)
            | Command::Tag(a)
            | Command::Sectionize(a) => Some(&a.work),
            _ => None,
        };
        Talk {
            quiet: work.is_some_and(|w| w.quiet),
            verbose: work.is_some_and(|w| w.verbose),
        }
    }
}

/// What `pipeline evaluate` takes.
#[derive(clap::Args)]
struct EvaluateArgs {
    /// The gold file (JSON).
    gold: PathBuf,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// Exit with code 1 if the share of fields right is below this (0 to 1).
    #[arg(long, value_name = "X", value_parser = share)]
    min_fields: Option<f64>,
    /// Exit with code 1 if heading precision or recall is below this (0 to 1).
    #[arg(long, value_name = "Y", value_parser = share)]
    min_headings: Option<f64>,
    /// Count headings down to this level only (for gold files that list the upper levels).
    #[arg(long, value_name = "N", default_value_t = 99)]
    max_level: i32,
    #[command(flatten)]
    out: OutFolder,
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = load_settings(&cli)?;
    let talk = cli.command.talk();
    match cli.command {
        Command::Run {
            from,
            force,
            strict,
            ..
        } => run_from(&settings, talk, from, force, strict),
        Command::Clean(_) => single_stage(&settings, talk, StageId::Clean),
        Command::Dedupe(_) => single_stage(&settings, talk, StageId::Dedupe),
        Command::Segment(_) => single_stage(&settings, talk, StageId::Segment),
        Command::Tag(_) => single_stage(&settings, talk, StageId::Tag),
        Command::Sectionize(_) => single_stage(&settings, talk, StageId::Sectionize),
        Command::Verify { dir, .. } => {
            verify(&dir.unwrap_or_else(|| PathBuf::from(&settings.run.out_dir)))
        }
        #[cfg(feature = "stats")]
        Command::Inspect {
            doc, html: true, ..
        } => {
            let out = Path::new(&settings.run.out_dir);
            has_dataset(out)?;
            let raw = Path::new(&settings.run.raw_dir);
            for (doc_id, page) in pipeline::report::document_pages(out, raw, &doc)? {
                let path = PathBuf::from(format!("{doc_id}.html"));
                std::fs::write(&path, page).map_err(|e| pipeline::error::Error::io(&path, e))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { doc, .. } => {
            has_dataset(Path::new(&settings.run.out_dir))?;
            let raw = Path::new(&settings.run.raw_dir);
            emit(&pipeline::inspect::inspect(
                &settings.work_dir(),
                raw,
                &doc,
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Evaluate(args) => evaluate(&settings, args),
        #[cfg(feature = "stats")]
        Command::Report { .. } => {
            let out = Path::new(&settings.run.out_dir);
            has_dataset(out)?;
            let written = pipeline::report::write(out, &settings.report)?;
            let pages = written.len() as u64 - 1;
            pipeline::publish::update_report_entries(out, written)?;
            println!(
                "{} ({})",
                out.join(pipeline::publish::REPORT).display(),
                pipeline::progress::counted(pages, "document page", "document pages")
            );
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "stats")]
        Command::Stats { .. } => {
            has_dataset(Path::new(&settings.run.out_dir))?;
            emit(&pipeline::stats::stats(Path::new(&settings.run.out_dir))?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { .. } => {
            emit(&settings.to_toml())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The settings file (given, or `pipeline.toml` here if there is one) with the command line's
/// overrides on top.
fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    let config = cli.config.clone().or_else(|| {
        let default = PathBuf::from("pipeline.toml");
        default.exists().then_some(default)
    });
    let mut overrides = cli.overrides.clone();
    let (raw, out, threads) = cli.command.overrides();
    if let Some(raw) = raw {
        overrides.push(format!("run.raw_dir={}", toml_string(raw)));
    }
    if let Some(threads) = threads {
        overrides.push(format!("run.threads={threads}"));
    }
    if let Some(out) = out {
        overrides.push(format!("run.out_dir={}", toml_string(out)));
    }
    Ok(Settings::load(config.as_deref(), &overrides)?)
}

/// How much the stages say.
#[derive(Clone, Copy)]
struct Talk {
    quiet: bool,
    verbose: bool,
}

fn runner(settings: &Settings, talk: Talk, first: StageId) -> anyhow::Result<Runner> {
    if first == StageId::Clean {
        pipeline::io::raw::check_raw_folder(Path::new(&settings.run.raw_dir))?;
    }
    let mut runner = Runner::new(settings.clone())?;
    runner.quiet = talk.quiet;
    runner.verbose = talk.verbose;
    Ok(runner)
}

/// `pipeline run`: every stage from `from` on, then the dataset.
fn run_from(
    settings: &Settings,
    talk: Talk,
    from: StageId,
    force: bool,
    strict: bool,
) -> anyhow::Result<ExitCode> {
    let runner = runner(settings, talk, from)?;
    runner.run(from, force)?;
    let rejected = runner.rejected_files()?;
    if strict && rejected > 0 {
        eprintln!("error: --strict: {rejected} raw file(s) rejected (see sources.parquet)");
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// `pipeline STAGE`: that stage alone, redone; only the last one publishes the dataset.
fn single_stage(settings: &Settings, talk: Talk, stage: StageId) -> anyhow::Result<ExitCode> {
    let runner = runner(settings, talk, stage)?;
    runner.run_stage(stage, true)?;
    if stage == StageId::Sectionize {
        runner.publish()?;
    } else if !talk.quiet {
        eprintln!(
            "note: the tables in {} are not updated by `pipeline {}` alone; `pipeline run` carries the change through to them",
            settings.run.out_dir,
            stage.name()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `pipeline verify`: every file against the manifest.
fn verify(dir: &Path) -> anyhow::Result<ExitCode> {
    has_dataset(dir)?;
    let problems = pipeline::publish::verify(dir)?;
    for problem in &problems {
        println!("differs: {}", dir.join(problem).display());
    }
    if problems.is_empty() {
        println!("{}: every file matches manifest.json", dir.display());
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// `pipeline evaluate`: the report, and exit code 1 below a floor.
fn evaluate(settings: &Settings, args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let EvaluateArgs {
        gold,
        json,
        min_fields,
        min_headings,
        max_level,
        ..
    } = args;
    use pipeline::evaluate;
    let gold = evaluate::read_gold(&gold)?;
    let dataset = evaluate::Dataset::read(std::path::Path::new(&settings.run.out_dir))?;
    let report = evaluate::evaluate(&gold, &dataset, max_level);
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if json {
        emit(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        emit(&report.to_text())?;
    }
    let mut below = Vec::new();
    if let Some(floor) = min_fields.filter(|&f| report.field_accuracy < f) {
        below.push(format!(
            "field accuracy {:.3} is below --min-fields {floor}",
            report.field_accuracy
        ));
    }
    if let Some(floor) = min_headings.filter(|&f| report.heading_score() < f) {
        below.push(format!(
            "heading precision {:.3} / recall {:.3} is below --min-headings {floor}",
            report.heading_precision, report.heading_recall
        ));
    }
    for message in &below {
        eprintln!("error: {message}");
    }
    Ok(if below.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Refuses a folder that holds no dataset, with what to do about it.
fn has_dataset(dir: &Path) -> anyhow::Result<()> {
    if dir.join(pipeline::publish::MANIFEST).exists() {
        return Ok(());
    }
    anyhow::bail!(
        "{}: no dataset here (no {}); run `pipeline run` first",
        dir.display(),
        pipeline::publish::MANIFEST
    )
}

/// Writes a command's output to stdout; a reader that went away (`pipeline inspect … | head`) ends
/// the command quietly, as it does for other command-line tools.
fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A share between 0 and 1, for the evaluation floors.
fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

/// A TOML string literal, so paths with quotes or backslashes survive `--set`.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
