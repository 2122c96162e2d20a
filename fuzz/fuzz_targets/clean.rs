//! Decoding and cleaning take any bytes: no panic, and what they keep is clean text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::settings::CleanSettings;
use pipeline::stages::clean::Cleaner;

fuzz_target!(|bytes: &[u8]| {
    static CLEANER: std::sync::OnceLock<Cleaner> = std::sync::OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| Cleaner::new(&CleanSettings { min_document_chars: 1, ..Default::default() }));
    if let Ok(cleaned) = cleaner.clean_file("fuzz.txt", bytes) {
        for doc in cleaned.documents {
            assert!(!doc.text.contains('\r') && !doc.text.contains('\0'));
            assert!(doc.text.split('\n').all(|line| !line.is_empty()));
        }
    }
});
