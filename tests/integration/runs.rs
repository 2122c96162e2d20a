//! Runs the real `pipeline` binary in a temporary folder on the bundled seed files and checks the
//! dataset it writes: the data contract (schemas, spans, joins), the gold facts of the seeds, the
//! account of every raw file, reruns, determinism, and the refusal of bad settings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Output};

use arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Int32Array, ListArray, RecordBatch, StringArray,
};
use arrow::datatypes::Int32Type;
use serde_json::Value;

use crate::common::read_table;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/raw");
const GOLD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/gold_seeds.json"
);

/// A temporary working folder with a copy of the seeds in `raw/`.
struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    fn with_seeds() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        std::fs::create_dir(&raw).unwrap();
        for entry in std::fs::read_dir(SEEDS).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), raw.join(entry.file_name())).unwrap();
        }
        Workdir { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn pipeline(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pipeline"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let output = self.pipeline(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "pipeline {args:?} failed:\n{stderr}"
        );
        stderr
    }

    fn table(&self, name: &str) -> RecordBatch {
        read_table(&self.path(&format!("out/{name}.parquet")))
    }
}

fn strings<'a>(batch: &'a RecordBatch, column: &str) -> &'a StringArray {
    batch.column_by_name(column).unwrap().as_string::<i32>()
}

fn ints<'a>(batch: &'a RecordBatch, column: &str) -> &'a Int32Array {
    batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<Int32Type>()
}

fn opt(array: &StringArray, i: usize) -> Option<String> {
    array.is_valid(i).then(|| array.value(i).to_string())
}

fn list(batch: &RecordBatch, column: &str, i: usize) -> Vec<String> {
    let lists: &ListArray = batch.column_by_name(column).unwrap().as_list::<i32>();
    let values = lists.value(i);
    let values = values.as_string::<i32>();
    (0..values.len())
        .map(|j| values.value(j).to_string())
        .collect()
}

/// Gold texts compare after folding punctuation width and dropping white space.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap(),
            _ => c,
        })
        .collect()
}

fn sample_run() -> Workdir {
    let work = Workdir::with_seeds();
    work.run_ok(&["run"]);
    work
}

#[test]
fn seeds_give_six_documents_and_every_file_is_accounted_for() {
    let work = sample_run();
    let documents = work.table("documents");
    assert_eq!(documents.num_rows(), 6);
    let sources = work.table("sources");
    assert_eq!(sources.num_rows(), 5);
    let ids: HashSet<&str> = strings(&documents, "doc_id").iter().flatten().collect();
    assert_eq!(ids.len(), 6, "doc ids are unique");
    let mut from_sources = HashSet::new();
    for i in 0..sources.num_rows() {
        assert_eq!(strings(&sources, "status").value(i), "kept");
        from_sources.extend(list(&sources, "doc_ids", i));
    }
    let ids: HashSet<String> = ids.into_iter().map(String::from).collect();
    assert_eq!(from_sources, ids);
}

#[test]
fn tables_have_the_schemas_of_the_contract() {
    let work = sample_run();
    for (name, schema) in [
        ("documents", pipeline::schema::documents_schema()),
        ("sections", pipeline::schema::sections_schema()),
        ("tokens", pipeline::schema::tokens_schema()),
        ("sources", pipeline::schema::sources_schema()),
    ] {
        let table = work.table(name);
        assert_eq!(table.schema().fields(), schema.fields(), "{name}");
    }
    let documents = work.table("documents");
    assert!(
        documents
            .column_by_name("date")
            .unwrap()
            .as_any()
            .is::<Date32Array>()
    );
}

/// Positions and spans are delta-coded without a dictionary (the tokens table is a third of its
/// dictionary-coded size); words, tags and ids keep their dictionaries.
#[test]
fn integer_columns_are_delta_coded_and_strings_use_dictionaries() {
    use parquet::basic::{Encoding, Type};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let work = sample_run();
    let file = File::open(work.path("out/tokens.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let group = reader.metadata().row_group(0);
    for column in group.columns() {
        let name = column.column_path().string();
        let encodings: Vec<Encoding> = column.encodings().collect();
        match column.column_type() {
            Type::INT32 | Type::INT64 => {
                assert!(encodings.contains(&Encoding::DELTA_BINARY_PACKED), "{name}");
                assert!(column.dictionary_page_offset().is_none(), "{name}");
            }
            Type::BYTE_ARRAY => assert!(column.dictionary_page_offset().is_some(), "{name}"),
            _ => {}
        }
    }
}

#[test]
fn no_noise_is_left_in_any_document() {
    let work = sample_run();
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(GOLD).unwrap()).unwrap();
    let documents = work.table("documents");
    let files = strings(&documents, "source_file");
    let texts = strings(&documents, "text");
    let mut checked = 0;
    for (file, facts) in gold["files"].as_object().unwrap() {
        for noise in facts["noise"].as_array().unwrap() {
            let noise = noise.as_str().unwrap();
            for i in 0..documents.num_rows() {
                if files.value(i) == file {
                    assert!(
                        !texts.value(i).contains(noise),
                        "{file}: {noise:?} left in the text"
                    );
                    checked += 1;
                }
            }
        }
        let count = (0..documents.num_rows())
            .filter(|&i| files.value(i) == file)
            .count();
        assert_eq!(count as u64, facts["documents"].as_u64().unwrap(), "{file}");
    }
    assert!(checked >= 7);
    for i in 0..documents.num_rows() {
        let text = texts.value(i);
        assert!(
            !text.contains("\n\n") && !text.contains('\r'),
            "blank line or CR left"
        );
        assert!(text.lines().all(|l| l.trim() == l), "indentation left");
    }
}

#[test]
fn spans_and_joins_hold() {
    let work = sample_run();
    let documents = work.table("documents");
    let sections = work.table("sections");
    let tokens = work.table("tokens");
    let texts: HashMap<&str, Vec<char>> = (0..documents.num_rows())
        .map(|i| {
            (
                strings(&documents, "doc_id").value(i),
                strings(&documents, "text").value(i).chars().collect(),
            )
        })
        .collect();

    // Every token's span gives back the token; its (doc_id, section_id) exists in sections.
    let section_keys: HashSet<(&str, &str)> = (0..sections.num_rows())
        .map(|i| {
            (
                strings(&sections, "doc_id").value(i),
                strings(&sections, "section_id").value(i),
            )
        })
        .collect();
    let (doc_ids, section_ids, token_text) = (
        strings(&tokens, "doc_id"),
        strings(&tokens, "section_id"),
        strings(&tokens, "token"),
    );
    let (starts, ends) = (ints(&tokens, "char_start"), ints(&tokens, "char_end"));
    let positions = ints(&tokens, "position");
    for i in 0..tokens.num_rows() {
        let text = &texts[doc_ids.value(i)];
        let span: String = text[starts.value(i) as usize..ends.value(i) as usize]
            .iter()
            .collect();
        assert_eq!(span, token_text.value(i));
        assert!(!span.trim().is_empty(), "white space token");
        assert!(section_keys.contains(&(doc_ids.value(i), section_ids.value(i))));
        if i > 0 && doc_ids.value(i) == doc_ids.value(i - 1) {
            assert_eq!(positions.value(i), positions.value(i - 1) + 1);
        }
    }
    // Tokens joined in order give back each paragraph without its white space.
    let mut rebuilt: BTreeMap<(&str, i32), String> = BTreeMap::new();
    let paragraphs = ints(&tokens, "paragraph");
    for i in 0..tokens.num_rows() {
        rebuilt
            .entry((doc_ids.value(i), paragraphs.value(i)))
            .or_default()
            .push_str(token_text.value(i));
    }
    for (doc_id, text) in &texts {
        let text: String = text.iter().collect();
        for (p, line) in text.split('\n').enumerate() {
            let expected: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(
                rebuilt
                    .get(&(*doc_id, p as i32))
                    .cloned()
                    .unwrap_or_default(),
                expected
            );
        }
    }
    // Sections belong to documents; top-level spans cover the text; children nest in parents.
    let mut spans: HashMap<&str, (i32, i32, Option<String>)> = HashMap::new();
    for i in 0..sections.num_rows() {
        assert!(texts.contains_key(strings(&sections, "doc_id").value(i)));
        spans.insert(
            strings(&sections, "section_id").value(i),
            (
                ints(&sections, "char_start").value(i),
                ints(&sections, "char_end").value(i),
                opt(strings(&sections, "parent_id"), i),
            ),
        );
    }
    for (doc_id, text) in &texts {
        let mut top: Vec<(i32, i32)> = (0..sections.num_rows())
            .filter(|&i| {
                strings(&sections, "doc_id").value(i) == *doc_id
                    && sections.column_by_name("parent_id").unwrap().is_null(i)
            })
            .map(|i| {
                (
                    ints(&sections, "char_start").value(i),
                    ints(&sections, "char_end").value(i),
                )
            })
            .collect();
        top.sort();
        assert_eq!(top.first().unwrap().0, 0);
        assert_eq!(top.last().unwrap().1 as usize, text.len());
        for pair in top.windows(2) {
            assert_eq!(
                pair[0].1, pair[1].0,
                "{doc_id}: gap or overlap between top sections"
            );
        }
    }
    for (start, end, parent) in spans.values() {
        if let Some(parent) = parent {
            let (ps, pe, _) = spans[parent.as_str()];
            assert!(ps <= *start && end <= &pe);
        }
    }
    let punct: &BooleanArray = tokens.column_by_name("is_punct").unwrap().as_boolean();
    assert!((0..tokens.num_rows()).any(|i| punct.value(i) && token_text.value(i) == "。"));
}

#[test]
fn gold_facts_of_the_seeds() {
    let work = sample_run();
    let gold: Value = serde_json::from_str(&std::fs::read_to_string(GOLD).unwrap()).unwrap();
    let documents = work.table("documents");
    let sections = work.table("sections");
    let index: HashMap<(String, i32), usize> = (0..documents.num_rows())
        .map(|i| {
            (
                (
                    strings(&documents, "source_file").value(i).to_string(),
                    ints(&documents, "part").value(i),
                ),
                i,
            )
        })
        .collect();
    let dates = documents
        .column_by_name("date")
        .unwrap()
        .as_primitive::<arrow::datatypes::Date32Type>();
    for expected in gold["documents"].as_array().unwrap() {
        let key = (
            expected["file"].as_str().unwrap().to_string(),
            expected["part"].as_i64().unwrap() as i32,
        );
        let i = index[&key];
        let doc_id = strings(&documents, "doc_id").value(i);
        let accepts = |field: &str, got: Option<String>| {
            let mut allowed = vec![expected[field].clone()];
            if let Some(list) = expected
                .get(format!("accept_{field}"))
                .and_then(Value::as_array)
            {
                allowed.extend(list.iter().cloned());
            }
            let got_folded = got.as_deref().map(fold);
            assert!(
                allowed.iter().any(|a| a.as_str().map(fold) == got_folded),
                "{key:?} {field}: got {got:?}, gold {allowed:?}"
            );
        };
        accepts("title", opt(strings(&documents, "title"), i));
        accepts("speaker", opt(strings(&documents, "speaker"), i));
        accepts("speaker_role", opt(strings(&documents, "speaker_role"), i));
        accepts("occasion", opt(strings(&documents, "occasion"), i));
        accepts("genre", opt(strings(&documents, "genre"), i));
        let date = dates.is_valid(i).then(|| {
            let date = dates.value_as_date(i).unwrap().to_string();
            match strings(&documents, "date_precision").value(i) {
                "year" => date[..4].to_string(),
                "month" => date[..7].to_string(),
                _ => date,
            }
        });
        accepts("date", date);
        if let Some(source) = expected.get("source") {
            assert_eq!(
                opt(strings(&documents, "source"), i).as_deref(),
                source.as_str()
            );
        }
        // The body starts where the gold says.
        let text = strings(&documents, "text").value(i);
        let body_line = text
            .split('\n')
            .nth(ints(&documents, "body_start_paragraph").value(i) as usize)
            .unwrap();
        let first = expected["first_body_line_starts"].as_str().unwrap();
        assert!(
            fold(body_line).starts_with(&fold(first)),
            "{key:?}: body starts with {body_line:?}"
        );
        // Exactly the gold headings, at their levels, in order.
        let got: Vec<(i64, String)> = (0..sections.num_rows())
            .filter(|&j| {
                strings(&sections, "doc_id").value(j) == doc_id
                    && ints(&sections, "level").value(j) > 0
            })
            .map(|j| {
                (
                    ints(&sections, "level").value(j) as i64,
                    fold(strings(&sections, "heading").value(j)),
                )
            })
            .collect();
        let want: Vec<(i64, String)> = expected["headings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["level"].as_i64().unwrap(),
                    fold(h["text"].as_str().unwrap()),
                )
            })
            .collect();
        assert_eq!(got, want, "{key:?} headings");
    }
}

#[test]
fn rerun_skips_and_single_stages_rerun_from_disk() {
    let work = sample_run();
    let before: Vec<Vec<u8>> = pipeline::publish::TABLES
        .iter()
        .map(|t| std::fs::read(work.path(&format!("out/{t}"))).unwrap())
        .collect();
    let stderr = work.run_ok(&["run"]);
    assert_eq!(stderr.matches("up to date, skipped").count(), 5, "{stderr}");
    for stage in ["clean", "dedupe", "segment", "tag", "sectionize"] {
        let stderr = work.run_ok(&[stage]);
        assert!(
            stderr.contains(stage) && !stderr.contains("skipped"),
            "{stderr}"
        );
    }
    let after: Vec<Vec<u8>> = pipeline::publish::TABLES
        .iter()
        .map(|t| std::fs::read(work.path(&format!("out/{t}"))).unwrap())
        .collect();
    assert!(
        before == after,
        "rerunning single stages changed the output"
    );
    // A changed setting redoes that stage and the ones after it, not the ones before.
    let stderr = work.run_ok(&["run", "--set", "tag.keywords=3"]);
    assert!(stderr.contains("segment    up to date"), "{stderr}");
    assert!(stderr.contains("tag        6 documents"), "{stderr}");
    // The row group size shapes only the final tokens table: sectionize redoes it, segment is kept.
    let stderr = work.run_ok(&["run", "--set", "segment.row_group_tokens=1000"]);
    assert!(stderr.contains("segment    up to date"), "{stderr}");
    assert!(stderr.contains("sectionize 6 documents"), "{stderr}");
    let tokens = std::fs::File::open(work.path("out/tokens.parquet")).unwrap();
    let groups = parquet::file::reader::FileReader::metadata(
        &parquet::file::reader::SerializedFileReader::new(tokens).unwrap(),
    )
    .num_row_groups();
    assert!(groups > 10, "{groups} row groups");
    // A stage whose input is missing says which one.
    std::fs::remove_dir_all(work.path(".pipeline/out/segment")).unwrap();
    let output = work.pipeline(&["tag"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("`segment`"));
}

#[test]
fn adding_a_file_cleans_and_segments_only_the_new_text_and_gives_what_a_fresh_run_gives() {
    // A first run without one of the seeds, then the seed is added.
    let work = Workdir::with_seeds();
    let held_back = "004_0958ddcb164f6320.txt";
    let aside = work.path(held_back);
    std::fs::rename(work.path(&format!("raw/{held_back}")), &aside).unwrap();
    work.run_ok(&["run"]);
    std::fs::rename(&aside, work.path(&format!("raw/{held_back}"))).unwrap();
    let stderr = work.run_ok(&["run"]);
    // The seeds give six documents; 004 gives one of them. The other four files are not cleaned
    // again.
    assert!(
        stderr.contains("4 files' documents reused from the last run"),
        "{stderr}"
    );
    assert!(
        stderr.contains("5 documents' tokens reused from the last run"),
        "{stderr}"
    );
    let fresh = Workdir::with_seeds();
    fresh.run_ok(&["run"]);
    let same_as_fresh = |work: &Workdir, fresh: &Workdir| {
        for table in pipeline::publish::TABLES {
            let a = std::fs::read(work.path(&format!("out/{table}"))).unwrap();
            let b = std::fs::read(fresh.path(&format!("out/{table}"))).unwrap();
            assert!(a == b, "{table} differs from a fresh run");
        }
    };
    same_as_fresh(&work, &fresh);
    // A file whose bytes changed under the same name is cleaned again.
    let changed = format!("raw/{held_back}");
    for dir in [&work, &fresh] {
        let mut text = std::fs::read_to_string(dir.path(&changed)).unwrap();
        text.push_str("\n我们要继续努力，把各项工作做得更好。\n");
        std::fs::write(dir.path(&changed), text).unwrap();
    }
    let stderr = work.run_ok(&["run"]);
    assert!(
        stderr.contains("4 files' documents reused from the last run"),
        "{stderr}"
    );
    fresh.run_ok(&["run", "--force"]);
    same_as_fresh(&work, &fresh);
    // A changed segment setting, or --force, segments everything again.
    let stderr = work.run_ok(&["run", "--set", "segment.hmm=false"]);
    assert!(!stderr.contains("reused"), "{stderr}");
    let stderr = work.run_ok(&["run", "--force"]);
    assert!(!stderr.contains("reused"), "{stderr}");
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let one = Workdir::with_seeds();
    one.run_ok(&[
        "run",
        "--set",
        "run.threads=1",
        "--set",
        "run.batch_documents=1",
    ]);
    let two = Workdir::with_seeds();
    two.run_ok(&["run", "-j", "2"]);
    for table in pipeline::publish::TABLES
        .iter()
        .chain(&["manifest.json", "README.md"])
    {
        let a = std::fs::read(one.path(&format!("out/{table}"))).unwrap();
        let b = std::fs::read(two.path(&format!("out/{table}"))).unwrap();
        assert!(a == b, "{table} differs between 1 and 2 threads");
    }
}

#[test]
fn bad_settings_are_refused_before_any_work() {
    let work = Workdir::with_seeds();
    for (setting, key) in [
        ("segment.domain_dictonary=false", "domain_dictonary"),
        ("run.threads=many", "run.threads"),
        ("run.batch_documents=0", "run.batch_documents"),
        (
            "segment.user_dictionaries=[\"no-such-dictionary.txt\"]",
            "segment.user_dictionaries[0]",
        ),
        ("tag.genre_cues.演说=[\"演说\"]", "tag.genre_cues"),
    ] {
        let output = work.pipeline(&["run", "--set", setting]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(key), "{stderr}");
    }
    std::fs::write(
        work.path("bad.toml"),
        "[clean]\nrepair_punctuation = \"yes\"\n",
    )
    .unwrap();
    let output = work.pipeline(&["run", "--config", "bad.toml"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("clean.repair_punctuation"));
    assert!(
        !work.path("out").exists(),
        "work started despite bad settings"
    );
    let output = work.pipeline(&["run", "--raw", "no-such-folder"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-folder"));
}

#[test]
fn copies_and_bad_files_are_accounted_for_and_the_run_goes_on() {
    let work = Workdir::with_seeds();
    let seed = std::fs::read_to_string(work.path("raw/002_aa21f67989e96744.txt")).unwrap();
    std::fs::copy(
        work.path("raw/003_a355b8969e69a675.txt"),
        work.path("raw/copy_of_003.txt"),
    )
    .unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&seed);
    std::fs::create_dir(work.path("raw/gbk")).unwrap();
    std::fs::write(work.path("raw/gbk/002_gb18030.txt"), &gb).unwrap();
    std::fs::write(work.path("raw/empty.txt"), b"").unwrap();
    std::fs::write(
        work.path("raw/image.png"),
        [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3],
    )
    .unwrap();
    let stderr = work.run_ok(&["run"]);
    assert!(
        stderr.contains("empty.txt: rejected: empty file"),
        "{stderr}"
    );
    assert!(stderr.contains("image.png: rejected: binary"), "{stderr}");
    // The summary accounts for every file, the byte-identical copy too.
    assert!(
        stderr.contains("9 files → 7 documents, 2 rejected, 1 byte-identical copy of other files"),
        "{stderr}"
    );

    let documents = work.table("documents");
    assert_eq!(documents.num_rows(), 6);
    let sources = work.table("sources");
    assert_eq!(sources.num_rows(), 9);
    let row = |name: &str| {
        (0..sources.num_rows())
            .find(|&i| strings(&sources, "source_file").value(i) == name)
            .unwrap()
    };
    let kept_003 = list(&sources, "doc_ids", row("003_a355b8969e69a675.txt"));
    let copy = row("copy_of_003.txt");
    assert_eq!(strings(&sources, "status").value(copy), "duplicate");
    assert_eq!(list(&sources, "duplicate_of", copy), kept_003);
    let gbk = row("gbk/002_gb18030.txt");
    assert_eq!(strings(&sources, "status").value(gbk), "duplicate");
    assert_eq!(strings(&sources, "encoding").value(gbk), "gb18030");
    assert_eq!(
        list(&sources, "duplicate_of", gbk),
        list(&sources, "doc_ids", row("002_aa21f67989e96744.txt"))
    );
    for (name, kind) in [("empty.txt", "empty"), ("image.png", "binary")] {
        let i = row(name);
        assert_eq!(strings(&sources, "status").value(i), "rejected");
        assert_eq!(strings(&sources, "reason").value(i), kind, "{name}");
        assert!(sources.column_by_name("reason_detail").unwrap().is_valid(i));
    }
    assert_eq!(strings(&sources, "reason").value(copy), "identical_file");
}

/// The seeds plus a byte copy, a GB18030 copy, a copy with web noise, CRLF and full-width
/// indentation, and a near copy with one sentence changed, written in the given order.
fn seeds_with_copies(order: &[usize]) -> Workdir {
    let work = Workdir::with_seeds();
    let read = |name: &str| std::fs::read_to_string(work.path(&format!("raw/{name}"))).unwrap();
    let s002 = read("002_aa21f67989e96744.txt");
    let s003 = read("003_a355b8969e69a675.txt");
    let s004 = read("004_0958ddcb164f6320.txt");
    let noisy: String =
        std::iter::once("首页>学习之窗\r\n来源:某某网 发布时间:2015-11-20\r\n".to_string())
            .chain(s002.lines().map(|l| format!("\u{3000}\u{3000}{l}\r\n\r\n")))
            .collect();
    let near = s004.replacen(
        "做好今年机关党的工作意义十分重大。",
        "做好今年的工作意义重大，任务艰巨。",
        1,
    );
    assert_ne!(near, s004);
    let copies: Vec<(&str, Vec<u8>)> = vec![
        ("copies/byte_copy_003.txt", s003.into_bytes()),
        (
            "copies/gb18030_002.txt",
            encoding_rs::GB18030.encode(&s002).0.into_owned(),
        ),
        ("copies/web_noise_002.txt", noisy.into_bytes()),
        ("copies/near_004.txt", near.into_bytes()),
    ];
    std::fs::create_dir(work.path("raw/copies")).unwrap();
    for &i in order {
        std::fs::write(work.path(&format!("raw/{}", copies[i].0)), &copies[i].1).unwrap();
    }
    work
}

#[test]
fn every_copy_is_accounted_for_and_the_near_copy_is_flagged() {
    let work = seeds_with_copies(&[0, 1, 2, 3]);
    work.run_ok(&["run"]);
    let documents = work.table("documents");
    assert_eq!(
        documents.num_rows(),
        7,
        "six distinct documents plus the near copy"
    );
    let sources = work.table("sources");
    let row = |name: &str| {
        (0..sources.num_rows())
            .find(|&i| strings(&sources, "source_file").value(i) == name)
            .unwrap()
    };
    let kept = |name: &str| list(&sources, "doc_ids", row(name));
    for (copy, original) in [
        ("copies/byte_copy_003.txt", "003_a355b8969e69a675.txt"),
        ("copies/gb18030_002.txt", "002_aa21f67989e96744.txt"),
        ("copies/web_noise_002.txt", "002_aa21f67989e96744.txt"),
    ] {
        let i = row(copy);
        assert_eq!(strings(&sources, "status").value(i), "duplicate", "{copy}");
        assert_eq!(list(&sources, "duplicate_of", i), kept(original), "{copy}");
        assert!(list(&sources, "doc_ids", i).is_empty());
    }
    let near = row("copies/near_004.txt");
    assert_eq!(strings(&sources, "status").value(near), "kept");
    let near_id = &kept("copies/near_004.txt")[0];
    let d = (0..documents.num_rows())
        .find(|&i| strings(&documents, "doc_id").value(i) == near_id)
        .unwrap();
    let original = kept("004_0958ddcb164f6320.txt");
    assert_eq!(
        opt(strings(&documents, "near_duplicate_of"), d).as_ref(),
        Some(&original[0])
    );
    let similarity = documents
        .column_by_name("near_duplicate_similarity")
        .unwrap()
        .as_primitive::<arrow::datatypes::Float64Type>();
    assert!(similarity.value(d) > 0.9);
    // No seed resembles another.
    let flagged = documents.column_by_name("near_duplicate_of").unwrap().len()
        - documents
            .column_by_name("near_duplicate_of")
            .unwrap()
            .null_count();
    assert_eq!(flagged, 1);

    // The result does not depend on the order the files were written or listed in.
    let other = seeds_with_copies(&[3, 2, 1, 0]);
    other.run_ok(&["run"]);
    for table in pipeline::publish::TABLES {
        let a = std::fs::read(work.path(&format!("out/{table}"))).unwrap();
        let b = std::fs::read(other.path(&format!("out/{table}"))).unwrap();
        assert!(a == b, "{table} depends on file order");
    }
}

#[test]
fn near_copies_can_be_dropped() {
    let work = seeds_with_copies(&[3]);
    work.run_ok(&[
        "run",
        "--set",
        "dedupe.drop_near_duplicates=true",
        "--set",
        "dedupe.drop_threshold=0.9",
    ]);
    let documents = work.table("documents");
    assert_eq!(documents.num_rows(), 6);
    let sources = work.table("sources");
    let i = (0..sources.num_rows())
        .find(|&i| strings(&sources, "source_file").value(i) == "copies/near_004.txt")
        .unwrap();
    assert_eq!(strings(&sources, "status").value(i), "duplicate");
    let original = (0..sources.num_rows())
        .find(|&i| strings(&sources, "source_file").value(i) == "004_0958ddcb164f6320.txt")
        .unwrap();
    assert_eq!(
        list(&sources, "duplicate_of", i),
        list(&sources, "doc_ids", original)
    );
}

#[test]
fn the_dataset_describes_itself_and_verify_finds_changes() {
    let work = sample_run();
    let card = std::fs::read_to_string(work.path("out/README.md")).unwrap();
    assert!(card.starts_with("---\n"));
    for table in ["documents", "sections", "tokens", "sources"] {
        assert!(card.contains(&format!(
            "- config_name: {table}\n  data_files: {table}.parquet"
        )));
    }
    assert!(card.contains("| documents | 6 |"), "row counts in the card");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(work.path("out/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["files"]["documents.parquet"]["rows"], 6);
    // Which rules made the tables: the build's digest of its sources (build.rs).
    let build = manifest["program_build"].as_str().unwrap();
    assert!(
        build.len() == 16 && build.chars().all(|c| c.is_ascii_hexdigit()),
        "{build}"
    );
    assert_eq!(
        manifest["files"]["tokens.parquet"]["rows"]
            .as_u64()
            .unwrap() as usize,
        work.table("tokens").num_rows()
    );

    // verify reports on stdout, as a check a script reads.
    let output = work.pipeline(&["verify"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("every file matches"), "{stdout}");
    // Alter one table: verify names it and fails.
    let path = work.path("out/sections.parquet");
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::remove_file(&path).unwrap(); // a hard link: replace, do not write through
    std::fs::write(&path, bytes).unwrap();
    let output = work.pipeline(&["verify", "out"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("sections.parquet") && !stdout.contains("tokens.parquet"),
        "{stdout}"
    );
}

#[test]
fn strict_fails_on_a_rejected_file_and_quiet_is_quiet() {
    let work = Workdir::with_seeds();
    std::fs::write(work.path("raw/empty.txt"), b"").unwrap();
    let output = work.pipeline(&["run", "--strict", "--quiet"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("empty.txt: rejected") && !stderr.contains("tokens"),
        "{stderr}"
    );
    assert_eq!(work.pipeline(&["run"]).status.code(), Some(0));
    let verbose = work.run_ok(&["clean", "--verbose"]);
    assert!(
        verbose.contains("003_a355b8969e69a675.txt: kept (UTF-8): 1 document(s)"),
        "{verbose}"
    );
}

#[test]
fn a_second_run_on_the_same_output_stops_with_a_clear_message() {
    let work = Workdir::with_seeds();
    std::fs::create_dir_all(work.path(".pipeline/out")).unwrap();
    let held = File::create(work.path(".pipeline/out/.lock")).unwrap();
    held.lock().unwrap();
    let output = work.pipeline(&["run"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("another pipeline run"));
    assert!(
        !work.path(".pipeline/out/clean").exists() && !work.path("out").exists(),
        "the second run did work"
    );
    held.unlock().unwrap();
    work.run_ok(&["run"]);
}

#[test]
fn inspect_explains_a_document() {
    let work = sample_run();
    let output = work.pipeline(&["inspect", "002_aa21f67989e96744.txt"]);
    assert!(output.status.success());
    let report = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "speaker       刘小英",
        "← 三门峡市直工委书记刘小英同志",
        "date          2015-11-12 (day)",
        "← （2015年11月12日）",
        "punctuation",
        "1 L1 一、肯定成绩，正视问题，增强工作主动性",
        "1.2 L2 二是工作推进各具特色。",
        "[closing]",
    ] {
        assert!(report.contains(expected), "{expected:?} not in\n{report}");
    }
    // The same file named as a user has it, and the document by the first characters of its id.
    let doc_id = report.split_whitespace().nth(1).unwrap().to_string();
    let absolute = work.path("raw/002_aa21f67989e96744.txt");
    for query in [
        "raw/002_aa21f67989e96744.txt",
        "./raw/002_aa21f67989e96744.txt",
        absolute.to_str().unwrap(),
        &doc_id[..6],
    ] {
        let output = work.pipeline(&["inspect", query]);
        let again = String::from_utf8_lossy(&output.stdout);
        assert!(
            again.starts_with(&format!("document {doc_id}")),
            "{query}: {again}"
        );
    }
    let missing = work.pipeline(&["inspect", "nope"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope"));
}

#[test]
fn the_report_shows_the_dataset_and_runs_nothing_a_raw_file_holds() {
    let work = Workdir::with_seeds();
    // Lines written for the test: markup a raw file may hold, in its title and its text.
    // The file's name is shown in the list of documents.
    std::fs::write(
        work.path("raw/<img src=x onerror=alert(2)>.txt"),
        "<script>alert(1)</script>关于加强机关作风建设的讲话\n同志们：\n\
         今天我们召开会议，<img src=x onerror=\"alert(2)\">研究部署机关作风建设工作。\
         大家要提高认识，狠抓落实，确保各项任务落到实处，推动机关作风建设不断取得新成效。\n",
    )
    .unwrap();
    std::fs::write(work.path("raw/empty.txt"), b"").unwrap();
    work.run_ok(&["run"]);
    let output = work.pipeline(&["report"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = std::fs::read_to_string(work.path("out/report.html")).unwrap();
    assert!(
        page.contains("&lt;img src=x onerror=alert(2)&gt;.txt"),
        "the planted file name is shown"
    );
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "nothing planted is markup"
    );
    assert!(
        page.contains("<svg") && page.contains("刘小英"),
        "charts and a known speaker"
    );
    assert!(
        page.contains("<tr><td>empty.txt</td><td>rejected</td><td>empty file"),
        "a file set aside is listed with why"
    );
    // The same dataset gives the same page.
    work.pipeline(&["report"]);
    assert_eq!(
        std::fs::read_to_string(work.path("out/report.html")).unwrap(),
        page
    );

    // Every document has a page, linked from the list and covered by the manifest.
    let pages = |work: &Workdir| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(work.path("out/report"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let all = pages(&work);
    assert_eq!(all.len(), work.table("documents").num_rows());
    let manifest = std::fs::read_to_string(work.path("out/manifest.json")).unwrap();
    for name in &all {
        assert!(
            page.contains(&format!("href=\"report/{name}\"")),
            "{name} is linked"
        );
        assert!(
            manifest.contains(&format!("\"report/{name}\"")),
            "{name} is in the manifest"
        );
    }
    // The planted document's page shows the markup its text holds as text, and what cleaning
    // removed (its first line) in the edits.
    let planted = all
        .iter()
        .map(|name| std::fs::read_to_string(work.path(&format!("out/report/{name}"))).unwrap())
        .find(|p| p.contains("研究部署机关作风建设工作"))
        .expect("the planted document has a page");
    assert!(planted.contains("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;研究部署"));
    assert!(planted.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!planted.contains("<script") && !planted.contains("<img"));
    // A seed's page marks its evidence in the text and draws its outline.
    let seed = std::fs::read_to_string(work.path("out/report/d2ba7971f5d50510.html")).unwrap();
    assert!(seed.contains("<mark class=\"f-speaker") && seed.contains("<ul class=\"outline\">"));

    // Fewer pages: the smallest doc_ids keep theirs, the others' go, the manifest follows.
    let output = work.pipeline(&["report", "--set", "report.max_documents=2"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(pages(&work), all[..2]);
    work.run_ok(&["verify"]);
    // Any other document's page on demand.
    let output = work.pipeline(&["inspect", "--html", "d2ba7971"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(work.path("d2ba7971f5d50510.html")).unwrap(),
        seed.replace("<p><a href=\"../report.html\">← the dataset</a></p>\n", "")
    );
}

#[test]
fn inspect_says_why_a_file_gave_no_document() {
    let work = Workdir::with_seeds();
    std::fs::write(work.path("raw/empty.txt"), b"").unwrap();
    std::fs::copy(
        work.path("raw/003_a355b8969e69a675.txt"),
        work.path("raw/copy.txt"),
    )
    .unwrap();
    work.run_ok(&["run"]);
    let report = |query: &str| {
        let output = work.pipeline(&["inspect", query]);
        assert!(output.status.success(), "{query}");
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    assert!(report("raw/empty.txt").contains("rejected: empty file"));
    let copy = report("copy.txt");
    assert!(
        copy.contains("duplicate: byte-identical to 003_a355b8969e69a675.txt"),
        "{copy}"
    );
    assert!(copy.contains("its documents copy "), "{copy}");
}

#[test]
fn stats_summarise_the_dataset() {
    let work = sample_run();
    let output = work.pipeline(&["stats"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(report.contains("documents: 6"), "{report}");
    // Labelled, aligned rows; a missing value named, not `null`; no dtype rows.
    for row in [
        "  year       documents\n",
        "  2015               1\n",
        "  (no date)          2\n",
        "  讲话              3\n",
        "  刘小英             1\n",
        "  kept        5\n",
    ] {
        assert!(report.contains(row), "{row:?} not in\n{report}");
    }
    assert!(
        !report.contains("null") && !report.contains("u32"),
        "{report}"
    );
    let tokens = work.table("tokens").num_rows();
    assert!(report.contains(&format!("tokens: {tokens}")));
}

#[test]
fn a_missing_or_empty_raw_folder_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pipeline"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let output = run(&["run"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no raw folder (looked for it in") && stderr.contains("--raw DIR"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is created");

    std::fs::create_dir(dir.path().join("raw")).unwrap();
    let output = run(&["run"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("raw: the raw folder is empty"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing is created");

    // Commands that read a dataset say how to make one.
    for command in ["inspect x", "verify", "stats"] {
        let args: Vec<&str> = command.split(' ').collect();
        let output = run(&args);
        assert_eq!(output.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("run `pipeline run` first"),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn leftovers_of_a_killed_run_are_removed_and_single_stages_say_the_tables_wait() {
    let work = sample_run();
    let leftover = work.path(".pipeline/out/.tmp-segment");
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("tokens.arrow"), b"half written").unwrap();
    let staged = work.path(".out.publishing");
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::write(staged.join("tokens.parquet"), b"half written").unwrap();
    let stderr = work.run_ok(&["tag"]);
    assert!(!leftover.exists() && !staged.exists());
    assert!(
        stderr.contains("not updated by `pipeline tag` alone; `pipeline run` carries"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let work = sample_run();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(["inspect", "002_aa21f67989e96744.txt"])
        .current_dir(work.path(""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn settings_that_a_stage_not_rerun_was_made_without_are_warned_about() {
    let work = sample_run();
    let stderr = work.run_ok(&[
        "run",
        "--from",
        "tag",
        "--set",
        "clean.repair_punctuation=false",
    ]);
    assert!(
        stderr.contains(
            "warning: the `clean` output that `tag` reads was made with other `clean` settings than these (clean.repair_punctuation); run `pipeline run --from clean`"
        ),
        "{stderr}"
    );
    // The card reports the settings the tables were made with, not the ones given.
    let card = std::fs::read_to_string(work.path("out/README.md")).unwrap();
    assert!(card.contains("repair_punctuation = true"), "{card}");
    assert!(!card.contains("repair_punctuation = false"), "{card}");
    // A stage rerun alone with other settings, then the next one: the card says what was used.
    work.run_ok(&["tag", "--set", "tag.keywords=3"]);
    work.run_ok(&["sectionize"]);
    let card = std::fs::read_to_string(work.path("out/README.md")).unwrap();
    assert!(card.contains("keywords = 3"), "{card}");
    let documents = work.table("documents");
    assert!((0..documents.num_rows()).all(|i| list(&documents, "keywords", i).len() <= 3));
    // Settings that the stages were made with give no warning.
    let stderr = work.run_ok(&["run", "--from", "tag"]);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn the_output_folder_holds_the_dataset_only_and_is_never_mixed_with_other_files() {
    let work = sample_run();
    let mut published: Vec<String> = std::fs::read_dir(work.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    published.sort();
    assert_eq!(
        published,
        [
            "README.md",
            "documents.parquet",
            "manifest.json",
            "report",
            "report.html",
            "sections.parquet",
            "sources.parquet",
            "tokens.parquet"
        ]
    );
    // A folder with files of its own is refused before any work, and its files are left alone.
    std::fs::create_dir_all(work.path("mine")).unwrap();
    std::fs::write(work.path("mine/notes.txt"), "mine").unwrap();
    let refused = work.pipeline(&["run", "--out", "mine"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("mine")
            && stderr.contains("notes.txt")
            && stderr.contains("not the dataset's"),
        "{stderr}"
    );
    assert!(work.path("mine/notes.txt").exists() && !work.path("mine/documents.parquet").exists());
    // The work folder may not lie inside the output folder.
    let refused = work.pipeline(&["run", "--set", "run.work_dir=out/stages"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("run.work_dir"),
        "{stderr}"
    );
    // An output folder of an older build (stage artifacts under out/stages) is taken over.
    std::fs::create_dir_all(work.path("out/stages/clean")).unwrap();
    work.run_ok(&["run", "--force"]);
    assert!(!work.path("out/stages").exists());
}

#[test]
fn boilerplate_is_learned_across_files_and_a_new_file_can_change_it() {
    // Two wiki exports whose licence footer recurs, beside the seeds: seen in two texts, the
    // footer is not yet boilerplate (clean.boilerplate_min_files is 3).
    let work = Workdir::with_seeds();
    let dev = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dev/raw");
    for name in ["022.txt", "039.txt"] {
        std::fs::copy(format!("{dev}/{name}"), work.path(&format!("raw/{name}"))).unwrap();
    }
    work.run_ok(&["run"]);
    let texts = |work: &Workdir| -> Vec<String> {
        let documents = work.table("documents");
        let text = strings(&documents, "text");
        (0..documents.num_rows())
            .map(|i| text.value(i).to_string())
            .collect()
    };
    assert!(texts(&work).iter().any(|t| t.contains("Public domain")));
    // A third export: now the footer is learned, and the two files cleaned before lose it too.
    std::fs::copy(format!("{dev}/011.txt"), work.path("raw/011.txt")).unwrap();
    let stderr = work.run_ok(&["run"]);
    assert!(!stderr.contains("files' documents reused"), "{stderr}");
    let after = texts(&work);
    assert!(
        after
            .iter()
            .all(|t| !t.contains("Public domain") && !t.contains("公有领域"))
    );
    // What a speech says stays, in the seeds and in the reports.
    assert!(
        after
            .iter()
            .any(|t| t.contains("团结起来，争取更大的胜利！"))
    );
    let learned =
        std::fs::read_to_string(work.path(".pipeline/out/clean/boilerplate.jsonl")).unwrap();
    assert!(
        learned.contains("{\"line\":\"Public domain\",\"texts\":3}"),
        "{learned}"
    );
    // The same as a fresh run on the same files.
    let fresh = Workdir::with_seeds();
    for name in ["011.txt", "022.txt", "039.txt"] {
        std::fs::copy(format!("{dev}/{name}"), fresh.path(&format!("raw/{name}"))).unwrap();
    }
    fresh.run_ok(&["run"]);
    assert_eq!(
        std::fs::read(work.path("out/documents.parquet")).unwrap(),
        std::fs::read(fresh.path("out/documents.parquet")).unwrap()
    );
}

#[test]
fn the_run_names_the_repeated_paragraphs_report_where_it_is() {
    let work = Workdir::with_seeds();
    // The first lines of a seed again in another file, as a site reposting part of a speech has them.
    let seed = std::fs::read_to_string(work.path("raw/002_aa21f67989e96744.txt")).unwrap();
    let part: Vec<&str> = seed.lines().take(20).collect();
    std::fs::write(work.path("raw/repost.txt"), part.join("\n")).unwrap();
    let stderr = work.run_ok(&["run"]);
    let named = stderr
        .split("the commonest in ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no repeated paragraphs reported: {stderr}"));
    let report = std::fs::read_to_string(named).unwrap_or_else(|e| panic!("{named}: {e}"));
    assert!(report.contains("\"documents\":2"), "{report}");
}
