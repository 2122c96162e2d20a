//! Numbering markers of official documents (一、 （一） 1. （1） ① 第一， 其一， 第一部分 一是 一要 第一个, and
//! the unnumbered dash-led point ——), read off the start of a paragraph. Shared by clean (restoring line breaks lost before an item) and
//! sectionize (building the outline). Which family is which level is decided per document by the
//! order the families appear in, not here.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// 一、
    HanComma,
    /// （一）
    HanParen,
    /// 1. or 1、
    ArabicDot,
    /// （1）
    ArabicParen,
    /// 第一， 第一、 第一：, and 首先， 其次， 再次， in their place
    Ordinal,
    /// 第一部分
    OrdinalPart,
    /// 第一点 第一讲 第一项
    OrdinalPoint,
    /// 第一个…
    OrdinalItem,
    /// 一是… 一要… 一是要…
    LeadItem,
    /// 其一， 其二是…
    Qi,
    /// ① ② ③ (circled numbers)
    Circled,
    /// A short line alone between paragraphs, with no number (set by sectionize).
    Unnumbered,
    /// ——… a dash-led point; it carries no number, its ordinal is its place in the run (set by
    /// sectionize, see `dash_marker`).
    Dash,
}

impl Family {
    /// Items whose heading is their lead sentence (up to the first 。), whatever the line's length.
    /// Points that open a paragraph and run on into it, listed rather than titled: 第一，… 一是…
    /// 第一个… ——…
    pub fn is_run_in(self) -> bool {
        matches!(
            self,
            Family::Ordinal | Family::LeadItem | Family::Qi | Family::OrdinalItem | Family::Dash
        )
    }
}

/// A numbering marker at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub family: Family,
    pub ordinal: u32,
    /// The marker as written, such as "（一）" or "一是要".
    pub text: String,
}

const HAN_DIGITS: &str = "[一二三四五六七八九十]{1,3}";

static PATTERNS: LazyLock<Vec<(Family, Regex)>> = LazyLock::new(|| {
    let han = HAN_DIGITS;
    [
        (Family::HanComma, format!(r"^({han})\s*[、]")),
        (Family::HanParen, format!(r"^[（(]\s*({han})\s*[）)]")),
        (
            Family::ArabicParen,
            r"^[（(]\s*(\d{1,2})\s*[）)]".to_string(),
        ),
        // "1." but not "1.5亿元": the dot must not be followed by a digit.
        (
            Family::ArabicDot,
            r"^(\d{1,2})\s*[.．、]([^\d.．]|$)".to_string(),
        ),
        (Family::OrdinalPart, format!(r"^第({han})部分")),
        (Family::OrdinalItem, format!(r"^第({han})个")),
        (Family::Ordinal, format!(r"^第({han})\s*[，,、：:]")),
        // 首先， 其次， 再次， stand for 第一， 第二， 第三， (首先… then 第二… in one run).
        (
            Family::Ordinal,
            r"^(首先|其次|再次)\s*[，,、：:]".to_string(),
        ),
        // 第一点， 第二讲 第三项：
        (Family::OrdinalPoint, format!(r"^第({han})(?:点|讲|项)")),
        (Family::LeadItem, format!(r"^({han})(是要|是|要)")),
        (Family::Qi, format!(r"^其({han})\s*(?:[，,、：:]|是)")),
    ]
    .into_iter()
    .map(|(family, pattern)| (family, Regex::new(&pattern).expect("valid marker pattern")))
    .collect()
});

/// The marker that starts `paragraph`, if any.
pub fn parse_marker(paragraph: &str) -> Option<Marker> {
    // ① … ⑳, and ⑴ … ⒇ as （1）… （20）.
    let first = paragraph.chars().next()?;
    let circled = match first {
        '①'..='⑳' => Some((Family::Circled, first as u32 - '①' as u32 + 1)),
        '⑴'..='⒇' => Some((Family::ArabicParen, first as u32 - '⑴' as u32 + 1)),
        _ => None,
    };
    if let Some((family, ordinal)) = circled {
        return Some(Marker {
            family,
            ordinal,
            text: first.to_string(),
        });
    }
    for (family, regex) in PATTERNS.iter() {
        if let Some(caps) = regex.captures(paragraph) {
            let digits = caps.get(1)?.as_str();
            let ordinal = match (family, digits) {
                (Family::ArabicDot | Family::ArabicParen, _) => digits.parse().ok()?,
                (_, "首先") => 1,
                (_, "其次") => 2,
                (_, "再次") => 3,
                _ => han_number(digits)?,
            };
            if ordinal == 0 {
                return None;
            }
            let mut text = caps.get(0)?.as_str().to_string();
            if *family == Family::ArabicDot {
                // The regex took one character after the dot to rule out decimals; give it back.
                let digits_and_dot: String =
                    text.chars().take_while(|c| !is_body_char(*c)).collect();
                text = digits_and_dot;
            }
            return Some(Marker {
                family: *family,
                ordinal,
                text,
            });
        }
    }
    None
}

/// A dash-led point at the start of a paragraph (——经济运行缓中趋稳、稳中向好。), its ordinal 0:
/// the run it stands in numbers it. Not among `parse_marker`'s families, since a dash also opens a
/// title's subtitle (——在…上的讲话), which must not end a header.
pub fn dash_marker(paragraph: &str) -> Option<Marker> {
    let rest = paragraph.strip_prefix("——")?;
    let first = rest.chars().next()?;
    (crate::io::raw::is_han(first) || first == '“').then(|| Marker {
        family: Family::Dash,
        ordinal: 0,
        text: "——".to_string(),
    })
}

fn is_body_char(c: char) -> bool {
    !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '.' | '．' | '、'))
}

/// 一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23.
pub fn han_number(s: &str) -> Option<u32> {
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', d] => Some(10 * digit(*t)? + digit(*d)?),
        _ => None,
    }
}

/// Byte offset inside `paragraph` where the item after `current` of the same run starts after a
/// sentence end, as when a line break was lost in the source ("…工作。四是要树立…").
pub fn find_inline_next_item(paragraph: &str, current: &Marker) -> Option<usize> {
    sentence_starts(paragraph).find(|&start| {
        parse_marker(&paragraph[start..]).is_some_and(|next| {
            next.family == current.family && next.ordinal == current.ordinal + 1
        })
    })
}

/// Byte offsets inside `paragraph` where a sentence starts after a full stop (。！？), white space
/// skipped.
pub fn sentence_starts(paragraph: &str) -> impl Iterator<Item = usize> + '_ {
    paragraph
        .match_indices(['。', '！', '？'])
        .map(move |(at, stop)| {
            let after = at + stop.len();
            let rest = &paragraph[after..];
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
            after + (rest.len() - trimmed.len())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(p: &str) -> Option<(Family, u32, String)> {
        parse_marker(p).map(|m| (m.family, m.ordinal, m.text))
    }

    #[test]
    fn families_and_ordinals() {
        assert_eq!(marker("一、肯定成绩").unwrap().0, Family::HanComma);
        assert_eq!(marker("（四）要把学习").unwrap().1, 4);
        assert_eq!(marker("(2)要").unwrap().0, Family::ArabicParen);
        assert_eq!(
            marker("3.最讲方法").unwrap(),
            (Family::ArabicDot, 3, "3.".into())
        );
        assert_eq!(
            marker("第五，要提升").unwrap(),
            (Family::Ordinal, 5, "第五，".into())
        );
        assert_eq!(marker("第三个实是").unwrap().0, Family::OrdinalItem);
        assert_eq!(
            marker("二是要加强").unwrap(),
            (Family::LeadItem, 2, "二是要".into())
        );
        assert_eq!(marker("十二要坚持").unwrap().1, 12);
        assert_eq!(
            marker("其次，我们讲一下").unwrap(),
            (Family::Ordinal, 2, "其次，".into())
        );
        assert_eq!(
            marker("第三项:请县委副书记").unwrap().0,
            Family::OrdinalPoint
        );
        assert_eq!(marker("首先祝贺消费者业务取得很大成绩"), None);
        // Lines of the kinds the outline issue names, written for the test: circled numbers,
        // 其一/其二, a leading zero.
        assert_eq!(
            marker("③坚持问题导向").unwrap(),
            (Family::Circled, 3, "③".into())
        );
        assert_eq!(marker("⑵加强队伍建设").unwrap().0, Family::ArabicParen);
        assert_eq!(
            marker("其二，要抓好落实。").unwrap(),
            (Family::Qi, 2, "其二，".into())
        );
        assert_eq!(marker("其二是要抓好落实").unwrap().1, 2);
        assert_eq!(marker("其中，我们要").map(|m| m.0), None);
        assert_eq!(marker("02.深化改革").unwrap().1, 2);
    }

    #[test]
    fn numbers_that_are_not_markers() {
        assert_eq!(marker("1.5亿元资金已到位。"), None);
        assert_eq!(marker("2020年是全面建成小康社会"), None);
        assert_eq!(marker("（2015年11月12日）"), None);
        assert_eq!(marker("（2篇）"), None);
        assert_eq!(marker("一年之计在于春"), None);
    }

    #[test]
    fn inline_item_after_full_stop() {
        let p = "三要树立“问题导向”的观念。扎实推进机关党建工作。四是要树立“严格依规”的观念。法治";
        let current = parse_marker(p).unwrap();
        let at = find_inline_next_item(p, &current).unwrap();
        assert!(p[at..].starts_with("四是要树立"));
        // A different run inside the paragraph is not the next item.
        let q = "第一个实是“实在”。当好“三友”。一是做“朋友”。二是做“诤友”。";
        assert_eq!(find_inline_next_item(q, &parse_marker(q).unwrap()), None);
    }
}
