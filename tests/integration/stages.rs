//! One conformance check run against every stage's work on one text: the empty text, white space
//! only, mixed scripts and control characters, and any text at all (proptest). No stage may panic,
//! and what each returns must be valid for the next (clean: trimmed non-empty lines, ids from the
//! content; dedupe: a signature of the set length, the same for the same text; segment: spans that
//! lie in the text; tag: a real date and a header inside the text; sectionize: sections that nest
//! and cover the text). A new stage gets a `conformance!` line here.

use crate::common::document;
use pipeline::settings::{
    CleanSettings, DedupeSettings, SectionizeSettings, SegmentSettings, TagSettings,
};
use pipeline::stages::clean::Cleaner;
use pipeline::stages::dedupe::{Signer, content_hash};
use pipeline::stages::sectionize::{Sectionizer, innermost_section};
use pipeline::stages::segment::Segmenter;
use pipeline::stages::tag::Tagger;
use proptest::prelude::*;

/// Generates the conformance tests of one stage from a check of one text.
macro_rules! conformance {
    ($stage:ident, $check:expr) => {
        mod $stage {
            use super::*;

            #[test]
            fn empty_text() {
                ($check)("");
            }

            #[test]
            fn white_space_only() {
                ($check)(" \u{3000}\t\n\r\n\u{a0}\u{feff}\n");
            }

            #[test]
            fn mixed_scripts_and_controls() {
                ($check)(MIXED);
            }

            proptest! {
                #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
                #[test]
                fn any_text(text in "\\PC{0,300}") {
                    ($check)(&text);
                }
            }
        }
    };
}

/// Han, Latin, Cyrillic, Arabic, emoji, combining marks, full-width forms, numbering markers,
/// NUL and other control characters.
const MIXED: &str = "一、总体要求\nThe Party's 二十大 report，Москва، مرحبا 🇨🇳👍🏽\n\
    e\u{301}\u{200d}\u{0}\u{7}（一）ＡＢＣ１２３\r第一，XXX同志在*、*会议上的讲话。\n\n1. ①其一";

/// A text as the clean stage hands it on: lines trimmed, none empty.
fn as_cleaned(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn segmenter() -> &'static Segmenter {
    static SEGMENTER: std::sync::OnceLock<Segmenter> = std::sync::OnceLock::new();
    SEGMENTER.get_or_init(|| Segmenter::new(&SegmentSettings::default()).unwrap())
}

/// The words of a cleaned text, as segment hands them to tag.
fn words(text: &str) -> Vec<(&str, &str)> {
    text.split('\n')
        .flat_map(|p| segmenter().words(p))
        .map(|w| (w.text, w.pos))
        .collect()
}

conformance!(clean, |text: &str| {
    let cleaner = Cleaner::new(&CleanSettings {
        min_document_chars: 1,
        ..CleanSettings::default()
    });
    match cleaner.clean_file("t.txt", text.as_bytes()) {
        Ok(cleaned) => {
            assert!(!cleaned.documents.is_empty());
            for doc in cleaned.documents {
                assert!(!doc.text.contains(['\r', '\0']), "{:?}", doc.text);
                assert!(doc.text.split('\n').all(|l| !l.is_empty() && l.trim() == l));
                assert_eq!(doc.doc_id, content_hash(&doc.text)[..16]);
            }
        }
        // A refusal says why.
        Err(reason) => assert!(!reason.is_empty()),
    }
});

conformance!(dedupe, |text: &str| {
    let settings = DedupeSettings::default();
    let signer = Signer::new(&settings);
    let signature = signer.signature(text);
    assert_eq!(signature.len(), settings.bands * settings.band_width);
    assert_eq!(signature, signer.signature(text));
    assert_eq!(content_hash(text), content_hash(text));
});

conformance!(segment, |text: &str| {
    let text = as_cleaned(text);
    let length = text.chars().count() as i32;
    let segmented = segmenter().segment(&document(&text));
    let spans = segmented.char_start.iter().zip(&segmented.char_end);
    for (start, end) in spans {
        assert!(
            0 <= *start && start < end && *end <= length,
            "{start}..{end} of {length}"
        );
    }
    let paragraphs = text.split('\n').count() as i32;
    assert!(segmented.paragraph.iter().all(|p| *p < paragraphs));
});

conformance!(tag, |text: &str| {
    let text = as_cleaned(text);
    let tagger = Tagger::new(&TagSettings::default());
    let mut doc = document(&text);
    tagger.tag(&mut doc, &words(&text));
    let meta = doc.meta.expect("tagged");
    if let Some(date) = &meta.date {
        assert!(
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
            "{date}"
        );
    }
    assert!(meta.body_start as usize <= text.split('\n').count());
    assert_eq!(meta.paragraph_count as usize, text.split('\n').count());
});

conformance!(sectionize, |text: &str| {
    let text = as_cleaned(text);
    let sections = Sectionizer::new(&SectionizeSettings::default()).sectionize(&document(&text));
    let length = text.chars().count() as u32;
    let top: Vec<_> = sections.iter().filter(|s| s.parent_id.is_none()).collect();
    assert_eq!(top.first().expect("a section").char_start, 0);
    assert_eq!(top.last().unwrap().char_end, length);
    for s in &sections {
        assert!(s.char_start <= s.body_start && s.body_start <= s.body_end);
        assert!(s.body_end <= s.char_end && s.char_end <= length);
    }
    for at in 0..length {
        let s = &sections[innermost_section(&sections, at)];
        assert!(s.char_start <= at && at < s.char_end);
    }
});
