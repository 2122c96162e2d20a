//! The one place that defines the output tables: their Arrow schemas, column by column, and the
//! conversion from the model (`model.rs`) into record batches. docs/SCHEMA.md documents every column;
//! a test checks that every column here is documented there.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int32Builder, Int64Array,
    ListBuilder, MapBuilder, RecordBatch, StringArray, StringBuilder, StructBuilder,
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

fn evidence_field() -> Field {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![utf8("key", false), utf8("value", true)])),
        false,
    );
    Field::new("evidence", DataType::Map(Arc::new(entries), false), false)
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
        string_list("flags"),
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

/// The tokens table as the segment stage writes it: everything but `section_id`.
pub fn segment_tokens_schema() -> SchemaRef {
    Arc::new(Schema::new(token_fields(false)))
}

pub fn tokens_schema() -> SchemaRef {
    Arc::new(Schema::new(token_fields(true)))
}

fn token_fields(with_section: bool) -> Vec<Field> {
    let mut fields = vec![utf8("doc_id", false)];
    if with_section {
        fields.push(utf8("section_id", false));
    }
    fields.extend([
        int32("paragraph"),
        int32("sentence"),
        int32("position"),
        utf8("token", false),
        utf8("pos", false),
        int32("char_start"),
        int32("char_end"),
        Field::new("is_punct", DataType::Boolean, false),
        Field::new("is_stopword", DataType::Boolean, false),
    ]);
    fields
}

pub fn sources_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("source_file", false),
        utf8("source_sha256", false),
        int64("bytes"),
        utf8("encoding", true),
        utf8("status", false),
        utf8("reason", true),
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

    let mut evidence = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for meta in &m {
        for (field, text) in &meta.evidence {
            evidence.keys().append_value(field);
            evidence.values().append_value(text);
        }
        evidence
            .append(true)
            .map_err(|e| Error::arrow("building evidence", e))?;
    }

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
        Arc::new(evidence.finish()),
        Arc::new(edits.finish()),
    ];
    batch(documents_schema(), columns, "documents")
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

pub fn sources_batch(rows: &[SourceRecord]) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| Some(r.source_file.as_str()))),
        strings(rows.iter().map(|r| Some(r.source_sha256.as_str()))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.bytes as i64),
        )),
        strings(rows.iter().map(|r| r.encoding.as_deref())),
        strings(rows.iter().map(|r| Some(r.status.as_str()))),
        strings(rows.iter().map(|r| r.reason.as_deref())),
        string_lists(rows.iter().map(|r| &r.doc_ids)),
        string_lists(rows.iter().map(|r| &r.duplicate_of)),
    ];
    batch(sources_schema(), columns, "sources")
}

/// One document's tokens, column by column, as the segment stage produces them. Text goes straight
/// into Arrow builders: no allocation per token.
#[derive(Debug, Default)]
pub struct TokenColumns {
    pub doc_id: StringBuilder,
    pub paragraph: Vec<i32>,
    pub sentence: Vec<i32>,
    pub position: Vec<i32>,
    pub token: StringBuilder,
    pub pos: StringBuilder,
    pub char_start: Vec<i32>,
    pub char_end: Vec<i32>,
    pub is_punct: Vec<bool>,
    pub is_stopword: Vec<bool>,
}

impl TokenColumns {
    pub fn len(&self) -> usize {
        self.position.len()
    }

    pub fn is_empty(&self) -> bool {
        self.position.is_empty()
    }

    /// The batch for the segment stage's artifact (no `section_id` yet).
    pub fn finish(mut self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.doc_id.finish()),
            Arc::new(Int32Array::from(self.paragraph)),
            Arc::new(Int32Array::from(self.sentence)),
            Arc::new(Int32Array::from(self.position)),
            Arc::new(self.token.finish()),
            Arc::new(self.pos.finish()),
            Arc::new(Int32Array::from(self.char_start)),
            Arc::new(Int32Array::from(self.char_end)),
            Arc::new(BooleanArray::from(self.is_punct)),
            Arc::new(BooleanArray::from(self.is_stopword)),
        ];
        batch(segment_tokens_schema(), columns, "tokens")
    }
}

/// Adds the `section_id` column to a batch of the segment stage's tokens.
pub fn tokens_with_sections(
    segment_batch: &RecordBatch,
    section_ids: StringArray,
) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = segment_batch.columns().to_vec();
    columns.insert(1, Arc::new(section_ids));
    batch(tokens_schema(), columns, "tokens")
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
