//! Paragraphs set apart by single spaces: a page's text stored as one line, where each paragraph,
//! heading or title line ended with a plain space (…一次重要机会。 首先，我要… / …以下几个方面的
//! 特点: 一是…; …有希望的文件 黨章的修改與完善 在1922年7月…). Chinese puts no space inside a
//! sentence, so in such a line a space between two Chinese characters is where a line ended.
//!
//! Two other texts have single spaces between Chinese characters and must stay as they are: a PDF's
//! text flattened the same way (a space every 20–40 characters, where the page's lines ended,
//! mid-phrase: 党建工作 的难点) and a writer who types a space after each sentence. A line is read as
//! paragraphs only when its pieces look like them: most of its text is in pieces that end a
//! sentence or a clause, every other piece is short (a heading, a title line) but longer than a
//! name in a list (习近平 李克强), and most full stops are followed by no space (a paragraph holds
//! several sentences).

use super::rules::Line;
use crate::io::raw::is_han;
use crate::model::Edit;

/// A shorter line is not a text flattened to one line.
const MIN_LINE_CHARS: usize = 200;
/// A piece that ends no sentence is a heading or a title line: this long at most…
const MAX_LINE_PIECE_CHARS: usize = 60;
/// …and at least this long (a name in a list of names is shorter).
const MIN_LINE_PIECE_CHARS: usize = 4;
/// Pieces that end a sentence or a clause hold at least this share of the line's characters.
const MIN_ENDED_SHARE: f64 = 0.6;

/// Splits each line whose paragraphs are set apart by single spaces into its paragraphs, a
/// `paragraph_breaks` edit each.
pub(super) fn split_spaced_paragraphs(lines: Vec<Line>, edits: &mut Vec<Edit>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(pieces) = spaced_paragraphs(&line.text) else {
            out.push(line);
            continue;
        };
        edits.push(Edit {
            line: line.number,
            rule: "paragraph_breaks".into(),
            before: line.text.clone(),
            after: Some(pieces.join("\n")),
        });
        out.extend(pieces.into_iter().map(|text| Line {
            number: line.number,
            text: text.to_string(),
        }));
    }
    out
}

/// The paragraphs of `line` when single spaces set them apart (see the module's doc), else None.
fn spaced_paragraphs(line: &str) -> Option<Vec<&str>> {
    // Most lines hold no space at all.
    if line.len() < MIN_LINE_CHARS || !line.contains([' ', '\u{a0}']) {
        return None;
    }
    let chars = line.chars().count();
    if chars < MIN_LINE_CHARS {
        return None;
    }
    let pieces: Vec<&str> = split_at_spaces(line);
    if pieces.len() < 3 {
        return None;
    }
    let last = pieces.len() - 1;
    let mut ended_chars = 0;
    let mut ended = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let length = piece.chars().count();
        if ends_a_clause(piece) {
            ended += 1;
            ended_chars += length;
        } else if i != last && !(MIN_LINE_PIECE_CHARS..=MAX_LINE_PIECE_CHARS).contains(&length) {
            // A long piece that stops mid-sentence: the space is a wrap, not a paragraph's end.
            return None;
        }
    }
    // A writer's space after each sentence: most full stops have one.
    let stops: Vec<usize> = line
        .match_indices(['。', '！', '？', '!', '?'])
        .map(|(at, stop)| at + stop.len())
        .collect();
    let spaced_stops = stops
        .iter()
        .filter(|&&end| line[end..].starts_with(' '))
        .count();
    let paragraphs_of_sentences = spaced_stops * 2 <= stops.len();
    (ended >= 2 && ended_chars as f64 >= MIN_ENDED_SHARE * chars as f64 && paragraphs_of_sentences)
        .then_some(pieces)
}

/// `line` cut at each run of spaces between two Chinese characters (a digit after a space goes on:
/// 2002年07月23日 14:21 is a time).
fn split_at_spaces(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut spaces_from: Option<usize> = None;
    for (at, c) in line.char_indices() {
        if c == ' ' || c == '\u{a0}' {
            spaces_from.get_or_insert(at);
            continue;
        }
        if let Some(from) = spaces_from.take()
            && previous.is_some_and(ends_chinese)
            && starts_chinese(c)
        {
            pieces.push(&line[start..from]);
            start = at;
        }
        previous = Some(c);
    }
    pieces.push(line[start..].trim_end());
    pieces
}

/// A character a Chinese line ends with: a Han character, Chinese punctuation, or a half-width mark
/// typed in its place (the punctuation repair comes later).
fn ends_chinese(c: char) -> bool {
    is_han(c) || "，。、：；！？…”’」』》）】—,:;!?".contains(c)
}

/// A character a Chinese line starts with.
fn starts_chinese(c: char) -> bool {
    is_han(c) || "“‘「『《（【".contains(c)
}

/// Whether `piece` ends a sentence or a clause (。！？：；…), closing quotes aside.
fn ends_a_clause(piece: &str) -> bool {
    piece
        .trim_end_matches(['”', '’', '」', '』', '）', ')'])
        .ends_with(['。', '！', '？', '：', '；', '…', '!', '?', ':', ';'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether any line of fixture `path` (under tests/fixtures) is read as spaced paragraphs.
    fn any_line_split(path: &str) -> Option<String> {
        let text = std::fs::read_to_string(format!("tests/fixtures/{path}")).unwrap();
        text.lines()
            .find(|line| spaced_paragraphs(line.trim()).is_some())
            .map(str::to_string)
    }

    /// A PDF's text flattened with its line ends as spaces (dev 030) stays one line: its spaces fall
    /// mid-phrase. A translator who types a space after most sentences (a real Markdown clipping)
    /// keeps one paragraph.
    #[test]
    fn a_flattened_pdf_and_a_space_after_each_sentence_keep_their_spaces() {
        assert_eq!(any_line_split("dev/raw/030.txt"), None);
        assert_eq!(any_line_split("real/lead_terminus_1.md"), None);
    }
}
