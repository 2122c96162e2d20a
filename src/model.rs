//! The data passed between stages: a `Document` grows as it goes through clean → dedupe → segment →
//! tag → sectionize, and a `SourceRecord` accounts for every raw file. Clean writes whole documents
//! as JSON lines; dedupe (`KeptDocument`) and tag (`Annotation`) write only what they add, and
//! `io::documents` puts the pieces together. The final tables are built from them in `schema`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One logical document (a speech or article). A compilation file gives several.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Stable id: the first 16 hex digits of `content_hash`.
    pub doc_id: String,
    /// Path relative to the raw folder, with `/` separators.
    pub source_file: String,
    /// 1-based position of the document within its file.
    pub part: u32,
    /// SHA-256 of the text's normal form (see `stages::dedupe::normal_form`), the dedupe key.
    pub content_hash: String,
    /// Cleaned text: one paragraph per line, joined by "\n", no blank lines.
    pub text: String,
    /// Encoding the raw file was decoded from.
    pub encoding: String,
    /// Title of the compilation the document came from, if any.
    pub collection: Option<String>,
    /// What the web-page noise told before it was removed.
    pub page: PageMeta,
    /// Every line cleaning removed or changed, with the rule behind it.
    pub edits: Vec<Edit>,
    /// Quality flags raised along the way (see docs/SCHEMA.md for the vocabulary).
    pub flags: Vec<String>,
    /// Set by dedupe: the kept document this one closely resembles, and the estimated similarity.
    #[serde(default)]
    pub near_duplicate_of: Option<String>,
    #[serde(default)]
    pub near_duplicate_similarity: Option<f64>,
    /// Set by the tag stage.
    #[serde(default)]
    pub meta: Option<Metadata>,
    /// Paragraphs the source's markup marked as headings (Markdown's `#`, bold text opening a
    /// paragraph), for sectionize: the markup is gone from the text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marked_headings: Vec<MarkedHeading>,
}

/// A paragraph the source's markup marked as a heading: its first `chars` characters are the
/// heading (the whole paragraph for a Markdown heading; the bold text for a bold lead).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct MarkedHeading {
    /// 0-based paragraph of the document.
    pub paragraph: u32,
    pub chars: u32,
}

impl Document {
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.text.split('\n')
    }

    pub fn flag(&mut self, flag: &str) {
        if !self.flags.iter().any(|f| f == flag) {
            self.flags.push(flag.to_string());
        }
    }
}

/// The dedupe stage's word on one document it kept (a line of `dedupe/kept.jsonl` in the work folder). Later
/// stages read the clean stage's documents and keep those named here: the texts are written once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KeptDocument {
    /// 1-based line of `clean/documents.jsonl` holding the document.
    pub line: u64,
    pub doc_id: String,
    #[serde(default)]
    pub near_duplicate_of: Option<String>,
    #[serde(default)]
    pub near_duplicate_similarity: Option<f64>,
}

impl KeptDocument {
    /// The document as dedupe leaves it: `doc` read from the named line, with dedupe's flags.
    pub fn apply(&self, doc: &mut Document) {
        doc.near_duplicate_of = self.near_duplicate_of.clone();
        doc.near_duplicate_similarity = self.near_duplicate_similarity;
    }
}

/// What the tag stage adds to one kept document (a line of `tag/annotations.jsonl`, in the
/// order of `kept.jsonl`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Annotation {
    pub doc_id: String,
    /// The document's flags after tagging (tagging may raise some).
    pub flags: Vec<String>,
    pub meta: Metadata,
}

impl Annotation {
    pub fn apply(self, doc: &mut Document) {
        doc.flags = self.flags;
        doc.meta = Some(self.meta);
    }
}

/// Facts read off web-page noise lines (来源:… 发布时间:… 【column】).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PageMeta {
    /// The title the page gives itself (an HTML page's `<title>`).
    #[serde(default)]
    pub title: Option<String>,
    /// The author a page or record header names (作者：…, `author:` in front matter).
    #[serde(default)]
    pub author: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub column: Option<String>,
    /// The raw lines the facts came from, one per line.
    pub evidence: Option<String>,
}

/// A line that cleaning removed or changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Edit {
    /// 1-based line number in the decoded raw file.
    pub line: u32,
    /// Name of the rule that fired.
    pub rule: String,
    /// The line (or the part of it) before the rule.
    pub before: String,
    /// What it became; `None` when it was removed.
    pub after: Option<String>,
}

/// What the tag stage infers. Every inferred field's source text is kept in `evidence`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    pub title: Option<String>,
    pub speaker: Option<String>,
    pub speaker_role: Option<String>,
    /// ISO date (YYYY-MM-DD); with precision 'month' or 'year' the missing parts are 01.
    pub date: Option<String>,
    pub date_precision: Option<String>,
    pub date_text: Option<String>,
    pub occasion: Option<String>,
    pub genre: String,
    pub source: Option<String>,
    pub column: Option<String>,
    pub region: Vec<String>,
    pub keywords: Vec<String>,
    /// 0-based paragraph where the body starts (after title, byline, date and salutation).
    pub body_start: u32,
    pub paragraph_count: u32,
    pub token_count: u64,
    /// Field name → the text the value came from.
    pub evidence: BTreeMap<String, String>,
}

/// One node of a document's outline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    pub section_id: String,
    pub parent_id: Option<String>,
    /// 0 for unheaded text (preamble, closing), 1 for top headings, 2 below, …
    pub level: u32,
    /// 1-based position among its siblings.
    pub ordinal: u32,
    /// Dotted ordinals of the headed ancestors and itself, such as "2.3"; `None` at level 0.
    pub path: Option<String>,
    pub marker: Option<String>,
    pub heading: Option<String>,
    /// Span in code points, covering heading, body and subsections.
    pub char_start: u32,
    pub char_end: u32,
    /// Span of the section's own body (after the heading, before the first subsection).
    pub body_start: u32,
    pub body_end: u32,
    pub paragraph_start: u32,
    pub paragraph_end: u32,
}

/// The account of one raw file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceRecord {
    pub source_file: String,
    pub source_sha256: String,
    pub bytes: u64,
    pub encoding: Option<String>,
    /// 'kept' | 'duplicate' | 'rejected'
    pub status: String,
    pub reason: Option<String>,
    /// Documents this file gave that are in the dataset.
    pub doc_ids: Vec<String>,
    /// For each of its documents that was dropped as a copy, the kept document it copies.
    pub duplicate_of: Vec<String>,
}

pub const STATUS_KEPT: &str = "kept";
pub const STATUS_DUPLICATE: &str = "duplicate";
pub const STATUS_REJECTED: &str = "rejected";
