//! The runner: decides which stages run (a stage whose inputs and settings did not change is
//! skipped), checks that their inputs are whole, lists and hashes the raw files (the clean stage's
//! input and fingerprint), gives each stage a thread pool and its output folder, and commits the
//! output atomically with its fingerprint; then publishes the final tables. The stages themselves
//! are reached through `stages::StageId` and driven through the `Stage` trait: no stage's policy
//! lives here.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::io::artifact::{
    FINGERPRINT_FILE, Fingerprint, StageOutput, fingerprint_key, intact_fingerprint, read_jsonl,
    stage_dir,
};
use crate::model::{STATUS_REJECTED, SourceRecord};
use crate::settings::Settings;
use crate::stages::Context;
use crate::stages::StageId;
use crate::stages::clean::{self, ListedFile};

pub struct Runner {
    settings: Settings,
    raw: PathBuf,
    /// The published dataset.
    out: PathBuf,
    /// The stage artifacts.
    work: PathBuf,
    pool: rayon::ThreadPool,
    /// Stages whose artifacts this process has checked or written: each is hashed once per run.
    checked: std::sync::Mutex<HashMap<StageId, Fingerprint>>,
    /// Stages whose output was said to be made with other settings.
    warned: std::sync::Mutex<std::collections::HashSet<StageId>>,
    /// No stage summaries (warnings still go to stderr).
    pub quiet: bool,
    /// One line per raw file in the clean stage.
    pub verbose: bool,
    /// Held for the runner's life: one run at a time per output folder.
    _lock: File,
}

impl Runner {
    /// Prepares a run; fails at once if another run holds the output folder.
    pub fn new(settings: Settings) -> Result<Self> {
        let out = PathBuf::from(&settings.run.out_dir);
        let work = settings.work_dir();
        std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
        let lock = lock_output(&work, &out)?;
        crate::publish::check_out_folder(&out)?;
        remove_leftovers(&work, &out)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.run.threads)
            .build()
            .map_err(|e| Error::setting("run.threads", e.to_string()))?;
        Ok(Runner {
            raw: PathBuf::from(&settings.run.raw_dir),
            out,
            work,
            settings,
            pool,
            quiet: false,
            verbose: false,
            checked: Default::default(),
            warned: Default::default(),
            _lock: lock,
        })
    }

    /// How many raw files the last clean rejected, from its account on disk.
    pub fn rejected_files(&self) -> Result<usize> {
        let path = stage_dir(&self.work, "dedupe").join("sources.jsonl");
        let mut rejected = 0;
        for source in read_jsonl::<SourceRecord>(&path)? {
            rejected += (source?.status == STATUS_REJECTED) as usize;
        }
        Ok(rejected)
    }

    /// Runs `from` and every stage after it; up-to-date stages are skipped unless `force`.
    pub fn run(&self, from: StageId, force: bool) -> Result<()> {
        // Slow set-up of the later stages overlaps the earlier ones.
        for stage in StageId::ALL.into_iter().filter(|s| *s > from) {
            stage.prepare(&self.settings);
        }
        for stage in StageId::ALL.into_iter().filter(|s| *s >= from) {
            self.run_stage(stage, force)?;
        }
        self.publish()
    }

    /// Runs one stage from its predecessors' output on disk (skipped when up to date unless `force`).
    pub fn run_stage(&self, stage: StageId, force: bool) -> Result<()> {
        let started = Instant::now();
        let (key, raw_listing) = self.stage_key(stage)?;
        self.warn_of_other_settings(stage);
        let stored = self.intact(stage);
        // Per-document work of the stored output can be reused when only the input changed.
        let settings_key = self.settings_key(stage);
        let reusable = !force && stored.as_ref().is_some_and(|f| f.settings == settings_key);
        if stored.is_none()
            && stage_dir(&self.work, stage.name())
                .join(FINGERPRINT_FILE)
                .exists()
        {
            eprintln!(
                "warning: {}: stored output is damaged (a file is missing or fails its checksum); rebuilding",
                stage_dir(&self.work, stage.name()).display()
            );
        }
        if !force && stored.is_some_and(|f| f.key == key) {
            if !self.quiet {
                eprintln!("{:<10} up to date, skipped", stage.name());
            }
            return Ok(());
        }
        let output = StageOutput::begin(&self.work, stage.name())?;
        let cx = Context {
            settings: &self.settings,
            raw: &self.raw,
            work: &self.work,
            reuse: reusable,
            raw_files: raw_listing.as_deref().unwrap_or_default(),
            quiet: self.quiet,
            verbose: self.verbose,
        };
        let summary = self.pool.install(|| stage.run(&cx, &output))?;
        let made_with = serde_json::to_value(&self.settings).expect("settings serialise");
        let fingerprint = output.commit(key, settings_key, made_with)?;
        self.checked
            .lock()
            .expect("not poisoned")
            .insert(stage, fingerprint);
        if !self.quiet {
            eprintln!(
                "{:<10} {summary} ({:.1} s)",
                stage.name(),
                started.elapsed().as_secs_f64()
            );
        }
        Ok(())
    }

    /// The key of a stage's output: its settings and the digests of what it reads (the raw files,
    /// listed and hashed here for clean, whose records it returns too; the earlier stages' outputs,
    /// which must be whole).
    fn stage_key(&self, stage: StageId) -> Result<(String, Option<Vec<ListedFile>>)> {
        let mut inputs = Vec::new();
        for input in stage.inputs() {
            let fingerprint = self.intact(*input).ok_or_else(|| Error::Stage {
                stage: stage.name(),
                reason: format!(
                    "needs the output of `{}`, which is missing or damaged: run `pipeline run` (or `pipeline {}`) first",
                    input.name(),
                    input.name()
                ),
            })?;
            inputs.push(fingerprint.outputs);
        }
        let settings = stage.fingerprint_settings(&self.settings);
        if !stage.inputs().is_empty() {
            let refs: Vec<&BTreeMap<String, String>> = inputs.iter().collect();
            return Ok((fingerprint_key(stage.name(), &settings, &refs), None));
        }
        // The first stage reads the raw files.
        let listing = self.pool.install(|| clean::scan(&self.raw))?;
        let digests: BTreeMap<String, String> = listing
            .iter()
            .map(|(s, _)| (s.source_file.clone(), s.source_sha256.clone()))
            .collect();
        Ok((
            fingerprint_key(stage.name(), &settings, &[&digests]),
            Some(listing),
        ))
    }

    /// The key of a stage's own settings (the part of its fingerprint that the settings decide).
    fn settings_key(&self, stage: StageId) -> String {
        fingerprint_key(
            stage.name(),
            &stage.fingerprint_settings(&self.settings),
            &[],
        )
    }

    /// Says so when an earlier stage's output, which `stage` reads as it is, was made with other
    /// settings than the ones given now (`run --from tag --set clean.…`, or `pipeline tag --set …`
    /// and then `pipeline sectionize` without it): the tables would not show those settings.
    fn warn_of_other_settings(&self, stage: StageId) {
        for &input in stage.inputs() {
            let Some(made) = self
                .intact(input)
                .filter(|f| f.settings != self.settings_key(input))
            else {
                continue;
            };
            // Once per stage and run, though several later stages read it.
            if !self.warned.lock().expect("not poisoned").insert(input) {
                continue;
            }
            let given = serde_json::to_value(&self.settings).expect("settings serialise");
            let keys = differing_keys(input.name(), &made.made_with, &given);
            eprintln!(
                "warning: the `{input}` output that `{stage}` reads was made with other `{input}` settings than these{keys}; run `pipeline run --from {input}` to apply them",
                input = input.name(),
                stage = stage.name(),
                keys = match keys.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", keys.join(", ")),
                },
            );
        }
    }

    /// The stage's fingerprint if its artifacts are whole (their checksums are verified the first
    /// time this process asks, then remembered).
    fn intact(&self, stage: StageId) -> Option<Fingerprint> {
        let mut checked = self.checked.lock().expect("not poisoned");
        if let Some(fingerprint) = checked.get(&stage) {
            return Some(fingerprint.clone());
        }
        // On the run's own pool, so `run.threads` holds for the checksums too.
        let fingerprint = self
            .pool
            .install(|| intact_fingerprint(&self.work, stage.name()))?;
        checked.insert(stage, fingerprint.clone());
        Some(fingerprint)
    }

    /// The settings the tables were made with: each stage's own section as its output recorded it
    /// (a skipped stage's output may have been made with other settings than the given ones).
    fn settings_used(&self) -> Settings {
        let mut used = serde_json::to_value(&self.settings).expect("settings serialise");
        for stage in StageId::ALL {
            let recorded = self
                .intact(stage)
                .and_then(|f| f.made_with.get(stage.name()).cloned());
            if let Some(section) = recorded {
                used[stage.name()] = section;
            }
        }
        // A section an older build recorded that no longer reads keeps the given one.
        serde_json::from_value(used).unwrap_or_else(|_| self.settings.clone())
    }

    /// Publishes the dataset: the final tables (hard links to the sectionize stage's files), the
    /// card and the manifest are put together beside the output folder, which they then replace
    /// as a whole, so a reader never sees tables of two runs together.
    pub fn publish(&self) -> Result<()> {
        let staged = crate::publish::staging_folder(&self.out);
        if staged.exists() {
            std::fs::remove_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
        }
        std::fs::create_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
        let dir = stage_dir(&self.work, StageId::Sectionize.name());
        for table in crate::publish::TABLES {
            let (from, to) = (dir.join(table), staged.join(table));
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
            }
        }
        let input = self
            .intact(StageId::Clean)
            .map(|f| f.key)
            .unwrap_or_default();
        crate::publish::write(&staged, &self.settings_used(), &input)?;
        crate::io::folder::replace(&staged, &self.out, &[crate::publish::MANIFEST])?;
        if !self.quiet {
            eprintln!(
                "dataset    {} (tables, README.md, {}manifest.json)",
                self.out.display(),
                if cfg!(feature = "stats") {
                    "report.html, report/, "
                } else {
                    ""
                }
            );
        }
        Ok(())
    }
}

/// The keys of `section` whose values differ between two settings (as JSON), e.g.
/// `clean.repair_punctuation`.
fn differing_keys(section: &str, a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a[section].as_object(), b[section].as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{section}.{k}"))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Removes what a killed run left half-written (temporary stage folders, a dataset being put
/// together), which is safe once the lock is held: no other run is writing them.
fn remove_leftovers(work: &Path, out: &Path) -> Result<()> {
    let staged = crate::publish::staging_folder(out);
    let mut leftovers = vec![staged];
    if let Ok(entries) = std::fs::read_dir(work) {
        leftovers.extend(
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
                .map(|e| e.path()),
        );
    }
    for path in leftovers.into_iter().filter(|p| p.exists()) {
        let removed = match path.is_dir() {
            true => std::fs::remove_dir_all(&path),
            false => std::fs::remove_file(&path),
        };
        removed.map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Takes the lock file in the work folder, or says that another run holds it. The lock goes with
/// the process, so a crashed run never leaves the folder locked.
fn lock_output(work: &Path, out: &Path) -> Result<File> {
    let path = work.join(".lock");
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::BadFile {
            path: out.to_path_buf(),
            reason: "another pipeline run is using this output folder; wait for it to finish"
                .into(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}
