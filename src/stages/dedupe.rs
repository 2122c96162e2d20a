//! Dedupe: one speech is one document, however often it was collected. Exact copies are found by
//! the SHA-256 of a normal form of the cleaned text (white space removed, punctuation width folded),
//! so copies that differ only in encoding, line ends, indentation or web noise are caught. The first
//! copy in the deterministic order (sorted source path, then part) is kept; the others are accounted
//! for in `sources` with the kept document's id. Memory holds one hash per document, never text.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::io::artifact::hex;
use crate::model::Document;

/// The text as the dedupe hash sees it: no white space, full-width ASCII and CJK punctuation folded
/// to one form. The stored text keeps its punctuation; this is for the hash only.
pub fn normal_form(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(fold_width)
        .collect()
}

fn fold_width(c: char) -> char {
    match c {
        // Full-width ASCII variants (！ to ～) map onto ASCII.
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '。' => '.',
        '、' => ',',
        '“' | '”' | '「' | '」' => '"',
        '‘' | '’' => '\'',
        _ => c,
    }
}

/// SHA-256 (hex) of the normal form: the dedupe key and the source of the document id.
pub fn content_hash(text: &str) -> String {
    hex(&Sha256::digest(normal_form(text).as_bytes()))
}

/// Remembers the kept document of every content hash seen so far. Exact dedupe cannot be switched
/// off: document ids come from the content, so two copies would share an id.
#[derive(Default)]
pub struct Deduper {
    kept: HashMap<String, String>,
}

/// What became of one document.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Kept,
    DuplicateOf(String),
}

impl Deduper {
    /// Call in the deterministic order; the first document with a given content is kept.
    pub fn judge(&mut self, doc: &Document) -> Verdict {
        match self.kept.get(&doc.content_hash) {
            Some(first) => Verdict::DuplicateOf(first.clone()),
            None => {
                self.kept
                    .insert(doc.content_hash.clone(), doc.doc_id.clone());
                Verdict::Kept
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_ignores_white_space_and_punctuation_width() {
        assert_eq!(
            content_hash("同志们：\n今天，开会。"),
            content_hash("同志们:  今天,开会.")
        );
        assert_ne!(content_hash("今天开会。"), content_hash("明天开会。"));
    }

    #[test]
    fn first_copy_is_kept() {
        let doc = |id: &str, text: &str| Document {
            doc_id: id.into(),
            content_hash: content_hash(text),
            ..Default::default()
        };
        let mut deduper = Deduper::default();
        assert_eq!(deduper.judge(&doc("a", "今天开会。")), Verdict::Kept);
        assert_eq!(
            deduper.judge(&doc("b", "今天开会.")),
            Verdict::DuplicateOf("a".into())
        );
        assert_eq!(deduper.judge(&doc("c", "明天开会。")), Verdict::Kept);
    }
}
