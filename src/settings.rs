//! Settings: `pipeline.toml` (optional), then `--set KEY=VALUE` overrides, then validation. Every
//! field has a built-in default, so the program runs with no file at all. Unknown keys, wrong types
//! and impossible values are refused here, naming the key, before any work starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub run: RunSettings,
    pub clean: CleanSettings,
    pub dedupe: DedupeSettings,
    pub segment: SegmentSettings,
    pub tag: TagSettings,
    pub sectionize: SectionizeSettings,
    pub publish: PublishSettings,
    pub report: ReportSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RunSettings {
    /// Folder of raw text files, relative to the working directory.
    pub raw_dir: String,
    /// Folder the dataset is written to, relative to the working directory. It holds the dataset
    /// only (the tables, the card, the manifest) and is replaced as a whole by each run.
    pub out_dir: String,
    /// Folder of the stage artifacts (intermediate files that let a rerun skip unchanged stages).
    /// Empty means `.pipeline/NAME` beside the output folder, NAME being the output folder's name.
    pub work_dir: String,
    /// Worker threads; 0 means one per core. Output does not depend on it.
    pub threads: usize,
    /// Documents processed together in one parallel batch; bounds memory.
    pub batch_documents: usize,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            raw_dir: "raw".into(),
            out_dir: "out".into(),
            work_dir: String::new(),
            threads: 0,
            batch_documents: 128,
        }
    }
}

/// What a noise rule does with a line it matches.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NoiseAction {
    /// Remove the whole line.
    DropLine,
    /// Remove only the matched text; drop the line if nothing is left.
    RemoveMatch,
    /// Remove the line, keeping the publisher (来源), publication date (发布时间) it states.
    PageMeta,
    /// Remove the matched text and end the line there: what follows it is a paragraph of its own
    /// (a photo caption left between two paragraphs of a page flattened to one line).
    SplitAt,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoiseRule {
    pub name: String,
    /// A regular expression (Rust `regex` syntax) tested against each trimmed line.
    pub pattern: String,
    pub action: NoiseAction,
    /// Only lines up to this many characters are tested (noise lines are short; prose is not);
    /// 0 tests lines of any length.
    #[serde(default = "default_rule_max_chars")]
    pub max_chars: usize,
    /// A document flag set when this rule removes something (besides `noise:NAME`), so that a
    /// renamed rule keeps its meaning: the default paywall rule sets `paywall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

fn default_rule_max_chars() -> usize {
    120
}

fn rule(name: &str, pattern: &str, action: NoiseAction) -> NoiseRule {
    NoiseRule {
        name: name.into(),
        pattern: pattern.into(),
        action,
        max_chars: default_rule_max_chars(),
        flag: None,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CleanSettings {
    /// Noise rules, tried in order on every line.
    pub rules: Vec<NoiseRule>,
    /// Turn half-width , : ; ! ? between Chinese characters into their full-width forms.
    pub repair_punctuation: bool,
    /// Remove pinyin readings printed in brackets after characters (`會(huì)議` → `會議`).
    pub remove_pinyin_glosses: bool,
    /// Remove an annotated edition's notes: the 注释 section at the end and the note numbers in the
    /// text that it defines ([1], 〔1〕, ⑴).
    pub remove_editor_notes: bool,
    /// Split a compilation (a first line ending in 汇编) into its documents.
    pub split_compilations: bool,
    /// Put an item of a numbered run that follows a full stop mid-paragraph on its own line; split
    /// a line whose paragraphs are set apart by single spaces (a page stored as one line).
    pub repair_lost_line_breaks: bool,
    /// Files larger than this are rejected unread.
    pub max_file_bytes: u64,
    /// A document with fewer characters than this after cleaning is rejected.
    pub min_document_chars: usize,
    /// A short line found in at least this many texts of the corpus is boilerplate and removed
    /// (0: learn none).
    pub boilerplate_min_files: usize,
    /// Rejoin sentences broken over lines: a text wrapped at a fixed width (PDF, OCR), a line
    /// starting with a closing mark (an export that split around a link).
    pub rejoin_broken_lines: bool,
    /// A document whose letters are less than this share Han characters is flagged
    /// `low_han_share` (an English, German or Japanese text; a file of punctuation); 0 = off.
    pub min_han_share: f64,
}

impl Default for CleanSettings {
    fn default() -> Self {
        use NoiseAction::*;
        CleanSettings {
            rules: vec![
                rule("paywall_marker", r"##paid(begin|end)##", RemoveMatch)
                    .with_max_chars(0)
                    .with_flag("paywall"),
                // Where the page sits in its site: 当前位置：首页 > 栏目, 您的当前位置: 站名 > …, any line of
                // short pieces between two or more > » › separators, or the tail of a trail whose first
                // crumbs were images or links with no text (`> 文章内容`).
                rule(
                    "breadcrumb",
                    r"^\W{0,2}((首页|首頁|主页|主頁)\s*([>＞›»]|$)|(>>?|＞|›|»)\s*[^。！？，>＞›»\s]{2,12}$|(当前|當前|您的当前|您的當前|你的当前|您的|你的|您现在的|您現在的|您所在的|你所在的|所在)位置\s*[:：>＞›»]|[^。！？，>＞›»]{1,24}(\s*(>>?|＞|›|»)\s*[^。！？，>＞›»]{1,40}){2,}\s*(>>?|＞|›|»)?$)",
                    DropLine,
                )
                .with_max_chars(160),
                // A site's navigation bar: four or more short words between | separators.
                rule(
                    "site_banner",
                    r"^\s*[|｜]?\s*([^|｜。，！？]{1,12}\s*[|｜]\s*){3,}[^|｜。，！？]{0,12}$",
                    DropLine,
                )
                .with_max_chars(300),
                // A page's facts about itself: 来源：…, 发布时间：…, 时间:2024-02-10 人气：…, 标签：…, 本文链接:….
                rule(
                    "page_meta",
                    r"(来源|发布时间|发布日期|更新时间|阅读次数|浏览次数|点击数|字体)\s*[:：]|字体\s*[:：]?\s*[\[【]|评论\s*[:：]\s*\d+$|^(时间|時間|日期)\s*[:：]\s*\d|(人气|人氣|点击|點擊|浏览|瀏覽)\s*[:：]|^(标签|標籤|关键词|關鍵詞|关键字)\s*[:：]|^本文(链接|地址|网址|網址|鏈接)\s*[:：]|^本文.{0,30}(发表|发布|發表|發佈)(于|於|在)?.{0,12}栏目",
                    PageMeta,
                ),
                rule(
                    "image_file",
                    r"(?i)^[^\s。，]{0,60}\.(jpe?g|png|gif|bmp|webp|tiff?)$",
                    DropLine,
                ),
                rule(
                    "disclaimer",
                    r"本文系.{0,20}(原创|投稿)|仅供(学习)?参考|请勿(照搬|抄袭)|版权归.{0,10}所有|如有侵权",
                    DropLine,
                ),
                // A template site's editor introducing the text: 下面是小编为大家整理的…，供大家参考。
                rule(
                    "editor_intro",
                    r"小[编編](为|為|给|給|帮|幫)?(大家|您|你|各位)?(精心)?(整理|收集|搜集|汇编|匯編|推荐|推薦|带来|帶來|分享|准备|準備)|^(以下是|下面是|以下為|下面為|以下为|下面为).{0,80}(仅供参考|僅供參考|供大家参考|供大家參考|欢迎阅读|歡迎閱讀|希望对|希望對|供您参考)|欢迎阅读与收藏|歡迎閱讀與收藏",
                    DropLine,
                )
                .with_max_chars(300),
                // A news lead's pointer to the text that follows: …发表了新年贺词。全文如下：
                rule(
                    "full_text_marker",
                    r"(讲话|講話|报告|報告|贺词|賀詞|致辞|致辭)?(全文如下|以下为全文|以下是全文|全文见下|全文見下)[:：。]?\s*$",
                    RemoveMatch,
                )
                .with_max_chars(0),
                // A template site's decoration after a title: …推进乡村振兴(精选文档), …讲话(完整版).
                rule(
                    "title_decoration",
                    r"\s*[(（](精选文档|精選文檔|精选范文|精選範文|优秀范文|優秀範文|范文|範文|完整版|最新版|精选|精選|合集|可编辑|可編輯|(?i:word)版)[)）]\s*$",
                    RemoveMatch,
                )
                .with_max_chars(60),
                rule(
                    "column_intro_heading",
                    r"^引\s*言$|^编者按[:：]?$",
                    DropLine,
                ),
                // An editor's note before the text: 编者按：…, 【导  读】…, 【摘要】…, 内容提要：….
                rule(
                    "column_intro",
                    r"(开设|推出).{0,12}专栏|本栏目|编者按[:：]|^【[^】]{0,8}?(导\s*读|導\s*讀|编\s*者\s*按|編\s*者\s*按|编者的话|編者的話|摘\s*要|内容提要|內容提要|核心提示)\s*】|^(导读|導讀|导语|導語|内容提要|內容提要|核心提示)[:：]",
                    DropLine,
                )
                .with_max_chars(600),
                // A photo caption ends with its credit: …新华社记者 谢环驰/摄, …（摄影 王晔 摄）.
                rule(
                    "photo_caption",
                    r"(记者|摄影|通讯员)\s*[\p{Han}·]{2,4}(\s*[、/]\s*[\p{Han}·]{2,4})*\s*/?\s*摄\s*[)）]?$",
                    DropLine,
                )
                .with_max_chars(300),
                // A photo caption left inside a paragraph of a flattened page: …10月16日，…作报告。新华社记者 饶爱民 摄
                rule(
                    "inline_photo_caption",
                    r"(\d{1,2}月\d{1,2}日[，,][^。！？]{0,80}[。.]\s*)?(新华社|新華社|人民日报|人民日報|中新社)记者\s*[\p{Han}·]{2,4}(\s*[、/]\s*[\p{Han}·]{2,4})*\s*/?\s*摄",
                    SplitAt,
                )
                .with_max_chars(0),
                // A credit line of its own: (文 王小俊 图 王小俊 审核 孙开进), (责任编辑 吴秀丽).
                rule(
                    "credit_line",
                    r"^[（(]\s*(记者|文|图|摄影|摄|责任编辑|编辑|审核|校对|通讯员|作者)[\s:：][^（）()]{1,60}[)）]$",
                    DropLine,
                ),
                // A reporter's credit inside a paragraph: 本网讯(记者 吴秀丽)今天…
                rule(
                    "reporter_credit",
                    r"[（(]\s*(记者|通讯员)[\s:：]*[\p{Han}·]{2,4}([\s、]+[\p{Han}·]{2,4}){0,3}\s*[)）]",
                    RemoveMatch,
                )
                .with_max_chars(0),
                // A news agency's dateline before the text: 新华社北京1月27日电
                rule(
                    "news_dateline",
                    r"^[（(]?(新华社|中新社|中国新闻社|人民网|央视网|中新网)[\p{Han}]{0,8}\d{1,2}月\d{1,2}日\s*电[）)]?\s*",
                    RemoveMatch,
                )
                .with_max_chars(0),
                // A page's time stamp set apart by spaces (2002年07月23日 14:21): a line break of a flattened page.
                rule(
                    "page_timestamp",
                    r"(^|\s)\d{4}\s*(年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|-\d{1,2}-\d{1,2})\s+\d{1,2}[:：]\d{2}([:：]\d{2})?(\s|$)",
                    SplitAt,
                )
                .with_max_chars(0),
                // A line of symbols only: a rule of asterisks, a stray separator, a line of dots.
                rule(
                    "symbol_line",
                    r"^[\s*＊=＝~～_|｜#.·•…\-]+$",
                    DropLine,
                )
                .with_max_chars(200),
                // The widgets of a page saved whole, alone or in a row: download, share, login, related links,
                // a VIP badge, a view count, the file's size and page count, the help line, font-size and print
                // controls.
                rule(
                    "page_widget",
                    r"^【?((立即|点击|免费|加入\w{0,6})?下载\w{0,4}|购物车|我的足迹|相关(文章|推荐|阅读|稿件|新闻|链接)|热门(文章|话题|推荐)|最新(文档|文章)|本类推荐|展开全部(内容)?|手机版|侵权投诉|分享到\S{0,12}|扫一扫\S{0,12}|\S{0,6}登录\S{0,16}|(?i:vip)\S{0,6}|\d+\+|\d+(\.\d+)?\s*(KB|MB|GB|kb|mb|页|頁)|(网站)?客服(电话|热线|QQ|微信)?\s*[:：]\s*[\d\-]{5,}|[大中小]字号|字号\s*[:：]?\s*(默认|大|中|小|超大|\s)+|[大中小](\s*[大中小]){2}|链接\s*[:：]|打印|关闭)】?(\s*[|｜]?\s*【?((立即|点击|免费|加入\w{0,6})?下载\w{0,4}|购物车|我的足迹|相关(文章|推荐|阅读|稿件|新闻|链接)|热门(文章|话题|推荐)|最新(文档|文章)|本类推荐|展开全部(内容)?|手机版|侵权投诉|分享到\S{0,12}|扫一扫\S{0,12}|\S{0,6}登录\S{0,16}|(?i:vip)\S{0,6}|\d+\+|\d+(\.\d+)?\s*(KB|MB|GB|kb|mb|页|頁)|(网站)?客服(电话|热线|QQ|微信)?\s*[:：]\s*[\d\-]{5,}|[大中小]字号|字号\s*[:：]?\s*(默认|大|中|小|超大|\s)+|[大中小](\s*[大中小]){2}|链接\s*[:：]|打印|关闭)】?)*\s*[|｜]?$",
                    DropLine,
                )
                .with_max_chars(40),
                // A page asking its reader to log in: 您需要登录后才可以发表评论.
                rule(
                    "page_prompt",
                    r"(登录|登錄|注册|註冊)(后|後)(才)?(可以|能)?(发表|發表|查看|评论|評論|下载|下載|阅读|閱讀|浏览|瀏覽)",
                    DropLine,
                )
                .with_max_chars(60),
                rule(
                    "page_footer",
                    r"^(【?(打印|关闭)(本页|窗口)】?\s*){1,3}$|^(上一篇|下一篇)[:：]",
                    DropLine,
                ),
                // A site's footer: ICP and 公安备案 numbers, 主办单位：…, 版权所有：…, Copyright ©.
                rule(
                    "site_footer",
                    r"ICP备|ICP证|公网安备|网站标识码|(?i:copyright)|©|^(主办单位|主辦單位|承办单位|承辦單位|版权所有|版權所有|运行维护单位|技术支持|技術支持)\s*[:：]",
                    DropLine,
                )
                .with_max_chars(200),
                // A web address alone on its line.
                rule(
                    "url_line",
                    r"^(?i:https?://)\S+$",
                    DropLine,
                )
                .with_max_chars(300),
            ],
            repair_punctuation: true,
            remove_pinyin_glosses: true,
            remove_editor_notes: true,
            split_compilations: true,
            repair_lost_line_breaks: true,
            max_file_bytes: 256 * 1024 * 1024,
            min_document_chars: 20,
            boilerplate_min_files: 3,
            rejoin_broken_lines: true,
            min_han_share: 0.3,
        }
    }
}

impl NoiseRule {
    fn with_max_chars(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }

    fn with_flag(mut self, flag: &str) -> Self {
        self.flag = Some(flag.into());
        self
    }
}

/// Exact dedupe is always on (document ids come from the content); these settings are for near
/// duplicates.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DedupeSettings {
    /// Look for near duplicates (MinHash over character n-grams with LSH banding).
    pub near_duplicates: bool,
    /// Characters per n-gram.
    pub ngram: usize,
    /// LSH bands; `bands * band_width` is the signature length.
    pub bands: usize,
    /// Hashes per band.
    pub band_width: usize,
    /// Estimated Jaccard similarity from which a document is flagged as a near duplicate.
    pub near_threshold: f64,
    /// Drop near duplicates at or above `drop_threshold` (they become `duplicate` rows in sources).
    pub drop_near_duplicates: bool,
    pub drop_threshold: f64,
}

impl Default for DedupeSettings {
    fn default() -> Self {
        DedupeSettings {
            near_duplicates: true,
            ngram: 5,
            bands: 16,
            band_width: 8,
            near_threshold: 0.8,
            drop_near_duplicates: false,
            drop_threshold: 0.9,
        }
    }
}

/// What dedupe does with near copies: the one reading of the `near_duplicates`,
/// `near_threshold`, `drop_near_duplicates` and `drop_threshold` keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NearCopies {
    /// Not looked for.
    Off,
    /// Kept and flagged from this estimated similarity.
    Flag { threshold: f64 },
    /// Flagged from `threshold`; dropped from `drop_threshold`.
    Drop { threshold: f64, drop_threshold: f64 },
}

impl DedupeSettings {
    pub fn near_copies(&self) -> NearCopies {
        match (self.near_duplicates, self.drop_near_duplicates) {
            (false, _) => NearCopies::Off,
            (true, false) => NearCopies::Flag {
                threshold: self.near_threshold,
            },
            (true, true) => NearCopies::Drop {
                threshold: self.near_threshold,
                drop_threshold: self.drop_threshold,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentSettings {
    /// jieba's HMM for words missing from the dictionary.
    pub hmm: bool,
    /// The built-in dictionary of Party-building and government terms.
    pub domain_dictionary: bool,
    /// Extra dictionaries in jieba's format (word [freq] [tag] per line), relative to the working directory.
    pub user_dictionaries: Vec<String>,
    /// Tokens per Parquet row group.
    pub row_group_tokens: usize,
    /// Mark the built-in stop words (src/data/stop_words.txt) in `tokens.is_stopword`.
    pub builtin_stop_words: bool,
    /// More words to mark as stop words.
    pub extra_stop_words: Vec<String>,
    /// Cut the simplified view of a text in traditional characters (jieba's dictionary is
    /// simplified); tokens still point into the text as written.
    pub simplified_view: bool,
}

impl Default for SegmentSettings {
    fn default() -> Self {
        SegmentSettings {
            hmm: true,
            domain_dictionary: true,
            user_dictionaries: Vec::new(),
            row_group_tokens: 1 << 20,
            builtin_stop_words: true,
            extra_stop_words: Vec::new(),
            simplified_view: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TagSettings {
    /// Allowed genres.
    pub genres: Vec<String>,
    /// Genre → the words that name it in a title or a collection's title (讲话, 致辞, 通知…). A
    /// title's genre is the cue that ends last in it (…关于政府工作报告的决议 is a 决议); of two
    /// ending at the same place the longer (交流发言 over 发言).
    pub genre_cues: BTreeMap<String, Vec<String>>,
    /// Genre used when no cue matches.
    pub default_genre: String,
    /// Words a web site puts in place of real words; their presence raises the `watermark` flag.
    pub watermark_words: Vec<String>,
    /// How many TF-IDF keywords to keep per document.
    pub keywords: usize,
    /// How many place names to keep per document (most mentioned first).
    pub max_regions: usize,
    /// Parts of speech a keyword may have (jieba's tags).
    pub keyword_pos: Vec<String>,
    /// Words never taken as keywords.
    pub keyword_stop_words: Vec<String>,
}

/// The cue words of each genre by default; 开幕词/闭幕词/主持词 are folded into 讲话, letters,
/// notices and resolutions are 其他.
fn default_genre_cues() -> BTreeMap<String, Vec<String>> {
    let cues: [(&str, &[&str]); 6] = [
        ("讲话", &["讲话", "开幕词", "闭幕词", "主持词", "演讲"]),
        ("交流发言", &["交流发言", "发言", "表态发言", "发言稿"]),
        ("党课", &["党课", "讲课"]),
        (
            "致辞",
            &[
                "致辞",
                "致词",
                "贺词",
                "贺辞",
                "祝酒辞",
                "祝酒词",
                "欢迎辞",
                "欢迎词",
                "答谢辞",
                "答谢词",
            ],
        ),
        ("报告", &["报告"]),
        (
            "其他",
            &[
                "通知",
                "决议",
                "决定",
                "公告",
                "通报",
                "倡议书",
                "公开信",
                "回信",
                "贺信",
                "感谢信",
                "慰问信",
                "纪要",
                "通告",
                "声明",
            ],
        ),
    ];
    cues.into_iter()
        .map(|(genre, words)| {
            (
                genre.to_string(),
                words.iter().map(|w| w.to_string()).collect(),
            )
        })
        .collect()
}

impl TagSettings {
    /// The genre vocabulary is whole: a genre to fall back on, and cues only for listed genres.
    fn validate(&self) -> Result<()> {
        if self.genres.is_empty() {
            return Err(Error::setting("tag.genres", "must list at least one genre"));
        }
        if let Some(genre) = self.genre_cues.keys().find(|g| !self.genres.contains(g)) {
            return Err(Error::setting(
                "tag.genre_cues",
                format!("names {genre}, which is not one of tag.genres"),
            ));
        }
        if !self.genres.contains(&self.default_genre) {
            return Err(Error::setting(
                "tag.default_genre",
                "must be one of tag.genres",
            ));
        }
        Ok(())
    }
}

impl Default for TagSettings {
    fn default() -> Self {
        TagSettings {
            genres: ["讲话", "交流发言", "文章", "报告", "党课", "致辞", "其他"]
                .map(String::from)
                .to_vec(),
            genre_cues: default_genre_cues(),
            default_genre: "其他".into(),
            watermark_words: vec!["哒哒君".into()],
            keywords: 10,
            max_regions: 10,
            keyword_pos: ["n", "nr", "ns", "nt", "nz", "vn", "l"]
                .map(String::from)
                .to_vec(),
            keyword_stop_words: [
                "同志",
                "同志们",
                "工作",
                "方面",
                "问题",
                "情况",
                "时候",
                "大家",
                "我们",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SectionizeSettings {
    /// A numbered line longer than this without a full stop is body text, not a heading.
    pub max_heading_chars: usize,
}

impl Default for SectionizeSettings {
    fn default() -> Self {
        SectionizeSettings {
            max_heading_chars: 80,
        }
    }
}

/// What the dataset card says about the dataset. These do not change any table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PublishSettings {
    pub title: String,
    pub description: String,
    /// Licence identifier for the card's header (such as cc-by-4.0), or "other".
    pub license: String,
    /// A BibTeX entry for citing the dataset; empty for none.
    pub citation: String,
}

impl Default for PublishSettings {
    fn default() -> Self {
        PublishSettings {
            title: "Chinese speeches on Party-building work in government agencies (机关党建)"
                .into(),
            description:
                "Speeches and articles collected as raw text, cleaned, deduplicated, segmented \
                          (jieba with a domain dictionary), tagged with metadata and split into \
                          sections, with the evidence for every inferred value."
                    .into(),
            license: "other".into(),
            citation: String::new(),
        }
    }
}

/// What the visual report (`report.html`) holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ReportSettings {
    /// Documents that get a page of their own in `report/` (and a row in the report's list): the
    /// ones with the smallest doc_ids, an even sample. 0 for none.
    pub max_documents: usize,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            max_documents: 2000,
        }
    }
}

impl Settings {
    /// Reads the settings file (if any), applies `--set` overrides, and validates the result.
    pub fn load(file: Option<&Path>, overrides: &[String]) -> Result<Settings> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                toml::from_str::<toml::Table>(&text).map_err(|e| Error::BadFile {
                    path: path.into(),
                    reason: format!("not valid TOML: {}", e.message()),
                })?
            }
            None => toml::Table::new(),
        };
        for item in overrides {
            apply_override(&mut table, item)?;
        }
        let settings: Settings = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| Error::setting(e.path().to_string(), e.inner().to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses values that parse but cannot work.
    pub fn validate(&self) -> Result<()> {
        self.validate_folders()?;
        let d = &self.dedupe;
        for (key, value) in [
            ("run.batch_documents", self.run.batch_documents as u64),
            ("clean.max_file_bytes", self.clean.max_file_bytes),
            ("dedupe.ngram", d.ngram as u64),
            ("dedupe.bands", d.bands as u64),
            ("dedupe.band_width", d.band_width as u64),
            (
                "segment.row_group_tokens",
                self.segment.row_group_tokens as u64,
            ),
        ] {
            if value == 0 {
                return Err(Error::setting(key, "must be at least 1"));
            }
        }
        for (i, rule) in self.clean.rules.iter().enumerate() {
            regex::Regex::new(&rule.pattern).map_err(|e| {
                Error::setting(
                    format!("clean.rules[{i}].pattern"),
                    format!("bad regular expression: {e}"),
                )
            })?;
        }
        for (key, value) in [
            ("dedupe.near_threshold", d.near_threshold),
            ("dedupe.drop_threshold", d.drop_threshold),
        ] {
            if !(value > 0.0 && value <= 1.0) {
                return Err(Error::setting(
                    key,
                    format!("must be above 0 and at most 1, not {value}"),
                ));
            }
        }
        let share = self.clean.min_han_share;
        if !(0.0..=1.0).contains(&share) {
            return Err(Error::setting(
                "clean.min_han_share",
                format!("must be from 0 to 1, not {share}"),
            ));
        }
        // A dictionary that cannot be read is refused now, not after two stages have run.
        for (i, path) in self.segment.user_dictionaries.iter().enumerate() {
            std::fs::File::open(path).map_err(|e| {
                Error::setting(
                    format!("segment.user_dictionaries[{i}]"),
                    format!("{path}: cannot be read: {e}"),
                )
            })?;
        }
        self.tag.validate()?;
        if self.publish.title.trim().is_empty() {
            return Err(Error::setting("publish.title", "must not be empty"));
        }
        if self.sectionize.max_heading_chars < 4 {
            return Err(Error::setting(
                "sectionize.max_heading_chars",
                "must be at least 4",
            ));
        }
        Ok(())
    }

    /// The raw, output and work folders are named, and the work folder lies outside the output
    /// folder (which each run replaces whole).
    fn validate_folders(&self) -> Result<()> {
        if self.run.raw_dir.is_empty() {
            return Err(Error::setting("run.raw_dir", "must not be empty"));
        }
        if self.run.out_dir.is_empty() {
            return Err(Error::setting("run.out_dir", "must not be empty"));
        }
        let (out, work) = (
            absolute(Path::new(&self.run.out_dir)),
            absolute(&self.work_dir()),
        );
        if work.starts_with(&out) || out.starts_with(&work) {
            return Err(Error::setting(
                "run.work_dir",
                format!(
                    "`{}` must lie outside the output folder `{}` and not contain it: the output folder holds the dataset only",
                    work.display(),
                    out.display()
                ),
            ));
        }
        Ok(())
    }

    /// The settings that decide what the dataset holds: all but `run` (folders, threads and batch size
    /// change where and how fast, never what). Used for the manifest's fingerprint and the card.
    /// Where the stage artifacts live (see `run.work_dir`).
    pub fn work_dir(&self) -> PathBuf {
        if !self.run.work_dir.is_empty() {
            return PathBuf::from(&self.run.work_dir);
        }
        let out = absolute(Path::new(&self.run.out_dir));
        let name = out.file_name().map(|n| n.to_os_string());
        let parent = out.parent().unwrap_or(&out).to_path_buf();
        parent
            .join(".pipeline")
            .join(name.unwrap_or_else(|| "dataset".into()))
    }

    pub fn output_settings_toml(&self) -> String {
        let mut settings = self.clone();
        settings.run = RunSettings::default();
        let text = settings.to_toml();
        match text.split_once("\n[clean]") {
            Some((_, rest)) => format!("[clean]{rest}"),
            None => text,
        }
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("settings always serialise")
    }
}

/// The path made absolute and without `.` or `..` parts, without touching the file system (the
/// folder may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// Applies one `KEY=VALUE`: the value is read as TOML (so `false`, `3`, `["a"]` keep their types) and
/// taken as a plain string when it is not valid TOML.
fn apply_override(table: &mut toml::Table, item: &str) -> Result<()> {
    let (key, raw) = item
        .split_once('=')
        .ok_or_else(|| Error::setting(item, "expected KEY=VALUE"))?;
    let key = key.trim();
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Error::setting(key, "empty part in dotted key"));
    }
    let mut node = table;
    for part in &parts[..parts.len() - 1] {
        let entry = node
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = entry
            .as_table_mut()
            .ok_or_else(|| Error::setting(key, format!("`{part}` is not a table")))?;
    }
    node.insert(parts[parts.len() - 1].to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_near_copy_keys_read_as_one_choice() {
        let read = |sets: &[&str]| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            Settings::load(None, &sets).unwrap().dedupe.near_copies()
        };
        assert_eq!(read(&[]), NearCopies::Flag { threshold: 0.8 });
        assert_eq!(
            read(&[
                "dedupe.near_duplicates=false",
                "dedupe.drop_near_duplicates=true"
            ]),
            NearCopies::Off
        );
        assert_eq!(
            read(&[
                "dedupe.drop_near_duplicates=true",
                "dedupe.drop_threshold=0.95"
            ]),
            NearCopies::Drop {
                threshold: 0.8,
                drop_threshold: 0.95
            }
        );
    }

    #[test]
    fn defaults_round_trip_through_toml() {
        let defaults = Settings::default();
        let back: Settings = toml::from_str(&defaults.to_toml()).unwrap();
        assert_eq!(back, defaults);
    }

    /// The bundled pipeline.toml states exactly the built-in defaults.
    #[test]
    fn bundled_settings_file_is_the_defaults() {
        let bundled = Settings::load(Some(Path::new("pipeline.toml")), &[]).unwrap();
        assert_eq!(bundled, Settings::default());
    }

    #[test]
    fn override_keeps_types() {
        let s = Settings::load(
            None,
            &[
                "segment.domain_dictionary=false".into(),
                "run.threads=1".into(),
            ],
        )
        .unwrap();
        assert!(!s.segment.domain_dictionary);
        assert_eq!(s.run.threads, 1);
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Settings::load(None, &["segment.domain_dictonary=false".into()]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("segment"), "{msg}");
        assert!(msg.contains("domain_dictonary"), "{msg}");
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Settings::load(None, &["run.threads=many".into()]).unwrap_err();
        assert!(err.to_string().contains("run.threads"), "{err}");
    }

    #[test]
    fn impossible_value_is_refused() {
        let err = Settings::load(None, &["dedupe.near_threshold=1.5".into()]).unwrap_err();
        assert!(err.to_string().contains("dedupe.near_threshold"), "{err}");
        let err = Settings::load(None, &["dedupe.ngram=-3".into()]).unwrap_err();
        assert!(err.to_string().contains("dedupe.ngram"), "{err}");
        let err = Settings::load(None, &["run.batch_documents=0".into()]).unwrap_err();
        assert!(err.to_string().contains("run.batch_documents"), "{err}");
        let err = Settings::load(
            None,
            &[r#"clean.rules=[{name="x", pattern="(", action="drop_line"}]"#.into()],
        )
        .unwrap_err();
        assert!(err.to_string().contains("clean.rules[0].pattern"), "{err}");
    }
}
