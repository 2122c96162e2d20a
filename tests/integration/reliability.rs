//! Reliability on real machines and real collections: bad input gets a verdict and the run goes on,
//! a killed run leaves no half-written table and the next run gives the same bytes as an
//! uninterrupted one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use arrow::array::{Array, AsArray};

use crate::common::{pipeline, read_table as table};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/raw");

/// source_file → (status, reason detail, encoding); every rejected or copied file's reason is one
/// of the documented kinds.
fn sources(out: &Path) -> HashMap<String, (String, Option<String>, Option<String>)> {
    let t = table(&out.join("sources.parquet"));
    let col = |name: &str| t.column_by_name(name).unwrap().as_string::<i32>().clone();
    let (files, status, reason, encoding) = (
        col("source_file"),
        col("status"),
        col("reason_detail"),
        col("encoding"),
    );
    let kinds = col("reason");
    for i in (0..t.num_rows()).filter(|&i| kinds.is_valid(i)) {
        assert_ne!(
            kinds.value(i),
            "other",
            "{}: {}",
            files.value(i),
            reason.value(i)
        );
    }
    (0..t.num_rows())
        .map(|i| {
            let opt = |a: &arrow::array::StringArray| a.is_valid(i).then(|| a.value(i).to_string());
            (
                files.value(i).to_string(),
                (status.value(i).to_string(), opt(&reason), opt(&encoding)),
            )
        })
        .collect()
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(Path::new(SEEDS).join(name)).unwrap()
}

#[test]
fn bad_input_gets_a_verdict_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    std::fs::create_dir_all(raw.join("nested/deeper")).unwrap();
    let text = seed("004_0958ddcb164f6320.txt");
    let write = |name: &str, bytes: &[u8]| std::fs::write(raw.join(name), bytes).unwrap();

    write("empty.txt", b"");
    write("blank.txt", " \n\u{3000}\r\n\t".as_bytes());
    write(
        "image.png",
        &[
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
            0, 1,
        ],
    );
    write(
        "archive.zip",
        &[
            b'P', b'K', 3, 4, 20, 0, 0, 0, 8, 0, 0x21, 0, 0xff, 0xfe, 0, 0, 0, 0,
        ],
    );
    // Bytes that are no encoding's Chinese text.
    let junk: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8 | 0x80)
        .collect();
    write("junk.txt", &junk);
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
        be.extend_from_slice(&unit.to_be_bytes());
    }
    write("utf16le.txt", &le);
    write("nested/utf16be.txt", &be);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(seed("002_aa21f67989e96744.txt").as_bytes());
    write("nested/deeper/utf8 bom 讲话.txt", &bom);
    write(
        "cr only.txt",
        seed("003_a355b8969e69a675.txt")
            .replace('\n', "\r")
            .as_bytes(),
    );
    let with_nul = seed("001_b6be86bfa3163a63.txt").replacen('。', "。\0", 3);
    write("nul.txt", with_nul.as_bytes());
    // One 50 MB line.
    let line: String = text.replace('\n', "").repeat(50_000_000 / text.len() + 1);
    write("one_line.txt", line.as_bytes());
    // A file name with bytes that are not UTF-8.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"latin1-\xe9t\xe9.txt");
        std::fs::write(raw.join(name), seed("000_2d7e0cbb95943698.txt")).unwrap();
        // A symlink is followed once; a symlink loop is reported, not followed forever.
        std::os::unix::fs::symlink(raw.join("utf16le.txt"), raw.join("z_link_to_utf16le.txt"))
            .unwrap();
        std::os::unix::fs::symlink(&raw, raw.join("nested/loop")).unwrap();
    }

    let output = pipeline(dir.path(), &["run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let found = sources(&dir.path().join("out"));
    let verdict = |name: &str| {
        found
            .get(name)
            .unwrap_or_else(|| panic!("{name} not accounted for: {found:?}"))
    };

    for (name, reason) in [
        ("empty.txt", "empty file"),
        ("blank.txt", "white space"),
        ("image.png", "binary"),
        ("archive.zip", "binary"),
        ("junk.txt", "not text"),
    ] {
        let (status, why, _) = verdict(name);
        assert_eq!(status, "rejected", "{name}");
        let why = why.as_deref().unwrap_or("");
        assert!(
            why.contains(reason)
                || reason == "not text" && (why.contains("binary") || why.contains("encoding")),
            "{name}: {why:?}"
        );
        assert!(
            stderr.contains(&format!("{name}: rejected")),
            "no message for {name}:\n{stderr}"
        );
    }
    for (name, encoding) in [
        ("utf16le.txt", "UTF-16LE BOM"),
        ("nested/utf16be.txt", "UTF-16BE BOM"),
        ("nested/deeper/utf8 bom 讲话.txt", "UTF-8 BOM"),
        ("cr only.txt", "UTF-8"),
        ("nul.txt", "UTF-8"),
        ("one_line.txt", "UTF-8"),
    ] {
        let (status, why, found_encoding) = verdict(name);
        assert_ne!(status, "rejected", "{name}: {why:?}");
        assert_eq!(found_encoding.as_deref(), Some(encoding), "{name}");
    }
    // The two UTF-16 files hold the same text: the first in path order is kept, the other is its
    // duplicate, and the symlink is a byte-identical copy of the LE file.
    assert_eq!(verdict("nested/utf16be.txt").0, "kept");
    assert_eq!(verdict("utf16le.txt").0, "duplicate");
    assert_eq!(verdict("z_link_to_utf16le.txt").0, "duplicate");
    for name in [
        "nested/deeper/utf8 bom 讲话.txt",
        "cr only.txt",
        "nul.txt",
        "one_line.txt",
    ] {
        assert_eq!(verdict(name).0, "kept", "{name}");
    }
    assert_eq!(verdict("latin1-\u{fffd}t\u{fffd}.txt").0, "kept");
    let looped = found
        .iter()
        .find(|(name, _)| name.contains("loop"))
        .expect("the loop is reported");
    assert_eq!(looped.1.0, "rejected");
    assert!(looped.1.1.as_deref().unwrap_or("").contains("loop"));

    // The CR-only and NUL files read as the seeds do.
    let documents = table(&dir.path().join("out/documents.parquet"));
    let texts = documents.column_by_name("text").unwrap().as_string::<i32>();
    assert!(
        (0..texts.len()).all(|i| !texts.value(i).contains('\0') && !texts.value(i).contains('\r'))
    );
}

#[test]
fn a_huge_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("raw")).unwrap();
    std::fs::write(
        dir.path().join("raw/a.txt"),
        seed("003_a355b8969e69a675.txt"),
    )
    .unwrap();
    let output = pipeline(dir.path(), &["run", "--set", "clean.max_file_bytes=1000"]);
    assert!(output.status.success());
    let (status, reason, _) = &sources(&dir.path().join("out"))["a.txt"];
    assert_eq!(status, "rejected");
    let reason = reason.as_deref().unwrap();
    assert!(
        reason.starts_with("file of ")
            && reason.ends_with("bytes is larger than clean.max_file_bytes (1000)"),
        "{reason}"
    );
}

#[test]
fn many_tiny_files_are_all_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    for folder in 0..100 {
        std::fs::create_dir_all(raw.join(format!("{folder:03}"))).unwrap();
        for i in 0..1000 {
            let text = format!(
                "关于第{folder}组第{i}号文件的说明。今天我们召开机关党建工作会议，共{}人参加。",
                folder * 1000 + i
            );
            std::fs::write(raw.join(format!("{folder:03}/{i:04}.txt")), text).unwrap();
        }
    }
    let output = pipeline(dir.path(), &["run", "--quiet"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found = sources(&dir.path().join("out"));
    assert_eq!(found.len(), 100_000);
    assert!(found.values().all(|(status, _, _)| status == "kept"));
    assert_eq!(
        table(&dir.path().join("out/documents.parquet")).num_rows(),
        100_000
    );
}

/// Kills runs at random moments; the next run must finish with exactly the bytes of an
/// uninterrupted run, and no final name may ever hold a half-written table.
#[test]
fn killed_runs_leave_nothing_half_written_and_the_next_run_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let generated = Command::new(env!("CARGO_BIN_EXE_generate-corpus"))
        .args(["--mb", "4", "--seed", "7", "--raw", SEEDS, "--out"])
        .arg(dir.path().join("raw"))
        .output()
        .unwrap();
    assert!(generated.status.success());

    let reference = dir.path().join("reference");
    let ok = pipeline(
        dir.path(),
        &["run", "--quiet", "--out", reference.to_str().unwrap()],
    );
    assert!(ok.status.success());
    let started = std::time::Instant::now();
    let ok = pipeline(
        dir.path(),
        &["run", "--quiet", "--force", "--out", "timing"],
    );
    assert!(ok.status.success());
    let full_run = started.elapsed();

    let out = dir.path().join("out");
    let mut rng = fastrand::Rng::with_seed(42);
    for round in 0..12 {
        // Change a setting now and then so that stages are redone rather than skipped.
        let keywords = format!("tag.keywords={}", 5 + round % 3);
        let mut child = Command::new(env!("CARGO_BIN_EXE_pipeline"))
            .args(["run", "--quiet", "--set", &keywords])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs_f64(full_run.as_secs_f64() * rng.f64()));
        let _ = child.kill();
        let _ = child.wait();
        for name in pipeline::publish::TABLES {
            let path = out.join(name);
            if path.exists() {
                // Whatever is under a final name is a whole, readable table.
                let _ = table(&path);
            }
        }
        // The published folder is always one run's: the manifest describes the tables beside it.
        if out.exists() {
            let verify = pipeline(dir.path(), &["verify"]);
            assert!(
                verify.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&verify.stdout)
            );
        }
    }
    let last = pipeline(dir.path(), &["run", "--quiet"]);
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    for name in pipeline::publish::TABLES
        .iter()
        .chain(["manifest.json", "README.md"].iter())
    {
        let a = std::fs::read(reference.join(name)).unwrap();
        let b = std::fs::read(out.join(name)).unwrap();
        assert!(a == b, "{name} differs from the uninterrupted run");
    }
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!dir.path().join(".out.publishing").exists());
}

#[test]
fn a_damaged_stage_artifact_is_detected_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("raw")).unwrap();
    for name in ["002_aa21f67989e96744.txt", "004_0958ddcb164f6320.txt"] {
        std::fs::copy(
            Path::new(SEEDS).join(name),
            dir.path().join("raw").join(name),
        )
        .unwrap();
    }
    assert!(pipeline(dir.path(), &["run", "--quiet"]).status.success());
    let reference = std::fs::read(dir.path().join("out/tokens.parquet")).unwrap();
    // Truncate the segment stage's table.
    let artifact = dir.path().join(".pipeline/out/segment/tokens.arrow");
    let bytes = std::fs::read(&artifact).unwrap();
    std::fs::write(&artifact, &bytes[..bytes.len() / 2]).unwrap();
    let output = pipeline(dir.path(), &["run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("segment") && !stderr.contains("segment    up to date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("damaged"),
        "no message about the damage:\n{stderr}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/tokens.parquet")).unwrap(),
        reference
    );
}
