//! Markdown in a text file (clippings of web articles, speech collections kept in Markdown), read
//! with a real parser (pulldown-cmark) into plain lines: headings, emphasis, links, images, HTML
//! tags, rules, block quotes, tables and entities lose their markup and keep their text.
//!
//! A file is read as Markdown only when it carries signs a plain speech never does (front matter,
//! `#` headings at line starts, link or image syntax, HTML tags, paired `**`): on plain text a
//! parser would turn an anonymisation such as `*、*` into emphasis, take `1. ` markers as list
//! syntax or indented paragraphs as code. Numbered list items keep their number as written.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

/// A line at the start of the file's text that only opens front matter.
const FRONT_MATTER: &str = "---";

static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^#{1,6}[ \t]+\S").unwrap());
static LINK_OR_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!?\[[^\]\n]*\]\([^)\s]+\)").unwrap());
static HTML_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(img|div|p|br|span|a|section|table|font|strong|b)\b[^>]*>").unwrap()
});
static BOLD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\*\*[^*\n]+\*\*").unwrap());
static ORDERED_MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[ \t]*(\d{1,9}[.)][ \t]*)").unwrap());
/// Strong emphasis the parser left as it is: CommonMark's flanking rules do not see `**第一、…。**由于`
/// as emphasis, since a closing `**` after punctuation must be followed by space or punctuation,
/// which Chinese text does not put there.
static LEFTOVER_STRONG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*\*([^*\n]*?)\*\*").unwrap());
static TAGS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap());

/// Whether the text is Markdown: front matter, or at least two signs of it (two headings, a
/// heading and a link, an HTML tag and bold text, …).
pub fn is_markdown(text: &str) -> bool {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) == Some(FRONT_MATTER)
        && lines.take(30).any(|l| l.trim_end() == FRONT_MATTER)
    {
        return true;
    }
    let signs = HEADING.find_iter(text).take(2).count()
        + LINK_OR_IMAGE.find_iter(text).take(2).count()
        + HTML_TAG.find_iter(text).take(2).count()
        + BOLD.find_iter(text).take(2).count();
    signs >= 2
}

/// One line of plain text read from Markdown, with the 1-based source line it starts on.
#[derive(Debug, PartialEq)]
pub struct PlainLine {
    pub number: u32,
    pub text: String,
}

/// The plain lines of a Markdown text: one per paragraph line, heading, list item or table row,
/// in order; blank lines, rules, images and HTML-only lines give none. Front matter is returned
/// apart, as its raw text.
pub fn plain_lines(text: &str) -> (Vec<PlainLine>, Option<String>) {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) as u32;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut reader = Reader::default();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        reader.event(event, range.start, text, &line_of);
    }
    reader.flush();
    (reader.lines, reader.front_matter)
}

/// Gathers text into lines as the parser's events come.
#[derive(Default)]
struct Reader {
    lines: Vec<PlainLine>,
    front_matter: Option<String>,
    current: String,
    number: Option<u32>,
    /// Inside an image (its alt text is not the document's) or front matter.
    skipping: u32,
    in_front_matter: bool,
}

impl Reader {
    fn event(&mut self, event: Event, offset: usize, source: &str, line_of: &dyn Fn(usize) -> u32) {
        match event {
            Event::Start(Tag::MetadataBlock(_)) => self.in_front_matter = true,
            Event::End(TagEnd::MetadataBlock(_)) => self.in_front_matter = false,
            Event::Text(text) if self.in_front_matter => {
                self.front_matter.get_or_insert_default().push_str(&text);
            }
            Event::Start(Tag::Image { .. }) => self.skipping += 1,
            Event::End(TagEnd::Image) => self.skipping = self.skipping.saturating_sub(1),
            _ if self.skipping > 0 => {}
            Event::Start(Tag::Item) => {
                self.flush();
                // An ordered item keeps its number as written (`1.` or `3)`).
                if let Some(marker) = ORDERED_MARKER.captures(&source[offset..]) {
                    self.push(&marker[1], line_of(offset));
                }
            }
            Event::Text(text) | Event::Code(text) => self.push(&text, line_of(offset)),
            // A note's mark in the text goes; the note itself stays, as a line of its own.
            Event::FootnoteReference(_) => {}
            Event::Start(Tag::FootnoteDefinition(_)) => self.flush(),
            Event::InlineHtml(html) | Event::Html(html) => {
                let text = TAGS.replace_all(&html, "");
                if !text.trim().is_empty() {
                    self.push(text.trim_end_matches('\n'), line_of(offset));
                }
            }
            // A line break in the source is a line break in the text, as in a plain file.
            Event::SoftBreak | Event::HardBreak => self.flush(),
            Event::Start(Tag::TableCell) if !self.current.is_empty() => self.current.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) => self.flush(),
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_)) => self.flush(),
            _ => {}
        }
    }

    fn push(&mut self, text: &str, number: u32) {
        self.number.get_or_insert(number);
        self.current.push_str(text);
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        let number = self.number.take();
        let text = LEFTOVER_STRONG.replace_all(&text, "$1");
        // A code block's text ends its lines itself.
        for (i, line) in text.split('\n').enumerate() {
            if !line.trim().is_empty() {
                self.lines.push(PlainLine {
                    number: number.unwrap_or(1) + i as u32,
                    text: line.to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(markdown: &str) -> Vec<String> {
        plain_lines(markdown)
            .0
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn plain_speeches_are_not_markdown() {
        for name in std::fs::read_dir("raw").unwrap() {
            let bytes = std::fs::read(name.unwrap().path()).unwrap();
            let text = crate::io::raw::decode(&bytes).unwrap().text;
            assert!(!is_markdown(&text));
        }
        assert!(!is_markdown(
            "一、总体要求\n1. 坚持*、*同志的意见\n    二、具体措施"
        ));
    }

    #[test]
    fn markdown_loses_its_markup_and_keeps_its_text_and_numbers() {
        let markdown = "---\ntitle: 讲话\ndate: 2020-01-02\n---\n# 标题\n<img src=\"x.png\">\n\n\
            ### 一、**加强**学习\n\n1. 第一条[链接](http://a.b/c)\n2. 第二条\n\n> 引文 &amp; 说明\n\n---\n\n\
            ![图](a.png)\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n";
        assert!(is_markdown(markdown));
        let (lines, front) = plain_lines(markdown);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "标题",
                "一、加强学习",
                "1. 第一条链接",
                "2. 第二条",
                "引文 & 说明",
                "甲 乙",
                "1 2"
            ]
        );
        assert_eq!(lines[0].number, 5);
        assert_eq!(lines[1].number, 8);
        assert!(front.unwrap().contains("date: 2020-01-02"));
    }

    #[test]
    fn strong_emphasis_closed_before_a_han_character_is_gone_too() {
        assert_eq!(
            texts("# 题\n\n**第一、内乱外患。**由于通信发展迅速\n"),
            ["题", "第一、内乱外患。由于通信发展迅速"]
        );
    }

    #[test]
    fn footnote_marks_go_and_notes_stay() {
        assert_eq!(
            texts("# 题\n\n反对党八股[^1-a]（节选）\n\n[^1-a]: 〔八股〕文体名。\n"),
            ["题", "反对党八股（节选）", "〔八股〕文体名。"]
        );
    }

    #[test]
    fn lines_of_one_paragraph_stay_lines() {
        assert_eq!(
            texts("# 题\n\n第一行\n第二行\n"),
            ["题", "第一行", "第二行"]
        );
    }
}
