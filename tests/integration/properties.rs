//! Property tests: on arbitrary input the stages never panic and their invariants hold. Documents
//! are built from pieces that matter here (numbering markers, seed sentences, salutations, dates,
//! noise, odd white space and punctuation) in random order, plus raw random bytes.

use crate::common::document;
use pipeline::schema::{DocumentTokens, SegmentColumns};
use pipeline::settings::{CleanSettings, SectionizeSettings, SegmentSettings};
use pipeline::stages::clean::Cleaner;
use pipeline::stages::sectionize::{Sectionizer, innermost_section};
use pipeline::stages::segment::Segmenter;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "一、",
    "二、",
    "三、",
    "（一）",
    "（二）",
    "1.",
    "2.",
    "（1）",
    "第一，",
    "第二，",
    "一是",
    "二是",
    "三要",
    "第一个",
    "同志们：",
    "同志们，",
    "今天我们召开机关党建工作会议。",
    "要坚持从严治党，",
    "1.5亿元",
    "（2015年11月12日）",
    "首页>学习之窗",
    "##paidbegin##",
    "未标题-2.jpg",
    "，",
    ",",
    ":",
    "。",
    "！",
    "“",
    "”",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "X",
    "XXX",
    "哒哒君",
    "abc-1_2",
    "3-4件",
    "汇编",
    "（2篇）",
    "正月初七",
    "2020年",
    "在全市机关党的工作会议上的讲话",
];

fn text_from(picks: &[usize]) -> String {
    picks.iter().map(|i| PIECES[i % PIECES.len()]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Decoding and cleaning take any bytes without panicking; what they keep is clean text.
    #[test]
    fn clean_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let cleaner = Cleaner::new(&CleanSettings::default());
        if let Ok(cleaned) = cleaner.clean_file("x.txt", &bytes) {
            for doc in cleaned.documents {
                prop_assert!(!doc.text.contains('\r') && !doc.text.contains('\0'));
                prop_assert!(doc.text.split('\n').all(|l| !l.is_empty()));
            }
        }
    }

    /// Cleaning documents made of meaningful pieces gives lines without blank or indented ones,
    /// each document a stable id.
    #[test]
    fn cleaned_lines_are_trimmed_and_non_empty(picks in proptest::collection::vec(0usize..1000, 0..200)) {
        let text = text_from(&picks);
        let cleaner = Cleaner::new(&CleanSettings { min_document_chars: 1, ..CleanSettings::default() });
        if let Ok(cleaned) = cleaner.clean_file("x.txt", text.as_bytes()) {
            for doc in cleaned.documents {
                for line in doc.text.split('\n') {
                    prop_assert!(!line.is_empty());
                    prop_assert_eq!(line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}'), line);
                }
                prop_assert_eq!(&doc.doc_id, &pipeline::stages::dedupe::content_hash(&doc.text)[..16]);
            }
        }
    }

    /// Every line cleaning did not keep as it was is accounted for by an edit naming its rule
    /// (removed or changed), on pieces that matter and on any text.
    #[test]
    fn every_line_not_kept_as_it_was_has_an_edit(picks in proptest::collection::vec(0usize..1000, 0..120), noise in "\\PC{0,80}") {
        let text = text_from(&picks) + &noise;
        let cleaner = Cleaner::new(&CleanSettings { min_document_chars: 1, ..CleanSettings::default() });
        if let Ok(cleaned) = cleaner.clean_file("x.txt", text.as_bytes()) {
            let kept: std::collections::HashSet<&str> = cleaned.documents.iter().flat_map(|d| d.text.lines()).collect();
            let edited: std::collections::HashSet<u32> = cleaned.documents.iter().flat_map(|d| d.edits.iter().map(|e| e.line)).collect();
            let decoded = text.replace("\r\n", "\n").replace('\r', "\n");
            for (i, line) in decoded.split('\n').enumerate() {
                let line = line.replace('\0', "");
                let line = line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{3000}' | '\u{feff}' | '\u{a0}'));
                if !line.is_empty() && !kept.contains(line) {
                    prop_assert!(edited.contains(&(i as u32 + 1)), "line {}: {:?} neither kept nor edited", i + 1, line);
                }
                for edit in cleaned.documents.iter().flat_map(|d| &d.edits) {
                    prop_assert!(!edit.rule.is_empty());
                }
            }
        }
    }

    /// Sections nest inside their parents, top-level sections cover the text end to end, and every
    /// position has an innermost section that holds it.
    #[test]
    fn sections_nest_and_cover_the_text(picks in proptest::collection::vec(0usize..1000, 1..200)) {
        let raw = text_from(&picks);
        let lines: Vec<&str> = raw.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect();
        prop_assume!(!lines.is_empty());
        let text = lines.join("\n");
        let sections = Sectionizer::new(&SectionizeSettings::default()).sectionize(&document(&text));
        let length = text.chars().count() as u32;
        let top: Vec<_> = sections.iter().filter(|s| s.parent_id.is_none()).collect();
        prop_assert_eq!(top.first().unwrap().char_start, 0);
        prop_assert_eq!(top.last().unwrap().char_end, length);
        for pair in top.windows(2) {
            prop_assert_eq!(pair[0].char_end, pair[1].char_start);
        }
        for s in &sections {
            prop_assert!(s.char_start <= s.body_start && s.body_start <= s.body_end && s.body_end <= s.char_end);
            if let Some(parent) = &s.parent_id {
                let p = sections.iter().find(|x| &x.section_id == parent).unwrap();
                prop_assert!(p.char_start <= s.char_start && s.char_end <= p.char_end);
                prop_assert_eq!(p.level + 1, s.level);
            }
        }
        for at in 0..length {
            let s = &sections[innermost_section(&sections, at)];
            prop_assert!(s.char_start <= at && at < s.char_end);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Token spans give back the token; the tokens of a paragraph, joined, give back the paragraph
    /// without its white space.
    #[test]
    fn tokens_give_back_their_paragraphs(picks in proptest::collection::vec(0usize..1000, 1..120)) {
        let raw = text_from(&picks);
        let lines: Vec<&str> = raw.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect();
        prop_assume!(!lines.is_empty());
        let text = lines.join("\n");
        let segmenter = segmenter();
        // Through the segment stage's artifact format and back.
        let mut columns = SegmentColumns::default();
        columns.append(&segmenter.segment(&document(&text))).unwrap();
        let batch = columns.finish().unwrap();
        let tokens = DocumentTokens::from_batch(&batch).unwrap().remove(0);
        let words = tokens.words(&text).expect("spans fit the text");
        let mut rebuilt = vec![String::new(); lines.len()];
        for (i, word) in words.iter().enumerate() {
            prop_assert!(!word.trim().is_empty());
            rebuilt[tokens.paragraph.value(i) as usize].push_str(word);
        }
        for (line, got) in lines.iter().zip(&rebuilt) {
            let expected: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(&expected, got);
        }
    }
}

/// One segmenter for all cases: loading the dictionary is the slow part.
fn segmenter() -> &'static Segmenter {
    static SEGMENTER: std::sync::OnceLock<Segmenter> = std::sync::OnceLock::new();
    SEGMENTER.get_or_init(|| Segmenter::new(&SegmentSettings::default()).unwrap())
}
