//! Segment: each paragraph of a document cut into words with part-of-speech tags by jieba, with
//! the built-in domain dictionary (Party-building and government terms) on top so that such terms
//! stay whole. Sentences are numbered within the document; every token keeps its code-point span
//! in the document text. White space is never a token.

use std::io::BufReader;

use jieba_rs::Jieba;

use crate::error::{Error, Result};
use crate::model::Document;
use crate::schema::TokenColumns;
use crate::settings::SegmentSettings;

/// The built-in domain dictionary, in jieba's format (word freq tag).
pub const DOMAIN_DICTIONARY: &str = include_str!("../data/domain_dict.txt");

/// Punctuation that ends a sentence.
const SENTENCE_END: &[&str] = &["。", "！", "？", "；", "…", "……", "!", "?", ";"];
/// Closing marks that stay with the sentence they close.
const CLOSING: &[char] = &['”', '’', '」', '』', '》', '）', ')', '"', '\''];

/// One jieba instance, built once and shared by all threads.
pub struct Segmenter {
    jieba: Jieba,
    hmm: bool,
}

impl Segmenter {
    pub fn new(settings: &SegmentSettings) -> Result<Self> {
        let mut jieba = Jieba::new();
        if settings.domain_dictionary {
            jieba
                .load_dict(&mut DOMAIN_DICTIONARY.as_bytes())
                .map_err(|e| Error::Stage {
                    stage: "segment",
                    reason: format!("built-in domain dictionary: {e}"),
                })?;
        }
        for path in &settings.user_dictionaries {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            jieba
                .load_dict(&mut BufReader::new(file))
                .map_err(|e| Error::BadFile {
                    path: path.into(),
                    reason: format!("not a jieba dictionary: {e}"),
                })?;
        }
        Ok(Segmenter {
            jieba,
            hmm: settings.hmm,
        })
    }

    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// All tokens of one document, in order.
    pub fn segment(&self, doc: &Document) -> TokenColumns {
        let mut out = TokenColumns::default();
        let mut paragraph_start = 0usize; // code points
        let mut sentence = 0i32;
        let mut position = 0i32;
        for (paragraph, text) in doc.paragraphs().enumerate() {
            let tags = self.jieba.tag(text, self.hmm);
            let mut sentence_open = false;
            for (i, tag) in tags.iter().enumerate() {
                if tag.word.chars().all(char::is_whitespace) {
                    continue;
                }
                out.doc_id.push(doc.doc_id.clone());
                out.paragraph.push(paragraph as i32);
                out.sentence.push(sentence);
                out.position.push(position);
                out.token.push(tag.word.to_string());
                out.pos.push(tag.tag.to_string());
                out.char_start.push((paragraph_start + tag.start) as i32);
                out.char_end.push((paragraph_start + tag.end) as i32);
                out.is_punct.push(is_punctuation(tag.word));
                position += 1;
                sentence_open = true;
                let next_closes = tags
                    .get(i + 1)
                    .is_some_and(|next| next.word.starts_with(CLOSING));
                let ends = SENTENCE_END.contains(&tag.word)
                    || tag.word.starts_with(CLOSING) && ends_after_closing(&tags[..=i]);
                if ends && !next_closes {
                    sentence += 1;
                    sentence_open = false;
                }
            }
            if sentence_open {
                sentence += 1;
            }
            paragraph_start += text.chars().count() + 1;
        }
        out
    }
}

/// A closing mark ends the sentence when the mark before it (past other closing marks) does.
fn ends_after_closing(tags: &[jieba_rs::Tag<'_>]) -> bool {
    tags.iter()
        .rev()
        .skip(1)
        .find(|t| !t.word.starts_with(CLOSING))
        .is_some_and(|t| SENTENCE_END.contains(&t.word))
}

/// A token made only of punctuation or symbols.
pub fn is_punctuation(token: &str) -> bool {
    token
        .chars()
        .all(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document {
            doc_id: "d".into(),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn spans_give_back_tokens_and_sentences_are_counted() {
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let d = doc("同志们：\n今天我们召开机关党建工作会议。他说：“要从严治党。”大家 鼓掌！");
        let tokens = segmenter.segment(&d);
        let chars: Vec<char> = d.text.chars().collect();
        for i in 0..tokens.len() {
            let span: String = chars[tokens.char_start[i] as usize..tokens.char_end[i] as usize]
                .iter()
                .collect();
            assert_eq!(span, tokens.token[i]);
            assert!(!tokens.token[i].trim().is_empty());
        }
        assert!(tokens.token.contains(&"机关党建".to_string()));
        assert!(tokens.token.contains(&"从严治党".to_string()));
        // 同志们：| 今天…会议。| 他说：“要从严治党。” | 大家鼓掌！
        assert_eq!(*tokens.sentence.last().unwrap(), 3);
        let closing = tokens.token.iter().position(|t| t == "”").unwrap();
        assert_eq!(tokens.sentence[closing], 2);
    }

    #[test]
    fn domain_dictionary_can_be_switched_off() {
        let off = SegmentSettings {
            domain_dictionary: false,
            ..Default::default()
        };
        let tokens = Segmenter::new(&off).unwrap().segment(&doc("加强机关党建"));
        assert!(!tokens.token.contains(&"机关党建".to_string()));
    }
}
