//! What makes `out/` a dataset people can cite: a manifest (every file's SHA-256, size and row
//! count, the input and settings fingerprints, the program version), a dataset card (`README.md`
//! with a YAML header that data hubs read), and `verify`, which checks a folder against its manifest.
//! Nothing here holds a timestamp, so the same input and settings give byte-identical files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::artifact::{sha256_file, sha256_hex};
use crate::settings::Settings;

pub const MANIFEST: &str = "manifest.json";
pub const CARD: &str = "README.md";
/// The visual report (`report.rs`), written by a build with `stats`.
pub const REPORT: &str = "report.html";
/// The folder of the report's document pages (`report/<doc_id>.html`).
pub const REPORT_PAGES: &str = "report";

/// The tables' files, in the order the card lists them.
pub const TABLES: [&str; 4] = [
    "documents.parquet",
    "sections.parquet",
    "tokens.parquet",
    "sources.parquet",
];

/// What an output folder may hold besides the dataset: what older builds kept there (the stage
/// artifacts under `stages/`, the lock) and what a killed run left (`.tmp-…`). All of it goes when
/// the folder is replaced.
const LEFT_BY_OLDER_RUNS: [&str; 2] = ["stages", ".lock"];

/// Refuses an output folder that holds files of its own, which replacing the folder would delete.
pub fn check_out_folder(out: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let mut foreign: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            !(TABLES.contains(&name.as_str())
                || [CARD, MANIFEST, REPORT, REPORT_PAGES].contains(&name.as_str())
                || LEFT_BY_OLDER_RUNS.contains(&name.as_str())
                || name.starts_with(".tmp-"))
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown = foreign
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::BadFile {
        path: out.to_path_buf(),
        reason: format!(
            "the output folder holds {} file(s) that are not the dataset's ({shown}{}); each run replaces the folder as a whole, so give a new or empty folder (--out) or move them away",
            foreign.len(),
            if foreign.len() > 3 { ", …" } else { "" }
        ),
    })
}

/// Where the next dataset is put together before it replaces `out`: beside it, on the same file
/// system.
pub fn staging_folder(out: &Path) -> std::path::PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".into());
    out.with_file_name(format!(".{name}.publishing"))
}

/// The table's name (its Hugging Face config): the file name without `.parquet`.
fn table_name(file: &str) -> &str {
    file.trim_end_matches(".parquet")
}

const SCHEMA_DOC: &str = include_str!("../docs/SCHEMA.md");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub program: String,
    pub program_version: String,
    /// Digest of the program's sources and data files (its rules), made at build time.
    #[serde(default)]
    pub program_build: String,
    /// SHA-256 over the raw files (their names and hashes) and the clean settings.
    pub input_fingerprint: String,
    /// SHA-256 of the settings that decide the content (all but `run`).
    pub settings_fingerprint: String,
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub sha256: String,
    pub bytes: u64,
    /// Rows, for Parquet tables.
    pub rows: Option<u64>,
}

impl FileEntry {
    /// The entry of a file that is not a table, from the bytes written to it.
    pub fn of(bytes: &[u8]) -> FileEntry {
        FileEntry {
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
            rows: None,
        }
    }
}

fn entry(path: &Path) -> Result<FileEntry> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let rows = if path.extension().is_some_and(|e| e == "parquet") {
        Some(crate::io::parquet::row_count(path)?)
    } else {
        None
    };
    Ok(FileEntry {
        sha256: sha256_file(path)?,
        bytes,
        rows,
    })
}

/// Writes the dataset card and then the manifest (which covers the card) beside the tables in
/// `dir`.
pub fn write(dir: &Path, settings: &Settings, input_fingerprint: &str) -> Result<Manifest> {
    let mut files = BTreeMap::new();
    for name in TABLES {
        files.insert(name.to_string(), entry(&dir.join(name))?);
    }
    let card = dataset_card(settings, &files);
    let path = dir.join(CARD);
    std::fs::write(&path, card).map_err(|e| Error::io(&path, e))?;
    files.insert(CARD.to_string(), entry(&dir.join(CARD))?);
    #[cfg(feature = "stats")]
    {
        files.extend(crate::report::write(dir, &settings.report)?);
    }
    let manifest = Manifest {
        program: "pipeline".into(),
        program_version: env!("CARGO_PKG_VERSION").into(),
        program_build: crate::io::artifact::BUILD_ID.into(),
        input_fingerprint: input_fingerprint.to_string(),
        settings_fingerprint: sha256_hex(settings.output_settings_toml().as_bytes()),
        files,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    let path = dir.join(MANIFEST);
    std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
    Ok(manifest)
}

/// Records the report's files `written` (relative to `dir`) in the manifest of `dir`, in place of
/// the report's files it listed (`pipeline report` rewrote them).
pub fn update_report_entries(dir: &Path, written: Vec<(String, FileEntry)>) -> Result<()> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::BadFile {
        path: path.clone(),
        reason: format!("not a manifest: {e}"),
    })?;
    let pages = format!("{REPORT_PAGES}/");
    manifest
        .files
        .retain(|name, _| name != REPORT && !name.starts_with(&pages));
    manifest.files.extend(written);
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    let partial = dir.join(format!(".tmp-{MANIFEST}"));
    std::fs::write(&partial, json).map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))
}

/// Checks every file the manifest lists; returns the problems found (empty when all match).
pub fn verify(out: &Path) -> Result<Vec<String>> {
    let path = out.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::BadFile {
        path: path.clone(),
        reason: format!("not a manifest: {e}"),
    })?;
    let mut problems = Vec::new();
    for (name, expected) in &manifest.files {
        let file = out.join(name);
        if !file.exists() {
            problems.push(format!("{name}: missing"));
            continue;
        }
        let actual = entry(&file)?;
        if actual.bytes != expected.bytes {
            problems.push(format!(
                "{name}: {} bytes, the manifest says {}",
                actual.bytes, expected.bytes
            ));
        } else if actual.sha256 != expected.sha256 {
            problems.push(format!(
                "{name}: contents differ from the manifest (SHA-256)"
            ));
        }
    }
    Ok(problems)
}

/// The dataset card: a YAML header for data hubs, then what the dataset is and how to use it.
fn dataset_card(settings: &Settings, files: &BTreeMap<String, FileEntry>) -> String {
    let p = &settings.publish;
    let rows = |file: &str| files[file].rows.unwrap_or(0);
    let mut card = String::new();
    card.push_str("---\n");
    card.push_str(&format!("pretty_name: {}\n", yaml_string(&p.title)));
    card.push_str(&format!("license: {}\n", yaml_string(&p.license)));
    card.push_str("language:\n- zh\n");
    card.push_str("task_categories:\n- text-classification\n- token-classification\n");
    card.push_str("configs:\n");
    for file in TABLES {
        let table = table_name(file);
        card.push_str(&format!(
            "- config_name: {table}\n  data_files: {file}\n{}",
            if table == "documents" {
                "  default: true\n"
            } else {
                ""
            }
        ));
    }
    card.push_str("---\n\n");
    card.push_str(&format!("# {}\n\n{}\n\n", p.title, p.description));
    card.push_str("## Contents\n\n| table | rows | file |\n|---|---|---|\n");
    for file in TABLES {
        card.push_str(&format!(
            "| {} | {} | `{file}` |\n",
            table_name(file),
            rows(file)
        ));
    }
    card.push_str(&format!(
        "\nMade by `pipeline` {} from the raw files listed in `sources` (each one kept, a copy or \
         rejected, with the reason). `report.html` shows the dataset at a glance (open it in a \
         browser; it needs no network), and `report/` holds a page for each document it lists (the \
         evidence of every field marked in the text, the outline, the cleaning edits). `manifest.json` holds the SHA-256 of every file; `pipeline \
         verify` checks them. Paragraphs found in many documents (boilerplate the cleaning rules \
         may have missed) are not published: whoever made the dataset finds the commonest in the \
         work folder's `dedupe/repeated_paragraphs.jsonl`, named by `pipeline run`.\n\n",
        env!("CARGO_PKG_VERSION")
    ));
    card.push_str("## Licence and citation\n\n");
    card.push_str(&format!("Licence: {}\n\n", p.license));
    if !p.citation.is_empty() {
        card.push_str(&format!("```bibtex\n{}\n```\n\n", p.citation.trim()));
    }
    card.push_str(
        "## Example queries\n\nDuckDB:\n\n```sql\nSELECT year(date) AS year, genre, count(*) AS speeches\n\
         FROM 'documents.parquet' GROUP BY ALL ORDER BY ALL;\n\n\
         SELECT d.title, s.heading FROM 'sections.parquet' s JOIN 'documents.parquet' d USING (doc_id)\n\
         WHERE s.level = 1;\n\n\
         SELECT token, count(*) AS n FROM 'tokens.parquet' WHERE NOT is_punct AND NOT is_stopword\n\
         GROUP BY token ORDER BY n DESC LIMIT 20;\n```\n\n\
         pandas (tokens with their section's heading; only the columns needed, since the section's \
         text copied onto each of its tokens would not fit in memory at corpus scale):\n\n\
         ```python\nimport pandas as pd\ndocuments = pd.read_parquet(\"documents.parquet\")\n\
         tokens = pd.read_parquet(\"tokens.parquet\", columns=[\"doc_id\", \"section_id\", \"token\"])\n\
         headings = pd.read_parquet(\"sections.parquet\", columns=[\"doc_id\", \"section_id\", \"level\", \"heading\"])\n\
         tokens.merge(headings, on=[\"doc_id\", \"section_id\"])\n```\n\n\
         polars:\n\n```python\nimport polars as pl\npl.read_parquet(\"documents.parquet\").group_by(\"genre\").len()\n```\n\n\
         Hugging Face `datasets`: `load_dataset(FOLDER_OR_HUB_NAME, \"sections\")` reads one config per \
         table (the header above; `documents` is the default); from inside this folder:\n\n\
         ```python\nfrom datasets import load_dataset\n\
         documents = load_dataset(\"parquet\", data_files=\"documents.parquet\", split=\"train\")\n\
         sections = load_dataset(\"parquet\", data_files=\"sections.parquet\", split=\"train\")\n```\n\n",
    );
    // The column-by-column schema, from the project's own documentation.
    let schema = SCHEMA_DOC
        .split_once("\n## ")
        .map(|(_, rest)| rest)
        .unwrap_or(SCHEMA_DOC);
    card.push_str("## Schema\n\n### ");
    card.push_str(&schema.replace("\n## ", "\n### "));
    card.push_str("\n## Settings used\n\n```toml\n");
    card.push_str(&settings.output_settings_toml());
    card.push_str("```\n");
    card
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}
