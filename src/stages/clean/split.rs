//! Files that hold several documents, split by their structure and typography, never inside a
//! speech at one of its headings:
//!
//! - a **compilation**: a first line ending in 汇编 / 匯編 (maybe with its count: …汇编4篇, a
//!   （共3篇） line) names the collection; its documents start at their item labels if it has
//!   them, else at each title line (a short line without sentence punctuation over body text);
//! - **item labels** (第1篇, 篇一, 之二) start a document wherever they stand; the label goes, the
//!   title written after it stays;
//! - a **label of appended material** alone on its line after the text (【参考资料】, 【相关阅读】,
//!   【附录】…) starts a document with what follows it;
//! - a **second speaker's label** (徐直军：: a common surname and one or two characters) alone on
//!   its line after prose, once in the file, starts the remarks of that speaker (the label stays,
//!   as the text's own statement of who speaks);
//! - a **speech's own title** after prose (…同志在…上的讲话, …同志的总结讲话) starts that speech.
//!
//! Each split leaves its evidence: the label removed as an edit, or the line the part starts at.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::Line;
use crate::io::raw::is_han;
use crate::model::Edit;
use crate::names::is_personal_name;
use crate::outline::parse_marker;

/// A document title is a short line without sentence punctuation.
const MAX_TITLE_CHARS: usize = 40;
/// A part has said something once it has this many paragraphs of prose.
const MIN_PROSE_BEFORE_LABEL: usize = 2;

static COMPILATION_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{2,80}?(?:汇编|匯編|彙編)(?:\s*共?\s*\d+\s*篇)?)\s*([（(]\s*共?\s*(\d+)\s*篇\s*[）)])?$")
        .unwrap()
});
static PIECE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*共?\s*(\d+)\s*篇\s*[）)]$").unwrap());
/// 第1篇: 2023年支部书记党课讲稿, 篇一, 之二 — with what follows the label.
static PIECE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let n = "[0-9０-９一二三四五六七八九十百]{1,4}";
    Regex::new(&format!(
        r"^(?:第\s*{n}\s*篇|篇\s*{n}|之\s*[一二三四五六七八九十]{{1,3}})(?:\s*[:：、.．]\s*|\s+|$)"
    ))
    .unwrap()
});
static APPENDIX_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^【\s*(参考资料|參考資料|相关阅读|相關閱讀|延伸阅读|延伸閱讀|背景资料|背景資料|相关链接|相關鏈接|附录|附錄)\s*】$")
        .unwrap()
});
/// A speaker's name alone before their remarks: 徐直军：
static SPEAKER_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}·]{2,4}\s*[：:]$").unwrap());
/// A speech's own title: 张三同志在…上的讲话, 李四同志的总结讲话.
static SPEECH_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"同志(在.{2,40}上)?的(总结|總結)?(讲话|講話|发言|發言|致辞|致辭|报告|報告)$")
        .unwrap()
});
static COLUMN_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^【([^】]{1,20})】").unwrap());

/// The file's lines as documents: the collection's name (if it is a compilation) and each
/// document's lines; labels removed are recorded in `edits`.
pub fn split(lines: Vec<Line>, edits: &mut Vec<Edit>) -> (Option<String>, Vec<Vec<Line>>) {
    let (collection, body) = compilation_head(lines, edits);
    let labelled = body.iter().any(|l| PIECE_LABEL.is_match(&l.text));
    let unique_labels = speaker_labels_seen_once(&body);
    let mut parts: Vec<Vec<Line>> = Vec::new();
    let mut prose = 0;
    let mut lines = body.into_iter().peekable();
    while let Some(mut line) = lines.next() {
        let next = lines.peek().map(|l| l.text.as_str());
        let starts = if labelled {
            // Item labels, when the file has them, are the only boundaries.
            take_piece_label(&mut line, edits)
        } else if collection.is_some() {
            is_title_like(&line.text) && next.is_some_and(|n| !is_title_like(n))
        } else {
            prose >= MIN_PROSE_BEFORE_LABEL && starts_appended(&line, next, &unique_labels)
        };
        if starts && APPENDIX_LABEL.is_match(&line.text) {
            edits.push(removed(&line, "appendix_label"));
            parts.push(Vec::new());
            prose = 0;
            continue;
        }
        if starts || parts.is_empty() {
            if !parts.last().is_some_and(Vec::is_empty) {
                parts.push(Vec::new());
            }
            prose = 0;
        }
        if line.text.is_empty() {
            continue;
        }
        prose += is_prose(&line.text) as usize;
        parts.last_mut().expect("a part exists").push(line);
    }
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    (collection, parts)
}

/// A compilation's title line (and a count line under it) taken off, with the collection name.
fn compilation_head(lines: Vec<Line>, edits: &mut Vec<Edit>) -> (Option<String>, Vec<Line>) {
    let Some(caps) = lines
        .first()
        .and_then(|l| COMPILATION_TITLE.captures(&l.text))
    else {
        return (None, lines);
    };
    let collection = caps[1].trim().to_string();
    let mut header = 1;
    edits.push(removed(&lines[0], "collection_title"));
    if let Some(second) = lines.get(1)
        && PIECE_COUNT.is_match(&second.text)
    {
        edits.push(removed(second, "collection_title"));
        header = 2;
    }
    (Some(collection), lines.into_iter().skip(header).collect())
}

/// Whether this line starts a document appended to the one before: a label of appended material
/// over a title, a second speaker's label, or a speech's own title.
fn starts_appended(line: &Line, next: Option<&str>, unique_labels: &[String]) -> bool {
    let text = line.text.as_str();
    let next_is_text = next.is_some_and(|n| !n.is_empty());
    if APPENDIX_LABEL.is_match(text) {
        return next.is_some_and(is_title_like);
    }
    if SPEAKER_LABEL.is_match(text) {
        return unique_labels.iter().any(|l| l == text) && next_is_text;
    }
    is_title_like(text) && SPEECH_TITLE.is_match(text) && next.is_some_and(|n| !is_title_like(n))
}

/// The speaker labels that stand once in the file: an interview repeats its labels (记者：),
/// a second speaker's remarks have one. Salutations (同志们：, 各位代表：) are not labels.
fn speaker_labels_seen_once(lines: &[Line]) -> Vec<String> {
    let mut labels: Vec<&str> = lines
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| SPEAKER_LABEL.is_match(t) && !is_salutation(t) && is_personal_name(t))
        .collect();
    labels.sort_unstable();
    let mut once = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let repeated = labels.get(i + 1) == Some(label) || i > 0 && labels[i - 1] == *label;
        if !repeated {
            once.push(label.to_string());
        }
    }
    once
}

fn is_salutation(text: &str) -> bool {
    let name = text.trim_end_matches(['：', ':']).trim();
    name.ends_with(['们', '們'])
        || ["各位", "尊敬", "亲爱", "親愛", "大家"]
            .iter()
            .any(|p| name.starts_with(p))
        || [
            "代表", "委员", "委員", "来宾", "來賓", "同志", "朋友", "同学", "同學", "老师", "老師",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

/// Takes an item label (第1篇:) off the line; whether there was one. The label is an edit.
fn take_piece_label(line: &mut Line, edits: &mut Vec<Edit>) -> bool {
    let Some(label) = PIECE_LABEL.find(&line.text) else {
        return false;
    };
    let rest = line.text[label.end()..].trim().to_string();
    // 之一 starting a sentence is not a label.
    if !rest.is_empty() && !is_title_like(&rest) {
        return false;
    }
    edits.push(Edit {
        after: (!rest.is_empty()).then(|| rest.clone()),
        ..removed(line, "piece_label")
    });
    line.text = rest;
    true
}

fn removed(line: &Line, rule: &str) -> Edit {
    Edit {
        line: line.number,
        rule: rule.into(),
        before: line.text.clone(),
        after: None,
    }
}

fn is_prose(text: &str) -> bool {
    text.chars().filter(|c| is_han(*c)).count() >= 20 && text.contains(['。', '！', '？'])
}

/// A short line without sentence punctuation or numbering: a title, not prose or a heading.
pub fn is_title_like(text: &str) -> bool {
    text.chars().count() <= MAX_TITLE_CHARS
        && !text.contains(['。', '！', '？', '；', '，', '：', ',', ';'])
        && parse_marker(text).is_none()
        && !COLUMN_TAG.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(texts: &[&str]) -> Vec<usize> {
        let lines = (1..).zip(texts).map(|(number, t)| Line {
            number,
            text: t.to_string(),
        });
        let (_, parts) = split(lines.collect(), &mut Vec::new());
        parts.iter().map(Vec::len).collect()
    }

    const PROSE: &str = "今天，我们召开全市党建工作会议，主要任务是总结去年工作，部署今年任务。";

    #[test]
    fn a_page_of_two_speeches_under_their_own_titles_splits_at_the_second() {
        let page = [
            "张三同志在全市党建工作会议上的讲话",
            "同志们：",
            PROSE,
            PROSE,
            "李四同志的总结讲话",
            PROSE,
        ];
        assert_eq!(parts(&page), [4, 2]);
    }

    #[test]
    fn headings_and_lead_in_clauses_of_one_speech_do_not_split_it() {
        let speech = [
            "在全市党建工作会议上的讲话",
            PROSE,
            PROSE,
            "一、认真学习总书记的重要讲话",
            PROSE,
            "这不是：",
            PROSE,
            "学习总书记的讲话",
            PROSE,
        ];
        assert_eq!(parts(&speech), [9]);
    }
}
