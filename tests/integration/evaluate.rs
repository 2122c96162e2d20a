//! `pipeline evaluate` on real data: the seeds against their gold (every fact right), a planted wrong
//! value caught by the floor, a gold file naming a file the dataset lacks, a malformed gold file;
//! and the copies of the development set, the seeds' gold and the reference scorer kept equal to the
//! shared ones they come from.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::pipeline;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn seeds_gold() -> PathBuf {
    Path::new(ROOT).join("tests/fixtures/gold_seeds.json")
}

/// A temporary folder holding the dataset of the seeds in `out/`.
fn seeds_dataset() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let raw = Path::new(ROOT).join("raw");
    let out = pipeline(
        dir.path(),
        &["run", "--quiet", "--raw", raw.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn evaluate(dir: &Path, gold: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["evaluate", gold.to_str().unwrap()];
    args.extend_from_slice(extra);
    pipeline(dir, &args)
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn the_seeds_score_every_fact_right_and_a_planted_wrong_value_fails_the_floor() {
    let dir = seeds_dataset();
    let gold = seeds_gold();
    let output = evaluate(
        dir.path(),
        &gold,
        &["--json", "--min-fields", "1", "--min-headings", "1"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["field_accuracy"], 1.0);
    assert_eq!(report["heading_precision"], 1.0);
    assert_eq!(report["heading_recall"], 1.0);
    assert_eq!(report["documents_found"], 6);
    assert_eq!(report["headings"]["wanted"], 57);
    assert_eq!(report["headings"]["inline_matched"], 2);
    for list in [
        "mismatches",
        "noise_leaks",
        "doc_count_errors",
        "missing_documents",
    ] {
        assert_eq!(report[list], Value::Array(vec![]), "{list}");
    }
    assert_eq!(report["files"].as_object().unwrap().len(), 5);
    assert_eq!(report["macro_average"]["heading_recall"], 1.0);

    // One wrong title and one wrong heading level in the gold: the floor fails and both show.
    let mut planted: Value =
        serde_json::from_str(&std::fs::read_to_string(&gold).unwrap()).unwrap();
    planted["documents"][0]["title"] = "一个错误的标题".into();
    planted["documents"][2]["headings"][0]["level"] = 2.into();
    let planted_path = dir.path().join("planted.json");
    std::fs::write(&planted_path, planted.to_string()).unwrap();
    let output = evaluate(dir.path(), &planted_path, &["--min-fields", "1.0"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains(
            "000_2d7e0cbb95943698.txt#1 title: got \"当好一名处长要正确处理好四种关系\" want \"一个错误的标题\""
        ),
        "{stdout}"
    );
    assert!(stdout.contains("heading level: got 1 want 2"), "{stdout}");
    assert!(stderr.contains("below --min-fields 1"), "{stderr}");
    // Without a floor the same report exits 0.
    assert!(evaluate(dir.path(), &planted_path, &[]).status.success());
}

#[test]
fn a_gold_file_naming_a_file_the_dataset_lacks_scores_it_as_missing() {
    let dir = seeds_dataset();
    let mut gold: Value =
        serde_json::from_str(&std::fs::read_to_string(seeds_gold()).unwrap()).unwrap();
    let mut absent = gold["documents"][1].clone();
    absent["file"] = "absent.txt".into();
    absent["part"] = 1.into();
    gold["documents"].as_array_mut().unwrap().push(absent);
    gold["files"]["absent.txt"] = serde_json::json!({"documents": 1, "noise": []});
    let path = dir.path().join("gold.json");
    std::fs::write(&path, gold.to_string()).unwrap();

    let output = evaluate(dir.path(), &path, &["--json", "--min-headings", "0.99"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: absent.txt: the dataset has no document of this file"),
        "{stderr}"
    );
    let report = json(&output);
    assert_eq!(
        report["missing_documents"],
        serde_json::json!(["absent.txt#1"])
    );
    assert_eq!(
        report["doc_count_errors"],
        serde_json::json!(["absent.txt: 0 documents, expected 1"])
    );
    // 7 documents × 6 fields, 6 missing; the missing document's headings count as not found.
    assert_eq!(report["field_accuracy"], 0.857);
    assert!(report["heading_recall"].as_f64().unwrap() < 1.0);
    assert_eq!(report["files"]["absent.txt"]["field_accuracy"], 0.0);
    assert_eq!(output.status.code(), Some(1), "recall is below the floor");
}

#[test]
fn a_malformed_gold_file_is_refused_with_the_key() {
    let dir = seeds_dataset();
    let mut gold: Value =
        serde_json::from_str(&std::fs::read_to_string(seeds_gold()).unwrap()).unwrap();
    gold["documents"][3]["headings"][1]
        .as_object_mut()
        .unwrap()
        .remove("level");
    let path = dir.path().join("gold.json");
    std::fs::write(&path, gold.to_string()).unwrap();
    let output = evaluate(dir.path(), &path, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("gold.json: not a gold file: at `documents[3].headings[1]`")
            && stderr.contains("missing field `level`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A dataset folder without tables is named, not a panic.
    let empty = tempfile::tempdir().unwrap();
    let output = evaluate(empty.path(), &seeds_gold(), &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("documents.parquet: no such table"),
        "{stderr}"
    );
}

/// Every file below `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// Gold changes come only from the shared development set and gold folder: the project's copies
/// must equal them wherever they are present (beside the clone, as on the developers' machines and
/// in CI).
#[test]
fn the_copies_of_the_development_set_and_the_scorer_equal_the_shared_ones() {
    let root = Path::new(ROOT);
    let copy = root.join("tests/fixtures/dev");
    let copied = tree(&copy);
    assert_eq!(
        copied.iter().filter(|(p, _)| p.starts_with("raw")).count(),
        40
    );
    let shared = root.join("../shared");
    if !shared.is_dir() {
        eprintln!(
            "note: {} is not here; the copies are not compared",
            shared.display()
        );
        return;
    }
    let original = tree(&shared.join("dev"));
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&copied), names(&original));
    for ((path, a), (_, b)) in copied.iter().zip(&original) {
        assert!(
            a == b,
            "tests/fixtures/dev/{} differs from ../shared/dev",
            path.display()
        );
    }
    for (ours, theirs) in [
        ("tests/fixtures/gold_seeds.json", "gold/seeds.json"),
        ("tests/scorer/score.py", "gold/score.py"),
        ("tests/scorer/tables.py", "gold/tables.py"),
    ] {
        assert!(
            std::fs::read(root.join(ours)).unwrap() == std::fs::read(shared.join(theirs)).unwrap(),
            "{ours} differs from ../shared/{theirs}"
        );
    }
}
