//! An annotated edition's notes: a collected-works text (毛选 and the like, kept as Markdown or plain
//! text) ends with a notes section — a 注释 heading (or 注 / 释 set on two lines), then lines that
//! each open with a note's number (`[1] …`, `〔1〕 …`) — and carries the note numbers in its sentences
//! (`筹备会[1]，`, `写了书的⑴；`). The notes are the editor's words, not the speaker's, so both go.
//!
//! A marker in a sentence is taken for a note reference only when the notes section defines its
//! number: without such a section `⑴` or `[2]` is the text's own (an outline item, a citation).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::rules::Line;
use crate::model::Edit;

static NOTES_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(注释|註釋|注解|註解|注文)[:：]?$").unwrap());
/// A note: its number as `[1]`, `［1］`, `〔1〕`, `⑴` or `①`, then its text.
static NOTE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\[(\d{1,3})\]|［(\d{1,3})］|〔(\d{1,3})〕|([⑴-⒇])|([①-⑳]))\s*\S").unwrap()
});
/// A note's number inside a sentence.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(\d{1,3})\]|［(\d{1,3})］|〔(\d{1,3})〕|([⑴-⒇])|([①-⑳])").unwrap()
});

/// The number a marker's captures stand for.
fn number(c: &regex::Captures) -> Option<u32> {
    if let Some(digits) = c.get(1).or(c.get(2)).or(c.get(3)) {
        return digits.as_str().parse().ok();
    }
    let (mark, first) = match (c.get(4), c.get(5)) {
        (Some(m), _) => (m, '⑴'),
        (_, Some(m)) => (m, '①'),
        _ => return None,
    };
    let c = mark.as_str().chars().next()?;
    Some(c as u32 - first as u32 + 1)
}

/// Where the notes section starts and how many lines its heading takes.
fn notes_heading(lines: &[Line]) -> Option<(usize, usize)> {
    let text = |i: usize| lines.get(i).map(|l| l.text.trim());
    (lines.len() / 2..lines.len()).rev().find_map(|i| {
        let heading = match (text(i), text(i + 1)) {
            (Some("注"), Some("释" | "釋")) => 2,
            (Some(t), _) if NOTES_HEADING.is_match(t) => 1,
            _ => return None,
        };
        // The line after the heading is a note.
        let first = text(i + heading)?;
        NOTE_LINE.is_match(first).then_some((i, heading))
    })
}

/// Removes the notes section at the end of `lines` and the markers in the text that refer to it.
pub(super) fn remove_notes(mut lines: Vec<Line>, edits: &mut Vec<Edit>) -> Vec<Line> {
    let Some((start, _)) = notes_heading(&lines) else {
        return lines;
    };
    let notes = lines.split_off(start);
    let defined: BTreeSet<u32> = notes
        .iter()
        .filter_map(|l| NOTE_LINE.captures(l.text.trim()).and_then(|c| number(&c)))
        .collect();
    for note in notes {
        edits.push(Edit {
            line: note.number,
            rule: "editor_notes".into(),
            before: note.text,
            after: None,
        });
    }
    for line in &mut lines {
        let mut changed = false;
        let cleaned = MARKER.replace_all(&line.text, |c: &regex::Captures| {
            let at_start = c.get(0).is_some_and(|m| m.start() == 0);
            match number(c).filter(|n| !at_start && defined.contains(n)) {
                Some(_) => {
                    changed = true;
                    String::new()
                }
                None => c[0].to_string(),
            }
        });
        if changed {
            let cleaned = cleaned.into_owned();
            edits.push(Edit {
                line: line.number,
                rule: "note_markers".into(),
                before: std::mem::replace(&mut line.text, cleaned.clone()),
                after: Some(cleaned),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        (1..)
            .zip(texts)
            .map(|(number, text)| Line {
                number,
                text: text.to_string(),
            })
            .collect()
    }

    #[test]
    fn without_a_notes_section_markers_are_the_texts_own() {
        let text = lines(&[
            "我讲三点：",
            "⑴ 加强学习。",
            "见文件[2]。",
            "注",
            "意安全。",
        ]);
        let mut edits = Vec::new();
        let kept = remove_notes(text, &mut edits);
        assert_eq!(kept.len(), 5);
        assert!(edits.is_empty());
    }
}
