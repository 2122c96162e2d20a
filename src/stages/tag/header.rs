//! The header block before the body, read line by line by shape: a byline of role + name, an
//! office over a name, a name alone or after a symbol, a byline glued after the title, a bracketed
//! date line or a note starting with a date, the headline form title（date）name, and the
//! salutation or addressee line that ends it. The lines nothing claims go to `title`, which scores
//! them and takes the best run as the title. With no byline, the speaker comes from a title or
//! subtitle naming them, from the dash-led note under the title, or from an editor's note or a
//! news lead reporting who spoke when the speech itself follows.
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::date::{DATE_LINE, MONTH_LINE};
use super::sentence_around;
use super::title::{self, Slot};
use crate::model::{Document, Metadata};
use crate::outline::parse_marker;

/// Lines of the header block at most; a speech's header is short.
pub(super) const MAX_HEADER_LINES: usize = 8;
/// A line longer than this, or holding a full stop, is prose: the body has begun.
pub(super) const MAX_HEADER_LINE_CHARS: usize = 60;

pub(super) static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(同志们|各位(领导|同志|代表|来宾)|女士们|先生们|亲爱的).{0,30}[：:]$").unwrap()
});
/// The offices a byline names before the speaker's name.
pub(super) const ROLES: &str = "副书记|书记|副主任|主任|副部长|部长|副局长|局长|厅长|市长|县长|区长|主席|委员|秘书长|处长|科长|组长|院长|校长|理事长|总经理|董事长|巡视员|调研员|负责人|副总理|总理|副总裁|总裁";
pub(super) static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(.{{2,40}}?(?:{ROLES}))(\s+|)(\p{{Han}}{{2,4}}?|\p{{Han}}?[XxＸ×*＊]{{1,3}})(同志)?$"
    ))
    .unwrap()
});
/// An office alone on its line, its holder's name on the next: 国务院总理 / 李克强.
pub(super) static ROLE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^.{{0,30}}?(?:{ROLES})$")).unwrap());
/// A title with its byline glued on after it: …表彰大会上的讲话酒泉市委书记$$吴仰东.
pub(super) static TITLE_THEN_BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(.{{4,}}?(?:讲话|講話|发言|發言|报告|報告|致辞|致辭|党课|黨課|讲稿|講稿))(.{{2,30}}?(?:{ROLES}))[^\p{{Han}}]*(\p{{Han}}{{2,4}})$"
    ))
    .unwrap()
});
/// A title with the author's name after a separator: …而团结奋斗※习近平.
pub(super) static TITLE_THEN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{4,}?)\s*[※★●◆■|｜/]\s*([\p{Han}·]{2,4})$").unwrap());
/// A title, or a dash-led subtitle, that names its speaker, maybe after their role: 余承东的倡议书,
/// 习近平在…上的讲话, ——任正非在…仪式上的讲话, 国务委员兼外交部长钱其琛在…上的讲话, 中共长沙市委书记
/// 张厚同志的讲话, a letter's 任正非致新员工书.
pub(super) static SPEAKER_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:(.{{0,24}}?(?:{ROLES})))?([\p{{Han}}]{{2,4}}?)(?:同志)?(?:(?:在.{{2,60}}上的|的)(?:总结)?(?:讲话|發言|发言|报告|致辞|倡议书|公开信|信|演讲|讲课|党课)|致[^，。；：]{{1,24}}?(?:的)?(?:一封)?(?:信|书)$)"))
        .unwrap()
});
/// A report of who spoke, in an editor's note or a news lead: (role)(name)…发表了讲话/贺词.
pub(super) static LEAD_SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[，。；：、\s])([\p{{Han}}]{{0,12}}?(?:国家主席|{ROLES}))([\p{{Han}}]{{2,3}})[^。！？]{{0,40}}?(?:发表(?:了)?[^。！？]{{0,12}}?(?:讲话|贺词|致辞)|作(?:了)?(?:重要)?讲话)"
    ))
    .unwrap()
});
/// A bracketed note that starts with a date: （2023年3月13日第十四届全国人民代表大会第一次会议通过）.
pub(super) static DATED_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^（）()]{0,40}[）)]$").unwrap()
});
/// A line that is a speaker's byline: role and name (市委书记 张三, …主任李四同志), the name maybe
/// anonymised as written (县委书记 ×××, 局长 张XX).
pub fn is_byline(line: &str) -> bool {
    BYLINE.is_match(line)
}

/// A headline of title, date and speaker on one line, as news and theory sites print it:
/// 在中央党校…开学典礼上的讲话（2023年3月1日）习近平 — maybe with the salutation glued after.
pub(super) static DATED_HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{4,120}?)([（(]\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^）)]{0,8}[）)])\s*([\p{Han}·]{2,4}?)?\s*((?:同志们|朋友们|各位).{0,30}[：:])?$")
        .unwrap()
});
pub(super) static HEADLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^【([^】]{1,20})】(?:(\p{Han}{2,4})[：:])?(.+)$").unwrap());

/// What separates a page title from its site's name: 在大会上的讲话_新华网, 标题 - 网站, 标题 | 网站.
static SITE_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"_|\s+[-|｜]+\s+|--").unwrap());

/// What the header block holds.
#[derive(Default)]
pub(super) struct Header {
    pub(super) title_lines: Vec<String>,
    /// The lines the title was read from (a repeat skipped among them), the first and the last.
    pub(super) title_span: Option<(usize, usize)>,
    pub(super) headline: Option<(String, Option<String>, String)>,
    pub(super) byline: Option<(String, String, String)>,
    pub(super) date_line: Option<String>,
    pub(super) body_start: usize,
}

/// Reads the header block: lines before the salutation or the first line of prose. Each line is
/// read by its shape; the lines nothing claims are left to `title::choose`.
pub(super) fn read_header(paragraphs: &[&str], cues: &[String]) -> Header {
    let mut header = Header::default();
    let mut slots: Vec<(usize, Slot)> = Vec::new();
    // The line after an office alone is its holder's name, read with it.
    let mut skip_next = false;
    for (i, line) in paragraphs.iter().enumerate().take(MAX_HEADER_LINES) {
        let glued = slots.iter().any(|(_, s)| matches!(s, Slot::Glued(_)));
        // A second speaker's label opening a document: 徐直军：
        if i == 0 && line.ends_with(['：', ':']) && crate::names::is_personal_name(line) {
            let name = line.trim_end_matches(['：', ':']).trim().to_string();
            header.byline = Some((line.to_string(), String::new(), name));
            header.body_start = 1;
            return header;
        }
        if is_salutation(line) {
            header.body_start = i + 1;
            return with_title(header, &slots, cues);
        }
        if !glued && let Some(c) = DATED_HEADLINE.captures(line) {
            slots.push((i, Slot::Glued(c[1].trim().to_string())));
            header.date_line = Some(c[2].to_string());
            if let Some(name) = c.get(3) {
                header.byline = Some((line.to_string(), String::new(), name.as_str().into()));
            }
            header.body_start = i + 1;
            if c.get(4).is_some() {
                return with_title(header, &slots, cues);
            }
            continue;
        }
        let is_prose =
            line.chars().count() > MAX_HEADER_LINE_CHARS || line.contains(['。', '！', '？']);
        if is_prose || parse_marker(line).is_some() || line.starts_with("同志们") {
            header.body_start = i;
            return with_title(header, &slots, cues);
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
            slots.push((i, Slot::Glued(c[1].to_string())));
            header.byline = Some((line.to_string(), c[2].to_string(), c[3].to_string()));
        } else if let Some(c) = TITLE_THEN_NAME
            .captures(line)
            .filter(|c| !glued && crate::names::is_personal_name(&c[2]))
        {
            slots.push((i, Slot::Glued(c[1].to_string())));
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
        } else if let Some(name) = name_alone(line).filter(|_| !slots.is_empty()) {
            // A name alone under the title is its author's byline: 刘金新, ※习近平.
            header.byline = Some((line.to_string(), String::new(), name.to_string()));
        } else {
            slots.push((i, Slot::Free(line.to_string())));
        }
        header.body_start = i + 1;
    }
    // No prose within the header limit: there was no header.
    Header::default()
}

/// The header with its title: the best run of the lines left free (`title::choose`), a line
/// repeated within it counted once.
fn with_title(mut header: Header, slots: &[(usize, Slot)], cues: &[String]) -> Header {
    if let Some((first, last)) = title::choose(slots, cues) {
        for (_, slot) in &slots[first..=last] {
            let line = title::slot_text(slot);
            if !header.title_lines.iter().any(|t| title::repeats(t, line)) {
                header.title_lines.push(line.to_string());
            }
        }
        header.title_span = Some((slots[first].0, slots[last].0));
    }
    header
}

/// A salutation or an addressee line ends the header: 同志们：, 各位代表：, 同志們：, 各党支部：
/// (a short line ending with a colon).
pub(super) fn is_salutation(line: &str) -> bool {
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
pub(super) fn name_before_verb(text: &str) -> Option<&str> {
    let cut = |n: usize| text.char_indices().nth(n).map_or(text, |(i, _)| &text[..i]);
    let third = text.chars().nth(2);
    let verb = third.is_some_and(|c| "在和与同等于对出发作说向的为指强表通".contains(c));
    let name = if verb { cut(2) } else { cut(3) };
    crate::names::is_personal_name(name).then_some(name)
}

/// A person's name alone on a line, maybe after a symbol (※习近平): the name.
pub(super) fn name_alone(line: &str) -> Option<&str> {
    let name = line.trim_start_matches(|c: char| !crate::io::raw::is_han(c));
    (name.chars().count() <= 4 && crate::names::is_personal_name(name)).then_some(name)
}

/// Title, speaker and role from the header; source and column from the page facts (or the
/// headline's column tag).
pub(super) fn header_fields(
    doc: &Document,
    header: &Header,
    paragraphs: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    let named_in_title = title_field(doc, header, paragraphs, meta, evidence);
    speaker_field(header, paragraphs, named_in_title, meta, evidence);
    reported_speaker(doc, header, paragraphs, meta, evidence);
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

/// The title (from the header, a web headline or the page's own title), and the speaker its
/// words name before a colon or after a generic label.
fn title_field(
    doc: &Document,
    header: &Header,
    paragraphs: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) -> Option<String> {
    // Title: the header's title lines joined (a title broken over lines), else a web headline.
    // What is not the title comes off it: a column tag, an editorial suffix, the speaker's name.
    let mut named_in_title = None;
    if !header.title_lines.is_empty() {
        let (title, speaker) = title::trimmed(&header.title_lines.concat());
        let (first, last) = header.title_span.expect("title lines have a span");
        evidence.insert("title".into(), paragraphs[first..=last].join("\n"));
        meta.title = Some(title);
        named_in_title = speaker;
    } else if let Some((_, _, title)) = &header.headline {
        meta.title = Some(title.clone());
        evidence.insert("title".into(), paragraphs[0].to_string());
    }
    // No title in the text: the page's own (front matter, a record header's 标题：, an HTML
    // <title>), the site's name after a separator cut off (在大会上的讲话_新华网).
    if meta.title.is_none()
        && let Some(page_title) = doc.page.title.as_deref()
    {
        let own = SITE_SEPARATOR
            .split(page_title)
            .next()
            .unwrap_or(page_title);
        let (title, speaker) = title::trimmed(own);
        if title.chars().count() >= 2 {
            meta.title = Some(title);
            let shown_by = page_fact_line(doc, page_title);
            evidence.insert("title".into(), shown_by);
            named_in_title = speaker;
        }
    }
    named_in_title
}

/// The speaker: the name a title carried, a byline, a title line naming them, the dash-led note.
fn speaker_field(
    header: &Header,
    paragraphs: &[&str],
    named_in_title: Option<String>,
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    if let Some(name) = named_in_title.filter(|_| header.byline.is_none()) {
        meta.speaker = Some(name);
        evidence.insert("speaker".into(), evidence["title"].clone());
    }
    if let Some((line, role, name)) = &header.byline {
        meta.speaker = Some(name.clone());
        evidence.insert("speaker".into(), line.clone());
        if !role.is_empty() {
            meta.speaker_role = Some(role.clone());
            evidence.insert("speaker_role".into(), line.clone());
        }
    }
    // No byline: a title line that names its speaker (余承东的倡议书, ——任正非在…上的讲话), the
    // dash-led note under the title (…任正非在酒会上致祝酒辞), or an edition's head note
    // (这是毛泽东在…上的开幕词).
    if meta.speaker.is_none() {
        let named = header.title_lines.iter().find_map(|line| {
            let c = SPEAKER_IN_TITLE.captures(line.trim_start_matches(['—', '－']))?;
            let role = c.get(1).map(|r| r.as_str().to_string());
            crate::names::is_personal_name(&c[2]).then(|| (c[2].to_string(), role, line.clone()))
        });
        let dash_note = || {
            super::notes::dash_note_speaker(paragraphs, header)
                .map(|(name, line)| (name, None, line))
        };
        let head_note =
            || super::notes::head_note(paragraphs).map(|(name, _, line)| (name, None, line));
        if let Some((name, role, line)) = named.or_else(dash_note).or_else(head_note) {
            meta.speaker = Some(name);
            evidence.insert("speaker".into(), line.clone());
            if let Some(role) = role.filter(|_| meta.speaker_role.is_none()) {
                meta.speaker_role = Some(role);
                evidence.insert("speaker_role".into(), line);
            }
        }
    }
}

/// With no speaker yet: the one an editor's note or a news lead reports, else the page's author.
fn reported_speaker(
    doc: &Document,
    header: &Header,
    paragraphs: &[&str],
    meta: &mut Metadata,
    evidence: &mut BTreeMap<String, String>,
) {
    // Still none: the editor's note before the text (removed by clean, kept in its edits) or the
    // news lead that opens it, reporting who spoke: 华为总裁任正非…并发表了讲话. A lead counts only
    // when the speech itself follows (its 全文如下 pointer, or a salutation next): a news report
    // about a meeting is not the speech of the one it reports.
    if meta.speaker.is_none() {
        let notes = doc.edits.iter().filter(|e| e.rule == "column_intro");
        let lead = speech_lead(doc, header, paragraphs);
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
    // Still none: the author a page or record header names (作者：张三, `author:`).
    if meta.speaker.is_none()
        && let Some(author) = doc.page.author.as_deref().map(str::trim)
        && crate::names::is_personal_name(author)
        && author.chars().count() <= 4
    {
        meta.speaker = Some(author.to_string());
        evidence.insert("speaker".into(), page_fact_line(doc, author));
    }
}

/// The paragraph after the header when it is a lead reporting the speech that follows (a 全文如下
/// pointer clean removed, or an address such as 同志们/大家好 opening the next paragraph): a news
/// report about a meeting has no such lead.
pub(super) fn speech_lead<'a>(
    doc: &Document,
    header: &Header,
    paragraphs: &[&'a str],
) -> Option<&'a str> {
    let pointer = doc.edits.iter().any(|e| e.rule == "full_text_marker");
    let next = paragraphs.get(header.body_start + 1).copied().unwrap_or("");
    let follows = pointer || super::is_address(next);
    paragraphs
        .get(header.body_start)
        .copied()
        .filter(|_| follows)
}

/// The line of the page facts that states `fact` (a page fact's evidence), else the fact itself.
fn page_fact_line(doc: &Document, fact: &str) -> String {
    doc.page
        .evidence
        .as_deref()
        .and_then(|lines| lines.split('\n').find(|l| l.contains(fact)))
        .unwrap_or(fact)
        .to_string()
}
