//! Chrome that is a block of lines rather than one line, judged by the shape of the block and
//! where it stands, not by its wording:
//!
//! - a **column of fragments above the text**: document-sharing sites print their widgets (a
//!   VIP badge, the upload date, a view count, the file size, the page count) or the uploaded
//!   file's name split into one word per line between the page title and the text. Four or more
//!   very short lines in a row (at most four Han characters each, no punctuation) before the first
//!   paragraph of prose are not a title (its pieces are longer, and at most two or three lines),
//!   nor a byline.
//! - a **record header**: document databases, archives and feeds put labelled fields before the
//!   text (标题：…, 【作者】…, 日期：…, 来源：…, 分类：…). Two or more such lines in a row above the first
//!   prose are a header of fields, not the text; clean keeps the fields as page facts.
//! - a **site notice**: a label line (温馨提示, 免责声明, 下载说明…) followed by its numbered notes,
//!   which are sentences and would pass any line rule; the block ends where the numbering does.

use std::sync::LazyLock;

use regex::Regex;

use crate::io::raw::is_han;
use crate::outline::parse_marker;

/// The labels of a record's fields, as databases, archives and feeds name them.
const RECORD_LABELS: &str = "标题|標題|题目|題目|原标题|作者|作\\s*者|日期|时间|時間|发布时间|發布時間|发布日期|發布日期|成文日期|归档日期|來源|来源|出处|出處|分类|分類|类别|類別|栏目|欄目|语言|語言|关键词|關鍵詞|关键字|标签|標籤|文号|发文字号|发文机关|责任编辑|責任編輯|新闻数量|索引号|主题词";

/// A field of a record header, label and value: 作者：李四, 【日期】2019-05-17.
pub static RECORD_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:【\s*({RECORD_LABELS})\s*】|({RECORD_LABELS})\s*[:：])\s*(.{{0,60}})$"
    ))
    .unwrap()
});
/// A record header has at least this many fields in a row.
const MIN_RECORD_FIELDS: usize = 2;

/// A fragment of a widget column is at most this many characters, of which at most
/// `FRAGMENT_HAN` Han characters (a title's piece or a byline has more).
const FRAGMENT_CHARS: usize = 12;
const FRAGMENT_HAN: usize = 4;
/// A column of fragments has at least this many lines.
const MIN_FRAGMENTS: usize = 4;

/// For each paragraph, the rule that removes it as part of a block, or `None`.
pub fn judge(paragraphs: &[(u32, String)]) -> Vec<Option<&'static str>> {
    let mut verdicts = vec![None; paragraphs.len()];
    notices(paragraphs, &mut verdicts);
    let field = |text: &str| RECORD_FIELD.is_match(text);
    mark_runs_above_text(
        paragraphs,
        &mut verdicts,
        field,
        MIN_RECORD_FIELDS,
        "record_header",
    );
    mark_runs_above_text(
        paragraphs,
        &mut verdicts,
        is_fragment,
        MIN_FRAGMENTS,
        "header_fragments",
    );
    verdicts
}

/// Prose: a paragraph long enough to say something, with sentence punctuation in it.
fn is_prose(text: &str) -> bool {
    text.chars().filter(|c| is_han(*c)).count() >= 20 && text.contains(['。', '，', '！', '？'])
}

/// A very short line with no punctuation at all (a widget's label or value, a word of a split
/// file name).
fn is_fragment(text: &str) -> bool {
    text.chars().count() <= FRAGMENT_CHARS
        && text.chars().filter(|c| is_han(*c)).count() <= FRAGMENT_HAN
        && !text.contains([
            '。', '，', '！', '？', '；', '：', '、', ',', ':', ';', '!', '?', '（', '(',
        ])
        && parse_marker(text).is_none()
}

/// Marks each run of at least `min` lines of a kind (`member`) above the first prose paragraph
/// (lines already judged, such as a site notice, are not prose) as removed by `rule`.
fn mark_runs_above_text(
    paragraphs: &[(u32, String)],
    verdicts: &mut [Option<&'static str>],
    member: impl Fn(&str) -> bool,
    min: usize,
    rule: &'static str,
) {
    let header_end = (0..paragraphs.len())
        .find(|&i| verdicts[i].is_none() && is_prose(&paragraphs[i].1))
        .unwrap_or(paragraphs.len());
    let mut start = 0;
    while start < header_end {
        let end = (start..header_end)
            .find(|&i| !member(&paragraphs[i].1))
            .unwrap_or(header_end);
        if end - start >= min {
            for verdict in &mut verdicts[start..end] {
                *verdict = Some(rule);
            }
        }
        start = end + 1;
    }
}

/// The label of a site's notice to its readers, alone on its line.
fn is_notice_label(text: &str) -> bool {
    let label = text.trim_end_matches(['：', ':']);
    matches!(
        label,
        "温馨提示"
            | "溫馨提示"
            | "特别提示"
            | "特別提示"
            | "友情提示"
            | "免责声明"
            | "免責聲明"
            | "下载说明"
            | "下載說明"
            | "下载须知"
            | "下載須知"
            | "阅读须知"
            | "閱讀須知"
    )
}

fn notices(paragraphs: &[(u32, String)], verdicts: &mut [Option<&'static str>]) {
    let mut i = 0;
    while i < paragraphs.len() {
        if !is_notice_label(&paragraphs[i].1) {
            i += 1;
            continue;
        }
        verdicts[i] = Some("site_notice");
        // The notes: items numbered 1, 2, 3… right under the label.
        let mut expected = 1;
        let mut j = i + 1;
        while let Some((_, text)) = paragraphs.get(j) {
            match parse_marker(text) {
                Some(marker) if marker.ordinal == expected => {
                    verdicts[j] = Some("site_notice");
                    expected += 1;
                    j += 1;
                }
                _ => break,
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(lines: &[&str]) -> Vec<bool> {
        let paragraphs: Vec<(u32, String)> =
            (1..).zip(lines.iter().map(|l| l.to_string())).collect();
        judge(&paragraphs).iter().map(Option::is_some).collect()
    }

    #[test]
    fn a_title_byline_and_date_above_the_text_stay() {
        let head = [
            "在全市党建工作会议上的讲话",
            "张三",
            "2019年3月5日",
            "同志们：",
            "今天，我们召开全市党建工作会议，主要任务是总结去年工作，部署今年任务。",
        ];
        assert_eq!(removed(&head), [false; 5]);
    }

    #[test]
    fn a_header_of_labelled_fields_goes_and_one_label_alone_stays() {
        let text = "今天，我们召开全市党建工作会议，主要任务是总结去年工作，部署今年任务。";
        let lines = [
            "【标题】在全市党建工作会议上的讲话",
            "【作者】张三",
            "【日期】19980517",
            text,
        ];
        assert_eq!(removed(&lines), [true, true, true, false]);
        let lines = ["在全市党建工作会议上的讲话", "时间：2019年3月5日", text];
        assert_eq!(removed(&lines), [false, false, false]);
    }

    #[test]
    fn a_numbered_list_without_a_notice_label_stays() {
        let lines = ["1. 严格遵守纪律。", "2. 认真学习。"];
        assert_eq!(removed(&lines), [false, false]);
    }
}
