//! Sectionize: the outline of a speech. Headings are paragraphs that start with a numbering marker
//! (see `outline`) and belong to a run that makes sense: 一, 二, 三 … in order under the same
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
use crate::outline::{Family, Marker, dash_marker, parse_marker};
use crate::schema::{self, DocumentRow, DocumentTokens, SectionRow};
use crate::settings::{SectionizeSettings, Settings};
use crate::stages::{Context, Items, Stage};

pub struct Sectionizer {
    settings: SectionizeSettings,
}

/// A paragraph that may be a heading.
struct Candidate {
    paragraph: usize,
    marker: Marker,
    heading: String,
}

/// A heading accepted into the outline.
struct Heading {
    paragraph: usize,
    level: u32,
    marker: Marker,
    heading: String,
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

        let mut candidates: Vec<Candidate> = paragraphs
            .iter()
            .enumerate()
            .skip(body_start)
            .filter_map(|(i, p)| {
                self.candidate(i, p)
                    .or_else(|| unnumbered_heading(&paragraphs, i))
            })
            .collect();
        number_dash_runs(&mut candidates);
        number_unnumbered(&mut candidates);
        let headings = without_lists(
            accept_runs(&candidates, breaks_off(&paragraphs)),
            &paragraphs,
        );

        let closing = closing_paragraph(&paragraphs, &headings);
        outline_sections(&doc.doc_id, &headings, &starts, closing)
    }

    fn candidate(&self, paragraph: usize, text: &str) -> Option<Candidate> {
        // A dash-led point states something (——就业增长超出预期。); a dash before a name under a
        // testimony (——青年志愿者联合会 袁嘉泽) signs it.
        let dash = || dash_marker(text).filter(|_| text.contains(['。', '！', '？']));
        let marker = parse_marker(text).or_else(dash)?;
        let first_stop = text.find(['。', '！', '？']).map(|i| i + '。'.len_utf8());
        let heading = if marker.family.is_lead_sentence() {
            text[..first_stop.unwrap_or(text.len())].to_string()
        } else if text.chars().count() <= self.settings.max_heading_chars
            && first_stop.is_none_or(|end| end == text.len())
        {
            text.to_string()
        } else {
            // A numbered line running on into its body: the heading is its first sentence.
            let end = first_stop?;
            if text[..end].chars().count() > self.settings.max_heading_chars {
                return None;
            }
            text[..end].to_string()
        };
        Some(Candidate {
            paragraph,
            marker,
            heading,
        })
    }
}

/// A full date, which a heading does not hold.
static DATED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日").unwrap()
});

/// An unnumbered heading is at least this long: a photo's caption left in the text (活动现场, 曹骥讲党课)
/// is shorter.
const MIN_UNNUMBERED_CHARS: usize = 6;

/// A short line standing alone between two paragraphs of prose, without a sentence's end or a
/// clause's (no 。！？； anywhere, not ending in ：，、; or one question ending in ？), is an unnumbered
/// heading: 中国农话市场和产业现状. Its ordinal is set by `number_unnumbered`.
fn unnumbered_heading(paragraphs: &[&str], i: usize) -> Option<Candidate> {
    let line = paragraphs[i].trim();
    let chars = line.chars().count();
    let ends_a_sentence = |p: &str| {
        p.trim_end()
            .trim_end_matches(['”', '’', '」', '）', ')'])
            .ends_with(['。', '！', '？', '…', '!', '?'])
    };
    let before = paragraphs.get(i.checked_sub(1)?)?;
    let after = paragraphs.get(i + 1)?;
    // A question standing alone is a heading too (为什么要过“政治生日”？).
    let body = line.strip_suffix('？').unwrap_or(line);
    // Not a caption's credit (…/视觉中国), a symbol's line (△ …), a dated source line (《人民日报》（2020年
    // 05月19日 01 版）).
    let first = line.chars().next()?;
    let shaped_otherwise = line.contains('/')
        || !(crate::io::raw::is_han(first) || "“《「".contains(first))
        || DATED.is_match(line);
    let alone = !shaped_otherwise
        && (MIN_UNNUMBERED_CHARS..=60).contains(&chars)
        && !body.contains(['。', '！', '？', '；', '!', '?', ';'])
        && !line.ends_with(['：', ':', '，', ',', '、', '—'])
        && ends_a_sentence(before)
        && (after.contains(['。', '！', '？']) || after.ends_with(['：', ':']))
        && after.chars().count() > chars;
    alone.then(|| Candidate {
        paragraph: i,
        marker: Marker {
            family: Family::Unnumbered,
            ordinal: 0,
            text: String::new(),
        },
        heading: line.to_string(),
    })
}

/// Numbers the unnumbered headings through the document: they are one run, whatever numbered runs
/// stand between them (中国农话的现状… / 中国农话市场… / 第一、…第四、 / 中国农话交换网…建议). A
/// document with only one such line has no unnumbered run: a stray short line is no outline.
fn number_unnumbered(candidates: &mut Vec<Candidate>) {
    let count = candidates
        .iter()
        .filter(|c| c.marker.family == Family::Unnumbered)
        .count();
    if count < 2 {
        candidates.retain(|c| c.marker.family != Family::Unnumbered);
        return;
    }
    let mut place = 0;
    for c in candidates
        .iter_mut()
        .filter(|c| c.marker.family == Family::Unnumbered)
    {
        place += 1;
        c.marker.ordinal = place;
    }
}

/// Numbers dash-led points by their place in their run: a run of them goes on until a candidate of
/// another family comes between.
fn number_dash_runs(candidates: &mut [Candidate]) {
    let mut place = 0;
    for c in candidates {
        if c.marker.family == Family::Dash {
            place += 1;
            c.marker.ordinal = place;
        } else {
            place = 0;
        }
    }
}

/// Keeps the candidates that form runs in order; levels follow the order families appear in.
///
/// In a text that breaks off (`broken_off`), a heading line numbered 1 with no 2 after it is a
/// heading still: its run was cut off with the text (一、… in a page's preview).
fn accept_runs(candidates: &[Candidate], broken_off: bool) -> Vec<Heading> {
    // Stack of (family, last ordinal) from the top level down.
    let mut stack: Vec<(Family, u32)> = Vec::new();
    let mut headings = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let family = c.marker.family;
        let ordinal = c.marker.ordinal;
        if let Some(depth) = stack.iter().position(|(f, _)| *f == family) {
            if ordinal != stack[depth].1 + 1 {
                continue;
            }
            stack.truncate(depth);
        } else if ordinal != 1
            || !(run_goes_on(candidates, i, &stack) || broken_off && cut_off(candidates, i))
        {
            continue;
        } else if let Some(&(top, last)) = stack.last()
            && top.is_run_in()
            && family.is_run_in()
            && !resumes(candidates, i, top, last)
        {
            // Two lists of run-in points one after the other (第一…第六, later 一是…四是; a dash run,
            // then 一是…八是): the first has ended, the second is its sibling, not its child.
            stack.pop();
        }
        stack.push((family, ordinal));
        headings.push(Heading {
            paragraph: c.paragraph,
            level: stack.len() as u32,
            marker: c.marker.clone(),
            heading: c.heading.clone(),
        });
    }
    headings
}

/// The headings without the numbered lists among them: a top-level run of three or more items,
/// each one sentence at most (its paragraph, or a bare number and the line under it), one right
/// after the other with no body between (1. 商业模式永远在变，唯一不变的是以真心换真金。 2. …, a
/// company's maxims) lists points; it does not outline a text. Under a heading, such items are
/// that section's points (一、… then 1、…。 2、…。 3、…。) and stay.
fn without_lists(headings: Vec<Heading>, paragraphs: &[&str]) -> Vec<Heading> {
    let mut keep = vec![true; headings.len()];
    let mut start = 0;
    while start < headings.len() {
        let first = &headings[start];
        let mut end = start + 1;
        while end < headings.len()
            && headings[end].marker.family == first.marker.family
            && headings[end].level == first.level
            && headings[end].marker.ordinal == headings[end - 1].marker.ordinal + 1
        {
            end += 1;
        }
        // Items with points under them (a deeper heading after the last) outline a text.
        let parent = headings
            .get(end)
            .is_some_and(|next| next.level > first.level);
        if first.level == 1
            && !parent
            && end - start >= 3
            && is_list(&headings[start..end], paragraphs)
        {
            keep[start..end].iter_mut().for_each(|k| *k = false);
        }
        start = end;
    }
    let mut kept = keep.into_iter();
    headings
        .into_iter()
        .filter(|_| kept.next().unwrap_or(true))
        .collect()
}

/// Whether every item of `run` is one sentence at most and the next item follows right after it.
fn is_list(run: &[Heading], paragraphs: &[&str]) -> bool {
    run.iter().enumerate().all(|(k, item)| {
        let own = paragraphs[item.paragraph]
            .strip_prefix(item.marker.text.as_str())
            .unwrap_or(paragraphs[item.paragraph])
            .trim();
        let (content, next) = if own.is_empty() {
            let under = paragraphs.get(item.paragraph + 1).copied().unwrap_or("");
            (under, item.paragraph + 2)
        } else {
            (own, item.paragraph + 1)
        };
        let sentences = content.matches(['。', '！', '？', '；']).count();
        let adjacent = run.get(k + 1).is_none_or(|after| after.paragraph == next);
        sentences <= 1 && adjacent
    })
}

/// Whether the text ends in the middle of a sentence: an excerpt, a page's preview.
fn breaks_off(paragraphs: &[&str]) -> bool {
    let last = paragraphs.last().map_or("", |p| p.trim_end());
    !last.ends_with([
        '。', '！', '？', '…', '”', '’', '」', '）', ')', '!', '?', '.',
    ])
}

/// Whether candidate `i` is a heading line (not a run-in point) whose family never comes again: its
/// run was cut off with the text.
fn cut_off(candidates: &[Candidate], i: usize) -> bool {
    let family = candidates[i].marker.family;
    !family.is_run_in()
        && family != Family::Unnumbered
        && !candidates[i + 1..]
            .iter()
            .any(|c| c.marker.family == family)
}

/// Whether the run of `family`, at item `last`, goes on after candidate `i`.
fn resumes(candidates: &[Candidate], i: usize, family: Family, last: u32) -> bool {
    candidates[i + 1..]
        .iter()
        .any(|later| later.marker.family == family && later.marker.ordinal == last + 1)
}

/// Whether item 2 of the run that candidate `i` starts comes before the run's parent moves on.
fn run_goes_on(candidates: &[Candidate], i: usize, stack: &[(Family, u32)]) -> bool {
    let family = candidates[i].marker.family;
    for later in &candidates[i + 1..] {
        if later.marker.family == family {
            return later.marker.ordinal == 2;
        }
        if stack
            .iter()
            .any(|(f, last)| *f == later.marker.family && later.marker.ordinal == last + 1)
        {
            return false;
        }
    }
    false
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
        Ok(format!(
            "{document_rows} documents, {section_rows} sections, {token_rows} tokens, {} sources",
            sources.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metadata;

    fn outline(text: &str) -> Vec<(u32, String)> {
        let doc = Document {
            doc_id: "d".into(),
            text: text.into(),
            meta: Some(Metadata::default()),
            ..Default::default()
        };
        Sectionizer::new(&SectionizeSettings::default())
            .sectionize(&doc)
            .into_iter()
            .map(|s| (s.level, s.heading.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn dash_points_form_runs_and_a_run_in_list_after_an_ended_one_is_its_sibling() {
        // Lines of the 2017 government work report (a corpus of reports): a dash run under 一、,
        // then 一是…二是 after it, both level 2 — the dash run has ended.
        let report = "一、2016年工作回顾\n——经济运行缓中趋稳、稳中向好。国内生产总值达到74.4\n——就业增长超出预期。全年城镇新增就业1314万人。高校毕业生就业创业人数再创新高。\n一是继续创新和加强宏观调控，经济运行保持在合理区间。\n二是着力抓好“三去一降一补”，供给结构有所改善。\n二、2017年工作总体部署";
        let headed: Vec<(u32, String)> = outline(report)
            .into_iter()
            .filter(|(l, _)| *l > 0)
            .collect();
        let levels: Vec<u32> = headed.iter().map(|(l, _)| *l).collect();
        assert_eq!(levels, [1, 2, 2, 2, 2, 1], "{headed:?}");
        assert_eq!(headed[1].1, "——经济运行缓中趋稳、稳中向好。");
        // A dash opening a single line is no run: a quotation's source, not a point.
        let quoted = "一、加强学习\n“学习是文明传承之途。”\n——习近平\n二、狠抓落实";
        assert_eq!(outline(quoted).iter().filter(|(l, _)| *l > 0).count(), 2);
    }

    #[test]
    fn a_numbered_list_of_one_sentence_points_is_no_outline() {
        // A company's maxims (dev 006, appended material): a bare number over each one sentence.
        let maxims = "华为“十六条军规”\n1.\n商业模式永远在变，唯一不变的是以真心换真金。\n2.\n如果你的声音没人重视，那是因为你离客户不够近。\n3.\n只要作战需要，造炮弹的也可以成为一个好炮手。";
        assert!(outline(maxims).iter().all(|(l, _)| *l == 0));
        // Under a heading, one-sentence points are that section's outline (a founder's speech,
        // dev 003); points each followed by their body are an outline too.
        let section = "一、开发部的改革要为各系统的改革树立榜样\n二、重新规范组织与规划工作流程\n三、坚定不移地坚持发展的方向\n1、由于我们在通信领域，已有良好的市场、开发资源，所以在近期，我们在产品范围上坚持通信多元化产品。\n2、我们要继续坚持“压强原则”，即集中力量，在一个点、一个面上有重大突破，这样，逐步改善公司的总体条件。\n3、公司遇到了千载难逢的历史时机，要抓住机会，加速发展。";
        assert_eq!(outline(section).iter().filter(|(l, _)| *l == 2).count(), 3);
        let points = "一、加强学习\n学习是第一位的。我们要多读书。\n二、狠抓落实\n落实是关键。\n三、从严治党\n从严是主基调。";
        assert_eq!(outline(points).iter().filter(|(l, _)| *l == 1).count(), 3);
    }

    #[test]
    fn shouxian_qici_and_ordinal_nouns_are_numbered_runs() {
        // A 党课 (dev 014): 首先 stands for 第一, and 第二 goes on its run.
        let lecture = "首先,我们了解一下党员政治生日的概念\n我们说,对于普通人而言生日只有一个,就是出生的那一天;而对于中国共产党党员来说,就有两个生日,除了我们的出生日之外,另一个特殊的生日就是我们入党的日子,即:“政治生日”。只要我们被党支部通过为预备党员,伴随着“共产党员”的新身份,党员的政治生命就随之开启,也就拥有了自己的“政治生日”。当党员在鲜红的党旗下郑重宣誓“我志愿加入中国共产党”,便意味着作出了坚定信仰共产主义的政治抉择,作出了将自己的一切交给党的庄严承诺。这样一个人生的重要时刻,理应被深深铭记。\n第二, 我们讲一下党员过“政治生日”的必要性";
        let headed: Vec<(u32, String)> = outline(lecture)
            .into_iter()
            .filter(|(l, _)| *l > 0)
            .collect();
        assert_eq!(headed.len(), 2, "{headed:?}");
        assert!(
            headed[0]
                .1
                .starts_with("首先,我们了解一下党员政治生日的概念")
        );
        // A chair's script (dev 032): the agenda's 第一项… 第二项… steps.
        let agenda = "第一项:奏国歌。请全体起立。\n(曲毕)请坐下。\n第二项:请县委组织部部长xxx同志对创先争优活动和基层组织建设年活动进行总结;\n第三项:请县委副书记xxx同志宣读受省、市委表彰的先进名单和县委表彰决定。";
        let steps = outline(agenda).into_iter().filter(|(l, _)| *l == 1).count();
        assert_eq!(steps, 3);
    }

    #[test]
    fn short_lines_alone_between_paragraphs_are_unnumbered_headings() {
        // An article by a company's founder (dev 031; Markdown ### headings, read as plain lines).
        let article = "随着全程全网的结构改造，本地网是必然发展趋势。特别是母局带远端模块群，远端模块群再带远端用户单元组网方式会得到较大的采用。集中维护、集中计费和集中网管是本地网发展方向。作为本地网的一部分，农话网必须协调发展，目前农话网以话音通信为主，但在网络规划上特别是发达地区光纤传输网建设上，必须考虑数据通信和新业务发展的需求，提高标准化程度，避免重复投资，这也是通信设备所必须关注的问题。\n中国农话市场和产业现状\n经过几年的发展，国产交换机的技术发展已达到了比较高的水准，达到国外先进交换机的水平，生产也有相当规模，可以满足国内市场的需求；但也存在着以下几个问题：\n体积、安装等工艺水平要求。\n宏观调控政策建议\n加强市场管理，减少入网机型。进网证必须严格管理，以保护优质厂家的生存与发展。";
        let headed: Vec<(u32, String)> = outline(article)
            .into_iter()
            .filter(|(l, _)| *l > 0)
            .collect();
        let want = [
            (1, "中国农话市场和产业现状".to_string()),
            (1, "宏观调控政策建议".to_string()),
        ];
        assert_eq!(headed, want);
        // Photo captions left between a news item's paragraphs (dev 023) are too short to be one.
        let caption = "本网讯今天(11月26日)上午，在机关三支部主题党日活动中，经理助理曹骥以“中国制度最大的优势是党的领导”为题讲党课。\n曹骥讲党课\n新中国成立70年，中华大地沧桑巨变，旧貌换新颜。中国为什么能用几十年时间走完发达国家几百年走过的发展历程，创造令世界惊叹的发展奇迹？曹骥结合党的十九届四中全会《决定》，畅谈中国共产党的领导是中国特色社会主义最本质的特征，是中国特色社会主义制度的最大优势。\n全体党员现场聆听党课，并诵读《党章》九至十—章，通读《习近平关于“不忘初心、牢记使命”论述摘编》第六、七部分内容，选学《党的十九届四中全会<决定>学习辅导百问》部分内容。\n活动现场\n据悉，近日，全院各党支部按“不忘初心、牢记使命”主题教育要求，认真组织开展11月份第二次“支部主题党日”活动。";
        let found = outline(caption);
        assert!(found.iter().all(|(l, _)| *l == 0), "{found:?}");
    }

    #[test]
    fn a_heading_numbered_1_counts_when_the_text_breaks_off_before_its_2() {
        // A 党课's preview on a template site (dev 036): 1.党的性质, then the text is cut off.
        let preview = "1.党的性质\n《党章》明确规定:中国共产党是中国工人阶级的先锋队,同时是中国人民和中华民族的先锋队,是中国特色社会主义事业的领导核心,代表中国先进生产力的发展要求,代表中国先进文化的前进方向,代表中国最广大人民的根本利益。党的最高理想和最终目标是实现共产主义。\n《党章》对党的性质的规定,是我们党对自身清醒的界定,也是我们党对自己在中国发展历程中的一个准确的定位。一个人特别是一个未来想有一番作为的年轻人,对自己也要有一个清楚的定位,究竟是选择为大多数人奋斗一生呢,还是选择仅仅为自己奋斗的一生?老子讲,死而不亡者寿;臧克家讲,有的人死了,他还活着;毛主席讲,为人民利益而死,重如泰山。年轻人,心怀天下,总要为这个国家做点什么,总要为人民贡献点什么。歌德说:“你若要喜爱你自己的价值,你就得给世界创造价值。”我们热盼着中华民族伟大复兴的早日实现,要使我们的兄弟姐妹,我们中国人民";
        assert!(!preview.ends_with('。'));
        let headed: Vec<(u32, String)> = outline(preview)
            .into_iter()
            .filter(|(l, _)| *l > 0)
            .collect();
        assert_eq!(headed, [(1, "1.党的性质".to_string())]);
        // A whole text's lone 1. is no run.
        let whole = format!("{preview}。");
        assert!(outline(&whole).iter().all(|(l, _)| *l == 0));
    }

    #[test]
    fn levels_follow_the_order_families_appear_in() {
        let sections = outline(
            "同志们：\n1.讲政治\n一是要学习。学习很重要。\n二是要实践。\n2.讲作风\n正文。\n同志们，散会。",
        );
        assert_eq!(
            sections,
            vec![
                (0, String::new()),
                (1, "1.讲政治".into()),
                (2, "一是要学习。".into()),
                (2, "二是要实践。".into()),
                (1, "2.讲作风".into()),
                (0, String::new()),
            ]
        );
    }

    #[test]
    fn false_positives_are_not_headings() {
        // A lone 一是 with no 二是, a decimal, a date line, and an item out of order.
        let sections = outline(
            "（2015年11月12日）\n一是要注意安全。\n1.5亿元资金到位。\n三、跳过的条目\n正文。",
        );
        assert_eq!(sections, vec![(0, String::new())]);
    }

    #[test]
    fn lists_inside_sentences_and_long_numbered_prose_are_body() {
        let sections = outline(
            "我们要做到：1.学习；2.实践。\n一、总体要求\n正文提到1.5亿元和2.3万人。\n二、主要任务\n1.这一条虽然以数字开头但是一整段很长很长的叙述文字没有句号并且远远超过了标题应有的长度所以它只能是正文而不是标题，后面还有更多的文字继续说明情况和要求以及具体的安排部署\n2.同上",
        );
        let headings: Vec<&str> = sections.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(headings, ["", "一、总体要求", "二、主要任务"]);
    }

    #[test]
    fn part_markers_and_a_lost_level_restart() {
        let sections = outline(
            "第一部分 形势\n一是形势好。\n二是任务重。\n第二部分 任务\n一是抓学习。\n二是抓落实。",
        );
        assert_eq!(
            sections,
            vec![
                (1, "第一部分 形势".into()),
                (2, "一是形势好。".into()),
                (2, "二是任务重。".into()),
                (1, "第二部分 任务".into()),
                (2, "一是抓学习。".into()),
                (2, "二是抓落实。".into()),
            ]
        );
    }

    #[test]
    fn spans_nest_and_cover_the_text() {
        let text = "前言。\n一、甲\n（一）子一。\n内容。\n（二）子二。\n二、乙\n内容。";
        let doc = Document {
            doc_id: "d".into(),
            text: text.into(),
            meta: Some(Metadata::default()),
            ..Default::default()
        };
        let sections = Sectionizer::new(&SectionizeSettings::default()).sectionize(&doc);
        let len = text.chars().count() as u32;
        let top: Vec<&Section> = sections.iter().filter(|s| s.parent_id.is_none()).collect();
        assert_eq!(top.first().unwrap().char_start, 0);
        assert_eq!(top.last().unwrap().char_end, len);
        for pair in top.windows(2) {
            assert_eq!(pair[0].char_end, pair[1].char_start);
        }
        for s in &sections {
            if let Some(parent) = &s.parent_id {
                let p = sections.iter().find(|x| &x.section_id == parent).unwrap();
                assert!(p.char_start <= s.char_start && s.char_end <= p.char_end);
            }
        }
        assert_eq!(
            sections[innermost_section(&sections, 10)]
                .heading
                .as_deref(),
            Some("（一）子一。")
        );
    }
}
