//! The date a document states, with its precision: a header date line (digits or Chinese
//! numerals, a month only), an editor's note (a dash-led line under the title, a closing 这是…的讲话)
//! or the signature date on the last lines, the page's publication time (a page fact, or a time
//! stamp left near the start of the text), a lunar day in the opening with the year
//! stated elsewhere, or a year alone in the occasion or the title.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::header::Header;
use super::notes;
use super::{Tagger, sentence_around};
use crate::model::{Document, Metadata};

pub(super) static FULL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?").unwrap()
});
pub(super) static HAN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日").unwrap()
});
pub(super) static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?\s*([\d〇零一二三四五六七八九十]{4}\s*[年./-]\s*[\d一二三四五六七八九十]{1,2}\s*[月./-]\s*[\d一二三四五六七八九十]{1,3}\s*日?)\s*[)）]?$").unwrap()
});
pub(super) static MONTH_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*[)）]?$").unwrap());
pub(super) static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})年").unwrap());
pub(super) static LUNAR_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:农历|阴历)?(正|二|三|四|五|六|七|八|九|十一|十二|十|冬|腊)月(初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十)",
    )
    .unwrap()
});

/// A date with a clock time: a page's time stamp (2002年07月23日 14:21, 2020-05-08 11:13:44).
static PAGE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\d{4}\s*(?:年|-|/)\s*\d{1,2}\s*(?:月|-|/)\s*\d{1,2}\s*(?:日\s*|\s+)\d{1,2}:\d{2}(?::\d{2})?",
    )
    .unwrap()
});

impl Tagger {
    /// (ISO date, precision, the words it came from, whether it was inferred rather than stated):
    /// what the text states, else the page's time, else what can be inferred.
    pub(super) fn tag_date(
        &self,
        doc: &Document,
        header: &Header,
        meta: &Metadata,
        paragraphs: &[&str],
        evidence: &mut BTreeMap<String, String>,
    ) -> Option<Dated> {
        stated_date(header, paragraphs, evidence)
            .or_else(|| page_date(doc, paragraphs, evidence))
            .or_else(|| inferred_date(doc, header, meta, paragraphs, evidence))
    }
}

/// (ISO date, precision, the words it came from, whether it was inferred rather than stated).
type Dated = (String, &'static str, String, bool);

/// The date the text states: a header date line (a month only), an editor's note, the signature.
fn stated_date(
    header: &Header,
    paragraphs: &[&str],
    evidence: &mut BTreeMap<String, String>,
) -> Option<Dated> {
    if let Some(line) = &header.date_line
        && let Some(date) = parse_full_date(line)
    {
        evidence.insert("date".into(), line.clone());
        return Some((date, "day", line.clone(), false));
    }
    if let Some(line) = &header.date_line
        && let Some(c) = MONTH_LINE.captures(line)
        && let Some(date) =
            chrono::NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, 1)
    {
        evidence.insert("date".into(), line.clone());
        return Some((
            date.format("%Y-%m-%d").to_string(),
            "month",
            line.clone(),
            false,
        ));
    }
    // An editor's note: a dash-led line under the title, the closing note of a
    // republication; then the signature date on the last lines.
    let stated = notes::dash_note_date(paragraphs, header)
        .map(|(date, line)| (date, line.to_string()))
        .or_else(|| notes::closing_note(paragraphs).map(|(date, _, sentence)| (date, sentence)))
        .or_else(|| notes::signature_date(paragraphs).map(|(date, line)| (date, line.to_string())));
    if let Some((date, shown_by)) = stated {
        evidence.insert("date".into(), shown_by.clone());
        return Some((date, "day", shown_by, false));
    }
    None
}

/// The page's publication time: a page fact, or a time stamp near the start of the text.
fn page_date(
    doc: &Document,
    paragraphs: &[&str],
    evidence: &mut BTreeMap<String, String>,
) -> Option<Dated> {
    if let Some(published) = &doc.page.published
        && let Some(date) = parse_full_date(published)
    {
        evidence.insert(
            "date".into(),
            doc.page
                .evidence
                .clone()
                .unwrap_or_else(|| published.clone()),
        );
        return Some((date, "day", published.clone(), false));
    }
    // A page's time stamp left near the start of the text (a flattened news page: title,
    // 2002年07月23日 14:21, text), or in what clean cut out of the file's first lines: the
    // page's publication time.
    let start: String = paragraphs
        .iter()
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let removed = doc
        .edits
        .iter()
        .filter(|e| e.line <= 5)
        .map(|e| e.before.as_str());
    let near_start = |text: &str| {
        let head = &text[..text.char_indices().nth(160).map_or(text.len(), |(i, _)| i)];
        PAGE_TIME.find(head).map(|m| m.as_str().to_string())
    };
    if let Some(stamp) = std::iter::once(start.as_str())
        .chain(removed)
        .find_map(near_start)
        && let Some(date) = parse_full_date(&stamp)
    {
        evidence.insert("date".into(), stamp.clone());
        return Some((date, "day", stamp, false));
    }
    None
}

/// A date inferred: a lunar day with the year stated elsewhere, a year in the occasion or title.
fn inferred_date(
    doc: &Document,
    header: &Header,
    meta: &Metadata,
    paragraphs: &[&str],
    evidence: &mut BTreeMap<String, String>,
) -> Option<Dated> {
    // A lunar day in the opening, with the year stated elsewhere in the text.
    let body = &paragraphs[header.body_start.min(paragraphs.len())..];
    let opening = super::opening(body).join("\n");
    if let Some(lunar) = LUNAR_DAY.captures(&opening)
        && let Some(year_at) = YEAR.captures(&doc.text)
    {
        let year: i32 = year_at[1].parse().ok()?;
        if let Some(date) = lunar_to_iso(year, &lunar[1], &lunar[2]) {
            let text = format!("{}（{}年）", &lunar[0], year);
            // The lunar day's sentence, and the sentence that states the year.
            let lunar_sentence = sentence_around(&opening, lunar.get(0)?.start());
            let year_sentence = sentence_around(&doc.text, year_at.get(0)?.start());
            evidence.insert("date".into(), lunar_sentence);
            evidence.insert("date_year".into(), year_sentence);
            return Some((date, "day", text, true));
        }
    }
    // A year alone, from the occasion or the title ("2020年全市…会议").
    for source in [meta.occasion.as_deref(), meta.title.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(c) = YEAR.captures(source) {
            evidence.insert("date".into(), source.to_string());
            return Some((format!("{}-01-01", &c[1]), "year", c[0].to_string(), true));
        }
    }
    None
}

/// "2015年11月12日", "2023-08-25", "2015.11.12", "二〇一五年十一月十二日" → ISO date.
pub fn parse_full_date(text: &str) -> Option<String> {
    let (y, m, d) = if let Some(c) = FULL_DATE.captures(text) {
        (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
    } else if let Some(c) = HAN_DATE.captures(text) {
        let year: String = c[1]
            .chars()
            .map(|ch| match ch {
                '〇' | '零' => '0',
                _ => char::from_digit(crate::outline::han_number(&ch.to_string()).unwrap_or(0), 10)
                    .unwrap_or('0'),
            })
            .collect();
        (
            year.parse().ok()?,
            crate::outline::han_number(&c[2])?,
            crate::outline::han_number(&c[3])?,
        )
    } else {
        return None;
    };
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// A lunar month and day (正月 初七) of lunar year `year` as an ISO date; the calendar comes from
/// the lunar-lite crate.
pub(super) fn lunar_to_iso(year: i32, month: &str, day: &str) -> Option<String> {
    let month = match month {
        "正" => 1,
        "冬" => 11,
        "腊" => 12,
        other => crate::outline::han_number(other)?,
    };
    let day = match day.strip_prefix('初') {
        Some(rest) => crate::outline::han_number(rest)?,
        None => match day.strip_prefix('廿') {
            Some(rest) => 20 + crate::outline::han_number(rest)?,
            None => crate::outline::han_number(day)?,
        },
    };
    let lunar = lunar_lite::LunarDate {
        year,
        month: month as u8,
        day: day as u8,
        is_leap_month: false,
    };
    let solar = lunar_lite::lunar_to_solar(lunar).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(solar.year, solar.month as u32, solar.day as u32)?;
    Some(date.format("%Y-%m-%d").to_string())
}
