//! The notes an editor puts around a speech, which state its date, occasion and speaker when the
//! header does not: a dash-led line under the title (——2017年3月5日在第十二届全国人民代表大会
//! 第五次会议上; ——1994年6月5日，…庆祝酒会…任正非在酒会上致祝酒辞。), the closing note of a
//! republication (※这是习近平总书记2022年10月23日在党的二十届一中全会上的讲话。) and the
//! signature date alone on the last lines (2015年6月9日, 二〇一三年三月十八日), and the head note
//! of a collected-works edition (这是毛泽东在中国共产党第七次全国代表大会上的开幕词。).

use std::sync::LazyLock;

use regex::Regex;

use super::date::{DATE_LINE, FULL_DATE, HAN_DATE, parse_full_date};
use super::header::Header;
use super::sentence_around;

/// The closing note's statement: 这是(who)(date)在(occasion)上的讲话, …时讲话的主要部分.
static CLOSING_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"这是[^。！？]{0,30}?(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*在([^。！？]{2,60}?)(?:上|时)的?(?:重要)?(?:讲话|报告|致辞|发言|谈话|演讲)")
        .unwrap()
});
/// A person named in a note as the one who spoke: 任正非在酒会上致祝酒辞.
static NOTE_SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[，。；、\s])(\p{Han}{2,3}?)(?:同志)?在[^，。；]{1,30}?(?:上|时)?(?:致|发表|作|讲)",
    )
    .unwrap()
});

/// The head note of a collected-works edition, opening the text: 这是(who)在(occasion)上的开幕词 /
/// 所作的报告 / 的讲话.
static HEAD_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^这是(\p{Han}{2,4}?)(?:同志)?在([^。！？，]{2,60}?)(?:上|时)(?:所作|作)?的?(?:重要)?(?:讲话|报告|开幕词|闭幕词|演说|讲演|发言|致辞|谈话|结论)")
        .unwrap()
});

/// Paragraphs a head note may stand in: the title, a date line, the note.
const HEAD_NOTE_PARAGRAPHS: usize = 5;

/// The head note among the first paragraphs: the speaker it names, the occasion and its sentence.
pub(super) fn head_note(paragraphs: &[&str]) -> Option<(String, String, String)> {
    paragraphs.iter().take(HEAD_NOTE_PARAGRAPHS).find_map(|p| {
        let c = HEAD_NOTE.captures(p)?;
        let name = &c[1];
        crate::names::is_personal_name(name).then(|| {
            let sentence = sentence_around(p, 0);
            (name.to_string(), c[2].trim().to_string(), sentence)
        })
    })
}

/// The dash-led note under the title: a header line, or the first paragraph of the body, that
/// starts with a dash.
pub(super) fn dash_note<'a>(paragraphs: &[&'a str], header: &Header) -> Option<&'a str> {
    paragraphs
        .iter()
        .take(header.body_start + 1)
        .copied()
        .find(|p| p.starts_with(['—', '－']))
}

/// The date a dash note starts with (——2017年3月5日在…), the note as its evidence.
pub(super) fn dash_note_date<'a>(
    paragraphs: &[&'a str],
    header: &Header,
) -> Option<(String, &'a str)> {
    let note = dash_note(paragraphs, header)?;
    let rest = note.trim_start_matches(['—', '－', ' ', '　']);
    let head: String = rest.chars().take(16).collect();
    let at_start = |re: &Regex| re.find(&head).is_some_and(|m| m.start() == 0);
    if !at_start(&FULL_DATE) && !at_start(&HAN_DATE) {
        return None;
    }
    Some((parse_full_date(&head)?, note))
}

/// The speaker a dash note names (任正非在酒会上致祝酒辞), with the sentence naming them.
pub(super) fn dash_note_speaker(paragraphs: &[&str], header: &Header) -> Option<(String, String)> {
    let note = dash_note(paragraphs, header)?;
    let c = NOTE_SPEAKER.captures(note)?;
    let name = super::header::name_before_verb(&c[1])?;
    Some((name.to_string(), sentence_around(note, c.get(1)?.start())))
}

/// The closing note's date and occasion, with its sentence.
pub(super) fn closing_note(paragraphs: &[&str]) -> Option<(String, String, String)> {
    paragraphs.iter().rev().take(2).find_map(|p| {
        let c = CLOSING_NOTE.captures(p)?;
        let date = parse_full_date(&c[1])?;
        let sentence = sentence_around(p, c.get(0)?.start());
        Some((date, c[2].trim().to_string(), sentence))
    })
}

/// The signature date alone on one of the last three lines (after the signatory's name).
pub(super) fn signature_date<'a>(paragraphs: &[&'a str]) -> Option<(String, &'a str)> {
    paragraphs
        .iter()
        .rev()
        .take(3)
        .find(|p| DATE_LINE.is_match(p))
        .and_then(|p| Some((parse_full_date(p)?, *p)))
}
