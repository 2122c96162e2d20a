//! Tagging metadata of any text: no panic, and a date it finds is a real date.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::model::Document;
use pipeline::settings::{SegmentSettings, TagSettings};
use pipeline::stages::segment::Segmenter;
use pipeline::stages::tag::{TokenFacts, Tagger};

fuzz_target!(|bytes: &[u8]| {
    static SETUP: std::sync::OnceLock<(Segmenter, Tagger)> = std::sync::OnceLock::new();
    let (segmenter, tagger) = SETUP.get_or_init(|| {
        (Segmenter::new(&SegmentSettings::default()).unwrap(), Tagger::new(&TagSettings::default()))
    });
    let raw = String::from_utf8_lossy(bytes);
    let text: String = raw.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    let mut doc = Document { doc_id: "d".into(), text, ..Default::default() };
    tagger.tag(&mut doc, segmenter.jieba(), &TokenFacts::default());
    let meta = doc.meta.expect("tagged");
    if let Some(date) = meta.date {
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-', "{date}");
    }
    assert!(meta.body_start as usize <= doc.text.split('\n').count());
});
