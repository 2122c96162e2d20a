//! Clean: raw bytes → documents of clean text, one paragraph per line. Decodes, normalises line
//! ends and indentation, reads Markdown without its markup (`markup`), splits a line holding several
//! paragraphs (a text flattened to one line), drops the boilerplate learned from the corpus
//! (`boilerplate`), removes web-page noise by configurable rules (keeping what the noise tells, such
//! as publisher and publication date), removes pinyin readings, repairs half-width punctuation inside
//! Chinese text, splits a line whose paragraphs single spaces set apart (`spaced`), splits
//! compilations into their documents, restores line breaks lost before a numbered item, and records every removal or change with the rule behind it.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::boilerplate::Boilerplate;
use super::items;
use super::{blocks, html, markup, notes, spaced, split, wrap};
use crate::io::raw::{decode_as, is_han};
use crate::model::{Document, Edit, PageMeta};
use crate::settings::{CleanSettings, NoiseAction};
use crate::stages::dedupe::content_hash;

struct CompiledRule {
    name: String,
    regex: Regex,
    action: NoiseAction,
    max_chars: usize,
    flag: Option<String>,
}

pub struct Cleaner {
    rules: Vec<CompiledRule>,
    boilerplate: std::sync::Arc<Boilerplate>,
    settings: CleanSettings,
}

/// The documents one raw file gave.
#[derive(Debug)]
pub struct CleanedFile {
    pub encoding: String,
    pub documents: Vec<Document>,
}

/// Two or more wide spaces (U+3000, U+2003) inside a line: where a paragraph began before the text
/// was flattened to one line.
pub(super) static PARAGRAPH_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\x{3000}\x{2003}][\x{3000}\x{2003} \t\x{a0}]*[\x{3000}\x{2003}]").unwrap()
});

/// What a database export may put where a paragraph ended, when it keeps a text on one line: a
/// bracketed marker (`[SEP]`, `[PARA]`) or an escaped line end (`\n` written as two characters).
static EXPORT_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[A-Z_]{2,10}\]|\\r\\n|\\n").unwrap());

/// A separator is learned from the file itself: the same marker after a sentence's end this many
/// times at least.
const MIN_SEPARATORS: usize = 3;

/// The marker that stands for a paragraph break in `text`, if one does: the commonest of the
/// export's separator shapes, found after the end of a sentence (。！？：；” or a closing bracket)
/// at least `MIN_SEPARATORS` times.
pub(super) fn export_separator(text: &str) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for found in EXPORT_SEPARATOR.find_iter(text) {
        let before = text[..found.start()].trim_end_matches([' ', '\u{3000}']);
        if before.ends_with(['。', '！', '？', '：', '；', '”', '）', '!', '?']) {
            *counts.entry(found.as_str()).or_default() += 1;
        }
    }
    let (marker, n) = counts
        .into_iter()
        .max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m)))?;
    (n >= MIN_SEPARATORS).then(|| marker.to_string())
}

/// The file's paragraphs as (1-based line number, text), trimmed and none blank: its lines, or
/// read from Markdown; a line holding several paragraphs (set apart by runs of wide spaces, the
/// usual web indentation, in a text flattened to one line, or by a database export's separator)
/// gives one each, a `paragraph_breaks` (or `export_separator`) edit recorded.
fn paragraphs(name: &str, text: &str, facts: &mut FileFacts) -> Vec<(u32, String)> {
    // CRLF and lone CR end a line as LF does.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let separator = export_separator(&text);
    let mut out = Vec::new();
    for (number, raw) in source_lines(name, &text, facts) {
        // NUL bytes and zero-width spaces go first, so a line of blanks around them is blank too.
        let without_nul = raw.replace(['\0', '\u{200b}', '\u{2060}'], "");
        let trimmed = without_nul.trim_matches(is_blank);
        if trimmed.is_empty() {
            continue;
        }
        let separated = separator.as_deref().is_some_and(|s| trimmed.contains(s));
        let pieces: Vec<&str> = trimmed
            .split(separator.as_deref().unwrap_or("\n"))
            .flat_map(|p| PARAGRAPH_BREAK.split(p))
            .map(|p| p.trim_matches(is_blank))
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() > 1 || separated {
            let rule = if separated {
                "export_separator"
            } else {
                "paragraph_breaks"
            };
            facts.edits.push(Edit {
                line: number,
                rule: rule.into(),
                before: trimmed.to_string(),
                after: Some(pieces.join("\n")),
            });
        }
        out.extend(pieces.into_iter().map(|p| (number, p.to_string())));
    }
    out
}

/// The file's lines as (1-based number, text): as they are, or read from Markdown with its markup
/// gone (each line it removed or changed recorded as a `markdown` edit).
fn source_lines(name: &str, text: &str, facts: &mut FileFacts) -> Vec<(u32, String)> {
    if html::is_html_document(name, text) {
        push_flag(&mut facts.flags, "html");
        let page = html::read_page(text);
        let page_facts = &mut facts.page;
        page_facts.title = page.title;
        page_facts.published = page.published.or(page_facts.published.take());
        if let Some(line) = page.evidence {
            add_evidence(page_facts, &line);
        }
        let mut lines = Vec::new();
        for (number, line) in (1..).zip(page.lines) {
            match line.links {
                true => facts.edits.push(Edit {
                    line: number,
                    rule: "html_links".into(),
                    before: line.text,
                    after: None,
                }),
                false => lines.push((number, line.text)),
            }
        }
        return lines;
    }
    if !markup::is_markdown(name, text) {
        return (1..).zip(text.split('\n').map(str::to_string)).collect();
    }
    push_flag(&mut facts.flags, "markdown");
    let (plain, front_matter) = markup::plain_lines(text);
    for (key, value) in front_matter {
        let fact = match key.as_str() {
            "title" => &mut facts.page.title,
            "author" | "authors" => &mut facts.page.author,
            "date" | "published" | "pubdate" => &mut facts.page.published,
            _ => continue,
        };
        if fact.is_none() && !value.is_empty() {
            *fact = Some(value.clone());
            add_evidence(&mut facts.page, &format!("{key}: {value}"));
        }
    }
    let source: Vec<&str> = text.split('\n').collect();
    let mut kept = vec![false; source.len() + 1];
    for line in &plain {
        let number = line.number as usize;
        kept[number] = true;
        let before = source
            .get(number - 1)
            .map_or("", |l| l.trim_matches(is_blank));
        if line.text.trim_matches(is_blank) != before {
            facts.edits.push(Edit {
                line: line.number,
                rule: "markdown".into(),
                before: before.to_string(),
                after: Some(line.text.clone()),
            });
        }
    }
    for (i, line) in source.iter().enumerate() {
        let line = line.trim_matches(is_blank);
        if !kept[i + 1] && !line.is_empty() {
            facts.edits.push(Edit {
                line: i as u32 + 1,
                rule: "markdown".into(),
                before: line.to_string(),
                after: None,
            });
        }
    }
    for line in &plain {
        if let Some(heading) = &line.heading {
            facts.marked.entry(line.number).or_insert(heading.clone());
        }
    }
    plain.into_iter().map(|l| (l.number, l.text)).collect()
}

/// The document's paragraphs (`lines`) that the markup marked as headings, each with the length of
/// its heading in the cleaned text: the whole line, or as much as the bold text covers (the same
/// letters and digits; its punctuation may since have been repaired).
fn marked_headings(
    lines: &[Line],
    marked: &std::collections::BTreeMap<u32, markup::MarkedHeading>,
) -> Vec<crate::model::MarkedHeading> {
    let mut seen = std::collections::BTreeSet::new();
    let mut headings = Vec::new();
    for (paragraph, line) in lines.iter().enumerate() {
        // A line split in pieces: the mark is the first piece's.
        let Some(mark) = marked
            .get(&line.number)
            .filter(|_| seen.insert(line.number))
        else {
            continue;
        };
        let whole = line.text.chars().count();
        let chars = match mark {
            markup::MarkedHeading::Line => whole,
            markup::MarkedHeading::BoldLead(bold) => covered_chars(&line.text, bold),
        };
        if chars > 0 {
            headings.push(crate::model::MarkedHeading {
                paragraph: paragraph as u32,
                chars: chars as u32,
            });
        }
    }
    headings
}

/// How many characters at the start of `text` the `bold` text covers: as many letters and digits,
/// then the punctuation that closed the bold text.
fn covered_chars(text: &str, bold: &str) -> usize {
    let significant = |c: &char| c.is_alphanumeric();
    let wanted = bold.chars().filter(significant).count();
    let trailing = bold.chars().rev().take_while(|c| !significant(c)).count();
    let mut seen = 0;
    let mut covered = 0;
    let mut chars = text.chars().peekable();
    while seen < wanted {
        let Some(c) = chars.next() else { return 0 };
        covered += 1;
        seen += usize::from(significant(&c));
    }
    for _ in 0..trailing {
        match chars.next_if(|c| !significant(c) && !c.is_whitespace()) {
            Some(_) => covered += 1,
            None => break,
        }
    }
    covered
}

/// What cleaning learns of a file on the way: its edits, page facts and flags.
#[derive(Default)]
struct FileFacts {
    edits: Vec<Edit>,
    page: PageMeta,
    flags: Vec<String>,
    /// Source lines the markup marked as headings, by line number.
    marked: std::collections::BTreeMap<u32, markup::MarkedHeading>,
}

/// One repair applied line by line, each change an edit under `rule` (and the document flagged
/// `flag`, if given).
fn repair_lines(
    lines: &mut [Line],
    facts: &mut FileFacts,
    rule: &str,
    repair: fn(&str) -> String,
    flag: Option<&str>,
) {
    for line in lines {
        let repaired = repair(&line.text);
        if repaired != line.text {
            facts.edits.push(Edit {
                line: line.number,
                rule: rule.into(),
                before: line.text.clone(),
                after: Some(repaired.clone()),
            });
            line.text = repaired;
            if let Some(flag) = flag {
                push_flag(&mut facts.flags, flag);
            }
        }
    }
}

/// A pinyin reading in brackets right after a Han character, as pages for learners print them
/// (`會(huì)議`, `市长(shì zhǎng)`): lower-case pinyin letters, one to four syllables, a tone mark in
/// at least one, so that `(a)`, `(abc)` or an English word stays. A reading cut off by the end of
/// an excerpt (`發(fā`) goes too.
static PINYIN_GLOSS: LazyLock<Regex> = LazyLock::new(|| {
    let syllable = "[a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]?[a-zü]{0,5}";
    Regex::new(&format!(
        r"(\p{{Han}})[(（]({syllable}(?:\s{syllable}){{0,3}})(?:[)）]|$)"
    ))
    .unwrap()
});

/// The text without the pinyin readings glossed after its characters.
pub fn remove_pinyin_glosses(line: &str) -> String {
    // Most lines have no bracket at all: the regex is not run on them.
    if !line.contains('(') && !line.contains('（') {
        return line.to_string();
    }
    PINYIN_GLOSS
        .replace_all(line, |c: &regex::Captures| {
            let toned = c[2]
                .chars()
                .any(|ch| "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ".contains(ch));
            match toned && !c[2].trim().is_empty() {
                true => c[1].to_string(),
                false => c[0].to_string(),
            }
        })
        .into_owned()
}

/// A line of the decoded file that survived so far, with its 1-based line number.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: u32,
    pub text: String,
}

/// A date written with digits: 2019-05-17, 2019年5月17日, 19980517.
static DIGIT_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})").unwrap());
static PUBLISHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:来源|来自|稿源)\s*[:：]\s*([^\s|｜]+)").unwrap());
static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)")
        .unwrap()
});

impl Cleaner {
    pub fn new(settings: &CleanSettings) -> Self {
        let rules = settings
            .rules
            .iter()
            .map(|rule| CompiledRule {
                name: rule.name.clone(),
                // Patterns were checked when the settings were validated.
                regex: Regex::new(&rule.pattern).expect("validated pattern"),
                action: rule.action,
                max_chars: rule.max_chars,
                flag: rule.flag.clone(),
            })
            .collect();
        Cleaner {
            rules,
            boilerplate: Default::default(),
            settings: settings.clone(),
        }
    }

    /// The cleaner that also drops the lines learned as boilerplate of the corpus.
    pub fn with_boilerplate(mut self, boilerplate: std::sync::Arc<Boilerplate>) -> Self {
        self.boilerplate = boilerplate;
        self
    }

    /// Cleans one raw file, or says why it gives no document.
    pub fn clean_file(&self, source_file: &str, bytes: &[u8]) -> Result<CleanedFile, String> {
        self.clean_file_as(source_file, bytes, None)
    }

    /// Cleans one raw file whose encoding an earlier pass detected (see [`decode_as`]).
    pub fn clean_file_as(
        &self,
        source_file: &str,
        bytes: &[u8],
        known: Option<&'static encoding_rs::Encoding>,
    ) -> Result<CleanedFile, String> {
        if bytes.len() as u64 > self.settings.max_file_bytes {
            return Err(format!(
                "file of {} bytes is larger than clean.max_file_bytes ({})",
                bytes.len(),
                self.settings.max_file_bytes
            ));
        }
        let decoded = decode_as(bytes, known)?;
        let mut facts = FileFacts::default();
        let mut lines = self.noise_free_lines(source_file, &decoded.text, &mut facts);
        if self.settings.rejoin_broken_lines {
            lines = wrap::rejoin(lines, &mut facts.edits);
        }
        if self.settings.remove_pinyin_glosses {
            repair_lines(
                &mut lines,
                &mut facts,
                "pinyin_gloss",
                remove_pinyin_glosses,
                None,
            );
        }
        if self.settings.remove_editor_notes {
            lines = notes::remove_notes(lines, &mut facts.edits);
        }
        if self.settings.repair_lost_line_breaks {
            // Before the punctuation repair, which takes the space typed after a half-width mark.
            lines = spaced::split_spaced_paragraphs(lines, &mut facts.edits);
        }
        if self.settings.repair_punctuation {
            let flag = Some("punctuation_repaired");
            repair_lines(
                &mut lines,
                &mut facts,
                "punctuation",
                repair_punctuation,
                flag,
            );
        }
        let (collection, parts) = if self.settings.split_compilations {
            split::split(lines, &mut facts.edits)
        } else {
            (None, vec![lines])
        };
        let documents = self.documents(source_file, &decoded.encoding, collection, parts, facts);
        if documents.is_empty() {
            return Err(if decoded.text.trim_matches(is_blank).is_empty() {
                "no text: the file holds only white space".to_string()
            } else {
                format!(
                    "no text left after cleaning (fewer than {} characters)",
                    self.settings.min_document_chars
                )
            });
        }
        Ok(CleanedFile {
            encoding: decoded.encoding,
            documents,
        })
    }

    /// The file's lines that are not blank and survive the boilerplate learned from the corpus
    /// and the noise rules, numbered from 1 as in the file.
    fn noise_free_lines(&self, name: &str, text: &str, facts: &mut FileFacts) -> Vec<Line> {
        let paragraphs = paragraphs(name, text, facts);
        let boilerplate = self.boilerplate.judge(&paragraphs);
        let blocks = blocks::judge(&paragraphs);
        let mut lines = Vec::new();
        let verdicts = boilerplate.into_iter().zip(blocks);
        for ((number, paragraph), (learned, block)) in paragraphs.into_iter().zip(verdicts) {
            if let Some(rule) = block {
                if rule == "record_header" {
                    read_record_field(&paragraph, &mut facts.page);
                }
                facts.edits.push(Edit {
                    line: number,
                    rule: rule.into(),
                    before: paragraph,
                    after: None,
                });
                continue;
            }
            if let Some(rule) = learned {
                facts.edits.push(Edit {
                    line: number,
                    rule,
                    before: paragraph,
                    after: None,
                });
                push_flag(&mut facts.flags, "boilerplate");
                continue;
            }
            for text in self.apply_noise_rules(0, number, &paragraph, facts) {
                lines.push(Line { number, text });
            }
        }
        lines
    }

    /// The documents of the file's parts (one unless it is a compilation), each with the edits
    /// that concern it; parts too short to be a document are left out.
    fn documents(
        &self,
        source_file: &str,
        encoding: &str,
        collection: Option<String>,
        parts: Vec<Vec<Line>>,
        mut facts: FileFacts,
    ) -> Vec<Document> {
        // A part too short to be a document (a contents label above the first item) is removed,
        // line by line.
        let long_enough = |part: &Vec<Line>| {
            let chars = part.iter().flat_map(|l| l.text.chars());
            chars.filter(|c| !c.is_whitespace()).count() >= self.settings.min_document_chars
        };
        let (parts, short): (Vec<Vec<Line>>, Vec<Vec<Line>>) =
            parts.into_iter().partition(long_enough);
        for line in short.into_iter().flatten() {
            facts.edits.push(Edit {
                line: line.number,
                rule: "short_part".into(),
                before: line.text,
                after: None,
            });
        }
        let first_body_line = parts
            .first()
            .and_then(|p| p.first())
            .map_or(0, |l| l.number);
        let part_starts: Vec<u32> = parts
            .iter()
            .map(|p| p.first().map_or(0, |l| l.number))
            .collect();
        let mut documents = Vec::new();
        for (index, mut part_lines) in parts.into_iter().enumerate() {
            if self.settings.repair_lost_line_breaks {
                part_lines = items::restore_lost_line_breaks(part_lines, &mut facts.edits);
            }
            let text = part_lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            // A document's evidence: edits from its first line to the next document's (so the
            // lines removed between two documents are the earlier one's), the file's header edits
            // (before the first document) and, for the last document, the trailing ones.
            let first = if index == 0 { 0 } else { part_lines[0].number };
            let last = match part_starts.get(index + 1) {
                Some(next) => next.saturating_sub(1),
                None => u32::MAX,
            };
            let mut doc_edits: Vec<Edit> = facts
                .edits
                .iter()
                .filter(|e| (e.line >= first && e.line <= last) || e.line < first_body_line)
                .cloned()
                .collect();
            doc_edits.sort_by_key(|e| e.line);
            let marked_headings = marked_headings(&part_lines, &facts.marked);
            let mut flags = facts.flags.clone();
            if han_share(&text) < self.settings.min_han_share {
                push_flag(&mut flags, "low_han_share");
            }
            let hash = content_hash(&text);
            documents.push(Document {
                doc_id: hash[..16].to_string(),
                source_file: source_file.to_string(),
                part: documents.len() as u32 + 1,
                content_hash: hash,
                text,
                encoding: encoding.to_string(),
                collection: collection.clone(),
                page: facts.page.clone(),
                edits: doc_edits,
                flags,
                marked_headings,
                ..Default::default()
            });
        }
        documents
    }

    /// Runs the noise rules from the `first` on one line; returns what is left of it: nothing, the
    /// line, or (a rule that splits the line) its pieces.
    fn apply_noise_rules(
        &self,
        first: usize,
        number: u32,
        text: &str,
        facts: &mut FileFacts,
    ) -> Vec<String> {
        let mut text = text.to_string();
        let mut chars = text.chars().count();
        for (index, rule) in self.rules.iter().enumerate().skip(first) {
            if rule.max_chars > 0 && chars > rule.max_chars || !rule.regex.is_match(&text) {
                continue;
            }
            rule.flag_on(&mut facts.flags);
            let mut edit = Edit {
                line: number,
                rule: rule.name.clone(),
                before: text.clone(),
                after: None,
            };
            match rule.action {
                NoiseAction::DropLine | NoiseAction::PageMeta => {
                    if rule.action == NoiseAction::PageMeta {
                        read_page_meta(&text, &mut facts.page);
                    }
                    facts.edits.push(edit);
                    return Vec::new();
                }
                NoiseAction::RemoveMatch => {
                    let after = rule.regex.replace_all(&text, "");
                    text = after.trim_matches(is_blank).to_string();
                    chars = text.chars().count();
                    edit.after = (!text.is_empty()).then(|| text.clone());
                    facts.edits.push(edit);
                    if text.is_empty() {
                        return Vec::new();
                    }
                }
                NoiseAction::SplitAt => {
                    let pieces: Vec<String> = rule
                        .regex
                        .split(&text)
                        .map(|p| p.trim_matches(is_blank))
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect();
                    edit.after = (!pieces.is_empty()).then(|| pieces.join("\n"));
                    facts.edits.push(edit);
                    // Each piece is a line of its own, for the rules after this one.
                    let rest = pieces
                        .iter()
                        .flat_map(|p| self.apply_noise_rules(index + 1, number, p, facts));
                    return rest.collect();
                }
            }
        }
        vec![text]
    }
}

impl CompiledRule {
    /// Records on the document that this rule removed something.
    fn flag_on(&self, flags: &mut Vec<String>) {
        push_flag(flags, &format!("noise:{}", self.name));
        if let Some(flag) = &self.flag {
            push_flag(flags, flag);
        }
    }
}

fn push_flag(flags: &mut Vec<String>, flag: &str) {
    if !flags.iter().any(|f| f == flag) {
        flags.push(flag.to_string());
    }
}

/// The share of a text's letters that are Han characters (0 when it has no letters at all).
pub fn han_share(text: &str) -> f64 {
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars() {
        // Most characters are Han or ASCII: the Unicode tables are asked only about the rest.
        if is_han(c) {
            han += 1;
            letters += 1;
        } else if c.is_ascii() {
            letters += usize::from(c.is_ascii_alphabetic());
        } else {
            letters += usize::from(c.is_alphabetic());
        }
    }
    match letters {
        0 => 0.0,
        _ => han as f64 / letters as f64,
    }
}

/// White space at line ends, including the full-width space used for indentation.
pub(super) fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{feff}' | '\u{a0}')
}

fn read_page_meta(line: &str, page: &mut PageMeta) {
    if let Some(c) = PUBLISHER.captures(line) {
        page.publisher = Some(c[1].to_string());
    }
    if let Some(c) = PUBLISHED.captures(line) {
        page.published = Some(c[1].trim().to_string());
    }
    add_evidence(page, line);
}

/// A field of a record header (【作者】张三, 日期：2019-05-17) as a page fact; a date only when it is
/// written with digits (19980517 becomes 1998-05-17).
fn read_record_field(line: &str, page: &mut PageMeta) {
    let Some(c) = blocks::RECORD_FIELD.captures(line) else {
        return;
    };
    let label = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
    let mut value = c[3].trim().to_string();
    let dated = label.contains('日') || label.contains('时') || label.contains('時');
    if dated {
        let Some(d) = DIGIT_DATE.captures(&value) else {
            return;
        };
        value = format!("{}-{}-{}", &d[1], &d[2], &d[3]);
    }
    let fact = match label {
        "标题" | "標題" | "题目" | "題目" => &mut page.title,
        "来源" | "來源" | "出处" | "出處" => &mut page.publisher,
        "栏目" | "欄目" | "分类" | "分類" | "类别" | "類別" => &mut page.column,
        l if l.starts_with('作') => &mut page.author,
        _ if dated => &mut page.published,
        _ => return,
    };
    if fact.is_none() && !value.is_empty() {
        *fact = Some(value);
        add_evidence(page, line);
    }
}

/// Adds a line to the lines the page facts came from.
fn add_evidence(page: &mut PageMeta, line: &str) {
    match &mut page.evidence {
        Some(lines) => {
            lines.push('\n');
            lines.push_str(line);
        }
        None => page.evidence = Some(line.to_string()),
    }
}

fn is_cjk_left(c: char) -> bool {
    is_han(c) || "”’」』》）】〕".contains(c)
}

fn is_cjk_right(c: char) -> bool {
    is_han(c) || "“‘「『《（【〔".contains(c)
}

/// Half-width , : ; ! ? written inside Chinese text become their full-width forms ("提出,把" →
/// "提出，把"); spaces typed after them go. Full-width punctuation is never touched.
pub fn repair_punctuation(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let full = match c {
            ',' => Some('，'),
            ':' => Some('：'),
            ';' => Some('；'),
            '!' => Some('！'),
            '?' => Some('？'),
            _ => None,
        };
        if let Some(full) = full {
            let left = out.chars().next_back();
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let right = chars.get(j).copied();
            let left_ok = left.is_some_and(is_cjk_left);
            let right_ok = match right {
                Some(r) => is_cjk_right(r),
                None => matches!(c, '!' | '?' | ';' | ':'),
            };
            if left_ok && right_ok {
                out.push(full);
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}
