//! Boilerplate learned from the corpus, whatever its wording: a short line that recurs in many
//! files of a collection (a site's banner, a licence footer, a download notice) is not part of any
//! one text. This is how CCNet and MNBVC catch what no rule names.
//!
//! A first pass over the raw files counts each short paragraph (white space ignored) once per
//! *text*: byte-identical files are read once, and files whose longest paragraph is the same (the
//! same speech reposted with other chrome) count as one, since copies are not evidence. A line
//! seen in at least `clean.boilerplate_min_files` texts is boilerplate. What a speech says is never
//! boilerplate by count, however often it recurs: numbered headings, salutations (同志们：),
//! sentences ending in 。！？ (谢谢大家！), a name, a byline or a date alone on a line, a title-shaped line
//! among the first ones (different texts often share a title). Then, as jusText lets
//! neighbours decide short paragraphs, a run of short lines that are none of those goes whole when
//! at least two of its lines and a fifth of them were learned (the fragments a wiki export breaks a
//! licence footer into). The counts do not depend on file order
//! or thread count.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::Path;

use encoding_rs::Encoding;
use fnv::{FnvHashMap, FnvHasher};
use rayon::prelude::*;

use super::rules::PARAGRAPH_BREAK;
use crate::io::raw::{decode, is_han};
use crate::outline::parse_marker;

/// Only paragraphs up to this many characters are counted: boilerplate lines are short.
const MAX_CHARS: usize = 80;
/// Where a title may stand: before the first paragraph of prose, and among the first this many
/// (after a site's chrome). A recurring title-shaped line there is kept.
const HEADER_PARAGRAPHS: usize = 10;

/// A text's signature and its short paragraphs, each with its key (see [`short_paragraphs`]).
type TextLines = (u64, Vec<(u64, String)>);

/// The lines learned as boilerplate, each with the number of texts it was seen in.
#[derive(Debug, Default, PartialEq)]
pub struct Boilerplate {
    texts: FnvHashMap<u64, usize>,
    /// Each line's text, for the record of what was learned (in key order).
    lines: BTreeMap<u64, (String, usize)>,
}

impl Boilerplate {
    /// Counts the short paragraphs of the files at `paths` (read on the current thread pool; a file
    /// that cannot be read, decoded, or is larger than `max_bytes` is left out) and keeps those of
    /// at least `min_files` texts; none when `min_files` is 0.
    ///
    /// Also gives, for each path, the encoding detected for a file that is neither UTF-8 nor
    /// marked by a byte-order mark, so that clean need not detect it again.
    pub fn learn(
        paths: &[&Path],
        max_bytes: u64,
        min_files: usize,
    ) -> (Boilerplate, Vec<Option<&'static Encoding>>) {
        if min_files == 0 {
            return (Boilerplate::default(), vec![None; paths.len()]);
        }
        let read: Vec<(Option<&'static Encoding>, Option<TextLines>)> = paths
            .par_iter()
            .map(|path| {
                let too_big = std::fs::metadata(path).map_or(true, |m| m.len() > max_bytes);
                let Some(bytes) = (!too_big).then(|| std::fs::read(path).ok()).flatten() else {
                    return (None, None);
                };
                // Most files are UTF-8: read in place; others decoded as clean decodes them.
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    return (None, Some(short_paragraphs(text)));
                }
                match decode(&bytes) {
                    Ok(decoded) => {
                        let detected = Encoding::for_label(decoded.encoding.as_bytes());
                        (detected, Some(short_paragraphs(&decoded.text)))
                    }
                    Err(_) => (None, None),
                }
            })
            .collect();
        let encodings = read.iter().map(|(encoding, _)| *encoding).collect();
        let per_file = read.into_iter().filter_map(|(_, lines)| lines);
        // (line, text signature) pairs, each once: a line counts once per distinct text.
        let mut seen: Vec<(u64, u64)> = Vec::new();
        let mut examples: FnvHashMap<u64, String> = FnvHashMap::default();
        for (signature, lines) in per_file {
            for (key, text) in lines {
                seen.push((key, signature));
                let example = examples.entry(key).or_insert_with(|| text.clone());
                if text < *example {
                    *example = text;
                }
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let mut counts: FnvHashMap<u64, usize> = FnvHashMap::default();
        for (key, _) in seen {
            *counts.entry(key).or_default() += 1;
        }
        counts.retain(|_, n| *n >= min_files);
        let lines = counts
            .iter()
            .map(|(key, n)| (*key, (examples[key].clone(), *n)))
            .collect();
        let learned = Boilerplate {
            texts: counts,
            lines,
        };
        (learned, encodings)
    }

    /// The learned lines and their counts, in a fixed order.
    pub fn lines(&self) -> impl Iterator<Item = &(String, usize)> {
        self.lines.values()
    }

    /// For each paragraph of a file, the edit rule that removes it as boilerplate
    /// (`boilerplate:N` for a line seen in N texts, `boilerplate:between` for a short line
    /// between two such), or `None` to keep it.
    pub fn judge(&self, paragraphs: &[(u32, String)]) -> Vec<Option<String>> {
        let header_end = paragraphs
            .iter()
            .take(HEADER_PARAGRAPHS)
            .position(|(_, text)| !fragment(text))
            .unwrap_or(HEADER_PARAGRAPHS.min(paragraphs.len()));
        let mut verdicts: Vec<Option<String>> = paragraphs
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                let count = *self.texts.get(&key(text)?)?;
                // Different texts often share a title (在全市党建工作会议上的讲话).
                let title = i < header_end && title_shaped(text);
                (!speaks(text) && !title).then(|| format!("boilerplate:{count}"))
            })
            .collect();
        let learned: Vec<bool> = paragraphs
            .iter()
            .map(|(_, text)| key(text).is_some_and(|k| self.texts.contains_key(&k)))
            .collect();
        if learned.iter().filter(|l| **l).count() < 2 {
            return verdicts;
        }
        // Neighbours decide the short lines around boilerplate: a run of short lines that are
        // not sentences, headings or salutations, of which enough were learned, goes whole.
        let mut start = 0;
        while start < paragraphs.len() {
            let end = (start..paragraphs.len())
                .find(|&i| !fragment(&paragraphs[i].1))
                .unwrap_or(paragraphs.len());
            // Lines learned count here even when their shape kept them (a name-like 公有领域).
            let run_learned = learned[start..end].iter().filter(|l| **l).count();
            if run_learned >= 2 && run_learned * 5 >= end - start {
                for (i, verdict) in (start..end).zip(&mut verdicts[start..end]) {
                    // A name-like fragment goes with its run; a date, a byline or a title stays.
                    let text = &paragraphs[i].1;
                    let kept = stays(text) || (i < header_end && title_shaped(text));
                    if !kept {
                        verdict.get_or_insert_with(|| "boilerplate:block".into());
                    }
                }
            }
            start = end + 1;
        }
        // A short line with boilerplate on both sides is part of it (a licence template's
        // sentence between its fragments and its closing marks), unless a speech says it.
        for i in 1..paragraphs.len().saturating_sub(1) {
            let text = &paragraphs[i].1;
            let enclosed = verdicts[i - 1].is_some() && verdicts[i + 1].is_some();
            if verdicts[i].is_none() && enclosed && key(text).is_some() && !says(text) {
                verdicts[i] = Some("boilerplate:between".into());
            }
        }
        verdicts
    }
}

/// What a speech says even between boilerplate: a heading, a salutation, a closing thanks, a name,
/// a byline or a date.
fn says(text: &str) -> bool {
    let thanks = text.contains('谢') || text.contains('謝');
    parse_marker(text).is_some() || is_salutation(text) || thanks || speaks(text) && fragment(text)
}

/// A text's signature (its longest paragraph's key) and its short paragraphs' keys. Read as
/// clean reads plain text (lines, split at runs of wide spaces, trimmed) but without building
/// them: this pass reads the whole corpus.
fn short_paragraphs(text: &str) -> TextLines {
    let mut longest: (usize, &str) = (0, "");
    let mut short: Vec<(u64, String)> = Vec::new();
    for line in text.split('\n') {
        let wide = line.contains('\u{3000}') || line.contains('\u{2003}');
        let pieces: Box<dyn Iterator<Item = &str>> = match wide {
            true => Box::new(PARAGRAPH_BREAK.split(line)),
            false => Box::new(std::iter::once(line)),
        };
        for piece in pieces {
            let piece =
                piece.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\0'));
            if piece.is_empty() {
                continue;
            }
            // Long paragraphs are only measured (in bytes), for the signature.
            if piece.len() > MAX_CHARS * 4 || piece.chars().count() > MAX_CHARS {
                let bytes = piece.len();
                if bytes > longest.0 || (bytes == longest.0 && piece < longest.1) {
                    longest = (bytes, piece);
                }
                continue;
            }
            short.push((hash(piece), piece.to_string()));
        }
    }
    // A text of short lines only is known by all of them.
    let signature = match longest.0 {
        0 => short.iter().fold(0u64, |h, (k, _)| h.rotate_left(5) ^ k),
        _ => hash(longest.1),
    };
    short.sort_unstable();
    short.dedup_by_key(|(k, _)| *k);
    (signature, short)
}

/// The key a short paragraph is counted under: a hash of it without white space.
fn key(text: &str) -> Option<u64> {
    (text.chars().count() <= MAX_CHARS).then(|| hash(text))
}

fn hash(text: &str) -> u64 {
    let mut hasher = FnvHasher::default();
    let invisible =
        |c: char| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}' | '\0');
    for c in text.chars().filter(|c| !invisible(*c)) {
        hasher.write_u32(c as u32);
    }
    hasher.finish()
}

/// Lines that belong to what a speech says, however often they recur.
fn speaks(text: &str) -> bool {
    let han = text.chars().filter(|c| is_han(*c)).count();
    let name_alone = (2..=4).contains(&han) && han == text.chars().count();
    name_alone || stays(text)
}

/// What stays even inside a run of boilerplate: sentences, headings, salutations, dates, bylines.
fn stays(text: &str) -> bool {
    let date =
        text.contains('年') && text.contains('月') && text.chars().any(|c| c.is_ascii_digit());
    let byline = crate::stages::tag::is_byline(text) || text.ends_with("同志");
    !fragment(text) || date || byline
}

/// A short line that is not a sentence, a numbered heading or a salutation: what a run of
/// boilerplate is made of.
fn fragment(text: &str) -> bool {
    let han = text.chars().filter(|c| is_han(*c)).count();
    // A sentence, or a clause that leads into what follows (…让我收获了三个“实”：).
    let sentence = han >= 4 && text.ends_with(['。', '！', '？', '!', '?', '…'])
        || han >= 8 && text.ends_with(['：', ':', '；', ';']);
    text.chars().count() <= MAX_CHARS
        && !sentence
        && parse_marker(text).is_none()
        && !is_salutation(text)
}

/// A line that could be a title or a part of one broken over lines: Han characters and none of
/// the separators of a site's banner or breadcrumb.
fn title_shaped(text: &str) -> bool {
    text.chars().filter(|c| is_han(*c)).count() >= 4
        && !text.contains(['|', '｜', '>', '＞', '›', '»', '/', '·', '•', '：', ':'])
}

/// 同志们：, 各位代表：
fn is_salutation(text: &str) -> bool {
    text.ends_with(['：', ':']) && text.chars().count() <= 16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(boilerplate: &Boilerplate, lines: &[&str]) -> Vec<bool> {
        let paragraphs: Vec<(u32, String)> =
            (1..).zip(lines.iter().map(|l| l.to_string())).collect();
        let verdicts = boilerplate.judge(&paragraphs);
        verdicts.iter().map(Option::is_some).collect()
    }

    #[test]
    fn the_bundled_samples_have_no_boilerplate() {
        let paths: Vec<std::path::PathBuf> = std::fs::read_dir("raw")
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        assert_eq!(
            Boilerplate::learn(&paths, u64::MAX, 3).0,
            Boilerplate::default()
        );
    }

    #[test]
    fn a_licence_footer_of_three_wiki_exports_is_learned_and_speech_lines_stay() {
        let dir = "tests/fixtures/dev/raw";
        let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let mut refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        let learned = Boilerplate::learn(&refs, u64::MAX, 3).0;
        let lines: Vec<&str> = learned.lines().map(|(l, _)| l.as_str()).collect();
        assert!(lines.contains(&"Public domain"), "{lines:?}");
        assert!(lines.contains(&"中华人民共和国著作权法"), "{lines:?}");
        // The same files in another order learn the same.
        refs.reverse();
        assert_eq!(Boilerplate::learn(&refs, u64::MAX, 3).0, learned);
        let footer = [
            "在毛主席革命路线指引下，团结起来，争取更大的胜利！",
            "本作品是中华人民共和国的",
            "法律",
            "、",
            "中华人民共和国著作权法",
            "公有领域",
            "。",
            "谢谢大家！",
        ];
        let verdicts = judge(&learned, &footer);
        assert_eq!(verdicts, [false, true, true, true, true, true, true, false]);
        // Before the first paragraph of prose a title-shaped line stays.
        let head = ["公有领域", "本作品是中华人民共和国的", footer[0]];
        assert_eq!(judge(&learned, &head), [false, false, false]);
        // A salutation, a heading and a closing stay whatever their count.
        for line in ["同志们：", "一、总体要求", "谢谢大家！", "习近平"] {
            assert!(speaks(line), "{line}");
        }
    }
}
