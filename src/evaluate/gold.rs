//! The gold format (docs/GOLD.md): what each raw file should give and the facts of each document,
//! read with every missing key or wrong type named by its place; and [`fold`], how texts compare.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// A gold file: what each raw file should give, and the facts of each document.
#[derive(Debug, Deserialize)]
pub struct Gold {
    pub files: BTreeMap<String, GoldFile>,
    pub documents: Vec<GoldDocument>,
}

#[derive(Debug, Deserialize)]
pub struct GoldFile {
    /// How many documents the file holds.
    pub documents: usize,
    /// Substrings that must not survive cleaning.
    #[serde(default)]
    pub noise: Vec<String>,
}

/// One document's facts. Each field must be present; `null` means the text does not say.
/// `accept_<field>` lists other answers that count as right.
#[derive(Debug, Deserialize)]
pub struct GoldDocument {
    pub file: String,
    pub part: i32,
    #[serde(deserialize_with = "present")]
    pub title: Option<String>,
    #[serde(deserialize_with = "present")]
    pub speaker: Option<String>,
    #[serde(deserialize_with = "present")]
    pub speaker_role: Option<String>,
    #[serde(deserialize_with = "present")]
    pub date: Option<String>,
    #[serde(deserialize_with = "present")]
    pub occasion: Option<String>,
    #[serde(deserialize_with = "present")]
    pub genre: Option<String>,
    #[serde(default)]
    pub accept_title: Vec<Option<String>>,
    #[serde(default)]
    pub accept_speaker: Vec<Option<String>>,
    #[serde(default)]
    pub accept_speaker_role: Vec<Option<String>>,
    #[serde(default)]
    pub accept_date: Vec<Option<String>>,
    #[serde(default)]
    pub accept_occasion: Vec<Option<String>>,
    #[serde(default)]
    pub accept_genre: Vec<Option<String>>,
    pub headings: Vec<GoldHeading>,
}

#[derive(Debug, Deserialize)]
pub struct GoldHeading {
    pub level: i32,
    /// The heading with its marker (一、…), as written.
    pub text: String,
    /// The heading starts mid-paragraph because the source lost a line break.
    #[serde(default)]
    pub inline: bool,
}

/// A key that must be there, though it may be `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Option::deserialize(d)
}

impl GoldDocument {
    /// The gold value of a field and the answers accepted for it.
    pub fn accepted(&self, field: &str) -> (Option<&str>, Vec<Option<&str>>) {
        let (value, alternatives) = match field {
            "title" => (&self.title, &self.accept_title),
            "speaker" => (&self.speaker, &self.accept_speaker),
            "speaker_role" => (&self.speaker_role, &self.accept_speaker_role),
            "date" => (&self.date, &self.accept_date),
            "occasion" => (&self.occasion, &self.accept_occasion),
            _ => (&self.genre, &self.accept_genre),
        };
        let mut accepted = vec![value.as_deref()];
        accepted.extend(alternatives.iter().map(Option::as_deref));
        (value.as_deref(), accepted)
    }
}

/// Reads a gold file; a missing key or a value of the wrong type is named with its place.
pub fn read_gold(path: &Path) -> Result<Gold> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut json = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        reason: format!("not a gold file: at `{}`: {}", e.path(), e.inner()),
    })
}

/// How gold texts and extracted texts are compared: NFKC (full-width letters and punctuation to
/// their ASCII forms), white space removed, curly quotes straightened, trailing full stops (。 .)
/// dropped.
pub fn fold(s: &str) -> String {
    let folded: String = s
        .nfkc()
        // Python's `\s`, which the reference scorer uses: Unicode white space and the separators.
        .filter(|c| !c.is_whitespace() && !('\u{1c}'..='\u{1f}').contains(c))
        .map(|c| match c {
            '“' | '”' => '"',
            '‘' | '’' => '\'',
            c => c,
        })
        .collect();
    folded.trim_end_matches(['。', '.']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_normalises_width_space_quotes_and_final_stops() {
        assert_eq!(
            fold("一、 正确处理好“带头干”。"),
            "一、正确处理好\"带头干\""
        );
        assert_eq!(fold("（一）ＡＢ，１２\u{3000}x．"), "(一)AB,12x");
        assert_eq!(fold("你好。。.."), "你好");
    }

    #[test]
    fn a_missing_or_mistyped_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.json");
        let doc = r#"{"file": "a.txt", "part": 1, "speaker": null, "speaker_role": null,
            "date": null, "occasion": null, "genre": "讲话", "headings": []}"#;
        std::fs::write(&path, format!(r#"{{"files": {{}}, "documents": [{doc}]}}"#)).unwrap();
        let err = read_gold(&path).unwrap_err().to_string();
        assert!(
            err.contains("documents[0]") && err.contains("`title`"),
            "{err}"
        );

        let doc = doc.replace(r#""part": 1"#, r#""part": "one""#);
        std::fs::write(&path, format!(r#"{{"files": {{}}, "documents": [{doc}]}}"#)).unwrap();
        let err = read_gold(&path).unwrap_err().to_string();
        assert!(err.contains("documents[0].part"), "{err}");
    }
}
