//! Tag: who spoke, when, at what, in which genre, with the text each value came from. The rules
//! read the typography and position of lines: a header block before the body (title lines, a title
//! repeated counted once; a byline of role + name, an office over a name, a name alone or after a
//! symbol, a byline glued after the title; a bracketed date line or a note starting with a date;
//! the headline form title（date）name on one line; a salutation or an addressee line ending in a
//! colon), a second speaker's label opening a part (徐直军：), a title naming its speaker, a web
//! page's 来源/发布时间 line, a compilation's title, and the opening sentence ("今天我们召开…会议").
//! A name is a person's when it starts with a common surname (`names`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::Result;
use crate::gazetteer::Gazetteer;
use crate::io::artifact::{JsonlWriter, StageOutput, to_json_line};
use crate::io::documents::{
    ANNOTATIONS_FILE, KeptLine, document_with, kept_count, with_tokens, words,
};
use crate::keywords::KeywordRanker;
use crate::model::{Annotation, Document, Metadata};
use crate::outline::parse_marker;
use crate::schema::DocumentTokens;
use crate::settings::{Settings, TagSettings};
use crate::stages::{Context, Items, Stage};

/// Lines of the header block at most; a speech's header is short.
const MAX_HEADER_LINES: usize = 8;
/// A line longer than this, or holding a full stop, is prose: the body has begun.
const MAX_HEADER_LINE_CHARS: usize = 60;

static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(同志们|各位(领导|同志|代表|来宾)|女士们|先生们|亲爱的).{0,30}[：:]$").unwrap()
});
/// The offices a byline names before the speaker's name.
const ROLES: &str = "副书记|书记|副主任|主任|副部长|部长|副局长|局长|厅长|市长|县长|区长|主席|委员|秘书长|处长|科长|组长|院长|校长|理事长|总经理|董事长|巡视员|调研员|负责人|副总理|总理|副总裁|总裁";
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(.{{2,40}}?(?:{ROLES}))(\s+|)(\p{{Han}}{{2,4}}?)(同志)?$"
    ))
    .unwrap()
});
/// An office alone on its line, its holder's name on the next: 国务院总理 / 李克强.
static ROLE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^.{{0,30}}?(?:{ROLES})$")).unwrap());
/// A title with its byline glued on after it: …表彰大会上的讲话酒泉市委书记$$吴仰东.
static TITLE_THEN_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(.{{4,}}?(?:讲话|講話|发言|發言|报告|報告|致辞|致辭|党课|黨課|讲稿|講稿))(.{{2,30}}?(?:{ROLES}))[^\p{{Han}}]*(\p{{Han}}{{2,4}})$"
    ))
    .unwrap()
});
/// A title with the author's name after a separator: …而团结奋斗※习近平.
static TITLE_THEN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{4,}?)\s*[※★●◆■|｜/]\s*([\p{Han}·]{2,4})$").unwrap());
/// A title that names its speaker: 余承东的倡议书, 习近平在…上的讲话.
static SPEAKER_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}]{2,4}?)(?:同志)?(?:在.{2,60}上的|的)(?:总结)?(?:讲话|發言|发言|报告|致辞|倡议书|公开信|信|演讲|讲课|党课)")
        .unwrap()
});
/// A report of who spoke, in an editor's note or a news lead: (role)(name)…发表了讲话/贺词.
static LEAD_SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[，。；：、\s])([\p{{Han}}]{{0,12}}?(?:国家主席|{ROLES}))([\p{{Han}}]{{2,3}})[^。！？]{{0,40}}?(?:发表(?:了)?[^。！？]{{0,12}}?(?:讲话|贺词|致辞)|作(?:了)?(?:重要)?讲话)"
    ))
    .unwrap()
});
/// A bracketed note that starts with a date: （2023年3月13日第十四届全国人民代表大会第一次会议通过）.
static DATED_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^（）()]{0,40}[）)]$").unwrap()
});
/// A line that is a speaker's byline: role and name (市委书记 张三, …主任李四同志).
pub fn is_byline(line: &str) -> bool {
    BYLINE.is_match(line)
}

/// A headline of title, date and speaker on one line, as news and theory sites print it:
/// 在中央党校…开学典礼上的讲话（2023年3月1日）习近平 — maybe with the salutation glued after.
static DATED_HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{4,120}?)([（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^）)]{0,8}[）)])\s*([\p{Han}·]{2,4}?)?\s*((?:同志们|朋友们|各位).{0,30}[：:])?$")
        .unwrap()
});
static HEADLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^【([^】]{1,20})】(?:(\p{Han}{2,4})[：:])?(.+)$").unwrap());
static FULL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?").unwrap()
});
static HAN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日").unwrap()
});
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?\s*([\d〇零一二三四五六七八九十]{4}\s*[年./-]\s*[\d一二三四五六七八九十]{1,2}\s*[月./-]\s*[\d一二三四五六七八九十]{1,3}\s*日?)\s*[)）]?$").unwrap()
});
static MONTH_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*[)）]?$").unwrap());
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})年").unwrap());
static LUNAR_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:农历|阴历)?(正|二|三|四|五|六|七|八|九|十一|十二|十|冬|腊)月(初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十)",
    )
    .unwrap()
});
/// The opening sentence that convenes the meeting: 今天我们召开…会议, 隆重举行…奠基仪式. What it
/// convenes is named, not described (…召开的一次十分重要的大会 is no name).
static OPENING_MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:召开|举行|举办|开展)(?:了)?(?:这次|本次)?([^，。；、：！？\s的][^，。；、：！？\s]{1,39}?(?:会议|大会|座谈会|会|仪式|典礼))")
        .unwrap()
});
static TITLE_MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"在(.{2,60}?)(?:上|时)的(?:总结)?(?:讲话|发言|报告|致辞|党课)|在(.{2,60}?(?:会议|大会|学习|典礼|仪式|座谈会|论坛))(?:上|时)")
        .unwrap()
});
static COLLECTION_MEETING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{2,40}?(?:会议|大会|座谈会|会))").unwrap());
static ANONYMISED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\p{Han})(?:X{1,3}|Ｘ{1,3}|\*{1,3}|＊{1,3})(?:\p{Han}|$)").unwrap()
});

/// Cue words in a title or collection title that decide the genre, tried in order.
const GENRE_CUES: &[(&str, &[&str])] = &[
    ("交流发言", &["交流发言", "发言"]),
    ("党课", &["党课"]),
    ("致辞", &["致辞", "贺词"]),
    ("报告", &["报告"]),
    ("讲话", &["讲话"]),
];

pub struct Tagger {
    settings: TagSettings,
    keywords: KeywordRanker,
    gazetteer: Gazetteer,
}

/// What the header block holds.
#[derive(Default)]
struct Header {
    title_lines: Vec<String>,
    headline: Option<(String, Option<String>, String)>,
    byline: Option<(String, String, String)>,
    date_line: Option<String>,
    body_start: usize,
}

impl Tagger {
    pub fn new(settings: &TagSettings) -> Self {
        Tagger {
            settings: settings.clone(),
            keywords: KeywordRanker::new(&settings.keyword_pos, &settings.keyword_stop_words),
            gazetteer: Gazetteer::builtin(),
        }
    }

    /// Fills `doc.meta` from its text, its page facts, its collection and its words as the segment
    /// stage cut and tagged them (word, part of speech).
    pub fn tag(&self, doc: &mut Document, words: &[(&str, &str)]) {
        let text = doc.text.clone();
        let paragraphs: Vec<&str> = text.split('\n').collect();
        let header = read_header(&paragraphs);
        let mut meta = Metadata {
            body_start: header.body_start as u32,
            paragraph_count: paragraphs.len() as u32,
            token_count: words.len() as u64,
            ..Default::default()
        };
        let mut evidence = BTreeMap::new();

        header_fields(doc, &header, &paragraphs, &mut meta, &mut evidence);
        occasion(
            doc,
            &paragraphs[header.body_start.min(paragraphs.len())..],
            &mut meta,
            &mut evidence,
        );
        if let Some((date, precision, text, inferred)) =
            self.tag_date(doc, &header, &meta, &paragraphs, &mut evidence)
        {
            meta.date = Some(date);
            meta.date_precision = Some(precision.to_string());
            meta.date_text = Some(text);
            if inferred {
                doc.flag("date_inferred");
            }
        }

        let (genre, genre_evidence) = self.genre(
            doc,
            &meta,
            &paragraphs,
            evidence.get("title").map(String::as_str),
        );
        meta.genre = genre;
        if let Some(text) = genre_evidence {
            evidence.insert("genre".into(), text);
        }
        meta.keywords = self
            .keywords
            .top(words.iter().copied(), self.settings.keywords);

        self.regions(doc, words, &mut meta, &mut evidence);
        self.quality_flags(doc);
        meta.evidence = evidence;
        doc.meta = Some(meta);
    }

    /// The places the text names (the gazetteer's, with the words segment tagged as places).
    fn regions(
        &self,
        doc: &Document,
        words: &[(&str, &str)],
        meta: &mut Metadata,
        evidence: &mut BTreeMap<String, String>,
    ) {
        let tagged_places: Vec<String> = words
            .iter()
            .filter(|(_, pos)| *pos == "ns")
            .map(|(word, _)| word.to_string())
            .collect();
        let places = self.gazetteer.mentions(&doc.text, &tagged_places);
        if let Some(top) = places.first() {
            let at = doc.text.find(top.name.as_str()).or_else(|| {
                crate::gazetteer::short_form(&top.name).and_then(|s| doc.text.find(s.as_str()))
            });
            if let Some(at) = at {
                evidence.insert("region".into(), sentence_around(&doc.text, at));
            }
        }
        meta.region = places
            .into_iter()
            .take(self.settings.max_regions)
            .map(|m| m.name)
            .collect();
    }

    /// Flags for what the text shows of its origin: anonymised names, a site's watermark.
    fn quality_flags(&self, doc: &mut Document) {
        if ANONYMISED.is_match(&doc.text) {
            doc.flag("anonymised");
        }
        if self
            .settings
            .watermark_words
            .iter()
            .any(|w| !w.is_empty() && doc.text.contains(w.as_str()))
        {
            doc.flag("watermark");
        }
    }

    /// (ISO date, precision, the words it came from, whether it was inferred rather than stated).
    fn tag_date(
        &self,
        doc: &Document,
        header: &Header,
        meta: &Metadata,
        paragraphs: &[&str],
        evidence: &mut BTreeMap<String, String>,
    ) -> Option<(String, &'static str, String, bool)> {
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
        // A lunar day in the opening, with the year stated elsewhere in the text.
        let body = &paragraphs[header.body_start.min(paragraphs.len())..];
        let opening = body.iter().take(2).copied().collect::<Vec<_>>().join("");
        if let Some(lunar) = LUNAR_DAY.captures(&opening)
            && let Some(year) = YEAR.captures(&doc.text)
        {
            let year: i32 = year[1].parse().ok()?;
            if let Some(date) = lunar_to_iso(year, &lunar[1], &lunar[2]) {
                let text = format!("{}（{}年）", &lunar[0], year);
                evidence.insert(
                    "date".into(),
                    format!(
                        "{} … {}年",
                        sentence_around(&opening, lunar.get(0)?.start()),
                        year
                    ),
                );
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

    /// The genre and the text that decided it.
    fn genre(
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

/// Reads the header block: lines before the salutation or the first line of prose.
fn read_header(paragraphs: &[&str]) -> Header {
    let mut header = Header::default();
    // The line after an office alone is its holder's name, read with it.
    let mut skip_next = false;
    for (i, line) in paragraphs.iter().enumerate().take(MAX_HEADER_LINES) {
        // A second speaker's label opening a document: 徐直军：
        if i == 0 && line.ends_with(['：', ':']) && crate::names::is_personal_name(line) {
            let name = line.trim_end_matches(['：', ':']).trim().to_string();
            header.byline = Some((line.to_string(), String::new(), name));
            header.body_start = 1;
            return header;
        }
        if is_salutation(line) {
            header.body_start = i + 1;
            return header;
        }
        if header.title_lines.is_empty()
            && let Some(c) = DATED_HEADLINE.captures(line)
        {
            header.title_lines.push(c[1].trim().to_string());
            header.date_line = Some(c[2].to_string());
            if let Some(name) = c.get(3) {
                header.byline = Some((line.to_string(), String::new(), name.as_str().into()));
            }
            header.body_start = i + 1;
            if c.get(4).is_some() {
                return header;
            }
            continue;
        }
        let is_prose =
            line.chars().count() > MAX_HEADER_LINE_CHARS || line.contains(['。', '！', '？']);
        if is_prose || parse_marker(line).is_some() || line.starts_with("同志们") {
            header.body_start = i;
            return header;
        }
        if skip_next {
            skip_next = false;
        } else if DATE_LINE.is_match(line) || MONTH_LINE.is_match(line) || DATED_NOTE.is_match(line)
        {
            header.date_line = Some(line.to_string());
        } else if let Some(name) = ROLE_LINE
            .is_match(line)
            .then(|| paragraphs.get(i + 1).and_then(|next| name_alone(next)))
            .flatten()
        {
            // The office on one line, the name on the next.
            let lines = format!("{line}\n{}", paragraphs[i + 1]);
            header.byline = Some((lines, line.to_string(), name.to_string()));
            skip_next = true;
        } else if let Some(c) = TITLE_THEN_BYLINE
            .captures(line)
            .filter(|c| header.byline.is_none() && crate::names::is_personal_name(&c[3]))
        {
            header.title_lines.push(c[1].to_string());
            header.byline = Some((line.to_string(), c[2].to_string(), c[3].to_string()));
        } else if let Some(c) = TITLE_THEN_NAME
            .captures(line)
            .filter(|c| header.title_lines.is_empty() && crate::names::is_personal_name(&c[2]))
        {
            header.title_lines.push(c[1].to_string());
            header.byline = Some((line.to_string(), String::new(), c[2].to_string()));
        } else if let Some(c) = BYLINE
            .captures(line)
            .filter(|c| !c[2].is_empty() || c.get(4).is_some())
        {
            header.byline = Some((line.to_string(), c[1].trim().to_string(), c[3].to_string()));
        } else if let Some(c) = HEADLINE.captures(line) {
            header.headline = Some((
                c[1].to_string(),
                c.get(2).map(|m| m.as_str().to_string()),
                c[3].to_string(),
            ));
        } else if let Some(name) = name_alone(line).filter(|_| !header.title_lines.is_empty()) {
            // A name alone under the title is its author's byline: 刘金新, ※习近平.
            header.byline = Some((line.to_string(), String::new(), name.to_string()));
        } else if header.title_lines.concat().contains(line)
            && title_continues(&header, i, paragraphs)
        {
            // A title repeated (page title and article title), or its tail repeated: counted once.
        } else if header.title_lines.is_empty() || title_continues(&header, i, paragraphs) {
            header.title_lines.push(line.to_string());
        }
        header.body_start = i + 1;
    }
    // No prose within the header limit: there was no header.
    Header::default()
}

/// A salutation or an addressee line ends the header: 同志们：, 各位代表：, 同志們：, 各党支部：
/// (a short line ending with a colon).
fn is_salutation(line: &str) -> bool {
    if SALUTATION.is_match(line) {
        return true;
    }
    let Some(head) = line.strip_suffix('：').or_else(|| line.strip_suffix(':')) else {
        return false;
    };
    head.chars().count() <= 15 && !head.contains(['。', '；', '：', ':'])
}

/// A name of two or three characters at the start of `text` (three unless the third begins what
/// the sentence says of the person: 王伟在…, 任正非和…).
fn name_before_verb(text: &str) -> Option<&str> {
    let cut = |n: usize| text.char_indices().nth(n).map_or(text, |(i, _)| &text[..i]);
    let third = text.chars().nth(2);
    let verb = third.is_some_and(|c| "在和与同等于对出发作说向的为指强表通".contains(c));
    let name = if verb { cut(2) } else { cut(3) };
    crate::names::is_personal_name(name).then_some(name)
}

/// A person's name alone on a line, maybe after a symbol (※习近平): the name.
fn name_alone(line: &str) -> Option<&str> {
    let name = line.trim_start_matches(|c: char| !crate::io::raw::is_han(c));
    (name.chars().count() <= 4 && crate::names::is_personal_name(name)).then_some(name)
}

/// A title broken over lines continues on the very next line; after a byline or date it is over.
fn title_continues(header: &Header, i: usize, paragraphs: &[&str]) -> bool {
    i > 0 && header.title_lines.last().map(String::as_str) == Some(paragraphs[i - 1])
}

/// The sentence of `text` that holds byte offset `at` (a line end also ends a sentence).
fn sentence_around(text: &str, at: usize) -> String {
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '\n');
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| is_end(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[at..]
        .char_indices()
        .find(|(_, c)| is_end(*c))
        .map_or(text.len(), |(i, c)| at + i + c.len_utf8());
    text[start..end].trim_end_matches('\n').to_string()
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
fn lunar_to_iso(year: i32, month: &str, day: &str) -> Option<String> {
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

/// The tag stage: reads each kept document with its tokens and writes what it adds to it (its
/// metadata and flags) to `annotations.jsonl`.
impl Stage for Tagger {
    const NAME: &'static str = "tag";
    type Item = (KeptLine, Option<DocumentTokens>);
    /// Text bytes, whether a date was found, the annotation's JSON line.
    type Done = (usize, bool, Vec<u8>);
    /// The writer, documents tagged, documents with a date.
    type Sink = (JsonlWriter<Annotation>, usize, usize);

    fn fingerprint_settings(settings: &Settings) -> serde_json::Value {
        serde_json::to_value(&settings.tag).expect("settings serialise")
    }

    fn build(cx: &Context) -> Result<Self> {
        Ok(Tagger::new(&cx.settings.tag))
    }

    fn items(&self, cx: &Context) -> Result<(u64, Items<Self::Item>)> {
        Ok((kept_count(cx.work)?, Box::new(with_tokens(cx.work)?)))
    }

    fn work(&self, (line, tokens): Self::Item) -> Result<Self::Done> {
        let (mut doc, tokens) = document_with(&line, tokens)?;
        let text = doc.text.clone();
        let tagged: Vec<(&str, &str)> = words(&tokens, &text)?
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, tokens.pos.value(i)))
            .collect();
        self.tag(&mut doc, &tagged);
        let annotation = Annotation {
            doc_id: doc.doc_id,
            flags: doc.flags,
            meta: doc.meta.unwrap_or_default(),
        };
        let has_date = annotation.meta.date.is_some();
        Ok((text.len(), has_date, to_json_line(&annotation)))
    }

    fn text_bytes(done: &Self::Done) -> usize {
        done.0
    }

    fn open(&self, _cx: &Context, output: &StageOutput) -> Result<Self::Sink> {
        Ok((JsonlWriter::create(&output.file(ANNOTATIONS_FILE))?, 0, 0))
    }

    fn absorb(&self, sink: &mut Self::Sink, (_, has_date, line): Self::Done) -> Result<()> {
        sink.1 += 1;
        sink.2 += has_date as usize;
        sink.0.write_line(&line)
    }

    fn finish(&self, _cx: &Context, sink: Self::Sink, _: &StageOutput) -> Result<String> {
        let (writer, documents, dated) = sink;
        writer.finish()?;
        Ok(format!("{documents} documents tagged, {dated} with a date"))
    }
}

/// Title, speaker and role from the header; source and column from the page facts (or the
/// headline's column tag).
fn header_fields(
    doc: &Document,
    header: &Header,
    paragraphs: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    // Title: the header's title lines joined (a title broken over lines), else a web headline.
    if !header.title_lines.is_empty() {
        let title = header.title_lines.concat();
        evidence.insert("title".into(), header.title_lines.join("\n"));
        meta.title = Some(title);
    } else if let Some((_, _, title)) = &header.headline {
        meta.title = Some(title.clone());
        evidence.insert("title".into(), paragraphs[0].to_string());
    }
    if let Some((line, role, name)) = &header.byline {
        meta.speaker = Some(name.clone());
        evidence.insert("speaker".into(), line.clone());
        if !role.is_empty() {
            meta.speaker_role = Some(role.clone());
            evidence.insert("speaker_role".into(), line.clone());
        }
    }
    // No byline: a title that names its speaker (余承东的倡议书, 习近平在…上的讲话).
    if meta.speaker.is_none()
        && let Some(title) = &meta.title
        && let Some(c) = SPEAKER_IN_TITLE.captures(title)
        && crate::names::is_personal_name(&c[1])
        && let Some(line) = evidence.get("title").cloned()
    {
        meta.speaker = Some(c[1].to_string());
        evidence.insert("speaker".into(), line);
    }
    // Still none: the editor's note before the text (removed by clean, kept in its edits) or the
    // news lead that opens it, reporting who spoke: 华为总裁任正非…并发表了讲话. A lead counts only
    // when the speech itself follows (its 全文如下 pointer, or a salutation next): a news report
    // about a meeting is not the speech of the one it reports.
    if meta.speaker.is_none() {
        let notes = doc.edits.iter().filter(|e| e.rule == "column_intro");
        let pointer = doc.edits.iter().any(|e| e.rule == "full_text_marker");
        let next = paragraphs.get(header.body_start + 1).copied().unwrap_or("");
        let addresses = [
            "同志们",
            "同志們",
            "各位",
            "大家好",
            "亲爱的",
            "女士们",
            "朋友们",
        ];
        let speech_follows = pointer || addresses.iter().any(|a| next.starts_with(a));
        let lead = paragraphs
            .get(header.body_start)
            .copied()
            .filter(|_| speech_follows);
        let places = notes.map(|e| e.before.as_str()).chain(lead);
        for place in places {
            if let Some(c) = LEAD_SPEAKER.captures(place)
                && let Some(name) = name_before_verb(&c[2])
            {
                meta.speaker = Some(name.to_string());
                meta.speaker_role = Some(c[1].to_string());
                let sentence = sentence_around(place, c.get(1).expect("a role").start());
                evidence.insert("speaker".into(), sentence.clone());
                evidence.insert("speaker_role".into(), sentence);
                break;
            }
        }
    }
    meta.column = doc.page.column.clone();
    if meta.column.is_none()
        && let Some((column, _, _)) = &header.headline
    {
        meta.column = Some(column.clone());
        if let Some(line) = paragraphs
            .iter()
            .find(|p| p.starts_with(&format!("【{column}】")))
        {
            evidence.insert("source_column".into(), line.to_string());
        }
    }
    meta.source = doc.page.publisher.clone();
    if let (Some(_), Some(line)) = (&meta.source, &doc.page.evidence) {
        evidence.insert("source".into(), line.clone());
    }
}

/// The occasion: the title's "在…上的讲话" or the opening's "召开…会议" (the opening's when it says
/// more of the same), else the collection's.
fn occasion(
    doc: &Document,
    body: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    let opening = body.iter().take(2).copied().collect::<Vec<_>>().join("");
    let from_title = meta
        .title
        .as_deref()
        .and_then(|t| TITLE_MEETING.captures(t))
        .and_then(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str().to_string());
    let from_opening = OPENING_MEETING.captures(&opening).map(|c| {
        let at = c.get(0).expect("a match").start();
        (c[1].to_string(), sentence_around(&opening, at))
    });
    // Both name it: the opening's when it says more of the same (2020年全市…会议 for the title's
    // 全市…会议), else the title's, the text's own statement of its occasion.
    let opening_says_more = match (&from_title, &from_opening) {
        (Some(title), Some((named, _))) => named.contains(title.as_str()),
        (None, Some(_)) => true,
        _ => false,
    };
    if let (true, Some((named, sentence))) = (opening_says_more, &from_opening) {
        meta.occasion = Some(named.clone());
        evidence.insert("occasion".into(), sentence.clone());
    } else if let Some(named) = from_title {
        meta.occasion = Some(named);
        let shown_by = evidence.get("title").cloned();
        evidence.insert("occasion".into(), shown_by.unwrap_or_default());
    } else if let Some(c) = doc
        .collection
        .as_deref()
        .and_then(|t| COLLECTION_MEETING.captures(t))
    {
        meta.occasion = Some(c[1].to_string());
        evidence.insert(
            "occasion".into(),
            doc.collection.clone().unwrap_or_default(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SegmentSettings;
    use crate::stages::segment::Segmenter;

    fn tagged(text: &str) -> Document {
        let mut doc = Document {
            text: text.into(),
            ..Default::default()
        };
        let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
        let words: Vec<(&str, &str)> = text
            .split('\n')
            .flat_map(|p| segmenter.words(p))
            .map(|w| (w.text, w.pos))
            .collect();
        Tagger::new(&TagSettings::default()).tag(&mut doc, &words);
        doc
    }

    /// The metadata of each document of a development-set file, cleaned and tagged.
    fn dev_metadata(name: &str) -> Vec<crate::model::Metadata> {
        static SEGMENTER: std::sync::LazyLock<Segmenter> =
            std::sync::LazyLock::new(|| Segmenter::new(&SegmentSettings::default()).unwrap());
        let bytes = std::fs::read(format!("tests/fixtures/dev/raw/{name}")).unwrap();
        let cleaner = crate::stages::clean::Cleaner::new(&Default::default());
        let documents = cleaner.clean_file(name, &bytes).unwrap().documents;
        let tagger = Tagger::new(&TagSettings::default());
        documents
            .into_iter()
            .map(|mut doc| {
                let text = doc.text.clone();
                let words: Vec<(&str, &str)> = text
                    .split('\n')
                    .flat_map(|p| SEGMENTER.words(p))
                    .map(|w| (w.text, w.pos))
                    .collect();
                tagger.tag(&mut doc, &words);
                let meta = doc.meta.unwrap();
                // The header's fields keep lines of the document, or of what clean removed from
                // it (an editor's note), as their evidence.
                let removed: Vec<&str> = doc.edits.iter().map(|e| e.before.as_str()).collect();
                for field in ["title", "speaker", "speaker_role", "genre"] {
                    if let Some(evidence) = meta.evidence.get(field) {
                        let found = text.contains(evidence.as_str())
                            || removed.iter().any(|r| r.contains(evidence.as_str()));
                        assert!(found, "{name} {field}: {evidence}");
                    }
                }
                meta
            })
            .collect()
    }

    #[test]
    fn headers_of_many_shapes_give_title_speaker_and_date() {
        // Title, date and speaker on one line (three collections of Xi's speeches and a report).
        for (name, date) in [
            ("001.txt", "2023-03-01"),
            ("016.txt", "2025-01-27"),
            ("040.txt", "2022-10-16"),
        ] {
            let m = dev_metadata(name).remove(0);
            assert_eq!(m.speaker.as_deref(), Some("习近平"), "{name}");
            assert_eq!(m.date.as_deref(), Some(date), "{name}");
            assert!(!m.title.unwrap().contains("习近平"), "{name}");
        }
        // An addressee or salutation ends the header, in simplified and traditional characters.
        for (name, title) in [
            ("002.txt", Some("关于严格规范使用《党支部工作手册》的通知")),
            ("027.txt", Some("黨代表選舉會議講話稿")),
            ("036.txt", None),
        ] {
            assert_eq!(dev_metadata(name)[0].title.as_deref(), title, "{name}");
        }
        // A title repeated as page title and article title counts once (three template sites).
        for (name, title) in [
            ("014.txt", "过好“政治生日”主题党课讲稿"),
            ("017.txt", "奠基仪式致辞(项目奠基仪式致辞)"),
            ("024.txt", "2023书记基层党建述职评议会讲话"),
        ] {
            assert_eq!(
                dev_metadata(name)[0].title.as_deref(),
                Some(title),
                "{name}"
            );
        }
        // Bylines of other shapes: a name alone, a name after a symbol, an office over a name, a
        // byline glued after the title, a second speaker's label, a title naming its speaker.
        let speaker = |name: &str, part: usize| dev_metadata(name)[part].speaker.clone();
        assert_eq!(speaker("020.txt", 0).as_deref(), Some("刘金新"));
        assert_eq!(speaker("028.txt", 0).as_deref(), Some("习近平"));
        let m = dev_metadata("039.txt").remove(0);
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_role.as_deref()),
            (Some("李克强"), Some("国务院总理"))
        );
        let m = dev_metadata("004.txt").remove(0);
        assert_eq!(
            (m.speaker.as_deref(), m.speaker_role.as_deref()),
            (Some("吴仰东"), Some("酒泉市委书记"))
        );
        let parts = dev_metadata("013.txt");
        assert_eq!(parts[1].speaker.as_deref(), Some("徐直军"));
        assert_eq!(parts[1].title, None);
        assert_eq!(parts[2].speaker.as_deref(), Some("余承东"));
        // A bracketed note that starts with the date of adoption.
        assert_eq!(
            dev_metadata("011.txt")[0].date.as_deref(),
            Some("2023-03-13")
        );
        // Who spoke, reported by an editor's note (removed by clean) or a news lead; a
        // resolution that mentions whose report it approves has no speaker.
        for (name, speaker, role) in [
            ("006.txt", "任正非", "华为总裁"),
            ("025.txt", "习近平", "国家主席"),
        ] {
            let m = dev_metadata(name).remove(0);
            let found = (m.speaker.as_deref(), m.speaker_role.as_deref());
            assert_eq!(found, (Some(speaker), Some(role)), "{name}");
        }
        assert_eq!(dev_metadata("011.txt")[0].speaker, None);
    }

    #[test]
    fn occasions_come_from_the_title_or_the_convening_sentence_never_a_description() {
        for (name, occasion) in [
            // 在…时的讲话; a subtitle 在…会议上 with no 的讲话; a title over an opening that names
            // the meeting otherwise.
            ("034.txt", "二十届中央政治局第四次集体学习"),
            ("039.txt", "第十二届全国人民代表大会第五次会议"),
            (
                "001.txt",
                "中央党校建校90周年庆祝大会暨2023年春季学期开学典礼",
            ),
            // 隆重举行…奠基仪式, 开展…评议大会: other verbs that convene.
            ("017.txt", "我市党政机关办公中心奠基仪式"),
            ("018.txt", "基层党支部书记述职评议大会"),
            // …召开的一次十分重要的大会 describes the meeting; the title names it.
            ("040.txt", "中国共产党第二十次全国代表大会"),
        ] {
            let m = dev_metadata(name).remove(0);
            assert_eq!(m.occasion.as_deref(), Some(occasion), "{name}");
        }
    }

    #[test]
    fn header_with_byline_broken_title_and_date_line() {
        let doc = tagged(
            "三门峡市直工委书记刘小英同志\n在全市县(市)区直工委2015年机关党建工作\n座谈会上的讲话\n（2015年11月12日）\n同志们：\n今天在这里召开全市机关党建工作座谈会，主要是交流经验。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(
            m.title.as_deref(),
            Some("在全市县(市)区直工委2015年机关党建工作座谈会上的讲话")
        );
        assert_eq!(m.speaker.as_deref(), Some("刘小英"));
        assert_eq!(m.speaker_role.as_deref(), Some("三门峡市直工委书记"));
        assert_eq!(m.date.as_deref(), Some("2015-11-12"));
        assert_eq!(m.date_precision.as_deref(), Some("day"));
        assert_eq!(m.genre, "讲话");
        assert_eq!(m.body_start, 5);
        assert_eq!(m.evidence["speaker"], "三门峡市直工委书记刘小英同志");
    }

    #[test]
    fn no_header_means_no_title_and_a_lunar_date_is_resolved() {
        let doc = tagged(
            "今天是正月初七，在春节大假后召开收心会，是我们的惯例。\n同志们，2022年第一季度很关键。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(m.title, None);
        assert_eq!(m.date.as_deref(), Some("2022-02-07"));
        assert_eq!(m.occasion.as_deref(), Some("收心会"));
        assert!(doc.flags.contains(&"date_inferred".to_string()));
    }

    #[test]
    fn month_precision_from_a_month_line() {
        let doc = tagged(
            "在全市组织工作会议上的讲话\n（2019年7月）\n同志们：\n今天我们召开全市组织工作会议。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(m.date.as_deref(), Some("2019-07-01"));
        assert_eq!(m.date_precision.as_deref(), Some("month"));
        assert_eq!(m.title.as_deref(), Some("在全市组织工作会议上的讲话"));
        assert_eq!(m.genre, "讲话");
        assert_eq!(m.evidence["genre"], "在全市组织工作会议上的讲话");
    }

    #[test]
    fn lunar_days_of_other_months() {
        assert_eq!(
            lunar_to_iso(2022, "正", "初七").as_deref(),
            Some("2022-02-07")
        );
        assert_eq!(
            lunar_to_iso(2023, "八", "十五").as_deref(),
            Some("2023-09-29")
        );
        assert_eq!(
            lunar_to_iso(2021, "腊", "廿三").as_deref(),
            Some("2022-01-25")
        );
    }

    #[test]
    fn regions_come_from_the_gazetteer() {
        let doc = tagged(
            "同志们：\n今天我们召开三门峡市机关党建工作会议，渑池县直工委、义马市直工委作了发言。",
        );
        assert_eq!(doc.meta.unwrap().region, ["三门峡市", "渑池县", "义马市"]);
    }

    #[test]
    fn byline_after_the_title_and_a_dashed_date() {
        let doc = tagged(
            "坚持从严治党 建设模范机关\n市直机关工委书记 张建国\n2021-07-01\n同志们：\n今天我们召开全市机关党建工作推进会。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(m.title.as_deref(), Some("坚持从严治党 建设模范机关"));
        assert_eq!(m.speaker.as_deref(), Some("张建国"));
        assert_eq!(m.speaker_role.as_deref(), Some("市直机关工委书记"));
        assert_eq!(m.date.as_deref(), Some("2021-07-01"));
        assert_eq!(m.occasion.as_deref(), Some("全市机关党建工作推进会"));
    }

    #[test]
    fn other_date_forms() {
        assert_eq!(
            parse_full_date("二〇一五年十一月十二日").as_deref(),
            Some("2015-11-12")
        );
        assert_eq!(parse_full_date("2023-08-25").as_deref(), Some("2023-08-25"));
        assert_eq!(parse_full_date("2023年2月30日"), None);
        let doc = tagged(
            "市委副书记 王明\n（二〇二一年三月五日）\n同志们：\n今天我们召开全市宣传工作会议。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(m.date.as_deref(), Some("2021-03-05"));
        assert_eq!(m.speaker.as_deref(), Some("王明"));
        assert_eq!(m.title, None);
    }

    #[test]
    fn year_only_from_the_occasion() {
        let doc = tagged(
            "在全市机关党的工作会议上的讲话\n同志们：\n经市委同意，今天我们召开2020年全市机关党的工作会议，主要任务是部署工作。",
        );
        let m = doc.meta.unwrap();
        assert_eq!(m.occasion.as_deref(), Some("2020年全市机关党的工作会议"));
        assert_eq!(m.date.as_deref(), Some("2020-01-01"));
        assert_eq!(m.date_precision.as_deref(), Some("year"));
    }
}
