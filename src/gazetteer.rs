//! Place names: a gazetteer of Chinese administrative divisions (provinces, prefectures, counties;
//! `src/data/regions.tsv`) used by the tag stage to say which places a speech is about.
//!
//! Full names (三门峡市, 渑池县, 江苏省) are found anywhere in the text; their suffix makes them safe.
//! Two-character county names (城区, 新县, 和县) are left out: they occur inside ordinary words.
//! Short forms of provinces and prefectures (南通, 江苏, 内蒙古) count only where jieba segmented and tagged them as a place
//! (`ns`), so 确保山区 never yields 保山 and 各位来宾 never yields 来宾. Every name is reported in its
//! full form. A name inside a longer one is not a mention: 马鞍山市场 is a market, and a short form
//! heading a smaller place's name (河南街道, 马鞍山村) is that place.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

const REGIONS: &str = include_str!("data/regions.tsv");

/// What follows a place's short form when it names a smaller place (or a market) of that name,
/// not the division: 河南街道 is no 河南省, 马鞍山村 and 马鞍山市场 no 马鞍山市.
pub const SMALLER_PLACES: &[&str] = &[
    "街道", "村", "镇", "乡", "社区", "路", "街", "大街", "大道", "小区", "巷", "市场",
];

pub struct Gazetteer {
    full: AhoCorasick,
    full_names: Vec<String>,
    /// Short form of a province or prefecture → full name (a province wins: 吉林 is 吉林省).
    short: HashMap<String, String>,
}

/// A place the text names, with how often and where first.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub name: String,
    pub count: usize,
    /// Byte offset of the first mention (of the full name), or `usize::MAX` if only a short form.
    pub first: usize,
}

impl Gazetteer {
    pub fn builtin() -> Self {
        let mut full_names = Vec::new();
        let mut short: HashMap<String, (u8, String)> = HashMap::new();
        for line in REGIONS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut fields = line.split('\t');
            let (Some(_code), Some(name), Some(level)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let rank = match level {
                "province" => 0,
                "prefecture" => 1,
                _ => 2,
            };
            if name.chars().count() >= 3 {
                full_names.push(name.to_string());
            }
            // County short forms (中原, 城关) are too often ordinary words or shared names.
            if rank < 2
                && let Some(form) = short_form(name)
                && form.chars().count() >= 2
            {
                let entry = short.entry(form).or_insert((rank, name.to_string()));
                if rank < entry.0 {
                    *entry = (rank, name.to_string());
                }
            }
        }
        // A DFA: more memory than the default automaton, faster over every document's text.
        let full = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&full_names)
            .expect("gazetteer patterns build");
        Gazetteer {
            full,
            full_names,
            short: short.into_iter().map(|(k, (_, v))| (k, v)).collect(),
        }
    }

    /// Places named in `text`: full names anywhere, short forms among `place_tokens` (the words
    /// jieba tagged `ns`). Most mentioned first, then by first mention.
    pub fn mentions(&self, text: &str, place_tokens: &[String]) -> Vec<Mention> {
        let mut found: HashMap<&str, Mention> = HashMap::new();
        for m in self.full.find_iter(text) {
            let name = self.full_names[m.pattern().as_usize()].as_str();
            // …市 inside 市场 (马鞍山市场) is a market, not the city.
            if name.ends_with('市') && text[m.end()..].starts_with('场') {
                continue;
            }
            let entry = found.entry(name).or_insert(Mention {
                name: name.to_string(),
                count: 0,
                first: m.start(),
            });
            entry.count += 1;
        }
        // A short-form token may be the head of a full-name mention already counted, so a place
        // counts as often as the larger of its two tallies.
        let mut short_counts: HashMap<&str, usize> = HashMap::new();
        for token in place_tokens {
            if let Some(name) = self.short.get(token) {
                *short_counts.entry(name.as_str()).or_default() += 1;
            }
        }
        for (name, count) in short_counts {
            let entry = found.entry(name).or_insert(Mention {
                name: name.to_string(),
                count: 0,
                first: short_form(name)
                    .and_then(|s| text.find(s.as_str()))
                    .unwrap_or(usize::MAX),
            });
            entry.count = entry.count.max(count);
        }
        let mut mentions: Vec<Mention> = found.into_values().collect();
        mentions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.first.cmp(&b.first))
                .then(a.name.cmp(&b.name))
        });
        mentions
    }
}

/// 河南省 → 河南, 广西壮族自治区 → 广西, 南通市 → 南通, 大兴安岭地区 → 大兴安岭, 渑池县 → 渑池.
pub fn short_form(name: &str) -> Option<String> {
    const SUFFIXES: &[&str] = &[
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "自治区",
        "特别行政区",
        "地区",
        "省",
        "市",
        "县",
        "盟",
        "区",
    ];
    SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|rest| !rest.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_anywhere_short_forms_only_as_place_tokens() {
        let g = Gazetteer::builtin();
        let text = "三门峡市直工委、渑池县直工委和义马市直工委，确保山区群众，各位来宾，为南通高质量发展。";
        let names: Vec<String> = g
            .mentions(text, &["南通".into()])
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(names, ["三门峡市", "渑池县", "义马市", "南通市"]);
        assert!(g.mentions("确保山区，各位来宾", &[]).is_empty());
        let province = g.mentions("江苏的发展", &["江苏".into()]);
        assert_eq!(province[0].name, "江苏省");
    }
}
