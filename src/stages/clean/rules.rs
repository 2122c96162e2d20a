//! Clean: raw bytes → documents of clean text, one paragraph per line. Decodes, normalises line
//! ends and indentation, reads Markdown without its markup (`markup`), splits a line holding several
//! paragraphs (a text flattened to one line), drops the boilerplate learned from the corpus
//! (`boilerplate`), removes web-page noise by configurable rules (keeping what the noise tells, such
//! as publisher and publication date), removes pinyin readings, repairs half-width punctuation inside
//! Chinese text, splits compilations into their documents, restores line breaks lost before a
//! numbered item, and records every removal or change with the rule behind it.

use std::sync::LazyLock;

use regex::Regex;

use super::boilerplate::Boilerplate;
use super::markup;
use crate::io::raw::{decode, is_han};
use crate::model::{Document, Edit, PageMeta};
use crate::outline::{find_inline_next_item, parse_marker};
use crate::settings::{CleanSettings, NoiseAction};
use crate::stages::dedupe::content_hash;

/// A document title inside a compilation is a short line without sentence punctuation.
const MAX_TITLE_CHARS: usize = 40;

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

/// The file's paragraphs as (1-based line number, text), trimmed and none blank: its lines, or
/// read from Markdown; a line holding several paragraphs (set apart by runs of wide spaces, the
/// usual web indentation, in a text flattened to one line) gives one each, a `paragraph_breaks`
/// edit recorded.
fn paragraphs(text: &str, facts: &mut FileFacts) -> Vec<(u32, String)> {
    // CRLF and lone CR end a line as LF does.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    for (number, raw) in source_lines(&text, facts) {
        // NUL bytes and zero-width spaces go first, so a line of blanks around them is blank too.
        let without_nul = raw.replace(['\0', '\u{200b}', '\u{2060}'], "");
        let trimmed = without_nul.trim_matches(is_blank);
        if trimmed.is_empty() {
            continue;
        }
        let pieces: Vec<&str> = PARAGRAPH_BREAK
            .split(trimmed)
            .map(|p| p.trim_matches(is_blank))
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() > 1 {
            facts.edits.push(Edit {
                line: number,
                rule: "paragraph_breaks".into(),
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
fn source_lines(text: &str, facts: &mut FileFacts) -> Vec<(u32, String)> {
    if !markup::is_markdown(text) {
        return (1..).zip(text.split('\n').map(str::to_string)).collect();
    }
    push_flag(&mut facts.flags, "markdown");
    let (plain, _front_matter) = markup::plain_lines(text);
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
    plain.into_iter().map(|l| (l.number, l.text)).collect()
}

/// What cleaning learns of a file on the way: its edits, page facts and flags.
#[derive(Default)]
struct FileFacts {
    edits: Vec<Edit>,
    page: PageMeta,
    flags: Vec<String>,
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
/// at least one, so that `(a)`, `(abc)` or an English word stays.
static PINYIN_GLOSS: LazyLock<Regex> = LazyLock::new(|| {
    let syllable = "[a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]?[a-zü]{0,5}";
    Regex::new(&format!(
        r"(\p{{Han}})[(（]({syllable}(?:\s{syllable}){{0,3}})[)）]"
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
struct Line {
    number: u32,
    text: String,
}

static COMPILATION_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{2,80}?汇编)\s*([（(]\s*(\d+)\s*篇\s*[）)])?$").unwrap());
static PIECE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*(\d+)\s*篇\s*[）)]$").unwrap());
static PUBLISHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:来源|来自|稿源)\s*[:：]\s*([^\s|｜]+)").unwrap());
static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)")
        .unwrap()
});
static COLUMN_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^【([^】]{1,20})】").unwrap());

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
        if bytes.len() as u64 > self.settings.max_file_bytes {
            return Err(format!(
                "file of {} bytes is larger than clean.max_file_bytes ({})",
                bytes.len(),
                self.settings.max_file_bytes
            ));
        }
        let decoded = decode(bytes)?;
        let mut facts = FileFacts::default();
        let mut lines = self.noise_free_lines(&decoded.text, &mut facts);
        if self.settings.remove_pinyin_glosses {
            repair_lines(
                &mut lines,
                &mut facts,
                "pinyin_gloss",
                remove_pinyin_glosses,
                None,
            );
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
            split_compilation(lines, &mut facts.edits)
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
    fn noise_free_lines(&self, text: &str, facts: &mut FileFacts) -> Vec<Line> {
        let paragraphs = paragraphs(text, facts);
        let boilerplate = self.boilerplate.judge(&paragraphs);
        let mut lines = Vec::new();
        for ((number, paragraph), verdict) in paragraphs.into_iter().zip(boilerplate) {
            if let Some(rule) = verdict {
                facts.edits.push(Edit {
                    line: number,
                    rule,
                    before: paragraph,
                    after: None,
                });
                push_flag(&mut facts.flags, "boilerplate");
                continue;
            }
            if let Some(text) = self.apply_noise_rules(number, &paragraph, facts) {
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
                part_lines = restore_lost_line_breaks(part_lines, &mut facts.edits);
            }
            let text = part_lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            if text.chars().filter(|c| !c.is_whitespace()).count()
                < self.settings.min_document_chars
            {
                continue;
            }
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
                flags: facts.flags.clone(),
                ..Default::default()
            });
        }
        documents
    }

    /// Runs the noise rules on one line; returns what is left of it, if anything.
    fn apply_noise_rules(&self, number: u32, text: &str, facts: &mut FileFacts) -> Option<String> {
        let FileFacts { edits, page, flags } = facts;
        let mut text = text.to_string();
        for rule in &self.rules {
            if rule.max_chars > 0 && text.chars().count() > rule.max_chars
                || !rule.regex.is_match(&text)
            {
                continue;
            }
            match rule.action {
                NoiseAction::DropLine | NoiseAction::PageMeta => {
                    if rule.action == NoiseAction::PageMeta {
                        read_page_meta(&text, page);
                    }
                    edits.push(Edit {
                        line: number,
                        rule: rule.name.clone(),
                        before: text,
                        after: None,
                    });
                    rule.flag_on(flags);
                    return None;
                }
                NoiseAction::RemoveMatch => {
                    let after = rule
                        .regex
                        .replace_all(&text, "")
                        .trim_matches(is_blank)
                        .to_string();
                    edits.push(Edit {
                        line: number,
                        rule: rule.name.clone(),
                        before: text.clone(),
                        after: (!after.is_empty()).then(|| after.clone()),
                    });
                    rule.flag_on(flags);
                    if after.is_empty() {
                        return None;
                    }
                    text = after;
                }
            }
        }
        Some(text)
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

/// White space at line ends, including the full-width space used for indentation.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{feff}' | '\u{a0}')
}

fn read_page_meta(line: &str, page: &mut PageMeta) {
    if let Some(c) = PUBLISHER.captures(line) {
        page.publisher = Some(c[1].to_string());
    }
    if let Some(c) = PUBLISHED.captures(line) {
        page.published = Some(c[1].trim().to_string());
    }
    page.evidence = Some(line.to_string());
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

/// A compilation (first line "…汇编", maybe "（N篇）") gives one document per title line under it.
fn split_compilation(lines: Vec<Line>, edits: &mut Vec<Edit>) -> (Option<String>, Vec<Vec<Line>>) {
    let Some(first) = lines.first() else {
        return (None, vec![lines]);
    };
    let Some(caps) = COMPILATION_TITLE.captures(&first.text) else {
        return (None, vec![lines]);
    };
    let collection = caps[1].to_string();
    let mut header = 1;
    edits.push(Edit {
        line: first.number,
        rule: "collection_title".into(),
        before: first.text.clone(),
        after: None,
    });
    if let Some(second) = lines.get(1)
        && PIECE_COUNT.is_match(&second.text)
    {
        edits.push(Edit {
            line: second.number,
            rule: "collection_title".into(),
            before: second.text.clone(),
            after: None,
        });
        header = 2;
    }
    let body = &lines[header..];
    let mut parts: Vec<Vec<Line>> = Vec::new();
    for (i, line) in body.iter().enumerate() {
        let next_is_body = body
            .get(i + 1)
            .is_some_and(|next| !is_title_like(&next.text));
        if is_title_like(&line.text) && next_is_body || parts.is_empty() {
            parts.push(Vec::new());
        }
        parts.last_mut().expect("a part exists").push(line.clone());
    }
    (Some(collection), parts)
}

/// A short line without sentence punctuation or numbering: a title, not prose or a heading.
fn is_title_like(text: &str) -> bool {
    text.chars().count() <= MAX_TITLE_CHARS
        && !text.contains(['。', '！', '？', '；', '，', '：', ',', ';'])
        && parse_marker(text).is_none()
        && !COLUMN_TAG.is_match(text)
}

/// Splits a paragraph that begins with item n of a numbered run where item n+1 follows a full stop
/// in the same paragraph: the source lost the line break there.
fn restore_lost_line_breaks(lines: Vec<Line>, edits: &mut Vec<Edit>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(mut marker) = parse_marker(&line.text) else {
            out.push(line);
            continue;
        };
        let mut rest = line.text.as_str();
        let mut pieces = Vec::new();
        while let Some(at) = find_inline_next_item(rest, &marker) {
            pieces.push(rest[..at].trim_end_matches(is_blank).to_string());
            rest = &rest[at..];
            marker = parse_marker(rest).expect("find_inline_next_item found a marker");
        }
        if pieces.is_empty() {
            out.push(line);
            continue;
        }
        pieces.push(rest.to_string());
        edits.push(Edit {
            line: line.number,
            rule: "lost_line_break".into(),
            before: line.text.clone(),
            after: Some(pieces.join("\n")),
        });
        for piece in pieces {
            out.push(Line {
                number: line.number,
                text: piece,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::CleanSettings;

    /// Found by the fuzzer: a line of blanks around a NUL byte used to survive as an empty line.
    #[test]
    fn a_line_of_blanks_and_nul_bytes_is_dropped() {
        let cleaner = Cleaner::new(&CleanSettings {
            min_document_chars: 1,
            ..Default::default()
        });
        let body: Vec<String> = (1..=8)
            .map(|i| format!("今天我们召开全市机关党建工作会议，研究部署第{i}项重点任务。"))
            .collect();
        // Blank lines with NUL bytes before, inside and after the text (too few to call it binary).
        let raw = format!(
            "  \0\n\n{}\n \0 \n{}\n",
            body[..4].join("\n"),
            body[4..].join("\n")
        );
        let cleaned = cleaner.clean_file("nul.txt", raw.as_bytes()).unwrap();
        let texts: Vec<&str> = cleaned.documents.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, [body.join("\n")]);
    }

    fn cleaner() -> Cleaner {
        Cleaner::new(&CleanSettings::default())
    }

    #[test]
    fn pinyin_readings_after_characters_are_removed() {
        assert_eq!(
            remove_pinyin_glosses("黨代表選舉會(huì)議"),
            "黨代表選舉會議"
        );
        assert_eq!(remove_pinyin_glosses("市长(shì zhǎng)讲话"), "市长讲话");
        for kept in [
            "附件(a)",
            "系统(abc)",
            "中心（Center）",
            "（一）",
            "用(yong)法",
        ] {
            assert_eq!(remove_pinyin_glosses(kept), kept);
        }
        // Real pages of three sites that print readings after characters.
        for name in ["010.txt", "027.txt", "038.txt"] {
            let doc = dev_file(name);
            assert_eq!(remove_pinyin_glosses(&doc.text), doc.text, "{name}");
            assert!(doc.edits.iter().any(|e| e.rule == "pinyin_gloss"), "{name}");
            assert!(
                !doc.text.contains("(guān)") && !doc.text.contains("(xué)"),
                "{name}"
            );
        }
        // Full-width brackets, in a textbook's notes (another repository).
        let doc = real_file("pinyin_cntextbook_1.md");
        assert!(doc.text.contains("〔殉职〕为公务而牺牲生命。"));
        assert!(doc.text.contains("〔拈轻怕重〕"));
    }

    #[test]
    fn punctuation_between_han_becomes_full_width() {
        assert_eq!(repair_punctuation("郭佳佳:党务干部"), "郭佳佳：党务干部");
        assert_eq!(
            repair_punctuation("走出来, 收回过年的心思"),
            "走出来，收回过年的心思"
        );
        assert_eq!(
            repair_punctuation("最讲政治,关心“大事”"),
            "最讲政治，关心“大事”"
        );
        assert_eq!(repair_punctuation("贡献!"), "贡献！");
        // Not inside Chinese text: left alone.
        assert_eq!(repair_punctuation("10:30, 1,000"), "10:30, 1,000");
        assert_eq!(repair_punctuation("已经，很好。"), "已经，很好。");
    }

    #[test]
    fn web_noise_is_removed_and_its_facts_kept() {
        let raw = std::fs::read("raw/003_a355b8969e69a675.txt").unwrap();
        let cleaned = cleaner().clean_file("003.txt", &raw).unwrap();
        assert_eq!(cleaned.documents.len(), 1);
        let doc = &cleaned.documents[0];
        for noise in [
            "首页>学习之窗",
            "阅读次数",
            "字体:[ ]",
            "未标题-2.jpg",
            "开设“党务心语”专栏",
        ] {
            assert!(!doc.text.contains(noise), "{noise} left in the text");
        }
        assert_eq!(doc.page.publisher.as_deref(), Some("市委市级机关工委"));
        assert_eq!(doc.page.published.as_deref(), Some("2023-08-25"));
        let rules: Vec<&str> = doc.edits.iter().map(|e| e.rule.as_str()).collect();
        for rule in ["breadcrumb", "page_meta", "image_file", "punctuation"] {
            assert!(rules.contains(&rule), "no {rule} edit in {rules:?}");
        }
        assert!(doc.text.contains("1.最讲政治，关心“大事”"));
        assert!(!doc.text.contains("\n\n") && !doc.text.starts_with(char::is_whitespace));
    }

    #[test]
    fn a_renamed_paywall_rule_still_flags_the_document() {
        let raw = std::fs::read("raw/000_2d7e0cbb95943698.txt").unwrap();
        let mut settings = CleanSettings::default();
        let paywall = &mut settings.rules[0];
        assert_eq!(paywall.flag.as_deref(), Some("paywall"));
        paywall.name = "paid_marks".into();
        let cleaned = Cleaner::new(&settings).clean_file("000.txt", &raw).unwrap();
        let flagged: Vec<_> = cleaned
            .documents
            .iter()
            .filter(|d| d.flags.iter().any(|f| f == "paywall"))
            .collect();
        assert!(!flagged.is_empty(), "no document flagged paywall");
        for doc in flagged {
            assert!(doc.flags.iter().any(|f| f == "noise:paid_marks"));
            assert!(!doc.text.contains("##paid"));
        }
    }

    fn dev_file(name: &str) -> Document {
        one_document(
            name,
            &std::fs::read(format!("tests/fixtures/dev/raw/{name}")).unwrap(),
        )
    }

    /// A file of tests/fixtures/real (SOURCES.md there says where each comes from).
    fn real_file(name: &str) -> Document {
        one_document(
            name,
            &std::fs::read(format!("tests/fixtures/real/{name}")).unwrap(),
        )
    }

    fn one_document(name: &str, raw: &[u8]) -> Document {
        let mut cleaned = cleaner().clean_file(name, raw).unwrap();
        assert_eq!(cleaned.documents.len(), 1, "{name}");
        cleaned.documents.remove(0)
    }

    #[test]
    fn photo_captions_credits_and_datelines_go_and_the_text_stays() {
        let removed = |doc: &Document, rule: &str| -> Vec<String> {
            let edits = doc.edits.iter().filter(|e| e.rule == rule);
            edits.map(|e| e.before.clone()).collect()
        };
        // Captions of two collections of Xinhua texts.
        let doc = dev_file("001.txt");
        assert_eq!(removed(&doc, "photo_caption").len(), 4);
        assert!(!doc.text.contains("新华社记者") && doc.text.contains("一、坚守党校初心"));
        let csv = std::fs::read_to_string("tests/fixtures/real/oneline_plscxi_1.csv").unwrap();
        let record = csv.lines().find(|l| l.starts_with("2020-02-16,")).unwrap();
        let doc = one_document("2020-02-16", record.split_once(',').unwrap().1.as_bytes());
        assert!(
            removed(&doc, "photo_caption")
                .iter()
                .all(|c| c.ends_with("/摄"))
        );
        assert!(!removed(&doc, "photo_caption").is_empty());
        // Credits of three news sites, on their own line or inside a paragraph.
        let doc = dev_file("015.txt");
        assert_eq!(
            removed(&doc, "credit_line"),
            ["(文 王小俊 图 王小俊 审核 孙开进)"]
        );
        let doc = dev_file("023.txt");
        assert_eq!(
            removed(&doc, "credit_line"),
            ["(摄影 吴秀丽)", "(责任编辑 吴秀丽)"]
        );
        assert!(
            doc.text.starts_with("本网讯今天(11月26日)上午"),
            "{}",
            doc.text
        );
        assert!(dev_file("005.txt").text.contains("便捷式播放器。"));
        assert!(!dev_file("005.txt").text.contains("盛林娟"));
        // A dateline glued before the title.
        let doc = dev_file("016.txt");
        assert!(
            doc.text
                .lines()
                .any(|l| l.starts_with("在二〇二五年春节团拜会上的讲话"))
        );
        assert!(!doc.text.contains("日电"));
    }

    #[test]
    fn page_widgets_of_three_sites_go() {
        for (name, widgets) in [
            ("014.txt", &["点击下载", "最新文档", "热门文章"][..]),
            ("017.txt", &["展开全部内容", "相关文章", "本类推荐"][..]),
            ("030.txt", &["购物车", "我的足迹", "立即下载"][..]),
        ] {
            let doc = dev_file(name);
            for widget in widgets {
                assert!(!doc.text.lines().any(|l| l == *widget), "{name}: {widget}");
            }
            assert!(doc.edits.iter().any(|e| e.rule == "page_widget"), "{name}");
        }
        // Lines of symbols only, on two other sites: a rule of asterisks, a stray separator.
        for (name, line) in [("024.txt", "****"), ("005.txt", "|")] {
            let doc = dev_file(name);
            assert!(!doc.text.lines().any(|l| l.starts_with(line)), "{name}");
            assert!(doc.edits.iter().any(|e| e.rule == "symbol_line"), "{name}");
        }
        // A sentence that mentions a download stays.
        let kept = cleaner().clean_file(
            "x.txt",
            "请大家点击下载学习材料，认真学习，并结合实际抓好贯彻落实工作。".as_bytes(),
        );
        assert!(kept.unwrap().documents[0].text.contains("点击下载"));
    }

    #[test]
    fn a_text_flattened_to_one_line_gets_its_paragraphs_back() {
        // Paragraphs set apart by U+3000 pairs (001) and by U+2003 pairs (016).
        for (name, paragraph) in [
            (
                "001.txt",
                "一、坚守党校初心，就必须始终自觉服务好党和国家工作大局",
            ),
            (
                "016.txt",
                "乙巳蛇年春节即将到来。我们在这里欢聚一堂，共迎新春。",
            ),
        ] {
            let doc = dev_file(name);
            assert!(doc.text.lines().count() > 10, "{name}");
            assert!(doc.text.lines().any(|l| l == paragraph), "{name}");
            assert!(!doc.text.contains(['\u{3000}', '\u{2003}']), "{name}");
            assert!(doc.edits.iter().any(|e| e.rule == "paragraph_breaks"));
        }
        // A letter from another collection (a CSV of speeches, one per line): its text field.
        let csv = std::fs::read_to_string("tests/fixtures/real/oneline_plscxi_1.csv").unwrap();
        let record = csv
            .lines()
            .find(|l| l.starts_with("2020-05-19,　　回信"))
            .unwrap();
        let doc = one_document("letter", record.split_once(',').unwrap().1.as_bytes());
        let lines: Vec<&str> = doc.text.lines().collect();
        assert_eq!(
            lines[..2],
            [
                "回信北京科技大学全体巴基斯坦留学生：",
                "你们好！来信收悉。得知你们到中国留学以来，既学到了丰富知识，也结识了不少中国朋友，我为你们取得的成绩感到高兴。"
            ]
        );
    }

    #[test]
    fn markdown_is_read_without_its_markup() {
        for (name, title, heading) in [
            (
                "003.txt",
                "坚定不移地坚持发展的方向",
                "一、开发部的改革要为各系统的改革树立榜样",
            ),
            (
                "031.txt",
                "对中国农话网与交换机产业的一点看法",
                "中国农话的现状及发展趋势",
            ),
        ] {
            let doc = dev_file(name);
            assert_eq!(doc.text.lines().next(), Some(title), "{name}");
            assert!(doc.text.lines().any(|l| l == heading), "{name}");
            for markup in ["# ", "<img", "**", "api.visitor"] {
                assert!(!doc.text.contains(markup), "{name}: {markup}");
            }
            assert!(doc.flags.contains(&"markdown".to_string()));
            let removed = doc
                .edits
                .iter()
                .find(|e| e.rule == "markdown" && e.after.is_none());
            assert!(removed.unwrap().before.starts_with("<img"), "{name}");
        }
        // A WeChat article clipped to Markdown (title a link, images, bold) and a textbook text
        // with front matter, HTML and footnotes, from two other repositories.
        let doc = real_file("md_partygov_1.md");
        assert!(
            doc.text
                .starts_with("寻访恽代英的足迹（武汉）丨走进武汉革命博物馆，重温恽代英峥嵘岁月\n")
        );
        let doc2 = real_file("md_cntextbook_1.md");
        assert!(
            doc2.text
                .contains("（一九四二年二月八日）\n现在来分析一下党八股的坏处在什么地方。")
        );
        for text in [&doc.text, &doc2.text] {
            for markup in ["![", "](", "**", "<div", "[^", "tip: |"] {
                assert!(!text.contains(markup), "{markup}");
            }
        }
    }

    #[test]
    fn compilation_gives_its_documents() {
        let raw = std::fs::read("raw/000_2d7e0cbb95943698.txt").unwrap();
        let cleaned = cleaner().clean_file("000.txt", &raw).unwrap();
        let docs = &cleaned.documents;
        assert_eq!(docs.len(), 2);
        assert!(
            docs[0]
                .text
                .starts_with("当好一名处长要正确处理好四种关系\n")
        );
        assert!(docs[1].text.starts_with("担好双重身份 提升三种能力\n"));
        for doc in docs {
            assert_eq!(
                doc.collection.as_deref(),
                Some("机关党员干部大会交流发言汇编")
            );
            assert!(!doc.text.contains("##paid"));
            assert!(!doc.text.contains("汇编"));
        }
        assert_ne!(docs[0].doc_id, docs[1].doc_id);
    }

    #[test]
    fn lost_line_break_before_next_item_is_restored() {
        let raw = std::fs::read("raw/001_b6be86bfa3163a63.txt").unwrap();
        let doc = &cleaner().clean_file("001.txt", &raw).unwrap().documents[0];
        assert!(
            doc.text
                .contains("扎实推进机关党建工作。\n四是要树立“严格依规”的观念。")
        );
        assert!(doc.edits.iter().any(|e| e.rule == "lost_line_break"));
    }

    #[test]
    fn crlf_fullwidth_indent_and_gb18030_give_the_same_text() {
        let raw = std::fs::read_to_string("raw/004_0958ddcb164f6320.txt").unwrap();
        let plain = cleaner().clean_file("a.txt", raw.as_bytes()).unwrap();
        let noisy: String = raw
            .lines()
            .map(|l| format!("\u{3000}\u{3000}{l}  \r\n\r\n"))
            .collect();
        let (gb, _, _) = encoding_rs::GB18030.encode(&noisy);
        let other = cleaner().clean_file("b.txt", &gb).unwrap();
        assert_eq!(other.encoding, "gb18030");
        assert_eq!(plain.documents[0].text, other.documents[0].text);
        assert_eq!(plain.documents[0].doc_id, other.documents[0].doc_id);
    }

    #[test]
    fn white_space_only_is_refused_with_a_reason() {
        let err = cleaner()
            .clean_file("w.txt", " \n\u{3000}\r\n".as_bytes())
            .unwrap_err();
        assert!(err.contains("white space"), "{err}");
    }
}
