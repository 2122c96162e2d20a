//! A simplified-character view of a text, so that rules written in simplified characters (cue
//! words, date and byline shapes, jieba's dictionary) also meet a speech written in traditional
//! characters (黨課講稿, 召開…大會). The view is made character by character (fast2s, with
//! OpenCC's character table and its few context rules), and a character is replaced only by one of
//! the same UTF-8 length, so the view has the same byte layout as the text: a match at bytes
//! `a..b` of the view is the text's bytes `a..b`. What is shown to users (values, evidence, token
//! text) is always taken from the text as written.

use std::borrow::Cow;

/// Traditional characters so common that a text written in traditional characters holds some of
/// them within its first lines (們 個 這 會 說 為 時 國 來 對 …), sorted for a binary search.
const COMMON_TRADITIONAL: &[char] = &[
    '個', '們', '來', '優', '關', '會', '這', '進', '過', '還', '對', '時', '說', '為', '國', '發',
    '經', '學', '與', '長', '當', '現', '後', '開', '黨', '區', '團', '體', '議', '實', '從', '動',
    '點', '問', '題', '義', '產', '業', '務', '員', '組', '織', '導', '種', '應',
];

/// Whether `text` is likely written in traditional characters: a common traditional character
/// among its first two thousand. Reading the view costs a pass over every character; this
/// spares the texts in simplified characters, nearly all of a corpus, that pass.
pub fn is_likely_traditional(text: &str) -> bool {
    static SORTED: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
        let mut chars = COMMON_TRADITIONAL.to_vec();
        chars.sort_unstable();
        chars.dedup();
        chars
    });
    text.chars()
        .take(2000)
        .any(|c| c > '\u{4dff}' && SORTED.binary_search(&c).is_ok())
}

/// The text with traditional characters replaced by simplified ones, byte for byte in place.
pub fn simplified(text: &str) -> Cow<'_, str> {
    let converted = fast2s::convert(text);
    if converted == text {
        return Cow::Borrowed(text);
    }
    let view: String = text
        .chars()
        .zip(converted.chars())
        .map(|(written, simple)| {
            if written.len_utf8() == simple.len_utf8() {
                simple
            } else {
                written
            }
        })
        .collect();
    debug_assert_eq!(view.len(), text.len());
    Cow::Owned(view)
}

/// Pairs of (view, text as written), to turn strings the rules found in views back into the
/// characters as written.
#[derive(Default)]
pub struct AsWritten {
    pairs: Vec<(String, String)>,
}

impl AsWritten {
    /// Remembers a text and its view; returns the view.
    pub fn view(&mut self, written: &str) -> String {
        let view = simplified(written).into_owned();
        if view != written {
            self.pairs.push((view.clone(), written.to_string()));
        }
        view
    }

    /// Remembers a text and the view made of it already.
    pub fn remember(&mut self, view: String, written: &str) {
        if view != written {
            self.pairs.push((view, written.to_string()));
        }
    }

    /// `found` (a string the rules took from a view) in the characters as written: the same bytes
    /// of the text whose view holds it; a string pieced together from several places (a title's
    /// lines joined) is turned back character by character, each as the texts wrote it.
    pub fn restore(&self, found: &str) -> String {
        for (view, written) in &self.pairs {
            if let Some(at) = view.find(found) {
                return written[at..at + found.len()].to_string();
            }
        }
        found
            .chars()
            .map(|c| {
                self.pairs
                    .iter()
                    .find_map(|(view, written)| {
                        view.char_indices()
                            .find(|(_, v)| *v == c)
                            .and_then(|(at, _)| written[at..].chars().next())
                    })
                    .unwrap_or(c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_is_simplified_in_place_and_strings_turn_back_as_written() {
        let text = "黨代表選舉會議講話稿\n同志們：\n今天我們召開換屆選舉工作部署大會";
        let view = simplified(text);
        assert_eq!(
            view,
            "党代表选举会议讲话稿\n同志们：\n今天我们召开换届选举工作部署大会"
        );
        assert_eq!(view.len(), text.len());
        assert!(matches!(simplified("在全市会议上的讲话"), Cow::Borrowed(_)));
        assert!(is_likely_traditional(text));
        assert!(!is_likely_traditional("党代表选举会议讲话稿"));

        let mut written = AsWritten::default();
        let view = written.view(text);
        let at = view.find("换届选举工作部署大会").unwrap();
        assert_eq!(
            &text[at..at + "换届选举工作部署大会".len()],
            "換屆選舉工作部署大會"
        );
        assert_eq!(
            written.restore("换届选举工作部署大会"),
            "換屆選舉工作部署大會"
        );
        // Pieced together from two lines: each character as written.
        assert_eq!(written.restore("讲话稿同志们"), "講話稿同志們");
    }
}
