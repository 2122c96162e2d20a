//! The genre: cue words in the title or the collection's title, a page's source or column (an
//! article), a salutation to comrades (a speech), else the default.

use super::{Tagger, sentence_around};
use crate::model::{Document, Metadata};

/// Cue words in a title or collection title that decide the genre, tried in order.
const GENRE_CUES: &[(&str, &[&str])] = &[
    ("交流发言", &["交流发言", "发言"]),
    ("党课", &["党课"]),
    ("致辞", &["致辞", "贺词"]),
    ("报告", &["报告"]),
    ("讲话", &["讲话"]),
];

impl Tagger {
    /// The genre and the text that decided it.
    pub(super) fn genre(
        &self,
        doc: &Document,
        meta: &Metadata,
        paragraphs: &[&str],
        title_evidence: Option<&str>,
    ) -> (String, Option<String>) {
        let allowed = |g: &str| self.settings.genres.iter().any(|x| x == g);
        // Each place a cue is looked for, with the text that shows it (the title's own lines).
        let cues_in = [
            (
                meta.title.as_deref(),
                title_evidence.or(meta.title.as_deref()),
            ),
            (doc.collection.as_deref(), doc.collection.as_deref()),
        ];
        for (genre, cues) in GENRE_CUES {
            if !allowed(genre) {
                continue;
            }
            let found = cues_in
                .iter()
                .find(|(text, _)| text.is_some_and(|t| cues.iter().any(|c| t.contains(c))));
            if let Some((_, shown_by)) = found {
                return (genre.to_string(), shown_by.map(str::to_string));
            }
        }
        if allowed("文章") && (meta.source.is_some() || meta.column.is_some()) {
            return (
                "文章".into(),
                doc.page.evidence.clone().or_else(|| meta.column.clone()),
            );
        }
        let salutation = paragraphs.iter().find(|p| p.starts_with("同志们"));
        if allowed("讲话")
            && let Some(p) = salutation
        {
            return ("讲话".into(), Some(sentence_around(p, 0)));
        }
        (self.settings.default_genre.clone(), None)
    }
}
