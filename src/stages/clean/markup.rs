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

/// Front matter is looked for among the first lines only.
const FRONT_MATTER_LINES: usize = 80;

static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$").unwrap());
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
static LINE_BREAK_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^</?(br|p|div|li|tr|h[1-6])\b").unwrap());

/// Whether the file `name` holding `text` is Markdown: named so (`.md`, `.markdown`: whoever saved
/// it says so, and a clipping may carry a single `#` title as its only markup), front matter, or at
/// least two signs of it (two headings, a heading and a link, an HTML tag and bold text, …).
pub fn is_markdown(name: &str, text: &str) -> bool {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if matches!(extension.as_deref(), Some("md" | "markdown")) || front_matter(text).is_some() {
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
    /// What the markup said of the line, if it marked it as a heading.
    pub heading: Option<MarkedHeading>,
}

/// A line the markup marks as a heading: a Markdown heading (`### 中国农话的现状及发展趋势`), or
/// bold text opening it, the rest of the line its body (`**第三、作为高技术产品的程控交换机**，同时…`).
#[derive(Debug, Clone, PartialEq)]
pub enum MarkedHeading {
    Line,
    BoldLead(String),
}

/// The plain lines of a Markdown text: one per paragraph line, heading, list item or table row,
/// in order; blank lines, rules, images and HTML-only lines give none; with the front matter's
/// fields.
/// Front matter at the top of a Markdown file: `---` … `---` (Jekyll, Hugo, Obsidian; blank lines
/// allowed), or `key: value` lines closed by `---` with no opening line (Hexo). Its length in
/// lines and its `key: value` fields (keys in lower case, quotes taken off the values).
pub fn front_matter(text: &str) -> Option<(usize, Vec<(String, String)>)> {
    let lines: Vec<&str> = text.lines().take(FRONT_MATTER_LINES).collect();
    let start = usize::from(lines.first()?.trim_end() == "---");
    let close = (start..lines.len()).find(|&i| matches!(lines[i].trim_end(), "---" | "..."))?;
    let inner = &lines[start..close];
    let continued = |l: &&str| l.trim().is_empty() || l.starts_with([' ', '\t', '-']);
    let first = inner.iter().find(|l| !l.trim().is_empty())?;
    if !FIELD.is_match(first.trim_end())
        || !inner
            .iter()
            .all(|l| FIELD.is_match(l.trim_end()) || continued(l))
    {
        return None;
    }
    let fields = inner
        .iter()
        .filter_map(|l| FIELD.captures(l.trim_end()))
        .map(|c| {
            let value = c.get(2).map_or("", |v| v.as_str()).trim();
            let value = value.trim_matches(['"', '\'']).trim();
            (c[1].to_ascii_lowercase(), value.to_string())
        })
        .collect();
    Some((close + 1, fields))
}

pub fn plain_lines(text: &str) -> (Vec<PlainLine>, Vec<(String, String)>) {
    // Front matter is not text: its lines are blanked (keeping the others' numbers), its fields
    // returned.
    let (front_lines, fields) = front_matter(text).unwrap_or_default();
    let body_start = text.match_indices('\n').nth(front_lines.wrapping_sub(1));
    let blanked: String;
    let text = match (front_lines, body_start) {
        (0, _) => text,
        (_, Some((newline, _))) => {
            blanked = "\n".repeat(front_lines) + &text[newline + 1..];
            &blanked
        }
        (_, None) => "",
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) as u32;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut reader = Reader::default();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        reader.event(event, range.start, text, &line_of);
    }
    reader.flush();
    (reader.lines, fields)
}

/// Gathers text into lines as the parser's events come.
#[derive(Default)]
struct Reader {
    lines: Vec<PlainLine>,
    current: String,
    number: Option<u32>,
    /// Inside an image: its alt text is not the document's.
    skipping: u32,
    /// The HTML block being read, and the line it starts on.
    html_block: Option<(String, u32)>,
    /// Inside a Markdown heading.
    in_heading: bool,
    /// Inside strong emphasis that opened the line; then the bold text, once it closed.
    bold_lead: Option<Option<String>>,
}

impl Reader {
    fn event(&mut self, event: Event, offset: usize, source: &str, line_of: &dyn Fn(usize) -> u32) {
        match event {
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
            // A block of HTML is read by the HTML parser when it ends.
            Event::Start(Tag::HtmlBlock) => {
                self.flush();
                self.html_block = Some((String::new(), line_of(offset)));
            }
            Event::Html(html) => match &mut self.html_block {
                Some((block, _)) => block.push_str(&html),
                None => self.push_html_lines(&html, line_of(offset)),
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((block, number)) = self.html_block.take() {
                    self.push_html_lines(&block, number);
                }
            }
            // A tag inside a paragraph: a line break or paragraph tag ends the line, others go.
            Event::InlineHtml(tag) if LINE_BREAK_TAG.is_match(&tag) => self.flush(),
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
            Event::Start(Tag::Heading { .. }) => {
                self.flush();
                self.in_heading = true;
            }
            Event::Start(Tag::Strong) if self.current.trim().is_empty() => {
                self.bold_lead = Some(None);
            }
            Event::End(TagEnd::Strong) => {
                if let Some(lead @ None) = &mut self.bold_lead {
                    *lead = Some(self.current.trim().to_string());
                }
            }
            Event::Start(Tag::Paragraph | Tag::CodeBlock(_)) => self.flush(),
            _ => {}
        }
    }

    /// The lines of a piece of HTML, each a line of its own.
    fn push_html_lines(&mut self, html: &str, number: u32) {
        self.flush();
        for line in super::html::fragment_lines(html) {
            self.push(&line, number);
            self.flush();
        }
    }

    fn push(&mut self, text: &str, number: u32) {
        self.number.get_or_insert(number);
        self.current.push_str(text);
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        let number = self.number.take();
        let bold_lead = self.bold_lead.take().flatten();
        let leftover_lead = LEFTOVER_STRONG
            .captures(&text)
            .filter(|c| {
                c.get(0)
                    .is_some_and(|m| text[..m.start()].trim().is_empty())
            })
            .map(|c| c[1].trim().to_string());
        let heading = match (
            std::mem::take(&mut self.in_heading),
            bold_lead.or(leftover_lead),
        ) {
            (true, _) => Some(MarkedHeading::Line),
            (false, Some(bold)) if !bold.is_empty() => Some(MarkedHeading::BoldLead(bold)),
            _ => None,
        };
        let text = LEFTOVER_STRONG.replace_all(&text, "$1");
        // A code block's text ends its lines itself.
        for (i, line) in text.split('\n').enumerate() {
            if !line.trim().is_empty() {
                self.lines.push(PlainLine {
                    number: number.unwrap_or(1) + i as u32,
                    text: line.to_string(),
                    heading: if i == 0 { heading.clone() } else { None },
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
            assert!(!is_markdown("x.txt", &text));
        }
        assert!(!is_markdown(
            "x.txt",
            "一、总体要求\n1. 坚持*、*同志的意见\n    二、具体措施"
        ));
    }

    #[test]
    fn markdown_loses_its_markup_and_keeps_its_text_and_numbers() {
        let markdown = "---\ntitle: 讲话\ndate: 2020-01-02\n---\n# 标题\n<img src=\"x.png\">\n\n\
            ### 一、**加强**学习\n\n1. 第一条[链接](http://a.b/c)\n2. 第二条\n\n> 引文 &amp; 说明\n\n---\n\n\
            ![图](a.png)\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n";
        assert!(is_markdown("x.txt", markdown));
        // A file named .md is Markdown with a single sign, or none.
        assert!(is_markdown("x.md", "# 在筹备会上的讲话\n\n诸位代表先生："));
        assert!(!is_markdown(
            "x.txt",
            "# 在筹备会上的讲话\n\n诸位代表先生："
        ));
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
        assert!(front.contains(&("date".to_string(), "2020-01-02".to_string())));
    }

    #[test]
    fn strong_emphasis_closed_before_a_han_character_is_gone_too() {
        assert_eq!(
            texts("# 题\n\n**第一、内乱外患。**由于通信发展迅速\n"),
            ["题", "第一、内乱外患。由于通信发展迅速"]
        );
    }

    #[test]
    fn headings_and_bold_leads_are_marked() {
        // Lines of a Markdown article (dev 031): a ### heading, a bold lead the parser reads as
        // emphasis, one it leaves as it is (closed before a Han character), and plain text.
        let markdown = "# 题\n\n### 中国农话的现状\n\n正文。\n\n**第三、作为高技术产品的程控交换机**，同时也是高投入的\n\n**第一、内乱外患。**由于通信发展迅速\n";
        let marks: Vec<Option<MarkedHeading>> = plain_lines(markdown)
            .0
            .into_iter()
            .map(|l| l.heading)
            .collect();
        assert_eq!(
            marks,
            [
                Some(MarkedHeading::Line),
                Some(MarkedHeading::Line),
                None,
                Some(MarkedHeading::BoldLead(
                    "第三、作为高技术产品的程控交换机".into()
                )),
                Some(MarkedHeading::BoldLead("第一、内乱外患。".into())),
            ]
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
