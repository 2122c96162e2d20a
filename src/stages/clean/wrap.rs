//! Sentences broken over lines, rejoined:
//!
//! - **a fixed-width wrap** (text extracted from a PDF or an OCR'd page, a file wrapped at a
//!   column): most long lines have nearly the same display width, and a paragraph goes on after
//!   every full line. A file is taken as wrapped when at least `MIN_WRAPPED_SHARE` of its long
//!   lines are within `WIDTH_SLACK` of the commonest width; then a full line that does not end a
//!   sentence is joined with the next, unless that one starts a numbered heading.
//! - **an export that splits around links**: a line cannot begin with a closing mark (。，、；)
//!   — it goes on the line before, as does a link's text left alone on the line before it when the
//!   line above that stops mid-sentence; nor can a line end with an opening mark (——, “, 《) — the
//!   next line goes on it, and when that is a link's text, so does the line after (—— / 改革开放 /
//!   深入推进。…).
//!
//! Every joined line is an edit (`wrapped_lines`, `broken_lines`): the first line's edit holds the
//! paragraph as rejoined, the others are recorded as moved into it.

use std::collections::HashMap;

use super::rules::Line;
use crate::model::Edit;
use crate::outline::parse_marker;

/// Lines narrower than this (in half-width columns) are not looked at for the wrap width.
const MIN_LONG_WIDTH: usize = 20;
/// A wrap width is at most this wide: wider lines are paragraphs.
const MAX_WRAP_WIDTH: usize = 160;
/// Lines within this many columns of the wrap width are full.
const WIDTH_SLACK: usize = 3;
/// The share of long lines that must be full for the file to be wrapped.
const MIN_WRAPPED_SHARE: f64 = 0.4;
/// A wrapped file has at least this many full lines.
const MIN_FULL_LINES: usize = 5;

/// Characters that end a sentence or a clause leading into what follows: a line ending with one
/// (or with a closing quote or bracket after one) is not broken mid-sentence.
const SENTENCE_END: &[char] = &['。', '！', '？', '!', '?', '…', '：', ':', '；', ';'];
const CLOSING_QUOTES: &[char] = &['”', '’', '」', '』', '）', ')', '》'];
/// Marks that close something: a line cannot start with one.
const CLOSING: &[char] = &[
    '。', '，', '、', '；', '：', '！', '？', '）', '」', '』', '”', '》',
];

/// Marks that open something: a line cannot end with one (——, “, 《 before a link's text put on a
/// line of its own).
const OPENING: &[char] = &['“', '‘', '「', '『', '《', '（', '【', '〔', '—'];

/// The display width of a line: ASCII letters, digits and spaces count one, everything else two
/// (Han characters, and punctuation, which in Chinese text is full-width even where an
/// extraction wrote it as ASCII).
fn width(text: &str) -> usize {
    let narrow = |c: char| c.is_ascii_alphanumeric() || c == ' ';
    text.chars().map(|c| if narrow(c) { 1 } else { 2 }).sum()
}

/// The width the file's lines are wrapped at, if they are.
fn wrap_width(lines: &[Line]) -> Option<usize> {
    let widths: Vec<usize> = lines
        .iter()
        .map(|l| width(&l.text))
        .filter(|w| (MIN_LONG_WIDTH..=MAX_WRAP_WIDTH + WIDTH_SLACK).contains(w))
        .collect();
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for w in &widths {
        *counts.entry(*w).or_default() += 1;
    }
    // The width with the most lines within the slack of it (the widest on a tie).
    let near = |w: usize| {
        widths
            .iter()
            .filter(|x| x.abs_diff(w) <= WIDTH_SLACK)
            .count()
    };
    let (best, full) = counts
        .keys()
        .map(|&w| (w, near(w)))
        .max_by_key(|&(w, n)| (n, w))?;
    let long = lines
        .iter()
        .filter(|l| width(&l.text) >= MIN_LONG_WIDTH)
        .count();
    let wrapped = full >= MIN_FULL_LINES
        && best <= MAX_WRAP_WIDTH
        && full as f64 >= MIN_WRAPPED_SHARE * long as f64;
    wrapped.then_some(best)
}

/// A line of the output and the lines joined into it.
struct Joined {
    line: Line,
    /// The line's text before anything was joined to it.
    original: String,
    moved: Vec<Line>,
    rule: &'static str,
    /// The last line joined was a link's text after an opening mark (—— / 改革开放): the sentence
    /// goes on on the next line (深入推进。…).
    after_link: bool,
}

impl Joined {
    fn take(&mut self, other: Line, rule: &'static str) {
        self.line.text = concat(&self.line.text, &other.text);
        self.rule = rule;
        self.moved.push(other);
    }
}

/// The lines with broken sentences joined, each join recorded in `edits`.
pub fn rejoin(lines: Vec<Line>, edits: &mut Vec<Edit>) -> Vec<Line> {
    let full_width = wrap_width(&lines).map(|w| w.saturating_sub(WIDTH_SLACK));
    let mut out: Vec<Joined> = Vec::with_capacity(lines.len());
    for line in lines {
        let rule = out.last().and_then(|last| {
            let goes_on =
                last.after_link && !ends_sentence(&last.line.text) && !starts_own_line(&line.text);
            match goes_on {
                true => Some("broken_lines"),
                false => joins(&last.line, &line, full_width),
            }
        });
        let Some(rule) = rule else {
            out.push(Joined {
                original: line.text.clone(),
                line,
                moved: Vec::new(),
                rule: "",
                after_link: false,
            });
            continue;
        };
        // A link's text alone between a line stopped mid-sentence and the rest of the sentence
        // goes up too.
        if rule == "broken_lines" && out.len() >= 2 {
            let link = &out[out.len() - 1];
            let above = &out[out.len() - 2].line.text;
            if link.moved.is_empty()
                && is_fragment(&link.line.text)
                && !ends_sentence(above)
                && !above.ends_with(CLOSING)
            {
                let link = out.pop().expect("two lines").line;
                out.last_mut().expect("two lines").take(link, rule);
            }
        }
        let last = out.last_mut().expect("a line before");
        let link_after_opening = last.line.text.ends_with(OPENING) && is_fragment(&line.text);
        last.take(line, rule);
        last.after_link = link_after_opening;
    }
    for joined in out.iter().filter(|j| !j.moved.is_empty()) {
        edits.push(Edit {
            line: joined.line.number,
            rule: joined.rule.into(),
            before: joined.original.clone(),
            after: Some(joined.line.text.clone()),
        });
        for moved in &joined.moved {
            edits.push(Edit {
                line: moved.number,
                rule: joined.rule.into(),
                before: moved.text.clone(),
                after: None,
            });
        }
    }
    out.into_iter().map(|j| j.line).collect()
}

/// Whether `next` goes on the end of `last`, and by which rule.
fn joins(last: &Line, next: &Line, full_width: Option<usize>) -> Option<&'static str> {
    if next.text.starts_with(CLOSING) || last.text.ends_with(OPENING) {
        return Some("broken_lines");
    }
    let full = full_width.is_some_and(|w| width(&last.text) >= w);
    let continues = !ends_sentence(&last.text) && !starts_own_line(&next.text);
    (full && continues).then_some("wrapped_lines")
}

/// A heading, a date line or a salutation starts a line of its own.
fn starts_own_line(text: &str) -> bool {
    parse_marker(text).is_some()
        || text.starts_with(['(', '（', '【', '['])
        || text.ends_with(['：', ':']) && text.chars().count() <= 16
}

/// Whether a line ends a sentence: a full stop or colon, maybe inside closing quotes (…。”).
fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(CLOSING_QUOTES)
        .ends_with(SENTENCE_END)
}

/// A short piece of text with no punctuation: a link's text left on a line of its own.
fn is_fragment(text: &str) -> bool {
    text.chars().count() <= 20
        && !text.contains(CLOSING)
        && !ends_sentence(text)
        && parse_marker(text).is_none()
}

/// Two pieces of one sentence: ASCII words keep a space between them, Han characters none.
fn concat(left: &str, right: &str) -> String {
    let words = left.ends_with(|c: char| c.is_ascii_alphanumeric())
        && right.starts_with(|c: char| c.is_ascii_alphanumeric());
    match words {
        true => format!("{left} {right}"),
        false => format!("{left}{right}"),
    }
}
