//! The documents between stages. Their texts are written once, by the clean stage
//! (`clean/documents.jsonl` in the work folder); dedupe names the documents it keeps (`dedupe/kept.jsonl`)
//! and tag writes what it adds to each (`tag/annotations.jsonl`); segment's tokens are one
//! row per kept document (`segment/tokens.arrow`). Later stages read them together here, so
//! no stage copies the texts again.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::artifact::{JsonLine, count_lines, read_jsonl, read_lines, stage_dir};
use crate::io::ipc::read_ipc;
use crate::model::{Annotation, Document, KeptDocument};
use crate::schema::DocumentTokens;

/// The dedupe stage's list of kept documents.
pub const KEPT_FILE: &str = "kept.jsonl";
/// The tag stage's additions, one line per kept document.
pub const ANNOTATIONS_FILE: &str = "annotations.jsonl";

/// A kept document's line of the clean stage's output, not yet parsed (parsing is done on the
/// workers), with dedupe's word on it.
pub struct KeptLine {
    pub line: JsonLine,
    pub kept: KeptDocument,
}

impl KeptLine {
    /// The document as dedupe leaves it, checked against the id dedupe recorded for its line.
    pub fn document(&self) -> Result<Document> {
        let mut doc: Document = self.line.parse()?;
        if doc.doc_id != self.kept.doc_id {
            return Err(out_of_step(&format!(
                "line {} of the clean stage's documents is {}, not {} as the dedupe stage recorded",
                self.kept.line, doc.doc_id, self.kept.doc_id
            )));
        }
        self.kept.apply(&mut doc);
        Ok(doc)
    }
}

/// The kept documents' lines in dataset order. The lines of dropped copies are passed over unparsed.
pub fn kept_lines(work: &Path) -> Result<impl Iterator<Item = Result<KeptLine>> + use<>> {
    let path = stage_dir(work, "clean").join("documents.jsonl");
    Ok(KeptLines {
        lines: read_lines(&path)?,
        kept: read_jsonl::<KeptDocument>(&stage_dir(work, "dedupe").join(KEPT_FILE))?,
        path,
    })
}

struct KeptLines<L, K> {
    lines: L,
    kept: K,
    path: PathBuf,
}

impl<L, K> Iterator for KeptLines<L, K>
where
    L: Iterator<Item = Result<JsonLine>>,
    K: Iterator<Item = Result<KeptDocument>>,
{
    type Item = Result<KeptLine>;

    fn next(&mut self) -> Option<Result<KeptLine>> {
        let kept = match self.kept.next()? {
            Ok(kept) => kept,
            Err(e) => return Some(Err(e)),
        };
        loop {
            let line = match self.lines.next() {
                Some(Ok(line)) => line,
                Some(Err(e)) => return Some(Err(e)),
                None => {
                    return Some(Err(out_of_step(&format!(
                        "{} has no line {}, which the dedupe stage kept",
                        self.path.display(),
                        kept.line
                    ))));
                }
            };
            let number = line.number() as u64;
            if number == kept.line {
                return Some(Ok(KeptLine { line, kept }));
            }
            if number > kept.line {
                return Some(Err(out_of_step(&format!(
                    "the dedupe stage's kept lines are out of order at line {}",
                    kept.line
                ))));
            }
        }
    }
}

/// A line of the tag stage's additions, parsed and added to its document (on a worker).
pub fn annotate(doc: &mut Document, line: &JsonLine) -> Result<()> {
    let annotation: Annotation = line.parse()?;
    if annotation.doc_id != doc.doc_id {
        return Err(out_of_step(&format!(
            "the tag stage's line {} is for {}, not {}",
            line.number(),
            annotation.doc_id,
            doc.doc_id
        )));
    }
    annotation.apply(doc);
    Ok(())
}

/// Each item (one per kept document, in order) with the tag stage's line for the same document,
/// to be parsed with `annotate` on a worker.
pub fn with_annotations<T, I: Iterator<Item = Result<T>>>(
    work: &Path,
    items: I,
) -> Result<impl Iterator<Item = Result<(T, JsonLine)>> + use<T, I>> {
    let mut annotations = read_lines(&stage_dir(work, "tag").join(ANNOTATIONS_FILE))?;
    Ok(items.map(move |item| {
        let line = annotations
            .next()
            .ok_or_else(|| out_of_step("the tag stage's additions end early"))??;
        Ok((item?, line))
    }))
}

/// Every document of the dataset, whole, read one after another (for `inspect`).
pub fn tagged_documents(work: &Path) -> Result<impl Iterator<Item = Result<Document>> + use<>> {
    Ok(with_annotations(work, kept_lines(work)?)?.map(|item| {
        let (kept, line) = item?;
        let mut doc = kept.document()?;
        annotate(&mut doc, &line)?;
        Ok(doc)
    }))
}

/// How many documents the dedupe stage kept (for progress bars).
pub fn kept_count(work: &Path) -> Result<u64> {
    count_lines(&stage_dir(work, "dedupe").join(KEPT_FILE))
}

/// The segment stage's artifact (Arrow IPC, one row per document).
pub const SEGMENT_TOKENS: &str = "tokens.arrow";

/// Each kept document's line with the tokens the segment stage gave it (lines are parsed by
/// `document_with`, on the workers).
pub fn with_tokens(
    work: &Path,
) -> Result<impl Iterator<Item = Result<(KeptLine, Option<DocumentTokens>)>> + use<>> {
    let lines = kept_lines(work)?;
    let tokens = read_document_tokens(&stage_dir(work, "segment").join(SEGMENT_TOKENS))?;
    let mut tokens = tokens.fuse();
    Ok(lines.map(move |line| Ok((line?, tokens.next().transpose()?))))
}

/// The document on a line, checked against the tokens that came with it.
pub fn document_with(
    line: &KeptLine,
    tokens: Option<DocumentTokens>,
) -> Result<(Document, DocumentTokens)> {
    let doc = line.document()?;
    match tokens {
        Some(tokens) if tokens.doc_id == doc.doc_id => Ok((doc, tokens)),
        _ => Err(out_of_step(&format!(
            "the segment stage's tokens do not follow the documents (at {})",
            doc.doc_id
        ))),
    }
}

/// The words of a document, cut from its text by the segment stage's spans.
pub fn words<'t>(tokens: &DocumentTokens, text: &'t str) -> Result<Vec<&'t str>> {
    tokens.words(text).ok_or_else(|| {
        out_of_step(&format!(
            "the segment stage's token spans do not fit document {}",
            tokens.doc_id
        ))
    })
}

/// The segment stage's artifact, document by document.
fn read_document_tokens(
    path: &Path,
) -> Result<impl Iterator<Item = Result<DocumentTokens>> + use<>> {
    Ok(read_ipc(path)?.flat_map(|batch| {
        let documents = batch.and_then(|b| DocumentTokens::from_batch(&b));
        match documents {
            Ok(documents) => documents.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }
    }))
}

fn out_of_step(reason: &str) -> Error {
    Error::Stage {
        stage: "reading the documents",
        reason: format!(
            "{reason}: the stages' outputs are out of step; run `pipeline run --force`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output folder whose clean stage wrote `ids` and whose dedupe stage kept `kept`
    /// (1-based line, doc id).
    fn stages(ids: &[&str], kept: &[(u64, &str)]) -> tempfile::TempDir {
        let out = tempfile::tempdir().unwrap();
        for stage in ["clean", "dedupe"] {
            std::fs::create_dir_all(stage_dir(out.path(), stage)).unwrap();
        }
        let documents: String = ids
            .iter()
            .map(|id| {
                let doc = Document {
                    doc_id: id.to_string(),
                    text: format!("正文{id}"),
                    ..Default::default()
                };
                serde_json::to_string(&doc).unwrap() + "\n"
            })
            .collect();
        std::fs::write(
            stage_dir(out.path(), "clean").join("documents.jsonl"),
            documents,
        )
        .unwrap();
        let kept: String = kept
            .iter()
            .map(|&(line, id)| {
                let kept = KeptDocument {
                    line,
                    doc_id: id.to_string(),
                    near_duplicate_of: (id == "c").then(|| "a".to_string()),
                    near_duplicate_similarity: (id == "c").then_some(0.9),
                };
                serde_json::to_string(&kept).unwrap() + "\n"
            })
            .collect();
        std::fs::write(stage_dir(out.path(), "dedupe").join(KEPT_FILE), kept).unwrap();
        out
    }

    fn read(out: &Path) -> Result<Vec<Document>> {
        kept_lines(out)?.map(|line| line?.document()).collect()
    }

    #[test]
    fn kept_documents_are_read_with_dedupes_flags_and_copies_are_passed_over() {
        let out = stages(&["a", "b", "c"], &[(1, "a"), (3, "c")]);
        let docs = read(out.path()).unwrap();
        let ids: Vec<&str> = docs.iter().map(|d| d.doc_id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(docs[1].text, "正文c");
        assert_eq!(docs[1].near_duplicate_of.as_deref(), Some("a"));
        assert_eq!(docs[1].near_duplicate_similarity, Some(0.9));
        assert_eq!(docs[0].near_duplicate_of, None);
    }

    #[test]
    fn outputs_out_of_step_are_an_error_that_says_so() {
        let past_the_end = stages(&["a", "b"], &[(1, "a"), (5, "x")]);
        let err = read(past_the_end.path()).unwrap_err().to_string();
        assert!(err.contains("has no line 5"), "{err}");
        assert!(err.contains("pipeline run --force"), "{err}");

        let other_document = stages(&["a", "b"], &[(2, "a")]);
        let err = read(other_document.path()).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("is b, not a"), "{err}");

        let out_of_order = stages(&["a", "b", "c"], &[(2, "b"), (1, "a")]);
        let err = read(out_of_order.path()).unwrap_err().to_string();
        assert!(err.contains("out of order"), "{err}");
    }
}
