//! HTML read with a real parser (html5ever, through scraper) into plain lines: a saved web page
//! (`.html`, `.htm`, or a text file that is an HTML document) and the HTML blocks a Markdown
//! clipping carries. Block elements (p, div, br, headings, list items, table rows…) end a line;
//! scripts, styles and the head give no text; entities are decoded. The page's `<title>` and its
//! publication date (`<meta name="publishdate">` and the like) are kept as page facts. A line
//! that is mostly the text of links (a navigation bar, related articles) is marked as such, as
//! jusText judges a paragraph by its link density.
//!
//! The parser gives no source positions, so a line's number is its place among the page's lines
//! of text (the first line of text is 1).

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{Html, Node};

/// Elements that end a line of text where they open and close.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];
/// Elements whose content is not text of the page.
const HIDDEN: &[&str] = &[
    "head", "iframe", "noscript", "object", "script", "select", "style", "svg", "template", "title",
];
/// `<meta>` names (or properties) that state when the page was published.
const DATE_METAS: &[&str] = &[
    "publishdate",
    "firstpublishedtime",
    "pubdate",
    "publish_date",
    "publishtime",
    "article:published_time",
    "og:release_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
];

static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})").unwrap());
static DOCUMENT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(<!doctype\s+html|<html[\s>]|<head[\s>])").unwrap());

/// A web page's text and what it says of itself.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    pub lines: Vec<HtmlLine>,
    pub title: Option<String>,
    /// The publication date its meta data states, as YYYY-MM-DD.
    pub published: Option<String>,
    /// The meta element or title the facts came from.
    pub evidence: Option<String>,
}

/// Whether a text is an HTML document (by its name or its first markup).
pub fn is_html_document(name: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm") || DOCUMENT_START.is_match(text)
}

/// Reads a whole page: its lines of text, title and publication date.
pub fn read_page(text: &str) -> Page {
    let html = Html::parse_document(text);
    let mut page = Page {
        lines: lines_of(&html),
        ..Page::default()
    };
    for node in html.tree.root().descendants() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        match element.name() {
            "title" if page.title.is_none() => {
                let title: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                let title = collapse(&title);
                if !title.is_empty() {
                    page.evidence
                        .get_or_insert_with(|| format!("<title>{title}</title>"));
                    page.title = Some(title);
                }
            }
            "meta" if page.published.is_none() => {
                let name = element
                    .attr("name")
                    .or_else(|| element.attr("property"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let content = element.attr("content").unwrap_or("");
                if DATE_METAS.contains(&name.as_str())
                    && let Some(c) = DATE.captures(content)
                {
                    page.published = Some(format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]));
                    page.evidence = Some(format!("<meta name=\"{name}\" content=\"{content}\">"));
                }
            }
            _ => {}
        }
    }
    page
}

/// The lines of text of an HTML fragment (a block of HTML inside Markdown), without those that
/// are mostly links.
pub fn fragment_lines(html: &str) -> Vec<String> {
    let lines = lines_of(&Html::parse_fragment(html)).into_iter();
    lines.filter(|l| !l.links).map(|l| l.text).collect()
}

/// A line of a page's text, and whether it is mostly the text of links: a navigation bar, a list
/// of related articles, a site map (jusText's link density; a paragraph of an article is not).
#[derive(Debug, PartialEq)]
pub struct HtmlLine {
    pub text: String,
    pub links: bool,
}

fn lines_of(html: &Html) -> Vec<HtmlLine> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut link_text = 0usize;
    let (mut hidden, mut in_link) = (0usize, 0usize);
    let end_line = |current: &mut String, link_text: &mut usize, lines: &mut Vec<HtmlLine>| {
        let text = collapse(current);
        if !text.is_empty() {
            let visible = text.chars().filter(|c| !c.is_whitespace()).count();
            lines.push(HtmlLine {
                links: *link_text * 2 > visible,
                text,
            });
        }
        current.clear();
        *link_text = 0;
    };
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden += 1,
                Node::Element(e) if e.name() == "a" => in_link += 1,
                Node::Element(e) if BLOCKS.contains(&e.name()) => {
                    end_line(&mut current, &mut link_text, &mut lines)
                }
                Node::Text(text) if hidden == 0 => {
                    current.push_str(text);
                    if in_link > 0 {
                        link_text += text.chars().filter(|c| !c.is_whitespace()).count();
                    }
                }
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if HIDDEN.contains(&e.name()) => hidden -= 1,
                Node::Element(e) if e.name() == "a" => in_link = in_link.saturating_sub(1),
                Node::Element(e) if BLOCKS.contains(&e.name()) => {
                    end_line(&mut current, &mut link_text, &mut lines)
                }
                _ => {}
            },
        }
    }
    end_line(&mut current, &mut link_text, &mut lines);
    lines
}

/// HTML white space collapsed as a browser shows it: a run is one space, none at the ends, and
/// none where a line break of the source fell between two Han characters.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Option<bool> = None;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
            let newline = c == '\n' || c == '\r';
            pending = Some(pending.unwrap_or(false) || newline);
            continue;
        }
        if let Some(newline) = pending.take() {
            let between_han = out.chars().next_back().is_some_and(crate::io::raw::is_han)
                && crate::io::raw::is_han(c);
            if !(out.is_empty() || newline && between_han) {
                out.push(' ');
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_lines_and_hidden_parts_give_no_text() {
        let page = read_page(
            "<html><head><title>在大会上的讲话_新华网</title>\
             <meta name=\"publishdate\" content=\"2024-05-10\"><style>p{}</style></head>\
             <body><div>首页&nbsp;&gt;&nbsp;要闻</div><p>　　同志们：</p><p>今天我们\n召开大会。<br>谢谢！</p>\
             <script>var x = 1;</script><p><a href=\"/\">人民网</a> | <a href=\"/\">新华网</a></p></body></html>",
        );
        let lines: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            lines,
            [
                "首页\u{a0}>\u{a0}要闻",
                "　　同志们：",
                "今天我们召开大会。",
                "谢谢！",
                "人民网 | 新华网"
            ]
        );
        assert_eq!(page.lines.iter().filter(|l| l.links).count(), 1);
        assert_eq!(page.title.as_deref(), Some("在大会上的讲话_新华网"));
        assert_eq!(page.published.as_deref(), Some("2024-05-10"));
    }
}
