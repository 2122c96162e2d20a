//! The genre, from what the text says it is, in this order: a cue word of `tag.genre_cues` in the
//! title or the collection's title (the one ending last: a title ends with what the document is);
//! a part opened by its speaker's label (remarks, a speech); the opening stating what it is (给大家
//! 讲授党课, 我代表国务院向大会作政府工作报告, a lead reporting that someone 发表了新年贺词);
//! a page's source or column (an article); a salutation to comrades (a speech); and last the
//! shape of a signed article — a title, no word to an audience anywhere, no sign of news (a
//! dateline, a reporter, 新闻 in the title) —
//! else the default (also for a letter: 致新员工书).

use std::sync::LazyLock;

use regex::Regex;

use super::header::{Header, speech_lead};
use super::{Tagger, is_address, sentence_around};
use crate::model::{Document, Metadata};

/// The opening stating what the text is: a lecture to its audience, a report to a meeting.
static OPENING_GENRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[给为和跟同]大家(?:讲授|讲|上)(?:一堂|一次|一节)?(?:专题)?(党课)|代表[^，。；]{1,20}[，,]?向[^，。；]{2,40}?(?:作|做)?(?:了)?[^，。；]{0,10}?(报告)")
        .unwrap()
});
/// A lead reporting the speech that follows: …发表了二〇二六年新年贺词.
static LEAD_GENRE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"发表(?:了)?[^。！？]{0,16}?(讲话|贺词|致辞|演讲)").unwrap());
/// A letter's title: 致新员工书, 致全市广大党员的一封信.
static LETTER_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"致[^，。；：]{1,24}?(?:的)?(?:一封)?(?:信|书)$").unwrap());
/// A news item's header or opening: a dateline (新华社北京3月5日电, 本网讯, 金山讯), a date
/// (3月16日，…), a reporter's credit (本报记者 王乐文).
static NEWS_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^）)]|^.{0,12}讯|^.{0,16}电[ 　（(]|记者")
        .unwrap()
});

impl Tagger {
    /// The genre and the text that decided it.
    pub(super) fn genre(
        &self,
        doc: &Document,
        meta: &Metadata,
        header: &Header,
        paragraphs: &[&str],
        title_evidence: Option<&str>,
    ) -> (String, Option<String>) {
        let allowed = |g: &str| self.settings.genres.iter().any(|x| x == g);
        let title_shown = title_evidence.or(meta.title.as_deref());
        for (text, shown_by) in [
            (meta.title.as_deref(), title_shown),
            (doc.collection.as_deref(), doc.collection.as_deref()),
        ] {
            if let Some(genre) = text.and_then(|t| self.last_cue(t)) {
                return (genre.to_string(), shown_by.map(str::to_string));
            }
        }
        // A letter is not an article, whatever its shape.
        if let Some(title) = meta.title.as_deref().filter(|t| LETTER_TITLE.is_match(t)) {
            let genre = self.settings.default_genre.clone();
            return (genre, Some(title_shown.unwrap_or(title).to_string()));
        }
        // A part opened by its speaker's label (徐直军：): their remarks.
        if let Some((line, role, _)) = &header.byline
            && role.is_empty()
            && line.ends_with(['：', ':'])
            && allowed("讲话")
        {
            return ("讲话".into(), Some(line.clone()));
        }
        if let Some((genre, sentence)) = self.stated_in_opening(doc, header, paragraphs) {
            return (genre, Some(sentence));
        }
        let opening = &paragraphs[..(header.body_start + 1).min(paragraphs.len())];
        let news = title_shown.is_some_and(|t| t.contains("新闻"))
            || opening.iter().any(|p| NEWS_OPENING.is_match(p));
        if allowed("文章") && !news && (meta.source.is_some() || meta.column.is_some()) {
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
        // A signed article: a title, no word to an audience, not a news item.
        if allowed("文章")
            && meta.title.is_some()
            && !paragraphs.iter().any(|p| is_address(p))
            && !news
        {
            return ("文章".into(), title_shown.map(str::to_string));
        }
        (self.settings.default_genre.clone(), None)
    }

    /// The genre whose cue ends last in `title` (of two ending at the same place, the longer).
    /// A cue inside quotation marks names another text (看‘北大最短毕业致辞’的感受, 学习《…讲话》).
    fn last_cue(&self, title: &str) -> Option<&str> {
        let quoted = quoted_spans(title);
        let outside = |at: usize| !quoted.iter().any(|(from, to)| (*from..*to).contains(&at));
        let mut best: Option<(usize, usize, &str)> = None;
        for (genre, cues) in &self.settings.genre_cues {
            for cue in cues.iter().filter(|c| !c.is_empty()) {
                let last = title
                    .rmatch_indices(cue.as_str())
                    .map(|(at, _)| at)
                    .find(|at| outside(*at));
                if let Some(at) = last {
                    let found = (at + cue.len(), cue.len(), genre.as_str());
                    if best.is_none_or(|(end, len, _)| (found.0, found.1) > (end, len)) {
                        best = Some(found);
                    }
                }
            }
        }
        best.map(|(_, _, genre)| genre)
    }

    /// What the opening says the text is: a lecture, a report, or the speech a lead reports.
    fn stated_in_opening(
        &self,
        doc: &Document,
        header: &Header,
        paragraphs: &[&str],
    ) -> Option<(String, String)> {
        let opening = paragraphs.iter().skip(header.body_start).take(2);
        for paragraph in opening {
            if let Some(c) = OPENING_GENRE.captures(paragraph) {
                let cue = c.get(1).or(c.get(2)).expect("a cue");
                let genre = self.last_cue(cue.as_str());
                if let Some(genre) = genre {
                    return Some((genre.into(), sentence_around(paragraph, cue.start())));
                }
            }
        }
        let lead = speech_lead(doc, header, paragraphs)?;
        let c = LEAD_GENRE.captures(lead)?;
        let genre = self.last_cue(&c[1])?;
        Some((genre.into(), sentence_around(lead, c.get(1)?.start())))
    }
}

/// The byte spans of `text` inside quotation marks (“…”, ‘…’, 《…》, 「…」, "…").
fn quoted_spans(text: &str) -> Vec<(usize, usize)> {
    const PAIRS: &[(char, char)] = &[
        ('“', '”'),
        ('‘', '’'),
        ('《', '》'),
        ('「', '」'),
        ('"', '"'),
    ];
    let mut spans = Vec::new();
    for (open, close) in PAIRS {
        let mut from = 0;
        while let Some(start) = text[from..].find(*open).map(|i| from + i) {
            let inner = start + open.len_utf8();
            let Some(end) = text[inner..].find(*close).map(|i| inner + i) else {
                break;
            };
            spans.push((inner, end));
            from = end + close.len_utf8();
        }
    }
    spans
}
