//! TF-IDF keywords over a document's tokens as the segment stage cut and tagged them, so the tag
//! stage never segments a text a second time. The IDF table is jieba's own (`src/data/idf.txt.zst`,
//! byte for byte the `idf.txt` of Python jieba 0.42.1 and of jieba-rs, MIT licence), and the rule
//! is Python jieba's `extract_tags(text, topK, allowPOS)`: words of an allowed part of speech, two
//! characters or more, not stop words, weighted by frequency × IDF (unknown words get the median IDF).

use fnv::{FnvHashMap, FnvHashSet};
use std::sync::LazyLock;

/// jieba's IDF table, zstd-compressed.
const IDF_TABLE: &[u8] = include_bytes!("data/idf.txt.zst");

/// The IDF of every word in jieba's table, and the median for words it lacks (read once per process).
struct IdfTable {
    idf: FnvHashMap<String, f64>,
    median: f64,
}

static IDF: LazyLock<IdfTable> = LazyLock::new(|| {
    let bytes = zstd::decode_all(IDF_TABLE).expect("the built-in IDF table decompresses");
    let text = String::from_utf8(bytes).expect("the built-in IDF table is UTF-8");
    let mut idf = FnvHashMap::with_capacity_and_hasher(text.len() / 20, Default::default());
    let mut values = Vec::with_capacity(text.len() / 20);
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        if let (Some(word), Some(Ok(value))) = (parts.next(), parts.next().map(str::parse::<f64>)) {
            idf.insert(word.to_string(), value);
            values.push(value);
        }
    }
    // The lower median, as jieba-rs takes it.
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len().saturating_sub(1) / 2).copied();
    IdfTable {
        idf,
        median: median.unwrap_or(0.0),
    }
});

/// Loads the IDF table now (a run does it in the background before the tag stage needs it).
pub fn preload() {
    LazyLock::force(&IDF);
}

/// English stop words Python jieba's keyword extractor skips (its `STOP_WORDS`).
const ENGLISH_STOP_WORDS: &[&str] = &[
    "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on",
    "with", "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not",
    "one", "has", "or", "that",
];

pub struct KeywordRanker {
    allowed_pos: FnvHashSet<String>,
    stop_words: FnvHashSet<String>,
}

impl KeywordRanker {
    pub fn new(allowed_pos: &[String], extra_stop_words: &[String]) -> Self {
        let stop_words = ENGLISH_STOP_WORDS
            .iter()
            .map(|w| w.to_string())
            .chain(extra_stop_words.iter().cloned())
            .collect();
        KeywordRanker {
            allowed_pos: allowed_pos.iter().cloned().collect(),
            stop_words,
        }
    }

    /// A stop word, whatever its case (only words with capitals are lowered: most are Han).
    fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(word)
            || (word.chars().any(char::is_uppercase)
                && self.stop_words.contains(&word.to_lowercase()))
    }

    /// The `top` keywords of a document's (word, part of speech) pairs, best first; ties are
    /// broken by the word, so the order never depends on hashing.
    pub fn top<'a>(
        &self,
        words: impl Iterator<Item = (&'a str, &'a str)>,
        top: usize,
    ) -> Vec<String> {
        let mut frequency: FnvHashMap<&str, u32> = FnvHashMap::default();
        for (word, pos) in words {
            if (self.allowed_pos.is_empty() || self.allowed_pos.contains(pos))
                && word.chars().nth(1).is_some()
                && !self.is_stop_word(word)
            {
                *frequency.entry(word).or_default() += 1;
            }
        }
        let table = &*IDF;
        let mut weighted: Vec<(f64, &str)> = frequency
            .into_iter()
            .map(|(word, count)| {
                let idf = table.idf.get(word).copied().unwrap_or(table.median);
                (count as f64 * idf, word)
            })
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        weighted
            .into_iter()
            .take(top)
            .map(|(_, word)| word.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_rare_nouns_come_first_and_the_filters_hold() {
        let ranker = KeywordRanker::new(&["n".into(), "vn".into()], &["工作".into()]);
        let words = [
            ("党建", "n"),
            ("党建", "n"),
            ("工作", "vn"),
            ("工作", "vn"),
            ("工作", "vn"),
            ("推进", "v"),
            ("会", "n"),
            ("the", "n"),
            ("基层", "n"),
        ];
        let top = ranker.top(words.iter().copied(), 5);
        // 工作 is a stop word, 推进 has a part of speech not allowed, 会 is one character,
        // "the" is an English stop word.
        assert_eq!(top, ["党建", "基层"]);
        assert!(IDF.idf.len() > 200_000, "{}", IDF.idf.len());
        assert!(IDF.median > 5.0 && IDF.median < 15.0, "{}", IDF.median);
    }
}
