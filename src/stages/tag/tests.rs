//! Tag's tests: header shapes, dates, occasions and genres, on real texts of the development set
//! and on lines of the kinds the rules name.

use super::date::lunar_to_iso;
use super::*;
use crate::model::Metadata;
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

/// The metadata of each document of a fixture file, cleaned and tagged.
fn dev_metadata(name: &str) -> Vec<crate::model::Metadata> {
    static SEGMENTER: std::sync::LazyLock<Segmenter> =
        std::sync::LazyLock::new(|| Segmenter::new(&SegmentSettings::default()).unwrap());
    // A development-set file by its name, any other fixture by its path under tests/fixtures.
    let path = if name.contains('/') {
        format!("tests/fixtures/{name}")
    } else {
        format!("tests/fixtures/dev/raw/{name}")
    };
    let bytes = std::fs::read(path).unwrap();
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
            let meta = doc.meta.take().unwrap();
            assert_evidence_is_found(name, &doc, &meta);
            meta
        })
        .collect()
}

/// Every field's evidence is text the document holds: a substring of its cleaned text, of a line
/// clean removed from it (an editor's note), of a page fact's lines or of its collection's title.
fn assert_evidence_is_found(name: &str, doc: &Document, meta: &Metadata) {
    let mut places: Vec<&str> = vec![&doc.text];
    places.extend(doc.edits.iter().map(|e| e.before.as_str()));
    places.extend(doc.page.evidence.as_deref());
    places.extend(doc.collection.as_deref());
    for (field, evidence) in &meta.evidence {
        let found = places.iter().any(|p| p.contains(evidence.as_str()));
        assert!(found, "{name} part {}: {field}: {evidence}", doc.part);
    }
}

#[test]
fn every_evidence_is_text_the_document_holds_in_every_fixture() {
    let mut checked = 0;
    // The development set, the real-text fixtures and the bundled sample (raw/).
    for folder in ["dev/raw", "real", "../../raw"] {
        let mut names: Vec<_> = std::fs::read_dir(format!("tests/fixtures/{folder}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for name in names {
            let path = if folder == "dev/raw" {
                name.clone()
            } else {
                format!("{folder}/{name}")
            };
            checked += dev_metadata(&path).len();
        }
    }
    assert!(checked > 60, "{checked} documents checked");
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
        // 在…大会的讲话 without 上; a report names the congress it is made to (向…作…报告).
        ("006.txt", "道德遵从委员会第二次代表大会"),
        ("022.txt", "第四届全国人民代表大会"),
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
    let doc =
        tagged("市委副书记 王明\n（二〇二一年三月五日）\n同志们：\n今天我们召开全市宣传工作会议。");
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

#[test]
fn a_speech_in_traditional_characters_meets_the_same_cues_and_keeps_its_characters() {
    // Two template sites in traditional characters: a 黨課講稿 and a 講話稿 whose opening convenes
    // the meeting (召開…大會).
    let m = dev_metadata("010.txt").remove(0);
    assert_eq!(m.genre, "党课");
    assert_eq!(m.evidence["genre"], "2023年支部書記黨課講稿");
    let m = dev_metadata("027.txt").remove(0);
    assert_eq!(m.genre, "讲话");
    assert_eq!(m.title.as_deref(), Some("黨代表選舉會議講話稿"));
    assert_eq!(
        m.occasion.as_deref(),
        Some("黨代表、人大代表換屆選舉工作部署大會")
    );
    assert!(m.evidence["occasion"].contains("今天我們召開"));
}

#[test]
fn the_genre_is_what_the_title_ends_with_or_what_the_opening_says() {
    let genre = |name: &str, part: usize| dev_metadata(name)[part].genre.clone();
    // The cue that ends last: a resolution on a report, an open letter, a toast (three sources).
    assert_eq!(genre("011.txt", 0), "其他");
    assert_eq!(genre("013.txt", 2), "其他");
    assert_eq!(genre("037.txt", 0), "致辞");
    // A cue inside quotation marks names another text (a blog's front-matter title).
    assert_eq!(genre("real/md_cshijiel_1.md", 0), "文章");
    // A title of the kind the rule is for, written for the test: 报告 inside, 讲话 at the end.
    let doc = tagged("在全市先进事迹报告会上的讲话\n同志们：\n今天我们召开报告会。");
    assert_eq!(doc.meta.unwrap().genre, "讲话");
    // No cue in a title: the opening says what the text is — a lecture to its audience, a
    // report to a congress, a lead reporting a New Year address; a part opened by its speaker's
    // label is their remarks.
    for (name, part, want) in [
        ("036.txt", 0, "党课"),
        ("022.txt", 0, "报告"),
        ("025.txt", 0, "致辞"),
        ("013.txt", 1, "讲话"),
    ] {
        let m = dev_metadata(name).remove(part);
        assert_eq!(m.genre, want, "{name}");
    }
    let m = dev_metadata("022.txt").remove(0);
    assert!(m.evidence["genre"].contains("作政府工作报告"));
    // A signed article: a title and no word to an audience (a theory journal, a commentary, a
    // textbook's Mao essay) — but a news item or a letter is not one.
    for (name, want) in [
        ("020.txt", "文章"),
        ("030.txt", "文章"),
        ("real/pinyin_cntextbook_1.md", "文章"),
        ("035.txt", "其他"),
        ("real/record_octo_1.md", "其他"),
        ("real/html_magichtml_1.html", "其他"),
        ("019.txt", "其他"),
    ] {
        assert_eq!(genre(name, 0), want, "{name}");
    }
}

#[test]
fn editors_notes_and_the_signature_give_date_occasion_and_speaker() {
    // A dash-led line under the title: a subtitle with the date (a wiki edition of a report), a
    // note with date and speaker (a collection of a company head's speeches), a subtitle naming
    // the speaker.
    let m = dev_metadata("039.txt").remove(0);
    assert_eq!(m.date.as_deref(), Some("2017-03-05"));
    assert_eq!(m.date_precision.as_deref(), Some("day"));
    let m = dev_metadata("037.txt").remove(0);
    assert_eq!(
        (m.date.as_deref(), m.speaker.as_deref()),
        (Some("1994-06-05"), Some("任正非"))
    );
    assert!(m.evidence["date"].starts_with("——1994年6月5日"));
    assert_eq!(
        dev_metadata("003.txt")[0].speaker.as_deref(),
        Some("任正非")
    );
    // The closing note of a republication: 这是…2022年10月23日在党的二十届一中全会上的讲话。
    let m = dev_metadata("028.txt").remove(0);
    assert_eq!(m.date.as_deref(), Some("2022-10-23"));
    assert_eq!(m.occasion.as_deref(), Some("党的二十届一中全会"));
    // The signature date on the last lines, in digits or Chinese numerals (a notice, a news
    // item), before the page's publication time.
    assert_eq!(
        dev_metadata("002.txt")[0].date.as_deref(),
        Some("2015-06-09")
    );
    assert_eq!(
        dev_metadata("035.txt")[0].date.as_deref(),
        Some("2013-03-18")
    );
    // A letter's title names its writer.
    assert_eq!(
        dev_metadata("019.txt")[0].speaker.as_deref(),
        Some("任正非")
    );
}

#[test]
fn a_title_repeated_with_other_spacing_counts_once() {
    // A PDF page: the title's first line printed twice, once with spaces around the number.
    let m = dev_metadata("004.txt").remove(0);
    assert_eq!(
        m.title.as_deref(),
        Some("在全市庆祝中国共产党成立100周年“两优一先”表彰大会上的讲话")
    );
    assert_eq!(
        m.occasion.as_deref(),
        Some("全市庆祝中国共产党成立100周年“两优一先”表彰大会")
    );
}

#[test]
fn a_closing_note_of_either_wording_gives_date_and_occasion() {
    // The two wordings of 求是's closing note, as school and party sites republish it.
    for (note, date, occasion) in [
        (
            "※这是习近平总书记2021年6月25日在十九届中央政治局第三十一次集体学习时的讲话。",
            "2021-06-25",
            "十九届中央政治局第三十一次集体学习",
        ),
        (
            "※这是习近平总书记2020年11月30日在十九届中央政治局第二十五次集体学习时讲话的主要部分。",
            "2020-11-30",
            "十九届中央政治局第二十五次集体学习",
        ),
    ] {
        let doc = tagged(&format!(
            "全面加强知识产权保护工作\n知识产权保护工作关系国家治理体系和治理能力现代化。\n{note}"
        ));
        let m = doc.meta.unwrap();
        assert_eq!(m.date.as_deref(), Some(date));
        assert_eq!(m.occasion.as_deref(), Some(occasion));
        assert_eq!(m.evidence["date"], note);
    }
}

#[test]
fn the_title_is_the_best_run_of_header_lines_on_pages_of_many_sites() {
    let title = |name: &str| dev_metadata(name).remove(0).title;
    for (name, want) in [
        // Three lines joined: the body, 关于…外汇及 broken off, …的决议 (an NPC page).
        (
            "real/html_gne_1.html",
            Some(
                "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议",
            ),
        ),
        // The site's name in fragments above, the reporters' credit below (a newspaper's site).
        (
            "real/html_magichtml_1.html",
            Some("河南着力培育新动能塑造新优势"),
        ),
        // A translator's credit, a place line; a 日期： field (two blog mirrors).
        (
            "real/lead_terminus_1.md",
            Some("原文来自世界说：特朗普2019年国情咨文演讲全文翻译"),
        ),
        // (its column tag before the bar and the author before the colon come off).
        ("real/lead_cdt_1.md", Some("沉默不是金，而是社会的悲剧")),
        // A short title alone is a title (a textbook collection); a first sentence is none, and
        // then the page's own title (front matter) is the title (a blog).
        ("real/pinyin_cntextbook_1.md", Some("纪念白求恩")),
        (
            "real/md_cshijiel_1.md",
            Some("看 ‘北大最短毕业致辞’ 的感受"),
        ),
        // A subtitle that is the first heading is not the title; a short toast's title is.
        ("031.txt", Some("对中国农话网与交换机产业的一点看法")),
        ("037.txt", Some("胜利祝酒辞")),
    ] {
        assert_eq!(title(name).as_deref(), want, "{name}");
    }
    let m = dev_metadata("real/lead_cdt_1.md").remove(0);
    assert_eq!(m.speaker.as_deref(), Some("刘瑜"));
    // With no byline, the author field of the front matter (a textbook collection, two texts).
    for name in ["real/pinyin_cntextbook_1.md", "real/md_cntextbook_1.md"] {
        let m = dev_metadata(name).remove(0);
        assert_eq!(m.speaker.as_deref(), Some("毛泽东"), "{name}");
        assert!(m.evidence["speaker"].contains("毛泽东"));
    }
}

#[test]
fn a_place_name_inside_a_longer_name_is_no_mention() {
    let doc = tagged("同志们：\n今天我们在河南街道马鞍山村召开现场会，到马鞍山市场看了看。");
    let regions = doc.meta.unwrap().region;
    assert!(!regions.contains(&"河南省".to_string()), "{regions:?}");
    assert!(!regions.contains(&"马鞍山市".to_string()), "{regions:?}");
    let doc = tagged("同志们：\n今天我们召开河南省机关党建工作会议，马鞍山市的同志作了发言。");
    assert_eq!(doc.meta.unwrap().region, ["河南省", "马鞍山市"]);
}

#[test]
fn a_page_time_stamp_near_the_start_dates_a_text_that_states_none() {
    // A flattened news page (中新网): title, time stamp and text on one line, cut apart by clean.
    let m = dev_metadata("038.txt").remove(0);
    assert_eq!(m.date.as_deref(), Some("2002-07-23"));
    assert_eq!(m.evidence["date"], "2002年07月23日 14:21");
    // 人民网's stamp line (its page, tests/fixtures/real/html_magichtml_1.html), the time glued
    // to the date.
    let doc = tagged(
        "河南着力培育新动能塑造新优势\n2024年05月10日06:58 | 来源：人民网－人民日报\n5月9日，国务院新闻办举行“推动高质量发展”系列主题新闻发布会，河南省有关负责同志介绍了相关情况。",
    );
    assert_eq!(doc.meta.unwrap().date.as_deref(), Some("2024-05-10"));
}

#[test]
fn an_anonymised_name_in_a_byline_is_kept_as_written() {
    // Bylines of the kind the metadata issue names (XXX, ××), written for the test.
    for (byline, name) in [("县委书记 ×××", "×××"), ("市委副书记、市长 张XX", "张XX")]
    {
        let doc = tagged(&format!(
            "在全县组织工作会议上的讲话\n{byline}\n同志们：\n今天我们召开全县组织工作会议。"
        ));
        let m = doc.meta.unwrap();
        assert_eq!(m.speaker.as_deref(), Some(name), "{byline}");
        assert_eq!(m.title.as_deref(), Some("在全县组织工作会议上的讲话"));
    }
}

#[test]
fn a_title_naming_its_speaker_after_their_role_gives_both() {
    let m = dev_metadata("real/html_zhclsy_1.html").remove(0);
    assert_eq!(m.speaker.as_deref(), Some("钱其琛"));
    assert_eq!(m.speaker_role.as_deref(), Some("国务委员兼外交部长"));
    assert_eq!(m.date.as_deref(), Some("1991-08-26"));
    // A title that names a body, not a person, names no speaker.
    let doc = tagged(
        "某局领导在机关办公中心奠基仪式上的讲话\n同志们：\n今天我们在这里隆重举行奠基仪式。",
    );
    assert_eq!(doc.meta.unwrap().speaker, None);
}

#[test]
fn an_editions_head_note_gives_speaker_and_occasion() {
    let m = dev_metadata("real/notes_maoanthology_1.txt").remove(0);
    assert_eq!(m.title.as_deref(), Some("两个中国之命运"));
    assert_eq!(m.speaker.as_deref(), Some("毛泽东"));
    assert_eq!(m.occasion.as_deref(), Some("中国共产党第七次全国代表大会"));
    assert_eq!(m.date.as_deref(), Some("1945-04-23"));
}
