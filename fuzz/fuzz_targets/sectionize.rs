//! Sectionizing any text: no panic, spans nest and cover the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::model::{Document, Metadata};
use pipeline::settings::SectionizeSettings;
use pipeline::stages::sectionize::Sectionizer;

fuzz_target!(|bytes: &[u8]| {
    let raw = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = raw.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return;
    }
    let text = lines.join("\n");
    let doc = Document { doc_id: "d".into(), text, meta: Some(Metadata::default()), ..Default::default() };
    let sections = Sectionizer::new(&SectionizeSettings::default()).sectionize(&doc);
    let length = doc.text.chars().count() as u32;
    let top: Vec<_> = sections.iter().filter(|s| s.parent_id.is_none()).collect();
    assert_eq!(top.first().map(|s| s.char_start), Some(0));
    assert_eq!(top.last().map(|s| s.char_end), Some(length));
    for s in &sections {
        assert!(s.char_start <= s.body_start && s.body_start <= s.body_end && s.body_end <= s.char_end);
    }
});
