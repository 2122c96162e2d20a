//! Tagging metadata of any text: no panic, and a date it finds is a real date.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::model::Document;
use pipeline::settings::{SegmentSettings, TagSettings};
use pipeline::stages::segment::Segmenter;
use pipeline::stages::tag::Tagger;

fuzz_target!(|bytes: &[u8]| {
    static SETUP: std::sync::OnceLock<(Segmenter, Tagger)> = std::sync::OnceLock::new();
    let (segmenter, tagger) = SETUP.get_or_init(|| {
        (Segmenter::new(&SegmentSettings::default()).unwrap(), Tagger::new(&TagSettings::default()))
    });
    let raw = String::from_utf8_lossy(bytes);
    let text: String = raw.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    let words: Vec<(&str, &str)> = text.split('\n').flat_map(|p| segmenter.words(p)).map(|w| (w.text, w.pos)).collect();
    let mut doc = Document { doc_id: "d".into(), text: text.clone(), ..Default::default() };
    tagger.tag(&mut doc, &words);
    let meta = doc.meta.expect("tagged");
    if let Some(date) = meta.date {
        assert!(date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-', "{date}");
    }
    assert!(meta.body_start as usize <= doc.text.split('\n').count());
});
