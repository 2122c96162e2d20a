//! Numbered items whose line break the source lost: a paragraph holding item n and, after a full
//! stop, item n+1 of the same run is split there; so is one holding item 1 after a full stop when
//! item 2 opens the next paragraph (or, in a text flattened to one line, follows later in it).

use super::rules::{Line, is_blank};
use crate::model::Edit;
use crate::outline::{Marker, find_inline_next_item, parse_marker, sentence_starts};

/// Splits a paragraph that begins with item n of a numbered run where item n+1 follows a full stop
/// in the same paragraph: the source lost the line break there. A paragraph that does not begin
/// with a marker is split before item 1 of a run when item 1 follows a full stop and item 2 opens
/// the next paragraph (…取得了明显成效。一是… / 二是…), or in a text flattened to one line, follows
/// after a later full stop; a paragraph's own list (…。一是…。二是… inside it, 内容有三项:一是…;
/// 二是…) stays.
pub(super) fn restore_lost_line_breaks(lines: Vec<Line>, edits: &mut Vec<Edit>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    let next_starts: Vec<Option<Marker>> = lines
        .iter()
        .skip(1)
        .map(|l| parse_marker(&l.text))
        .chain(std::iter::once(None))
        .collect();
    for (line, next_start) in lines.into_iter().zip(next_starts) {
        let mut rest = line.text.as_str();
        let mut pieces = Vec::new();
        let mut marker = match parse_marker(rest) {
            Some(marker) => marker,
            None => match first_item_inside(rest, next_start.as_ref()) {
                Some((at, marker)) => {
                    pieces.push(rest[..at].trim_end_matches(is_blank).to_string());
                    rest = &rest[at..];
                    marker
                }
                None => {
                    out.push(line);
                    continue;
                }
            },
        };
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

/// A paragraph longer than this is a text flattened to one line, not a paragraph.
const FLATTENED_CHARS: usize = 1500;

/// Where item 1 of a run starts after a full stop inside `paragraph`, when its item 2 opens the next
/// paragraph (`next_start`), or, in a text flattened to one line, follows after a later full stop.
fn first_item_inside(paragraph: &str, next_start: Option<&Marker>) -> Option<(usize, Marker)> {
    // A whole text run into one line: inside it, items 1 and 2 after full stops start points.
    // Inside a paragraph of ordinary length they are the paragraph's own list and stay.
    let flattened = paragraph.chars().count() > FLATTENED_CHARS;
    sentence_starts(paragraph).find_map(|start| {
        let marker = parse_marker(&paragraph[start..]).filter(|m| m.ordinal == 1)?;
        let second_next = next_start.is_some_and(|n| n.family == marker.family && n.ordinal == 2);
        let second_inside =
            flattened && find_inline_next_item(&paragraph[start..], &marker).is_some();
        (second_next || second_inside).then_some((start, marker))
    })
}
