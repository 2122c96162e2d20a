//! Gives the program the identity of its own rules: a SHA-256 over every file under `src/` (code,
//! dictionaries, gazetteer), as `PIPELINE_BUILD_ID`. Stage fingerprints include it, so a program
//! whose rules changed redoes the stages instead of calling the old output up to date, and the
//! manifest records which rules made the tables. The same sources give the same id on any machine.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut found = Vec::new();
    files(Path::new("src"), &mut found);
    let mut hasher = Sha256::new();
    for path in &found {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let digest: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=PIPELINE_BUILD_ID={digest}");
}
