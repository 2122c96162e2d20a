//! Tag: who spoke, when, at what, in which genre, with the text each value came from. The rules
//! read the typography and position of lines: a header block before the body, each line read by
//! its shape (bylines, date lines, the headline form title（date）name, a salutation) and the title
//! the best-scoring run of the lines left (`title`); a second speaker's label opening a part
//! (徐直军：); an editor's notes (a dash-led line under the title, a closing 这是…的讲话) and the
//! signature date; a web page's 来源/发布时间 line; a compilation's title; and the opening
//! sentence ("今天我们召开…会议"). A name is a person's when it starts with a common surname
//! (`names`). A text in traditional characters is read in its simplified view (`simplified`).
//!
//! `header` reads the block before the body and the fields it gives, `title` picks its title,
//! `notes` reads the editor's notes; `date`, `occasion` and `genre` read the rest, each with its
//! evidence, always text the document holds.
mod date;
mod genre;
mod header;
mod notes;
mod occasion;
#[cfg(test)]
mod tests;
mod title;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Result;
use crate::gazetteer::Gazetteer;
use crate::io::artifact::{JsonlWriter, StageOutput, to_json_line};
use crate::io::documents::{
    ANNOTATIONS_FILE, KeptLine, document_with, kept_count, with_tokens, words,
};
use crate::keywords::KeywordRanker;
use crate::model::{Annotation, Document, Metadata};
use crate::schema::DocumentTokens;
use crate::settings::{Settings, TagSettings};
use crate::simplified::AsWritten;
use crate::stages::{Context, Items, Stage};

pub use date::parse_full_date;
pub use header::is_byline;
use header::{header_fields, read_header};
use occasion::occasion;
pub use title::is_credit;

static ANONYMISED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\p{Han})(?:X{1,3}|Ｘ{1,3}|\*{1,3}|＊{1,3})(?:\p{Han}|$)").unwrap()
});

pub struct Tagger {
    settings: TagSettings,
    keywords: KeywordRanker,
    gazetteer: Gazetteer,
    /// Every genre's cue words: what a title ends with.
    title_cues: Vec<String>,
}

impl Tagger {
    pub fn new(settings: &TagSettings) -> Self {
        Tagger {
            settings: settings.clone(),
            keywords: KeywordRanker::new(&settings.keyword_pos, &settings.keyword_stop_words),
            gazetteer: Gazetteer::builtin(),
            title_cues: settings.genre_cues.values().flatten().cloned().collect(),
        }
    }

    /// Fills `doc.meta` from its text, its page facts, its collection and its words as the segment
    /// stage cut and tagged them (word, part of speech).
    /// A text in traditional characters is read in its simplified view (`simplified`), and what
    /// the rules found there is given back in the characters as written.
    pub fn tag(&self, doc: &mut Document, words: &[(&str, &str)]) {
        // A text in simplified characters is read as it is (its notes and page facts with it).
        let view = crate::simplified::is_likely_traditional(&doc.text)
            .then(|| crate::simplified::simplified(&doc.text));
        let Some(std::borrow::Cow::Owned(text_view)) = view else {
            return self.tag_view(doc, words);
        };
        let mut written = AsWritten::default();
        let mut view = in_simplified(doc, text_view, &mut written);
        self.tag_view(&mut view, words);
        let mut meta = view.meta.take().unwrap_or_default();
        for field in [
            &mut meta.title,
            &mut meta.speaker,
            &mut meta.speaker_role,
            &mut meta.date_text,
            &mut meta.occasion,
            &mut meta.source,
            &mut meta.column,
        ]
        .into_iter()
        .flatten()
        {
            *field = written.restore(field);
        }
        for value in meta.evidence.values_mut() {
            *value = written.restore(value);
        }
        doc.meta = Some(meta);
        doc.flags = view.flags;
    }

    /// Tags a document whose text the rules can read as it is.
    fn tag_view(&self, doc: &mut Document, words: &[(&str, &str)]) {
        let text = doc.text.clone();
        let paragraphs: Vec<&str> = text.split('\n').collect();
        let header = read_header(&paragraphs, &self.title_cues);
        let mut meta = Metadata {
            body_start: header.body_start as u32,
            paragraph_count: paragraphs.len() as u32,
            token_count: words.len() as u64,
            ..Default::default()
        };
        let mut evidence = BTreeMap::new();

        header_fields(doc, &header, &paragraphs, &mut meta, &mut evidence);
        occasion(
            doc,
            &paragraphs,
            &paragraphs[header.body_start.min(paragraphs.len())..],
            &mut meta,
            &mut evidence,
        );
        if let Some((date, precision, text, inferred)) =
            self.tag_date(doc, &header, &meta, &paragraphs, &mut evidence)
        {
            meta.date = Some(date);
            meta.date_precision = Some(precision.to_string());
            meta.date_text = Some(text);
            if inferred {
                doc.flag("date_inferred");
            }
        }

        let (genre, genre_evidence) = self.genre(
            doc,
            &meta,
            &header,
            &paragraphs,
            evidence.get("title").map(String::as_str),
        );
        meta.genre = genre;
        if let Some(text) = genre_evidence {
            evidence.insert("genre".into(), text);
        }
        meta.keywords = self
            .keywords
            .top(words.iter().copied(), self.settings.keywords);

        self.regions(doc, words, &mut meta, &mut evidence);
        self.quality_flags(doc);
        meta.evidence = evidence;
        doc.meta = Some(meta);
    }

    /// The places the text names (the gazetteer's, with the words segment tagged as places).
    fn regions(
        &self,
        doc: &Document,
        words: &[(&str, &str)],
        meta: &mut Metadata,
        evidence: &mut BTreeMap<String, String>,
    ) {
        // A place word that heads a smaller place's name (河南|街道, 马鞍山|村) names that place.
        let heads_smaller = |i: usize| {
            words.get(i + 1).is_some_and(|(next, _)| {
                crate::gazetteer::SMALLER_PLACES
                    .iter()
                    .any(|s| next.starts_with(s))
            })
        };
        let tagged_places: Vec<String> = words
            .iter()
            .enumerate()
            .filter(|(i, (_, pos))| *pos == "ns" && !heads_smaller(*i))
            .map(|(_, (word, _))| word.to_string())
            .collect();
        let places = self.gazetteer.mentions(&doc.text, &tagged_places);
        if let Some(top) = places.first() {
            let at = doc.text.find(top.name.as_str()).or_else(|| {
                crate::gazetteer::short_form(&top.name).and_then(|s| doc.text.find(s.as_str()))
            });
            if let Some(at) = at {
                evidence.insert("region".into(), sentence_around(&doc.text, at));
            }
        }
        meta.region = places
            .into_iter()
            .take(self.settings.max_regions)
            .map(|m| m.name)
            .collect();
    }

    /// Flags for what the text shows of its origin: anonymised names, a site's watermark.
    fn quality_flags(&self, doc: &mut Document) {
        if ANONYMISED.is_match(&doc.text) {
            doc.flag("anonymised");
        }
        if self
            .settings
            .watermark_words
            .iter()
            .any(|w| !w.is_empty() && doc.text.contains(w.as_str()))
        {
            doc.flag("watermark");
        }
    }
}

/// The sentence of `text` that holds byte offset `at` (a line end also ends a sentence).
pub(super) fn sentence_around(text: &str, at: usize) -> String {
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '\n');
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| is_end(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[at..]
        .char_indices()
        .find(|(_, c)| is_end(*c))
        .map_or(text.len(), |(i, c)| at + i + c.len_utf8());
    text[start..end].trim_end_matches('\n').to_string()
}

/// The tag stage: reads each kept document with its tokens and writes what it adds to it (its
/// metadata and flags) to `annotations.jsonl`.
impl Stage for Tagger {
    const NAME: &'static str = "tag";
    type Item = (KeptLine, Option<DocumentTokens>);
    /// Text bytes, whether a date was found, the annotation's JSON line.
    type Done = (usize, bool, Vec<u8>);
    /// The writer, documents tagged, documents with a date.
    type Sink = (JsonlWriter<Annotation>, usize, usize);

    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(&settings.tag).expect("settings serialise")
    }

    fn build(cx: &Context) -> Result<Self> {
        Ok(Tagger::new(&cx.settings.tag))
    }

    fn items(&self, cx: &Context) -> Result<(u64, Items<Self::Item>)> {
        Ok((kept_count(cx.work)?, Box::new(with_tokens(cx.work)?)))
    }

    fn work(&self, (line, tokens): Self::Item) -> Result<Self::Done> {
        let (mut doc, tokens) = document_with(&line, tokens)?;
        let text = doc.text.clone();
        let tagged: Vec<(&str, &str)> = words(&tokens, &text)?
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, tokens.pos.value(i)))
            .collect();
        self.tag(&mut doc, &tagged);
        let annotation = Annotation {
            doc_id: doc.doc_id,
            flags: doc.flags,
            meta: doc.meta.unwrap_or_default(),
        };
        let has_date = annotation.meta.date.is_some();
        Ok((text.len(), has_date, to_json_line(&annotation)))
    }

    fn text_bytes(done: &Self::Done) -> usize {
        done.0
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<Self::Sink> {
        Ok((JsonlWriter::create(&output.file(ANNOTATIONS_FILE))?, 0, 0))
    }

    fn absorb(&self, sink: &mut Self::Sink, (_, has_date, line): Self::Done) -> Result<()> {
        sink.1 += 1;
        sink.2 += has_date as usize;
        sink.0.write_line(&line)
    }

    fn finish(&self, _cx: &Context, sink: Self::Sink, _: &StageOutput) -> Result<String> {
        let (writer, documents, dated) = sink;
        writer.finish()?;
        let documents = crate::progress::counted(documents as u64, "document", "documents");
        Ok(format!("{documents} tagged, {dated} with a date"))
    }
}

/// The opening of the body: its first two paragraphs, or the two after a salutation standing
/// among its first three (a site's preface paragraph before 同志们：).
fn opening<'a, 'b>(body: &'b [&'a str]) -> &'b [&'a str] {
    let after = body
        .iter()
        .take(3)
        .position(|p| header::is_salutation(p))
        .map_or(0, |i| i + 1);
    let rest = &body[after.min(body.len())..];
    &rest[..rest.len().min(2)]
}

/// Words that open a paragraph addressing the audience: a speech's, not an article's.
const ADDRESSES: &[&str] = &[
    "同志们",
    "各位",
    "大家好",
    "亲爱的",
    "女士们",
    "朋友们",
    "老师们",
    "同学们",
];

/// A paragraph opening with an address to the audience (同志们：, 各位代表, 大家好！).
fn is_address(paragraph: &str) -> bool {
    ADDRESSES.iter().any(|a| paragraph.starts_with(a))
}

/// What the rules read of `doc` (its text, given in its view, page facts, collection title and the
/// lines clean removed) in simplified characters; `written` remembers each text to turn findings
/// back.
fn in_simplified(doc: &Document, text_view: String, written: &mut AsWritten) -> Document {
    written.remember(text_view.clone(), &doc.text);
    let mut view = Document {
        text: text_view,
        collection: doc.collection.as_deref().map(|c| written.view(c)),
        page: doc.page.clone(),
        edits: doc.edits.clone(),
        flags: doc.flags.clone(),
        ..Default::default()
    };
    for fact in [
        &mut view.page.title,
        &mut view.page.author,
        &mut view.page.publisher,
        &mut view.page.published,
        &mut view.page.column,
        &mut view.page.evidence,
    ]
    .into_iter()
    .flatten()
    {
        *fact = written.view(fact);
    }
    for edit in &mut view.edits {
        edit.before = written.view(&edit.before);
    }
    view
}
