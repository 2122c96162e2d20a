//! The `pipeline` command: parse the command line, load and check the settings, run, and turn an
//! error into a message and an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pipeline::runner::{Runner, Stage};
use pipeline::settings::Settings;

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
    /// Folder of raw text files (overrides run.raw_dir).
    #[arg(long, global = true)]
    raw: Option<String>,
    /// Output folder (overrides run.out_dir).
    #[arg(long, global = true)]
    out: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every stage in order, skipping those whose inputs and settings did not change.
    Run {
        /// Start from this stage (earlier ones must have run).
        #[arg(long, value_enum, default_value = "clean")]
        from: Stage,
        /// Redo stages even when they are up to date.
        #[arg(long)]
        force: bool,
    },
    /// Rerun the clean stage: raw files → clean documents.
    Clean,
    /// Rerun the dedupe stage from clean's output.
    Dedupe,
    /// Rerun the segment stage from dedupe's output.
    Segment,
    /// Rerun the tag stage from dedupe's and segment's output.
    Tag,
    /// Rerun the sectionize stage and publish the final tables.
    Sectionize,
    /// Print the effective settings as TOML.
    Config,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.or_else(|| {
        let default = PathBuf::from("pipeline.toml");
        default.exists().then_some(default)
    });
    let mut overrides = cli.overrides;
    if let Some(raw) = cli.raw {
        overrides.push(format!("run.raw_dir={}", toml_string(&raw)));
    }
    if let Some(out) = cli.out {
        overrides.push(format!("run.out_dir={}", toml_string(&out)));
    }
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let single = |stage: Stage| -> anyhow::Result<()> {
        let runner = Runner::new(settings.clone())?;
        runner.run_stage(stage, true)?;
        if stage == Stage::Sectionize {
            runner.publish()?;
        }
        Ok(())
    };
    match cli.command {
        Command::Run { from, force } => Runner::new(settings)?.run(from, force)?,
        Command::Clean => single(Stage::Clean)?,
        Command::Dedupe => single(Stage::Dedupe)?,
        Command::Segment => single(Stage::Segment)?,
        Command::Tag => single(Stage::Tag)?,
        Command::Sectionize => single(Stage::Sectionize)?,
        Command::Config => print!("{}", settings.to_toml()),
    }
    Ok(())
}

/// A TOML string literal, so paths with quotes or backslashes survive `--set`.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
