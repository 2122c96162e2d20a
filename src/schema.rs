//! The one place that defines the output tables: their Arrow schemas, column by column, and the
//! conversion from the model (`model.rs`) into record batches. docs/SCHEMA.md documents every column;
//! a test checks that every column here is documented there.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, Date32Array, Float64Array, Int32Array,
    Int32Builder, Int64Array, ListArray, ListBuilder, RecordBatch, StringArray, StringBuilder,
    StructBuilder,
};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};

use crate::error::{Error, Result};
use crate::model::{Document, Section, SourceRecord};

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn int32(name: &str) -> Field {
    Field::new(name, DataType::Int32, false)
}

fn int64(name: &str) -> Field {
    Field::new(name, DataType::Int64, false)
}

fn string_list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

fn edit_fields() -> Fields {
    Fields::from(vec![
        int32("line"),
        utf8("rule", false),
        utf8("before", false),
        utf8("after", true),
    ])
}

fn evidence_fields() -> Fields {
    Fields::from(vec![utf8("field", false), utf8("text", false)])
}

/// A list of {field, text} structs rather than a map: Hugging Face `datasets` has no map type, and
/// every reader (DuckDB, pandas, polars, `datasets`) reads a list of structs as it is.
fn evidence_field() -> Field {
    let item = Field::new("item", DataType::Struct(evidence_fields()), true);
    Field::new("evidence", DataType::List(Arc::new(item)), false)
}

pub fn documents_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        utf8("source_file", false),
        int32("part"),
        utf8("title", true),
        utf8("speaker", true),
        utf8("speaker_role", true),
        Field::new("date", DataType::Date32, true),
        utf8("date_precision", true),
        utf8("date_text", true),
        utf8("occasion", true),
        utf8("genre", false),
        utf8("source", true),
        utf8("source_column", true),
        utf8("collection", true),
        string_list("region"),
        string_list("keywords"),
        utf8("text", false),
        int64("char_count"),
        int32("paragraph_count"),
        int64("token_count"),
        int32("section_count"),
        int32("body_start_paragraph"),
        string_list("quality_flags"),
        utf8("near_duplicate_of", true),
        Field::new("near_duplicate_similarity", DataType::Float64, true),
        utf8("content_sha256", false),
        utf8("encoding", false),
        evidence_field(),
        Field::new(
            "cleaning_edits",
            DataType::List(Arc::new(Field::new(
                "item",
                DataType::Struct(edit_fields()),
                true,
            ))),
            false,
        ),
    ]))
}

pub fn sections_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        utf8("section_id", false),
        utf8("parent_id", true),
        int32("level"),
        int32("ordinal"),
        utf8("path", true),
        utf8("marker", true),
        utf8("heading", true),
        utf8("text", false),
        int32("char_start"),
        int32("char_end"),
        int32("paragraph_start"),
        int32("paragraph_end"),
        int32("paragraph_count"),
        int64("token_count"),
    ]))
}

/// The segment stage's artifact: one row per document, its tokens as lists (the word itself is
/// not stored: it is the span of the document text). Written as Arrow IPC, read back by tag and
/// sectionize without decoding.
pub fn segment_tokens_schema() -> SchemaRef {
    let list = |name: &str, item: DataType| {
        Field::new(
            name,
            DataType::List(Arc::new(Field::new("item", item, false))),
            false,
        )
    };
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        utf8("text_sha256", false),
        list("paragraph", DataType::Int32),
        list("sentence", DataType::Int32),
        list("char_start", DataType::Int32),
        list("char_end", DataType::Int32),
        list("pos", DataType::Utf8),
        list("is_stopword", DataType::Boolean),
    ]))
}

pub fn tokens_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        utf8("section_id", false),
        int32("paragraph"),
        int32("sentence"),
        int32("position"),
        utf8("token", false),
        utf8("pos", false),
        int32("char_start"),
        int32("char_end"),
        Field::new("is_punct", DataType::Boolean, false),
        Field::new("is_stopword", DataType::Boolean, false),
    ]))
}

pub fn sources_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("source_file", false),
        utf8("source_sha256", false),
        int64("bytes"),
        utf8("encoding", true),
        utf8("status", false),
        utf8("reason", true),
        utf8("reason_detail", true),
        string_list("doc_ids"),
        string_list("duplicate_of"),
    ]))
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>, table: &str) -> Result<RecordBatch> {
    RecordBatch::try_new(schema, columns)
        .map_err(|e| Error::arrow(format!("building the {table} table"), e))
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(values))
}

fn string_lists<'a, I>(rows: impl Iterator<Item = I>) -> ArrayRef
where
    I: IntoIterator<Item = &'a String>,
{
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in rows {
        for value in row {
            builder.values().append_value(value);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

/// Days since 1970-01-01 for an ISO date.
fn date32(iso: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((date - epoch).num_days() as i32)
}

/// One row of the documents table: a tagged document and what sectionize counted.
pub struct DocumentRow<'a> {
    pub doc: &'a Document,
    pub section_count: u32,
}

pub fn documents_batch(rows: &[DocumentRow]) -> Result<RecordBatch> {
    let default_meta = crate::model::Metadata::default();
    let m: Vec<&crate::model::Metadata> = rows
        .iter()
        .map(|r| r.doc.meta.as_ref().unwrap_or(&default_meta))
        .collect();

    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| Some(r.doc.doc_id.as_str()))),
        strings(rows.iter().map(|r| Some(r.doc.source_file.as_str()))),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| r.doc.part as i32),
        )),
        strings(m.iter().map(|m| m.title.as_deref())),
        strings(m.iter().map(|m| m.speaker.as_deref())),
        strings(m.iter().map(|m| m.speaker_role.as_deref())),
        Arc::new(Date32Array::from_iter(
            m.iter().map(|m| m.date.as_deref().and_then(date32)),
        )),
        strings(m.iter().map(|m| m.date_precision.as_deref())),
        strings(m.iter().map(|m| m.date_text.as_deref())),
        strings(m.iter().map(|m| m.occasion.as_deref())),
        strings(m.iter().map(|m| Some(m.genre.as_str()))),
        strings(m.iter().map(|m| m.source.as_deref())),
        strings(m.iter().map(|m| m.column.as_deref())),
        strings(rows.iter().map(|r| r.doc.collection.as_deref())),
        string_lists(m.iter().map(|m| &m.region)),
        string_lists(m.iter().map(|m| &m.keywords)),
        strings(rows.iter().map(|r| Some(r.doc.text.as_str()))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.doc.text.chars().count() as i64),
        )),
        Arc::new(Int32Array::from_iter_values(
            m.iter().map(|m| m.paragraph_count as i32),
        )),
        Arc::new(Int64Array::from_iter_values(
            m.iter().map(|m| m.token_count as i64),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| r.section_count as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            m.iter().map(|m| m.body_start as i32),
        )),
        string_lists(rows.iter().map(|r| &r.doc.flags)),
        strings(rows.iter().map(|r| r.doc.near_duplicate_of.as_deref())),
        Arc::new(Float64Array::from_iter(
            rows.iter().map(|r| r.doc.near_duplicate_similarity),
        )),
        strings(rows.iter().map(|r| Some(r.doc.content_hash.as_str()))),
        strings(rows.iter().map(|r| Some(r.doc.encoding.as_str()))),
        evidence_column(&m),
        edits_column(rows),
    ];
    batch(documents_schema(), columns, "documents")
}

/// Each document's evidence: for each field, the words its value came from, in field order.
fn evidence_column(metadata: &[&crate::model::Metadata]) -> ArrayRef {
    let mut evidence =
        ListBuilder::new(StructBuilder::from_fields(evidence_fields(), 0)).with_field(Arc::new(
            Field::new("item", DataType::Struct(evidence_fields()), true),
        ));
    for meta in metadata {
        for (field, text) in &meta.evidence {
            let item = evidence.values();
            item.field_builder::<StringBuilder>(0)
                .expect("field")
                .append_value(field);
            item.field_builder::<StringBuilder>(1)
                .expect("text")
                .append_value(text);
            item.append(true);
        }
        evidence.append(true);
    }
    Arc::new(evidence.finish())
}

/// Each document's cleaning edits: line, rule, before, after.
fn edits_column(rows: &[DocumentRow]) -> ArrayRef {
    let mut edits = ListBuilder::new(StructBuilder::from_fields(edit_fields(), 0));
    for row in rows {
        for edit in &row.doc.edits {
            let item = edits.values();
            item.field_builder::<Int32Builder>(0)
                .expect("line")
                .append_value(edit.line as i32);
            item.field_builder::<StringBuilder>(1)
                .expect("rule")
                .append_value(&edit.rule);
            item.field_builder::<StringBuilder>(2)
                .expect("before")
                .append_value(&edit.before);
            item.field_builder::<StringBuilder>(3)
                .expect("after")
                .append_option(edit.after.as_deref());
            item.append(true);
        }
        edits.append(true);
    }
    Arc::new(edits.finish())
}

/// One row of the sections table: a section with its document, body text and token count.
pub struct SectionRow<'a> {
    pub doc_id: &'a str,
    pub section: &'a Section,
    pub text: String,
    pub token_count: u64,
}

pub fn sections_batch(rows: &[SectionRow]) -> Result<RecordBatch> {
    fn s<'a>(r: &SectionRow<'a>) -> &'a Section {
        r.section
    }
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| Some(r.doc_id))),
        strings(rows.iter().map(|r| Some(s(r).section_id.as_str()))),
        strings(rows.iter().map(|r| s(r).parent_id.as_deref())),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).level as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).ordinal as i32),
        )),
        strings(rows.iter().map(|r| s(r).path.as_deref())),
        strings(rows.iter().map(|r| s(r).marker.as_deref())),
        strings(rows.iter().map(|r| s(r).heading.as_deref())),
        strings(rows.iter().map(|r| Some(r.text.as_str()))),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).char_start as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).char_end as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).paragraph_start as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| s(r).paragraph_end as i32),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter()
                .map(|r| (s(r).paragraph_end - s(r).paragraph_start) as i32),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.token_count as i64),
        )),
    ];
    batch(sections_schema(), columns, "sections")
}

/// The kind of a file's rejection or copy (`sources.reason`), read off its message
/// (`sources.reason_detail`), so that a `GROUP BY reason` gives a few rows: `empty`, `binary`,
/// `encoding`, `too_large`, `too_short`, `unreadable`, `identical_file`, `copies`.
pub fn reason_kind(detail: &str) -> &'static str {
    const KINDS: &[(&str, &str)] = &[
        ("empty file", "empty"),
        ("no text: ", "empty"),
        ("binary file", "binary"),
        ("undetectable encoding", "encoding"),
        ("file of ", "too_large"),
        ("no text left after cleaning", "too_short"),
        ("cannot be read", "unreadable"),
        ("symlink loop", "unreadable"),
        ("byte-identical to ", "identical_file"),
        ("every document is a copy", "copies"),
    ];
    KINDS
        .iter()
        .find(|(start, _)| detail.starts_with(start))
        .map_or("other", |(_, kind)| kind)
}

pub fn sources_batch(rows: &[SourceRecord]) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| Some(r.source_file.as_str()))),
        strings(rows.iter().map(|r| Some(r.source_sha256.as_str()))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.bytes as i64),
        )),
        strings(rows.iter().map(|r| r.encoding.as_deref())),
        strings(rows.iter().map(|r| Some(r.status.as_str()))),
        strings(rows.iter().map(|r| r.reason.as_deref().map(reason_kind))),
        strings(rows.iter().map(|r| r.reason.as_deref())),
        string_lists(rows.iter().map(|r| &r.doc_ids)),
        string_lists(rows.iter().map(|r| &r.duplicate_of)),
    ];
    batch(sources_schema(), columns, "sources")
}

/// One document's tokens, column by column, as the segment stage produces them (tags go straight
/// into an Arrow builder: no allocation per token).
#[derive(Debug, Default)]
pub struct SegmentedDocument {
    pub doc_id: String,
    /// SHA-256 of the exact text the tokens were cut from (a rerun reuses them for the same text).
    pub text_sha256: String,
    pub paragraph: Vec<i32>,
    pub sentence: Vec<i32>,
    pub char_start: Vec<i32>,
    pub char_end: Vec<i32>,
    pub pos: StringBuilder,
    pub is_stopword: Vec<bool>,
}

impl SegmentedDocument {
    pub fn len(&self) -> usize {
        self.char_start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.char_start.is_empty()
    }
}

/// Rows of the segment stage's artifact, filled document by document.
pub struct SegmentColumns {
    doc_id: StringBuilder,
    text_sha256: StringBuilder,
    paragraph: ListBuilder<Int32Builder>,
    sentence: ListBuilder<Int32Builder>,
    char_start: ListBuilder<Int32Builder>,
    char_end: ListBuilder<Int32Builder>,
    pos: ListBuilder<StringBuilder>,
    is_stopword: ListBuilder<BooleanBuilder>,
    tokens: usize,
}

impl Default for SegmentColumns {
    fn default() -> Self {
        let fields = segment_tokens_schema();
        let item = |i: usize| match fields.field(i).data_type() {
            DataType::List(item) => item.clone(),
            _ => unreachable!("list columns"),
        };
        SegmentColumns {
            doc_id: StringBuilder::new(),
            text_sha256: StringBuilder::new(),
            paragraph: ListBuilder::new(Int32Builder::new()).with_field(item(2)),
            sentence: ListBuilder::new(Int32Builder::new()).with_field(item(3)),
            char_start: ListBuilder::new(Int32Builder::new()).with_field(item(4)),
            char_end: ListBuilder::new(Int32Builder::new()).with_field(item(5)),
            pos: ListBuilder::new(StringBuilder::new()).with_field(item(6)),
            is_stopword: ListBuilder::new(BooleanBuilder::new()).with_field(item(7)),
            tokens: 0,
        }
    }
}

impl SegmentColumns {
    pub fn append(&mut self, doc: &SegmentedDocument) -> Result<()> {
        self.is_stopword.values().append_slice(&doc.is_stopword);
        self.append_lists(
            &doc.doc_id,
            &doc.text_sha256,
            [
                &doc.paragraph,
                &doc.sentence,
                &doc.char_start,
                &doc.char_end,
            ],
            &doc.pos.finish_cloned(),
        )
    }

    /// Appends a document's tokens as read back from an earlier artifact.
    pub fn append_stored(&mut self, doc: &DocumentTokens) -> Result<()> {
        self.is_stopword.values().append_array(&doc.is_stopword);
        self.append_lists(
            &doc.doc_id,
            &doc.text_sha256,
            [
                doc.paragraph.values(),
                doc.sentence.values(),
                doc.char_start.values(),
                doc.char_end.values(),
            ],
            &doc.pos,
        )
    }

    /// One row: the document, its paragraph/sentence/start/end lists and tags (its stop-word
    /// flags already given to the list's values).
    fn append_lists(
        &mut self,
        doc_id: &str,
        text_sha256: &str,
        [paragraph, sentence, char_start, char_end]: [&[i32]; 4],
        pos: &StringArray,
    ) -> Result<()> {
        self.doc_id.append_value(doc_id);
        self.text_sha256.append_value(text_sha256);
        for (list, values) in [
            (&mut self.paragraph, paragraph),
            (&mut self.sentence, sentence),
            (&mut self.char_start, char_start),
            (&mut self.char_end, char_end),
        ] {
            list.values().append_slice(values);
            list.append(true);
        }
        self.pos
            .values()
            .append_array(pos)
            .map_err(|e| Error::arrow("segment tokens", e))?;
        self.pos.append(true);
        self.is_stopword.append(true);
        self.tokens += pos.len();
        Ok(())
    }

    /// Tokens appended since the last `finish`.
    pub fn tokens(&self) -> usize {
        self.tokens
    }

    pub fn finish(&mut self) -> Result<RecordBatch> {
        self.tokens = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.doc_id.finish()),
            Arc::new(self.text_sha256.finish()),
            Arc::new(self.paragraph.finish()),
            Arc::new(self.sentence.finish()),
            Arc::new(self.char_start.finish()),
            Arc::new(self.char_end.finish()),
            Arc::new(self.pos.finish()),
            Arc::new(self.is_stopword.finish()),
        ];
        batch(segment_tokens_schema(), columns, "segment tokens")
    }
}

/// One document's tokens read back from the segment stage's artifact (cheap slices of its lists).
#[derive(Debug, Clone)]
pub struct DocumentTokens {
    pub doc_id: String,
    pub text_sha256: String,
    pub paragraph: Int32Array,
    pub sentence: Int32Array,
    pub char_start: Int32Array,
    pub char_end: Int32Array,
    pub pos: StringArray,
    pub is_stopword: BooleanArray,
}

impl DocumentTokens {
    pub fn len(&self) -> usize {
        self.char_start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.char_start.is_empty()
    }

    /// The words, cut out of the document's text by their spans; `None` when a span does not fit
    /// the text (the tokens belong to another version of the document).
    pub fn words<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        // Byte offset of every code point, and of the end.
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        let (starts, ends) = (self.char_start.values(), self.char_end.values());
        starts
            .iter()
            .zip(ends.iter())
            .map(|(&start, &end)| {
                let (from, to) = (*offsets.get(start as usize)?, *offsets.get(end as usize)?);
                text.get(from..to)
            })
            .collect()
    }

    /// Every document in a batch of the segment stage's artifact, in order.
    pub fn from_batch(batch: &RecordBatch) -> Result<Vec<DocumentTokens>> {
        let bad = |what: &str| Error::Stage {
            stage: "reading a stage table",
            reason: format!("segment tokens: {what}"),
        };
        let text_column = |name: &str| {
            typed_column::<StringArray>(batch, name)
                .ok_or_else(|| bad(&format!("no text column {name}")))
        };
        let ids = text_column("doc_id")?;
        let hashes = text_column("text_sha256")?;
        let list = |name: &str| -> Result<ListArray> {
            typed_column::<ListArray>(batch, name)
                .cloned()
                .ok_or_else(|| bad(&format!("no list column {name}")))
        };
        let (paragraph, sentence, start, end, pos, stop) = (
            list("paragraph")?,
            list("sentence")?,
            list("char_start")?,
            list("char_end")?,
            list("pos")?,
            list("is_stopword")?,
        );
        let ints = |l: &ListArray, row: usize| -> Result<Int32Array> {
            l.value(row)
                .as_any()
                .downcast_ref::<Int32Array>()
                .cloned()
                .ok_or_else(|| bad("a list of numbers holds something else"))
        };
        (0..batch.num_rows())
            .map(|row| {
                let tokens = DocumentTokens {
                    doc_id: ids.value(row).to_string(),
                    text_sha256: hashes.value(row).to_string(),
                    paragraph: ints(&paragraph, row)?,
                    sentence: ints(&sentence, row)?,
                    char_start: ints(&start, row)?,
                    char_end: ints(&end, row)?,
                    pos: pos
                        .value(row)
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .cloned()
                        .ok_or_else(|| bad("pos is not a list of text"))?,
                    is_stopword: stop
                        .value(row)
                        .as_any()
                        .downcast_ref::<BooleanArray>()
                        .cloned()
                        .ok_or_else(|| bad("is_stopword is not a list of booleans"))?,
                };
                let n = tokens.len();
                if [
                    tokens.paragraph.len(),
                    tokens.sentence.len(),
                    tokens.char_end.len(),
                ]
                .iter()
                .chain([tokens.pos.len(), tokens.is_stopword.len()].iter())
                .any(|len| *len != n)
                {
                    return Err(bad("lists of one document differ in length"));
                }
                Ok(tokens)
            })
            .collect()
    }
}

/// The rows of the tokens table for one document: its segment tokens, each word cut out of the
/// text, with the innermost section holding it.
pub fn document_tokens_batch(
    tokens: &DocumentTokens,
    words: &[&str],
    section_ids: &[&str],
) -> Result<RecordBatch> {
    let n = tokens.len();
    let mut doc_id = StringBuilder::with_capacity(n, n * tokens.doc_id.len());
    let mut section_id = StringBuilder::with_capacity(n, n * (tokens.doc_id.len() + 3));
    let mut token = StringBuilder::with_capacity(n, n * 6);
    for i in 0..n {
        doc_id.append_value(&tokens.doc_id);
        section_id.append_value(section_ids[i]);
        token.append_value(words[i]);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(doc_id.finish()),
        Arc::new(section_id.finish()),
        Arc::new(tokens.paragraph.clone()),
        Arc::new(tokens.sentence.clone()),
        Arc::new(Int32Array::from_iter_values(0..n as i32)),
        Arc::new(token.finish()),
        Arc::new(tokens.pos.clone()),
        Arc::new(tokens.char_start.clone()),
        Arc::new(tokens.char_end.clone()),
        Arc::new(BooleanArray::from_iter(
            words.iter().map(|w| Some(is_punctuation(w))),
        )),
        Arc::new(tokens.is_stopword.clone()),
    ];
    batch(tokens_schema(), columns, "tokens")
}

/// A token made only of punctuation or symbols.
pub fn is_punctuation(token: &str) -> bool {
    token
        .chars()
        .all(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

/// A column of `batch` as the array type its schema gives it, if it is there and of that type.
pub fn typed_column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Option<&'a T> {
    batch.column_by_name(name)?.as_any().downcast_ref::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of every table is described in docs/SCHEMA.md.
    #[test]
    fn every_column_is_documented() {
        let doc = std::fs::read_to_string("docs/SCHEMA.md").unwrap();
        for (table, schema) in [
            ("documents", documents_schema()),
            ("sections", sections_schema()),
            ("tokens", tokens_schema()),
            ("sources", sources_schema()),
        ] {
            let start = doc
                .find(&format!("## {table}"))
                .unwrap_or_else(|| panic!("no section for {table}"));
            let rest = &doc[start..];
            let end = rest[3..].find("\n## ").map(|i| i + 3).unwrap_or(rest.len());
            for field in schema.fields() {
                assert!(
                    rest[..end].contains(&format!("| `{}` |", field.name())),
                    "{table}.{} is not documented",
                    field.name()
                );
            }
        }
    }
}
