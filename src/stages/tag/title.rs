//! Which header lines are the title. The header reader (`header`) reads every line before the
//! body by its shape — a date line, a byline, a line with a title and a byline glued together —
//! and leaves the rest free: a free line may be the title, a line of the title broken over lines,
//! a subtitle, or something else a page puts there (a site's name in fragments, a reporter's or
//! translator's credit, a 日期： field, a photo caption, a first sentence with no title above it).
//! Each free line is scored for being a title line by its shape (length, commas, a closing
//! ellipsis, a genre cue, a credit's shape, how much of it is Han), a run of one to three
//! consecutive lines is scored as a title (a line joins the one before when it finishes it: the
//! cue at its end, an unfinished 在…), and the best-scoring run is the title; with no run scoring
//! well enough there is none. The other free lines are not the title.

use std::sync::LazyLock;

use regex::Regex;

/// A header line as the header reader left it for the title.
pub(super) enum Slot {
    /// A line nothing else claimed.
    Free(String),
    /// The title part of a line that also held a byline or a date: a title for sure.
    Glued(String),
}

/// The longest title, in lines.
const MAX_TITLE_LINES: usize = 3;
/// A run scoring less than this is no title.
const MIN_TITLE_SCORE: f32 = 1.0;

/// Words a title may end with besides the genres' cues (`tag.genre_cues`): a script's name.
const MORE_CUES: &[&str] = &["讲稿", "材料", "心得体会"];
/// Words a title line broken in the middle of its phrase ends with (关于…外汇及 / 调整…的决议).
const OPEN_ENDS: &[&str] = &["及", "和", "与", "的", "暨", "、", "关于", "在", "对"];
/// Words that open the second line of a title: the subject above, the matter here (…委员会 /
/// 关于…的决议).
const CONTINUING_STARTS: &[&str] = &["关于", "暨", "——", "—"];
/// A credit or a record field, never a title line: …译, 发自北京, 本报记者…, 日期：…, 翻译：…,
/// 致辞：(a speaker's label), (…摄), a repost's 原标题：….
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:日期|时间|来源|作者|编辑|责编|责任编辑|发布时间|发布日期|字号|原标题|翻译|译者|校对|审校|撰稿|致辞|主讲人)\s*[：:]|\s译$|^发自\s*\p{Han}{2,4}$|^(?:本报|本台|本网)?记者|[（(][^）)]{0,12}摄[）)]$")
        .unwrap()
});

/// Whether `line` is a credit or a record field (本报记者 王乐文, 日期：…, …译), which is never a
/// title or a heading.
pub fn is_credit(line: &str) -> bool {
    CREDIT.is_match(line)
}

/// A column's tag before the title: 独家丨, 专稿｜, 立场新闻 | (a few characters, then the bar).
static COLUMN_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^丨｜|]{1,6}?\s*[丨｜|]\s*(.+)$").unwrap());
/// An editor's bracketed suffix, not the title's: (完整版), （范文）, （节选）.
static EDITORIAL_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*[（(【\[]\s*(?:完整版|全文|范文|范文精选|精选|通用|通用版|最新|最新版|节选|合集|word版|下载|\d+篇)\s*[）)】\]]$").unwrap()
});
/// A speaker's name before a colon (刘瑜：沉默不是金, 张三：在…上的讲话), or after a dash behind a
/// generic label (讲话稿——张三).
static NAME_COLON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\p{Han}{2,4})\s*[：:]\s*(.+)$").unwrap());
static LABEL_DASH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:发言稿|讲话稿|讲稿|致辞|发言|讲话)\s*)[—－-]+\s*(\p{Han}{2,4})$").unwrap()
});

/// The title without what is not the title — a column's tag before a bar, an editor's bracketed
/// suffix, a speaker's name before a colon or after a generic label — and that speaker.
pub(super) fn trimmed(title: &str) -> (String, Option<String>) {
    let mut title = title.trim().to_string();
    if let Some(c) = COLUMN_TAG.captures(&title) {
        title = c[1].to_string();
    }
    title = EDITORIAL_SUFFIX.replace(&title, "").into_owned();
    if let Some(c) = NAME_COLON.captures(&title)
        && crate::names::is_personal_name(&c[1])
    {
        return (c[2].to_string(), Some(c[1].to_string()));
    }
    if let Some(c) = LABEL_DASH_NAME.captures(&title)
        && crate::names::is_personal_name(&c[2])
    {
        return (c[1].trim().to_string(), Some(c[2].to_string()));
    }
    (title, None)
}

/// The title: `(first slot, last slot)` indices into `slots` (consecutive lines), or none.
pub(super) fn choose(slots: &[(usize, Slot)], cues: &[String]) -> Option<(usize, usize)> {
    let cues = Cues(cues);
    let mut best: Option<(f32, usize, usize)> = None;
    for first in 0..slots.len() {
        let mut score = 0.0;
        let mut kept: Vec<String> = Vec::new();
        for last in first..slots.len() {
            if last > first && slots[last].0 != slots[last - 1].0 + 1 {
                break;
            }
            let line = slot_text(&slots[last].1);
            if kept.iter().any(|k| repeats(k, line)) {
                // A line repeated (page title and article title): counted once, free.
            } else if kept.len() == MAX_TITLE_LINES {
                break;
            } else {
                score += line_score(slots, last, &cues);
                if let Some(previous) = kept.last() {
                    score -= join_cost(previous, line, &cues);
                }
                kept.push(line.to_string());
            }
            // An earlier title is likelier: a page's chrome stands above it, not between.
            let placed = score - 0.1 * slots[first].0 as f32;
            if best.is_none_or(|(s, _, _)| placed > s) {
                best = Some((placed, first, last));
            }
        }
    }
    best.filter(|(score, _, _)| *score >= MIN_TITLE_SCORE)
        .map(|(_, first, last)| (first, last))
}

/// The text of a slot.
pub(super) fn slot_text(slot: &Slot) -> &str {
    match slot {
        Slot::Free(line) | Slot::Glued(line) => line,
    }
}

/// Whether `line` repeats `earlier` (white space aside) or a part of it.
pub(super) fn repeats(earlier: &str, line: &str) -> bool {
    let squeezed = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squeezed(earlier).contains(&squeezed(line))
}

/// The cue words a title ends with.
struct Cues<'a>(&'a [String]);

impl Cues<'_> {
    fn in_line(&self, line: &str) -> bool {
        self.0.iter().any(|c| line.contains(c.as_str()))
            || MORE_CUES.iter().any(|c| line.contains(c))
            || line.contains("上的")
    }

    fn at_end(&self, line: &str) -> bool {
        let line = line.trim_end_matches([')', '）', ' ']);
        self.0.iter().any(|c| line.ends_with(c.as_str()))
            || MORE_CUES.iter().any(|c| line.ends_with(c))
    }
}

/// How much the line of slot `at` looks like a title line, by its shape and its neighbours'.
fn line_score(slots: &[(usize, Slot)], at: usize, cues: &Cues) -> f32 {
    let line = match &slots[at].1 {
        Slot::Glued(_) => return 4.0,
        Slot::Free(line) => line.as_str(),
    };
    let chars = line.chars().count();
    if CREDIT.is_match(line) {
        return f32::NEG_INFINITY;
    }
    if chars < 2 {
        // The tail of a word broken off the line above (政府工作报 / 告), nothing alone.
        return 0.0;
    }
    let han = line.chars().filter(|c| crate::io::raw::is_han(*c)).count();
    let commas = line.matches(['，', ',']).count() as f32;
    let mut score = 2.0;
    if cues.in_line(line) {
        score += 1.5;
    }
    if chars > 40 {
        score -= (chars - 40) as f32 / 10.0;
    }
    // A sentence: commas, or an ellipsis to close it.
    score -= commas;
    if line.ends_with('…') {
        score -= 3.0;
    }
    if line.contains("://") || (han as f32) < 0.3 * chars as f32 {
        score -= 3.0;
    }
    // A fragment among fragments: a site's name broken one word per line.
    let short = |i: usize| {
        slots.get(i).is_some_and(|(line_at, slot)| {
            line_at.abs_diff(slots[at].0) == 1 && slot_text(slot).chars().count() <= 6
        })
    };
    if chars <= 6 && !cues.in_line(line) && (short(at + 1) || at > 0 && short(at - 1)) {
        score -= 1.5;
    }
    score
}

/// What it costs to read `line` as the continuation of the title line `previous`: nothing when it
/// finishes it (it ends with a cue; `previous` breaks off mid-phrase or opens 在… unclosed; it
/// opens with 关于 or a dash; a tail of a word or two), else a second headline line must earn
/// its place.
fn join_cost(previous: &str, line: &str, cues: &Cues) -> f32 {
    let finishes = cues.at_end(line) || line.ends_with('上') || line.ends_with('时');
    let broken_off = OPEN_ENDS.iter().any(|e| previous.ends_with(e))
        || previous.starts_with('在') && !previous.contains("上的");
    let continues = CONTINUING_STARTS.iter().any(|s| line.starts_with(s));
    let tail = line.chars().count() <= 3;
    if finishes || broken_off || continues || tail {
        0.0
    } else {
        2.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues() -> Vec<String> {
        let settings = crate::settings::TagSettings::default();
        settings.genre_cues.values().flatten().cloned().collect()
    }

    fn free(lines: &[&str]) -> Vec<(usize, Slot)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i, Slot::Free(l.to_string())))
            .collect()
    }

    #[test]
    fn what_is_not_the_title_comes_off_it() {
        // Kinds the metadata issue names: a column tag before 丨 or ｜, an editor's suffix, a
        // speaker before a colon, a generic label with the name after a dash.
        let cases = [
            (
                "独家丨在全市组织工作会议上的讲话",
                "在全市组织工作会议上的讲话",
                None,
            ),
            ("专稿｜坚持从严治党", "坚持从严治党", None),
            ("党支部书记述职报告（完整版）", "党支部书记述职报告", None),
            ("奠基仪式致辞(范文)", "奠基仪式致辞", None),
            (
                "张明：在全市组织工作会议上的讲话",
                "在全市组织工作会议上的讲话",
                Some("张明"),
            ),
            ("讲话稿——李强", "讲话稿", Some("李强")),
            // A bracketed alternative title stays (dev 017); a bar far into the title stays.
            (
                "奠基仪式致辞(项目奠基仪式致辞)",
                "奠基仪式致辞(项目奠基仪式致辞)",
                None,
            ),
            (
                "寻访恽代英的足迹（武汉）丨走进武汉革命博物馆",
                "寻访恽代英的足迹（武汉）丨走进武汉革命博物馆",
                None,
            ),
        ];
        for (title, want, speaker) in cases {
            assert_eq!(
                trimmed(title),
                (want.to_string(), speaker.map(String::from)),
                "{title}"
            );
        }
        // A blog mirror's column tag and the author before the colon.
        assert_eq!(
            trimmed("毛有话说 | 刘瑜：沉默不是金，而是社会的悲剧"),
            (
                "沉默不是金，而是社会的悲剧".to_string(),
                Some("刘瑜".to_string())
            )
        );
    }

    #[test]
    fn the_title_is_the_best_run_of_title_shaped_lines() {
        // A news page (人民日报's site): the site's name in fragments, the headline, a credit.
        let slots = free(&[
            "人民日报报系",
            "旗下网站",
            "创新服务平台",
            "河南着力培育新动能塑造新优势",
            "本报记者 王乐文 方 敏",
        ]);
        assert_eq!(choose(&slots, &cues()), Some((3, 3)));
        // A translation's header: title, a fragment, the translator, the place.
        let slots = free(&[
            "特朗普2019年国情咨文演讲全文翻译",
            "世 界 说",
            "小世儿 译",
            "发自 北京",
        ]);
        assert_eq!(choose(&slots, &cues()), Some((0, 0)));
        // A title broken inside its phrase joins; a first sentence with no title is none.
        let slots = free(&["在全市县(市)区直工委2015年机关党建工作", "座谈会上的讲话"]);
        assert_eq!(choose(&slots, &cues()), Some((0, 1)));
        let slots = free(&["有人说，美好的理想是廉价的，不能实在地为一个人带来金钱财富……"]);
        assert_eq!(choose(&slots, &cues()), None);
        // A date field is not a title line.
        let slots = free(&[
            "毛有话说 | 刘瑜：沉默不是金",
            "日期：Thu, 25 Jun 2020 22:14:50 +0000",
        ]);
        assert_eq!(choose(&slots, &cues()), Some((0, 0)));
    }
}
