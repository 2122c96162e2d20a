//! A template for a new stage, compiled only in tests (where the test below runs it), so it stays
//! true as the interface changes. To add a stage: copy this file, add a variant to
//! `stages::StageId` (its place in the order) and a line to `stages::STAGES` naming the stage type
//! and the stages it reads, and document what it writes in the README. The runner needs no change.
//!
//! This one counts the paragraphs of every document the clean stage wrote and writes one line per
//! document to `paragraphs.jsonl`.

use crate::error::Result;
use crate::io::artifact::{JsonLine, JsonlWriter, StageOutput, count_lines, read_lines, stage_dir};
use crate::model::Document;
use crate::settings::Settings;
use crate::stages::{Context, Items, Stage};

/// Built once per run: compile rules and load dictionaries here, never per item.
pub struct ParagraphCounts;

impl Stage for ParagraphCounts {
    const NAME: &'static str = "paragraph_counts";
    /// One line of clean's documents, parsed on a worker.
    type Item = JsonLine;
    /// The document's id, its number of paragraphs and its text's length.
    type Done = (String, usize, usize);
    /// What lives across items, touched in input order only: writers, counters, seen hashes.
    type Sink = (JsonlWriter<serde_json::Value>, usize);

    /// Only the settings that change this stage's output: a change reruns it, nothing else does.
    fn fingerprint_settings(_settings: &Settings) -> serde_json::Value {
        serde_json::Value::Null
    }

    fn build(_cx: &Context) -> Result<Self> {
        Ok(ParagraphCounts)
    }

    fn items(&self, cx: &Context) -> Result<(u64, Items<JsonLine>)> {
        let path = stage_dir(cx.work, "clean").join("documents.jsonl");
        Ok((count_lines(&path)?, Box::new(read_lines(&path)?)))
    }

    /// Pure, on any thread: the costly work goes here.
    fn work(&self, line: JsonLine) -> Result<Self::Done> {
        let doc: Document = line.parse()?;
        Ok((doc.doc_id, doc.text.lines().count(), doc.text.len()))
    }

    fn text_bytes(done: &Self::Done) -> usize {
        done.2
    }

    /// Files go into the stage's output folder, which the runner commits (or throws away).
    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<Self::Sink> {
        Ok((JsonlWriter::create(&output.file("paragraphs.jsonl"))?, 0))
    }

    /// In input order, one thread: decisions that depend on earlier items go here.
    fn absorb(&self, sink: &mut Self::Sink, (doc_id, paragraphs, _): Self::Done) -> Result<()> {
        sink.1 += paragraphs;
        sink.0
            .write(&serde_json::json!({ "doc_id": doc_id, "paragraphs": paragraphs }))
    }

    fn finish(&self, _cx: &Context, sink: Self::Sink, _: &StageOutput) -> Result<String> {
        sink.0.finish()?;
        Ok(format!("{} paragraphs", sink.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::run;

    #[test]
    fn the_template_runs_as_a_stage_over_cleans_documents() {
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(stage_dir(out.path(), "clean")).unwrap();
        let lines: String = [("a", "一\n二\n三"), ("b", "只有一段")]
            .iter()
            .map(|(id, text)| {
                let doc = Document {
                    doc_id: id.to_string(),
                    text: text.to_string(),
                    ..Default::default()
                };
                serde_json::to_string(&doc).unwrap() + "\n"
            })
            .collect();
        std::fs::write(
            stage_dir(out.path(), "clean").join("documents.jsonl"),
            lines,
        )
        .unwrap();

        let settings = Settings::default();
        let cx = Context {
            settings: &settings,
            raw: out.path(),
            work: out.path(),
            reuse: false,
            raw_files: &[],
            quiet: true,
            verbose: false,
        };
        let output = StageOutput::begin(out.path(), ParagraphCounts::NAME).unwrap();
        assert_eq!(
            run::<ParagraphCounts>(&cx, &output).unwrap(),
            "4 paragraphs"
        );
        output
            .commit("key".into(), "settings".into(), serde_json::Value::Null)
            .unwrap();
        let written = std::fs::read_to_string(
            stage_dir(out.path(), ParagraphCounts::NAME).join("paragraphs.jsonl"),
        )
        .unwrap();
        assert_eq!(
            written,
            "{\"doc_id\":\"a\",\"paragraphs\":3}\n{\"doc_id\":\"b\",\"paragraphs\":1}\n"
        );
    }
}
