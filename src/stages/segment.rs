//! Segment: each paragraph of a document cut into words with part-of-speech tags by jieba, with
//! the built-in domain dictionary (Party-building and government terms) on top so that such terms
//! stay whole. Sentences are numbered within the document; every token keeps its code-point span
//! in the document text. White space is never a token.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use fnv::FnvHashSet;

use jieba_rs::Jieba;
use regex::Regex;

use crate::error::{Error, Result};
use crate::io::artifact::{StageOutput, hash_key, sha256_hex, stage_dir};
use crate::io::documents::{KeptLine, SEGMENT_TOKENS, kept_count, kept_lines};
use crate::io::ipc::IpcWriter;
use crate::model::Document;
use crate::schema::{self, DocumentTokens, SegmentColumns, SegmentedDocument};
use crate::settings::{SegmentSettings, Settings};
use crate::stages::{Context, Items, Stage};

/// The built-in domain dictionary, in jieba's format (word freq tag); `#` starts a comment line.
pub const DOMAIN_DICTIONARY: &str = include_str!("../data/domain_dict.txt");
/// The built-in stop words, one per line (`#` starts a comment line).
pub const STOP_WORDS: &str = include_str!("../data/stop_words.txt");

/// Python jieba's `finalseg.re_skip`: how it splits a non-Chinese run it does not know.
static PYTHON_SKIP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[a-zA-Z0-9]+(?:\.\d+)?%?").unwrap());

/// Punctuation that ends a sentence.
const SENTENCE_END: &[&str] = &["。", "！", "？", "；", "…", "……", "!", "?", ";"];
/// Closing marks that stay with the sentence they close.
const CLOSING: &[char] = &['”', '’', '」', '』', '》', '）', ')', '"', '\''];

/// One jieba instance, built once and shared by all threads.
pub struct Segmenter {
    jieba: Jieba,
    hmm: bool,
    simplified_view: bool,
    stop_words: FnvHashSet<String>,
}

impl Segmenter {
    pub fn new(settings: &SegmentSettings) -> Result<Self> {
        let mut jieba = Jieba::new();
        if settings.domain_dictionary {
            let entries: String = DOMAIN_DICTIONARY
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| format!("{l}\n"))
                .collect();
            jieba
                .load_dict(&mut entries.as_bytes())
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
        let mut stop_words: FnvHashSet<String> =
            settings.extra_stop_words.iter().cloned().collect();
        if settings.builtin_stop_words {
            stop_words.extend(
                STOP_WORDS
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from),
            );
        }
        Ok(Segmenter {
            jieba,
            hmm: settings.hmm,
            simplified_view: settings.simplified_view,
            stop_words,
        })
    }

    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// All tokens of one document, in order.
    pub fn segment(&self, doc: &Document) -> SegmentedDocument {
        let mut out = SegmentedDocument {
            doc_id: doc.doc_id.clone(),
            ..Default::default()
        };
        let mut paragraph_start = 0usize; // code points
        let mut sentence = 0i32;
        let traditional =
            self.simplified_view && crate::simplified::is_likely_traditional(&doc.text);
        for (paragraph, text) in doc.paragraphs().enumerate() {
            // The view has the text's code points in place, so spans point into the text.
            let view = if traditional {
                crate::simplified::simplified(text)
            } else {
                std::borrow::Cow::Borrowed(text)
            };
            let words = self.words(&view);
            let mut sentence_open = false;
            for (i, word) in words.iter().enumerate() {
                if word.text.chars().all(char::is_whitespace) {
                    continue;
                }
                out.paragraph.push(paragraph as i32);
                out.sentence.push(sentence);
                out.char_start.push((paragraph_start + word.start) as i32);
                out.char_end.push((paragraph_start + word.end) as i32);
                out.pos.append_value(word.pos);
                out.is_stopword.push(self.stop_words.contains(word.text));
                sentence_open = true;
                let next_closes = words
                    .get(i + 1)
                    .is_some_and(|next| next.text.starts_with(CLOSING));
                let ends = SENTENCE_END.contains(&word.text)
                    || word.text.starts_with(CLOSING) && ends_after_closing(&words[..=i]);
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

/// A word of a paragraph with its part of speech and code-point span in the paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub pos: &'a str,
    pub start: usize,
    pub end: usize,
}

impl Segmenter {
    /// jieba's words for one paragraph. jieba-rs keeps runs such as "3-4" or "a_b" whole where
    /// Python jieba splits them ("3", "-", "4"); they are split here the Python way, so that with
    /// the domain dictionary off the words equal Python jieba's `lcut(paragraph, HMM=True)`.
    pub fn words<'a>(&'a self, paragraph: &'a str) -> Vec<Word<'a>> {
        let mut words = Vec::new();
        for tag in self.jieba.tag(paragraph, self.hmm) {
            let joined = tag.word.is_ascii()
                && tag.word.contains(['-', '_', '.'])
                && tag.word.len() > 1
                && !self.jieba.has_word(tag.word);
            if !joined {
                words.push(Word {
                    text: tag.word,
                    pos: tag.tag,
                    start: tag.start,
                    end: tag.end,
                });
                continue;
            }
            // ASCII only, so byte offsets are code-point offsets.
            let mut last = 0;
            let mut push = |from: usize, to: usize, pos: &'a str| {
                words.push(Word {
                    text: &tag.word[from..to],
                    pos,
                    start: tag.start + from,
                    end: tag.start + to,
                })
            };
            for m in PYTHON_SKIP.find_iter(tag.word) {
                if m.start() > last {
                    push(last, m.start(), "x");
                }
                let pos = if m.as_str().bytes().all(|b| !b.is_ascii_alphabetic()) {
                    "m"
                } else {
                    "eng"
                };
                push(m.start(), m.end(), pos);
                last = m.end();
            }
            if last < tag.word.len() {
                push(last, tag.word.len(), "x");
            }
        }
        words
    }
}

/// A closing mark ends the sentence when the mark before it (past other closing marks) does.
fn ends_after_closing(words: &[Word<'_>]) -> bool {
    words
        .iter()
        .rev()
        .skip(1)
        .find(|w| !w.text.starts_with(CLOSING))
        .is_some_and(|w| SENTENCE_END.contains(&w.text))
}

/// The segmenter being built in the background while the first stages run (building jieba's
/// dictionary takes about a third of a second on one core), with the settings it is built from.
type Preloading = (SegmentSettings, std::thread::JoinHandle<Result<Segmenter>>);
static PRELOADED: Mutex<Option<Preloading>> = Mutex::new(None);

/// Tokens per batch of the segment stage's artifact (small batches keep memory low).
const SEGMENT_BATCH_TOKENS: usize = 64 * 1024;

/// The segment stage: cuts every kept document into tokens, written to `tokens.arrow`. With the
/// same settings as the stored output, documents whose exact text it already segmented take their
/// tokens from it: adding files to a corpus segments only them.
pub struct Segment {
    segmenter: Segmenter,
    /// Where the stored output holds each text's tokens, and the stored output (taken by `open`).
    stored_index: StoredIndex,
    stored: Mutex<Option<StoredTokens>>,
}

/// A document segmented now, or the place of its tokens in the stored output.
pub struct Segmented {
    text_bytes: usize,
    tokens: std::result::Result<SegmentedDocument, (usize, usize)>,
}

pub struct SegmentSink {
    writer: IpcWriter,
    columns: SegmentColumns,
    stored: Option<StoredTokens>,
    text_bytes: usize,
    tokens: usize,
    reused: usize,
    started: Instant,
}

impl Stage for Segment {
    const NAME: &'static str = "segment";
    type Item = KeptLine;
    type Done = Segmented;
    type Sink = SegmentSink;

    /// The row group size shapes only the final tokens table, which sectionize writes.
    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(SegmentSettings {
            row_group_tokens: 0,
            ..settings.segment.clone()
        })
        .expect("settings serialise")
    }

    /// Builds the segmenter while the earlier stages run.
    fn prepare(settings: &Settings) {
        let segment = settings.segment.clone();
        let handle = std::thread::spawn(move || {
            crate::keywords::preload();
            Segmenter::new(&segment)
        });
        *PRELOADED.lock().expect("not poisoned") = Some((settings.segment.clone(), handle));
    }

    fn build(cx: &Context) -> Result<Self> {
        let preloaded = PRELOADED.lock().expect("not poisoned").take();
        let segmenter = match preloaded {
            Some((settings, loading)) if settings == cx.settings.segment => loading
                .join()
                .expect("building the segmenter does not panic")?,
            _ => Segmenter::new(&cx.settings.segment)?,
        };
        let (stored_index, stored) = match cx.reuse {
            true => {
                match StoredTokens::open(&stage_dir(cx.work, Self::NAME).join(SEGMENT_TOKENS)) {
                    Ok((index, stored)) => (index, Some(stored)),
                    Err(e) => {
                        eprintln!(
                            "warning: the last segment output cannot be reused ({e}); segmenting every document"
                        );
                        Default::default()
                    }
                }
            }
            false => Default::default(),
        };
        Ok(Segment {
            segmenter,
            stored_index,
            stored: Mutex::new(stored),
        })
    }

    fn items(&self, cx: &Context) -> Result<(u64, Items<KeptLine>)> {
        Ok((kept_count(cx.work)?, Box::new(kept_lines(cx.work)?)))
    }

    fn work(&self, kept: KeptLine) -> Result<Segmented> {
        let doc = kept.document()?;
        let text_sha256 = sha256_hex(doc.text.as_bytes());
        let tokens = match self.stored_index.get(&hash_key(&text_sha256)) {
            Some(&at) => Err(at),
            None => Ok(SegmentedDocument {
                text_sha256,
                ..self.segmenter.segment(&doc)
            }),
        };
        Ok(Segmented {
            text_bytes: doc.text.len(),
            tokens,
        })
    }

    fn text_bytes(done: &Segmented) -> usize {
        done.text_bytes
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<SegmentSink> {
        Ok(SegmentSink {
            writer: IpcWriter::create(
                &output.file(SEGMENT_TOKENS),
                schema::segment_tokens_schema(),
            )?,
            columns: SegmentColumns::default(),
            stored: self.stored.lock().expect("not poisoned").take(),
            text_bytes: 0,
            tokens: 0,
            reused: 0,
            started: Instant::now(),
        })
    }

    fn absorb(&self, sink: &mut SegmentSink, done: Segmented) -> Result<()> {
        sink.text_bytes += done.text_bytes;
        match done.tokens {
            Ok(segmented) => {
                sink.tokens += segmented.len();
                sink.columns.append(&segmented)?;
            }
            Err(at) => {
                let stored = sink
                    .stored
                    .as_mut()
                    .ok_or_else(|| segment_error("the last segment output is not open"))?;
                let earlier = stored.read(at)?;
                sink.tokens += earlier.len();
                sink.reused += 1;
                sink.columns.append_stored(&earlier)?;
            }
        }
        if sink.columns.tokens() >= SEGMENT_BATCH_TOKENS {
            sink.writer.write(&sink.columns.finish()?)?;
        }
        Ok(())
    }

    fn finish(&self, _cx: &Context, mut sink: SegmentSink, _: &StageOutput) -> Result<String> {
        sink.writer.write(&sink.columns.finish()?)?;
        sink.writer.finish()?;
        let seconds = sink.started.elapsed().as_secs_f64().max(1e-9);
        let reused = match sink.reused {
            0 => String::new(),
            n => format!(" ({n} documents' tokens reused from the last run)"),
        };
        Ok(format!(
            "{} tokens from {:.2} MB of text, {:.2} MB/s{reused}",
            sink.tokens,
            sink.text_bytes as f64 / 1e6,
            sink.text_bytes as f64 / 1e6 / seconds
        ))
    }
}

fn segment_error(reason: &str) -> Error {
    Error::Stage {
        stage: "segment",
        reason: reason.to_string(),
    }
}

/// Where a stored document's tokens are: text SHA-256 (first 128 bits) → (batch, row).
type StoredIndex = HashMap<u128, (usize, usize)>;

/// A finished segment artifact opened for reuse: where each text's tokens are (found by the text's
/// SHA-256), read a batch at a time as documents ask for them (they come mostly in order).
struct StoredTokens {
    reader: arrow::ipc::reader::FileReader<std::io::BufReader<File>>,
    current: Option<(usize, Vec<DocumentTokens>)>,
}

impl StoredTokens {
    /// The stored output and its index: text SHA-256 (its first 128 bits) → (batch, row).
    fn open(path: &Path) -> Result<(StoredIndex, Self)> {
        let open =
            |projection| -> Result<arrow::ipc::reader::FileReader<std::io::BufReader<File>>> {
                let file = File::open(path).map_err(|e| Error::io(path, e))?;
                arrow::ipc::reader::FileReader::try_new(std::io::BufReader::new(file), projection)
                    .map_err(|e| Error::arrow(path.display().to_string(), e))
            };
        // The index needs only the hashes: read that one column.
        let column = schema::segment_tokens_schema()
            .index_of("text_sha256")
            .expect("in the schema");
        let hashes = open(Some(vec![column]))?;
        let mut index = HashMap::new();
        for (batch_number, batch) in hashes.enumerate() {
            let batch = batch.map_err(|e| Error::arrow(path.display().to_string(), e))?;
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .ok_or_else(|| segment_error("text_sha256 is not text"))?;
            for row in 0..arrow::array::Array::len(column) {
                index.insert(hash_key(column.value(row)), (batch_number, row));
            }
        }
        let stored = StoredTokens {
            reader: open(None)?,
            current: None,
        };
        Ok((index, stored))
    }

    fn read(&mut self, (batch, row): (usize, usize)) -> Result<DocumentTokens> {
        if self.current.as_ref().is_none_or(|(b, _)| *b != batch) {
            self.reader
                .set_index(batch)
                .map_err(|e| Error::arrow("reading the last segment output", e))?;
            let read = self
                .reader
                .next()
                .ok_or_else(|| segment_error("the last segment output lost a batch"))?
                .map_err(|e| Error::arrow("reading the last segment output", e))?;
            self.current = Some((batch, DocumentTokens::from_batch(&read)?));
        }
        let (_, documents) = self.current.as_ref().expect("set above");
        documents
            .get(row)
            .cloned()
            .ok_or_else(|| segment_error("the last segment output lost a document"))
    }
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

    /// The words of a segmented document, cut out of its text.
    fn texts(d: &Document, tokens: &SegmentedDocument) -> Vec<String> {
        let chars: Vec<char> = d.text.chars().collect();
        (0..tokens.len())
            .map(|i| {
                chars[tokens.char_start[i] as usize..tokens.char_end[i] as usize]
                    .iter()
                    .collect()
            })
            .collect()
    }

    #[test]
    fn spans_give_back_tokens_and_sentences_are_counted() {
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let d = doc("同志们：\n今天我们召开机关党建工作会议。他说：“要从严治党。”大家 鼓掌！");
        let tokens = segmenter.segment(&d);
        let words = texts(&d, &tokens);
        // The spans give back jieba's words, paragraph by paragraph, white space left out.
        let jieba_words: Vec<&str> = d
            .text
            .split('\n')
            .flat_map(|p| segmenter.words(p))
            .map(|w| w.text)
            .filter(|w| !w.trim().is_empty())
            .collect();
        assert_eq!(words, jieba_words);
        assert_eq!(
            tokens.paragraph.iter().filter(|p| **p == 0).count(),
            segmenter.words("同志们：").len()
        );
        assert!(words.contains(&"机关党建".to_string()));
        assert!(words.contains(&"从严治党".to_string()));
        // 同志们：| 今天…会议。| 他说：“要从严治党。” | 大家鼓掌！
        assert_eq!(*tokens.sentence.last().unwrap(), 3);
        let closing = words.iter().position(|t| t == "”").unwrap();
        assert_eq!(tokens.sentence[closing], 2);
    }

    #[test]
    fn traditional_text_is_cut_as_its_simplified_view_with_spans_into_the_text_as_written() {
        // The opening of a speech in traditional characters (dev 027, a 公文 template site).
        let written = "今天我們召開黨代表、人大代表換屆選舉工作部署大會";
        let simple = "今天我们召开党代表、人大代表换届选举工作部署大会";
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let (w, s) = (doc(written), doc(simple));
        let (tw, ts) = (segmenter.segment(&w), segmenter.segment(&s));
        assert_eq!(
            (&tw.char_start, &tw.char_end),
            (&ts.char_start, &ts.char_end)
        );
        assert!(
            texts(&w, &tw).contains(&"換屆選舉".to_string()),
            "{:?}",
            texts(&w, &tw)
        );
        // Without the view jieba cuts the traditional characters otherwise.
        let plain = Segmenter::new(&SegmentSettings {
            simplified_view: false,
            ..Default::default()
        })
        .unwrap();
        assert_ne!(plain.segment(&w).char_start, ts.char_start);
    }

    #[test]
    fn joined_alphanumeric_runs_are_split_as_python_jieba_does() {
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let words: Vec<&str> = segmenter
            .words("办好3-4件实事，增长1.5%")
            .iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            words,
            ["办好", "3", "-", "4", "件", "实事", "，", "增长", "1.5%"]
        );
    }

    #[test]
    fn stop_words_are_marked() {
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let d = doc("我们的工作");
        let tokens = segmenter.segment(&d);
        let words = texts(&d, &tokens);
        let marked: Vec<(&str, bool)> = words
            .iter()
            .map(String::as_str)
            .zip(tokens.is_stopword.iter().copied())
            .collect();
        assert_eq!(marked, [("我们", true), ("的", true), ("工作", false)]);
    }

    #[test]
    fn every_domain_term_stays_whole() {
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let mut terms = 0;
        for line in DOMAIN_DICTIONARY.lines().filter(|l| !l.starts_with('#')) {
            let term = line.split_whitespace().next().unwrap();
            let words: Vec<&str> = segmenter.words(term).iter().map(|w| w.text).collect();
            assert_eq!(words, [term]);
            terms += 1;
        }
        assert!(terms >= 250, "{terms} terms");
    }

    #[test]
    fn domain_dictionary_can_be_switched_off() {
        let off = SegmentSettings {
            domain_dictionary: false,
            ..Default::default()
        };
        let d = doc("加强机关党建");
        let tokens = Segmenter::new(&off).unwrap().segment(&d);
        assert!(!texts(&d, &tokens).contains(&"机关党建".to_string()));
    }
}
