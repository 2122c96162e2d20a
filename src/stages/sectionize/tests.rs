//! Sectionize's tests: heading families, runs and levels on lines of real texts, spans.

use super::*;
use crate::model::Metadata;

fn outline(text: &str) -> Vec<(u32, String)> {
    let doc = Document {
        doc_id: "d".into(),
        text: text.into(),
        meta: Some(Metadata::default()),
        ..Default::default()
    };
    Sectionizer::new(&SectionizeSettings::default())
        .sectionize(&doc)
        .into_iter()
        .map(|s| (s.level, s.heading.unwrap_or_default()))
        .collect()
}

#[test]
fn dash_points_form_runs_and_a_run_in_list_after_an_ended_one_is_its_sibling() {
    // Lines of the 2017 government work report (a corpus of reports): a dash run under 一、,
    // then 一是…二是 after it, both level 2 — the dash run has ended.
    let report = "一、2016年工作回顾\n——经济运行缓中趋稳、稳中向好。国内生产总值达到74.4\n——就业增长超出预期。全年城镇新增就业1314万人。高校毕业生就业创业人数再创新高。\n一是继续创新和加强宏观调控，经济运行保持在合理区间。\n二是着力抓好“三去一降一补”，供给结构有所改善。\n二、2017年工作总体部署";
    let headed: Vec<(u32, String)> = outline(report)
        .into_iter()
        .filter(|(l, _)| *l > 0)
        .collect();
    let levels: Vec<u32> = headed.iter().map(|(l, _)| *l).collect();
    assert_eq!(levels, [1, 2, 2, 2, 2, 1], "{headed:?}");
    assert_eq!(headed[1].1, "——经济运行缓中趋稳、稳中向好。");
    // A dash opening a single line is no run: a quotation's source, not a point (lines of that
    // kind written for the test, not a real text).
    let quoted = "一、加强学习\n“学习是文明传承之途。”\n——习近平\n二、狠抓落实";
    assert_eq!(outline(quoted).iter().filter(|(l, _)| *l > 0).count(), 2);
}

#[test]
fn a_numbered_list_of_one_sentence_points_is_no_outline() {
    // A company's maxims (dev 006, appended material): a bare number over each one sentence.
    let maxims = "华为“十六条军规”\n1.\n商业模式永远在变，唯一不变的是以真心换真金。\n2.\n如果你的声音没人重视，那是因为你离客户不够近。\n3.\n只要作战需要，造炮弹的也可以成为一个好炮手。";
    assert!(outline(maxims).iter().all(|(l, _)| *l == 0));
    // Under a heading, one-sentence points are that section's outline (a founder's speech,
    // dev 003); points each followed by their body are an outline too.
    let section = "一、开发部的改革要为各系统的改革树立榜样\n二、重新规范组织与规划工作流程\n三、坚定不移地坚持发展的方向\n1、由于我们在通信领域，已有良好的市场、开发资源，所以在近期，我们在产品范围上坚持通信多元化产品。\n2、我们要继续坚持“压强原则”，即集中力量，在一个点、一个面上有重大突破，这样，逐步改善公司的总体条件。\n3、公司遇到了千载难逢的历史时机，要抓住机会，加速发展。";
    assert_eq!(outline(section).iter().filter(|(l, _)| *l == 2).count(), 3);
    let points = "一、加强学习\n学习是第一位的。我们要多读书。\n二、狠抓落实\n落实是关键。\n三、从严治党\n从严是主基调。";
    assert_eq!(outline(points).iter().filter(|(l, _)| *l == 1).count(), 3);
}

#[test]
fn shouxian_qici_and_ordinal_nouns_are_numbered_runs() {
    // A 党课 (dev 014): 首先 stands for 第一, and 第二 goes on its run.
    let lecture = "首先,我们了解一下党员政治生日的概念\n我们说,对于普通人而言生日只有一个,就是出生的那一天;而对于中国共产党党员来说,就有两个生日,除了我们的出生日之外,另一个特殊的生日就是我们入党的日子,即:“政治生日”。只要我们被党支部通过为预备党员,伴随着“共产党员”的新身份,党员的政治生命就随之开启,也就拥有了自己的“政治生日”。当党员在鲜红的党旗下郑重宣誓“我志愿加入中国共产党”,便意味着作出了坚定信仰共产主义的政治抉择,作出了将自己的一切交给党的庄严承诺。这样一个人生的重要时刻,理应被深深铭记。\n第二, 我们讲一下党员过“政治生日”的必要性";
    let headed: Vec<(u32, String)> = outline(lecture)
        .into_iter()
        .filter(|(l, _)| *l > 0)
        .collect();
    assert_eq!(headed.len(), 2, "{headed:?}");
    assert!(
        headed[0]
            .1
            .starts_with("首先,我们了解一下党员政治生日的概念")
    );
    // A chair's script (dev 032): the agenda's 第一项… 第二项… steps.
    let agenda = "第一项:奏国歌。请全体起立。\n(曲毕)请坐下。\n第二项:请县委组织部部长xxx同志对创先争优活动和基层组织建设年活动进行总结;\n第三项:请县委副书记xxx同志宣读受省、市委表彰的先进名单和县委表彰决定。";
    let steps = outline(agenda).into_iter().filter(|(l, _)| *l == 1).count();
    assert_eq!(steps, 3);
}

#[test]
fn short_lines_alone_between_paragraphs_are_unnumbered_headings() {
    // An article by a company's founder (dev 031; Markdown ### headings, read as plain lines).
    let article = "随着全程全网的结构改造，本地网是必然发展趋势。特别是母局带远端模块群，远端模块群再带远端用户单元组网方式会得到较大的采用。集中维护、集中计费和集中网管是本地网发展方向。作为本地网的一部分，农话网必须协调发展，目前农话网以话音通信为主，但在网络规划上特别是发达地区光纤传输网建设上，必须考虑数据通信和新业务发展的需求，提高标准化程度，避免重复投资，这也是通信设备所必须关注的问题。\n中国农话市场和产业现状\n经过几年的发展，国产交换机的技术发展已达到了比较高的水准，达到国外先进交换机的水平，生产也有相当规模，可以满足国内市场的需求；但也存在着以下几个问题：\n体积、安装等工艺水平要求。\n宏观调控政策建议\n加强市场管理，减少入网机型。进网证必须严格管理，以保护优质厂家的生存与发展。";
    let headed: Vec<(u32, String)> = outline(article)
        .into_iter()
        .filter(|(l, _)| *l > 0)
        .collect();
    let want = [
        (1, "中国农话市场和产业现状".to_string()),
        (1, "宏观调控政策建议".to_string()),
    ];
    assert_eq!(headed, want);
    // Photo captions left between a news item's paragraphs (dev 023) are too short to be one.
    let caption = "本网讯今天(11月26日)上午，在机关三支部主题党日活动中，经理助理曹骥以“中国制度最大的优势是党的领导”为题讲党课。\n曹骥讲党课\n新中国成立70年，中华大地沧桑巨变，旧貌换新颜。中国为什么能用几十年时间走完发达国家几百年走过的发展历程，创造令世界惊叹的发展奇迹？曹骥结合党的十九届四中全会《决定》，畅谈中国共产党的领导是中国特色社会主义最本质的特征，是中国特色社会主义制度的最大优势。\n全体党员现场聆听党课，并诵读《党章》九至十—章，通读《习近平关于“不忘初心、牢记使命”论述摘编》第六、七部分内容，选学《党的十九届四中全会<决定>学习辅导百问》部分内容。\n活动现场\n据悉，近日，全院各党支部按“不忘初心、牢记使命”主题教育要求，认真组织开展11月份第二次“支部主题党日”活动。";
    let found = outline(caption);
    assert!(found.iter().all(|(l, _)| *l == 0), "{found:?}");
}

/// The headings (level, text) of each document of a development-set file (or of another fixture,
/// by its path under tests/fixtures), cleaned, tagged and sectionized as a run does.
fn dev_headings(name: &str) -> Vec<(u32, String)> {
    use crate::settings::SegmentSettings;
    use crate::stages::segment::Segmenter;
    let path = match name.contains('/') {
        true => format!("tests/fixtures/{name}"),
        false => format!("tests/fixtures/dev/raw/{name}"),
    };
    let bytes = std::fs::read(path).unwrap();
    let cleaner = crate::stages::clean::Cleaner::new(&Default::default());
    let segmenter = Segmenter::new(&SegmentSettings::default()).unwrap();
    let tagger = crate::stages::tag::Tagger::new(&Default::default());
    let sectionizer = Sectionizer::new(&SectionizeSettings::default());
    let mut headings = Vec::new();
    for mut doc in cleaner.clean_file(name, &bytes).unwrap().documents {
        let text = doc.text.clone();
        let words: Vec<(&str, &str)> = text
            .split('\n')
            .flat_map(|p| segmenter.words(p))
            .map(|w| (w.text, w.pos))
            .collect();
        tagger.tag(&mut doc, &words);
        let sections = sectionizer.sectionize(&doc);
        let headed = sections.into_iter().filter(|s| s.level > 0);
        headings.extend(headed.map(|s| (s.level, s.heading.unwrap_or_default())));
    }
    headings
}

#[test]
fn one_unnumbered_heading_counts_in_an_excerpt_and_the_header_may_end_with_one() {
    // Excerpts cut off after their first unnumbered heading: a signed article (020) and a
    // compilation page (033; its first article's title stands between prose too).
    let article = dev_headings("020.txt");
    assert_eq!(article.len(), 1, "{article:?}");
    assert!(article[0].1.starts_with("理论认识："));
    let compilation = dev_headings("033.txt");
    assert!(
        compilation
            .iter()
            .any(|(_, h)| h.starts_with("无产阶级政党必须在政治纲领")),
        "{compilation:?}"
    );
    // The header's last line is the first heading when the tag used it for nothing: a Markdown
    // article's ### line under its title (031), a news page's section head under its deck (038).
    for (name, first) in [
        ("031.txt", "中国农话的现状及发展趋势"),
        ("038.txt", "黨章的修改與完善"),
    ] {
        let headings = dev_headings(name);
        assert_eq!(
            headings.first().map(|h| h.1.as_str()),
            Some(first),
            "{name}"
        );
    }
    // A notice signed with its office and a date (002) is whole: the office's line is no heading.
    let notice = dev_headings("002.txt");
    assert!(
        notice.iter().all(|(_, h)| h != "中心机关党委"),
        "{notice:?}"
    );
    // A title repeated in a shorter form above the body (026) is no heading.
    assert!(dev_headings("026.txt").is_empty());
}

#[test]
fn headings_the_markup_marks_are_headings() {
    // A Markdown article (dev 031): its ### lines are level 1; under the second, bold run-in
    // items, each heading the bold text (**第三、作为高技术产品的程控交换机**，同时也是…).
    let article = dev_headings("031.txt");
    let want = [
        (1, "中国农话的现状及发展趋势"),
        (1, "中国农话市场和产业现状"),
        (2, "第一、内乱外患。"),
        (2, "第二、农话建设资金短缺。"),
        (2, "第三、作为高技术产品的程控交换机"),
        (2, "第四、内外政策不平等。"),
    ];
    let got: Vec<(u32, &str)> = article.iter().map(|(l, h)| (*l, h.as_str())).collect();
    assert_eq!(got[..6], want, "{got:?}");
    // A party news page in Markdown (another site): bold lead sentences open its paragraphs.
    let news = dev_headings("real/md_partygov_1.md");
    assert!(
        news.iter()
            .any(|(l, h)| *l == 1 && h == "随后，寻访团成员参观了毛泽东旧居。"),
        "{news:?}"
    );
    // A commencement speech clipped in Markdown: a bold sentence standing alone is emphasis, and a
    // bold label (**致辞：饶毅…**) a credit.
    let speech = dev_headings("real/md_cshijiel_1.md");
    assert!(
        speech
            .iter()
            .all(|(_, h)| !h.starts_with("自信、自豪") && !h.starts_with("致辞")),
        "{speech:?}"
    );
}

#[test]
fn a_long_first_sentence_keeps_its_run_and_a_short_line_over_its_points_is_whole() {
    // A founder's speeches (dev 013): 第一，… and 第二，… whose lead sentences run long, 7、 whose
    // first sentence is 81 characters — each keeps its run going; 三、 is two sentences alone on
    // its line over 1、…, a heading whole.
    let headings = dev_headings("013.txt");
    let has = |start: &str, end: &str| {
        headings
            .iter()
            .any(|(_, h)| h.starts_with(start) && h.ends_with(end))
    };
    assert!(
        has("第二，关于高端机", "共用零部件反而更节省成本。"),
        "{headings:?}"
    );
    assert!(
        has("7、消费者BG", "而且要清晰化自己的定位。"),
        "{headings:?}"
    );
    assert!(has(
        "三、我们坚持改善经营质量",
        "帮助业务部门多产粮食和增加土壤肥力。"
    ));
    // A chair's script cut off right after the first of three announced points (dev 032).
    let script = dev_headings("032.txt");
    assert_eq!(
        script.last().map(|h| h.1.as_str()),
        Some("一是深刻"),
        "{script:?}"
    );
}

#[test]
fn a_heading_numbered_1_counts_when_the_text_breaks_off_before_its_2() {
    // A 党课's preview on a template site (dev 036): 1.党的性质, then the text is cut off.
    let preview = "1.党的性质\n《党章》明确规定:中国共产党是中国工人阶级的先锋队,同时是中国人民和中华民族的先锋队,是中国特色社会主义事业的领导核心,代表中国先进生产力的发展要求,代表中国先进文化的前进方向,代表中国最广大人民的根本利益。党的最高理想和最终目标是实现共产主义。\n《党章》对党的性质的规定,是我们党对自身清醒的界定,也是我们党对自己在中国发展历程中的一个准确的定位。一个人特别是一个未来想有一番作为的年轻人,对自己也要有一个清楚的定位,究竟是选择为大多数人奋斗一生呢,还是选择仅仅为自己奋斗的一生?老子讲,死而不亡者寿;臧克家讲,有的人死了,他还活着;毛主席讲,为人民利益而死,重如泰山。年轻人,心怀天下,总要为这个国家做点什么,总要为人民贡献点什么。歌德说:“你若要喜爱你自己的价值,你就得给世界创造价值。”我们热盼着中华民族伟大复兴的早日实现,要使我们的兄弟姐妹,我们中国人民";
    assert!(!preview.ends_with('。'));
    let headed: Vec<(u32, String)> = outline(preview)
        .into_iter()
        .filter(|(l, _)| *l > 0)
        .collect();
    assert_eq!(headed, [(1, "1.党的性质".to_string())]);
    // A whole text's lone 1. is no run.
    let whole = format!("{preview}。");
    assert!(outline(&whole).iter().all(|(l, _)| *l == 0));
}

#[test]
fn circled_numbers_and_qi_points_form_runs() {
    // Lines of the kinds the outline issue names, written for the test (not a real text).
    let text = "一、加强学习\n①读原著。要原原本本地读。\n②悟原理。其一，要联系实际。其二，要学以致用。\n二、狠抓落实\n其一，要抓住关键。具体来说要抓重点。\n其二，要压实责任。";
    let headed: Vec<(u32, String)> = outline(text).into_iter().filter(|(l, _)| *l > 0).collect();
    let want = [
        (1, "一、加强学习"),
        (2, "①读原著。"),
        (2, "②悟原理。"),
        (1, "二、狠抓落实"),
        (2, "其一，要抓住关键。"),
        (2, "其二，要压实责任。"),
    ];
    let got: Vec<(u32, &str)> = headed.iter().map(|(l, h)| (*l, h.as_str())).collect();
    assert_eq!(got, want);
}

#[test]
fn levels_follow_the_order_families_appear_in() {
    let sections = outline(
        "同志们：\n1.讲政治\n一是要学习。学习很重要。\n二是要实践。\n2.讲作风\n正文。\n同志们，散会。",
    );
    assert_eq!(
        sections,
        vec![
            (0, String::new()),
            (1, "1.讲政治".into()),
            (2, "一是要学习。".into()),
            (2, "二是要实践。".into()),
            (1, "2.讲作风".into()),
            (0, String::new()),
        ]
    );
}

#[test]
fn false_positives_are_not_headings() {
    // A lone 一是 with no 二是, a decimal, a date line, and an item out of order.
    let sections =
        outline("（2015年11月12日）\n一是要注意安全。\n1.5亿元资金到位。\n三、跳过的条目\n正文。");
    assert_eq!(sections, vec![(0, String::new())]);
}

#[test]
fn lists_inside_sentences_and_long_numbered_prose_are_body() {
    let sections = outline(
        "我们要做到：1.学习；2.实践。\n一、总体要求\n正文提到1.5亿元和2.3万人。\n二、主要任务\n1.这一条虽然以数字开头但是一整段很长很长的叙述文字没有句号并且远远超过了标题应有的长度所以它只能是正文而不是标题，后面还有更多的文字继续说明情况和要求以及具体的安排部署\n2.同上",
    );
    let headings: Vec<&str> = sections.iter().map(|(_, h)| h.as_str()).collect();
    assert_eq!(headings, ["", "一、总体要求", "二、主要任务"]);
}

#[test]
fn part_markers_and_a_lost_level_restart() {
    let sections = outline(
        "第一部分 形势\n一是形势好。\n二是任务重。\n第二部分 任务\n一是抓学习。\n二是抓落实。",
    );
    assert_eq!(
        sections,
        vec![
            (1, "第一部分 形势".into()),
            (2, "一是形势好。".into()),
            (2, "二是任务重。".into()),
            (1, "第二部分 任务".into()),
            (2, "一是抓学习。".into()),
            (2, "二是抓落实。".into()),
        ]
    );
}

#[test]
fn spans_nest_and_cover_the_text() {
    let text = "前言。\n一、甲\n（一）子一。\n内容。\n（二）子二。\n二、乙\n内容。";
    let doc = Document {
        doc_id: "d".into(),
        text: text.into(),
        meta: Some(Metadata::default()),
        ..Default::default()
    };
    let sections = Sectionizer::new(&SectionizeSettings::default()).sectionize(&doc);
    let len = text.chars().count() as u32;
    let top: Vec<&Section> = sections.iter().filter(|s| s.parent_id.is_none()).collect();
    assert_eq!(top.first().unwrap().char_start, 0);
    assert_eq!(top.last().unwrap().char_end, len);
    for pair in top.windows(2) {
        assert_eq!(pair[0].char_end, pair[1].char_start);
    }
    for s in &sections {
        if let Some(parent) = &s.parent_id {
            let p = sections.iter().find(|x| &x.section_id == parent).unwrap();
            assert!(p.char_start <= s.char_start && s.char_end <= p.char_end);
        }
    }
    assert_eq!(
        sections[innermost_section(&sections, 10)]
            .heading
            .as_deref(),
        Some("（一）子一。")
    );
}
