//! The occasion: the meeting a speech was given at, named by its title (在…上的讲话), by the
//! sentence of the opening that convenes it (今天我们召开…会议), or by the collection's title.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::sentence_around;
use crate::model::{Document, Metadata};

/// The opening sentence that convenes the meeting: 今天我们召开…会议, 隆重举行…奠基仪式. What it
/// convenes is named, not described (…召开的一次十分重要的大会 is no name); a name may join its
/// parts with 、 (党代表、人大代表换届选举工作部署大会). A report names the congress it is made to
/// (我代表国务院，向第四届全国人民代表大会作政府工作报告).
pub(super) static OPENING_MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:召开|举行|举办|开展)(?:了)?(?:这次|本次)?([^，。；、：！？\s的][^，。；：！？\s]{1,59}?(?:会议|大会|座谈会|会|仪式|典礼))|向([^，。；、：！？\s的][^，。；：！？\s]{3,40}?(?:会议|大会|全会))(?:作|做)")
        .unwrap()
});
pub(super) static TITLE_MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"在(.{2,60}?)(?:上|时)的(?:总结)?(?:讲话|发言|报告|致辞|党课)|在(.{2,60}?(?:会议|大会|学习|典礼|仪式|座谈会|论坛))(?:上|时|的(?:总结)?(?:讲话|发言|报告|致辞|党课))")
        .unwrap()
});
pub(super) static COLLECTION_MEETING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{2,40}?(?:会议|大会|座谈会|会))").unwrap());

/// The occasion: the title's "在…上的讲话" (else a closing note's) or the opening's "召开…会议"
/// (the opening's when it says more of the same), else the collection's.
pub(super) fn occasion(
    doc: &Document,
    paragraphs: &[&str],
    body: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    let opening = super::opening(body).join("\n");
    let from_title = meta
        .title
        .as_deref()
        .and_then(|t| TITLE_MEETING.captures(t))
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str().to_string());
    let from_opening = OPENING_MEETING.captures(&opening).map(|c| {
        let at = c.get(0).expect("a match").start();
        let named = c.get(1).or(c.get(2)).expect("a name");
        (named.as_str().to_string(), sentence_around(&opening, at))
    });
    // A closing note stating where the speech was given (这是…在党的二十届一中全会上的讲话).
    let from_title = from_title.map(|t| (t, evidence.get("title").cloned()));
    // Or an edition's head note (这是毛泽东在中国共产党第七次全国代表大会上的开幕词).
    let from_title = from_title
        .or_else(|| {
            super::notes::closing_note(paragraphs)
                .map(|(_, named, sentence)| (named, Some(sentence)))
        })
        .or_else(|| {
            super::notes::head_note(paragraphs).map(|(_, named, sentence)| (named, Some(sentence)))
        });
    // Both name it: the opening's when it says more of the same (2020年全市…会议 for the title's
    // 全市…会议), else the title's, the text's own statement of its occasion.
    let opening_says_more = match (&from_title, &from_opening) {
        (Some((title, _)), Some((named, _))) => named.contains(title.as_str()),
        (None, Some(_)) => true,
        _ => false,
    };
    if let (true, Some((named, sentence))) = (opening_says_more, &from_opening) {
        meta.occasion = Some(named.clone());
        evidence.insert("occasion".into(), sentence.clone());
    } else if let Some((named, shown_by)) = from_title {
        meta.occasion = Some(named);
        evidence.insert("occasion".into(), shown_by.unwrap_or_default());
    } else if let Some(c) = doc
        .collection
        .as_deref()
        .and_then(|t| COLLECTION_MEETING.captures(t))
    {
        meta.occasion = Some(c[1].to_string());
        evidence.insert(
            "occasion".into(),
            doc.collection.clone().unwrap_or_default(),
        );
    }
}
