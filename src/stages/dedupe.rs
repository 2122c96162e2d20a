//! Dedupe: one speech is one document, however often it was collected. Exact copies are found by
//! the SHA-256 of a normal form of the cleaned text (white space removed, punctuation width folded),
//! so copies that differ only in encoding, line ends, indentation or web noise are caught. The first
//! copy in the deterministic order (sorted source path, then part) is kept; the others are accounted
//! for in `sources` with the kept document's id.
//!
//! Near copies (lightly edited) are found with MinHash over character n-grams of the normal form
//! (Han text has no spaces to split words on; one permutation hashing) and LSH banding (the gaoya
//! crate's index). By default a near
//! copy is kept and flagged with the document it resembles; a setting drops it instead.
//!
//! Memory holds a hash and a signature per document, never text.

use std::collections::HashMap;
use std::path::PathBuf;

use gaoya::minhash::{MinHashIndex, compute_minhash_similarity};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::io::artifact::{
    JsonLine, JsonlWriter, StageOutput, count_lines, hex, read_jsonl, read_lines, stage_dir,
};
use crate::io::documents::KEPT_FILE;
use crate::model::{Document, KeptDocument, STATUS_DUPLICATE, SourceRecord};
use crate::progress::counted;
use crate::settings::{DedupeSettings, NearCopies, Settings};
use crate::stages::{Context, Items, Stage};

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

/// Makes MinHash signatures: pure, so many documents can be signed in parallel.
pub struct Signer {
    hashes: usize,
    ngram: usize,
}

impl Signer {
    pub fn new(settings: &DedupeSettings) -> Self {
        Signer {
            hashes: settings.bands * settings.band_width,
            ngram: settings.ngram,
        }
    }

    /// The MinHash signature of a text over the character n-grams of its normal form, by one
    /// permutation hashing (Li, Owen and Zhang 2012) with optimal densification (Shrivastava
    /// 2017): each n-gram is hashed once and falls in one of the signature's bins, which keeps its
    /// smallest hash; an empty bin borrows from a bin chosen by a hash of its own number, the same
    /// for every text. Two signatures agree in a bin with probability the texts' Jaccard
    /// similarity, as with classic MinHash, at the cost of one hash per n-gram instead of one per
    /// n-gram and bin (gaoya's `MinHasher32`, which took most of this stage's time).
    pub fn signature(&self, text: &str) -> Vec<u32> {
        let chars: Vec<char> = normal_form(text).chars().collect();
        let n = self.ngram.min(chars.len()).max(1);
        let bins = self.hashes as u64;
        let mut signature: Vec<Option<u32>> = vec![None; self.hashes];
        if chars.is_empty() {
            return vec![0; self.hashes];
        }
        for shingle in chars.windows(n) {
            let mut hash = 0xcbf2_9ce4_8422_2325u64; // FNV-1a over the code points, then mixed
            for c in shingle {
                hash = (hash ^ *c as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
            let hash = mix(hash);
            let bin = bin_of(hash, bins);
            let value = hash as u32;
            let slot = &mut signature[bin];
            if slot.is_none_or(|v| value < v) {
                *slot = Some(value);
            }
        }
        (0..self.hashes)
            .map(|bin| {
                let mut attempt = 0u64;
                let mut from = bin;
                loop {
                    if let Some(value) = signature[from] {
                        return value;
                    }
                    attempt += 1;
                    from = bin_of(mix(((bin as u64) << 32) | attempt), bins);
                }
            })
            .collect()
    }
}

/// The bin a 64-bit hash falls in (its high half scaled to the number of bins).
fn bin_of(hash: u64, bins: u64) -> usize {
    (((hash >> 32) * bins) >> 32) as usize
}

/// A 64-bit finaliser (splitmix64): every input bit affects every output bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Finds, for each document in turn, the most similar one seen before it.
pub struct NearDuplicates {
    index: MinHashIndex<u32, u32>,
    ids: Vec<String>,
    threshold: f64,
}

/// A near copy: the earlier document it resembles and the estimated Jaccard similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMatch {
    pub doc_id: String,
    pub similarity: f64,
}

impl NearDuplicates {
    /// Finds earlier documents at or above `threshold`, with the LSH shape of `settings`.
    pub fn new(settings: &DedupeSettings, threshold: f64) -> Self {
        NearDuplicates {
            index: MinHashIndex::new(settings.bands, settings.band_width, threshold),
            ids: Vec::new(),
            threshold,
        }
    }

    /// The best earlier match at or above the threshold (ties go to the earliest document).
    pub fn best_match(&self, signature: &Vec<u32>) -> Option<NearMatch> {
        let mut candidates: Vec<(u32, f64)> = self
            .index
            .query(signature)
            .into_iter()
            .filter_map(|id| {
                let other = self.index.get_signature(id)?;
                Some((*id, compute_minhash_similarity(other, signature)))
            })
            .filter(|(_, similarity)| *similarity >= self.threshold)
            .collect();
        // The index answers in hash order; sort so the answer never depends on it.
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.first().map(|(id, similarity)| NearMatch {
            doc_id: self.ids[*id as usize].clone(),
            similarity: *similarity,
        })
    }

    /// Makes a kept document findable by later ones.
    pub fn insert(&mut self, doc_id: &str, signature: Vec<u32>) {
        let id = self.ids.len() as u32;
        self.ids.push(doc_id.to_string());
        self.index.insert(id, signature);
    }
}

/// Counts paragraphs that recur across documents (boilerplate cleaning missed), by hash.
#[derive(Default)]
pub struct RepeatedParagraphs {
    /// hash of the paragraph's normal form → (documents it appeared in, last document seen)
    seen: HashMap<u64, (u32, u32)>,
    /// text of the paragraphs seen in at least two documents
    texts: HashMap<u64, String>,
    documents: u32,
}

impl RepeatedParagraphs {
    /// Paragraphs outside this length range are not counted: boilerplate is short.
    const MIN_CHARS: usize = 6;
    const MAX_CHARS: usize = 200;

    pub fn add(&mut self, text: &str) {
        self.add_keys(text, &Self::keys(text));
    }

    /// The paragraphs of a text that count (short ones), each with the hash of its normal form and
    /// its byte range: the costly part of `add`, which can run on any thread.
    pub fn keys(text: &str) -> Vec<(u64, std::ops::Range<usize>)> {
        use std::hash::{Hash, Hasher};
        let mut keys = Vec::new();
        let mut start = 0;
        for paragraph in text.split('\n') {
            let range = start..start + paragraph.len();
            start = range.end + 1;
            let length = paragraph.chars().count();
            if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&length) {
                continue;
            }
            let mut hasher = fnv::FnvHasher::default();
            normal_form(paragraph).hash(&mut hasher);
            keys.push((hasher.finish(), range));
        }
        keys
    }

    /// Counts a document's paragraphs from their `keys`.
    pub fn add_keys(&mut self, text: &str, keys: &[(u64, std::ops::Range<usize>)]) {
        self.documents += 1;
        for (key, range) in keys {
            let (key, paragraph) = (*key, &text[range.clone()]);
            let entry = self.seen.entry(key).or_insert((0, u32::MAX));
            if entry.1 != self.documents {
                entry.0 += 1;
                entry.1 = self.documents;
                if entry.0 == 2 {
                    self.texts.insert(key, paragraph.to_string());
                }
            }
        }
    }

    /// Paragraphs found in two or more documents, most frequent first.
    pub fn top(&self, n: usize) -> Vec<(String, u32)> {
        let mut repeated: Vec<(String, u32)> = self
            .texts
            .iter()
            .map(|(key, text)| (text.clone(), self.seen[key].0))
            .collect();
        repeated.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        repeated.truncate(n);
        repeated
    }
}

/// The dedupe stage: reads clean's documents, keeps the first of every text, flags (or drops) near
/// copies, rewrites the account of raw files and reports paragraphs repeated across documents.
pub struct Dedupe {
    settings: DedupeSettings,
    near: NearCopies,
    signer: Signer,
    /// The clean stage's folder.
    input: PathBuf,
    quiet: bool,
}

/// A document parsed and signed on a worker.
pub struct Signed {
    doc: Document,
    line: usize,
    signature: Option<Vec<u32>>,
    paragraphs: Vec<(u64, std::ops::Range<usize>)>,
}

/// Dedupe's in-order state: every content hash and signature seen so far, and its writer.
pub struct DedupeSink {
    exact: Deduper,
    /// None when near copies are not looked for.
    near: Option<NearDuplicates>,
    repeated: RepeatedParagraphs,
    writer: JsonlWriter<KeptDocument>,
    /// source file → (dropped document, the kept document it copies)
    copies: HashMap<String, Vec<(String, String)>>,
    kept: usize,
    exact_copies: usize,
    near_flagged: usize,
    near_dropped: usize,
}

impl Stage for Dedupe {
    const NAME: &'static str = "dedupe";
    type Item = JsonLine;
    type Done = Signed;
    type Sink = DedupeSink;

    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(&settings.dedupe).expect("settings serialise")
    }

    fn build(cx: &Context) -> Result<Self> {
        Ok(Dedupe {
            settings: cx.settings.dedupe.clone(),
            near: cx.settings.dedupe.near_copies(),
            signer: Signer::new(&cx.settings.dedupe),
            input: stage_dir(cx.work, "clean"),
            quiet: cx.quiet,
        })
    }

    fn items(&self, _cx: &Context) -> Result<(u64, Items<JsonLine>)> {
        let path = self.input.join("documents.jsonl");
        Ok((count_lines(&path)?, Box::new(read_lines(&path)?)))
    }

    /// Parsing and signatures are the costly parts and independent: done in parallel.
    fn work(&self, line: JsonLine) -> Result<Signed> {
        let doc: Document = line.parse()?;
        let signature = (self.near != NearCopies::Off).then(|| self.signer.signature(&doc.text));
        let paragraphs = RepeatedParagraphs::keys(&doc.text);
        Ok(Signed {
            doc,
            line: line.number(),
            signature,
            paragraphs,
        })
    }

    fn text_bytes(done: &Signed) -> usize {
        done.doc.text.len()
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<DedupeSink> {
        Ok(DedupeSink {
            exact: Deduper::default(),
            near: match self.near {
                NearCopies::Flag { threshold } | NearCopies::Drop { threshold, .. } => {
                    Some(NearDuplicates::new(&self.settings, threshold))
                }
                NearCopies::Off => None,
            },
            repeated: RepeatedParagraphs::default(),
            writer: JsonlWriter::create(&output.file(KEPT_FILE))?,
            copies: HashMap::new(),
            kept: 0,
            exact_copies: 0,
            near_flagged: 0,
            near_dropped: 0,
        })
    }

    fn absorb(&self, sink: &mut DedupeSink, signed: Signed) -> Result<()> {
        let Signed {
            doc,
            line,
            signature,
            paragraphs,
        } = signed;
        if let Verdict::DuplicateOf(first) = sink.exact.judge(&doc) {
            sink.copies
                .entry(doc.source_file.clone())
                .or_default()
                .push((doc.doc_id.clone(), first));
            sink.exact_copies += 1;
            return Ok(());
        }
        let mut kept_document = KeptDocument {
            line: line as u64,
            doc_id: doc.doc_id.clone(),
            ..Default::default()
        };
        if let (Some(signature), Some(near)) = (signature, &mut sink.near) {
            if let Some(found) = near.best_match(&signature) {
                let dropped = match self.near {
                    NearCopies::Drop { drop_threshold, .. } => found.similarity >= drop_threshold,
                    _ => false,
                };
                if dropped {
                    sink.copies
                        .entry(doc.source_file.clone())
                        .or_default()
                        .push((doc.doc_id.clone(), found.doc_id));
                    sink.near_dropped += 1;
                    return Ok(());
                }
                kept_document.near_duplicate_of = Some(found.doc_id);
                kept_document.near_duplicate_similarity = Some(found.similarity);
                sink.near_flagged += 1;
            }
            near.insert(&doc.doc_id, signature);
        }
        sink.repeated.add_keys(&doc.text, &paragraphs);
        sink.kept += 1;
        sink.writer.write(&kept_document)
    }

    fn finish(&self, _cx: &Context, sink: DedupeSink, output: &StageOutput) -> Result<String> {
        sink.writer.finish()?;
        // The account of raw files: a file whose documents are all copies is a duplicate.
        let mut source_writer = JsonlWriter::create(&output.file("sources.jsonl"))?;
        for source in read_jsonl::<SourceRecord>(&self.input.join("sources.jsonl"))? {
            let mut source = source?;
            if let Some(list) = sink.copies.get(&source.source_file) {
                for (doc_id, first) in list {
                    if let Some(at) = source.doc_ids.iter().position(|d| d == doc_id) {
                        source.doc_ids.remove(at);
                    }
                    source.duplicate_of.push(first.clone());
                }
                if source.doc_ids.is_empty() {
                    source.status = STATUS_DUPLICATE.into();
                    source.reason = Some("every document is a copy of one kept earlier".into());
                }
            }
            source_writer.write(&source)?;
        }
        source_writer.finish()?;

        // Boilerplate that cleaning missed: reported so the noise rules can be improved.
        let top = sink.repeated.top(50);
        let report_path = output.file("repeated_paragraphs.jsonl");
        let mut report = JsonlWriter::create(&report_path)?;
        for (text, documents) in &top {
            report.write(&serde_json::json!({ "paragraph": text, "documents": documents }))?;
        }
        report.finish()?;
        for (text, documents) in top.iter().take(if self.quiet { 0 } else { 5 }) {
            eprintln!(
                "           repeated in {documents} documents: {}",
                text.chars().take(40).collect::<String>()
            );
        }
        let repeated = sink.repeated.top(usize::MAX).len();
        let listed = match repeated {
            0 => String::new(),
            _ => format!(
                " (the commonest in {})",
                output.final_file("repeated_paragraphs.jsonl").display()
            ),
        };
        Ok(format!(
            "{} kept, {} dropped, {} flagged, {} dropped, {} across documents{listed}",
            counted(sink.kept as u64, "document", "documents"),
            counted(sink.exact_copies as u64, "exact copy", "exact copies"),
            counted(sink.near_flagged as u64, "near copy", "near copies"),
            sink.near_dropped,
            counted(repeated as u64, "paragraph repeated", "paragraphs repeated"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signatures agree in about the share of bins the texts' true n-gram Jaccard similarity says.
    #[test]
    fn signature_agreement_estimates_jaccard_similarity() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut han = |n: usize| -> String {
            (0..n)
                .map(|_| char::from_u32(0x4e00 + rng.u32(0..3000)).unwrap())
                .collect()
        };
        let signer = Signer::new(&DedupeSettings::default());
        let shingles = |t: &str| -> std::collections::HashSet<Vec<char>> {
            let chars: Vec<char> = t.chars().collect();
            chars.windows(5).map(|w| w.to_vec()).collect()
        };
        for shared in [200, 1000, 2000, 3000] {
            let common = han(shared);
            let a = format!("{common}{}", han(3000 - shared));
            let b = format!("{common}{}", han(3000 - shared));
            let (sa, sb) = (shingles(&a), shingles(&b));
            let truth = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
            let estimate = compute_minhash_similarity(&signer.signature(&a), &signer.signature(&b));
            assert!(
                (estimate - truth).abs() < 0.12,
                "shared {shared}: estimate {estimate}, truth {truth}"
            );
        }
        // A short text (fewer n-grams than bins) still fills every bin.
        assert_eq!(signer.signature("短文本").len(), 128);
    }

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

    #[test]
    fn a_near_copy_is_found_and_a_different_text_is_not() {
        let text = std::fs::read_to_string("raw/004_0958ddcb164f6320.txt").unwrap();
        let edited = text.replacen(
            "做好今年机关党的工作意义十分重大。",
            "做好今年的工作意义重大，任务艰巨。",
            1,
        );
        assert_ne!(edited, text);
        let other = std::fs::read_to_string("raw/002_aa21f67989e96744.txt").unwrap();
        let signer = Signer::new(&DedupeSettings::default());
        let mut near = NearDuplicates::new(&DedupeSettings::default(), 0.8);
        near.insert("original", signer.signature(&text));
        let found = near.best_match(&signer.signature(&edited)).unwrap();
        assert_eq!(found.doc_id, "original");
        assert!(found.similarity > 0.9, "{}", found.similarity);
        assert_eq!(near.best_match(&signer.signature(&other)), None);
    }

    #[test]
    fn repeated_paragraphs_are_counted_once_per_document() {
        let mut repeated = RepeatedParagraphs::default();
        repeated.add("本文来源于网络，版权归原作者。\n第一篇正文很长的一段话。\n本文来源于网络，版权归原作者。");
        repeated.add("第二篇正文。\n本文来源于网络，版权归原作者。");
        repeated.add("第三篇正文没有重复。");
        assert_eq!(
            repeated.top(5),
            [("本文来源于网络，版权归原作者。".to_string(), 2)]
        );
    }
}
