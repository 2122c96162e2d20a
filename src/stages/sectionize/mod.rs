//! Sectionize: the outline of a speech. Headings are paragraphs that start with a numbering marker
//! (see `outline`), that the source's markup marked (`Document::marked_headings`), or short lines
//! alone between paragraphs (see `runs`), and belong to a run that makes sense: 一, 二, 三 … in order under the same
//! parent, a run starting at 1 only when its second item follows. Levels come from the order in
//! which marker families appear in each document. The text before the first heading is a level-0
//! preamble; a closing paragraph after the last heading that addresses the audience (同志们，…) is a
//! level-0 closing. Spans nest and cover the whole text.

use arrow::array::RecordBatch;

use crate::error::{Error, Result};
use crate::io::artifact::{JsonLine, StageOutput, read_jsonl, stage_dir};
use crate::io::documents::{
    KeptLine, annotate, document_with, kept_count, with_annotations, with_tokens, words,
};
use crate::io::parquet::TableWriter;
use crate::model::{Document, Section, SourceRecord};
use crate::outline::{dash_marker, parse_marker};
use crate::schema::{self, DocumentRow, DocumentTokens, SectionRow};
use crate::settings::{SectionizeSettings, Settings};
use crate::stages::{Context, Items, Stage};

mod runs;
#[cfg(test)]
mod tests;

use runs::{
    Candidate, Heading, accept_runs, breaks_off, marked_heading, number_dash_runs,
    number_unnumbered, unnumbered_heading, without_lists,
};

pub struct Sectionizer {
    settings: SectionizeSettings,
}

impl Sectionizer {
    pub fn new(settings: &SectionizeSettings) -> Self {
        Sectionizer {
            settings: settings.clone(),
        }
    }

    /// The sections of a tagged document, in document order (parents before their children).
    pub fn sectionize(&self, doc: &Document) -> Vec<Section> {
        let paragraphs: Vec<&str> = doc.paragraphs().collect();
        let starts = paragraph_starts(&paragraphs);
        let body_start = doc.meta.as_ref().map_or(0, |m| m.body_start as usize);

        let broken_off = breaks_off(&paragraphs);
        // How many characters of paragraph `i` the source's markup marked as its heading.
        let marked = |i: usize| {
            doc.marked_headings
                .iter()
                .find(|m| m.paragraph as usize == i)
                .map(|m| m.chars as usize)
        };
        let header_last = body_start
            .checked_sub(1)
            .filter(|&i| {
                i > 0
                    && doc
                        .meta
                        .as_ref()
                        .is_some_and(|m| is_unused(m, paragraphs[i]))
            })
            .and_then(|i| {
                marked_heading(&paragraphs, i, marked(i), self.settings.max_heading_chars)
                    .or_else(|| unnumbered_heading(&paragraphs, i, true, broken_off))
            });
        let body = paragraphs.iter().enumerate().skip(body_start);
        let mut candidates: Vec<Candidate> = header_last
            .into_iter()
            .chain(body.filter_map(|(i, p)| {
                self.candidate(i, p, paragraphs.get(i + 1).copied(), marked(i))
                    .or_else(|| {
                        marked_heading(&paragraphs, i, marked(i), self.settings.max_heading_chars)
                    })
                    .or_else(|| unnumbered_heading(&paragraphs, i, false, broken_off))
            }))
            .collect();
        number_dash_runs(&mut candidates);
        number_unnumbered(&mut candidates, broken_off);
        let cut_after = broken_off.then(|| paragraphs.len() - 1);
        let headings = without_lists(accept_runs(&candidates, cut_after), &paragraphs);

        let closing = closing_paragraph(&paragraphs, &headings);
        outline_sections(&doc.doc_id, &headings, &starts, closing)
    }

    /// Paragraph `text` as a heading candidate, if it starts with a marker; `next` is the paragraph
    /// after it, `marked` how many of its characters the markup marked as heading (a bold lead:
    /// **第三、作为高技术产品的程控交换机**，同时也是…).
    fn candidate(
        &self,
        paragraph: usize,
        text: &str,
        next: Option<&str>,
        marked: Option<usize>,
    ) -> Option<Candidate> {
        // A dash-led point states something (——就业增长超出预期。); a dash before a name under a
        // testimony (——青年志愿者联合会 袁嘉泽) signs it.
        let dash = || dash_marker(text).filter(|_| text.contains(['。', '！', '？']));
        let marker = parse_marker(text).or_else(dash)?;
        let first_stop = text.find(['。', '！', '？']).map(|i| i + '。'.len_utf8());
        // A short numbered line of two sentences over its own numbered points is a heading whole
        // (三、我们坚持改善经营质量，提高贡献利润。供应体系…也要贴近业务…。 / 1、…).
        let over_points = || {
            next.and_then(parse_marker)
                .is_some_and(|under| under.family != marker.family && under.ordinal == 1)
        };
        let marked = marked.map(|chars| text.chars().take(chars).collect::<String>());
        let heading = if let Some(marked) = marked.filter(|m| m.len() > marker.text.len()) {
            marked
        } else if marker.family.is_run_in() {
            text[..first_stop.unwrap_or(text.len())].to_string()
        } else if text.chars().count() <= self.settings.max_heading_chars
            && (first_stop.is_none_or(|end| end == text.len()) || over_points())
        {
            text.to_string()
        } else {
            // A numbered line running on into its body: the heading is its first sentence,
            // however long (the run it stands in decides whether it is one).
            text[..first_stop?].to_string()
        };
        Some(Candidate {
            paragraph,
            marker,
            heading,
        })
    }
}

/// Whether the tag took none of its fields from header line `line`: not the title or a shorter
/// form of it, no line of a field's evidence inside it.
fn is_unused(meta: &crate::model::Metadata, line: &str) -> bool {
    let line = line.trim();
    // A title over several lines has them in its evidence, one per line; a site repeats the title
    // in a shorter form (2022年度专题党课：… then 专题党课：…).
    let evidence_lines = meta.evidence.values().flat_map(|e| e.lines());
    let title_form = meta.title.as_deref().is_some_and(|title| {
        title.contains(line) && line.chars().count() * 2 > title.chars().count()
    });
    !title_form
        && !evidence_lines
            .filter(|e| !e.trim().is_empty())
            .any(|e| line.contains(e.trim()) || e.trim() == line)
}

/// The sections of a document from its accepted headings: a preamble before the first heading (or
/// the whole text when there is none), each heading's section nested under the nearest heading of
/// a higher level, and the closing.
fn outline_sections(
    doc_id: &str,
    headings: &[Heading],
    starts: &[u32],
    closing: Option<usize>,
) -> Vec<Section> {
    let text_end = starts[starts.len() - 1];
    let headed_end = closing.map_or(text_end, |c| starts[c]);

    let mut sections = Vec::new();
    let id = |n: usize| format!("{doc_id}:{n}");
    let first_heading_start = headings.first().map_or(headed_end, |h| starts[h.paragraph]);
    let mut top_ordinal = 0;
    if first_heading_start > 0 || headings.is_empty() {
        top_ordinal += 1;
        sections.push(plain_section(
            id(0),
            top_ordinal,
            0,
            first_heading_start,
            0,
            paragraph_at(starts, first_heading_start),
        ));
    }

    // Stack of (level, index into `sections`, headed children so far).
    let mut stack: Vec<(u32, usize, u32)> = Vec::new();
    let mut top_headed = 0;
    for (h_index, h) in headings.iter().enumerate() {
        while stack.last().is_some_and(|(level, _, _)| *level >= h.level) {
            stack.pop();
        }
        let spans = heading_spans(headings, h_index, starts, headed_end);
        let (parent_id, ordinal, path) = match stack.last_mut() {
            Some((_, parent, children)) => {
                *children += 1;
                let parent = &sections[*parent];
                let path = format!("{}.{children}", parent.path.as_deref().unwrap_or_default());
                (Some(parent.section_id.clone()), *children, path)
            }
            None => {
                top_ordinal += 1;
                top_headed += 1;
                (None, top_ordinal, top_headed.to_string())
            }
        };
        let index = sections.len();
        sections.push(Section {
            section_id: id(index),
            parent_id,
            level: h.level,
            ordinal,
            path: Some(path),
            marker: Some(h.marker.text.clone()),
            heading: Some(h.heading.clone()),
            char_start: spans.char_start,
            char_end: spans.char_end,
            body_start: spans.body_start,
            body_end: spans.body_end,
            paragraph_start: h.paragraph as u32,
            paragraph_end: paragraph_at(starts, spans.char_end),
        });
        stack.push((h.level, index, 0));
    }
    if let Some(c) = closing {
        top_ordinal += 1;
        let index = sections.len();
        sections.push(plain_section(
            id(index),
            top_ordinal,
            starts[c],
            text_end,
            c as u32,
            (starts.len() - 1) as u32,
        ));
    }
    sections
}

/// Where each paragraph starts (in characters, paragraphs joined by one line break), and last
/// where the text ends.
fn paragraph_starts(paragraphs: &[&str]) -> Vec<u32> {
    let mut starts = Vec::with_capacity(paragraphs.len() + 1);
    let mut offset = 0u32;
    for p in paragraphs {
        starts.push(offset);
        offset += p.chars().count() as u32 + 1;
    }
    starts.push(offset.saturating_sub(1));
    starts
}

/// The closing: the first paragraph after the last heading that addresses the audience.
fn closing_paragraph(paragraphs: &[&str], headings: &[Heading]) -> Option<usize> {
    let last = headings.last()?;
    (last.paragraph + 1..paragraphs.len()).find(|&i| paragraphs[i].starts_with("同志们"))
}

/// Where a headed section and its own body (before its first child) start and end.
struct Spans {
    char_start: u32,
    char_end: u32,
    body_start: u32,
    body_end: u32,
}

/// The spans of `headings[index]`: its section runs to the next heading of its level or above
/// (or `headed_end`), its body from after the heading to its first child.
fn heading_spans(headings: &[Heading], index: usize, starts: &[u32], headed_end: u32) -> Spans {
    let h = &headings[index];
    let char_start = starts[h.paragraph];
    let char_end = headings[index + 1..]
        .iter()
        .find(|next| next.level <= h.level)
        .map_or(headed_end, |next| starts[next.paragraph]);
    let heading_chars = h.heading.chars().count() as u32;
    let paragraph_chars = starts[h.paragraph + 1] - starts[h.paragraph];
    // A heading that is its whole line leaves the body to start on the next line.
    let body_start = if heading_chars + 1 >= paragraph_chars {
        (char_start + paragraph_chars).min(char_end)
    } else {
        char_start + heading_chars
    };
    let body_end = headings[index + 1..]
        .first()
        .filter(|next| next.level > h.level)
        .map_or(char_end, |child| starts[child.paragraph]);
    Spans {
        char_start,
        char_end,
        body_start,
        body_end: body_end.max(body_start),
    }
}

fn plain_section(
    section_id: String,
    ordinal: u32,
    char_start: u32,
    char_end: u32,
    p_start: u32,
    p_end: u32,
) -> Section {
    Section {
        section_id,
        parent_id: None,
        level: 0,
        ordinal,
        path: None,
        marker: None,
        heading: None,
        char_start,
        char_end,
        body_start: char_start,
        body_end: char_end,
        paragraph_start: p_start,
        paragraph_end: p_end,
    }
}

/// Index of the paragraph starting at or after `offset` (so a span end maps to an exclusive index).
fn paragraph_at(starts: &[u32], offset: u32) -> u32 {
    let paragraphs = starts.len() - 1;
    starts[..paragraphs].partition_point(|s| *s < offset) as u32
}

/// The innermost section holding code point `at`: sections are in document order and nest, so it
/// is the last one starting at or before `at`.
pub fn innermost_section(sections: &[Section], at: u32) -> usize {
    sections
        .partition_point(|s| s.char_start <= at)
        .saturating_sub(1)
}

/// Rows per row group of the documents and sections tables (tokens: `segment.row_group_tokens`).
const DOCUMENTS_PER_ROW_GROUP: usize = 1024;
const SECTIONS_PER_ROW_GROUP: usize = 16384;

/// The sectionize stage: the outline of each document, and the final tables built from every
/// stage's output in one pass, document by document.
pub struct Sectionize {
    sectionizer: Sectionizer,
    row_group_tokens: usize,
    batch_documents: usize,
}

/// One document's rows: the document, its number of sections, its section and token rows.
pub struct DocumentRows {
    doc: Document,
    section_count: u32,
    sections: RecordBatch,
    tokens: RecordBatch,
}

/// The table writers, and the documents and sections waiting to be written many at a time (one
/// small batch per document would waste the builders' room).
pub struct Tables {
    documents: TableWriter,
    sections: TableWriter,
    tokens: TableWriter,
    pending: Vec<(Document, u32)>,
    pending_sections: Vec<RecordBatch>,
}

impl Tables {
    fn write_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows: Vec<DocumentRow> = self
            .pending
            .iter()
            .map(|(doc, section_count)| DocumentRow {
                doc,
                section_count: *section_count,
            })
            .collect();
        self.documents.write(schema::documents_batch(&rows)?)?;
        let sections_schema = schema::sections_schema();
        self.sections.write(
            arrow::compute::concat_batches(&sections_schema, self.pending_sections.iter())
                .map_err(|e| Error::arrow("joining section rows", e))?,
        )?;
        self.pending.clear();
        self.pending_sections.clear();
        Ok(())
    }
}

impl Stage for Sectionize {
    const NAME: &'static str = "sectionize";
    type Item = ((KeptLine, Option<DocumentTokens>), JsonLine);
    type Done = DocumentRows;
    type Sink = Tables;

    /// The row group size shapes only the final tokens table, which this stage writes.
    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value((&settings.sectionize, settings.segment.row_group_tokens))
            .expect("settings serialise")
    }

    fn build(cx: &Context) -> Result<Self> {
        Ok(Sectionize {
            sectionizer: Sectionizer::new(&cx.settings.sectionize),
            row_group_tokens: cx.settings.segment.row_group_tokens,
            batch_documents: cx.settings.run.batch_documents,
        })
    }

    fn items(&self, cx: &Context) -> Result<(u64, Items<Self::Item>)> {
        Ok((
            kept_count(cx.work)?,
            Box::new(with_annotations(cx.work, with_tokens(cx.work)?)?),
        ))
    }

    /// Document by document, in parallel: its outline, its tokens with their sections, and its
    /// rows of the three tables.
    fn work(&self, ((line, doc_tokens), annotation): Self::Item) -> Result<DocumentRows> {
        let (mut doc, doc_tokens) = document_with(&line, doc_tokens)?;
        annotate(&mut doc, &annotation)?;
        let outline = self.sectionizer.sectionize(&doc);
        let words = words(&doc_tokens, &doc.text)?;
        let mut token_counts = vec![0u64; outline.len()];
        let section_ids: Vec<&str> = doc_tokens
            .char_start
            .values()
            .iter()
            .map(|&start| {
                let index = innermost_section(&outline, start as u32);
                token_counts[index] += 1;
                outline[index].section_id.as_str()
            })
            .collect();
        let tokens = schema::document_tokens_batch(&doc_tokens, &words, &section_ids)?;
        let chars: Vec<char> = doc.text.chars().collect();
        let section_rows: Vec<SectionRow> = outline
            .iter()
            .zip(&token_counts)
            .map(|(section, &token_count)| {
                let body: String = chars[section.body_start as usize..section.body_end as usize]
                    .iter()
                    .collect();
                SectionRow {
                    doc_id: &doc.doc_id,
                    section,
                    text: body.trim_end_matches('\n').to_string(),
                    token_count,
                }
            })
            .collect();
        let sections = schema::sections_batch(&section_rows)?;
        let section_count = outline.len() as u32;
        Ok(DocumentRows {
            doc,
            section_count,
            sections,
            tokens,
        })
    }

    fn text_bytes(done: &DocumentRows) -> usize {
        done.doc.text.len()
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<Tables> {
        Ok(Tables {
            documents: TableWriter::create(
                &output.file("documents.parquet"),
                schema::documents_schema(),
                DOCUMENTS_PER_ROW_GROUP,
            )?,
            sections: TableWriter::create(
                &output.file("sections.parquet"),
                schema::sections_schema(),
                SECTIONS_PER_ROW_GROUP,
            )?,
            tokens: TableWriter::create(
                &output.file("tokens.parquet"),
                schema::tokens_schema(),
                self.row_group_tokens,
            )?,
            pending: Vec::new(),
            pending_sections: Vec::new(),
        })
    }

    fn absorb(&self, tables: &mut Tables, rows: DocumentRows) -> Result<()> {
        tables.pending.push((rows.doc, rows.section_count));
        tables.pending_sections.push(rows.sections);
        if tables.pending.len() >= self.batch_documents {
            tables.write_pending()?;
        }
        tables.tokens.write(rows.tokens)
    }

    fn finish(&self, cx: &Context, mut tables: Tables, output: &StageOutput) -> Result<String> {
        tables.write_pending()?;
        let document_rows = tables.documents.finish()?;
        let section_rows = tables.sections.finish()?;
        let token_rows = tables.tokens.finish()?;

        // The account of every raw file.
        let sources: Vec<SourceRecord> =
            read_jsonl(&stage_dir(cx.work, "dedupe").join("sources.jsonl"))?
                .collect::<Result<_>>()?;
        let mut sources_writer = TableWriter::create(
            &output.file("sources.parquet"),
            schema::sources_schema(),
            sources.len(),
        )?;
        sources_writer.write(schema::sources_batch(&sources)?)?;
        sources_writer.finish()?;
        use crate::progress::counted;
        Ok(format!(
            "{}, {}, {}, {}",
            counted(document_rows, "document", "documents"),
            counted(section_rows, "section", "sections"),
            counted(token_rows, "token", "tokens"),
            counted(sources.len() as u64, "source", "sources"),
        ))
    }
}
