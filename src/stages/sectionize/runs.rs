//! Which numbered (and unnumbered) paragraphs are headings, and at which level: the candidates a
//! document's paragraphs give (markers, dash-led points, short lines alone between paragraphs), the
//! runs they form (an item 1 counts when its item 2 follows; a run-in list after an ended one is its
//! sibling; a run cut off with the text counts), and the numbered lists that are no outline.

use crate::outline::{Family, Marker};

/// A paragraph that may be a heading.
pub(super) struct Candidate {
    pub(super) paragraph: usize,
    pub(super) marker: Marker,
    pub(super) heading: String,
}

/// A heading accepted into the outline.
pub(super) struct Heading {
    pub(super) paragraph: usize,
    pub(super) level: u32,
    pub(super) marker: Marker,
    pub(super) heading: String,
}

/// A full date, which a heading does not hold.
pub(super) static DATED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日").unwrap()
});

/// An unnumbered heading is at least this long: a photo's caption left in the text (活动现场, 曹骥讲党课)
/// is shorter.
pub(super) const MIN_UNNUMBERED_CHARS: usize = 6;
/// …and at most this long.
const MAX_UNNUMBERED_CHARS: usize = 60;

/// A short line standing alone between two paragraphs of prose, without a sentence's end or a
/// clause's (no 。！？； anywhere, not ending in ：，、; or one question ending in ？), is an unnumbered
/// heading: 中国农话市场和产业现状. Its ordinal is set by `number_unnumbered`.
///
/// The header's last line, right above the body, counts when the tag used it for no field
/// (`below_header`): the line above it is the title or a deck, not prose (### 中国农话的现状及发展趋势
/// under the article's title). In a text that breaks off (`broken_off`), the paragraph under it may
/// be the last one, cut off before its first full stop.
pub(super) fn unnumbered_heading(
    paragraphs: &[&str],
    i: usize,
    below_header: bool,
    broken_off: bool,
) -> Option<Candidate> {
    let line = paragraphs[i].trim();
    // Most paragraphs are prose, far longer than a heading: ruled out before any other look.
    if line.len() > MAX_UNNUMBERED_CHARS * 4 {
        return None;
    }
    let chars = line.chars().count();
    if !(MIN_UNNUMBERED_CHARS..=MAX_UNNUMBERED_CHARS).contains(&chars) {
        return None;
    }
    let ends_a_sentence = |p: &str| {
        p.trim_end()
            .trim_end_matches(['”', '’', '」', '）', ')'])
            .ends_with(['。', '！', '？', '…', '!', '?'])
    };
    let before = paragraphs.get(i.checked_sub(1)?)?;
    let after = paragraphs.get(i + 1)?;
    // A question standing alone is a heading too (为什么要过“政治生日”？).
    let body = line.strip_suffix('？').unwrap_or(line);
    // Not a caption's credit (…/视觉中国), a symbol's line (△ …), a dated source line (《人民日报》（2020年
    // 05月19日 01 版）), a line mostly not Chinese (日期：Thu, 25 Jun 2020 …), a reporter's credit or a
    // byline (本报记者 王乐文 方 敏).
    let first = line.chars().next()?;
    let han = || line.chars().filter(|c| crate::io::raw::is_han(*c)).count();
    let shaped_otherwise = || {
        line.contains('/')
            || !(crate::io::raw::is_han(first) || "“《「".contains(first))
            || han() * 2 < chars
            || DATED.is_match(line)
            || crate::stages::tag::is_credit(line)
            || crate::stages::tag::is_byline(line)
    };
    let alone = !body.contains(['。', '！', '？', '；', '!', '?', ';'])
        && !line.ends_with(['：', ':', '，', ',', '、', '—', '―', '…'])
        && (below_header || ends_a_sentence(before))
        && (after.contains(['。', '！', '？'])
            || after.ends_with(['：', ':'])
            || broken_off && i + 2 == paragraphs.len())
        && after.chars().count() > chars
        && !shaped_otherwise();
    alone.then(|| Candidate {
        paragraph: i,
        marker: Marker {
            family: Family::Unnumbered,
            ordinal: 0,
            text: String::new(),
        },
        heading: line.to_string(),
    })
}

/// A paragraph without a number whose heading the source's markup marked (a Markdown heading, a
/// bold lead: `marked` characters of it) is an unnumbered heading when the marked text is one: as
/// long as an unnumbered heading, up to `max_chars`, Chinese, not a clause (**编者按：**, a bold
/// phrase ending in ；), a sentence marked whole (emphasis), a credit (**翻译：…**) or a date line.
/// A bold lead sentence opening its paragraph (**随后，寻访团成员参观了毛泽东旧居。**这里…) is one
/// too: the paragraph's heading.
pub(super) fn marked_heading(
    paragraphs: &[&str],
    i: usize,
    marked: Option<usize>,
    max_chars: usize,
) -> Option<Candidate> {
    let heading: String = paragraphs[i].chars().take(marked?).collect();
    let chars = heading.chars().count();
    // A sentence marked whole, with no body after it, is emphasis (**自信、自豪、…、自强。**).
    let emphasis = chars == paragraphs[i].chars().count() && heading.ends_with(['。', '！']);
    let han = heading
        .chars()
        .filter(|c| crate::io::raw::is_han(*c))
        .count();
    let first = heading.chars().next()?;
    let shaped = !emphasis
        && (MIN_UNNUMBERED_CHARS..=max_chars).contains(&chars)
        && han * 2 >= chars
        && (crate::io::raw::is_han(first) || "“《「".contains(first))
        && !heading.ends_with(['：', ':', '，', ',', '、', '；', ';', '—'])
        && !DATED.is_match(&heading)
        && !crate::stages::tag::is_credit(&heading);
    shaped.then(|| Candidate {
        paragraph: i,
        marker: Marker {
            family: Family::Unnumbered,
            ordinal: 0,
            text: String::new(),
        },
        heading,
    })
}

/// Numbers the unnumbered headings through the document: they are one run, whatever numbered runs
/// stand between them (中国农话的现状… / 中国农话市场… / 第一、…第四、 / 中国农话交换网…建议). A
/// document with only one such line has no unnumbered run: a stray short line is no outline —
/// unless the text breaks off (`broken_off`), an excerpt whose run was cut off with it.
pub(super) fn number_unnumbered(candidates: &mut Vec<Candidate>, broken_off: bool) {
    let count = candidates
        .iter()
        .filter(|c| c.marker.family == Family::Unnumbered)
        .count();
    if count < 2 && !broken_off {
        candidates.retain(|c| c.marker.family != Family::Unnumbered);
        return;
    }
    let mut place = 0;
    for c in candidates
        .iter_mut()
        .filter(|c| c.marker.family == Family::Unnumbered)
    {
        place += 1;
        c.marker.ordinal = place;
    }
}

/// Numbers dash-led points by their place in their run: a run of them goes on until a candidate of
/// another family comes between.
pub(super) fn number_dash_runs(candidates: &mut [Candidate]) {
    let mut place = 0;
    for c in candidates {
        if c.marker.family == Family::Dash {
            place += 1;
            c.marker.ordinal = place;
        } else {
            place = 0;
        }
    }
}

/// Keeps the candidates that form runs in order; levels follow the order families appear in.
///
/// In a text that breaks off after paragraph `broken_off`, a heading line numbered 1 with no 2
/// after it is a heading still: its run was cut off with the text (一、… in a page's preview).
pub(super) fn accept_runs(candidates: &[Candidate], broken_off: Option<usize>) -> Vec<Heading> {
    // Stack of (family, last ordinal) from the top level down.
    let mut stack: Vec<(Family, u32)> = Vec::new();
    let mut headings = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let family = c.marker.family;
        let ordinal = c.marker.ordinal;
        if let Some(depth) = stack.iter().position(|(f, _)| *f == family) {
            if ordinal != stack[depth].1 + 1 {
                continue;
            }
            stack.truncate(depth);
        } else if ordinal != 1
            || !(run_goes_on(candidates, i, &stack)
                || broken_off.is_some_and(|last| cut_off(candidates, i, last)))
        {
            continue;
        } else if let Some(&(top, last)) = stack.last()
            && top.is_run_in()
            && family.is_run_in()
            && !resumes(candidates, i, top, last)
        {
            // Two lists of run-in points one after the other (第一…第六, later 一是…四是; a dash run,
            // then 一是…八是): the first has ended, the second is its sibling, not its child.
            stack.pop();
        }
        stack.push((family, ordinal));
        headings.push(Heading {
            paragraph: c.paragraph,
            level: stack.len() as u32,
            marker: c.marker.clone(),
            heading: c.heading.clone(),
        });
    }
    headings
}

/// The headings without the numbered lists among them: a top-level run of three or more items,
/// each one sentence at most (its paragraph, or a bare number and the line under it), one right
/// after the other with no body between (1. 商业模式永远在变，唯一不变的是以真心换真金。 2. …, a
/// company's maxims) lists points; it does not outline a text. Under a heading, such items are
/// that section's points (一、… then 1、…。 2、…。 3、…。) and stay.
pub(super) fn without_lists(headings: Vec<Heading>, paragraphs: &[&str]) -> Vec<Heading> {
    let mut keep = vec![true; headings.len()];
    let mut start = 0;
    while start < headings.len() {
        let first = &headings[start];
        let mut end = start + 1;
        while end < headings.len()
            && headings[end].marker.family == first.marker.family
            && headings[end].level == first.level
            && headings[end].marker.ordinal == headings[end - 1].marker.ordinal + 1
        {
            end += 1;
        }
        // Items with points under them (a deeper heading after the last) outline a text.
        let parent = headings
            .get(end)
            .is_some_and(|next| next.level > first.level);
        if first.level == 1
            && !parent
            && end - start >= 3
            && is_list(&headings[start..end], paragraphs)
        {
            keep[start..end].iter_mut().for_each(|k| *k = false);
        }
        start = end;
    }
    let mut kept = keep.into_iter();
    headings
        .into_iter()
        .filter(|_| kept.next().unwrap_or(true))
        .collect()
}

/// Whether every item of `run` is one sentence at most and the next item follows right after it.
pub(super) fn is_list(run: &[Heading], paragraphs: &[&str]) -> bool {
    run.iter().enumerate().all(|(k, item)| {
        let own = paragraphs[item.paragraph]
            .strip_prefix(item.marker.text.as_str())
            .unwrap_or(paragraphs[item.paragraph])
            .trim();
        let (content, next) = if own.is_empty() {
            let under = paragraphs.get(item.paragraph + 1).copied().unwrap_or("");
            (under, item.paragraph + 2)
        } else {
            (own, item.paragraph + 1)
        };
        let sentences = content.matches(['。', '！', '？', '；']).count();
        let adjacent = run.get(k + 1).is_none_or(|after| after.paragraph == next);
        sentences <= 1 && adjacent
    })
}

/// Whether the text ends in the middle of a sentence: an excerpt, a page's preview. A date alone on
/// the last line signs the text (中心机关党委 / 2015年6月9日).
pub(super) fn breaks_off(paragraphs: &[&str]) -> bool {
    let last = paragraphs.last().map_or("", |p| p.trim_end());
    let signed = last.chars().count() <= 20 && crate::stages::tag::parse_full_date(last).is_some();
    !signed
        && !last.ends_with([
            '。', '！', '？', '…', '”', '’', '」', '）', ')', '!', '?', '.',
        ])
}

/// Whether candidate `i` is a heading line whose family never comes again: its run was cut off
/// with the text. A run-in point counts only on the last paragraph, `last` (…强调三点： / 一是深刻):
/// inside a paragraph it may be the paragraph's own list.
pub(super) fn cut_off(candidates: &[Candidate], i: usize, last: usize) -> bool {
    let family = candidates[i].marker.family;
    (!family.is_run_in() || candidates[i].paragraph == last)
        && !candidates[i + 1..]
            .iter()
            .any(|c| c.marker.family == family)
}

/// Whether the run of `family`, at item `last`, goes on after candidate `i`.
pub(super) fn resumes(candidates: &[Candidate], i: usize, family: Family, last: u32) -> bool {
    candidates[i + 1..]
        .iter()
        .any(|later| later.marker.family == family && later.marker.ordinal == last + 1)
}

/// Whether item 2 of the run that candidate `i` starts comes before the run's parent moves on.
pub(super) fn run_goes_on(candidates: &[Candidate], i: usize, stack: &[(Family, u32)]) -> bool {
    let family = candidates[i].marker.family;
    for later in &candidates[i + 1..] {
        if later.marker.family == family {
            return later.marker.ordinal == 2;
        }
        if stack
            .iter()
            .any(|(f, last)| *f == later.marker.family && later.marker.ordinal == last + 1)
        {
            return false;
        }
    }
    false
}
